"""Small scenarios for the experiment tests: aug2025 on a short horizon, with an experiment
block (two levers, one design uncertainty, every kind of outcome)."""

from __future__ import annotations

from pathlib import Path

from simulate.scenario import bundled_scenarios

AUG = bundled_scenarios()["aug2025"][0]

SMALL = f"""\
extends: {AUG}
name: small
horizon_days: 40
outputs: {{counterfactual: false, keep_series: 0}}
ensemble: {{replicates: 40, seed: 7, chunk_size: 16}}
experiment:
  levers:
    actors.US.credibility: {{low: 0.1, high: 0.9, levels: 3}}
    actors.US.threat.secondary_tariff.rate: {{choices: [0.25, 1.0]}}
  uncertainties: [actors.RU.resolve]
  outcomes:
    deal_within: [10, 40]
    columns: [oil_revenue_busd]
    on_date:
      india_low: {{variable: volume_mbd, actor: IN, date: 2025-09-10, below: 1.7}}
    over_period:
      revenue_aug: {{variable: oil_revenue_musd, from: 2025-08-10, to: 2025-08-31,
                    scale: 0.001}}
  design: lhs
  points: 5
  replicates: 24
"""


def write_small(folder: Path, text: str = SMALL, name: str = "small.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path
