"""``ruin sweep SPEC --out results.parquet``: a parameter grid on local processes or Dask."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import check_number
from .common import add_json_flag, emit
from .simulate import add_max_work_flag

__all__ = ["add_commands", "run_sweep_command"]


def _render(d: dict[str, Any]) -> str:
    lines = [
        f"sweep {d['spec']}: {d['cells']:,} cells ({d['cells_run']:,} run, "
        f"{d['cells'] - d['cells_run']:,} already done) in {d['seconds']:.1f} s "
        f"on {d['workers']} {d['executor']} worker(s), {d['batches']} batches",
        f"  sweep seed {d['sweep_seed']}  methods {d['methods']}",
    ]
    if d.get("out"):
        lines.append(f"  wrote {d['out']}")
    if d.get("preview"):
        lines.append(d["preview"])
    return "\n".join(lines)


#: Sweeps this big say how big before they start (counted from the axes, nothing built).
NOTICE_CELLS, NOTICE_WORK = 10_000, 1e10


def _notice(cells: int, work: float) -> None:
    if cells >= NOTICE_CELLS or work >= NOTICE_WORK:
        print(
            f"ruin sweep: {cells:,} cells, {work:,.0f} path-trades (Ctrl-C stops it; run the "
            "same command again to resume with --out)",
            file=sys.stderr,
            flush=True,
        )


def run_sweep_command(args: argparse.Namespace) -> None:
    # imported here, not at the top: only commands that simulate import numba (CLI start-up)
    import polars as pl

    from ..sweep import run_sweep

    stats: dict[str, Any] = {}
    try:
        df = run_sweep(
            args.spec,
            out=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.no_progress and not args.json,
            method="exact" if args.exact else None,
            batch_size=args.batch_size,
            threads=args.threads,
            connect_timeout=args.connect_timeout,
            stats=stats,
            force=args.force,
            max_work=check_number("--max-work", args.max_work, 1.0, None),
            notice=None if args.json else _notice,
        )
    except KeyboardInterrupt:
        where = (
            f"finished cells are kept in {args.out}.parts; run the same command again to resume"
            if args.out
            else "nothing was saved (use --out to resume)"
        )
        print(f"ruin sweep: interrupted; {where}.", file=sys.stderr)
        raise SystemExit(130) from None
    counts = df["method"].value_counts(sort=True)
    methods = {str(m): int(n) for m, n in counts.iter_rows()}
    preview = ""
    if not args.json:
        axes = df.columns[: df.columns.index("cell")]
        names = {
            "ruin_probability": "P(ruin)",
            "ruin_probability_ci_low": "low",
            "ruin_probability_ci_high": "high",
            "max_drawdown_p50": "MDD med",
            "final_equity_median": "equity med",
            "liquidation_probability": "P(liq)",
            "liquidation_probability_ci_low": "low",
            "liquidation_probability_ci_high": "high",
            "liquidation_probability_closed_form": "closed form",
        }
        show = [*axes, "method"] + [c for c in names if c in df.columns]
        view = df.select(show).rename({c: names[c] for c in show if c in names})
        with pl.Config(
            tbl_rows=20, tbl_cols=len(show), float_precision=4, tbl_hide_column_data_types=True
        ):
            preview = str(view)
    data: dict[str, Any] = {"spec": args.spec, "out": args.out, "methods": methods, **stats}
    if preview:
        data["preview"] = preview
    emit(data, args.json, _render)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="a grid of scenarios from a TOML spec, on local processes or Dask",
        description="Run one simulation per cell of the grid in SPEC ([base] parameters, "
        "[axes] lists of values) and write one row per cell to --out (Parquet). Finished "
        "batches are kept in OUT.parts/, so an interrupted sweep resumes where it stopped.",
    )
    p.add_argument("spec", help="sweep spec (TOML with [base] and [axes] tables)")
    p.add_argument(
        "--out",
        help="Parquet file for the results (resumable); an existing file must be a previous "
        "output of a sweep over the same axes",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="let --out replace an existing file that is not a sweep output",
    )
    p.add_argument(
        "--workers", type=int, default=None, help="local worker processes (default: all cores)"
    )
    p.add_argument(
        "--scheduler", default=None, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786"
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="use exact answers where they exist (column 'method' says which)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="cells per task (default: sized from the cells' cost)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="numba threads per simulation (default: cores / workers; 1 on Dask)",
    )
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=5.0,
        help="seconds to wait for the Dask scheduler (default 5)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_max_work_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run_sweep_command)
