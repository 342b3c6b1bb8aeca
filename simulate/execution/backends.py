"""Where chunks run: in this process, in local worker processes, or on a Dask cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from ..errors import ExecutionError
from .progress import Progress

__all__ = ["run_tasks", "BACKENDS"]

BACKENDS = ("serial", "processes", "dask")


def run_tasks(fn: Callable, tasks: Sequence[tuple], *, backend: str = "serial",
              workers: int = 1, scheduler: str | None = None, sizes: Sequence[int] = (),
              progress: bool = True) -> list[Any]:
    """``[fn(*t) for t in tasks]`` on the chosen backend, with a progress bar of ``sizes``."""
    if backend not in BACKENDS:
        raise ExecutionError(f"unknown backend {backend!r}: expected one of {BACKENDS}")
    sizes = list(sizes) or [1] * len(tasks)
    with Progress(total=sum(sizes), enabled=progress) as bar:
        if backend == "serial":
            out = []
            for task, size in zip(tasks, sizes):
                out.append(fn(*task))
                bar.update(size)
            return out
        if backend == "processes":
            results: list[Any] = [None] * len(tasks)
            with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
                futures = {pool.submit(fn, *t): i for i, t in enumerate(tasks)}
                for fut in as_completed(futures):
                    i = futures[fut]
                    results[i] = fut.result()
                    bar.update(sizes[i])
            return results
        from .dask_backend import run_dask
        return run_dask(fn, tasks, workers=workers, scheduler=scheduler, sizes=sizes, bar=bar)
