"""Where the time of a replicate-day goes, and how many evaluations the clearing takes.

    python benchmarks/phases.py [SCENARIO] [--replicates N]

Prints, for the batch engine's compiled loop (bands off, process CPU time, best of 3), the
cumulative µs per replicate-day as the phases of :func:`simulate.model.day.run_day` are
added one at a time, then recording (docs/performance.md section 1 quotes these); and the
mean number of excess-demand evaluations per market clearing, counted over 20 replicates in
a child process that runs the same source as plain Python (``NUMBA_DISABLE_JIT=1``).
Leaving later phases out changes the path a replicate takes, so read the increments as
shares, not exact costs.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time

import numpy as np


def phase_times(scenario: str, n: int) -> list[float]:
    """Cumulative µs per replicate-day with the first k phases (k = 1..6) and recording."""
    from numba import njit

    from simulate.engines.batch import base_outcomes, calendar_of
    from simulate.engines.record import Recorder, record_day
    from simulate.model import day as D
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import find_scenario

    phases = (D.policy_phase, D.sanctioner_phase, D.buyers_phase, D.market_phase,
              D.war_phase, D.negotiation_phase)

    def loop_of(k: int):
        on = tuple(i < k for i in range(6))
        p1, p2, p3, p4, p5, p6 = phases
        rec = k > 6

        @njit
        def loop(table, st, calendar, series, n):
            today = np.zeros(series.shape[2])
            for i in range(n):
                p, q = table[i], st[i]
                for day in range(calendar.shape[0]):
                    c = calendar[day]
                    # one line per phase: the phases are different compiled functions,
                    # which a compiled loop cannot index by a runtime counter
                    if on[0]:
                        p1(p, q, c, day)
                    if on[1]:
                        p2(p, q, c, day)
                    if on[2]:
                        p3(p, q, c, day)
                    if on[3]:
                        p4(p, q, c, day)
                    if on[4]:
                        p5(p, q, c, day)
                    if on[5]:
                        p6(p, q, c, day)
                    if rec:
                        record_day(p, q, day, today, series)
        return loop

    s = load_scenario(find_scenario(scenario))
    reps = np.arange(n)
    _, p, st0 = base_outcomes(s, 1, reps, reps < 0)
    rec = Recorder(p, n, keep=reps < 0)
    cal = calendar_of(p, 1)
    out = []
    for k in range(1, 8):
        f = loop_of(k)
        f(p.table, st0.copy(), cal, rec.all_series, 2)          # compile outside the timing
        best = np.inf
        for _ in range(3):
            st = st0.copy()
            t0 = time.process_time()
            f(p.table, st, cal, rec.all_series, n)
            best = min(best, time.process_time() - t0)
        out.append(best / (n * p.n_days) * 1e6)
    return out


def clearing_evaluations(scenario: str) -> None:
    """(Child, NUMBA_DISABLE_JIT=1) print the mean evaluations per clearing."""
    from simulate.engines.batch import run_batch
    from simulate.model import clearing
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import find_scenario

    counts: collections.Counter[int] = collections.Counter()
    find = clearing.find_discount

    def counted(*args):
        d, steps = find(*args)
        counts[steps] += 1
        return d, steps

    clearing.find_discount = counted
    run_batch(load_scenario(find_scenario(scenario)), 1, np.arange(20), bands=False)
    total = sum(counts.values())
    print(f"{sum(k * v for k, v in counts.items()) / total:.2f} evaluations per clearing "
          f"(mean of {total:,})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="aug2025")
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--count-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.count_child:
        clearing_evaluations(args.scenario)
        return 0
    names = ("policy", "sanctioner", "buyers", "market", "war", "negotiation", "record")
    times = phase_times(args.scenario, args.replicates)
    print(f"{args.scenario}, {args.replicates:,} replicates, µs per replicate-day "
          "(process CPU time, best of 3):")
    prev = 0.0
    for name, t in zip(names, times, strict=True):
        print(f"  + {name:<12s} {t:7.3f} cumulative  ({t - prev:+.3f})")
        prev = t
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONWARNINGS": "ignore"}
    child = subprocess.run([sys.executable, __file__, args.scenario, "--count-child"],
                           env=env, capture_output=True, text=True, check=True)
    print("market clearing:", child.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
