"""Ordered, seeded sampling of a pyabc generation: the same particles for any number of workers.

pyabc's own multicore samplers reseed each worker process from the operating system and keep
the particles in the order they finish, so a calibration with several workers differs from
run to run. Here a generation of ``n`` particles is ``n`` tasks, mapped in order (built-in
``map`` in-process, or a process pool's ordered ``map``). Task ``i`` of generation ``t``
proposes and simulates until it has one accepted particle; its randomness (pyabc's prior and
kernel draws, which pyabc takes from numpy's global generator) comes from the project's
counter-based streams, key ``(seed, replicate = i, day = t, stream "calibration.sampler")``.
The global generators are seeded from that key for the task and restored afterwards. A
generation is therefore a pure function of (seed, t, the previous generation), whichever
process runs a task and however many there are.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import cloudpickle  # type: ignore[import-untyped]
import numpy as np

from ..model.streams import uniforms
from .model import named_stream
from .priors import require_pyabc

__all__ = ["ordered_sampler", "task_seed", "seeded_task", "worker_pool", "SAMPLER_STREAM"]

#: stream of the seeds of the sampling tasks (one per particle of a generation)
SAMPLER_STREAM = named_stream("calibration.sampler")


def task_seed(seed: int, generation: int, index: int, stream: int = SAMPLER_STREAM
              ) -> np.ndarray:
    """Four 32-bit words seeding task ``index`` of ``generation``: the counter-based uniforms
    at (seed, replicate = index, day = generation, ``stream``), scaled to integers below
    2**32."""
    u = uniforms(int(seed), np.array([index], dtype=np.int64), int(generation), stream, 4)[0]
    return np.floor(u * 2.0 ** 32).astype(np.uint32)


@contextlib.contextmanager
def seeded_task(words: np.ndarray) -> Iterator[None]:
    """numpy's and Python's global generators seeded with ``words`` inside the block, and
    restored afterwards (pyabc draws from them; this package's own code never does)."""
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    np.random.seed(words)  # noqa: NPY002 - pyabc reads the global generator
    random.seed(int.from_bytes(words.tobytes(), "little"))
    try:
        yield
    finally:
        np.random.set_state(np_state)  # noqa: NPY002
        random.setstate(py_state)


def _sample_one(payload: bytes, factory: Any, seed: int, generation: int, index: int
                ) -> tuple[Any, int]:
    """One task: propose, simulate and judge until one particle is accepted; (sample,
    simulations). Module level, so a process pool can pickle it."""
    simulate_one = cloudpickle.loads(payload)
    sample = factory()
    n = 0
    with seeded_task(task_seed(seed, generation, index)):
        while True:
            particle = simulate_one()
            n += 1
            sample.append(particle)
            if particle.accepted:
                return sample, n


#: called with (generation, sample) when a generation's sample is complete
OnSample = Callable[[int, Any], None]


def ordered_sampler(seed: int, map_: Callable[..., Iterable[Any]] = map,
                    on_sample: OnSample | None = None) -> Any:
    """A pyabc sampler whose generation ``t`` is the ordered map of :func:`_sample_one` over
    the particle indices ``0..n-1``, with ``map_`` (``map`` or a pool's ``map``).

    ``on_sample(t, sample)`` (also settable as the sampler's ``on_sample`` attribute) sees
    every generation's whole sample, rejected particles included when pyabc records them,
    before pyabc stores the generation; not the prior's calibration sample (``t < 0``).
    """
    pyabc = require_pyabc()

    class OrderedSampler(pyabc.sampler.Sampler):  # type: ignore[misc,name-defined]
        """pyabc sampler: one seeded task per particle, results in particle order."""

        def __init__(self) -> None:
            super().__init__()
            self.on_sample: OnSample | None = on_sample

        def sample_until_n_accepted(self, n: int, simulate_one: Callable[[], Any], t: int,
                                    **_: Any) -> Any:
            task = functools.partial(_sample_one, cloudpickle.dumps(simulate_one),
                                     self.sample_factory, int(seed), int(t))
            results = list(map_(task, range(n)))
            self.nr_evaluations_ = sum(k for _, k in results)
            sample = self._create_empty_sample()
            for part, _k in results:
                sample += part
            if self.on_sample is not None and t >= 0:
                self.on_sample(int(t), sample)
            return sample

    return OrderedSampler()


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[Callable[..., Iterable[Any]]]:
    """The map to sample with: built-in ``map`` for one worker, else the ordered ``map`` of
    a process pool of ``workers`` processes (start method from ``SIMULATE_MP_START``, as
    for runs), closed when the block ends."""
    if workers <= 1:
        yield map
        return
    method = os.environ.get("SIMULATE_MP_START") or None
    ctx = multiprocessing.get_context(method) if method else multiprocessing.get_context()
    pool = ctx.Pool(processes=workers)
    try:
        yield functools.partial(pool.map, chunksize=1)
    finally:
        pool.terminate()
        pool.join()
