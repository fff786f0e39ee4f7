"""The account engine: random streams, per-trade bookkeeping, the i.i.d. kernels.

* :mod:`ruin.engine.rng` -- counter-keyed random streams (xoshiro256**, ziggurats).
* :mod:`ruin.engine.accounting` -- the per-trade account bookkeeping every kernel uses.
* :mod:`ruin.engine.kernels` -- the compiled kernels of the i.i.d. trade models.

Nothing here knows a trade model: models reduce trades to outcomes in R (or book them
through :mod:`ruin.engine.accounting` in their own kernels).
"""

from .accounting import (
    TOL,
    acc_equity,
    acc_new,
    acc_store,
    acc_trade,
    acc_update,
    barrier_cuts,
    c_fixed,
    r_to_step,
    stake_fraction,
    thresholds,
)
from .kernels import (
    KERNELS,
    MODEL_ALIAS,
    MODEL_BLOCK,
    MODEL_TWO_POINT,
    alias_table,
    draw_outcome,
    run_paths,
    run_record,
)

__all__ = [
    "TOL",
    "KERNELS",
    "MODEL_ALIAS",
    "MODEL_BLOCK",
    "MODEL_TWO_POINT",
    "acc_equity",
    "acc_new",
    "acc_store",
    "acc_trade",
    "acc_update",
    "alias_table",
    "barrier_cuts",
    "c_fixed",
    "draw_outcome",
    "r_to_step",
    "run_paths",
    "run_record",
    "stake_fraction",
    "thresholds",
]
