"""Exact lattice DPs of ruin, goal and final equity over N trades.

* Two-point (Bernoulli) account, both sizings: :func:`lattice_dp`. After t trades with w wins
  the state is ``x = w*A + (t-w)*C`` (fixed: ``A = b, C = -1`` in R; fractional:
  ``A = log(1+b f), C = log(1-f)``), so O(N^2) (t, w) states carry P(ruin by t), P(goal by t)
  and the final-equity distribution.
* Fixed stakes with discrete (or i.i.d. bootstrap) outcomes on a lattice of 1/k R:
  :func:`discrete_lattice_dp`.

Barriers are the engine's (:data:`ruin.engine.TOL` relative tolerance), so the answers are
those the simulation estimates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..engine import TOL
from ..errors import ParameterError, check_int, check_number
from .closed_form import _check_p
from .growth import _outcomes

__all__ = ["LatticeResult", "lattice_dp", "discrete_lattice_dp", "MAX_DP_TRADES"]

#: Largest horizon the O(N^2) lattice DP accepts.
MAX_DP_TRADES = 20_000


@dataclass(frozen=True)
class LatticeResult:
    """Exact distribution of the two-point account over N trades.

    Attributes
    ----------
    ruin_by_trade : ndarray, shape (N + 1,)
        P(ruined at or before trade t), t = 0..N (``ruin_by_trade[0] = 0``).
    goal_by_trade : ndarray, shape (N + 1,)
        P(goal reached at or before trade t).
    final_values : ndarray
        Final equity multiples (atoms of the distribution; ruined and goal paths keep the
        equity of the trade that stopped them).
    final_probs : ndarray
        Their probabilities (sum 1).
    """

    ruin_by_trade: np.ndarray
    goal_by_trade: np.ndarray
    final_values: np.ndarray
    final_probs: np.ndarray

    @property
    def ruin_probability(self) -> float:
        return float(self.ruin_by_trade[-1])

    @property
    def goal_probability(self) -> float:
        return float(self.goal_by_trade[-1])

    @property
    def final_equity_mean(self) -> float:
        return float(np.dot(self.final_values, self.final_probs))

    @property
    def p_final_below_start(self) -> float:
        """P(final equity < start), with the summary's 1e-12 allowance."""
        return float(self.final_probs[self.final_values < 1.0 - 1e-12].sum())

    @property
    def survival(self) -> np.ndarray:
        return 1.0 - self.ruin_by_trade


@dataclass(frozen=True, slots=True)
class _Walk:
    """Per-trade state increments and absorbing cuts, exactly as the engine builds them."""

    p: float
    A: float  # win increment of x
    C: float  # loss increment of x (-inf: a loss takes everything)
    ruin_cut: float
    goal_cut: float
    fractional: bool
    risk: float

    def equity(self, x: np.ndarray) -> np.ndarray:
        if self.fractional:
            with np.errstate(over="ignore"):  # inf, as the engine's exp gives
                return np.exp(x)
        return np.maximum(0.0, 1.0 + self.risk * x)


def _walk(
    p: float, b: float, risk: float, fractional: bool, ruin_level: float, goal: float | None
) -> _Walk:
    if fractional:
        A = math.log(1.0 + risk * b)
        C = math.log(1.0 - risk) if risk < 1.0 else -math.inf
        ruin_x = math.log(ruin_level) if ruin_level > 0 else -math.inf
        goal_x = math.log(goal) if goal is not None else math.inf
    else:
        A, C = b, -1.0
        ruin_x = (ruin_level - 1.0) / risk
        goal_x = (goal - 1.0) / risk if goal is not None else math.inf
    ruin_cut = ruin_x + TOL * max(1.0, abs(ruin_x)) if ruin_x > -math.inf else -math.inf
    goal_cut = goal_x - TOL * max(1.0, abs(goal_x)) if goal_x < math.inf else math.inf
    return _Walk(p, A, C, ruin_cut, goal_cut, fractional, risk)


def _check_two_point(p, b, risk, sizing, trades, ruin_level, goal, max_trades):
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, 1e6, lo_incl=False)
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    if sizing not in ("fractional", "fixed"):
        raise ParameterError("sizing", "one of 'fractional', 'fixed'", sizing)
    trades = check_int(
        "trades",
        trades,
        1,
        max_trades,
        hint="The exact DP is O(N^2); use the simulation for longer horizons.",
    )
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if goal is not None:
        goal = check_number("goal", goal, 1.0, 1e12, lo_incl=False)
    return p, b, risk, trades, ruin_level, goal


