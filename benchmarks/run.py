"""Speed and memory of simulate's engines and backends on the bundled aug2025 scenario.

    python benchmarks/run.py                 # 10^3, 10^4, 10^5 replicates (about 10 minutes)
    python benchmarks/run.py --million       # also the 10^6-replicate memory run
    python benchmarks/run.py --quick         # 10^3 and 10^4 only (a couple of minutes)
    python benchmarks/run.py --markdown out.md
    python benchmarks/run.py --compare       # 10^5 replicates: this tree, the previous
                                             # revision (compiled and numpy paths), Mesa
    python benchmarks/run.py --compare --compare-n 20000   # the same at 2 x 10^4
    python benchmarks/run.py --compare --compare-n 5000 --previous a50f7f2 --interleave 4
                                             # this tree and a50f7f2 in turn, 4 pairs

Every measurement runs in a fresh Python process (so peak memory is that run's own), times
``simulate.run(...)`` only (not interpreter start-up or imports; compiled kernels are loaded
from numba's cache by a small warm-up run first) and reports:

- replicate-days per second: replicates x (horizon + 1 days) / wall seconds;
- wall seconds;
- peak memory: the measuring process's peak RSS (``getrusage``), and for runs with worker
  processes the peak of the whole process tree (main + workers), sampled every 0.1 s.

Speed runs use ``counterfactual=False`` (the design quotes speed without the second pass) and
``keep_series=0`` (no daily series kept, no event-log narration); results are otherwise the
scenario's. The events engine and the Mesa port are measured on a few hundred replicates and
their rates extrapolated to the larger counts (labelled "extrapolated": both run replicates one
after another at a constant rate, so the extrapolation is linear). The Mesa port
(benchmarks/mesa_model.py, needs the ``bench`` extra) is first checked to reproduce the batch
engine's outcomes for 20 replicates.

``--previous REV`` (default b426371, the last revision with the numpy rules and the numba
twin kernels) also times that revision side by side: it is checked out into a temporary git
worktree and run by the same child code, with ``SIMULATE_ACCEL=numba`` (its compiled path)
and ``SIMULATE_ACCEL=numpy``; the worktree is removed afterwards. ``--interleave K`` runs
this tree and the previous revision's compiled path in turn, K pairs, and reports the
median rates per CPU second and their ratio: on a machine shared with other jobs the rate
of one process moves with the load, and runs taken in turn see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCENARIO = "aug2025"
#: the revision before issue 8 (numpy rules plus numba twins), timed side by side
PREVIOUS = "b426371"


# ----- the child side: one measurement ----------------------------------------------------------

class _TreeSampler:
    """Samples the RSS of this process and all its descendants (psutil)."""

    def __init__(self, interval: float = 0.1):
        import psutil
        self.proc = psutil.Process()
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psutil
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                procs = [self.proc]
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def child(spec: dict) -> dict:
    """Run one measurement (in a fresh process) and return its numbers."""
    import resource

    import numpy as np

    from simulate.execution.runner import as_scenario, run

    s = as_scenario(SCENARIO)
    days = s.horizon_days + 1
    kind = spec.get("kind", "run")
    n = int(spec["n"])
    out: dict = {"days": days}
    if kind == "mesa":
        sys.path.insert(0, str(HERE))
        from mesa_model import check_against_engine, run_replicates
        checked, worst, bad = check_against_engine(s, s.ensemble.seed, range(20))
        out.update(check={"replicates": checked, "max_abs_diff": worst, "differ": bad})
        t0, c0 = time.perf_counter(), time.process_time()
        run_replicates(s, s.ensemble.seed, np.arange(n))
        out["wall"] = time.perf_counter() - t0
        out["cpu"] = time.process_time() - c0
    else:
        kw = dict(replicates=n, engine=spec.get("engine", "batch"), progress=False,
                  keep_series=spec.get("keep_series", 0),
                  counterfactual=spec.get("counterfactual", False))
        if spec.get("chunk_size"):
            kw["chunk_size"] = spec["chunk_size"]
        if spec.get("workers", 1) > 1:
            kw.update(workers=spec["workers"], backend=spec.get("backend", "processes"))
        if kw["engine"] == "batch":
            # load (or compile, the first time ever) the compiled model outside the timing
            run(s, replicates=600, chunk_size=600, progress=False, counterfactual=False,
                keep_series=0)
        with _TreeSampler() as sampler:
            t0, c0 = time.perf_counter(), time.process_time()
            res = run(s, **kw)
            out["wall"] = time.perf_counter() - t0
            out["cpu"] = time.process_time() - c0
        out["tree_peak_mb"] = sampler.peak / 2**20
        out["rows"] = len(res.outcomes)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["rate"] = n * days / out["wall"]
    # this process's CPU time: on a machine shared with other jobs, the rate per CPU second
    # of a one-process run is what the load does not change (worker processes not counted)
    out["cpu_rate"] = n * days / out["cpu"] if out.get("cpu") else float("nan")
    return out


# ----- the parent side: the plan and the table ---------------------------------------------------

def measure(spec: dict, timeout: float = 7200) -> dict:
    """Run one measurement in a fresh process; ``spec["repo"]`` runs another checkout's
    simulate (the previous revision), ``spec["accel"]`` sets its SIMULATE_ACCEL."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cwd = REPO
    if spec.get("accel"):
        env["SIMULATE_ACCEL"] = spec["accel"]
    if spec.get("repo"):
        cwd = Path(spec["repo"])
        env["PYTHONPATH"] = str(cwd)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                           json.dumps(spec)], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpu.splitlines()
                           if line.startswith("model name"))
        mhz = [float(line.split(":", 1)[1]) for line in cpu.splitlines()
               if line.startswith("cpu MHz")]
        if mhz:
            info["cpu_mhz"] = round(sum(mhz) / len(mhz))
        mem = Path("/proc/meminfo").read_text().splitlines()[0]
        info["memory_gb"] = round(int(mem.split()[1]) / 2**20, 1)
        info["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
    except (OSError, StopIteration):
        pass
    import numpy
    info["numpy"] = numpy.__version__
    for mod in ("numba", "mesa", "distributed"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = "not installed"
    return info


def _fmt_rate(r: float) -> str:
    return f"{r / 1e6:.2f} M" if r >= 1e5 else f"{r / 1e3:.1f} k"


def render(rows: list[dict], sizes: list[int]) -> str:
    """The Markdown table and the headline ratios of a list of measurements."""
    nan = float("nan")
    best = {}
    for r in rows:
        if ("error" not in r and r["engine"] == "batch" and r["backend"] == "serial"
                and not r.get("note") and not r.get("previous")):
            best.setdefault(r["n"], r)
    events = next((r for r in rows if r["engine"] == "events"), {"error": "not run"})
    mesa_row = next((r for r in rows if r["engine"] == "mesa"), {"error": "not run"})
    lines = ["| engine / backend | replicates | replicate-days/s | per CPU second | wall s | "
             "peak RSS MB (main / process tree) | note |", "|---|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['label']} | {r['n']:,} | failed | | | | {r['error']} |")
            continue
        tree = r.get("tree_peak_mb")
        mem = f"{r['peak_mb']:.0f}" + (f" / {tree:.0f}" if tree else "")
        cpu = r.get("cpu_rate", float("nan"))
        cpu_txt = _fmt_rate(cpu) if cpu == cpu and "x" not in r["backend"] else ""
        lines.append(f"| {r['label']} | {r['n']:,} | {_fmt_rate(r['rate'])} | {cpu_txt} | "
                     f"{r['wall']:.2f} | {mem} | {r.get('note', '')} |")
        if r["engine"] in ("events", "mesa"):
            for n in sizes:
                wall = n * r["days"] / r["rate"]
                lines.append(f"| {r['label']} | {n:,} | {_fmt_rate(r['rate'])} | | "
                             f"{wall:.0f} | | extrapolated from {r['n']} replicates |")
    lines.append("")
    top = best.get(max(best)) if best else None
    if top is not None:
        lines.append(f"Batch engine, one process, {top['n']:,} replicates: "
                     f"{_fmt_rate(top['rate'])} replicate-days/s ({top['label']}).")
        shown = set()
        for r in rows:       # the first measurement of each previous revision's path
            if (r.get("previous") and r["n"] == top["n"] and "error" not in r
                    and r["label"] not in shown):
                shown.add(r["label"])
                lines.append(f"- vs {r['label']}: {top['rate'] / r['rate']:.2f}x wall, "
                             f"{top.get('cpu_rate', nan) / r.get('cpu_rate', nan):.2f}x "
                             f"per CPU second")
        if "error" not in events:
            lines.append(f"- vs the events engine: {top['rate'] / events['rate']:.0f}x")
        if "error" not in mesa_row:
            chk = mesa_row.get("check", {})
            lines.append(f"- vs the Mesa port: {top['rate'] / mesa_row['rate']:.0f}x wall, "
                         f"{top.get('cpu_rate', nan) / mesa_row.get('cpu_rate', nan):.0f}x "
                         f"per CPU second (the port "
                         f"reproduces the batch engine on {chk.get('replicates')} replicates: "
                         f"largest difference {chk.get('max_abs_diff')}, columns differing: "
                         f"{chk.get('differ') or 'none'})")
        two = [r for r in rows if r["backend"] == "processes x2" and r["n"] == top["n"]
               and "error" not in r]
        if two:
            lines.append(f"- 2 worker processes vs one: {two[0]['rate'] / top['rate']:.2f}x")
        dask = [r for r in rows if r["backend"] == "dask x2" and r["n"] == top["n"]
                and "error" not in r]
        if dask:
            lines.append(f"- Dask, 2 local workers vs one process: "
                         f"{dask[0]['rate'] / top['rate']:.2f}x")
    million = [r for r in rows if r["n"] == 1_000_000 and "error" not in r]
    if million:
        m = million[0]
        lines.append(f"- 10^6 replicates with the scenario's outputs (counterfactual on: two "
                     f"passes per replicate; {m['backend']}): peak RSS {m['peak_mb']:.0f} MB "
                     f"main process, {m.get('tree_peak_mb', 0):.0f} MB whole process tree; "
                     f"{m['wall']:.0f} s")
    return "\n".join(lines)


def interleaved(rows: list[dict]) -> str:
    """Medians of the rates per CPU second of this tree and the previous revision's compiled
    path, measured in turn, and their ratio."""
    import statistics

    def rates(previous: bool) -> list[float]:
        return [r["cpu_rate"] for r in rows if "error" not in r and r["engine"] == "batch"
                and bool(r.get("previous")) == previous]

    ours, theirs = rates(False), rates(True)
    if not ours or not theirs:
        return "- interleaved: no complete pair"
    a, b = statistics.median(ours), statistics.median(theirs)
    us = ", ".join(f"{1e6 / r:.2f}" for r in ours)
    them = ", ".join(f"{1e6 / r:.2f}" for r in theirs)
    return (f"- interleaved, {len(ours)} pairs, µs per replicate-day (CPU): this tree {us}; "
            f"previous {them}; medians {1e6 / a:.2f} vs {1e6 / b:.2f}: {a / b:.2f}x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="10^3 and 10^4 replicates only")
    ap.add_argument("--compare", action="store_true",
                    help="10^5 replicates only: this tree, the previous revision, Mesa")
    ap.add_argument("--compare-n", type=int, default=100_000,
                    help="replicates of the --compare runs (default 10^5)")
    ap.add_argument("--previous", default=PREVIOUS,
                    help=f"the revision timed side by side (default {PREVIOUS})")
    ap.add_argument("--interleave", type=int, default=0, metavar="K",
                    help="with --compare: K pairs of this tree and the previous revision in "
                         "turn, reported as medians")
    ap.add_argument("--million", action="store_true",
                    help="also run 10^6 replicates (default outputs) and report peak memory")
    ap.add_argument("--million-workers", type=int, default=1,
                    help="worker processes for the 10^6 run (default: one process)")
    ap.add_argument("--events-n", type=int, default=200)
    ap.add_argument("--mesa-n", type=int, default=20)
    ap.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    ap.add_argument("--json", type=Path, help="also write every measurement as JSON here")
    ap.add_argument("--render", type=Path, help="print the table of an earlier --json file")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0

    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.render:
        saved = json.loads(args.render.read_text())
        print(f"Command: `{saved['command']}`\n\nMachine: {saved['machine']}\n")
        print(render(saved["rows"], sorted({r["n"] for r in saved["rows"]
                                            if r["engine"] == "batch" and r["n"] < 10**6})))
        return 0
    info = machine()
    print(f"machine: {info}", flush=True)
    rows: list[dict] = []

    def add(label: str, engine: str, backend: str, n: int, spec: dict, note: str = "",
            previous: bool = False):
        print(f"  measuring {label}, {n:,} replicates ...", flush=True, end=" ")
        m = measure({"n": n, **spec})
        row = {"label": label, "engine": engine, "backend": backend, "n": n, "note": note,
               "previous": previous, **m}
        rows.append(row)
        if "error" in m:
            print(f"failed: {m['error']}")
        else:
            print(f"{_fmt_rate(m['rate'])} replicate-days/s, {m['wall']:.2f} s, "
                  f"peak {m['peak_mb']:.0f} MB (tree {m.get('tree_peak_mb', 0):.0f} MB)",
                  flush=True)
        return row

    if args.compare:
        sizes = [args.compare_n]
    with tempfile.TemporaryDirectory(prefix="simulate-previous-") as tmp:
        previous = Path(tmp) / "tree"
        have_previous = subprocess.run(
            ["git", "worktree", "add", "--detach", str(previous), args.previous],
            cwd=REPO, capture_output=True).returncode == 0
        try:
            for _ in range(args.interleave if args.compare and have_previous else 0):
                for n in sizes:
                    add("batch (compiled rules)", "batch", "serial", n, {})
                    add(f"previous revision {args.previous}, compiled path", "batch",
                        "serial", n, {"repo": str(previous), "accel": "numba"},
                        previous=True)
            for n in sizes if not (args.interleave and args.compare) else ():
                add("batch (compiled rules)", "batch", "serial", n, {})
                if have_previous:
                    add(f"previous revision {args.previous}, compiled path", "batch",
                        "serial", n, {"repo": str(previous), "accel": "numba"},
                        previous=True)
                    add(f"previous revision {args.previous}, numpy path", "batch", "serial",
                        n, {"repo": str(previous), "accel": "numpy"}, previous=True)
        finally:
            if have_previous:
                subprocess.run(["git", "worktree", "remove", "--force", str(previous)],
                               cwd=REPO, capture_output=True)
    if not args.compare:
        for n in sizes[1:]:
            chunk = max(1000, n // 10)
            add("batch, 2 processes", "batch", "processes x2", n,
                {"workers": 2, "backend": "processes", "chunk_size": chunk})
            add("batch, Dask local 2 workers", "batch", "dask x2", n,
                {"workers": 2, "backend": "dask", "chunk_size": chunk})
        add("events (SimPy)", "events", "serial", args.events_n, {"engine": "events"})
    add("Mesa port", "mesa", "serial", args.mesa_n, {"kind": "mesa"})
    if args.million:
        add("batch, default outputs (counterfactual on)", "batch",
            f"processes x{args.million_workers}" if args.million_workers > 1 else "serial",
            1_000_000, {"workers": args.million_workers, "backend": "processes",
                        "counterfactual": True, "keep_series": 50} if args.million_workers > 1
            else {"counterfactual": True, "keep_series": 50},
            note="memory run")

    table = render(rows, sizes)
    if args.interleave and args.compare:
        table += "\n" + interleaved(rows)
    print()
    print(table)
    command = "python benchmarks/run.py " + " ".join(a for a in (argv or sys.argv[1:]))
    if args.markdown:
        args.markdown.write_text(f"Command: `{command.strip()}`\n\nMachine: {info}\n\n{table}\n")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "command": command.strip(),
                                         "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
