"""Output files of a sweep: part files per finished batch, atomic writes, consolidation.

Every finished batch is written at once to ``<out>.parts/`` as its own Parquet file, so an
interrupted sweep loses no finished cells; at the end the parts are consolidated into
``<out>`` (sorted by ``cell``) and the parts folder is removed.

Before any cell runs, :func:`check_destination` makes sure the sweep destroys nothing it was
pointed at: ``out`` must be a new name or a previous output of a sweep over the same axes
(anything else needs ``force``); folders, devices, pipes and sockets are refused even with
``force``; the ``.parts`` folder may hold only this sweep's files; and the destination
folder must be writable.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import ParameterError
from .spec import SweepSpec

_STATE_FILE = "sweep.json"


def _parts_dir(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _is_ours(name: str) -> bool:
    return (
        name == _STATE_FILE
        or (name.startswith("part-") and name.endswith(".parquet"))
        or (name.startswith(".part-") and name.endswith(".tmp"))
    )


def _is_sweep_output(path: Path, axes: Sequence[str]) -> bool:
    """Whether ``path`` is a Parquet table a sweep over ``axes`` wrote."""
    try:
        schema = pl.read_parquet_schema(path)
    except Exception:  # not Parquet at all
        return False
    return {"cell", "cell_id", "method", *axes} <= set(schema)


def check_destination(
    out: str | os.PathLike[str], axes: Sequence[str], *, force: bool = False
) -> None:
    """Refuse an ``out`` the sweep could not write or would destroy (see the module notes).

    Raises
    ------
    ParameterError
        Naming ``--out`` and saying why, before any cell runs; nothing is created.
    """
    name = "--out"
    text = os.fspath(out)
    if not text.strip():
        raise ParameterError(name, "a Parquet file name", repr(text))
    out = Path(text)
    try:
        st = os.lstat(out)
    except (FileNotFoundError, NotADirectoryError):  # the folder check below says which
        st = None
    except OSError as exc:
        raise ParameterError(
            name, "a path that can be checked", f"{text} ({exc.strerror})"
        ) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise ParameterError(name, "a file name, not a folder", text)
        if stat.S_ISLNK(st.st_mode) and not force:
            raise ParameterError(
                name,
                "a new file or this sweep's previous output",
                f"{text} (a link)",
                "Pass --force to replace the link with the results.",
            )
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
            raise ParameterError(
                name,
                "a regular file (not a device, pipe or socket)",
                text,
                "Choose a file name for the results.",
            )
        if stat.S_ISREG(st.st_mode) and not force and not _is_sweep_output(out, axes):
            raise ParameterError(
                name,
                "a new file or a previous output of a sweep over the same axes",
                f"{text} (an existing file that is not)",
                "Choose another name, or pass --force to overwrite it.",
            )
    parts = _parts_dir(out)
    try:
        pst = os.lstat(parts)
    except (FileNotFoundError, NotADirectoryError):
        pst = None
    except OSError as exc:
        raise ParameterError(
            name, "a path that can be checked", f"{parts} ({exc.strerror})"
        ) from None
    if pst is not None:
        if not stat.S_ISDIR(pst.st_mode):
            raise ParameterError(
                name, f"a name whose {parts.name} is free for the sweep's parts", f"{parts} exists"
            )
        foreign = [n for n in os.listdir(parts) if not _is_ours(n)]
        if foreign:
            raise ParameterError(
                name,
                f"a name whose {parts.name} folder holds only this sweep's parts",
                f"{parts} holding {foreign[0]!r}",
                "Choose another --out; the folder is not the sweep's to remove.",
            )
    folder = out.parent if str(out.parent) else Path(".")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ParameterError(
            name, "a path inside a folder", f"{text} ({existing} is a file, not a folder)"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".ruin-write-check-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ParameterError(
            name, "a writable destination", f"{existing} ({exc.strerror or 'not writable'})"
        ) from None


def _write_atomic(df: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        df.write_parquet(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ParameterError(
            "--out", "a writable destination", f"{path} ({exc.strerror or type(exc).__name__})"
        ) from None


def _remove_parts(parts: Path) -> None:
    """Remove the sweep's own files from ``parts`` and the folder if that empties it."""
    try:
        for entry in os.scandir(parts):
            if _is_ours(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        parts.rmdir()
    except OSError:  # pragma: no cover - left for the user; the results are written
        pass


def _rows_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None)


