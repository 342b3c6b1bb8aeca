"""What the run figures draw, read back from their artists and checked against numbers the
test computes itself from the outcomes and series tables (not from the figures' own data
helpers): the deal curve and its Wilson band, the fan's median and bands, the tariff bars
and their Student-t whiskers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from simulate import run  # noqa: E402
from simulate.figures import outcomes as outcome_figures  # noqa: E402
from simulate.figures import timeseries  # noqa: E402
from simulate.results.results import Results  # noqa: E402

N = 120
Z = float(stats.norm.ppf(0.975))


@pytest.fixture(scope="module")
def real():
    """aug2025, 120 replicates, every replicate's series kept (so exact quantiles exist)."""
    return run("scenarios/aug2025.yaml", replicates=N, keep_series=N, progress=False,
               counterfactual=False, seed=3)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval, written out (Wilson 1927)."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def _line(ax, label: str) -> np.ndarray:
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith(label))
    return np.asarray(line.get_ydata(), dtype=float)


def test_the_deal_curve_is_the_share_of_replicates_with_a_deal_by_each_day(real):
    o = real.outcomes
    days = o["deal_day"].to_numpy()           # -1: no deal within the horizon
    ax = timeseries.deal_probability(real)
    y = _line(ax, "P(deal)")
    want = np.array([np.mean((days >= 0) & (days <= d)) for d in range(len(y))])
    assert len(y) == real.scenario.horizon_days + 1
    np.testing.assert_allclose(y, want, atol=1e-12)
    assert y[-1] == pytest.approx(float(o["deal"].mean()), abs=1e-12)
    assert 0.0 < y[-1] < 1.0                  # the check means something on this run
    # the band's top is the Wilson upper bound at the final share (it grows with the share)
    top = max(p.vertices[:, 1].max() for p in ax.collections[0].get_paths())
    assert top == pytest.approx(wilson(int(o["deal"].sum()), N)[1], abs=1e-9)


def test_the_fan_median_and_bands_are_the_quantiles_of_the_kept_paths(real):
    ts = real.timeseries
    paths = ts[(ts["variable"] == "brent_usd") & (ts["actor"] == "")].pivot(
        index="day", columns="replicate", values="value").to_numpy(dtype=float)
    assert paths.shape == (real.scenario.horizon_days + 1, N)
    # without recorded bands the fan is computed from the kept paths, exactly
    plain = Results(real.scenario, real.outcomes, real.timeseries, real.manifest)
    ax = timeseries.fan(plain, "brent_usd", split=False)
    np.testing.assert_allclose(_line(ax, "median"), np.median(paths, axis=1), rtol=1e-12)
    (outer, inner) = ax.collections[:2]
    assert outer.get_label() == "90% band" and inner.get_label() == "50% band"
    for band, (lo, hi) in ((outer, (0.05, 0.95)), (inner, (0.25, 0.75))):
        ys = band.get_paths()[0].vertices[:, 1]
        assert ys.max() == pytest.approx(np.quantile(paths, hi, axis=1).max(), rel=1e-12)
        assert ys.min() == pytest.approx(np.quantile(paths, lo, axis=1).min(), rel=1e-12)
    # with the run's bands, the line drawn is the bands' median of all replicates
    ax = timeseries.fan(real, "brent_usd", split=False)
    b = real.bands
    q50 = b[(b["variable"] == "brent_usd") & (b["actor"] == "") & (b["stat"] == "q50")]
    np.testing.assert_array_equal(_line(ax, "median"),
                                  q50.sort_values("day")["value"].to_numpy(dtype=float))


def test_tariff_bars_are_mean_costs_with_student_t_whiskers(real):
    o = real.outcomes
    paying = [imp for imp in real.importers
              if np.any(np.nan_to_num(o[f"tariff_cost_{imp}_busd"].to_numpy(float)))]
    assert paying                             # the threat was carried out in some replicate
    ax = outcome_figures.tariff_costs(real)
    bars, whiskers = ax.containers
    assert len(bars) == len(paying)
    t = float(stats.t.ppf(0.975, N - 1))
    segments = whiskers.lines[2][0].get_segments()
    for bar, seg, imp in zip(bars, segments, paying, strict=True):
        x = o[f"tariff_cost_{imp}_busd"].to_numpy(dtype=float)
        mean, se = x.mean(), x.std(ddof=1) / np.sqrt(N)
        assert bar.get_width() == pytest.approx(mean, rel=1e-12)
        assert seg[0, 0] == pytest.approx(mean - t * se, rel=1e-9)
        assert seg[1, 0] == pytest.approx(mean + t * se, rel=1e-9)
        assert seg[0, 1] == pytest.approx(bar.get_y() + bar.get_height() / 2)
