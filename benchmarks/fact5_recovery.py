"""How firmly the model meets fact 5's recovery (designations2025: India's intake "back within
about 2-3 months" of the 10 Jan 2025 package), over many replicates of the batch engine.

    python benchmarks/fact5_recovery.py [--replicates 1200] [--seed 2]

Prints (docs/model.md, calibration of the trade side, quotes these): the share of replicates
whose intake in the fourth month after the designation is at least 0.90 and 0.92 of the day
before it, the range of that share over samples of 60 replicates (the size the episode tests
once used), the median ratio, and the mean of each uncertain parameter in the replicates short
of 0.92 and in the others, with its correlation to the ratio, largest first.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from simulate.engines.batch import run_batch
from simulate.engines.record import scenario_actors
from simulate.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
SCENARIO = REPO / "scenarios" / "episodes" / "designations2025.yaml"
#: the designation's day in the scenario (10 Jan 2025; tests/test_episodes.py)
DESIGNATION_DAY = 40


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()
    s = load_scenario(SCENARIO)
    res = run_batch(s, args.seed, np.arange(args.replicates), keep_series=args.replicates,
                    bands=False)
    india = [i for i, b in enumerate(scenario_actors(s)["buyer"]) if b.startswith("IN.")]
    volume = res.series["buyer_volume_mbd"][:, :, india].sum(axis=2)
    d = DESIGNATION_DAY
    ratio = volume[:, d + 90:d + 120].mean(axis=1) / volume[:, d - 1]
    print(f"designations2025, {args.replicates} replicates, seed {args.seed}: "
          f"median fourth-month ratio {np.median(ratio):.3f}")
    for line in (0.90, 0.92):
        back = ratio >= line
        blocks = back[:len(back) // 60 * 60].reshape(-1, 60).mean(axis=1)
        print(f"  share at >= {line:.2f}: {back.mean():.3f} "
              f"(60-replicate samples {blocks.min():.3f} to {blocks.max():.3f})")
    short = ratio < 0.92
    rows = []
    for key, values in res.outcomes.items():
        if key.startswith("param:"):
            v = np.asarray(values, dtype=float)
            rows.append((np.corrcoef(v, ratio)[0, 1], key[6:], v[short].mean(),
                         v[~short].mean()))
    print("  parameter: mean short of 0.92 | mean of the others | correlation with the ratio")
    for corr, key, a, b in sorted(rows, key=lambda r: -abs(r[0])):
        print(f"  {key:55s} {a:9.3f} | {b:9.3f} | {corr:+.2f}")


if __name__ == "__main__":
    main()