def _sources(out: Path, parts: Path) -> list[Path]:
    """The files that may hold finished cells: a previous ``out``, then the parts by name."""
    paths = sorted(parts.glob("part-*.parquet")) if parts.is_dir() else []
    if out.is_file():
        paths.insert(0, out)
    return paths


def _read_done(out: Path, parts: Path) -> dict[str, int]:
    """``cell_id -> cell`` of the rows already in ``out`` and its parts (the two columns
    only, not the results): the cells a resumed sweep skips while it streams."""
    done: dict[str, int] = {}
    for p in _sources(out, parts):
        try:
            ids = pl.read_parquet(p, columns=["cell_id", "cell"])
        except Exception:  # a torn or foreign file: its cells are simply run again
            continue
        for cid, index in ids.iter_rows():
            done.setdefault(cid, index)
    return done


def _scan(sources: Sequence[Path]) -> list[pl.LazyFrame]:
    frames = []
    for p in sources:
        try:
            schema = pl.read_parquet_schema(p)
        except Exception:  # torn or foreign: skipped, as by _read_done
            continue
        if "cell_id" in schema and "cell" in schema:
            frames.append(pl.scan_parquet(p))
    return frames


def _grid_columns(spec: SweepSpec, cell: pl.Series) -> list[pl.Series]:
    """The axis values of each row, from its row-major ``cell`` index (no list of cells)."""
    index = cell.to_numpy()
    cols = []
    stride = spec.n_cells
    for name, values in spec.axes.items():
        stride //= len(values)
        axis = pl.Series(name, list(values), strict=False)
        cols.append(axis.gather((index // stride) % len(values)))
    return cols


def _consolidate(
    spec: SweepSpec,
    frames: Iterable[pl.DataFrame | pl.LazyFrame],
    *,
    stale: Iterable[str] = (),
    moved: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """One row per cell from the rows the batches wrote (part files or frames), sorted by
    ``cell``, with the axis values as the first columns.

    ``stale``: cell ids in the parts that are not cells of this sweep (dropped); ``moved``:
    cell id -> index for finished cells whose index changed (an axis gained values).
    """
    lazy = [f.lazy() for f in frames]
    if not lazy:
        raise RuntimeError("sweep produced no rows")  # pragma: no cover
    res = pl.concat(lazy, how="diagonal_relaxed")
    stale = list(stale)
    if stale:
        res = res.filter(~pl.col("cell_id").is_in(stale))
    res = res.unique("cell_id", keep="first", maintain_order=True)
    if moved:
        res = res.with_columns(
            pl.col("cell_id")
            .replace_strict(moved, default=pl.col("cell"), return_dtype=pl.Int64)
            .alias("cell")
        )
    if "seed" in spec.axes:  # replicates: the axis keeps "seed", the cell's own is cell_seed
        res = res.rename({"seed": "cell_seed"})
    res = res.drop([c for c in spec.axes if c != "cell_id"], strict=False)
    res = res.with_columns(pl.col("cell").cast(pl.Int64)).sort("cell").collect()
    if res.height != spec.n_cells or res["cell"].n_unique() != spec.n_cells:
        raise RuntimeError(  # pragma: no cover - a bug, never user input
            f"sweep has {res.height} rows for {spec.n_cells} cells"
        )
    df = res.with_columns(_grid_columns(spec, res["cell"]))
    first = [*spec.axes, "cell", "cell_id", "method", "seed", "cell_seed", "paths", "trades"]
    order = [c for c in dict.fromkeys(first) if c in df.columns]
    df = df.select(order + [c for c in df.columns if c not in order])
    ints = [c for c in ("cell", "seed", "cell_seed", "paths", "trades") if c in df.columns]
    return df.with_columns(pl.col(ints).cast(pl.Int64))
