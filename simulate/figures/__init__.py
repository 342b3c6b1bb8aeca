"""Publication figures from Results (matplotlib, no pyplot, no display needed).

Every drawing function takes ``ax=None`` (None: a new styled figure of journal column width
with a source caption line) and returns its axes; ``footer=False`` drops the source line
(it is off by default when drawing into the caller's ``ax``); the numbers it draws come
from a separate data function in :mod:`simulate.figures.data` (or, for the comparison of
runs, :mod:`simulate.figures.comparison_data`). Kinds are registered in
:data:`~simulate.figures.registry.FIGURES`; reports and ``results.plot`` iterate over it.
"""

from __future__ import annotations

from . import comparison as _comparison  # noqa: F401  (registers its kinds)
from . import importers as _importers  # noqa: F401
from . import outcomes as _outcomes  # noqa: F401
from . import timeseries as _timeseries  # noqa: F401
from .accessor import PlotAccessor
from .comparison import compare_outcomes
from .comparison_data import compare_differences_data, compare_outcomes_data
from .data import (
    deal_probability_data,
    fan_data,
    flows_data,
    tariff_cost_data,
    terms_data,
    wilson_interval,
)
from .importers import importer_volumes
from .outcomes import tariff_costs, terms
from .regimes import mixture, paths_data, regime_fan_data
from .registry import (
    DEFAULT_FORMATS,
    FIGURES,
    FORMATS,
    FigureKind,
    encode_all,
    figure_bytes,
    figure_kind,
    get_kind,
    kinds,
    register,
    render,
    save_figure,
)
from .styling import (
    ACTOR_COLORS,
    COLUMN_WIDTH,
    OKABE_ITO,
    PALETTE,
    STYLE,
    actor_color,
    add_caption,
    source_line,
    style,
)
from .timeseries import (
    brent,
    deal_probability,
    fan,
    flows,
    oil_revenue,
    urals_discount,
)

__all__ = [
    "FIGURES", "FORMATS", "DEFAULT_FORMATS", "encode_all", "FigureKind", "figure_kind",
    "register", "get_kind", "kinds", "render", "figure_bytes", "save_figure", "PlotAccessor",
    "deal_probability", "fan", "brent", "urals_discount", "oil_revenue", "importer_volumes",
    "flows", "terms", "tariff_costs", "compare_outcomes",
    "deal_probability_data", "fan_data", "flows_data", "terms_data", "tariff_cost_data",
    "compare_outcomes_data", "compare_differences_data", "wilson_interval", "mixture",
    "regime_fan_data", "paths_data",
    "STYLE", "OKABE_ITO", "PALETTE", "ACTOR_COLORS", "actor_color", "COLUMN_WIDTH", "style",
    "add_caption", "source_line",
]
