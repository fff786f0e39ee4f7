"""The account engine over given per-trade outcomes: a test helper.

Feeds a known matrix of outcomes in R (with exit codes and per-trade amounts) through the
engine's shared bookkeeping (:mod:`ruin.engine.accounting`), so the tests can check the
bookkeeping by hand and compare the engine's kernels with a naive implementation on common
outcomes. Not part of the library: no trade model produces outcome matrices.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ruin.engine.accounting import (
    acc_equity,
    acc_new,
    acc_store,
    acc_update,
    barrier_cuts,
    c_fixed,
    r_to_step,
    stake_fraction,
    thresholds,
)
from ruin.errors import ParameterError, check_choice, check_number

#: Exit codes (column order of ``exit_counts``).
EXIT_NAMES = ("take_profit", "stop", "liquidation", "time")


@njit(parallel=True, cache=True)
def run_given(
    r,
    codes,
    aux,
    fractional,
    risk,
    x_floor,
    ruin_x,
    goal_x,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    exit_counts,
    aux_sums,
    rec,
):
    """Account walk over per-trade outcomes produced elsewhere (one pass per path).

    Parameters
    ----------
    r : float64 array (n, N)
        Outcome of trade t of path i in R.
    codes : int8 array (n, N)
        Exit code of each trade: 0 take-profit, 1 stop, 2 liquidation, 3 time
        (see :data:`EXIT_NAMES`).
    aux : float64 array (n, N, K)
        Per-trade amounts in R (e.g. fees, funding, bad debt); K may be 0.
    fractional : bool
        Sizing rule (True: R = risk x equity before the trade; False: R = risk x start).
    risk, x_floor, ruin_x, goal_x : float
        As returned by :func:`thresholds`.
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken : arrays (n,)
        Outputs, as for the other kernels (float64, float64, then int32).
    exit_counts : int32 array (n, 4)
        Output: exits of the trades actually taken, by code.
    aux_sums : float64 array (n, K)
        Output: sum over taken trades of ``aux * R_t / E0`` (amounts as fractions of starting
        equity; ``R_t / E0`` = risk x equity multiple before trade t, or risk for fixed).
    rec : float64 array (m, N + 1)
        Equity curves of the first m paths (m may be 0).

    Paths stop at ruin or goal exactly as in the other kernels; trades after that are ignored.
    """
    n = r.shape[0]
    n_trades = r.shape[1]
    n_aux = aux.shape[2]
    n_rec = rec.shape[0]
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    c = c_fixed(fractional, risk)
    for i in prange(n):
        x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt = acc_new(fractional, risk)
        t_ruin = -1
        t_goal = -1
        for k in range(4):
            exit_counts[i, k] = 0
        for k in range(n_aux):
            aux_sums[i, k] = 0.0
        for t in range(n_trades):
            rt = r[i, t]
            stake = stake_fraction(x, fractional, risk)
            x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt = acc_update(
                x,
                peak,
                inv,
                tolp,
                mdd,
                streak,
                mstreak,
                uw,
                muw,
                nwin,
                nt,
                r_to_step(rt, fractional, risk),
                rt > 0.0,
                rt < 0.0,
                fractional,
                c,
                x_floor,
            )
            exit_counts[i, codes[i, t]] += 1
            for k in range(n_aux):
                aux_sums[i, k] += aux[i, t, k] * stake
            if i < n_rec:
                rec[i, t + 1] = acc_equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        if i < n_rec:
            rec[i, 0] = 1.0
            last = acc_equity(x, fractional, risk)
            for t2 in range(nt + 1, n_trades + 1):
                rec[i, t2] = last
        acc_store(
            i,
            (x, peak, inv, tolp, mdd, streak, mstreak, uw, muw, nwin, nt),
            t_ruin,
            t_goal,
            fractional,
            risk,
            final_eq,
            max_dd,
            ruin_t,
            goal_t,
            max_streak,
            max_uw,
            wins,
            taken,
        )


def simulate_given(
    r: np.ndarray,
    codes: np.ndarray | None = None,
    aux: np.ndarray | None = None,
    *,
    risk: float,
    rule: str = "fractional",
    ruin_level: float = 0.0,
    goal: float | None = None,
    record: int = 0,
) -> dict[str, np.ndarray]:
    """Run the account over given per-trade outcomes (Python wrapper of :func:`run_given`).

    Parameters
    ----------
    r : array_like, shape (n, N)
        Outcome of trade t of path i in R (the amount risked on that trade).
    codes : array_like of int, shape (n, N), optional
        Exit code per trade (0 take-profit, 1 stop, 2 liquidation, 3 time); default all 3.
    aux : array_like, shape (n, N, K), optional
        Per-trade amounts in R (fees, funding, bad debt...); default K = 0.
    risk : float
        Fraction risked per trade, 0 < risk <= 1.
    rule : {"fractional", "fixed"}
        Sizing rule.
    ruin_level : float
        Ruin when equity <= ruin_level x start, 0 <= ruin_level < 1.
    goal : float or None
        Goal multiple of start (> 1), or None.
    record : int
        Number of leading paths whose equity curves are returned (``sample_paths``).

    Returns
    -------
    dict of numpy arrays
        ``final_equity``, ``max_drawdown``, ``ruin_trade``, ``goal_trade``,
        ``longest_losing_streak``, ``longest_underwater``, ``wins``, ``trades_taken``
        (shape (n,), as in :class:`ruin.simulate.SimulationResult`), ``exit_counts``
        (int32 (n, 4), columns :data:`EXIT_NAMES`), ``aux_sums`` (float64 (n, K): amounts as
        fractions of starting equity) and ``sample_paths`` ((record, N + 1)).

    Raises
    ------
    ParameterError
        For an invalid rule, risk, ruin level or goal, mismatched shapes, non-finite
        outcomes or exit codes outside 0..3.
    """
    check_choice("sizing", rule, ("fractional", "fixed"))
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if goal is not None:
        goal = check_number("goal", goal, 1.0, 1e12, lo_incl=False)
    r = np.ascontiguousarray(r, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] < 1:
        raise ParameterError(
            "r", "a 2-D array (paths x trades) with at least one trade", f"shape {r.shape}"
        )
    if not np.all(np.isfinite(r)):
        raise ParameterError("r", "finite outcomes in R", "a NaN or infinite value")
    n, n_trades = r.shape
    if codes is None:
        codes = np.full((n, n_trades), 3, np.int8)
    codes = np.ascontiguousarray(codes, dtype=np.int8)
    if codes.shape != r.shape:
        raise ParameterError("codes", f"an array of shape {r.shape}", f"shape {codes.shape}")
    if codes.size and (codes.min() < 0 or codes.max() > 3):
        raise ParameterError("codes", "exit codes 0..3", f"values {codes.min()}..{codes.max()}")
    if aux is None:
        aux = np.zeros((n, n_trades, 0), np.float64)
    aux = np.ascontiguousarray(aux, dtype=np.float64)
    if aux.ndim != 3 or aux.shape[:2] != r.shape:
        raise ParameterError("aux", f"an array of shape {r.shape} x K", f"shape {aux.shape}")
    n_rec = max(0, min(int(record), n))
    fractional = rule == "fractional"
    x_floor, ruin_x, goal_x = thresholds(rule, risk, ruin_level, goal)
    out = {
        "final_equity": np.empty(n, np.float64),
        "max_drawdown": np.empty(n, np.float64),
        "ruin_trade": np.empty(n, np.int32),
        "goal_trade": np.empty(n, np.int32),
        "longest_losing_streak": np.empty(n, np.int32),
        "longest_underwater": np.empty(n, np.int32),
        "wins": np.empty(n, np.int32),
        "trades_taken": np.empty(n, np.int32),
        "exit_counts": np.empty((n, 4), np.int32),
        "aux_sums": np.empty((n, aux.shape[2]), np.float64),
        "sample_paths": np.empty((n_rec, n_trades + 1), np.float64),
    }
    run_given(r, codes, aux, fractional, risk, x_floor, ruin_x, goal_x, *out.values())
    return out
