"""How aug2025's deal odds move with the parameters the data do not pin down: the figures
docs/model.md quotes ("Sensitivity", section 4.12's cost scale).

    python benchmarks/deal_sensitivity.py [--replicates 2000] [--deadline-replicates 20000]

Each line fixes one uncertain parameter at a value (``overrides``, as ``--set`` does: its
distribution is dropped, every other draw unchanged) and prints P(deal within the horizon)
and P(deal by the deadline) with their Monte Carlo standard errors. The last two lines fix
the threat's credibility at 1 and the threatened revenue loss at 0 and 0.6, over more
replicates, for the deadline odds.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import simulate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "aug2025.yaml"

#: (key, values) fixed one at a time; None = the scenario as written
GRID = [(None, [None]),
        ("actors.RU.war_cost_per_day", [0.00015, 0.0003, 0.00045]),
        ("actors.UA.war_cost_per_day", [0.0002, 0.0006]),
        ("actors.RU.threatened_revenue_loss", [0.075, 0.225]),
        ("actors.RU.learning.prior_sd", [0.0, 0.0004, 0.0008]),
        ("negotiation.nash_power", [0.3, 0.7])]


def _odds(replicates: int, overrides: dict) -> tuple[float, float, int]:
    o = simulate.run(SCENARIO, replicates=replicates, overrides=overrides or None,
                     counterfactual=False, keep_series=0, progress=False).outcomes
    return float(o["deal"].mean()), float(o["deal_by_deadline"].mean()), len(o)


def _line(label: str, deal: float, by_deadline: float, n: int) -> str:
    se = math.sqrt(deal * (1.0 - deal) / n)
    se_d = math.sqrt(by_deadline * (1.0 - by_deadline) / n)
    return (f"{label:<48} P(deal) {100 * deal:5.1f}% ± {100 * se:.1f}   "
            f"by deadline {100 * by_deadline:5.2f}% ± {100 * se_d:.2f}   (n {n})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--deadline-replicates", type=int, default=20000)
    args = ap.parse_args()
    for key, values in GRID:
        for v in values:
            label = "as written" if key is None else f"{key} = {v:g}"
            print(_line(label, *_odds(args.replicates, {} if key is None else {key: v})),
                  flush=True)
    for loss in (0.0, 0.6):
        fixed = {"actors.US.credibility": 1.0, "actors.RU.threatened_revenue_loss": loss}
        label = f"credibility = 1, threatened loss = {loss:g}"
        print(_line(label, *_odds(args.deadline_replicates, fixed)), flush=True)


if __name__ == "__main__":
    main()