def lattice_dp(
    p: float,
    b: float,
    risk: float,
    *,
    sizing: str = "fractional",
    trades: int,
    ruin_level: float = 0.0,
    goal: float | None = None,
) -> LatticeResult:
    """Exact P(ruin by t), P(goal by t) and final equity for the Bernoulli account.

    After t trades with w wins and l = t - w losses the account's state is
    ``x = w A + l C`` whatever the order (fixed stake: net R, ``A = b``, ``C = -1``;
    fractional: log equity, ``A = log(1 + b f)``, ``C = log(1 - f)``). The DP carries the
    probability of each alive (t, w); after each trade, states with
    ``x <= ruin cut`` are ruined and states with ``x >= goal cut`` reach the goal (both
    absorbing; cuts with the engine's relative tolerance 1e-9). O(N^2) time, O(N) memory.

    Parameters
    ----------
    p : float
        Win probability, 0 < p < 1.
    b : float
        Payoff in R.
    risk : float
        Fraction risked, 0 < risk <= 1 (of current equity when fractional, of the start
        when fixed).
    sizing : {"fractional", "fixed"}
    trades : int
        Horizon N, 1..:data:`MAX_DP_TRADES`.
    ruin_level : float
        Ruin when equity <= ruin_level x start, 0 <= ruin_level < 1.
    goal : float, optional
        Goal multiple of start (> 1).

    Returns
    -------
    LatticeResult

    Raises
    ------
    ParameterError
        For invalid inputs or ``trades > MAX_DP_TRADES``.
    """
    p, b, risk, N, ruin_level, goal = _check_two_point(
        p, b, risk, sizing, trades, ruin_level, goal, MAX_DP_TRADES
    )
    return _lattice_cached(p, b, risk, sizing == "fractional", N, ruin_level, goal)


@lru_cache(maxsize=64)
def _lattice_cached(p, b, risk, fractional, N, ruin_level, goal) -> LatticeResult:
    wk = _walk(p, b, risk, fractional, ruin_level, goal)
    q = 1.0 - p
    A, C = wk.A, wk.C
    loss_kills = C == -math.inf
    ruin_inc = np.zeros(N + 1)
    goal_inc = np.zeros(N + 1)
    vals: list[np.ndarray] = []
    probs: list[np.ndarray] = []
    alive = np.ones(1)
    lo = 0  # alive[j] is state w = lo + j; states below lo are ruined for all later t
    for t in range(1, N + 1):
        n = alive.size
        new = np.empty(n + 1)
        new[:n] = q * alive
        new[n] = 0.0
        new[1:] += p * alive
        w = np.arange(lo, lo + n + 1, dtype=np.float64)
        l_ = t - w
        if loss_kills:
            x = np.where(l_ > 0, -math.inf, w * A)
            dead_r = l_ > 0
        else:
            x = w * A + l_ * C
            dead_r = x <= wk.ruin_cut
        dead_g = (~dead_r) & (x >= wk.goal_cut)
        if dead_r.any():
            m = new[dead_r]
            ruin_inc[t] = m.sum()
            vals.append(wk.equity(x[dead_r]))
            probs.append(m)
            new[dead_r] = 0.0
        if dead_g.any():
            m = new[dead_g]
            goal_inc[t] = m.sum()
            vals.append(wk.equity(x[dead_g]))
            probs.append(m)
            new[dead_g] = 0.0
        # x increases with w, so ruined states form a prefix: drop it to keep vectors short.
        k = int(np.argmax(~dead_r)) if not dead_r.all() else new.size
        if k > 0 and not loss_kills:
            new = new[k:]
            lo += k
        alive = new
    w = np.arange(lo, lo + alive.size, dtype=np.float64)
    if loss_kills:
        x_end = np.where(N - w > 0, -math.inf, w * A)
    else:
        x_end = w * A + (N - w) * C
    vals.append(wk.equity(x_end))
    probs.append(alive)
    fv = np.concatenate(vals)
    fp = np.concatenate(probs)
    keep = fp > 0.0
    fv, fp = fv[keep], fp[keep]
    order = np.argsort(fv, kind="stable")
    res = LatticeResult(
        ruin_by_trade=np.cumsum(ruin_inc),
        goal_by_trade=np.cumsum(goal_inc),
        final_values=fv[order],
        final_probs=fp[order],
    )
    for a in (res.ruin_by_trade, res.goal_by_trade, res.final_values, res.final_probs):
        a.setflags(write=False)
    return res


