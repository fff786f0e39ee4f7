"""Exact ``P(max drawdown >= X)`` within N trades, where a DP exists.

* Fractional sizing: the drawdown in log equity is a Markov chain of (losses, wins) since the
  last peak (:func:`drawdown_exceedance_exact`).
* Fixed stakes with outcomes on a lattice of 1/k R: a joint (peak, drawdown) lattice
  (:func:`drawdown_exceedance_exact` for the two-point bet,
  :func:`discrete_drawdown_exceedance_exact` for any number of outcomes).

The two kernels are compiled with numba (cached on disk).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit

from ..errors import check_number
from .lattice import MAX_DP_TRADES, _check_discrete, _check_two_point, _fixed_lattice, _walk

__all__ = ["drawdown_exceedance_exact", "discrete_drawdown_exceedance_exact", "DD_ALLOWANCE"]

#: Allowance on drawdown levels, as in ``SimulationResult.drawdown_exceedance``.
DD_ALLOWANCE = 1e-12
_MAX_CELLS = 5_000_000  # two float64 grids of this size (80 MB) at most


@njit(cache=True)
def _dd_chain_fractional(p, A, Cabs, N, dthr, lo_dw, width):  # pragma: no cover - numba
    """Drawdown chain for log equity: state (dl, dw) = losses / wins since the last peak.

    Drawdown ``D = dl*Cabs - dw*A``; a win lowers D by A (back to the peak state (0, 0)
    when D <= 0), a loss raises it by Cabs; D >= dthr is the (absorbing) hit. Row dl stores
    dw = lo_dw[dl] .. lo_dw[dl] + width - 1. Returns P(hit by t), t = 0..N.
    """
    q = 1.0 - p
    cur = np.zeros((N + 2, width))
    nxt = np.zeros((N + 2, width))
    peak = 1.0
    hit = np.zeros(N + 1)
    eps = 1e-12
    for t in range(1, N + 1):
        nxt[: min(t, N) + 2, :] = 0.0  # rows up to t can hold mass (step t-2 included)
        new_peak = p * peak
        h = 0.0
        # loss from the peak: (1, 0)
        if Cabs >= dthr:
            h += q * peak
        else:
            nxt[1, 0 - lo_dw[1]] += q * peak
        top = min(t - 1, N)
        for dl in range(1, top + 1):
            base = lo_dw[dl]
            for j in range(width):
                m = cur[dl, j]
                if m == 0.0:
                    continue
                dw = base + j
                D = dl * Cabs - dw * A
                # win
                Dw = D - A
                if Dw <= eps * max(1.0, dl * Cabs):
                    new_peak += p * m
                else:
                    nxt[dl, dw + 1 - base] += p * m
                # loss
                if D + Cabs >= dthr:
                    h += q * m
                else:
                    nxt[dl + 1, dw - lo_dw[dl + 1]] += q * m
        hit[t] = hit[t - 1] + h
        peak = new_peak
        cur, nxt = nxt, cur
    return hit


@njit(cache=True)
def _dd_joint_lattice(probs, steps, N, r_lat, g_lat, hit_d, pcap, dcap):  # pragma: no cover
    """Joint (peak, drawdown) DP for a fixed stake on a lattice of 1/k R.

    Outcome i moves x by the integer ``steps[i]`` with probability ``probs[i]``. State (P, d):
    running peak P >= 0 and d = P - x. After each trade: hit when d >= hit_d[P] (checked
    first, as the engine updates the max drawdown before its barrier tests); else ruin when
    x <= r_lat, goal when x >= g_lat (both leave without a hit). Returns P(hit by t).
    """
    up = 0
    down = 0
    for s in steps:
        up = max(up, s)
        down = max(down, -s)
    cur = np.zeros((pcap + 1, dcap + 1))
    nxt = np.zeros((pcap + 1, dcap + 1))
    cur[0, 0] = 1.0
    hit = np.zeros(N + 1)
    # alive cells of row P: d < hit_d[P] and x = P - d > r_lat
    dlim = np.empty(pcap + 1, np.int64)
    for P in range(pcap + 1):
        dlim[P] = min(dcap, hit_d[P] - 1, P - r_lat - 1)
    for t in range(1, N + 1):
        # nxt still holds step t-2; clear every cell this step can write (row P: d <= dlim)
        for P in range(min(pcap, up * t) + 1):
            nxt[P, : min(dlim[P], down * t) + 1] = 0.0
        h = 0.0
        pm = min(pcap, up * (t - 1))
        dm = min(dcap, down * (t - 1))
        for P in range(pm + 1):
            for d in range(min(dm, dlim[P]) + 1):
                mass = cur[P, d]
                if mass == 0.0:
                    continue
                x = P - d
                for i in range(steps.size):
                    s = steps[i]
                    pm_ = probs[i] * mass
                    if s >= 0:
                        xw = x + s
                        if xw >= g_lat:
                            continue
                        if xw > P:
                            nxt[xw, 0] += pm_
                        else:
                            nxt[P, d - s] += pm_
                    else:
                        d2 = d - s
                        if d2 >= hit_d[P]:
                            h += pm_
                        elif x + s > r_lat:
                            nxt[P, d2] += pm_
        hit[t] = hit[t - 1] + h
        cur, nxt = nxt, cur
    return hit


def _dd_fixed_lattice(probs, steps, k, risk, N, ruin_cut, goal_cut, thr, budget):
    """(probability-by-trade or None, cost, note) of the joint lattice for a fixed stake."""
    up = int(max(0, steps.max()))
    down = int(max(0, -steps.min()))
    r_lat = math.floor(ruin_cut * k)
    g_lat = math.ceil(goal_cut * k) if math.isfinite(goal_cut) else up * N + 1
    pcap = min(up * N, g_lat - 1)
    if pcap + 1 > _MAX_CELLS:
        return None, 0.0, f"the peak can take {pcap + 1:.2g} lattice values; too many"
    pk = np.arange(pcap + 1, dtype=np.float64)
    # hit when d/k >= thr * (1/f + P/k)  <=>  d >= thr * (k/f + P)
    hit_d = np.maximum(np.ceil(thr * (k / risk + pk)).astype(np.int64), 1)
    dcap = max(0, int(min(hit_d.max() - 1, pcap - r_lat - 1, down * N)))
    # cell updates: sum over t of sum over reachable rows P <= up(t-1) of min(down(t-1), dlim)
    dlim = np.minimum(np.minimum(hit_d - 1, pk.astype(np.int64) - r_lat - 1), dcap)
    dlim = np.maximum(dlim, -1).astype(np.float64)
    stride = max(1, N // 200)
    ts = np.arange(0, N, stride, dtype=np.float64)
    cost = (
        stride
        * steps.size
        * float(
            sum(np.sum(np.minimum(dlim[: int(min(pcap, up * t)) + 1], down * t) + 1) for t in ts)
        )
    )
    if cost > budget or (pcap + 1) * (dcap + 1) > _MAX_CELLS:
        return None, cost, f"needs about {cost:.2g} cell updates; over the budget"
    by = _dd_joint_lattice(
        np.asarray(probs, dtype=np.float64), steps, N, r_lat, g_lat, hit_d, pcap, dcap
    )
    return by, cost, ""


def _dd_threshold(level: float) -> float:
    return level - DD_ALLOWANCE


def drawdown_exceedance_exact(
    p: float,
    b: float,
    risk: float,
    *,
    sizing: str = "fractional",
    trades: int,
    level: float,
    ruin_level: float = 0.0,
    goal: float | None = None,
    budget: int = 2_000_000_000,
) -> dict[str, Any]:
    """Exact ``P(MDD >= level)`` within N trades for the Bernoulli account, where it exists.

    MDD is the engine's: the largest peak-to-trough fall of closed-trade equity as a fraction
    of the peak (start counts as a peak), counted up to the trade that ruins the path or
    reaches the goal; ``>=`` with the summary's 1e-12 allowance.

    * **Fractional**: the drawdown in log equity is a Markov chain (a win lowers it by
      ``log(1+bf)``, capped at 0 at the peak; a loss raises it by ``-log(1-f)``) and the
      MDD is at least ``level`` iff the chain hits ``-log(1 - level)``. Its state is
      (losses, wins) since the last peak, O(N x level/log(1+bf)) states. Exact when ruin
      cannot stop a path before its drawdown reaches the level (``level <= 1 - ruin_level``:
      a ruined path has MDD >= 1 - ruin_level) and no goal is reachable within N trades.
    * **Fixed stake**: the drawdown fraction ``(peak - x) / (1/f + peak)`` depends on the
      peak, so the state is (peak, drawdown) on the lattice of 1/k R for a payoff
      ``b = m/k`` (rational with k <= 1000); ruin and goal are handled jointly, so any level
      and ruin level is exact.

    Parameters
    ----------
    p, b, risk, sizing, trades, ruin_level, goal
        As in :func:`lattice_dp`.
    level : float
        Drawdown level X, 0 < X <= 1.
    budget : int
        Largest number of cell updates (states x trades) to spend; above it the answer is
        ``None`` with a reason.

    Returns
    -------
    dict
        ``probability`` (float or None), ``by_trade`` (ndarray, P(MDD >= X by t), or None),
        ``method`` (str), ``note`` (why it is None, or "") and ``cost`` (estimated cell
        updates, the measure ``budget`` limits).
    """
    p, b, risk, N, ruin_level, goal = _check_two_point(
        p, b, risk, sizing, trades, ruin_level, goal, MAX_DP_TRADES
    )
    level = check_number("level", level, 0.0, 1.0, lo_incl=False)
    fractional = sizing == "fractional"
    wk = _walk(p, b, risk, fractional, ruin_level, goal)
    thr = _dd_threshold(level)

    def none(method: str, note: str, cost: float = 0.0) -> dict[str, Any]:
        return {"probability": None, "by_trade": None, "method": method, "note": note, "cost": cost}

    def done(by: np.ndarray, method: str, cost: float) -> dict[str, Any]:
        by = np.minimum(by, 1.0)  # summing hit masses can exceed 1 by a rounding error
        return {
            "probability": float(by[-1]),
            "by_trade": by,
            "method": method,
            "note": "",
            "cost": cost,
        }

    if fractional:
        method = "drawdown chain (losses, wins since the last peak)"
        if goal is not None and N * wk.A >= wk.goal_cut:
            return none(
                method,
                "a goal reachable within N trades needs the absolute "
                "position as well; not computed exactly",
            )
        if ruin_level > 0.0 and level > 1.0 - ruin_level + DD_ALLOWANCE:
            return none(
                method,
                f"level {level:g} is above 1 - ruin_level: ruin can stop a "
                "path first; not computed exactly",
            )
        if wk.C == -math.inf:  # risk = 1: the first loss is a 100% drawdown
            return done(1.0 - p ** np.arange(N + 1, dtype=np.float64), method, 0.0)
        dthr = -math.log1p(-thr) if thr < 1.0 else math.inf
        Cabs = -wk.C
        if not math.isfinite(dthr):  # MDD >= 1 needs equity 0: impossible for risk < 1
            return done(np.zeros(N + 1), method, 0.0)
        dl = np.arange(N + 2, dtype=np.float64)
        # alive rows: 0 < dl*Cabs - dw*A < dthr  =>  dw in ((dl*Cabs - dthr)/A, dl*Cabs/A)
        lo_dw = np.maximum(0, np.floor((dl * Cabs - dthr) / wk.A) - 1).astype(np.int64)
        hi_dw = np.ceil(dl * Cabs / wk.A).astype(np.int64) + 1
        width = int((hi_dw - lo_dw).max()) + 2
        cost = float(width) * N * (N + 3) / 2.0
        if cost > budget or (N + 2) * width > _MAX_CELLS:
            return none(method, f"needs about {cost:.2g} cell updates; over the budget", cost)
        by = _dd_chain_fractional(p, wk.A, Cabs, N, dthr, lo_dw, width)
        return done(by, method, cost)

    method = "joint (peak, drawdown) lattice"
    lat = _fixed_lattice(np.array([-1.0, b]))
    if lat is None:
        return none(method, f"payoff {b:g} is not a ratio of small integers; no exact lattice")
    by, cost, note = _dd_fixed_lattice(
        np.array([1.0 - p, p]), lat[0], lat[1], risk, N, wk.ruin_cut, wk.goal_cut, thr, budget
    )
    if by is None:
        return none(method, note, cost)
    return done(by, method, cost)


def discrete_drawdown_exceedance_exact(
    values: Sequence[float] | np.ndarray,
    probs: Sequence[float] | np.ndarray,
    risk: float,
    *,
    trades: int,
    level: float,
    ruin_level: float = 0.0,
    goal: float | None = None,
    budget: int = 2_000_000_000,
) -> dict[str, Any]:
    """Exact ``P(MDD >= level)`` within N trades for a fixed stake with lattice outcomes.

    The joint (peak, drawdown) lattice DP of :func:`drawdown_exceedance_exact`, with any
    number of outcomes (multiples of a common 1/k R); ruin and goal handled jointly.

    Returns
    -------
    dict
        As :func:`drawdown_exceedance_exact`.
    """
    v, w, risk, N, steps, k, wk = _check_discrete(values, probs, risk, trades, ruin_level, goal)
    level = check_number("level", level, 0.0, 1.0, lo_incl=False)
    method = "joint (peak, drawdown) lattice"
    by, cost, note = _dd_fixed_lattice(
        w, steps, k, risk, N, wk.ruin_cut, wk.goal_cut, _dd_threshold(level), budget
    )
    if by is None:
        return {"probability": None, "by_trade": None, "method": method, "note": note, "cost": cost}
    by = np.minimum(by, 1.0)
    return {
        "probability": float(by[-1]),
        "by_trade": by,
        "method": method,
        "note": "",
        "cost": cost,
    }
