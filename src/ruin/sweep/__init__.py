"""Parameter sweeps: one simulation per cell of a grid, on local processes or a Dask cluster.

A sweep spec (TOML) has a ``[base]`` table of flat parameters (the names of the CLI flags with
underscores, exactly the keys :func:`ruin.config.build_scenario` accepts, or
``scenario = "NAME"`` for a preset) and an ``[axes]`` table mapping parameter names to lists
of values. Optional top-level keys: ``name``, ``description``, ``kind`` (``"account"``, the
default, or ``"odds"``: each cell is :func:`ruin.odds.liquidation_odds` of one held position,
keys :data:`ODDS_KEYS`), ``method`` (``"simulate"``, the default, or ``"exact"``: use an
exact answer where one exists -- the lattice DP of :mod:`ruin.exact` for Bernoulli cells, the
closed form for odds cells) and ``batch_size`` (cells per task; default: sized from the
cells' cost)::

    name = "risk of ruin over win rate x payoff x risk"
    [base]
    trades = 500
    paths = 100_000
    ruin_level = 0.5
    seed = 2026
    [axes]
    win_rate = [0.40, 0.45, 0.50]
    payoff = [1.0, 1.5, 2.0]
    risk = [0.01, 0.02, 0.05]

The result has one row per cell: the axis values as columns, then ``cell`` (row-major index
in the grid), ``cell_id`` (a hash of the cell's full parameters, used to resume), ``method``,
``seed`` (the cell's own seed: ``ruin simulate --seed`` with it reproduces the cell), and the
simulation outputs flattened from :meth:`ruin.simulate.SimulationResult.summary`
(``ruin_probability`` with ``ruin_probability_ci_low`` / ``_ci_high``, ``max_drawdown_p50`` ..
``_p99``, ``final_equity_median``, ``p_drawdown_ge_0.2``, and any model extras such as
liquidation odds).

Seeding
-------
Each cell's seed comes from ``numpy.random.SeedSequence(sweep_seed, spawn_key=k)`` where ``k``
is derived from the cell's coordinates, i.e. its axis values (not its position), so a cell's
result is the same however the grid is split into tasks, ordered, resumed or extended by
new axis values. ``seed`` itself may be an axis (replicates): the sweep seed is then 0 and
each replicate's own stream is in the ``cell_seed`` column.

Streaming
---------
Nothing is expanded up front, so a grid of millions of cells starts at once: each axis value
is checked once when the spec is read, the combinations that can clash on a small probe set
(:func:`check_cells`, which says which), the cell count and the work (:func:`sweep_work`,
refused above ``max_work`` / ``--max-work``) come from the axes, and each cell is built
(and validated) only as its batch is formed (:func:`iter_cells`). Executors take batches as
they come, a couple per worker ahead.

Execution and resuming
----------------------
Cells are grouped into batches (tasks) sized to amortise scheduling overhead. Without a
scheduler the batches run on local processes (:class:`concurrent.futures.ProcessPoolExecutor`
with spawned workers, rebuilt and the unfinished batches resubmitted if a worker dies; one
worker runs in this process); with ``scheduler=`` they are submitted to a Dask distributed
cluster, which reruns elsewhere the tasks of a worker that dies. Every finished batch is
written at once to ``<out>.parts/`` as its own Parquet file, so an interrupted sweep loses no
finished cells: running it again reads their ids from the parts and skips them while
streaming. At the end the parts are consolidated into ``<out>`` (sorted by ``cell``, the axis
values derived from it) and the parts folder is removed.

Modules
-------
:mod:`~ruin.sweep.spec` (read and check a spec), :mod:`~ruin.sweep.cells` (cells, their seeds,
batches), :mod:`~ruin.sweep.batch` (run one batch on a worker; rows),
:mod:`~ruin.sweep.executors` (local processes, Dask), :mod:`~ruin.sweep.files` (part files,
atomic writes, consolidation), :mod:`~ruin.sweep.progress`, :mod:`~ruin.sweep.run`
(:func:`run_sweep`) and :mod:`~ruin.sweep.charts` (heat maps of a sweep table; import it
itself: ``ruin.sweep`` does not load Altair).
"""

from __future__ import annotations

from .batch import run_batch, summary_row
from .cells import (
    Cell,
    cell_seed,
    check_cells,
    expand_cells,
    iter_batches,
    iter_cells,
    plan_batches,
    sweep_work,
)
from .run import run_sweep
from .spec import SweepSpec, load_spec

__all__ = [
    "SweepSpec",
    "Cell",
    "load_spec",
    "expand_cells",
    "iter_cells",
    "check_cells",
    "sweep_work",
    "iter_batches",
    "cell_seed",
    "plan_batches",
    "run_batch",
    "run_sweep",
    "summary_row",
]
