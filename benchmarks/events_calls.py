"""What a replicate of the events engine costs, and what one call of a phase from Python costs.

    python benchmarks/events_calls.py [SCENARIO] [--replicates N]

Prints (docs/performance.md section 2 quotes these), on one quiet process, best of 3:

- the seconds per replicate of ``run_events(..., log=False)`` over N replicates;
- the µs per call of each phase called from Python the two ways: on the replicate's records
  (``numpy.record`` arguments, which numba types from their dtype on every call) and through
  the engine's adapter on plain one-row arrays (``events._<phase>``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _best(fn, repeat: int = 3) -> float:
    """Best wall seconds of ``fn()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _per_call(fn, args: tuple, n: int) -> float:
    """Best µs per call of ``fn(*args)`` over ``n`` calls."""
    return 1e6 * _best(lambda: [fn(*args) for _ in range(n)]) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="aug2025")
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()

    from simulate.engines import events
    from simulate.engines.batch import base_outcomes, calendar_of
    from simulate.model import day as D
    from simulate.scenario import load_scenario
    from simulate.scenario.bundled import find_scenario

    s = load_scenario(find_scenario(args.scenario))
    reps = np.arange(args.replicates)
    events.run_events(s, 1, reps[:2], log=False)                 # load the compiled code
    per_rep = _best(lambda: events.run_events(s, 1, reps, log=False)) / args.replicates
    print(f"{args.scenario}: events engine, log=False: {per_rep:.3f} s per replicate "
          f"({args.replicates} replicates)")

    _, p, st = base_outcomes(s, 1, reps[:1])
    calendar = calendar_of(p, 1)
    record, row = (p.table[0], st[0], calendar[5]), (p.table.view(np.ndarray),
                                                     st.view(np.ndarray),
                                                     calendar.view(np.ndarray))
    print(f"µs per call from Python ({args.calls} calls, day 5): records | adapter")
    for name, adapter in events._PHASES:
        phase = getattr(D, f"{name}_phase")
        on_rows = _per_call(adapter, (*row, 5), args.calls)
        on_records = _per_call(phase, (*record, 5), args.calls)
        print(f"  {name:12s} {on_records:7.1f} | {on_rows:5.1f}")


if __name__ == "__main__":
    main()
