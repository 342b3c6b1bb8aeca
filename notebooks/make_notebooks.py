"""Write the example notebooks from their cell sources (run: python notebooks/make_notebooks.py).

Keeping the cells here keeps the notebooks free of outputs and easy to review.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

AUG2025 = [
    new_markdown_cell(
        "# The August 2025 scenario\n\n"
        "A US envoy meets the Russian president on 6 August 2025, two days before a US deadline; "
        "100% secondary tariffs are threatened on importers of Russian oil. What are the odds of "
        "a deal, and what do the threat and its alternatives do to oil flows and revenues?"),
    new_code_cell(
        "import simulate\n"
        "from simulate.scenario import find_scenario\n\n"
        "scenario = simulate.load_scenario(find_scenario('aug2025'))\n"
        "print(scenario.name, scenario.start, scenario.horizon_days, 'days')"),
    new_markdown_cell("Run the ensemble (common random numbers: same seed for every variant)."),
    new_code_cell(
        "results = simulate.run(scenario, replicates=400, seed=1, counterfactual=True)\n"
        "results.summary().head(12)"),
    new_markdown_cell("The counterfactual without any threat, on the same random numbers: the "
                      "difference per replicate is a paired comparison."),
    new_code_cell(
        "no_threat = simulate.run(find_scenario('aug2025_no_threat'), replicates=400, seed=1)\n"
        "paired = results.outcomes['oil_revenue_busd'] - no_threat.outcomes['oil_revenue_busd']\n"
        "print(f'revenue change from the threat: {paired.mean():.1f} USD bn '\n"
        "      f'(s.e. {paired.std(ddof=1) / len(paired) ** 0.5:.2f})')"),
    new_markdown_cell("Figures take `ax=None` and return their axes; in a notebook they display "
                      "inline."),
    new_code_cell(
        "ax = results.plot.deal_probability()\n"
        "ax.figure"),
    new_code_cell(
        "ax = results.plot.flows()\n"
        "ax.figure"),
    new_markdown_cell("Side by side: the threat against no threat (paired, same seed)."),
    new_code_cell(
        "cmp = simulate.compare(results, no_threat, labels=['threat', 'no threat'])\n"
        "cmp.summary().head(8)"),
    new_markdown_cell("The same run on two worker processes gives the same numbers."),
    new_code_cell(
        "same = simulate.run(scenario, replicates=400, seed=1, counterfactual=True,\n"
        "                    backend='processes', workers=2, chunk_size=100)\n"
        "assert same.outcomes.equals(results.outcomes)\n"
        "print('identical outcomes on 2 worker processes')"),
    new_markdown_cell("One replicate's story:"),
    new_code_cell("print(simulate.trace(scenario, replicate=3, seed=1).text()[:2000])"),
]


def main() -> None:
    nb = new_notebook(cells=AUG2025, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, HERE / "aug2025.ipynb")


if __name__ == "__main__":
    main()
