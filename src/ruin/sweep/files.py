"""Output files of a sweep: part files per finished batch, atomic writes, consolidation.

Every finished batch is written at once to ``<out>.parts/`` as its own Parquet file, so an
interrupted sweep loses no finished cells; at the end the parts are consolidated into
``<out>`` (sorted by ``cell``) and the parts folder is removed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from .cells import Cell
from .spec import SweepSpec

_STATE_FILE = "sweep.json"


def _parts_dir(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _write_atomic(df: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.write_parquet(tmp)
    os.replace(tmp, path)


def _rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None)


def _read_done(out: Path, parts: Path, wanted: set[str]) -> list[pl.DataFrame]:
    frames = []
    paths = sorted(parts.glob("part-*.parquet")) if parts.is_dir() else []
    if out.is_file():
        paths.insert(0, out)
    for p in paths:
        try:
            df = pl.read_parquet(p)
        except Exception:  # a torn or foreign file: its cells are simply run again
            continue
        if "cell_id" in df.columns:
            frames.append(df.filter(pl.col("cell_id").is_in(list(wanted))))
    return frames


def _grid_frame(spec: SweepSpec, cells: Sequence[Cell]) -> pl.DataFrame:
    cols: dict[str, pl.Series] = {}
    for name in spec.axes:
        cols[name] = pl.Series(name, [c.coords[name] for c in cells], strict=False)
    cols["cell_id"] = pl.Series("cell_id", [c.cell_id for c in cells], dtype=pl.String)
    return pl.DataFrame(cols)


def _consolidate(
    spec: SweepSpec, cells: Sequence[Cell], frames: Iterable[pl.DataFrame]
) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        raise RuntimeError("sweep produced no rows")  # pragma: no cover
    res = pl.concat(frames, how="diagonal_relaxed").unique(
        "cell_id", keep="first", maintain_order=True
    )
    if "seed" in spec.axes:  # replicates: the axis keeps "seed", the cell's own is cell_seed
        res = res.rename({"seed": "cell_seed"})
    res = res.drop([c for c in spec.axes if c in res.columns] + ["cell"], strict=False)
    df = _grid_frame(spec, cells).with_row_index("cell").join(res, on="cell_id", how="left")
    missing = df.filter(pl.col("method").is_null())
    if missing.height:
        raise RuntimeError(  # pragma: no cover - a bug, never user input
            f"sweep lost {missing.height} cells (first: cell {missing['cell'][0]})"
        )
    first = [*spec.axes, "cell", "cell_id", "method", "seed", "cell_seed", "paths", "trades"]
    order = [c for c in dict.fromkeys(first) if c in df.columns]
    df = df.select(order + [c for c in df.columns if c not in order]).sort("cell")
    ints = [c for c in ("cell", "seed", "cell_seed", "paths", "trades") if c in df.columns]
    return df.with_columns(pl.col(ints).cast(pl.Int64))
