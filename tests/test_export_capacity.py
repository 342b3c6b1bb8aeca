"""Dated changes of the occupier's export capacity (timeline action ``export_capacity``,
docs/model.md 4.7 and 4.11): the capacity of a day is the scenario's plus the changes dated
up to it; the market clears on it, barrels balance on it, and Brent counts a change as
supply (a cut as barrels missing from the world, a rise as a surplus). A deal that lifts the
measures does not stop them: they are not measures.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulate.engines.band_layout import band_layout
from simulate.errors import ScenarioError
from simulate.execution.runner import run
from simulate.model import tradeday as T
from simulate.scenario import load_scenario

HERE = Path(__file__).parent / "model_scenarios"
TOL = 1e-9


def _with_timeline(tmp_path: Path, name: str, actions: list[dict]) -> Path:
    """A copy of tests/model_scenarios/NAME.yaml with ``actions`` as its timeline."""
    data = yaml.safe_load((HERE / f"{name}.yaml").read_text())
    data["timeline"] = actions
    path = tmp_path / f"{name}_capacity.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _change(date: str, mbd: float) -> dict:
    return {"date": _dt.date.fromisoformat(date), "actor": "RU", "action": "export_capacity",
            "change_mbd": mbd}


def _series(res, variable: str, actor: str = "") -> np.ndarray:
    ts = res.timeseries
    sel = ts[(ts.variable == variable) & (ts.actor == actor) & (ts.replicate == 0)]
    return sel.sort_values("day")["value"].to_numpy()


#: clearing.yaml (capacity 3.0 mb/d) with +0.2 mb/d from day 2 and -0.5 more from day 4
CHANGES = [_change("2025-01-03", 0.2), _change("2025-01-05", -0.5)]
CAPACITY = np.array([3.0, 3.0, 3.2, 3.2, 2.7, 2.7])


def test_capacity_changes_move_the_clearing_and_brent(tmp_path):
    """clearing.yaml's closed form D = D0 + (Q_t - sum V) / sum a holds with the day's
    capacity Q_t; everything offered is sold; and Brent is P0 (1 - (Q0 - Q_t) / W)^(-1/e):
    the cut is a loss to the world, the rise a surplus (no spare capacity responds)."""
    res = run(_with_timeline(tmp_path, "clearing", CHANGES), progress=False,
              counterfactual=False)
    s = res.scenario
    np.testing.assert_allclose(_series(res, "export_capacity_mbd"), CAPACITY, rtol=TOL)
    np.testing.assert_allclose(_series(res, "exports_mbd"), CAPACITY, rtol=TOL)
    buyers = [b for a in s.actors_of("importer").values() for b in a.buyers.values()]
    total_v = sum(b.base_volume_mbd for b in buyers)
    total_a = sum(b.demand_slope_mbd_per_usd for b in buyers)
    delivered = s.market.urals_discount_usd + (CAPACITY - total_v) / total_a
    assert delivered[[0, 2, 4]] == pytest.approx([7.0, 9.0, 4.0])
    np.testing.assert_allclose(_series(res, "delivered_discount_usd"), delivered, rtol=TOL)
    m = s.market
    e = m.supply_elasticity + abs(m.demand_elasticity)
    loss = s.market.export_capacity_mbd - CAPACITY
    brent = m.brent_usd * (1.0 - loss / m.world_demand_mbd) ** (-1.0 / e)
    np.testing.assert_allclose(_series(res, "brent_usd"), brent, rtol=TOL)
    assert brent[2] < m.brent_usd < brent[4]
    for name in ("shut_in_mbd", "stored_mbd", "released_mbd"):
        assert np.all(_series(res, name) == 0.0)


def test_a_cut_below_demand_rations_and_balances(tmp_path):
    """A cut to 2.0 mb/d, below the 2.5 mb/d the buyers take at the floor of the discount
    search, leaves the market short: exports are the capacity and barrels balance
    (capacity + released = exports + stored + shut in) on the day's capacity."""
    path = _with_timeline(tmp_path, "clearing", [_change("2025-01-02", -1.0)])
    res = run(path, progress=False, counterfactual=False)
    cap = _series(res, "export_capacity_mbd")
    np.testing.assert_allclose(cap, [3.0, 2.0, 2.0, 2.0, 2.0, 2.0], rtol=TOL)
    used = (_series(res, "exports_mbd") + _series(res, "stored_mbd")
            + _series(res, "shut_in_mbd"))
    np.testing.assert_allclose(cap + _series(res, "released_mbd"), used, rtol=TOL)
    np.testing.assert_allclose(_series(res, "exports_mbd"), cap, rtol=TOL)


