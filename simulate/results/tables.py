"""From engine arrays to tidy pandas tables."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..engines.chunk import ChunkResult
from ..engines.record import THREAT_NAMES, series_actors
from ..model.params import Params

__all__ = ["outcomes_frame", "series_frame", "tidy_series", "UNITS", "LABELS"]

#: units of outcome and series columns (also stored in the Parquet schema metadata)
UNITS = {
    "deal_day": "days from start (-1: no deal)", "decision_day": "days from start (-1: none)",
    "oil_revenue_busd": "USD bn over horizon", "oil_revenue_loss_busd": "USD bn over horizon",
    "exports_mbd": "mb/d", "shut_in_mbd": "mb/d", "brent_mean_usd": "USD/bbl",
    "brent_end_usd": "USD/bbl", "urals_discount_mean_usd": "USD/bbl",
    "control": "occupier share", "brent_usd": "USD/bbl", "urals_discount_usd": "USD/bbl",
    "bought_mbd": "mb/d", "discounted_mbd": "mb/d", "oil_revenue_musd": "USD M/day",
    "volume_mbd": "mb/d", "tariff_rate": "fraction", "company_sanctions_share": "fraction",
    "at_war": "1: yes, 0: after a deal", "killed": "people/day", "injured": "people/day",
    # trade v2 (docs/model.md 4.7-4.11)
    "fob_discount_usd": "USD/bbl", "delivered_discount_usd": "USD/bbl",
    "freight_premium_usd": "USD/bbl", "urals_fob_usd": "USD/bbl", "stored_mbd": "mb/d",
    "designation_status": "0 none, 1 wind-down, 2 in force", "buyer_volume_mbd": "mb/d",
    "directive": "share of base volume; 1: none",
    "fob_discount_mean_usd": "USD/bbl", "delivered_discount_mean_usd": "USD/bbl",
    "released_mbd": "mb/d", "expected_loss_mbd": "mb/d", "perceived_loss_mbd": "mb/d",
    "buyer_premium_usd": "USD/bbl", "freight_premium_mean_usd": "USD/bbl",
    "urals_fob_mean_usd": "USD/bbl", "export_capacity_mbd": "mb/d",
}

#: names of the daily series in words (axis labels of figures, ``long_name`` in xarray); a
#: series' unit is in :data:`UNITS`, not repeated here
LABELS = {
    "brent_usd": "Brent", "urals_discount_usd": "Urals FOB discount to Brent",
    "oil_revenue_musd": "Oil export revenue", "volume_mbd": "Russian crude imports",
    "exports_mbd": "Russian crude exports", "bought_mbd": "Crude bought by importers",
    "discounted_mbd": "Crude rerouted at a discount", "shut_in_mbd": "Crude shut in",
    "control": "Occupier's share", "tariff_rate": "Extra US tariff",
    "company_sanctions_share": "Exports under company sanctions", "at_war": "At war",
    "killed": "Civilians killed", "injured": "Civilians injured",
    "fob_discount_usd": "Urals FOB discount to Brent",
    "delivered_discount_usd": "Urals delivered discount to Brent",
    "freight_premium_usd": "Freight and insurance sanctions premium",
    "urals_fob_usd": "Urals FOB price", "stored_mbd": "Crude put into storage",
    "designation_status": "Designations", "buyer_volume_mbd": "Russian crude bought",
    "directive": "Cap on state refiners' intake", "released_mbd": "Crude released from storage",
    "expected_loss_mbd": "Expected loss of Russian crude (news)",
    "perceived_loss_mbd": "Expected loss priced by Brent",
    "buyer_premium_usd": "Buyer's sanctions risk premium",
    "export_capacity_mbd": "Russian crude export capacity",
}


def outcomes_frame(chunk: ChunkResult) -> pd.DataFrame:
    """One row per replicate; the threat status as a category.

    The columns are the chunk's arrays, not copies (``copy=False``): at 10^6 replicates the
    table is about 650 MB, and a copy made while the merged arrays are still alive doubled
    the run's peak memory (docs/performance.md section 4)."""
    df = pd.DataFrame(chunk.outcomes, copy=False)
    df["threat"] = pd.Categorical(df["threat"].map(THREAT_NAMES),
                                  categories=list(THREAT_NAMES.values()))
    return df


def series_frame(chunk: ChunkResult, p: Params, start: _dt.date) -> pd.DataFrame:
    """Tidy daily series of the kept replicates: replicate, day, date, variable, actor, value
    (variable and actor as categories, their categories sorted as ``astype("category")``
    sorts them). Built from integer codes in one frame: the per-variable frames of text it
    replaced cost a fifth of a small run's time."""
    days = np.arange(p.n_days + 1)
    dates = (pd.to_datetime(start) + pd.to_timedelta(days, unit="D")).values
    kept = np.asarray(chunk.kept)
    parts = [(name, arr, series_actors(p, name)) for name, arr in chunk.series.items()
             if arr.shape[0] > 0]
    if not parts:
        return tidy_series([])
    names = sorted({name for name, _, _ in parts})
    actor_names = sorted({a for _, _, actors in parts for a in actors})
    code_of = {a: i for i, a in enumerate(actor_names)}
    cols: dict[str, list[np.ndarray]] = {k: [] for k in
                                          ("replicate", "day", "date", "variable", "actor",
                                           "value")}
    for name, arr, actors in parts:
        k, n_days, n_act = arr.shape
        size = k * n_days * n_act
        cols["replicate"].append(np.repeat(kept, n_days * n_act))
        cols["day"].append(np.tile(np.repeat(days, n_act), k))
        cols["date"].append(np.tile(np.repeat(dates, n_act), k))
        cols["variable"].append(np.full(size, names.index(name), dtype=np.int32))
        codes = np.array([code_of[a] for a in actors], dtype=np.int32)
        cols["actor"].append(np.tile(codes, k * n_days))
        cols["value"].append(arr.reshape(-1))
    joined = {k: np.concatenate(v) for k, v in cols.items()}
    return pd.DataFrame({
        "replicate": joined["replicate"],
        "day": joined["day"],
        "date": joined["date"],
        "variable": pd.Categorical.from_codes(joined["variable"], categories=pd.Index(names)),
        "actor": pd.Categorical.from_codes(joined["actor"], categories=pd.Index(actor_names)),
        "value": joined["value"],
    })


def tidy_series(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-variable series frames into the tidy table (typed even when empty)."""
    if not frames:
        return pd.DataFrame({"replicate": pd.Series(dtype="int64"),
                             "day": pd.Series(dtype="int64"),
                             "date": pd.Series(dtype="datetime64[ns]"),
                             "variable": pd.Series(dtype="object"),
                             "actor": pd.Series(dtype="object"),
                             "value": pd.Series(dtype="float64")})
    df = pd.concat(frames, ignore_index=True)
    df["variable"] = df["variable"].astype("category")
    df["actor"] = df["actor"].astype("category")
    return df
