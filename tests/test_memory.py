"""Memory is bounded by the chunk, not by the number of replicates (design section 7).

Two runs in fresh subprocesses with the same chunk size, 5,000 and 60,000 replicates (a
60-day horizon keeps the test short): the peak resident memory of the larger run exceeds the
smaller one's by little more than its outcome table (one row per replicate, ~0.4 kB), never
by anything proportional to replicates x days, and stays under an absolute cap. The
10^6-replicate figure (< 2 GB) is measured by benchmarks/run.py and recorded in
docs/performance.md section 4.

Two things are kept out of a run's figure (docs/performance.md section 4 has the numbers):

* the one-off compilation of the model (LLVM's memory: 60,000 replicates peak at ~680 MB
  when the run compiles, ~475 MB when it loads the compiled model): a first small run
  loads the model from numba's cache, compiling what the cache lacks (everything on a clean
  clone; ``tests/test_compiling.py`` checks a compilation from an empty cache), and the
  measured runs must load everything from it (they count no compilation);
* the memory of the process that starts the run: on Linux, ``getrusage(RUSAGE_SELF)`` of a
  child started by ``subprocess`` (vfork, then exec) reports at least the parent's own peak
  (the exec records the shared address space's high-water mark), so under a pytest worker
  that earlier tests made large it measured that worker (836 MB on a clean CI clone). The
  child reads its own high-water mark, ``VmHWM`` of ``/proc/self/status``, instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from clitools import REPO

from simulate.scenario import bundled_scenarios

AUG = str(bundled_scenarios()["aug2025"][0])

#: absolute cap of the 60,000-replicate run, MB (measured ~475 MB; compiling in the run
#: would add ~200 MB, a parent's memory would add whatever it holds)
CAP_MB = 600

PEAK = """
import resource
def peak_mb():
    try:  # this process's own high-water mark (Linux)
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

CODE = PEAK + """
import json, sys
from numba.core import event
from simulate.execution.runner import run

class Count(event.Listener):
    n = 0
    def on_start(self, ev):
        Count.n += 1
    def on_end(self, ev):
        pass

event.register("numba:compile", Count())
n = int(sys.argv[1])
res = run({aug!r}, replicates=n, chunk_size=2000, keep_series=10, counterfactual=False,
          overrides={{"horizon_days": 60}}, progress=False)
print(json.dumps({{"rss_mb": peak_mb(), "compiled": Count.n,
                  "rows": len(res.outcomes), "bytes": int(res.outcomes.memory_usage().sum()),
                  "band_rows": len(res.bands)}}))
"""


def _peak(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CODE.format(aug=AUG), str(n)], cwd=REPO,
                         capture_output=True, text=True, timeout=900, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_peak_memory_grows_only_with_the_outcome_table():
    _peak(100)  # fills numba's cache with whatever it lacks (all of it on a clean clone)
    small, large = _peak(5_000), _peak(60_000)
    assert small["compiled"] == large["compiled"] == 0, (small, large)  # loaded from cache
    assert small["rows"] == 5_000 and large["rows"] == 60_000
    assert small["band_rows"] == large["band_rows"]        # bands: independent of replicates
    table_mb = (large["bytes"] - small["bytes"]) / 2**20
    growth = large["rss_mb"] - small["rss_mb"]
    # the outcome table, a copy of it while the DataFrame is built, and allocator slack
    assert growth < 4 * table_mb + 40, (small, large, table_mb)
    assert large["rss_mb"] < CAP_MB, large


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux /proc only")
def test_a_child_reports_its_own_peak_not_its_parents():
    """Why VmHWM: a parent holding ~500 MB starts a child that allocates nothing; the
    child's ``ru_maxrss`` reports the parent's peak, its VmHWM only its own few MB."""
    ballast = np.ones(64_000_000)  # 512 MB, touched
    code = PEAK + "import json; print(json.dumps([peak_mb(), " \
                  "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))"
    own, rusage = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                            text=True, timeout=60, check=True).stdout)
    assert ballast.sum() == 64_000_000
    assert own < 100, (own, rusage)  # rusage: ~the parent's peak where exec inherits it


def test_the_outcome_table_is_the_merged_arrays_not_a_copy():
    """At 10^6 replicates the outcome table is ~650 MB: building the DataFrame must not copy
    it while the merged arrays are alive (that copy nearly doubled the run's peak)."""
    from simulate.execution.runner import run
    from simulate.results.tables import outcomes_frame

    res = run(AUG, replicates=30, progress=False, overrides={"horizon_days": 20})
    arrays = {k: res.outcomes[k].to_numpy().copy() for k in ("deal", "exports_mbd",
                                                              "replicate")}
    arrays["threat"] = np.zeros(30, dtype=np.int64)   # codes, as the engines write them
    chunk = type("Merged", (), {"outcomes": arrays})()
    frame = outcomes_frame(chunk)
    for k in ("deal", "exports_mbd", "replicate"):
        assert np.shares_memory(frame[k].to_numpy(), arrays[k]), k
