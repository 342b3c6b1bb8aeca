"""A probability reads the same in the headline table, the report's text and the figure
legends: 389 deals in 2,000 replicates is 0.195 in the table and 19.5% in words, not 19.4%
(100 x 0.1945 is 19.4499... in binary)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from results_factory import make_results  # noqa: E402

from simulate.figures import deal_probability  # noqa: E402
from simulate.report.content import executive_summary  # noqa: E402


def _results():
    return make_results([2] * 389 + [None] * 1611)


def test_the_table_the_summary_and_the_legend_agree():
    r = _results()
    row = r.summary().loc["deal_within_horizon"]
    assert row["estimate"] == 389 / 2000
    from simulate.results.units import format_number
    assert format_number(row["estimate"]) == "0.195"
    ax = deal_probability(r)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    assert any("19.5% by end" in t for t in labels), labels
    assert not any("19.4%" in t for t in labels)


def test_the_executive_summary_says_19_5_percent():
    text = repr(executive_summary(_results()))
    assert "19.5%" in text and "19.4%" not in text
