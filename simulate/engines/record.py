"""What both engines record: per-replicate outcomes and daily series.

Outcome columns (one row per replicate; no NaN by construction):

- ``deal`` (bool), ``deal_day`` (day number from start, -1 if none), ``deal_by_deadline``;
- ``threat`` (pending | carried_out | lapsed | none | lifted), ``decision_day`` (-1),
  ``extensions``; ``softened_<occupier>``, ``softened_<defender>`` (bool);
- ``terms_<region>`` and ``terms_aggregate``: the settlement where a deal occurred, otherwise
  the front line at the horizon (occupier's share);
- ``oil_revenue_busd`` (USD bn over the horizon), ``exports_mbd``, ``shut_in_mbd`` (means),
  ``brent_mean_usd``, ``brent_end_usd``, ``urals_discount_mean_usd``;
- ``volume_<importer>_mbd`` (mean over the horizon), ``tariff_cost_<importer>_busd``
  (USD bn of lost exports over the horizon); ``strikes``, ``killed``, ``injured`` (totals).

Daily series (``SERIES``): variable -> actor axis ("" for scalars, region or importer ids).
"""

from __future__ import annotations

import numpy as np

from ..model.day import company_share_in_force, tariffs_in_force
from ..model.params import Params
from ..model.state import State, Threat
from ..model.trade import tariff_cost

__all__ = ["Recorder", "SERIES", "THREAT_NAMES", "series_actors", "series_columns"]

THREAT_NAMES = {int(t): t.name.lower() for t in Threat}

#: daily series: name -> which actors it has ("region", "importer" or None)
SERIES = {
    "control": "region", "brent_usd": None, "urals_discount_usd": None, "exports_mbd": None,
    "bought_mbd": None, "discounted_mbd": None, "shut_in_mbd": None,
    "oil_revenue_musd": None, "volume_mbd": "importer", "tariff_rate": "importer",
    "company_sanctions_share": None, "at_war": None, "killed": None, "injured": None,
}


def series_actors(p: Params, name: str) -> list[str]:
    kind = SERIES[name]
    return {"region": p.region_names, "importer": p.importer_ids, None: [""]}[kind]


#: the running sums of :class:`Recorder` (rows of ``Recorder.sum_rows``)
SUMS = ("revenue", "exports", "shut_in", "brent", "discount", "strikes", "killed", "injured")


def _membership(p: Params) -> np.ndarray:
    """(M, B): 1.0 where buyer b belongs to importer m."""
    return (np.arange(len(p.importer_ids))[:, None] == p.buyer_importer).astype(float)


def _importer_sum(values: np.ndarray, p: Params, member: np.ndarray | None = None
                  ) -> np.ndarray:
    """Per-importer sums of per-buyer values, (R, M). Computed as a masked sum over the
    buyers' axis (not a matrix product, whose BLAS kernel and summation order change with
    the number of rows): the same numbers for one replicate or a chunk."""
    member = _membership(p) if member is None else member
    return (values[..., None, :] * member).sum(axis=-1)


def series_columns(p: Params) -> list[tuple[str, str]]:
    """The (variable, actor) columns of a day's values, in :data:`SERIES` order."""
    return [(name, actor) for name in SERIES for actor in series_actors(p, name)]


