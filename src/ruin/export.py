"""Export results: summary and per-path tables as CSV, Parquet and JSON; charts as PNG/SVG.

Pure serialisation (polars, json, vl-convert); the app's download buttons hand these bytes
over unchanged, so what is tested here is what users download.

* :func:`summary_frame` flattens the ``SimulationResult.summary()`` JSON contract into rows
  ``(metric, value)``; nested keys are joined with dots (``ruin_probability.ci_low``).
* :func:`paths_frame` is one row per simulated path.
* :func:`to_json_bytes` writes strict JSON: NaN and infinities become ``null``.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

__all__ = [
    "flatten",
    "summary_frame",
    "paths_frame",
    "to_csv_bytes",
    "to_parquet_bytes",
    "to_json_bytes",
    "chart_png",
    "chart_svg",
]

_PATH_COLUMNS = (
    "final_equity",
    "max_drawdown",
    "ruin_trade",
    "goal_trade",
    "longest_losing_streak",
    "longest_underwater",
    "wins",
    "trades_taken",
)


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, numpy scalars/arrays -> Python, tuples -> lists."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_clean(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return str(obj)


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}} -> {"a.b": 1}``; lists become ``a.0``, ``a.1`` ..."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        elif isinstance(v, (list, tuple)):
            out.update(flatten({str(i): x for i, x in enumerate(v)}, key + "."))
        else:
            out[key] = v
    return out


def summary_frame(summary: Mapping[str, Any]) -> pl.DataFrame:
    """Two columns: ``metric`` (dotted key) and ``value`` (float; text values in ``text``).

    Numbers go to ``value`` (NaN for "not defined", e.g. trades to ruin when nobody was
    ruined); anything else (a warning, a venue name) goes to ``text``.
    """
    flat = flatten(_clean_keep_nan(summary))
    metrics, values, texts = [], [], []
    for k, v in flat.items():
        metrics.append(k)
        if isinstance(v, bool):
            values.append(float(v))
            texts.append(None)
        elif isinstance(v, (int, float)):
            values.append(float(v))
            texts.append(None)
        elif v is None:
            values.append(float("nan"))
            texts.append(None)
        else:
            values.append(None)
            texts.append(str(v))
    return pl.DataFrame(
        {"metric": metrics, "value": values, "text": texts},
        schema={"metric": pl.String, "value": pl.Float64, "text": pl.String},
    )


def _clean_keep_nan(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _clean_keep_nan(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_keep_nan(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def paths_frame(result: Any) -> pl.DataFrame:
    """One row per path: ``path`` index plus every per-path array of the result.

    ``result`` is a :class:`ruin.SimulationResult` (any object with those array attributes;
    extra per-path arrays listed in ``result.extra["per_path"]`` are added when present).
    """
    n = int(np.asarray(result.final_equity).size)
    cols: dict[str, Any] = {"path": np.arange(n, dtype=np.int64)}
    for name in _PATH_COLUMNS:
        arr = getattr(result, name, None)
        if arr is not None:
            cols[name] = np.asarray(arr)
    extra = getattr(result, "extra", {}) or {}
    per_path = extra.get("per_path") if isinstance(extra, Mapping) else None
    if isinstance(per_path, Mapping):
        for name, arr in per_path.items():
            a = np.asarray(arr)
            if a.shape == (n,):
                cols[str(name)] = a
    return pl.DataFrame(cols)


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a header row."""
    return df.write_csv().encode("utf-8")


def to_parquet_bytes(df: pl.DataFrame) -> bytes:
    """Parquet (zstd) bytes; read back with ``pl.read_parquet(io.BytesIO(b))``."""
    buf = io.BytesIO()
    df.write_parquet(buf)
    return buf.getvalue()


def to_json_bytes(obj: Mapping[str, Any] | pl.DataFrame) -> bytes:
    """Strict JSON (no NaN): a mapping as an object, a frame as a list of row objects."""
    if isinstance(obj, pl.DataFrame):
        data: Any = obj.to_dicts()
    else:
        data = obj
    return json.dumps(_clean(data), allow_nan=False, indent=1).encode("utf-8")


def chart_png(chart: Any, *, scale: float = 2.0) -> bytes:
    """Render an Altair chart to PNG bytes with vl-convert (no browser needed)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(chart.to_dict(), scale=scale))


def chart_svg(chart: Any) -> str:
    """Render an Altair chart to an SVG document (text)."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(chart.to_dict()))
