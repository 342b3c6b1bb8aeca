"""The example notebooks run top to bottom in a real Jupyter kernel, are stored without
outputs, and are exactly what notebooks/make_notebooks.py writes; what the quickstart prints
is the right number, checked against the outcomes and a Wilson interval computed here."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
EXPECTED = ["01-quickstart", "02-the-august-2025-scenario", "03-what-drives-a-deal",
            "04-counterfactuals-and-figures-for-a-report", "05-writing-your-own-scenario"]


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", FOLDER / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # run from a folder outside the checkout: Jupyter starts a kernel in the notebook's own
    # folder, and a user may have copied it anywhere, so no cell may rely on the repository
    # root being the working folder
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    if path.stem in CHECKS:
        CHECKS[path.stem](nb)


def _printed(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")


def _check_quickstart(nb) -> None:
    """The quickstart prints P(deal within the horizon) of 120 replicates, seed 1, with its
    95% CI: those are the share of the run's replicates with a deal and its Wilson interval,
    computed here from a run of this process (same seed: same replicates)."""
    import simulate
    from simulate.scenario import find_scenario

    m = re.search(r"P\(deal within horizon[^:]*\): ([\d.]+)% \(95% CI ([\d.]+)% to ([\d.]+)%\)",
                  _printed(nb))
    assert m, _printed(nb)[-2000:]
    shown = [float(g) / 100 for g in m.groups()]
    res = simulate.run(simulate.load_scenario(find_scenario("aug2025")), replicates=120,
                       seed=1, progress=False)
    k, n = int(res.outcomes["deal"].sum()), 120
    z = float(stats.norm.ppf(0.975))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    np.testing.assert_allclose(shown, [p, centre - half, centre + half], atol=0.0005 + 1e-12)


#: checks of what a notebook shows, by notebook
CHECKS = {"01-quickstart": _check_quickstart}


def test_the_five_notebooks_exist_and_show_what_they_promise():
    assert [p.stem for p in NOTEBOOKS if p.stem in EXPECTED] == EXPECTED
    text = {p.stem: "".join(c.source for c in nbformat.read(p, as_version=4).cells)
            for p in NOTEBOOKS}
    assert "buyrs" in text["05-writing-your-own-scenario"]
    assert "simulate.sweep" in text["03-what-drives-a-deal"]
    assert "counterfactual=True" in text["02-the-august-2025-scenario"]


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), path


def test_stored_notebooks_are_what_the_generator_writes():
    gen = _generator()
    for name, cells in gen.NOTEBOOKS.items():
        stored = nbformat.read(FOLDER / f"{name}.ipynb", as_version=4)
        assert nbformat.writes(stored) == nbformat.writes(gen.build(cells)), \
            f"{name}.ipynb is stale: run python notebooks/make_notebooks.py"
