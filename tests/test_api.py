"""The public Python API: what `import simulate` offers, and the exception tree."""

import simulate
from simulate import errors

EXPECTED_API = {
    "__version__", "SimulateError", "ScenarioError", "ResultsError", "ExecutionError", "Problem",
    "ArgumentError", "ResultsWarning", "Scenario", "load_scenario", "bundled_scenarios", "run",
    "Results", "trace", "Trace",
    "compare", "Comparison", "sweep", "sensitivity", "Experiment", "calibrate", "Calibration",
}


def test_all_lists_exactly_the_public_api():
    assert set(simulate.__all__) == EXPECTED_API
    for name in simulate.__all__:
        assert hasattr(simulate, name), name


def test_no_private_names_leak_into_all():
    assert not [n for n in simulate.__all__ if n.startswith("_") and n != "__version__"]


def test_one_exception_base_class():
    for cls in (errors.ScenarioError, errors.ResultsError, errors.ExecutionError):
        assert issubclass(cls, errors.SimulateError)
    assert errors.ScenarioError.exit_code == 2
    assert errors.ResultsError.exit_code == 2
    assert errors.ExecutionError.exit_code == 1
    # a bad argument is a user mistake, and still a ValueError for code written before it
    assert issubclass(errors.ArgumentError, errors.ScenarioError)
    assert issubclass(errors.ArgumentError, ValueError)


def test_problem_formats_file_line_column_key_message():
    p = errors.Problem("x.yaml", 12, 5, "actors.IN.buyrs", "unknown key (did you mean 'buyers'?)")
    assert str(p) == "x.yaml:12:5: actors.IN.buyrs: unknown key (did you mean 'buyers'?)"
    assert str(errors.Problem("--set", 0, 0, "a.b", "bad")) == "--set: a.b: bad"


def test_scenario_error_sorts_and_deduplicates_problems():
    a = errors.Problem("f.yaml", 9, 1, "b", "late")
    b = errors.Problem("f.yaml", 2, 3, "a", "early")
    exc = errors.ScenarioError([a, b, a])
    assert exc.problems == [b, a]
    assert str(exc) == "f.yaml:2:3: a: early\nf.yaml:9:1: b: late"


def test_version_is_the_installed_package_version():
    from importlib.metadata import version
    assert simulate.__version__ == version("simulate")


def test_cli_choices_match_the_execution_layer():
    from simulate.cli import run_cmds
    from simulate.execution.backends import BACKENDS
    from simulate.execution.runner import ENGINES
    assert run_cmds.ENGINES == ENGINES
    assert run_cmds.BACKENDS == BACKENDS
    from simulate.cli import experiment_cmds
    from simulate.experiments.design import DESIGNS
    assert experiment_cmds.DESIGNS == DESIGNS


def test_import_is_light():
    """`import simulate` must not pull in pandas or the engines (CLI start-up time)."""
    import subprocess
    import sys
    code = ("import sys, simulate; heavy = [m for m in ('pandas', 'simulate.engines.batch', "
            "'scipy.stats') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_summary_view_and_metric_registry_are_documented_in_the_api():
    """The researcher's entry points: ids in the summary, the registry behind them."""
    from results_factory import make_results

    from simulate.results.metrics import DEAL_WINDOWS, metrics_for
    r = make_results([2, None])
    ids = list(r.summary().index)
    assert ids == [m.id for m in metrics_for(r.scenario, list(r.outcomes.columns))]
    assert DEAL_WINDOWS == (30, 90, 180, 365)
    assert type(r.to_xarray()).__name__ == "Dataset"


def test_no_private_name_is_imported_across_modules():
    """A module imports only public names of the package's other modules (issue 8)."""
    import ast
    from pathlib import Path

    root = Path(simulate.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            inside = isinstance(node, ast.ImportFrom) and (
                node.level > 0 or (node.module or "").split(".")[0] == "simulate")
            if inside:
                found += [f"{path.relative_to(root)}: {alias.name} from {node.module}"
                          for alias in node.names
                          if alias.name.startswith("_") and alias.name != "__version__"]
    assert not found, found
