"""The per-point table `simulate sweep` prints: factor names that tell keys apart, and each
outcome's estimate with the 95% interval of ``points.parquet`` (a 0/1 outcome that never
happened shows its Wilson upper bound, not "0 ± 0")."""

from __future__ import annotations

import re

from experiments_common import SMALL, write_small

from simulate.cli.experiment_cmds import format_points, short_names
from simulate.experiments.sweep import sweep


def test_short_names_tell_keys_apart():
    keys = ["actors.RU.resolve", "actors.UA.resolve", "actors.US.credibility",
            "actors.US.threat.secondary_tariff.rate"]
    assert short_names(keys) == ["RU.resolve", "UA.resolve", "credibility", "rate"]
    assert short_names(["a.b.c", "x.b.c"]) == ["a.b.c", "x.b.c"]


def test_the_table_prints_each_points_estimate_and_interval(tmp_path):
    # India's volume never falls below 0.01 mb/d in 40 days: a 0/1 outcome with no hit
    text = SMALL.replace("below: 1.7", "below: 0.01")
    assert text != SMALL
    ex = sweep(write_small(tmp_path, text), points=3, replicates=12, progress=False)
    lines = format_points(ex).splitlines()
    head = lines[0].split()
    assert head[:4] == ["point", "credibility", "rate", "resolve"]
    stats = ex.statistics.set_index(["point", "outcome"])
    cell = re.compile(r"(\S+) \[(\S+), (\S+)\]")
    for line in lines[1:4]:
        point = int(line.split()[0])
        found = cell.findall(line)
        assert len(found) == len(ex.outcomes)
        for name, (est, lo, hi) in zip(ex.outcomes, found, strict=True):
            st = stats.loc[(point, name)]
            for text_value, value in ((est, st["estimate"]), (lo, st["ci_low"]),
                                      (hi, st["ci_high"])):
                assert float(text_value) == float(f"{value:.4g}")
            assert float(lo) <= float(est) <= float(hi)
    assert "estimate [95% CI]" in lines[-1]
    for line in lines[1:4]:  # no hit in 12 replicates: Wilson's upper bound is 0.2425
        assert "0 [0, 0.2425]" in line