def test_capacity_never_falls_below_zero(tmp_path):
    res = run(_with_timeline(tmp_path, "clearing", [_change("2025-01-02", -5.0),
                                                   _change("2025-01-04", 1.0)]),
              progress=False, counterfactual=False)
    np.testing.assert_allclose(_series(res, "export_capacity_mbd"),
                               [3.0, 0.0, 0.0, 0.0, 0.0, 0.0], atol=0)
    np.testing.assert_allclose(_series(res, "exports_mbd"), [3.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                               atol=0)


def _actions(*rows: tuple[float, int, float, float]) -> np.ndarray:
    """Flat trade action rows (day, code, price column, news), NaN-terminated."""
    out = np.full(T.MAX_TRADE_ACTIONS * T.NA, np.nan)
    for i, (day, code, price, news) in enumerate(rows):
        out[i * T.NA:(i + 1) * T.NA] = (day, code, 0.0, 0.0, price, -1, news)
    return out


def test_only_capacity_changes_apply_once_a_deal_lifted_the_measures():
    acts = _actions((3, T.A_PRICE_CAP, 60.0, 0.1), (3, T.A_CAPACITY, 0.4, 0.2),
                    (5, T.A_CAPACITY, -0.1, 0.0))
    embargo = np.full(2, -1.0)
    lifted = T.empty_policy()
    assert T.apply_actions_today(acts, 3, lifted, embargo, False) == 0.0
    assert lifted[T.P_CAPACITY] == 0.4 and lifted[T.P_PRICE_CAP] == 0.0
    live = T.empty_policy()
    assert T.apply_actions_today(acts, 3, live, embargo) == pytest.approx(0.3)
    assert live[T.P_CAPACITY] == 0.4 and live[T.P_PRICE_CAP] == 60.0
    T.apply_actions_today(acts, 5, live, embargo)
    assert live[T.P_CAPACITY] == pytest.approx(0.3)


def test_band_edges_cover_the_capacity_path(tmp_path):
    s = load_scenario(_with_timeline(tmp_path, "clearing", CHANGES))
    layout = band_layout(s)
    j = layout.columns.index(("export_capacity_mbd", ""))
    lo, hi = layout.lo[:, j], layout.lo[:, j] + layout.width[:, j] * layout.nbins[j]
    np.testing.assert_allclose(lo, 2.7, rtol=TOL)
    np.testing.assert_allclose(hi, 3.2, rtol=TOL)
    b = layout.columns.index(("brent_usd", ""))
    m = s.market
    e = m.supply_elasticity + abs(m.demand_elasticity)
    # the surplus of the rise lowers the floor of Brent's range below the start price
    assert layout.lo[0, b] <= m.brent_usd * (1 + 0.2 / m.world_demand_mbd) ** (-1 / e)


@pytest.mark.parametrize(("action", "message"), [
    ({"action": "export_capacity"}, "required key missing: expected a change of export "
                                    "capacity in mb/d (a number) for a export_capacity action"),
    ({"action": "price_cap", "price_usd": 60.0, "change_mbd": 0.3},
     "change_mbd applies to an export_capacity action, found it on a price_cap action"),
])
def test_a_change_without_its_number_or_on_another_action_is_an_error(tmp_path, action,
                                                                       message):
    act = {"date": _dt.date(2025, 1, 3), "actor": "RU", **action}
    with pytest.raises(ScenarioError) as err:
        load_scenario(_with_timeline(tmp_path, "clearing", [act]))
    assert "timeline[0].change_mbd" in str(err.value)
    assert message in str(err.value)


def test_an_uncertain_change_is_drawn_per_replicate(tmp_path):
    """``uncertainty: timeline[0].change_mbd`` draws the change per replicate; the day's
    capacity after the date is the start capacity plus that replicate's draw."""
    path = _with_timeline(tmp_path, "clearing", [_change("2025-01-03", 0.2)])
    data = yaml.safe_load(path.read_text())
    data["uncertainty"] = {"timeline[0].change_mbd": {"dist": "uniform", "low": -0.5,
                                                       "high": 0.5}}
    data["ensemble"] = {"replicates": 6, "seed": 1}
    data["outputs"] = {"keep_series": 6}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    res = run(path, progress=False, counterfactual=False)
    drawn = res.outcomes["param:timeline[0].change_mbd"].to_numpy()
    assert np.ptp(drawn) > 0.3 and np.all(np.abs(drawn) <= 0.5)
    ts = res.timeseries
    cap = ts[(ts.variable == "export_capacity_mbd") & (ts.replicate >= 0)].pivot(
        index="replicate", columns="day", values="value").to_numpy()
    np.testing.assert_allclose(cap[:, :2], 3.0, rtol=TOL)
    np.testing.assert_allclose(cap[:, 2:], np.repeat(3.0 + drawn[:, None], 4, axis=1),
                               rtol=TOL)


def test_a_change_after_a_deal_that_lifted_the_measures_still_applies_in_both_engines(
        tmp_path):
    """bargain.yaml with a sanctioner settles on day 0 (the measures are lifted from then
    on); a cut dated day 2 still moves the capacity, and the events engine, which calls the
    same phases at its event times, records the same numbers as the batch engine."""
    from simulate.engines.batch import run_batch
    from simulate.engines.events import run_events

    path = _with_timeline(tmp_path, "bargain", [_change("2025-01-03", -0.3)])
    data = yaml.safe_load(path.read_text())
    data["actors"]["US"] = {"role": "sanctioner"}     # whose measures a deal lifts
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    s = load_scenario(path)
    reps = np.arange(4)
    batch = run_batch(s, 3, reps, keep_series=4)
    events = run_events(s, 3, reps, keep_series=4, log=False)
    assert np.all(batch.outcomes["deal"]) and np.all(batch.outcomes["deal_day"] == 0)
    cap = batch.series["export_capacity_mbd"][:, :, 0]
    np.testing.assert_allclose(cap, np.tile([1.0, 1.0, 0.7, 0.7], (4, 1)), rtol=TOL)
    for name in batch.series:
        assert np.array_equal(batch.series[name], events.series[name]), name
    for col in batch.outcomes:
        assert np.array_equal(np.asarray(batch.outcomes[col]),
                              np.asarray(events.outcomes[col])), col
