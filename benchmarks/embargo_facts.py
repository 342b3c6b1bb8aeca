"""The embargo episode's stylised-fact figures that docs/model.md (calibration table) and
docs/calibration.md 7.1 quote, over many replicates of the batch engine.

    python benchmarks/embargo_facts.py [--replicates 200] [--seed 1]

Prints for scenarios/episodes/embargo2022.yaml (the embargo is day 30, 5 Dec 2022; the tests
in tests/test_episodes.py check the same facts as bands): the FOB discount's peak within 8
weeks of the embargo and the day it is first at or below half of it; the days until exports
are back at 95% of the day before the embargo; the delivered discount's September/April
ratio; and the monthly medians (over replicates, of each replicate's monthly mean) of the
delivered and FOB discounts, USD/bbl, and of exports and capacity, mb/d.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np

from simulate.engines.batch import run_batch
from simulate.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "episodes" / "embargo2022.yaml"
#: the embargo's day in the scenario (5 Dec 2022; tests/test_episodes.py)
EMBARGO_DAY = 30


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    s = load_scenario(SCENARIO)
    res = run_batch(s, args.seed, np.arange(args.replicates), keep_series=args.replicates,
                    bands=False)
    series = {k: res.series[k][:, :, 0] for k in ("fob_discount_usd", "delivered_discount_usd",
                                                   "exports_mbd", "export_capacity_mbd")}
    e, fob, exports = EMBARGO_DAY, series["fob_discount_usd"], series["exports_mbd"]
    peak = fob[:, e:e + 56].max(axis=1)
    at_peak = fob[:, e:e + 56].argmax(axis=1)
    halved = np.array([at_peak[r] + np.argmax(fob[r, e + at_peak[r]:] <= peak[r] / 2)
                       for r in range(len(peak))])
    back = np.argmax(exports[:, e:] >= 0.95 * exports[:, e - 1:e], axis=1)
    print(f"embargo2022, {args.replicates} replicates, seed {args.seed} (days after 5 Dec 2022)")
    print(f"  FOB discount peak: median {np.median(peak):.1f}, 5-95% "
          f"{np.percentile(peak, 5):.1f}-{np.percentile(peak, 95):.1f}; first at or below half "
          f"of it: median day {np.median(halved):.0f} (5-95% {np.percentile(halved, 5):.0f}-"
          f"{np.percentile(halved, 95):.0f})")
    print(f"  exports back at 95%: median day {np.median(back):.0f}, 90% by day "
          f"{np.percentile(back, 90):.0f}")

    def monthly(name: str, year: int, month: int) -> np.ndarray:
        first = dt.date(year, month, 1)
        last = dt.date(year + month // 12, month % 12 + 1, 1)
        a, b = (first - s.start).days, (last - s.start).days
        return series[name][:, a:b].mean(axis=1)

    ratio = monthly("delivered_discount_usd", 2023, 9) / monthly("delivered_discount_usd", 2023, 4)
    print(f"  delivered discount Sep/Apr 2023: median {np.median(ratio):.2f}")
    columns = ("delivered_discount_usd", "fob_discount_usd", "exports_mbd",
               "export_capacity_mbd")
    print("  month    delivered    FOB  exports  capacity   (medians)")
    for month in range(1, 10):
        d, f, x, c = (np.median(monthly(k, 2023, month)) for k in columns)
        print(f"  2023-{month:02d} {d:10.1f} {f:6.1f} {x:8.2f} {c:9.2f}")

if __name__ == "__main__":
    main()
