"""Progress bars: tqdm on stderr in a terminal, a widget in notebooks, silent when asked.

The bar counts replicates (with the counterfactual pass, a replicate counts once both passes
are done), shows the rate and the time left, and appears only for work lasting more than a
second (tqdm's ``delay``), so short runs print nothing.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """A replicate counter that shows a bar only for work lasting more than a second.

    ``update(n)`` accepts fractions of a replicate (a chunk reports its progress day by day);
    the bar moves by whole replicates.
    """

    def __init__(self, total: int, enabled: bool = True, unit: str = "replicate",
                 delay: float = 1.0, desc: str | None = None, file=None):
        self.total, self.enabled, self.unit, self.delay = total, enabled, unit, delay
        self.desc, self.file = desc, file
        self._bar = None
        self._done = 0.0
        self._shown = 0

    def __enter__(self) -> Progress:
        if self.enabled:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=self.total, unit=self.unit, delay=self.delay,
                             dynamic_ncols=True, leave=False, desc=self.desc,
                             file=self.file if self.file is not None else sys.stderr,
                             smoothing=0.1)
        self._t0 = time.perf_counter()
        return self

    def update(self, n: float) -> None:
        """Count ``n`` more replicates done (may be fractional)."""
        self._done = min(self._done + n, float(self.total))
        whole = int(self._done + 1e-9)
        if whole > self._shown:
            if self._bar is not None:
                self._bar.update(whole - self._shown)
            self._shown = whole

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            if exc[0] is None and self._shown < self.total:
                self._bar.update(self.total - self._shown)
            self._bar.close()
