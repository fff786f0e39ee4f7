"""The compiled account engine: one pass per path, per-path results only.

Every trade model is reduced to per-trade outcomes in R before it reaches this module. The
kernel walks each path once, applying sizing, the absorbing ruin and goal barriers, and
tracking peak, maximum drawdown, losing streaks and time under water. It never builds a
paths x trades matrix, except for the handful of paths recorded for charts.

State variable ``x`` per path:

* fractional sizing: ``x = log(E / E0)``; a trade with outcome r R adds ``log(1 + risk*r)``
  (``-inf`` when ``1 + risk*r <= 0``: the account is gone).
* fixed sizing: ``x = (E - E0) / R0`` (net R won, R0 = risk x E0); a trade adds r and
  ``x`` is floored at ``-1/risk`` (equity never below 0).

Thresholds are compared with a relative tolerance of 1e-9 so that float round-off can never
keep a path alive that the exact arithmetic has ruined (ten 10% fixed losses ruin exactly).
"""

from __future__ import annotations

import math
import os

import numpy as np
from numba import njit, prange, uint64

from .rng import seed4, step4

__all__ = ["MODEL_TWO_POINT", "MODEL_ALIAS", "MODEL_BLOCK", "run_kernel", "alias_table", "TOL"]

MODEL_TWO_POINT = 0  # Bernoulli: one 32-bit uniform per trade (P(win) quantised to 2**-32)
MODEL_ALIAS = 1  # discrete distribution / i.i.d. bootstrap: Walker alias table
MODEL_BLOCK = 2  # circular block bootstrap over a trade list

TOL = 1e-9  # relative tolerance on ruin / goal thresholds and on "at the peak"
_MASK32 = uint64(0xFFFFFFFF)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53


def alias_table(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table: ``(accept, alias)`` for O(1) sampling of ``probs``."""
    p = np.asarray(probs, dtype=np.float64)
    k = p.size
    scaled = p * k / p.sum()
    accept = np.ones(k, dtype=np.float64)
    alias = np.arange(k, dtype=np.int64)
    small = [i for i in range(k) if scaled[i] < 1.0]
    large = [i for i in range(k) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] = scaled[g] + scaled[s] - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


@njit(inline="always", cache=True)
def _one_path(
    i, key0, key1, path_offset, n_trades,
    model, steps, rvals, thr32, accept, alias, block_len,
    fractional, risk, x_floor, ruin_x, goal_x,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken,
    rec,
):
    """Simulate path ``i`` (stream index ``path_offset + i``); inlined into the kernels.

    ``steps[k]`` is the state increment of outcome k and ``rvals[k]`` its value in R (its sign
    decides win / loss for streaks and the realised win rate). Two-point model: index 1 is the
    win, chosen when a 32-bit uniform is below ``thr32``. Results go to the per-path output
    arrays; if ``rec`` has rows, row i receives path i's equity multiple after each trade
    (column 0 = start = 1.0).

    The trade loop is branch-free apart from the (rarely taken) new-peak and barrier tests:
    the drawdown is tracked as ``(peak - x) * inv`` where ``inv`` is 1 for log equity and
    ``1 / (1/risk + peak)`` for fixed stakes, so it is exact in both modes.
    """
    n_rec = rec.shape[0]
    n_out = steps.shape[0]
    ruin_tol = TOL * max(1.0, abs(ruin_x)) if ruin_x > -np.inf else 0.0
    goal_tol = TOL * max(1.0, abs(goal_x)) if goal_x < np.inf else 0.0
    ruin_cut = ruin_x + ruin_tol
    goal_cut = goal_x - goal_tol
    c = 0.0 if fractional else 1.0 / risk
    if True:
        s0, s1, s2, s3 = seed4(key0, key1, path_offset + i)
        x = 0.0
        peak = 0.0
        inv = 1.0 if fractional else 1.0 / c
        tolp = TOL
        mdd = 0.0
        streak = 0
        mstreak = 0
        uw = 0
        muw = 0
        nwin = 0
        t_ruin = -1
        t_goal = -1
        w = uint64(0)
        pos = 0
        n = 0
        for t in range(n_trades):
            if model == 0:
                if (t & 1) == 0:
                    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                    u = w & _MASK32
                else:
                    u = w >> uint64(32)
                k = np.int64(u < thr32)
            elif model == 1:
                w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                v = float(w >> uint64(11)) * _TO_DOUBLE * n_out
                j = min(int(v), n_out - 1)
                k = j if (v - j) < accept[j] else alias[j]
            else:
                if t % block_len == 0:
                    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                    pos = min(int(float(w >> uint64(11)) * _TO_DOUBLE * n_out), n_out - 1)
                k = pos
                pos = pos + 1 if pos + 1 < n_out else 0
            x = max(x + steps[k], x_floor)
            r = rvals[k]
            n += 1
            nwin += np.int64(r > 0.0)
            streak = (streak + 1) * np.int64(r < 0.0)
            mstreak = max(mstreak, streak)
            if x > peak:
                peak = x
                tolp = TOL * max(1.0, abs(peak))
                if not fractional:
                    inv = 1.0 / (c + peak)
            mdd = max(mdd, (peak - x) * inv)
            uw = (uw + 1) * np.int64(x < peak - tolp)
            muw = max(muw, uw)
            if n_rec > 0 and i < n_rec:
                rec[i, t + 1] = math.exp(x) if fractional else max(0.0, 1.0 + risk * x)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        last = math.exp(x) if fractional else max(0.0, 1.0 + risk * x)
        if i < n_rec:
            rec[i, 0] = 1.0
            for t2 in range(n + 1, n_trades + 1):
                rec[i, t2] = last
        final_eq[i] = last
        max_dd[i] = (1.0 - math.exp(-mdd)) if fractional else min(mdd, 1.0)
        ruin_t[i] = t_ruin
        goal_t[i] = t_goal
        max_streak[i] = mstreak
        max_uw[i] = muw
        wins[i] = nwin
        taken[i] = n




def _kernel_for(model):
    """A parallel kernel with ``model`` fixed at compile time (branches fold away)."""

    def kernel(
        key0, key1, path_offset, n_paths, n_trades,
        steps, rvals, thr32, accept, alias, block_len,
        fractional, risk, x_floor, ruin_x, goal_x,
        final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, rec,
    ):
        for i in prange(n_paths):
            _one_path(
                i, key0, key1, path_offset, n_trades, model, steps, rvals, thr32, accept,
                alias, block_len, fractional, risk, x_floor, ruin_x, goal_x, final_eq,
                max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, rec,
            )

    return kernel


run_two_point = njit(parallel=True, cache=True)(_kernel_for(MODEL_TWO_POINT))
run_alias = njit(parallel=True, cache=True)(_kernel_for(MODEL_ALIAS))
run_block = njit(parallel=True, cache=True)(_kernel_for(MODEL_BLOCK))
KERNELS = {MODEL_TWO_POINT: run_two_point, MODEL_ALIAS: run_alias, MODEL_BLOCK: run_block}


def default_threads() -> int:
    """Threads the kernel may use (numba's setting, bounded by the CPUs we may run on)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
