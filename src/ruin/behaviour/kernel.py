"""The compiled kernel of the sizing rules and win-rate doubt (see :mod:`ruin.behaviour`)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange, uint64

from ..engine.accounting import (
    acc_equity,
    acc_new,
    acc_store,
    acc_trade,
    barrier_cuts,
    c_fixed,
    r_to_step,
    record_tail,
)
from ..engine.kernels import draw_outcome
from ..engine.rng import seed4, step4
from ..engine.streams import WIN_RATE, stream_keys

__all__ = ["run_behaviour", "beta_draws"]

_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
_TWO32 = 4294967296.0


@njit(inline="always", cache=True)
def _draw_r(model, t, s0, s1, s2, s3, w, pos, thr32, rvals, accept, alias, block_len):
    """Outcome in R of trade ``t``, drawn by the engine's :func:`ruin.engine.draw_outcome`.

    Returns ``(r, s0, s1, s2, s3, w, pos)``.
    """
    k, s0, s1, s2, s3, w, pos = draw_outcome(
        model, t, s0, s1, s2, s3, w, pos, thr32, rvals.shape[0], accept, alias, block_len
    )
    return rvals[k], s0, s1, s2, s3, w, pos


@njit(inline="always", cache=True)
def _u01(s0, s1, s2, s3):
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    return float(w >> uint64(11)) * _TO_DOUBLE, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _gamma(a, s0, s1, s2, s3):
    """Gamma(a, 1) for a >= 1 by Marsaglia & Tsang (2000); normals by Box-Muller."""
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        u1, s0, s1, s2, s3 = _u01(s0, s1, s2, s3)
        u2, s0, s1, s2, s3 = _u01(s0, s1, s2, s3)
        z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u, s0, s1, s2, s3 = _u01(s0, s1, s2, s3)
        if math.log(1.0 - u) < 0.5 * z * z + d - d * v + d * math.log(v):
            return d * v, s0, s1, s2, s3


@njit(inline="always", cache=True)
def _beta(bk0, bk1, index, a, b):
    s0, s1, s2, s3 = seed4(bk0, bk1, index)
    x, s0, s1, s2, s3 = _gamma(a, s0, s1, s2, s3)
    y, s0, s1, s2, s3 = _gamma(b, s0, s1, s2, s3)
    return x / (x + y)


@njit(parallel=True, cache=True)
def _beta_kernel(bk0, bk1, offset, a, b, out):
    for i in prange(out.size):
        out[i] = _beta(bk0, bk1, offset + i, a, b)


def beta_draws(seed: int, count: int, a: float, b: float, *, offset: int = 0) -> np.ndarray:
    """The per-path win rates the kernel uses for paths ``offset .. offset + count - 1``."""
    bk0, bk1 = stream_keys(seed, WIN_RATE)
    out = np.empty(int(count), np.float64)
    _beta_kernel(bk0, bk1, np.int64(offset), float(a), float(b), out)
    return out


@njit(parallel=True, cache=True)
def run_behaviour(
    key0,
    key1,
    bk0,
    bk1,
    path_offset,
    n_paths,
    n_trades,
    model,
    rvals,
    thr32,
    accept,
    alias,
    block_len,
    fractional,
    risk,
    x_floor,
    ruin_x,
    goal_x,
    mart,
    anti,
    cap,
    dd_cut,
    dd_factor,
    beta_a,
    beta_b,
    final_eq,
    max_dd,
    ruin_t,
    goal_t,
    max_streak,
    max_uw,
    wins,
    taken,
    max_risk,
    path_p,
    rec,
):
    """Account paths with state-dependent risk, on the same streams as the i.i.d. kernels.

    Outcomes are drawn as the engine draws them (:func:`_draw_r`) and booked by its shared
    bookkeeping (:func:`ruin.engine.accounting.acc_trade`), so with ``mart = anti = 1``,
    ``cap >= risk``, ``dd_cut <= 0`` and ``beta_a <= 0`` every path equals the plain
    engine's. The state ``x``
    is the engine's: log equity, or (fixed sizing) net winnings in units of the *base* stake
    ``risk x E0``, so a trade at risk ``rt`` adds ``r * rt / risk``. ``beta_a > 0`` draws
    P(win) per path from Beta(beta_a, beta_b) (two-point model only). Extra outputs:
    ``max_risk`` (largest risk used on a path) and ``path_p`` (its P(win)).
    """
    n_rec = rec.shape[0]
    ruin_cut, goal_cut = barrier_cuts(ruin_x, goal_x)
    c = c_fixed(fractional, risk)
    dd_log = -math.log(1.0 - dd_cut) if dd_cut > 0.0 else np.inf
    for i in prange(n_paths):
        idx = path_offset + i
        thr = thr32
        p_i = float(thr32) / _TWO32
        if beta_a > 0.0:
            p_i = _beta(bk0, bk1, idx, beta_a, beta_b)
            thr = uint64(min(math.floor(p_i * _TWO32 + 0.5), _TWO32))
        s0, s1, s2, s3 = seed4(key0, key1, idx)
        w = uint64(0)
        pos = 0
        acc = acc_new(fractional, risk)
        t_ruin = -1
        t_goal = -1
        mult = 1.0
        mrisk = 0.0
        for t in range(n_trades):
            r, s0, s1, s2, s3, w, pos = _draw_r(
                model, t, s0, s1, s2, s3, w, pos, thr, rvals, accept, alias, block_len
            )
            m = mult
            x, peak, inv = acc.x, acc.peak, acc.inv
            if fractional:
                if peak - x >= dd_log * (1.0 - 1e-12):
                    m *= dd_factor
            elif dd_cut > 0.0 and (peak - x) * inv >= dd_cut - 1e-12:
                m *= dd_factor
            rt = min(risk * m, cap)
            mrisk = max(mrisk, rt)
            step = r_to_step(r, True, rt) if fractional else r * (rt / risk)
            acc = acc_trade(acc, step, r, r > 0.0, fractional, c, x_floor)
            if r < 0.0:
                mult = mult * mart if mart > 1.0 else 1.0
            elif r > 0.0:
                mult = mult * anti if anti > 1.0 else 1.0
            if mult * risk > cap:  # keep the multiplier bounded (the risk is capped anyway)
                mult = cap / risk
            x = acc.x
            if i < n_rec:
                rec[i, t + 1] = acc_equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        if i < n_rec:
            record_tail(rec, i, acc.x, acc.n, fractional, risk)
        acc_store(
            i,
            acc,
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
        max_risk[i] = mrisk
        path_p[i] = p_i
