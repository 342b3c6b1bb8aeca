"""Command-line interface (``simulate ...``)."""

from .main import cli, main

__all__ = ["cli", "main"]
