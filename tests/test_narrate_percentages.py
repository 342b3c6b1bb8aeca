"""The event log writes two shares that clash with the decimals that tell them apart."""

from __future__ import annotations

import pytest

from simulate.engines.narrate import _pcts_apart


@pytest.mark.parametrize("a, b, expected", [
    (0.81, 0.76, ("81%", "76%")),                 # whole percentages when they differ
    (0.7404, 0.7352, ("74.0%", "73.5%")),         # 74% vs 74% would hide the clash
    (0.74004, 0.73996, ("74.004%", "73.996%")),
    (0.5, 0.5, ("50.000%", "50.000%")),           # never apart: the most decimals
])
def test_clashing_shares_read_apart(a, b, expected):
    assert _pcts_apart(a, b) == expected
