"""Turn one replicate's phase reports into event-log rows and readable sentences.

The phases (:mod:`simulate.model.day`) return tuples; :func:`report` names their values.
The narrator reads the rest from the one-row state and parameters (row 0).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from ..model.measures import tariff_in_force
from ..model.params import Params
from ..scenario.schema import Scenario

__all__ = ["Narrator", "report", "REPORTS"]

#: the names of what each phase returns
REPORTS = {
    "policy": ("live",),
    "sanctioner": ("due", "carry", "extend", "lapse", "u_carry", "u_extend", "progress",
                   "pressure_due", "pressure_carry"),
    "buyers": ("company",),
    "market": ("unsold", "loss"),
    "negotiation": ("soft_occ", "soft_def", "talks", "p_occ", "p_def", "low", "high",
                    "possible", "agree", "u_agree", "terms", "proposal", "accepted",
                    "rejected_by", "margin_occ", "margin_def"),
}


def report(phase: str, result: object) -> dict:
    """A phase's return value as a dict named by :data:`REPORTS`."""
    names = REPORTS.get(phase, ())
    if not names:
        return {}
    values = result if isinstance(result, tuple) else (result,)
    return dict(zip(names, values, strict=True))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pcts_apart(a: float, b: float) -> tuple[str, str]:
    """Two shares as percentages with the fewest decimals (up to 3) that tell them apart:
    a clash of 74.4% against 73.6% must not read "74% vs 74%"."""
    for d in range(4):
        ta, tb = f"{100 * a:.{d}f}%", f"{100 * b:.{d}f}%"
        if ta != tb:
            break
    return ta, tb


