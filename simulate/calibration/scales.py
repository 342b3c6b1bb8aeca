"""The adaptive distance's scale weights of a calibration, kept on disk (``scales.json``)
so that every generation, run uninterrupted or resumed, starts from the weights pyabc would
carry over in memory: 1 / MAD of each statistic over every simulation of the previous
generation."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from ..results.files import write_text_atomic

__all__ = ["SCALES_FILE", "read_scales", "record_scales", "restore_scales"]

SCALES_FILE = "scales.json"


def write_json(path: Path, data: dict[str, Any]) -> None:
    """``data`` as indented JSON, written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, default=str))


def read_scales(directory: Path | str) -> dict[int, dict[str, float]]:
    """The distance's scale weights (1 / MAD) of a calibration folder, by generation and
    statistic (``scales.json``); empty when there are none yet."""
    try:
        data = json.loads((Path(directory) / SCALES_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {int(t): {str(k): float(v) for k, v in w.items()}
            for t, w in data.get("generations", {}).items()}


def record_scales(abc: Any, out: Path, t: int, sample: Any) -> None:
    """Fit the scale weights of generation ``t + 1`` on generation ``t``'s whole sample
    (accepted and rejected simulations), as pyabc does after a generation, and write them to
    ``scales.json``. Called by the sampler before pyabc stores generation ``t``, so every
    stored generation has its successor's weights on disk; a generation rerun after an
    interruption writes the same numbers again."""
    distance = copy.deepcopy(abc.distance_function)  # pyabc refits its own after storing
    distance.fit_scales(t=t + 1, sample=sample)
    ids = [str(i) for i in distance.sumstat.get_ids()]
    scales = read_scales(out)
    scales[t + 1] = {i: float(w) for i, w in zip(ids, distance.scale_weights[t + 1],
                                                 strict=True)}
    write_json(out / SCALES_FILE, {
        "statistics": ids,
        "rule": "weight = 1 / median absolute deviation of each statistic over every "
                "simulation (accepted and rejected) of the previous generation",
        "generations": {str(g): w for g, w in sorted(scales.items())}})


def restore_scales(abc: Any, out: Path) -> None:
    """Start the next generation of ``abc`` (an ``ABCSMC`` on the stored history) from the
    scale weights :func:`record_scales` wrote for it, and record the weights of the one
    after: what an uninterrupted pyabc run would carry over in memory. Generation 0 has
    none and fits them on its prior calibration sample, as pyabc does."""
    weights = read_scales(out).get(int(abc.history.max_t) + 1)
    if weights is not None:
        abc.distance_function.initial_scale_weights = weights
    abc.sampler.on_sample = functools.partial(record_scales, abc, out)
