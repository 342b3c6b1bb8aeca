"""Issue 11: checkpoints that cannot run code and cannot mix runs; workers that die with
their parent; Ctrl-C that says how to resume."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from clitools import GOLDEN, REPO
from worker_tools import assert_workers_die_with_killed_parent, start_cli

from simulate.engines.chunk import ChunkResult
from simulate.execution import chunkfile
from simulate.execution.checkpoint import CHECKPOINT_DIR, CHUNK_SUFFIX
from simulate.execution.runner import run
from simulate.scenario import bundled_scenarios

AUG = bundled_scenarios()["aug2025"][0]
MINI = GOLDEN / "mini.yaml"


class _Bomb:
    """Unpickling this would create the file ``path``."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_chunk_file_round_trips_every_field_exactly(tmp_path):
    chunk = run(AUG, replicates=30, chunk_size=30, keep_series=3, progress=False,
                checkpoint_dir=tmp_path / "r")
    files = sorted((tmp_path / "r" / CHECKPOINT_DIR).glob(f"chunk-*{CHUNK_SUFFIX}"))
    assert len(files) == 1
    store_id = __import__("json").loads((tmp_path / "r" / CHECKPOINT_DIR / "run.json")
                                        .read_text())
    assert store_id["checkpoint_format"] == chunkfile.FORMAT and store_id["streams"]
    assert len(chunk.outcomes) == 30
    value = ChunkResult({"a": np.arange(3.0), "b": np.array([True, False])},
                        {"s": np.ones((1, 2, 3), np.float32)}, np.array([0]),
                        [{"day": 1, "what": "talks", "x": 0.1}], None)
    data = chunkfile.write_bytes(value, {"run_id": "r", "start": 0, "stop": 3})
    path = tmp_path / "c.npz"
    path.write_bytes(data)
    back = chunkfile.read(path, {"run_id": "r", "start": 0, "stop": 3})
    assert list(back.outcomes) == ["a", "b"]
    for k in value.outcomes:
        np.testing.assert_array_equal(back.outcomes[k], value.outcomes[k])
        assert back.outcomes[k].dtype == value.outcomes[k].dtype
    assert back.series["s"].dtype == np.float32 and back.log == value.log
    with pytest.raises(chunkfile.ChunkFileError, match="another run"):
        chunkfile.read(path, {"run_id": "other", "start": 0, "stop": 3})
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0xFF
    path.write_bytes(bytes(tampered))
    with pytest.raises(chunkfile.ChunkFileError):
        chunkfile.read(path, {"run_id": "r", "start": 0, "stop": 3})


def test_a_crafted_chunk_file_is_never_unpickled(tmp_path):
    folder = tmp_path / "run"
    full = run(AUG, replicates=60, chunk_size=30, progress=False, checkpoint_dir=folder,
               counterfactual=False)
    chunks = sorted((folder / CHECKPOINT_DIR).glob(f"chunk-*{CHUNK_SUFFIX}"))
    sentinel = tmp_path / "owned"
    bomb = np.empty(1, dtype=object)
    bomb[0] = _Bomb(str(sentinel))
    with open(chunks[0], "wb") as fh:
        np.savez(fh, __structure__=bomb, outcomes=bomb)
    (folder / CHECKPOINT_DIR / "chunk-000000000030-000000000060.pkl.z").write_bytes(
        pickle.dumps(_Bomb(str(sentinel))))
    resumed = run(AUG, replicates=60, chunk_size=30, progress=False, resume_dir=folder,
                  counterfactual=False)
    assert not sentinel.exists()
    assert resumed.manifest["resumed_chunks"] == 1  # the crafted one was run again
    pd.testing.assert_frame_equal(full.outcomes, resumed.outcomes, check_exact=True)


def test_a_chunk_written_by_another_run_is_not_used(tmp_path):
    """The race of the issue: a chunk file of another seed placed in the folder is run
    again, so the result is the resumed run's own."""
    a, b = tmp_path / "a", tmp_path / "b"
    kw = dict(replicates=60, chunk_size=30, progress=False, counterfactual=False)
    ref = run(AUG, seed=1, checkpoint_dir=a, **kw)
    run(AUG, seed=2, checkpoint_dir=b, **kw)
    name = f"chunk-000000000000-000000000030{CHUNK_SUFFIX}"
    (a / CHECKPOINT_DIR / name).write_bytes((b / CHECKPOINT_DIR / name).read_bytes())
    resumed = run(AUG, seed=1, resume_dir=a, **kw)
    assert resumed.manifest["resumed_chunks"] == 1
    pd.testing.assert_frame_equal(ref.outcomes, resumed.outcomes, check_exact=True)


def test_worker_processes_die_with_a_killed_parent(tmp_path):
    assert_workers_die_with_killed_parent(tmp_path, "processes")  # Dask: test_dask.py


_CAUGHT_IN_EXEC = """\
import signal, sys
try:
    exec("import signal\\nsignal.raise_signal(signal.SIGINT)\\nwhile True: pass")
except KeyboardInterrupt:
    pass
{exit}
"""


@pytest.mark.parametrize("exit_line, code", [
    ("sys.exit(130)", -signal.SIGINT),  # CPython's own behaviour: what the CLI must undo
    ("from simulate.cli.main import interrupted\nsys.exit(interrupted())", 130),
])
def test_an_interrupt_caught_inside_exec_still_exits_130(tmp_path, exit_line, code):
    """A Ctrl-C that lands inside a library's exec() of a string (scipy builds argument
    parsers so) used to make `python -m simulate` die by SIGINT, 1 run in ~25, after printing
    its resume command; interrupted() gives 130 whatever was running."""
    (tmp_path / "caught").mkdir()
    (tmp_path / "caught" / "__main__.py").write_text(_CAUGHT_IN_EXEC.format(exit=exit_line))
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}"}
    proc = subprocess.run([sys.executable, "-m", "caught"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, start_new_session=True)
    assert proc.returncode == code, proc.stderr


def test_ctrl_c_prints_the_exact_resume_command(tmp_path):
    proc = start_cli(tmp_path, "-n", "4000", "--chunk-size", "200", "--out", "res", "-q",
                      "--no-report", "--set", "horizon_days=120")
    try:
        deadline = time.monotonic() + 240
        while not list((tmp_path / "res" / CHECKPOINT_DIR).glob(f"chunk-*{CHUNK_SUFFIX}")):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no chunk written in time"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    command = next(line.strip() for line in err.splitlines() if line.strip().startswith(
        "simulate run"))
    assert command == (f"simulate run {AUG} --out res --replicates 4000 --chunk-size 200 "
                       "--set horizon_days=120 --no-report --quiet --resume")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    resumed = subprocess.run([sys.executable, "-m", "simulate", *command.split()[1:]],
                             cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "res" / "manifest.json").is_file()
