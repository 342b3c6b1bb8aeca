"""What an engine returns for a chunk of replicates, and how chunks are put together."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .bands import BandSketch

__all__ = ["ChunkResult", "concat_chunks"]


@dataclass
class ChunkResult:
    """Outcomes of every replicate of a chunk, and daily series of its kept replicates.

    ``outcomes``: column -> (n,) array, including ``replicate`` and each sampled parameter.
    ``series``: variable -> (k, days, actors) array for the kept replicates ``kept``.
    ``log``: event log rows (events engine only).
    """

    outcomes: dict[str, np.ndarray]
    series: dict[str, np.ndarray]
    kept: np.ndarray
    log: list[dict] = field(default_factory=list)
    bands: BandSketch | None = None

    @property
    def n(self) -> int:
        return len(self.outcomes["replicate"])


def concat_chunks(chunks: list[ChunkResult]) -> ChunkResult:
    """One result from chunks, ordered by replicate index."""
    chunks = sorted(chunks, key=lambda c: int(c.outcomes["replicate"][0]) if c.n else -1)
    chunks = [c for c in chunks if c.n]
    keys = chunks[0].outcomes.keys()
    outcomes = {k: np.concatenate([c.outcomes[k] for c in chunks]) for k in keys}
    series = {k: np.concatenate([c.series[k] for c in chunks]) for k in chunks[0].series}
    kept = np.concatenate([c.kept for c in chunks])
    log = [row for c in chunks for row in c.log]
    bands = chunks[0].bands
    if bands is not None:
        for c in chunks[1:]:
            bands = bands.merge(c.bands)
    return ChunkResult(outcomes, series, kept, log, bands)
