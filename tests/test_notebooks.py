"""The example notebooks run top to bottom in a real Jupyter kernel, are stored without
outputs, and are exactly what notebooks/make_notebooks.py writes."""

import importlib.util
from pathlib import Path

import pytest

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
