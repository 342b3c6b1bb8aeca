"""Which compiled functions the batch loop spends its time in, by sampling it with perf.

    python benchmarks/hotspots.py [SCENARIO] [--replicates N] [--seconds S] [--bands]

Runs the batch engine's compiled loop (``engines.batch.run_rows``) in a child process,
samples it with ``perf record`` for S seconds once it runs, and prints the share of samples
per function. perf cannot name numba's compiled code, but gdb can (numba registers it through
gdb's JIT interface), so the sampled addresses are named by attaching gdb to the child.
Needs ``perf`` and ``gdb`` on the PATH (Linux); functions LLVM inlined count in their caller.
``NRT_incref``/``NRT_decref`` are numba's reference counts: a share of them means arrays with
a reference count are handed to compiled calls inside the day (docs/performance.md 1).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys, numpy as np
from simulate.engines.batch import base_outcomes, calendar_of, no_bands, run_rows
from simulate.engines.bands import BandSketch
from simulate.engines.compiling import ensure_fresh_cache
from simulate.engines.record import Recorder
from simulate.scenario import load_scenario
from simulate.scenario.bundled import find_scenario
ensure_fresh_cache()
s = load_scenario(find_scenario(sys.argv[1]))
n, bands = int(sys.argv[2]), sys.argv[3] == "1"
reps = np.arange(n)
_, p, st = base_outcomes(s, 1, reps, reps < 0)
rec = Recorder(p, n, keep=reps < 0)
arrays = BandSketch.for_scenario(s).arrays() if bands else no_bands(p.n_days)
cal = calendar_of(p, 1)
run_rows(p.table, st.copy(), cal, rec.all_series, arrays, bands, 0, 2)
print("running", flush=True)
while True:
    run_rows(p.table, st.copy(), cal, rec.all_series, arrays, bands, 0, n)
"""


def _name(line: str) -> str:
    """A function's readable name from gdb's ``info symbol`` line."""
    line = re.sub(r"\[abi[^]]*\]", "", line)
    return re.sub(r"\(.*| \+ \d+.*| in section.*", "", line).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="aug2025")
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--bands", action="store_true", help="record the bands as run() does")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    missing = [tool for tool in ("perf", "gdb") if shutil.which(tool) is None]
    if missing:
        print(f"hotspots: needs {' and '.join(missing)} on the PATH", file=sys.stderr)
        return 2
    child = subprocess.Popen([sys.executable, "-c", CHILD, args.scenario,
                              str(args.replicates), "1" if args.bands else "0"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        child.stdout.readline()                      # "running": compiled and warm
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "perf.data"
            subprocess.run(["perf", "record", "-q", "-p", str(child.pid), "-o", str(data),
                            "sleep", str(args.seconds)], check=True, capture_output=True)
            report = subprocess.run(["perf", "report", "-i", str(data), "--no-children",
                                     "--sort", "sym", "--stdio"],
                                    capture_output=True, text=True).stdout
        rows = []
        for line in report.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+\[.\]\s+(\S+.*)$", line)
            if m:
                rows.append((float(m.group(1)), m.group(2).strip()))
        addresses = [s for _, s in rows if s.startswith("0x")]
        cmds = [arg for a in addresses for arg in ("-ex", f"info symbol {a}")]
        out = subprocess.run(["gdb", "-p", str(child.pid), "-batch", *cmds],
                             capture_output=True, text=True).stdout
        named = [ln for ln in out.splitlines()
                 if " in section " in ln or ln.startswith("No symbol")]
        names = dict(zip(addresses, named, strict=False))
    finally:
        child.kill()
        child.wait()
        time.sleep(0.1)
    shares: dict[str, float] = collections.defaultdict(float)
    for share, sym in rows:
        shares[_name(names.get(sym, sym))] += share
    print(f"{args.scenario}, {args.replicates:,} replicates, bands "
          f"{'on' if args.bands else 'off'}: share of {args.seconds:g} s of samples")
    for name, share in sorted(shares.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {share:6.2f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
