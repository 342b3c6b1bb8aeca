"""The daily series a run records and the actor axis of each: part of the output contract.

The engines compute the values (``simulate.engines.record.day_values``, one column per
series and actor, in :data:`SERIES` order); the scenario layer holds the catalogue so that
the ``experiment:`` block's outcomes can name a series and an actor, and be checked, when
the scenario is loaded. Actor ids per axis: the scenario's regions, its importers, their
buyers as ``IMPORTER.buyer`` (file order), and ``""`` for a scalar series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .findings import as_dict

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["SERIES", "Axis", "axis_ids", "scenario_actors", "data_actors"]

#: the actor axis of a series: "region", "importer", "buyer", or None (a scalar series)
Axis = str | None

#: daily series: name -> which actors it has ("region", "importer", "buyer" or None)
SERIES: dict[str, Axis] = {
    "control": "region", "brent_usd": None, "urals_discount_usd": None, "exports_mbd": None,
    "bought_mbd": None, "discounted_mbd": None, "shut_in_mbd": None,
    "oil_revenue_musd": None, "volume_mbd": "importer", "tariff_rate": "importer",
    "company_sanctions_share": None, "at_war": None, "killed": None, "injured": None,
    # trade v2
    "fob_discount_usd": None, "delivered_discount_usd": None, "freight_premium_usd": None,
    "urals_fob_usd": None, "stored_mbd": None, "designation_status": None,
    "buyer_volume_mbd": "buyer", "directive": "importer",
    "released_mbd": None, "expected_loss_mbd": None, "perceived_loss_mbd": None,
    "buyer_premium_usd": "buyer", "export_capacity_mbd": None,
}


def axis_ids(regions: Iterable[Any], buyers: Mapping[Any, Iterable[Any]],
             ) -> dict[Axis, list[str]]:
    """Actor ids per series axis, from the region ids and each importer's buyer ids (both
    in file order): regions, importers, ``IMPORTER.buyer`` and ``[""]`` for scalars."""
    return {"region": [str(r) for r in regions], "importer": [str(m) for m in buyers],
            "buyer": [f"{m}.{k}" for m, ks in buyers.items() for k in ks], None: [""]}


def scenario_actors(scenario: Scenario) -> dict[Axis, list[str]]:
    """A scenario's actor ids per series axis (:data:`SERIES` kinds), in the engines'
    order: regions, importers, buyers (``IMPORTER.buyer``) and ``[""]`` for scalars."""
    importers = scenario.actors_of("importer")
    return axis_ids(scenario.regions, {m: a.buyers for m, a in importers.items()})


def data_actors(data: dict) -> dict[Axis, list[str] | None]:
    """:func:`scenario_actors` of plain scenario data, None for an axis whose part is not
    well-formed (the typed validation reports it; nothing is checked against it)."""
    regions, actors = data.get("regions"), data.get("actors")
    importers = {aid: a.get("buyers", {}) for aid, a in as_dict(actors).items()
                 if isinstance(a, dict) and a.get("role") == "importer"}
    ids: dict[Axis, list[str] | None] = dict(axis_ids(as_dict(regions), {
        m: as_dict(b) for m, b in importers.items()}))
    if not isinstance(regions, dict):
        ids["region"] = None
    if not isinstance(actors, dict) or not all(
            isinstance(a, dict) and isinstance(a.get("role"), str)
            for a in actors.values()):
        ids["importer"] = ids["buyer"] = None
    if not all(isinstance(b, dict) for b in importers.values()):
        ids["buyer"] = None
    return ids