class Narrator:
    """Collects rows ``{day, date, actor, event, details}`` for a one-replicate run."""

    def __init__(self, scenario: Scenario, p: Params, s: np.recarray):
        self.scenario, self.p, self.s = scenario, p, s
        self.rows: list[dict] = []
        self.us = p.sanctioner_id or "-"
        self.prev_tariffs = np.zeros(len(p.importer_ids))
        self.q = s[0]
        self.prev_company = 0.0
        self.below_half = np.zeros(len(p.buyer_ids), dtype=bool)
        self.month = np.zeros(3, dtype=np.int64)
        #: a single day with at least this many killed gets its own event
        self.heavy_killed = 5
        #: who rejected the mediator's proposal when last judged (-1: not yet)
        self.rejected_by = -1

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
                if not r["live"]:
                    what += " (not applied: a deal has lifted the measures)"
                self.add(day, act.actor, "timeline", what)

    def _sanctioner(self, day: int, r: dict) -> None:
        if r["pressure_due"]:
            self._pressure(day, bool(r["pressure_carry"]))
        if not r["due"]:
            return
        p, q = self.p, self.q
        cred = p.first("credibility")
        u = float(r["u_carry"])
        if r["carry"]:
            parts = []
            rate = p.first("tariff_rate")
            targets = [m for m, t in zip(p.importer_ids, p.tariff_targets, strict=True) if t]
            if rate > 0 and targets:
                start = self.date(day + int(p.first("tariff_lag")))
                parts.append(f"{_pct(rate)} tariff on {', '.join(targets)} from {start}")
            share = p.first("company_share")
            if share > 0:
                start = self.date(day + int(p.first("company_lag")))
                parts.append(f"sanctions on companies selling {_pct(share)} of "
                             f"{p.occ_id} oil exports from {start}")
            self.add(day, self.us, "threat_carried_out",
                     f"deadline passed without a deal; threat carried out (draw {u:.2f} < "
                     f"credibility {cred:.2f}): " + "; ".join(parts))
        elif r["extend"]:
            ext = p.first("extension_probability")
            self.add(day, self.us, "deadline_extended",
                     f"deadline passed without a deal; not carried out (draw {u:.2f} >= "
                     f"credibility {cred:.2f}); talks on {self.date(q.last_talks)} count as "
                     f"progress, deadline extended to {self.date(q.deadline)} (draw "
                     f"{float(r['u_extend']):.2f} < {ext:.2f})")
        else:
            why = "no talks in the progress window" if not r["progress"] else \
                "no extension granted"
            self.add(day, self.us, "threat_lapsed",
                     f"deadline passed without a deal; threat not carried out (draw {u:.2f} >= "
                     f"credibility {cred:.2f}) and {why}: it lapses")

    def _buyers(self, day: int, r: dict) -> None:
        p, s = self.p, self.s
        tariffs = np.array([tariff_in_force(p.table[0], self.q, m, day)
                            for m in range(len(p.importer_ids))])
        for m, imp in enumerate(p.importer_ids):
            if not np.isclose(tariffs[m], self.prev_tariffs[m]):
                self.add(day, self.us, "tariff",
                         f"extra US tariff on {imp} now {_pct(tariffs[m])} "
                         f"(was {_pct(self.prev_tariffs[m])})")
        self.prev_tariffs = tariffs.copy()
        company = float(r["company"])
        if not np.isclose(company, self.prev_company):
            self.add(day, self.us, "company_sanctions",
                     f"sanctions now cover companies selling {_pct(company)} of {p.occ_id} oil "
                     f"exports (was {_pct(self.prev_company)})")
        self.prev_company = company
        B = len(p.buyer_ids)
        base = p.table.base_volume[0, :B]
        volume = s.volume[0, :B]
        share = np.divide(volume, base, out=np.ones_like(base), where=base > 0)
        for b, name in enumerate(p.buyer_ids):
            if share[b] < 0.5 and not self.below_half[b]:
                self.add(day, name.split(".")[0], "buyer_cut",
                         f"{name} cut purchases below half of its base: {volume[b]:.2f} "
                         f"mb/d ({_pct(share[b])})")
            elif share[b] >= 0.5 and self.below_half[b]:
                self.add(day, name.split(".")[0], "buyer_resumed",
                         f"{name} back above half of its base: {volume[b]:.2f} mb/d")
        self.below_half = share < 0.5

    def _market(self, day: int, r: dict) -> None:
        if day % 30:
            return
        q = self.q
        self.add(day, "market", "market",
                 f"Brent ${q.brent:.1f}/bbl, Urals FOB discount ${q.discount:.1f}; "
                 f"{self.p.occ_id} exports {q.bought + q.discounted:.2f} mb/d "
                 f"({q.shut_in:.2f} shut in), revenue ${q.revenue:.0f}M/day")

    def _war(self, day: int, r: dict) -> None:
        s, p, q = self.s, self.p, self.q
        self.month += (q.strikes, q.killed, q.injured)
        if q.killed >= self.heavy_killed:
            self.add(day, p.occ_id, "strike",
                     f"deadly strikes on civilians: {q.strikes} strike(s), {q.killed} "
                     f"killed, {q.injured} injured")
        if day % 30 == 29 and self.month[0] > 0:
            n, k, i = (int(v) for v in self.month)
            self.add(day, p.occ_id, "strikes",
                     f"past 30 days: {n} strikes on civilians, {k} killed, {i} injured")
            self.month[:] = 0
        if day % 30 == 0 and q.at_war:
            K = len(p.region_names)
            line = ", ".join(f"{n} {_pct(c)}"
                             for n, c in zip(p.region_names, s.control[0, :K], strict=True))
            self.add(day, "front", "front", f"{p.occ_id}-held shares: {line}")

    def _negotiation(self, day: int, r: dict) -> None:
        p, s, q = self.p, self.s, self.q
        for side, flag, cost, resolve in (
            (p.occ_id, "soft_occ", q.cost_occ, p.first("resolve_occ")),
            (p.def_id, "soft_def", q.cost_def, p.first("resolve_def")),
        ):
            if r[flag]:
                self.add(day, side, "demands_softened",
                         f"reservation points reach the current line (war cost borne "
                         f"{cost:.3f} plus threatened costs >= resolve {resolve:.3f})")
        if r["proposal"]:
            self._proposal(day, r)
        if not r["talks"]:
            return
        lo, hi = float(r["low"]), float(r["high"])
        beliefs = (f"{p.occ_id} expects fighting on to leave the occupier {r['p_occ']:.3f} "
                   f"(weighted share of the regions), {p.def_id} {r['p_def']:.3f}")
        if r["agree"]:
            K = len(p.region_names)
            terms = ", ".join(f"{n} {_pct(c)}"
                              for n, c in zip(p.region_names, s.terms[0, :K], strict=True))
            self.add(day, "talks", "deal",
                     f"talks held; {beliefs}; acceptable terms [{lo:.3f}, {hi:.3f}]; deal agreed "
                     f"(draw {r['u_agree']:.2f} < p_agree): {p.occ_id} keeps {terms} "
                     f"(aggregate {float(r['terms']):.3f})")
        elif r["possible"]:
            self.add(day, "talks", "talks",
                     f"talks held; {beliefs}; acceptable terms [{lo:.3f}, {hi:.3f}]; no "
                     f"agreement this time (draw {r['u_agree']:.2f} >= p_agree)")
        else:
            self.add(day, "talks", "talks", f"talks held; {beliefs}; {self._why_no_zone(lo, hi)}")

    def _pressure(self, day: int, carried: bool) -> None:
        p = self.p
        target = p.def_id if p.first("pressure_on_def") else p.occ_id
        cred = p.first("pressure_credibility")
        if carried:
            start = self.date(day + int(p.first("pressure_lag")))
            self.add(day, self.us, "pressure_carried_out",
                     f"pressure on {target} carried out (credibility {cred:.2f}) from {start}: "
                     f"war cost +{p.first('pressure_cost'):.4f}/day, {p.occ_id} advance "
                     f"{p.first('pressure_drift'):+.4f}/day")
        else:
            self.add(day, self.us, "pressure_lapsed",
                     f"deadline of the pressure on {target} passed; not carried out")

    def _proposal(self, day: int, r: dict) -> None:
        p = self.p
        margins = (f"margins {p.occ_id} {float(r['margin_occ']):+.3f}, "
                   f"{p.def_id} {float(r['margin_def']):+.3f}")
        if r["accepted"]:
            K = len(p.region_names)
            terms = ", ".join(f"{n} {_pct(c)}" for n, c in
                              zip(p.region_names, self.s.terms[0, :K], strict=True))
            self.add(day, "mediator", "proposal_accepted",
                     f"the mediator's proposal is accepted ({margins}): {p.occ_id} keeps "
                     f"{terms}")
        elif int(r["rejected_by"]) != self.rejected_by:
            # told on the first day and when the side that rejects changes, not every day
            who = {1: p.occ_id, 2: p.def_id, 3: f"{p.occ_id} and {p.def_id}"}[
                int(r["rejected_by"])]
            self.add(day, "mediator", "proposal_rejected",
                     f"the mediator's proposal is rejected by {who} ({margins})")
        self.rejected_by = int(r["rejected_by"])

    def _why_no_zone(self, lo: float, hi: float) -> str:
        """Name the hard demands that clash (the limits of today's talks, ``st.floor`` and
        ``st.ceil``), or the gap between the sides' bounds."""
        p, s = self.p, self.s
        K = len(p.region_names)
        clashes = [f"{n} (at least {{}} vs at most {{}})".format(*_pcts_apart(f, c))
                   for n, f, c in zip(p.region_names, s.floor[0, :K], s.ceil[0, :K], strict=True)
                   if f > c + 1e-12]
        if clashes:
            return ("no zone of agreement: reservation points clash in "
                    + ", ".join(clashes))
        return (f"no zone of agreement: {p.occ_id} needs at least {lo:.3f}, {p.def_id} accepts "
                f"at most {hi:.3f}")
