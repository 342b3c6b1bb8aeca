"""figures.data.band_table: one series' day x stat table from tidy bands, checked against
pandas' own pivot on shuffled frames whose text columns are categories or plain text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.figures.data import band_table

STATS = ["q05", "q25", "q50", "q75", "q95", "mean"]


def _bands(days: int, seed: int, categorical: bool) -> pd.DataFrame:
    """Tidy bands of two series (brent, and imports for two actors), rows shuffled."""
    rng = np.random.default_rng(seed)
    rows = [(v, a, d, s) for v, actors in (("brent", [""]), ("imports", ["CN", "IN"]))
            for a in actors for d in range(days) for s in STATS]
    frame = pd.DataFrame(rows, columns=["variable", "actor", "day", "stat"])
    frame["value"] = rng.normal(size=len(frame))
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    if categorical:
        for col in ("variable", "actor", "stat"):
            frame[col] = frame[col].astype("category")
    return frame


def _pivot(frame: pd.DataFrame, variable: str, actor: str, wanted: list[str]) -> pd.DataFrame:
    """The oracle: pandas' pivot of the series' rows."""
    sel = frame[(frame["variable"].astype(str) == variable).to_numpy()
                & (frame["actor"].astype(str) == actor).to_numpy()]
    sel = sel.assign(stat=sel["stat"].astype(str))
    sel = sel[sel["stat"].isin(wanted).to_numpy()]
    table = sel.pivot_table(index="day", columns="stat", values="value", aggfunc="first")
    return table[wanted].sort_index()


@settings(max_examples=30, deadline=None)
@given(days=st.integers(1, 12), seed=st.integers(0, 2**16), categorical=st.booleans(),
       series=st.sampled_from([("brent", ""), ("imports", "CN"), ("imports", "IN")]),
       wanted=st.lists(st.sampled_from(STATS), min_size=1, max_size=6, unique=True))
def test_the_table_is_the_pivot_of_the_series_rows(days, seed, categorical, series, wanted):
    frame = _bands(days, seed, categorical)
    table = band_table(frame, *series, wanted)
    expected = _pivot(frame, *series, wanted)
    assert list(table.columns) == wanted and table.columns.name == "stat"
    assert table.index.name == "day" and list(table.index) == list(range(days))
    np.testing.assert_array_equal(table.to_numpy(), expected.to_numpy())


@pytest.mark.parametrize("categorical", [True, False])
def test_a_series_or_stat_that_is_not_there_gives_none(categorical):
    frame = _bands(3, 1, categorical)
    assert band_table(frame, "brent", "", ["q50", "q99"]) is None
    assert band_table(frame, "brent", "CN", ["q50"]) is None
    assert band_table(frame, "nothing", "", ["q50"]) is None
    assert band_table(frame.iloc[:0], "brent", "", ["q50"]) is None
    assert band_table(None, "brent", "", ["q50"]) is None


def test_a_day_and_stat_given_twice_takes_its_first_row():
    frame = pd.DataFrame({"variable": "brent", "actor": "", "day": [2, 0, 2, 0],
                          "stat": ["q50", "q50", "q50", "q50"], "value": [1.0, 2.0, 3.0, 4.0]})
    table = band_table(frame, "brent", "", ["q50"])
    assert table["q50"].tolist() == [2.0, 1.0]
    assert list(table.index) == [0, 2]
