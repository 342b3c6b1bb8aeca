"""Progress bars: tqdm on stderr in a terminal, a widget in notebooks, silent when asked."""

from __future__ import annotations

import time

__all__ = ["Progress"]


class Progress:
    """A replicate counter that shows a bar only for work lasting more than a second."""

    def __init__(self, total: int, enabled: bool = True, unit: str = "replicate",
                 delay: float = 1.0):
        self.total, self.enabled, self.unit, self.delay = total, enabled, unit, delay
        self._bar = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=self.total, unit=self.unit, delay=self.delay,
                             dynamic_ncols=True, leave=False)
        self._t0 = time.perf_counter()
        return self

    def update(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