def _fixed_lattice(values: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Integer steps and denominator k when every value is a multiple of 1/k R (k <= 1000)."""
    fr = [Fraction(float(v)).limit_denominator(1000) for v in values]
    if any(
        abs(float(a) - float(v)) > 1e-12 * max(1.0, abs(float(v)))
        for a, v in zip(fr, values, strict=True)
    ):
        return None
    k = 1
    for a in fr:
        k = k * a.denominator // math.gcd(k, a.denominator)
    if k > 1000:
        return None
    return np.array([int(a * k) for a in fr], dtype=np.int64), k


def _check_discrete(values, probs, risk, trades, ruin_level, goal):
    v, w = _outcomes(values, probs)
    v, inv = np.unique(v, return_inverse=True)  # merge repeated outcomes (bootstrap lists)
    w = np.bincount(inv, weights=w, minlength=v.size)
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    trades = check_int(
        "trades",
        trades,
        1,
        MAX_DP_TRADES,
        hint="The exact DP is O(N^2); use the simulation for longer horizons.",
    )
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if goal is not None:
        goal = check_number("goal", goal, 1.0, 1e12, lo_incl=False)
    lat = _fixed_lattice(v)
    if lat is None:
        raise ParameterError(
            "values",
            "multiples of a common 1/k R with k <= 1000 (e.g. -1, 0.5, 2.5) for an exact lattice",
            [float(x) for x in v],
        )
    wk = _walk(0.5, 1.0, risk, False, ruin_level, goal)  # only the barriers are used
    return v, w, risk, trades, lat[0], lat[1], wk


def discrete_lattice_dp(
    values: Sequence[float] | np.ndarray,
    probs: Sequence[float] | np.ndarray,
    risk: float,
    *,
    trades: int,
    ruin_level: float = 0.0,
    goal: float | None = None,
) -> LatticeResult:
    """Exact P(ruin by t), P(goal by t) and final equity for a fixed stake, discrete outcomes.

    With a fixed stake the net result in R is the sum of the outcomes, so when every outcome
    is a multiple of 1/k R the state is an integer on that lattice. The DP moves the alive
    probability one trade at a time (ruin at ``x <= ruin_level``-barrier, goal at
    ``x >= goal``-barrier, both absorbing, with the engine's 1e-9 tolerance).
    O(N x lattice width x outcomes).

    Parameters
    ----------
    values, probs
        Outcomes in R (multiples of a common 1/k, k <= 1000) and their probabilities.
    risk : float
        Fixed stake as a fraction of starting equity, 0 < risk <= 1.
    trades, ruin_level, goal
        As in :func:`lattice_dp`.

    Returns
    -------
    LatticeResult

    Raises
    ------
    ParameterError
        For invalid inputs, values off any small lattice, or a lattice too wide.
    """
    v, w, risk, N, steps, k, wk = _check_discrete(values, probs, risk, trades, ruin_level, goal)
    return _discrete_cached(
        tuple(w.tolist()), tuple(steps.tolist()), k, risk, N, wk.ruin_cut, wk.goal_cut
    )


@lru_cache(maxsize=32)
def _discrete_cached(probs, steps, k, risk, N, ruin_cut, goal_cut) -> LatticeResult:
    up = max(0, max(steps))
    r_lat = math.floor(ruin_cut * k)
    has_goal = math.isfinite(goal_cut)
    hi = min(math.ceil(goal_cut * k) - 1, up * N) if has_goal else up * N
    L = hi - r_lat  # alive x = r_lat + 1 + j, j = 0..L-1
    if L <= 0:  # pragma: no cover - start is always strictly inside the barriers
        raise ParameterError("goal", "above the ruin level", goal_cut)
    if L * len(steps) * N > 400_000_000 or L > 20_000_000:
        raise ParameterError(
            "trades",
            "a horizon whose lattice fits the exact DP",
            f"{L:,} lattice states x {N:,} trades",
        )

    def eq(j: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, 1.0 + risk * (r_lat + 1 + j) / k)

    alive = np.zeros(L)
    alive[-r_lat - 1] = 1.0  # x = 0
    ruin_inc = np.zeros(N + 1)
    goal_inc = np.zeros(N + 1)
    vals: list[np.ndarray] = []
    mass: list[np.ndarray] = []
    for t in range(1, N + 1):
        new = np.zeros(L)
        for s, w in zip(steps, probs, strict=True):
            if s >= 0:
                new[s:] += w * alive[: L - s]
                if s > 0:
                    out = w * alive[L - s :]
                    if out.any():  # only reachable with a goal (else L covers N * up)
                        goal_inc[t] += out.sum()
                        vals.append(eq(np.arange(L - s, L) + s))
                        mass.append(out)
            else:
                new[: L + s] += w * alive[-s:]
                out = w * alive[:-s]
                if out.any():
                    ruin_inc[t] += out.sum()
                    vals.append(eq(np.arange(0, -s) + s))
                    mass.append(out)
        alive = new
    vals.append(eq(np.arange(L)))
    mass.append(alive)
    fv = np.concatenate(vals)
    fp = np.concatenate(mass)
    keep = fp > 0.0
    fv, fp = fv[keep], fp[keep]
    order = np.argsort(fv, kind="stable")
    res = LatticeResult(
        ruin_by_trade=np.cumsum(ruin_inc),
        goal_by_trade=np.cumsum(goal_inc),
        final_values=fv[order],
        final_probs=fp[order],
    )
    for a in (res.ruin_by_trade, res.goal_by_trade, res.final_values, res.final_probs):
        a.setflags(write=False)
    return res
