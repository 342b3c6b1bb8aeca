"""Turn one replicate's phase reports into event-log rows and readable sentences."""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..model.params import Params
from ..model.state import State
from ..scenario.schema import Scenario

__all__ = ["Narrator"]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


class Narrator:
    """Collects rows ``{day, date, actor, event, details}`` for a one-replicate run."""

    def __init__(self, scenario: Scenario, p: Params, s: State):
        self.scenario, self.p, self.s = scenario, p, s
        self.rows: list[dict] = []
        self.us = p.sanctioner_id or "-"
        self.prev_tariffs = np.zeros(len(p.importer_ids))
        self.prev_company = 0.0
        self.below_half = np.zeros(len(p.buyer_ids), dtype=bool)
        self.month = np.zeros(3, dtype=np.int64)
        #: a single day with at least this many killed gets its own event
        self.heavy_killed = 5

    def date(self, day: int) -> _dt.date:
        return self.scenario.start + _dt.timedelta(days=int(day))

    def add(self, day: int, actor: str, event: str, details: str) -> None:
        self.rows.append({"day": int(day), "date": self.date(day).isoformat(), "actor": actor,
                          "event": event, "details": details})

    def tell(self, phase: str, day: int, report: dict) -> None:
        getattr(self, f"_{phase}", lambda d, r: None)(day, report)

    # ----- phases ---------------------------------------------------------------------------
    def _policy(self, day: int, r: dict) -> None:
        for act in self.scenario.timeline:
            if (act.date - self.scenario.start).days == day and act.action != "talks":
                what = act.note or act.action.replace("_", " ")
                if not r["live"][0]:
                    what += " (not applied: a deal has lifted the measures)"
                self.add(day, act.actor, "timeline", what)

    def _sanctioner(self, day: int, r: dict) -> None:
        if not r["due"][0]:
            return
        p, s = self.p, self.s
        cred = float(np.asarray(p.credibility).reshape(-1)[0])
        u = float(r["u_carry"][0])
        if r["carry"][0]:
            parts = []
            rate = float(np.asarray(p.tariff_rate).reshape(-1)[0])
            targets = [m for m, t in zip(p.importer_ids, p.tariff_targets, strict=True) if t]
            if rate > 0 and targets:
                start = self.date(day + int(np.asarray(p.tariff_lag).reshape(-1)[0]))
                parts.append(f"{_pct(rate)} tariff on {', '.join(targets)} from {start}")
            share = float(np.asarray(p.company_share).reshape(-1)[0])
            if share > 0:
                start = self.date(day + int(np.asarray(p.company_lag).reshape(-1)[0]))
                parts.append(f"sanctions on companies selling {_pct(share)} of "
                             f"{p.occ_id} oil exports from {start}")
            self.add(day, self.us, "threat_carried_out",
                     f"deadline passed without a deal; threat carried out (draw {u:.2f} < "
                     f"credibility {cred:.2f}): " + "; ".join(parts))
        elif r["extend"][0]:
            ext = float(np.asarray(p.extension_probability).reshape(-1)[0])
            self.add(day, self.us, "deadline_extended",
                     f"deadline passed without a deal; not carried out (draw {u:.2f} >= "
                     f"credibility {cred:.2f}); talks on {self.date(s.last_talks[0])} count as "
                     f"progress, deadline extended to {self.date(s.deadline[0])} (draw "
                     f"{float(r['u_extend'][0]):.2f} < {ext:.2f})")
        else:
            why = "no talks in the progress window" if not r["progress"][0] else \
                "no extension granted"
            self.add(day, self.us, "threat_lapsed",
                     f"deadline passed without a deal; threat not carried out (draw {u:.2f} >= "
                     f"credibility {cred:.2f}) and {why}: it lapses")

    def _buyers(self, day: int, r: dict) -> None:
        p, s = self.p, self.s
        tariffs = r["tariffs"][0]
        for m, imp in enumerate(p.importer_ids):
            if not np.isclose(tariffs[m], self.prev_tariffs[m]):
                self.add(day, self.us, "tariff",
                         f"extra US tariff on {imp} now {_pct(tariffs[m])} "
                         f"(was {_pct(self.prev_tariffs[m])})")
        self.prev_tariffs = tariffs.copy()
        company = float(r["company"][0])
        if not np.isclose(company, self.prev_company):
            self.add(day, self.us, "company_sanctions",
                     f"sanctions now cover companies selling {_pct(company)} of {p.occ_id} oil "
                     f"exports (was {_pct(self.prev_company)})")
        self.prev_company = company
        base = np.broadcast_to(np.asarray(p.base_volume, float), s.volume.shape)[0]
        share = np.divide(s.volume[0], base, out=np.ones_like(base), where=base > 0)
        for b, name in enumerate(p.buyer_ids):
            if share[b] < 0.5 and not self.below_half[b]:
                self.add(day, name.split(".")[0], "buyer_cut",
                         f"{name} cut purchases below half of its base: {s.volume[0, b]:.2f} "
                         f"mb/d ({_pct(share[b])})")
            elif share[b] >= 0.5 and self.below_half[b]:
                self.add(day, name.split(".")[0], "buyer_resumed",
                         f"{name} back above half of its base: {s.volume[0, b]:.2f} mb/d")
        self.below_half = share < 0.5

    def _market(self, day: int, r: dict) -> None:
        if day % 30:
            return
        s = self.s
        self.add(day, "market", "market",
                 f"Brent ${s.brent[0]:.1f}/bbl, Urals discount ${s.discount[0]:.1f}; "
                 f"{self.p.occ_id} exports {s.bought[0] + s.discounted[0]:.2f} mb/d "
                 f"({s.shut_in[0]:.2f} shut in), revenue ${s.revenue[0]:.0f}M/day")

    def _war(self, day: int, r: dict) -> None:
        s, p = self.s, self.p
        self.month += (s.strikes[0], s.killed[0], s.injured[0])
        if s.killed[0] >= self.heavy_killed:
            self.add(day, p.occ_id, "strike",
                     f"deadly strikes on civilians: {s.strikes[0]} strike(s), {s.killed[0]} "
                     f"killed, {s.injured[0]} injured")
        if day % 30 == 29 and self.month[0] > 0:
            n, k, i = (int(v) for v in self.month)
            self.add(day, p.occ_id, "strikes",
                     f"past 30 days: {n} strikes on civilians, {k} killed, {i} injured")
            self.month[:] = 0
        if day % 30 == 0 and s.at_war[0]:
            line = ", ".join(f"{n} {_pct(c)}"
                             for n, c in zip(p.region_names, s.control[0], strict=True))
            self.add(day, "front", "front", f"{p.occ_id}-held shares: {line}")

    def _negotiation(self, day: int, r: dict) -> None:
        p, s = self.p, self.s
        for side, flag, cost, resolve in (
            (p.occ_id, "soft_occ", s.cost_occ, p.resolve_occ),
            (p.def_id, "soft_def", s.cost_def, p.resolve_def),
        ):
            if r[flag][0]:
                res = float(np.asarray(resolve).reshape(-1)[0])
                self.add(day, side, "demands_softened",
                         f"hard demands soften to the current line (cumulative war cost "
                         f"{cost[0]:.3f} > resolve {res:.3f})")
        if not r["talks"][0]:
            return
        lo, hi = float(r["low"][0]), float(r["high"][0])
        beliefs = (f"{p.occ_id} expects {r['p_occ'][0]:.3f} from fighting on, {p.def_id} "
                   f"{r['p_def'][0]:.3f}")
        if r["agree"][0]:
            terms = ", ".join(f"{n} {_pct(c)}"
                              for n, c in zip(p.region_names, s.terms[0], strict=True))
            self.add(day, "talks", "deal",
                     f"talks held; {beliefs}; acceptable terms [{lo:.3f}, {hi:.3f}]; deal agreed "
                     f"(draw {r['u_agree'][0]:.2f} < p_agree): {p.occ_id} keeps {terms} "
                     f"(aggregate {float(r['terms'][0]):.3f})")
        elif r["possible"][0]:
            self.add(day, "talks", "talks",
                     f"talks held; {beliefs}; acceptable terms [{lo:.3f}, {hi:.3f}]; no "
                     f"agreement this time (draw {r['u_agree'][0]:.2f} >= p_agree)")
        else:
            self.add(day, "talks", "talks", f"talks held; {beliefs}; {self._why_no_zone(lo, hi)}")

    def _why_no_zone(self, lo: float, hi: float) -> str:
        """Name the hard demands that clash, or the gap between the sides' bounds."""
        from ..model.negotiation import hard_limits
        p, s = self.p, self.s
        floor, ceil = hard_limits(p.floor_demand, p.ceil_demand, s.control, s.soft_occ,
                                  s.soft_def)
        clashes = [f"{n} (at least {_pct(f)} vs at most {_pct(c)})"
                   for n, f, c in zip(p.region_names, floor[0], ceil[0], strict=True)
                   if f > c + 1e-12]
        if clashes:
            return "no zone of agreement: hard demands clash in " + ", ".join(clashes)
        return (f"no zone of agreement: {p.occ_id} needs at least {lo:.3f}, {p.def_id} accepts "
                f"at most {hi:.3f}")
