"""Run the trade side of a scenario alone (no front, no talks), for the episode tests.

Each replicate draws the scenario's uncertain parameters (counter-based streams, keyed by
the seed, the replicate and the parameter's position) and runs
:func:`simulate.model.tradeday.trade_day` day by day with the scenario's timeline. This is the
rule the engines call on the trade side; the front and the talks do not feed back into trade
in the episodes (no threats, no deals), so running the trade side alone is the same model.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from simulate.model import tradeday as T
from simulate.model.streams import uniforms
from simulate.model.tradearrays import TradeInputs, TradeParams, new_trade_state
from simulate.model.tradeparams import trade_arrays, trade_timeline
from simulate.scenario import load_scenario
from simulate.scenario.checks import split_key

PARAMETERS = 1000


def _set(data: dict, key: str, value) -> None:
    node = data
    parts = split_key(key)
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def run_trade(path: Path | str, replicates: int = 50, seed: int = 0,
              overrides: dict | None = None) -> dict[str, np.ndarray]:
    """Daily series of one scenario's trade side: market state columns (R, T+1) by name,
    ``purchases`` (R, T+1, B), ``buyer_ids`` and ``importer`` of each buyer, ``start``."""
    s = load_scenario(Path(path), overrides=overrides)
    d = copy.deepcopy(s.model_dump(by_alias=True))
    reps = np.arange(replicates)
    for j, (key, dist) in enumerate(s.uncertainty.items()):
        u = uniforms(seed, reps, -1, PARAMETERS + j)[:, 0]
        _set(d, key, np.asarray(dist.ppf(u), dtype=float))
    arrays = trade_arrays(d, replicates)
    importers = [k for k, a in d["actors"].items() if a["role"] == "importer"]
    buyer_ids = [f"{m}.{b}" for m in importers for b in d["actors"][m]["buyers"]]
    suppliers = [a for a in d["actors"].values() if a["role"] == "supplier"]
    # other suppliers' spare capacity and response share, (R, S): drawn or the same for all
    spare = np.stack([np.broadcast_to(np.asarray(a["spare_capacity_mbd"], dtype=float),
                                      (replicates,)) for a in suppliers], axis=1)
    response = np.stack([np.broadcast_to(np.asarray(a["response_share"], dtype=float),
                                         (replicates,)) for a in suppliers], axis=1)
    n_days = s.horizon_days
    n_b, n_m = arrays.bp.shape[1], arrays.ip.shape[1]
    market = np.zeros((replicates, n_days + 1, T.NS))
    purchases = np.zeros((replicates, n_days + 1, n_b))
    directives = np.zeros((replicates, n_days + 1, n_m))
    zeros = np.zeros(n_m)
    tariff_days = np.zeros((n_days + 1, n_m))      # extra tariffs from the timeline
    for act in d.get("timeline") or ():
        day = (act["date"] - s.start).days
        if act["action"] in ("secondary_tariff", "lift_tariff") and 0 <= day <= n_days:
            m = importers.index(act["target"])
            if act["action"] == "secondary_tariff":
                tariff_days[day:, m] += float(act["rate"])
            else:
                tariff_days[day:, m] = 0.0
    for r in range(replicates):
        bp, ip, mp = arrays.bp[r], arrays.ip[r], arrays.mp[r]
        tl = trade_timeline(d, s.start, s.horizon_days, r)
        tp = TradeParams(bp, ip, mp, spare[r], response[r])
        ts = new_trade_state(tp)
        ts.policy[:] = arrays.ps0
        k = 0
        for day in range(n_days + 1):
            while k < len(tl.actions) and tl.actions[k, 0] == day:
                a = tl.actions[k]
                T.apply_action(ts.policy, ts.embargo, int(a[1]), day, a[2], a[3], a[4],
                               int(a[5]))
                k += 1
            # no decision memory: each government decides every day (the episodes have no
            # threat to weigh)
            ts.relief[:] = np.nan
            T.trade_day(day, tp, ts, TradeInputs(tariff_days[day], zeros, 0.0,
                                                 tl.news[day] + ts.policy[T.P_WORLD_NEWS], 0.0))
            ms, out, directive = ts.market, ts.purchases, ts.directive
            market[r, day] = ms
            purchases[r, day] = out
            directives[r, day] = directive
    series = {name: market[:, :, i] for i, name in enumerate(T.S_NAMES)}
    series.update(purchases=purchases, directives=directives, buyer_ids=buyer_ids,
                  importer=[b.split(".")[0] for b in buyer_ids], start=s.start)
    return series


def importer_volume(series: dict, importer: str) -> np.ndarray:
    """(R, T+1) purchases of one importer's buyers, mb/d."""
    cols = [i for i, m in enumerate(series["importer"]) if m == importer]
    return series["purchases"][:, :, cols].sum(axis=2)
