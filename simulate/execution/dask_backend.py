"""Chunks on Dask distributed: a cluster given by address, or a local cluster for the run.

``run_dask`` submits one task per chunk (``Client.submit(fn, *args, retries=...)``) and
gathers results as they complete, releasing each future as soon as its result has been
merged, so neither the scheduler nor this process holds more than the chunks in flight.
A cluster by address must run workers that can import ``simulate`` (the same environment);
the scenario travels with each task (a few kB).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

from ..errors import ExecutionError
from ..limits import MAX_WORKERS, cap_workers
from .progress import Progress

__all__ = ["run_dask", "connect"]


def connect(workers: int = 1, scheduler: str | None = None, timeout: float = 30.0):
    """(client, cluster): a client of the cluster at ``scheduler``, or of a new local cluster
    of ``workers`` single-threaded worker processes (``cluster`` is then to be closed)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ExecutionError("the dask backend needs dask.distributed: "
                             "pip install 'simulate[dask]'") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout=timeout), None
        except OSError as exc:
            raise ExecutionError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") \
                from exc
    cluster = LocalCluster(n_workers=cap_workers(workers, MAX_WORKERS), threads_per_worker=1,
                           processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    try:
        return Client(cluster, timeout=timeout), cluster
    except BaseException:
        cluster.close()
        raise


def run_dask(fn: Callable, tasks: Sequence[tuple], *, workers: int = 1,
             scheduler: str | None = None, sizes: Sequence[int] = (), bar: Progress | None = None,
             on_result: Callable[[int, object], None], retries: int = 1,
             labels: Sequence[str] = ()) -> None:
    """Run ``fn(*task)`` for every task on Dask; ``on_result(i, result)`` as they complete."""
    from distributed import as_completed
    client, cluster = connect(workers, scheduler)
    token = uuid.uuid4().hex[:12]
    try:
        futures = [client.submit(fn, *task, key=f"simulate-chunk-{token}-{i}", pure=False,
                                 retries=retries)
                   for i, task in enumerate(tasks)]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            i = index[fut.key]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - reported with the task it belongs to
                name = labels[i] if labels else f"Dask task {i} (of {len(tasks)})"
                raise ExecutionError(f"{name} failed after "
                                     f"{retries} retr{'y' if retries == 1 else 'ies'}: "
                                     f"{exc!r}") from exc
            fut.release()
            if bar is not None and sizes:
                bar.update(sizes[i])
            on_result(i, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
