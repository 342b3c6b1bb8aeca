"""Reports after the referee's review: the figures note built from each figure's data source,
parameter units and drawn values, the assumptions register's paragraphs, and a comparison
report that says only what applies to it."""

from __future__ import annotations

from results_factory import SCENARIO, make_results, small_scenario

from simulate.figures.regimes import MIN_KEPT
from simulate.report import build_comparison_report, build_report
from simulate.report.assumptions import read_register
from simulate.report.comparison import origin
from simulate.report.markup import markdown_to_html
from simulate.report.params import parameter_rows
from simulate.results.compare import Comparison, compare


def _split_run():
    """2 x MIN_KEPT kept replicates split by the threat (India's volume follows two courses)
    and 10 more, carried out and not kept."""
    k = MIN_KEPT
    n = 2 * k + 10
    decision = [2 if r % 2 or r >= 2 * k else -1 for r in range(n)]
    volumes = [0.5 if r % 2 else 2.0 + r / 1000 for r in range(2 * k)]
    return make_results([3 if r % 4 == 0 else None for r in range(n)], kept=2 * k,
                        series={"volume_mbd:IN": volumes}, decision_days=decision)


# ----- 2. the figures note -----------------------------------------------------------------------
def test_figures_note_lists_each_figures_own_data_source(tmp_path):
    r = _split_run()
    d = r.save(tmp_path / "run")
    build_report(r, d, formats=("png",), model_doc=tmp_path / "absent.md", dpi=30)
    md = (d / "report.md").read_text(encoding="utf-8")
    figures = md.split("## Figures")[1].split("## Scenario")[0]
    assert "Figures over time use quantile bands" not in figures
    assert "Daily paths were kept for 40 of the 50 replicates." in figures
    assert "- Figure 1 (Probability of a deal over time): all 50 replicates." in figures
    lines = [x for x in figures.splitlines() if x.startswith("- Figure")]
    volumes = next(x for x in lines if "Russian crude bought by each importer" in x)
    assert "Split by whether the threat was carried out: India" in volumes
    assert "20 threat carried out, 20 threat not carried out; 40 of 50 replicates kept" in volumes
    assert "Not split: China" in volumes
    brent = next(x for x in lines if "(Brent crude price)" in x)
    assert brent.endswith("the 40 replicates with daily series kept (of 50).")


# ----- 9. parameter units and drawn values ---------------------------------------------------
def test_parameter_units_and_values_of_drawn_parameters_not_in_the_file():
    actors = {**SCENARIO["actors"]}
    actors["RU"] = {**actors["RU"], "priorities": {"North": 3.0}}
    buyers = {"a": {"base_volume_mbd": 1.0, "demand_slope_mbd_per_usd": 0.05}}
    actors["IN"] = {**actors["IN"], "buyers": buyers}
    uncertainty = {**SCENARIO["uncertainty"], "market.demand_adaptation_half_life_days":
                   {"dist": "uniform", "low": 95.0, "high": 155.0}}
    s = small_scenario(actors=actors, uncertainty=uncertainty)
    rows = {row.key: row for row in parameter_rows(s)}
    assert rows["actors.IN.buyers.a.demand_slope_mbd_per_usd"].unit == "mb/d per USD/bbl"
    assert rows["actors.RU.priorities.North"].unit == "relative weight"
    assert rows["market.storage_capacity_mb"].unit == "mb"
    drawn = rows["market.demand_adaptation_half_life_days"]
    assert drawn.value == "drawn (median 125)" and drawn.distribution.startswith("uniform")
    # drawn and set in the file: the file's (central) value
    assert rows["actors.US.credibility"].value == "0.5"


# ----- 10. the register's note after a list ------------------------------------------------------
def test_note_after_an_indented_list_item_is_its_own_paragraph(tmp_path):
    doc = tmp_path / "model.md"
    doc.write_text(
        "# Model\n\n## Assumptions register\n\n"
        "13. **Decision.** One threat at a time; credibility is a\n"
        "    constant probability.\n"
        "*Items 14-20 describe model v1.*\n\n"
        "14. **Buyers.** A rule of thumb,\n"
        "lazily wrapped.\n", encoding="utf-8")
    html = markdown_to_html(read_register(doc).markdown)
    assert "constant probability.</li>\n</ol>\n<p><em>Items 14-20 describe model v1.</em></p>" \
        in html
    assert "A rule of thumb,\nlazily wrapped.</li>" in html  # an unindented wrap stays put


# ----- 11. the comparison report -------------------------------------------------------------
def test_comparison_report_says_only_what_applies(tmp_path):
    a = make_results([1, None, 3, None])
    b = make_results([None, None, 3, None], offset=-5)
    out = tmp_path / "cmp"
    build_comparison_report(compare(a, b, labels=["threat", "no threat"]), out,
                            formats=("png",), dpi=30)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "5-95% of replicates" not in md
    assert "refuse" not in md and "Appendix C" not in md
    assert "## Provenance (manifest)" in md
    assert "| seed | engine | simulate | source | scenario sha256 |" in md
    assert "from saved results" not in md
    assert "Generated by simulate from runs given in Python." in md
    question = next(x for x in md.splitlines() if x.startswith("**The question.**"))
    assert "How do the outcomes of `no threat` differ from those of `threat`?" in question
    assert "paired on common random numbers" in question
    # deals within the horizon: 2 of 4 with the threat, 1 of 4 without
    assert "changes by -25.0 percentage points (95% CI " in question


def test_origin_of_the_compared_runs():
    labels = ["a", "b"]
    assert origin(["runs/a", "runs/b"], labels) == "saved results"
    assert origin(["s/a.yaml", "s/b.yml"], labels) == \
        "scenario files simulated afresh for this comparison"
    assert origin(["runs/a", "s/b.yaml"], labels) == \
        "saved results (a) and scenario files simulated afresh for this comparison (b)"


def test_independent_runs_are_said_to_be_independent(tmp_path):
    a = make_results([1, None, 3, None])
    b = make_results([None, None, 3, None], seed=8)
    c = Comparison([a, b], ["a", "b"], ["s/a.yaml", "s/b.yaml"])
    out = tmp_path / "cmp"
    build_comparison_report(c, out, formats=("png",), dpi=30)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "independent samples (no common random numbers)" in md
    assert "| s/a.yaml |" in md
    assert "scenario files simulated afresh for this comparison" in md
