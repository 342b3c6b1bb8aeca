"""The episode scenarios' trade side, as the episode tests read it: the batch engine's daily
series of every replicate, under the names the tests use.

The episodes have no threat to weigh and no deal to reach, so the front and the talks do not
feed back into trade: the engine's trade series are the trade model's. Each replicate draws
the scenario's uncertain parameters as every run does (streams keyed by the parameter's
name, the seed and the replicate).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulate.engines.batch import run_batch
from simulate.engines.record import scenario_actors
from simulate.model import tradeday
from simulate.model.params import Params
from simulate.scenario import load_scenario

#: the tests' names of the market's daily series -> the engine's
MARKET = {"exports": "exports_mbd", "brent": "brent_usd", "fob_discount": "fob_discount_usd",
          "delivered_discount": "delivered_discount_usd", "urals_fob": "urals_fob_usd",
          "freight_premium": "freight_premium_usd", "capacity": "export_capacity_mbd"}


def run_trade(path: Path | str, replicates: int = 50, seed: int = 0,
              overrides: dict | None = None) -> dict:
    """Daily series of one scenario's trade side: the market's (R, T+1) by the names of
    :data:`MARKET`, ``purchases`` (R, T+1, B), and ``buyer_ids``, ``importer`` (of each
    buyer) and ``start``."""
    s = load_scenario(Path(path), overrides=overrides)
    res = run_batch(s, seed, np.arange(replicates), keep_series=replicates, bands=False)
    series: dict = {name: res.series[column][:, :, 0] for name, column in MARKET.items()}
    buyer_ids = scenario_actors(s)["buyer"]
    series.update(purchases=res.series["buyer_volume_mbd"], buyer_ids=buyer_ids,
                  importer=[b.split(".")[0] for b in buyer_ids], start=s.start)
    return series


def importer_volume(series: dict, importer: str) -> np.ndarray:
    """(R, T+1) purchases of one importer's buyers, mb/d."""
    cols = [i for i, m in enumerate(series["importer"]) if m == importer]
    return series["purchases"][:, :, cols].sum(axis=2)


def capacity_path(p: Params, n_days: int) -> np.ndarray:
    """(R, n_days) export capacity of each replicate of the drawn parameters ``p``, mb/d:
    the drawn capacity plus the timeline's dated changes up to each day, never below 0
    (docs/model.md 4.7), computed from the parameter records, not from the engine."""
    days = np.arange(n_days)
    mp, actions = p.table.trade_mp, p.table.trade_actions
    out = np.empty((mp.shape[0], n_days))
    for r in range(mp.shape[0]):
        acts = actions[r].reshape(-1, tradeday.NA)
        change = sum((a[4] * (days >= a[0]) for a in acts[acts[:, 1] == tradeday.A_CAPACITY]),
                     np.zeros(n_days))
        out[r] = np.maximum(mp[r, tradeday.M_CAPACITY] + change, 0.0)
    return out
