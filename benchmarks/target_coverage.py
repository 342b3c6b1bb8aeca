"""How a scenario, as it is, covers observed targets: the posterior predictive check of
``simulate calibrate`` run on the scenario's own uncertainty, without fitting anything.

    python benchmarks/target_coverage.py EPISODE TARGETS [--timeline EXTRA.yaml]
                                         [--set KEY=VALUE ...] [--draws N] [--seed S]

Simulates N draws (one replicate each, every uncertain parameter drawn by the scenario, the
targets' measurement error added as in the calibration), and prints per target the observed
value, the predicted 5/50/95% quantiles and whether it is inside, then the share inside
(all targets and the fitted ones). ``--timeline`` appends the actions of a YAML list to the
scenario's timeline (a probe: dated actions the scenario lacks, such as the capacity path
docs/calibration.md 7.1 tried this way before the embargo episode took it); ``--set``
overrides a value (an uncertain one is fixed). The numbers depend only on the seed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from simulate.calibration.diagnostics import coverage_table
from simulate.calibration.model import ParticleModel
from simulate.calibration.summaries import map_targets
from simulate.calibration.targets import load_targets
from simulate.scenario import load_scenario, parse_set_options, read_merged
from simulate.scenario.yamlio import read_yaml


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", type=Path)
    ap.add_argument("targets", type=Path)
    ap.add_argument("--timeline", type=Path, help="YAML list of actions to append")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()
    overrides = parse_set_options(args.set)
    if args.timeline is not None:     # the scenario's timeline (extends merged) and the extra
        base = read_merged(args.scenario)[0].get("timeline") or []
        overrides["timeline"] = base + read_yaml(args.timeline)[0]
    scenario = load_scenario(args.scenario, overrides=overrides, announce=False)
    mapped = map_targets(load_targets(args.targets), scenario)
    model = ParticleModel(scenario, [], mapped, seed=args.seed)
    rows = []
    for draw in range(args.draws):
        stats = model.simulate({}, noise=True, draw=draw)
        rows += [{"draw": draw, "target": name, "value": float(v)}
                 for name, v in zip(mapped.names, stats, strict=True)]
    table = coverage_table(pd.DataFrame(rows), mapped)
    for r in table.itertuples():
        print(f"{'  ' if r.inside else 'XX'} {r.target:34s} {r.use:5s} observed {r.observed:8.3f}"
              f"   median {r.q50:8.3f}   90% [{r.q05:8.3f}, {r.q95:8.3f}]")
    fit = table[table.use == "fit"]
    print(f"inside: {int(table.inside.sum())} of {len(table)} targets; fitted "
          f"{int(fit.inside.sum())} of {len(fit)} ({args.draws} draws, seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
