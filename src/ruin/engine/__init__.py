"""The account engine: random streams, per-trade bookkeeping, the i.i.d. kernels.

* :mod:`ruin.engine.rng` -- counter-keyed random streams (xoshiro256**, ziggurats).
* :mod:`ruin.engine.accounting` -- the per-trade account bookkeeping every kernel uses.
* :mod:`ruin.engine.kernels` -- the compiled kernels of the i.i.d. trade models.

Nothing here knows a trade model: models reduce trades to outcomes in R (or book them
through :mod:`ruin.engine.accounting` in their own kernels).
"""

from typing import TYPE_CHECKING

from .._lazy import exports

# Public names load on first use (see ruin._lazy): importing a light submodule of this
# package does not import its kernels.
_WHERE = {
    "TOL": "ruin.engine.accounting",
    "acc_equity": "ruin.engine.accounting",
    "acc_new": "ruin.engine.accounting",
    "acc_store": "ruin.engine.accounting",
    "acc_trade": "ruin.engine.accounting",
    "acc_update": "ruin.engine.accounting",
    "barrier_cuts": "ruin.engine.accounting",
    "c_fixed": "ruin.engine.accounting",
    "r_to_step": "ruin.engine.accounting",
    "stake_fraction": "ruin.engine.accounting",
    "thresholds": "ruin.engine.accounting",
    "KERNELS": "ruin.engine.kernels",
    "MODEL_ALIAS": "ruin.engine.kernels",
    "MODEL_BLOCK": "ruin.engine.kernels",
    "MODEL_TWO_POINT": "ruin.engine.kernels",
    "alias_table": "ruin.engine.kernels",
    "draw_outcome": "ruin.engine.kernels",
    "run_paths": "ruin.engine.kernels",
    "run_record": "ruin.engine.kernels",
}

if TYPE_CHECKING:
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

__getattr__, __dir__ = exports(__name__, _WHERE, globals())

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
