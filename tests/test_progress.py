"""Progress: a bar on stderr for runs longer than a second (replicates done, rate, time
left), nothing with --quiet, nothing for short runs; tqdm.auto (a widget in notebooks)."""

from __future__ import annotations

import io
import re

from clitools import simulate_cli

from simulate.execution.progress import Progress
from simulate.scenario import bundled_scenarios

AUG = str(bundled_scenarios()["aug2025"][0])


def test_quiet_run_prints_nothing_on_stderr():
    out = simulate_cli("run", AUG, "-n", "1500", "--quiet", "--no-report")
    assert out.returncode == 0
    assert out.stderr == ""
    assert out.stdout == ""


def test_a_long_run_shows_a_bar_with_count_rate_and_time_left():
    out = simulate_cli("run", AUG, "-n", "3000", "--chunk-size", "500", "--no-report",
                       "--set", "outputs.counterfactual=false", env={"COLUMNS": "120"})
    assert out.returncode == 0, out.stderr
    err = out.stderr
    # tqdm's bar: percentage, count of replicates, elapsed<left, rate
    assert re.search(r"\d+%\|", err), err[-500:]
    assert re.search(r"\d+/3000 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+(replicate/s|s/replicate)\]",
                     err), err[-500:]
    assert "P(deal within horizon" in out.stdout         # the summary still goes to stdout


def test_a_short_run_shows_no_bar_in_its_first_second():
    out = simulate_cli("run", AUG, "-n", "5", "--set", "horizon_days=20", "--no-report")
    assert out.returncode == 0, out.stderr
    # a quiet machine finishes this in well under a second and prints no bar; a loaded one may
    # take longer, and then a bar may appear, but never one stamped before its first second
    elapsed = re.findall(r"\[(\d\d):(\d\d)<", out.stderr)
    assert all(60 * int(m) + int(s) >= 1 for m, s in elapsed), out.stderr
    assert bool(elapsed) == ("replicate" in out.stderr), out.stderr


def test_progress_counts_fractions_and_whole_replicates():
    buf = io.StringIO()
    with Progress(total=10, delay=0.0, file=buf) as bar:
        for _ in range(8):
            bar.update(0.25)
        assert bar._shown == 2
        bar.update(7.9)
        assert bar._shown == 9
        bar.update(5)                     # never beyond the total
        assert bar._shown == 10 and bar._bar.n == 10
    assert "/10 [" in buf.getvalue()


def test_disabled_progress_writes_nothing():
    buf = io.StringIO()
    with Progress(total=10, enabled=False, delay=0.0, file=buf) as bar:
        bar.update(10)
    assert buf.getvalue() == ""


def test_the_bar_is_tqdm_auto():
    """tqdm.auto picks the notebook widget under Jupyter and the text bar elsewhere."""
    import tqdm.auto
    with Progress(total=3, delay=0.0, file=io.StringIO()) as bar:
        assert isinstance(bar._bar, tqdm.auto.tqdm)
