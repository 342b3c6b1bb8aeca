"""Hand-built Results with numbers chosen by the test, for figure, report and results tests.

``make_results(deal_days=[2, 5, None, 5])`` gives 4 replicates of a small scenario (horizon
10 days, regions North and South, importers IN and CN, a US deadline on day 2) whose
replicate r reached a deal on ``deal_days[r]`` (None: no deal). Every other outcome column is
a simple function of the replicate index, and the kept replicates' daily series are given by
``series`` (variable -> list of per-replicate constants) or default to simple ramps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulate.engines.record import SERIES, THREAT_NAMES, scenario_actors
from simulate.results.results import Results
from simulate.results.tables import tidy_series
from simulate.scenario.loader import validate

__all__ = ["SCENARIO", "small_scenario", "make_results", "HORIZON"]

HORIZON = 10

SCENARIO = {
    "schema": 1, "name": "handmade", "description": "Hand-built scenario for tests.",
    "sources": {"paper": {"title": "A paper", "url": "https://example.org/paper",
                          "date": dt.date(2025, 1, 2)}},
    "cite": {"actors.US.credibility": "assumption", "market.brent_usd": "paper",
             "regions.North": "paper"},
    "start": dt.date(2025, 8, 6), "horizon_days": HORIZON,
    "regions": {"North": {"weight": 1.0, "control": 0.6},
                "South": {"weight": 3.0, "control": 0.2}},
    "actors": {
        "RU": {"role": "belligerent", "name": "Russia", "side": "occupier",
               "demands": {"North": 0.9}},
        "UA": {"role": "belligerent", "name": "Ukraine", "side": "defender"},
        "US": {"role": "sanctioner", "name": "United States", "deadline": "+2d",
               "threat": {"secondary_tariff": {"rate": 1.0, "targets": ["IN", "CN"]}},
               "credibility": 0.5},
        "IN": {"role": "importer", "name": "India", "exports_to_us_busd": 87,
               "buyers": {"a": {"base_volume_mbd": 1.0}}},
        "CN": {"role": "importer", "name": "China (mainland)", "exports_to_us_busd": 400,
               "buyers": {"b": {"base_volume_mbd": 2.0}}},
    },
    "market": {"brent_usd": 67.0, "urals_discount_usd": 2.0},
    "uncertainty": {"actors.US.credibility": {"dist": "beta", "a": 2, "b": 3}},
    "ensemble": {"replicates": 4, "seed": 7},
    "outputs": {"keep_series": 2},
}


def small_scenario(**changes):
    data = {**SCENARIO, **changes}
    return validate(data, {}, "<handmade>")


def _series_frame(scenario, kept: Sequence[int], series: dict[str, Sequence[float]]):
    days = np.arange(scenario.horizon_days + 1)
    dates = pd.Timestamp(scenario.start) + pd.to_timedelta(days, unit="D")
    actors_of = scenario_actors(scenario)
    rows = []
    for name, kind in SERIES.items():
        for actor in actors_of[kind]:
            key = f"{name}:{actor}" if actor else name
            for i, rep in enumerate(kept):
                if key in series:
                    values = np.full(days.size, float(series[key][i]))
                else:
                    values = days * 0.1 + rep
                rows.append(pd.DataFrame({"replicate": rep, "day": days, "date": dates.values,
                                          "variable": name, "actor": actor,
                                          "value": values}))
    return tidy_series(rows if kept else [])


def make_results(deal_days: Sequence[int | None] = (2, 5, None, 5), *, kept: int = 2,
                 series: dict[str, Sequence[float]] | None = None,
                 tariff_costs: dict[str, Sequence[float]] | None = None,
                 terms: dict[str, Sequence[float]] | None = None,
                 decision_days: Sequence[int] | None = None,
                 bands: pd.DataFrame | None = None, seed: int = 7,
                 scenario=None, offset: float = 0.0) -> Results:
    """Results of ``len(deal_days)`` replicates with the given deal days (None: no deal)."""
    s = scenario or small_scenario()
    n = len(deal_days)
    r = np.arange(n)
    deal = np.array([d is not None for d in deal_days])
    day = np.array([-1 if d is None else int(d) for d in deal_days], dtype=np.int64)
    deadline = 2
    importers = list(s.actors_of("importer"))
    out = {
        "replicate": r.astype(np.int64), "deal": deal, "deal_day": day,
        "deal_by_deadline": deal & (day <= deadline),
        "threat": pd.Categorical([THREAT_NAMES[2]] * n, categories=list(THREAT_NAMES.values())),
        "decision_day": np.asarray(decision_days if decision_days is not None else
                                   [deadline if i % 2 else -1 for i in r], dtype=np.int64),
        "extensions": np.zeros(n, dtype=np.int64),
        "softened_RU": np.zeros(n, dtype=bool), "softened_UA": np.zeros(n, dtype=bool),
    }
    for k, region in enumerate(s.regions):
        default = 0.5 + 0.1 * k + 0.01 * r
        out[f"terms_{region}"] = np.asarray((terms or {}).get(region, default), dtype=float)
    w = np.array([s.regions[x].weight for x in s.regions])
    stacked = np.vstack([out[f"terms_{x}"] for x in s.regions]).T
    out["terms_aggregate"] = (stacked * w).sum(axis=1) / w.sum()
    out.update({
        "oil_revenue_busd": 100.0 - 2.0 * r + offset, "exports_mbd": 3.0 + 0.1 * r,
        "shut_in_mbd": np.zeros(n), "brent_mean_usd": 65.0 + r, "brent_end_usd": 66.0 + r,
        "urals_discount_mean_usd": 2.0 + r,
    })
    for m, imp in enumerate(importers):
        out[f"volume_{imp}_mbd"] = 1.0 + m - 0.05 * r
        costs = (tariff_costs or {}).get(imp, 10.0 * (m + 1) * (r % 2))
        out[f"tariff_cost_{imp}_busd"] = np.asarray(costs, dtype=float)
    out.update({"strikes": r.astype(np.int64), "killed": (2 * r).astype(np.int64),
                "injured": (3 * r).astype(np.int64),
                "param:actors.US.credibility": 0.1 + 0.2 * r / max(n, 1)})
    outcomes = pd.DataFrame(out)
    kept_reps = list(range(min(kept, n)))
    ts = _series_frame(s, kept_reps, series or {})
    manifest = {"simulate_version": "0.1.0", "scenario": s.name, "seed": seed,
                "replicates": n, "engine": "batch", "backend": "serial", "workers": 1,
                "keep_series": kept, "counterfactual": False, "streams": "by-name-v1"}
    return Results(s, outcomes, ts, manifest, bands=bands)
