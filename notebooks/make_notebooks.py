"""Write the example notebooks from their cell sources (run: python notebooks/make_notebooks.py).

Keeping the cells here keeps the notebooks free of outputs and easy to review; a test checks
that the stored notebooks are what this script writes, and another runs each of them.
Replicate counts are small so that all five run in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell as code
from nbformat.v4 import new_markdown_cell as md
from nbformat.v4 import new_notebook

HERE = Path(__file__).resolve().parent

QUICKSTART = [
    md("# 01 Quickstart\n\n"
       "Load a bundled scenario, run it, read the summary, draw a figure, save the results, "
       "open them as pandas and xarray, and write the report. Replicate counts are small "
       "here so the notebook runs in seconds; use thousands for real work."),
    code("import tempfile\nfrom pathlib import Path\n\nimport simulate\n"
         "from simulate.scenario import find_scenario\n\n"
         "scenario = simulate.load_scenario(find_scenario('aug2025'))  # a bundled scenario\n"
         "print(scenario.name, scenario.start, scenario.horizon_days, 'days')"),
    md("`run` returns a `Results`. The same seed gives the same numbers on any machine, "
       "engine or number of workers."),
    code("results = simulate.run(scenario, replicates=120, seed=1, progress=False)\nresults"),
    md("The summary is a DataFrame indexed by stable metric ids. `ci_low`/`ci_high` is the "
       "**95% confidence interval of the estimate** (Monte Carlo error, shrinks with more "
       "replicates); `p05`/`p95` is the **spread of outcomes across replicates**."),
    code("summary = results.summary()\n"
         "summary[['label', 'estimate', 'ci_low', 'ci_high', 'p05', 'p95', 'unit', 'n']]"),
    code("p = summary.loc['deal_within_horizon']\n"
         "print(f\"{p['label']}: {p['estimate']:.1%} (95% CI {p['ci_low']:.1%} to "
         "{p['ci_high']:.1%})\")"),
    md("Deal windows are configurable:"),
    code("results.summary(windows=[60, 120])[['label', 'estimate']].head(5)"),
    md("Figures take `ax=None` and return the axes."),
    code("ax = results.plot.deal_probability()"),
    md("Tables: one row per replicate, the kept replicates' daily series, and an xarray "
       "Dataset with the bands over **all** replicates on a `quantile` axis."),
    code("# a deal's day among the replicates that reached one (deal_day is -1 for the rest);\n"
         "# deal itself is a yes/no column: its mean is the share of replicates with a deal\n"
         "o = results.outcomes\n"
         "print(f\"share with a deal: {o['deal'].mean():.3f}\")\n"
         "o.loc[o['deal'], ['deal_day', 'oil_revenue_busd']].describe()"),
    code("ds = results.to_xarray()\n"
         "ds['volume_mbd'].sel(quantile=0.5, importer='IN').to_series().head()"),
    md("Save, load and write the report (`report.html`, self-contained)."),
    code("from simulate.report import build_report\n\n"
         "folder = Path(tempfile.mkdtemp()) / 'aug2025'\nresults.save(folder)\n"
         "again = simulate.Results.load(folder)\n"
         "assert again.summary().equals(results.summary())\n"
         "html = build_report(again, folder, formats=('png',), dpi=80)\nprint(html)"),
]

AUG2025 = [
    md("# 02 The August 2025 scenario\n\n"
       "On 6 August 2025 a US envoy met the Russian president two days before a US deadline; "
       "100% secondary tariffs were threatened on importers of Russian oil, with China and "
       "India named; Russia demanded all of four regions. This notebook shows where each "
       "parameter comes from and what the model concludes about the deadline, the tariff "
       "threat and Russia's demands."),
    code("import pandas as pd\n\nimport simulate\nfrom simulate.report.params import "
         "parameter_rows\nfrom simulate.scenario import find_scenario\n\n"
         "scenario = simulate.load_scenario(find_scenario('aug2025'))\n"
         "print(scenario.description)"),
    md("## Where each parameter comes from\n\nEvery value is cited to a source in the file's "
       "`sources:` block or marked as an assumption; uncertain ones have a distribution."),
    code("rows = pd.DataFrame([r.__dict__ for r in parameter_rows(scenario)])\n"
         "rows['source'].value_counts().head(10)"),
    code("rows[rows['source'] == 'assumption'][['key', 'value', 'unit', 'distribution']]"),
    code("pd.DataFrame([(k, s.title[:90]) for k, s in scenario.sources.items()],\n"
         "             columns=['id', 'source']).head(8)"),
    md("## The deadline and the threat\n\n"
       "`counterfactual=True` runs every replicate again without the US measures, on the "
       "same random numbers: the threat's effect is a *paired* difference."),
    code("results = simulate.run(scenario, replicates=200, seed=1, counterfactual=True, "
         "progress=False)\n"
         "results.summary().loc[['deal_by_deadline', 'deal_within_90d', "
         "'deal_within_horizon',\n"
         "                       'threat_carried_out'], ['label', 'estimate', 'ci_low', "
         "'ci_high']]"),
    code("from simulate.report.insights import threat_effect\n\nthreat_effect(results)"),
    md("## Russia's demands\n\nThe same seed with softer demands (Zaporizhzhia and Kherson "
       "at the current line): a paired comparison of the two runs."),
    code("softer = simulate.run(scenario, replicates=200, seed=1, progress=False,\n"
         "                      overrides={'actors.RU.demands.Zaporizhzhia': 'line',\n"
         "                                 'actors.RU.demands.Kherson': 'line'})\n"
         "cmp = simulate.compare(results, softer, labels=['four regions', 'Donbas only'])\n"
         "cmp.differences().set_index('metric').loc[['deal_within_horizon'],\n"
         "                                          ['name', 'difference', 'ci_low', "
         "'ci_high', 'paired']]"),
    md("The model's conclusions are conditional on its assumptions (see the report's "
       "*What the model cannot say* and `docs/model.md`)."),
]

DRIVERS = [
    md("# 03 What drives a deal\n\n"
       "Two ways to ask which parameters matter. **A. Correlation across replicates**: every "
       "replicate draws its uncertain parameters, so the rank correlation of each with the "
       "outcome screens them all at once. **B. An experiment**: `simulate.sweep` runs a "
       "design over levers and uncertainties, every point on common random numbers."),
    code("import simulate\nfrom simulate.report.insights import drivers\n"
         "from simulate.scenario import find_scenario\n\n"
         "results = simulate.run(find_scenario('aug2025'), replicates=300, seed=2, "
         "progress=False)\n"
         "drivers(results, outcome='deal_within_horizon', top=5)"),
    md("## A hand loop over one parameter, paired\n\n"
       "The same seed at each value of US credibility: replicate *k* faces the same shocks "
       "at every value, so the differences are paired (this is what `simulate.sweep` does "
       "for whole designs)."),
    code("import pandas as pd\n\nrows = []\nfor credibility in (0.2, 0.5, 0.8):\n"
         "    r = simulate.run(find_scenario('aug2025'), replicates=150, seed=2, "
         "progress=False,\n"
         "                     overrides={'actors.US.credibility': credibility})\n"
         "    s = r.summary().loc['deal_within_horizon']\n"
         "    rows.append({'credibility': credibility, 'P(deal)': s['estimate'],\n"
         "                 'ci_low': s['ci_low'], 'ci_high': s['ci_high']})\n"
         "pd.DataFrame(rows)"),
    md("## An experiment: `simulate.sweep`\n\n"
       "`scenarios/experiments/aug2025_policies.yaml` names levers (tariff rate, deadline, "
       "extension rule, company sanctions), uncertainties and outcomes. A tiny Latin "
       "hypercube here; see `docs/experiments.md` for sensitivity indices and discovery."),
    code("# the bundled experiment, found from any working folder (checkout or wheel)\n"
         "policies = find_scenario('experiments/aug2025_policies')\n"
         "ex = simulate.sweep(policies, design='lhs', points=4, replicates=40, seed=3, "
         "progress=False)\n"
         "# each point's levers and states, then the estimates of three of its outcomes\n"
         "ex.points()[['point', 'actors.US.threat.secondary_tariff.rate', "
         "'actors.US.credibility',\n             'actors.RU.resolve', 'deal_within_180d', "
         "'deal_within_365d', 'oil_revenue_busd']]"),
]

FIGURES = [
    md("# 04 Counterfactuals and figures for a report\n\n"
       "The threat, no threat, and the threat carried out, on the same seed; figures drawn "
       "into your own axes for a paper; the report."),
    code("import tempfile\nfrom pathlib import Path\n\n"
         "from matplotlib.figure import Figure\n\nimport simulate\n"
         "from simulate.figures import fan, importer_volumes, save_figure\n"
         "from simulate.scenario import find_scenario\n\n"
         "runs = {name: simulate.run(find_scenario(name), replicates=150, seed=4, "
         "progress=False)\n"
         "        for name in ('aug2025', 'aug2025_no_threat', "
         "'aug2025_threat_carried_out')}\n"
         "cmp = simulate.compare(list(runs.values()), labels=['threat', 'no threat', "
         "'carried out'])\n"
         "cmp.table()[['name', 'threat', 'no threat', 'carried out']].head(6)"),
    code("cmp.differences()[['name', 'label', 'difference', 'ci_low', 'ci_high', "
         "'paired']].head(6)"),
    md("The deal curves of the three runs on one axes:"),
    code("ax = cmp.plot.deal_probability()"),
    md("Small multiples for a paper: your own figure, `footer=False` by default on your "
       "axes. When the replicates split into regimes (threat carried out or not), fan "
       "charts draw one fan per regime instead of a misleading pooled median."),
    code("fig = Figure(figsize=(7.2, 2.6), layout='constrained')\n"
         "left, right = fig.subplots(1, 2)\n"
         "fan(runs['aug2025'], 'urals_discount_usd', ax=left)\n"
         "fan(runs['aug2025'], 'brent_usd', ax=right, split=False, paths=True)\nfig"),
    code("fig = Figure(figsize=(7.2, 2.2), layout='constrained')\n"
         "axes = fig.subplots(1, 4, sharey=True)\n"
         "importer_volumes(runs['aug2025'], ax=axes)\nfig"),
    code("out = Path(tempfile.mkdtemp())\n"
         "print(save_figure(fig, out / 'importers', formats=('pdf', 'svg')))"),
    md("The report of one run (executive summary first):"),
    code("from simulate.report import build_report\n\nfolder = out / 'aug2025'\n"
         "runs['aug2025'].save(folder)\n"
         "print(build_report(runs['aug2025'], folder, formats=('png',), dpi=80))"),
]

OWN = [
    md("# 05 Writing your own scenario\n\n"
       "From an empty file to a validated scenario. Every mistake is reported with file, "
       "line, column and key, all at once."),
    code("import tempfile\nfrom pathlib import Path\n\nimport simulate\n\n"
         "path = Path(tempfile.mkdtemp()) / 'mine.yaml'\n\n"
         "def check(text):\n    path.write_text(text)\n    try:\n"
         "        s = simulate.load_scenario(path)\n    except simulate.ScenarioError as e:\n"
         "        print(e)\n        return None\n    print('valid:', s.name)\n    return s"),
    md("An empty file says what is missing:"),
    code("check('schema: 1\\n')"),
    md("A small scenario: two regions, a belligerent on each side, a sanctioner with a "
       "deadline and a threat, one importer with a private and a state-owned buyer, a "
       "market. Only the state-owned buyer follows its government's directive, so only it "
       "answers the tariff threat; the government expects a cut to lift the tariff with "
       "probability 0.8 (`tariff_conditional`). With a typo (`buyrs`) and a probability "
       "above 1:"),
    code("TEXT = '''\\\nschema: 1\nname: mine\nstart: 2025-08-06\nhorizon_days: 90\n"
         "regions:\n  North: {weight: 1.0, control: 0.6}\n"
         "  South: {weight: 1.0, control: 0.4}\nactors:\n"
         "  RU: {role: belligerent, side: occupier, demands: {North: 0.9}}\n"
         "  UA: {role: belligerent, side: defender}\n  US:\n    role: sanctioner\n"
         "    deadline: +2d\n    threat:\n"
         "      secondary_tariff: {rate: 1.0, targets: [IN], lag_days: 7}\n"
         "    credibility: CRED\n  IN:\n    role: importer\n    exports_to_us_busd: 87\n"
         "    tariff_conditional: 0.8\n"
         "    BUYERS:\n      private: {base_volume_mbd: 0.9}\n"
         "      state: {base_volume_mbd: 0.9, ownership: state}\n"
         "market: {brent_usd: 67, urals_discount_usd: 2}\n'''\n\n"
         "check(TEXT.replace('BUYERS', 'buyrs').replace('CRED', '1.6'))"),
    md("Fixed:"),
    code("mine = check(TEXT.replace('BUYERS', 'buyers').replace('CRED', '0.6'))"),
    md("Uncertain parameters get a distribution by dotted key:"),
    code("mine = check(TEXT.replace('BUYERS', 'buyers').replace('CRED', '0.6')\n"
         "              + 'uncertainty:\\n  actors.US.credibility: {dist: beta, a: 2, b: 3}\\n')"),
    code("results = simulate.run(mine, replicates=100, seed=1, progress=False)\n"
         "results.summary()[['label', 'estimate', 'ci_low', 'ci_high', 'unit']]"),
    md("The command line does the same: `simulate validate mine.yaml`, then "
       "`simulate run mine.yaml --out runs/mine`. `docs/scenario-reference.md` lists every "
       "key with its type, unit, default and range."),
]

NOTEBOOKS = {
    "01-quickstart": QUICKSTART,
    "02-the-august-2025-scenario": AUG2025,
    "03-what-drives-a-deal": DRIVERS,
    "04-counterfactuals-and-figures-for-a-report": FIGURES,
    "05-writing-your-own-scenario": OWN,
}


def build(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for i, cell in enumerate(nb.cells):  # stable ids: the files do not change between runs
        cell["id"] = f"c{i:02d}"
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
