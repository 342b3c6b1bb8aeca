"""Parquet files of a results folder: units and column dtypes in the schema metadata.

Units travel in the schema metadata key ``simulate.units`` (JSON) and in each column's
``unit`` field metadata; the dtypes of the series and the bands (categories included) in
``simulate.dtypes``, so that loading restores the frames exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["UNITS_KEY", "DTYPES_KEY", "BAND_COLUMNS", "REGIME_BAND_COLUMNS", "write_parquet",
           "read_series", "read_regime_bands", "dtypes_of", "restore_dtypes", "empty_bands",
           "empty_regime_bands"]

#: Parquet schema metadata key holding the units (JSON object)
UNITS_KEY = b"simulate.units"
#: Parquet schema metadata key of the column dtypes of the series and the bands
DTYPES_KEY = b"simulate.dtypes"
#: columns of the tidy quantile bands (``Results.bands``)
BAND_COLUMNS = ["day", "date", "variable", "actor", "stat", "value"]
#: columns of the tidy bands of each regime (``Results.regime_bands``)
REGIME_BAND_COLUMNS = ["by", "regime", *BAND_COLUMNS]


def dtypes_of(frame: pd.DataFrame) -> dict[str, Any]:
    """column -> dtype name, or the list of categories of a categorical column."""
    out: dict[str, Any] = {}
    for c in frame.columns:
        dtype = frame[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[str(c)] = {"categories": [v.item() if hasattr(v, "item") else v
                                          for v in dtype.categories]}
        else:
            out[str(c)] = str(dtype)
    return out


def restore_dtypes(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """Give columns back the dtypes they had when saved (see :func:`dtypes_of`)."""
    for col, dtype in dtypes.items():
        if col not in frame:
            continue
        try:
            if isinstance(dtype, dict):
                if not isinstance(frame[col].dtype, pd.CategoricalDtype):
                    frame[col] = pd.Categorical(frame[col], categories=dtype["categories"])
            elif str(frame[col].dtype) != dtype:
                frame[col] = frame[col].astype(dtype)
        except (TypeError, ValueError):  # pragma: no cover - keep what Parquet gave
            pass
    return frame


def write_parquet(frame: pd.DataFrame, path: Path, units: dict[str, str],
                   column_units: dict[str, str], extra: dict[bytes, str] | None = None) -> None:
    """Parquet with units in the schema metadata and each column's ``unit`` field metadata.

    ``frame.attrs`` are kept under pandas' own ``PANDAS_ATTRS`` key, so ``read_parquet``
    restores them.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [f.with_metadata({b"unit": column_units[f.name].encode()})
              if column_units.get(f.name) else f for f in table.schema]
    meta = dict(table.schema.metadata or {})
    meta[UNITS_KEY] = json.dumps(units).encode()
    if frame.attrs:
        meta[b"PANDAS_ATTRS"] = json.dumps(frame.attrs, default=str).encode()
    for key, value in (extra or {}).items():
        meta[key] = value.encode()
    table = table.cast(pa.schema(fields, metadata=meta))
    pq.write_table(table, path, compression="snappy")


def read_series(d: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kept series and the bands of a results folder.

    Folders written before ``bands.parquet`` existed kept the bands inside
    ``timeseries.parquet`` (rows with ``replicate == -1`` and a ``stat`` column); they are
    split apart here, so such folders still load.
    """
    frame = pd.read_parquet(d / "timeseries.parquet")
    dtypes = read_dtypes(d / "timeseries.parquet")
    if (d / "bands.parquet").is_file():
        ts, bands = frame, pd.read_parquet(d / "bands.parquet")
        dtypes.update(read_dtypes(d / "bands.parquet"))
    elif "stat" in frame:
        is_band = (frame["replicate"] < 0).to_numpy()
        ts = frame[~is_band].drop(columns="stat").reset_index(drop=True)
        bands = frame[is_band].drop(columns="replicate").reset_index(drop=True)
    else:
        ts, bands = frame, empty_bands()
    ts = restore_dtypes(ts, dtypes.get("timeseries", {}))
    bands = restore_dtypes(bands, dtypes.get("bands", {}))
    bands = bands[BAND_COLUMNS + [c for c in bands if c not in BAND_COLUMNS]] \
        if len(bands) else empty_bands()
    return ts, bands


def read_dtypes(path: Path) -> dict:
    import pyarrow.parquet as pq
    meta = pq.read_schema(path).metadata or {}
    try:
        return json.loads(meta.get(DTYPES_KEY, b"{}"))
    except json.JSONDecodeError:
        return {}


def empty_bands() -> pd.DataFrame:
    return pd.DataFrame(columns=BAND_COLUMNS)


def empty_regime_bands() -> pd.DataFrame:
    return pd.DataFrame(columns=REGIME_BAND_COLUMNS)


def read_regime_bands(d: Path) -> pd.DataFrame:
    """The bands of each regime of a results folder (``regime_bands.parquet``; empty for
    folders written before it existed, whose figures then split the kept replicates)."""
    path = d / "regime_bands.parquet"
    if not path.is_file():
        return empty_regime_bands()
    frame = restore_dtypes(pd.read_parquet(path), read_dtypes(path).get("regime_bands", {}))
    return frame[REGIME_BAND_COLUMNS] if len(frame) else empty_regime_bands()
