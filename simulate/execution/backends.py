"""Where chunks run: in this process, in local worker processes, or on a Dask cluster.

A task is a tuple of arguments of a module-level function (``runner.run_chunk``), so every
backend can ship it (no lambdas to pickle; notebooks can use every backend). Results are
handed to ``on_result(index, result)`` as they arrive, in completion order, and are not kept
by the backend: the caller merges them (memory bounded by one chunk's result, design
section 7).

Failures: a task that raises is run once more (``retries``, default 1) before the run
fails with :class:`~simulate.errors.ExecutionError`; a local worker process that dies takes
its pool with it, so a new pool is started and the unfinished tasks are resubmitted (this too
counts as a retry of every task that was in flight). On Dask, ``retries`` is passed to
``Client.submit`` and the scheduler reschedules the tasks of a lost worker.
"""

from __future__ import annotations

import contextlib
import inspect
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import ExecutionError, ResultsError, ScenarioError
from ..limits import cap_workers
from .progress import Progress

#: user mistakes: reported as they are (exit 2), never retried
_USER_ERRORS = (ScenarioError, ResultsError)

__all__ = ["run_tasks", "BACKENDS", "DEFAULT_RETRIES"]

BACKENDS = ("serial", "processes", "dask")
#: how many times a failed task is run again
DEFAULT_RETRIES = 1


def _describe(task: tuple) -> str:
    """A task for error messages when its caller gave no label."""
    return f"task {task!r:.80}"


def _accepts_progress(fn: Callable) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def run_tasks(fn: Callable, tasks: Sequence[tuple], *, backend: str = "serial",
              workers: int = 1, scheduler: str | None = None, sizes: Sequence[int] = (),
              progress: bool | Progress = True, on_result: Callable | None = None,
              retries: int = DEFAULT_RETRIES, labels: Sequence[str] = ()) -> list[Any] | None:
    """``[fn(*t) for t in tasks]`` on the chosen backend, with a progress bar of ``sizes``.

    ``labels`` name the tasks in error messages ("point 3, replicates [0, 500)"); without
    them a task is shown by its arguments.

    With ``on_result``, each result is passed to ``on_result(i, result)`` when it arrives and
    nothing is returned; otherwise the results are returned in task order. In the serial
    backend, a ``fn`` with a ``progress`` parameter gets a callback to report fractions of
    its task as it goes (the bar then moves within a chunk).
    """
    if backend not in BACKENDS:
        raise ExecutionError(f"unknown backend {backend!r}: expected one of {BACKENDS}")
    if retries < 0:
        raise ExecutionError(f"retries(={retries}) must be >= 0")
    sizes = list(sizes) or [1] * len(tasks)
    names = list(labels) or [_describe(t) for t in tasks]
    if len(names) != len(tasks):
        raise ExecutionError(f"{len(names)} labels for {len(tasks)} tasks")
    results: list[Any] = [None] * len(tasks)

    def deliver(i: int, result: Any) -> None:
        if on_result is None:
            results[i] = result
        else:
            on_result(i, result)

    context: contextlib.AbstractContextManager
    if isinstance(progress, Progress):
        bar, context = progress, contextlib.nullcontext()
    else:
        bar = context = Progress(total=sum(sizes), enabled=bool(progress))
    with context:
        if backend == "serial":
            _run_serial(fn, tasks, names, sizes, bar, deliver, retries)
        elif backend == "processes":
            _run_processes(fn, tasks, names, cap_workers(workers, len(tasks)), sizes, bar,
                           deliver, retries)
        else:
            from .dask_backend import run_dask
            run_dask(fn, tasks, workers=cap_workers(workers, len(tasks)), scheduler=scheduler,
                     sizes=sizes, bar=bar,
                     on_result=deliver, retries=retries, labels=names)
    return None if on_result is not None else results


def _run_serial(fn, tasks, names, sizes, bar: Progress, deliver, retries: int) -> None:
    with_progress = _accepts_progress(fn)
    for i, (task, size) in enumerate(zip(tasks, sizes, strict=False)):
        name = names[i]
        for attempt in range(retries + 1):
            reported = [0.0]

            def report(n: float, _r=reported) -> None:
                _r[0] += n
                bar.update(n)

            try:
                result = fn(*task, progress=report) if with_progress else fn(*task)
                break
            except _USER_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - retried, then reported
                bar.update(-reported[0]) if reported[0] else None
                if attempt == retries:
                    raise ExecutionError(f"{name} failed "
                                         f"{attempt + 1} time(s): {exc!r}") from exc
        bar.update(size - reported[0])
        deliver(i, result)


def _die_with_parent(parent: int) -> None:
    """Initializer of a worker process: end it when the process that started it ends, even
    by SIGKILL (Linux: the kernel's parent-death signal; elsewhere a watchdog thread)."""
    import signal
    import threading
    import time
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="simulate-parent-watch").start()


def _pool(workers: int) -> ProcessPoolExecutor:
    method = os.environ.get("SIMULATE_MP_START") or None
    ctx = multiprocessing.get_context(method) if method else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _run_processes(fn, tasks, names, workers: int, sizes, bar: Progress, deliver,
                   retries: int) -> None:
    attempts = [0] * len(tasks)
    pool = _pool(workers)
    running = {pool.submit(fn, *task): i for i, task in enumerate(tasks)}
    try:
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken: set[int] = set()
            cause: BaseException | None = None
            for fut in done:
                i = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    broken.add(i)
                    cause = exc
                    continue
                except _USER_ERRORS:
                    raise
                except Exception as exc:  # noqa: BLE001 - retried, then reported
                    attempts[i] += 1
                    if attempts[i] > retries:
                        raise ExecutionError(f"{names[i]} failed {attempts[i]} "
                                             f"time(s): {exc!r}") from exc
                    running[pool.submit(fn, *tasks[i])] = i
                    continue
                bar.update(sizes[i])
                deliver(i, result)
            if broken:
                # a worker died and took the pool with it: every unfinished task runs again
                # in a new pool (one more attempt for each)
                unfinished = sorted(broken | set(running.values()))
                pool.shutdown(wait=False, cancel_futures=True)
                for i in unfinished:
                    attempts[i] += 1
                    if attempts[i] > retries:
                        raise ExecutionError(
                            f"{names[i]}: a worker process died while running it "
                            f"({attempts[i]} attempt(s))") from cause
                pool = _pool(workers)
                running = {pool.submit(fn, *tasks[i]): i for i in unfinished}
    except BaseException:
        # an error or an interruption: do not wait for the chunks still running
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
