"""Memory is bounded by the chunk, not by the number of replicates (design section 7).

Two runs in fresh subprocesses with the same chunk size, 5,000 and 60,000 replicates (a
60-day horizon keeps the test short): the peak resident memory of the larger run exceeds the
smaller one's by little more than its outcome table (one row per replicate, ~0.4 kB), never
by anything proportional to replicates x days. The 10^6-replicate figure (< 2 GB) is measured
by benchmarks/run.py and recorded in docs/performance.md. The one-off compilation of the
model is not part of a run's memory: a first run compiles it and the measured runs load it
from numba's on-disk cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clitools import REPO

from simulate.scenario import bundled_scenarios

AUG = str(bundled_scenarios()["aug2025"][0])

CODE = """
import json, resource, sys
from simulate.execution.runner import run
n = int(sys.argv[1])
res = run({aug!r}, replicates=n, chunk_size=2000, keep_series=10, counterfactual=False,
          overrides={{"horizon_days": 60}}, progress=False)
print(json.dumps({{"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": len(res.outcomes), "bytes": int(res.outcomes.memory_usage().sum()),
                  "band_rows": len(res.bands)}}))
"""


def _peak(n: int, cache: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", CODE.format(aug=AUG), str(n)], cwd=REPO,
                         capture_output=True, text=True, timeout=900, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_peak_memory_grows_only_with_the_outcome_table(tmp_path):
    # compiling the model (once per install, cached on disk) takes LLVM's memory, not the
    # run's: a first short run compiles into a cache of this test's own (tests running at the
    # same time with other CPU targets rewrite the shared cache's index), so the runs
    # measured load the compiled model
    cache = tmp_path / "numba-cache"
    _peak(100, cache)
    small, large = _peak(5_000, cache), _peak(60_000, cache)
    assert small["rows"] == 5_000 and large["rows"] == 60_000
    assert small["band_rows"] == large["band_rows"]        # bands: independent of replicates
    table_mb = (large["bytes"] - small["bytes"]) / 2**20
    growth = large["rss_mb"] - small["rss_mb"]
    # the outcome table, a copy of it while the DataFrame is built, and allocator slack
    assert growth < 4 * table_mb + 40, (small, large, table_mb)
    # The absolute peak (475 MB for 60,000 replicates here with a warm cache) is not asserted:
    # on clean CI clones it measured 836 MB, unexplained yet (open item in the issue notes);
    # the 10^6-replicate < 2 GB figure is measured by benchmarks/run.py.
