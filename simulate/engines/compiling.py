"""Say so when the model is compiled (numba caches it on disk: normally once per install)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from numba.core import event

__all__ = ["announce_compilation", "MESSAGE"]

MESSAGE = "compiling the model, once"


class _Announcer(event.Listener):
    """Prints :data:`MESSAGE` to stderr at the first compilation it hears of."""

    def __init__(self) -> None:
        self.told = False

    def on_start(self, ev: event.Event) -> None:
        if not self.told:
            self.told = True
            print(MESSAGE, file=sys.stderr, flush=True)

    def on_end(self, ev: event.Event) -> None:
        pass


@contextmanager
def announce_compilation() -> Iterator[None]:
    """Within the block, the first compilation (a cache miss) prints one line to stderr."""
    with event.install_listener("numba:compile", _Announcer()):
        yield
