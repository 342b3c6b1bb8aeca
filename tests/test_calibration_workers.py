"""Calibrations are reproducible whatever the number of worker processes.

Each particle of a generation is one task seeded from the counter-based streams by (seed,
generation, particle index) and the tasks are mapped in order (simulate.calibration.sampler),
so two runs with 2 workers write the same posterior, and it equals the 1-worker posterior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from calibration_cases import write_case

from simulate.calibration import calibrate
from simulate.calibration.sampler import seeded_task, task_seed

SMALL = {"particles": 8, "generations": 2, "keys": ["market.brent_usd"], "seed": 3,
         "predictive": 0, "figures": False}


def _posterior(directory):
    return pq.read_table(directory / "posterior.parquet")


def test_two_workers_give_the_one_worker_posterior_every_time(tmp_path):
    scenario, targets = write_case(tmp_path, brent_mean=72.0, brent_end=73.0)
    runs = {name: calibrate(scenario, targets, tmp_path / name, workers=w, **SMALL)
            for name, w in (("one", 1), ("two_a", 2), ("two_b", 2))}
    first = _posterior(tmp_path / "one")
    for name in ("two_a", "two_b"):
        assert _posterior(tmp_path / name).equals(first), name
        pd.testing.assert_frame_equal(runs[name].generations, runs["one"].generations)
    assert len(first) == 8
    # not a degenerate sample: the particles differ
    assert first.column("market.brent_usd").to_numpy().std() > 0


def test_task_seeds_are_counter_based_and_distinct():
    words = {tuple(task_seed(7, t, i)) for t in range(3) for i in range(50)}
    assert len(words) == 150
    assert np.array_equal(task_seed(7, 1, 4), task_seed(7, 1, 4))
    assert not np.array_equal(task_seed(7, 1, 4), task_seed(8, 1, 4))


def test_a_seeded_task_restores_the_global_generators():
    import random

    np.random.seed(1)  # noqa: NPY002 - the legacy global generators are what is tested
    random.seed(1)
    before = np.random.get_state()[1].copy(), random.getstate()  # noqa: NPY002
    with seeded_task(task_seed(5, 0, 0)):
        a = np.random.random(3)  # noqa: NPY002
    with seeded_task(task_seed(5, 0, 0)):
        b = np.random.random(3)  # noqa: NPY002
    assert np.array_equal(a, b)
    assert np.array_equal(np.random.get_state()[1], before[0])  # noqa: NPY002
    assert random.getstate() == before[1]
