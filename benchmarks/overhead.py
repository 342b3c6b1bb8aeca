"""The fixed cost of a run: what `simulate.run` spends outside the compiled loop.

A sweep runs one `simulate.run` per design point, and a notebook or a test suite runs many
small ones, so the time a run spends reading, sampling and tabulating matters as much as the
loop's rate. This prints, best of ``--repeat`` in one process (ms of wall time):

- ``run(n)`` for a few small replicate counts (bands and counterfactual on, as by default),
- the pieces of a run that do not grow with replicates: reading the scenario, sampling the
  uncertain parameters, the band layout, the scenario text that a run's identity hashes,
  and the bands' tidy table built from a finished chunk.

With ``--report``, also the report of a run of the scenario's replicates: ``build_report``
(figures in PNG and PDF, HTML and Markdown) on its saved results, best of ``--repeat``.

Usage: ``python benchmarks/overhead.py [SCENARIO] [--repeat 5] [--report]``. The compiled model is
loaded (or compiled) by a warm-up run first. Run it on two trees (for instance a checkout
of an earlier revision with ``PYTHONPATH=.``) to compare them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import simulate
from simulate.engines.band_layout import band_layout
from simulate.engines.batch import run_batch
from simulate.model.sampling import sample_uncertain
from simulate.results.results import scenario_text
from simulate.scenario import find_scenario


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``fn`` over ``repeat`` calls, ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * min(times)


def report_ms(s: simulate.Scenario, repeat: int) -> float:
    """Best wall time of the report of a saved run of ``s`` (its replicates), ms."""
    from simulate.report import build_report

    results = simulate.run(s, progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = results.save(Path(tmp) / "run")
        return best_ms(lambda: build_report(results, folder, force=True), repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="aug2025")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--report", action="store_true",
                    help="also time build_report on a run of the scenario's replicates")
    args = ap.parse_args()
    path = find_scenario(args.scenario)
    s = simulate.load_scenario(path)
    simulate.run(s, replicates=2, seed=1, progress=False)  # load or compile the model

    sketch = run_batch(s, 1, np.arange(20)).bands      # a finished chunk's band sketch

    rows = [(f"run({n})", best_ms(lambda n=n: simulate.run(s, replicates=n, seed=1,
                                                           progress=False), args.repeat))
            for n in (1, 20, 200)]
    rows += [
        ("load_scenario", best_ms(lambda: simulate.load_scenario(path), args.repeat)),
        ("sample_uncertain (20)", best_ms(lambda: sample_uncertain(s, 1, np.arange(20)),
                                          args.repeat)),
        ("band_layout", best_ms(lambda: band_layout(s, 200), args.repeat)),
        ("scenario_text", best_ms(lambda: scenario_text(s), args.repeat)),
        ("bands.to_frame", best_ms(lambda: sketch.to_frame(None, s.start), args.repeat)),
    ]
    if args.report:
        rows.append(("build_report", report_ms(s, args.repeat)))
    print(f"{args.scenario}: {len(s.uncertainty)} uncertain parameters, "
          f"{s.horizon_days} days; best of {args.repeat}, ms")
    for name, value in rows:
        print(f"  {name:28s} {value:10.1f}")


if __name__ == "__main__":
    main()