class Recorder:
    """Accumulates outcomes for every replicate, full series for the kept rows and, if given,
    the quantile-band sketch of every row (:mod:`simulate.engines.bands`).

    A day's values of all series are written into one (R, C) buffer (columns of
    :func:`series_columns`); kept rows are copied from it, the band sketch bins all of it.
    """

    def __init__(self, p: Params, n: int, keep: np.ndarray | None = None, bands=None):
        self.p, self.n = p, n
        self.keep = np.zeros(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
        self.bands = bands
        days, M = p.n_days + 1, len(p.importer_ids)
        #: running sums per replicate, one row each (views in ``sums``)
        self.sum_rows = np.zeros((len(SUMS), n))
        self.sums = {k: self.sum_rows[j] for j, k in enumerate(SUMS)}
        self.volume_sum = np.zeros((n, M))
        self.tariff_cost_sum = np.zeros((n, M))
        self.columns = series_columns(p)
        self.slices: dict[str, slice] = {}
        a = 0
        for name in SERIES:
            b = a + len(series_actors(p, name))
            self.slices[name] = slice(a, b)
            a = b
        self.today = np.zeros((n, a))
        self._values = {name: self.today[:, x] for name, x in self.slices.items()}
        self._member = _membership(p)
        self._col = {name: x.start for name, x in self.slices.items()}
        kept = np.flatnonzero(self.keep)
        # kept rows are a leading block of a chunk (replicate index < keep_series): a slice
        contiguous = kept.size and np.array_equal(kept, np.arange(kept[0], kept[-1] + 1))
        self._kept_rows = slice(int(kept[0]), int(kept[-1]) + 1) if contiguous else kept
        self._all_series = np.zeros((kept.size, days, a))
        self.series = {name: self._all_series[:, :, sl] for name, sl in self.slices.items()}
        # a few rows (the events engine): keep their days and bin them all at the end
        self._band_days = np.zeros((days, n, a)) if bands is not None and n <= 16 else None

    def daily(self, s: State, day: int) -> dict[str, np.ndarray]:
        """Today's value of every series variable for all rows, shape (R, actors) (views of
        the recorder's day buffer)."""
        p, buf, sl, col = self.p, self.today, self.slices, self._col
        buf[:, sl["control"]] = s.control
        buf[:, col["brent_usd"]] = s.brent
        buf[:, col["urals_discount_usd"]] = s.discount
        np.add(s.bought, s.discounted, out=buf[:, col["exports_mbd"]])
        buf[:, col["bought_mbd"]] = s.bought
        buf[:, col["discounted_mbd"]] = s.discounted
        buf[:, col["shut_in_mbd"]] = s.shut_in
        buf[:, col["oil_revenue_musd"]] = s.revenue
        buf[:, sl["volume_mbd"]] = _importer_sum(s.volume, p, self._member)
        buf[:, sl["tariff_rate"]] = tariffs_in_force(s, p, day)
        buf[:, col["company_sanctions_share"]] = company_share_in_force(s, p, day)
        buf[:, col["at_war"]] = s.at_war
        buf[:, col["killed"]] = s.killed
        buf[:, col["injured"]] = s.injured
        return self._values

    def record(self, s: State, day: int) -> dict[str, np.ndarray]:
        p, sums = self.p, self.sums
        values = self.daily(s, day)
        sums["revenue"] += s.revenue
        sums["exports"] += self.today[:, self._col["exports_mbd"]]
        sums["shut_in"] += s.shut_in
        sums["brent"] += s.brent
        sums["discount"] += s.discount
        sums["strikes"] += s.strikes
        sums["killed"] += s.killed
        sums["injured"] += s.injured
        self.volume_sum += values["volume_mbd"]
        self.tariff_cost_sum += tariff_cost(p.exports0, values["tariff_rate"], p.trade_sigma)
        if self._all_series.shape[0]:
            self._all_series[:, day, :] = self.today[self._kept_rows]
        if self._band_days is not None:
            self._band_days[day] = self.today
        elif self.bands is not None:
            self.bands.add(day, self.today)
        return values

    def flush_bands(self) -> None:
        """Bin the buffered days of a few-row recorder into the band sketch."""
        if self._band_days is not None:
            self.bands.add_days(self._band_days)
            self._band_days = None

    def outcomes(self, s: State, occ: str, dfd: str) -> dict[str, np.ndarray]:
        """Per-replicate outcome columns at the end of the horizon."""
        self.flush_bands()
        p, sums = self.p, self.sums
        days = p.n_days + 1
        deal = s.deal_day >= 0
        out: dict[str, np.ndarray] = {
            "deal": deal, "deal_day": s.deal_day.copy(),
            "deal_by_deadline": deal & (p.deadline_day >= 0) & (s.deal_day <= p.deadline_day),
            "threat": s.threat.astype(np.int64), "decision_day": s.decision_day.copy(),
            "extensions": s.extensions.copy(),
            f"softened_{occ}": s.soft_occ.copy(), f"softened_{dfd}": s.soft_def.copy(),
        }
        w = np.asarray(p.weight) * np.ones_like(s.control)
        for k, region in enumerate(p.region_names):
            out[f"terms_{region}"] = s.control[:, k].copy()
        out["terms_aggregate"] = (s.control * w).sum(axis=-1) / w.sum(axis=-1)
        out["oil_revenue_busd"] = sums["revenue"] / 1000.0
        out["exports_mbd"] = sums["exports"] / days
        out["shut_in_mbd"] = sums["shut_in"] / days
        out["brent_mean_usd"] = sums["brent"] / days
        out["brent_end_usd"] = s.brent.copy()
        out["urals_discount_mean_usd"] = sums["discount"] / days
        for m, imp in enumerate(p.importer_ids):
            out[f"volume_{imp}_mbd"] = self.volume_sum[:, m] / days
            out[f"tariff_cost_{imp}_busd"] = self.tariff_cost_sum[:, m] / 365.0
        for k in ("strikes", "killed", "injured"):
            out[k] = sums[k].astype(np.int64)
        return out
