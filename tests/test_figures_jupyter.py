"""In a real Jupyter kernel every plot call shows its figure under the cell, once (the
figure is made through pyplot, whose inline backend displays it), while figures written to
files -- a saved run's report -- are never shown (simulate/figures/styling.py,
``offscreen``)."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _images(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_a_plot_call_shows_its_figure_and_saving_a_report_shows_none(tmp_path):
    cells = [
        "import simulate\n"
        "r = simulate.run('aug2025', replicates=40, seed=1, progress=False)",
        "r.plot.deal_probability()",
        "from simulate.report import build_report\n"
        f"build_report(r, r.save({str(tmp_path / 'run')!r}), formats=('png',))\nNone",
        "import matplotlib.pyplot as plt\nlen(plt.get_fignums())",
        # later plot calls show theirs too, once (only a session's first figure was shown,
        # by a style context that undid the inline backend's interactive mode)
        "ax = r.plot.fan('brent_usd')",
        "r.plot.deal_probability();",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors
    assert _images(nb.cells[1]) == 1          # the plot is shown under its cell
    assert _images(nb.cells[2]) == 0          # the report's figures are written, not shown
    assert (tmp_path / "run" / "figures" / "deal_probability.png").is_file()
    counts = [o for o in nb.cells[3]["outputs"] if o["output_type"] == "execute_result"]
    assert counts[0]["data"]["text/plain"] == "0"   # pyplot holds no figure afterwards
    assert _images(nb.cells[4]) == _images(nb.cells[5]) == 1
