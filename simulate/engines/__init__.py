"""Engines: the batch loop over a chunk's replicates and the SimPy events engine, both calling
the rules of :mod:`simulate.model` (docs/design.md)."""
