"""Invariants that hold for every valid scenario, checked on generated scenarios.

Scenarios come from the shared strategies (``strategies.scenarios``) and from the model's
own variants (``model_strategies.model_scenarios``: 'line' demands, no sanctioner, zero start
revenue, per-replicate choices). Each is run with the batch engine, every replicate keeping its
daily series, and with its counterfactual. Checked:

- no NaN or infinity anywhere in the outcomes or the series;
- volumes >= 0 (buyers, exports, bought, discounted, stored, released, shut in);
- barrels conserved every day with each replicate's drawn export capacity:
  capacity + released = bought + discounted + stored + shut_in;
- prices finite and > 0 (Brent and Urals = Brent - discount);
- shares in [0, 1] (front line, terms, company-sanctions share; at_war is 0 or 1);
- deals: deal <=> deal_day >= 0, the war stops after it (no more casualties), terms respect
  the hard numeric demands of a side whose demands have not softened;
- counts are non-negative integers, casualties only with strikes; tariff costs >= 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from model_strategies import model_scenarios
from strategies import scenarios
from trade_driver import capacity_path

from simulate.engines.batch import base_outcomes
from simulate.errors import ScenarioError, SimulateError
from simulate.execution.runner import run
from simulate.model.brent import MIN_ELASTICITY_SUM
from simulate.scenario import Scenario

EPS = 1e-9
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _run(s: Scenario):
    n = min(s.ensemble.replicates, 6)
    return run(s, replicates=n, keep_series=n, chunk_size=max(1, min(s.ensemble.chunk_size, n)),
               counterfactual=True, progress=False)


def _capacity(s: Scenario, replicates: np.ndarray) -> np.ndarray:
    """(replicates, days) export capacity each replicate ran with, mb/d: its drawn capacity
    plus the timeline's dated changes (from the parameter records)."""
    p = base_outcomes(s, s.ensemble.seed, replicates)[1]
    return capacity_path(p, s.horizon_days + 1)


def _series(res, variable: str) -> np.ndarray:
    """(replicates, days, actors) array of one daily series."""
    ts = res.timeseries
    sel = ts[ts.variable == variable].sort_values(["replicate", "day", "actor"])
    n_rep = sel.replicate.nunique()
    n_day = sel.day.nunique()
    return sel["value"].to_numpy().reshape(n_rep, n_day, -1)


def _runnable(s: Scenario) -> bool:
    """A total oil elasticity below MIN_ELASTICITY_SUM is refused at run time (the price
    response (1 - s)^(-1/sum) overflows)."""
    return s.market.supply_elasticity + abs(s.market.demand_elasticity) >= MIN_ELASTICITY_SUM


