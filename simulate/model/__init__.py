"""Behaviour rules: compiled (numba) functions over one replicate's records (docs/design.md)."""
