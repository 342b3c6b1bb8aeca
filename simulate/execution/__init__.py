"""Running replicates: chunks on serial, process or Dask backends."""

from .runner import ENGINES, run

__all__ = ["run", "ENGINES"]