def check_invariants(s: Scenario) -> None:
    res = _run(s)
    o = res.outcomes
    n = len(o)

    # no NaN anywhere
    numeric = o.select_dtypes(include=["number", "bool"])
    assert np.isfinite(numeric.to_numpy(dtype=float)).all(), \
        numeric.columns[~np.isfinite(numeric.to_numpy(dtype=float)).all(axis=0)].tolist()
    assert not o.isna().any().any()
    ts = res.timeseries
    assert len(ts) > 0 and ts["replicate"].nunique() == n
    assert np.isfinite(ts["value"].to_numpy()).all()

    # barrels: volumes >= 0 and conserved every day, at each replicate's capacity that day
    bought, disc, shut, stored, released = (
        _series(res, v)[..., 0] for v in
        ("bought_mbd", "discounted_mbd", "shut_in_mbd", "stored_mbd", "released_mbd"))
    volume = _series(res, "volume_mbd")
    for arr in (bought, disc, shut, stored, released, volume, _series(res, "exports_mbd"),
                _series(res, "buyer_volume_mbd")):
        assert (arr >= 0).all()
    replicates = np.sort(ts["replicate"].unique())
    assert np.array_equal(replicates, np.sort(o["replicate"].to_numpy()))
    capacity = _capacity(s, replicates)
    np.testing.assert_allclose(bought + disc + stored + shut, capacity + released, rtol=EPS,
                               atol=EPS)
    np.testing.assert_allclose(volume.sum(axis=-1), bought, rtol=EPS, atol=EPS)
    for col in ("exports_mbd", "shut_in_mbd"):
        assert (o[col] >= 0).all()
    assert (o.filter(regex=r"^volume_.*_mbd$") >= 0).all().all()
    order = np.argsort(o["replicate"].to_numpy())
    assert (o["exports_mbd"].to_numpy()[order]
            <= (capacity + released).mean(axis=1) + EPS).all()

    # prices
    brent = _series(res, "brent_usd")[..., 0]
    urals = brent - _series(res, "urals_discount_usd")[..., 0]
    assert (brent > 0).all() and (urals > 0).all()
    assert (o["brent_mean_usd"] > 0).all() and (o["brent_end_usd"] > 0).all()
    revenue = _series(res, "oil_revenue_musd")[..., 0]
    assert (revenue >= 0).all()
    np.testing.assert_allclose(o["oil_revenue_busd"], revenue.sum(axis=1) / 1000, rtol=1e-9,
                               atol=1e-12)
    assert (o["oil_revenue_cf_busd"] >= 0).all()

    # shares
    control = _series(res, "control")
    assert ((control >= 0) & (control <= 1)).all()
    terms = o.filter(regex=r"^terms_")
    assert ((terms >= 0) & (terms <= 1)).all().all()
    company = _series(res, "company_sanctions_share")
    assert ((company >= 0) & (company <= 1)).all()
    at_war = _series(res, "at_war")[..., 0]
    assert np.isin(at_war, (0.0, 1.0)).all()
    assert (_series(res, "tariff_rate") >= 0).all()

    # deals and the war
    deal, day = o["deal"].to_numpy(), o["deal_day"].to_numpy()
    assert (deal == (day >= 0)).all() and (day <= s.horizon_days).all() and (day >= -1).all()
    killed = _series(res, "killed")[..., 0]
    for r in range(n):
        if deal[r]:
            assert (at_war[r, : day[r]] == 1).all() and (at_war[r, day[r]:] == 0).all()
            assert (killed[r, day[r] + 1:] == 0).all()
        else:
            assert (at_war[r] == 1).all()
    occ = next(k for k, a in s.actors_of("belligerent").items() if a.side == "occupier")
    dfd = next(k for k, a in s.actors_of("belligerent").items() if a.side == "defender")
    uncertain_control = any(k.startswith("regions.") for k in s.uncertainty)
    def demand(side: str, region: str, default: float) -> np.ndarray:
        """Each replicate's demand (the sampled one if uncertain); NaN for 'line'."""
        col = f"param:actors.{side}.demands.{region}"
        values = o[col] if col in o else [s.actors[side].demands.get(region, default)] * n
        return np.array([np.nan if v == "line" else float(v) for v in values])

    # Negotiation v2 (docs/model.md 4.12): a side's reservation point (its demand here) moves
    # toward the line as its load grows and passes the line only once the load passes 1
    # ('softened'), so an unsoftened side settles between its demand and the line of the
    # deal day. That line is the previous day's plus one day's move: |drift| + |z| s with
    # |z| < 8.3 for the project's uniforms (0 < u < 1 in steps of 2^-53).
    soft_occ, soft_def = o[f"softened_{occ}"].to_numpy(), o[f"softened_{dfd}"].to_numpy()
    front = _series(res, "control")          # regions in name order (the series' actors)
    for region in s.regions:
        j = sorted(s.regions).index(region)
        x = o[f"terms_{region}"].to_numpy()
        floor, ceil = demand(occ, region, 0.0), demand(dfd, region, 1.0)
        rg = s.regions[region]
        step = abs(rg.drift_per_day) + 8.3 * rg.volatility_per_day + EPS
        for r in np.flatnonzero(deal):
            if uncertain_control and day[r] == 0:
                continue
            before = rg.control if day[r] == 0 else front[r, day[r] - 1, j]
            if not soft_occ[r] and not np.isnan(floor[r]):
                assert x[r] >= min(floor[r], before - step) - EPS
            if not soft_def[r] and not np.isnan(ceil[r]):
                assert x[r] <= max(ceil[r], before + step) + EPS
        if not uncertain_control and s.regions[region].volatility_per_day == 0 \
                and s.regions[region].drift_per_day == 0:
            assert (x[~deal] == s.regions[region].control).all()

    # counts and costs
    for col in ("strikes", "killed", "injured"):
        assert o[col].dtype.kind == "i" and (o[col] >= 0).all()
    assert (o.loc[o["strikes"] == 0, ["killed", "injured"]] == 0).all().all()
    assert (o.filter(regex=r"^tariff_cost_") >= 0).all().all()
    assert (o["extensions"] >= 0).all()
    decided = o["decision_day"].to_numpy() >= 0
    assert o.loc[decided, "threat"].isin(["carried_out", "lifted"]).all()
    assert (o.loc[o["threat"] == "carried_out", "decision_day"] >= 0).all()
    if not s.actors_of("sanctioner"):
        assert (o["threat"] == "none").all()
        assert (o["oil_revenue_loss_busd"] == 0).all()


@SETTINGS
@given(scenarios(max_regions=3, max_importers=2, max_buyers=2, max_horizon=40))
def test_invariants_on_shared_scenarios(s):
    assume(_runnable(s))
    check_invariants(s)


@SETTINGS
@given(model_scenarios())
def test_invariants_on_model_scenarios(s):
    assume(_runnable(s))
    check_invariants(s)


@pytest.mark.parametrize("path", ["aug2025.yaml", "aug2025_actual.yaml",
                                  "aug2025_threat_carried_out.yaml",
                                  "episodes/designations2025.yaml", "episodes/embargo2022.yaml",
                                  "episodes/turkey_cap2025.yaml"])
def test_invariants_on_bundled_scenarios(path):
    """The same invariants on the bundled scenarios, where storage is released and sold
    (the v1 shut-in, capacity less exports, went negative there)."""
    from pathlib import Path

    from simulate.scenario import load_scenario

    check_invariants(load_scenario(Path(__file__).parents[1] / "scenarios" / path))


@pytest.mark.parametrize("es,ed", [(0.0, 0.0), (1e-294, 0.0), (0.004, -0.005)])
def test_a_near_zero_total_oil_elasticity_is_refused(es, ed):
    from pathlib import Path

    from simulate.model.params import compile_params
    from simulate.scenario import load_scenario

    path = Path(__file__).parent / "model_scenarios" / "bargain.yaml"
    over = {"market.supply_elasticity": es, "market.demand_elasticity": ed}
    with pytest.raises(ScenarioError, match="supply_elasticity"):
        compile_params(load_scenario(path, overrides=over))
    # through run(): a SimulateError naming the key (the backend may wrap it)
    with pytest.raises(SimulateError, match="supply_elasticity"):
        run(path, overrides=over, progress=False)
