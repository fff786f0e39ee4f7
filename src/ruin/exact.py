"""Exact answers beside the simulation: closed forms and lattice dynamic programmes.

Everything here uses the account semantics of :mod:`ruin.engine` (see :mod:`ruin.params`):
outcomes in R, ruin when closed-trade equity <= ``ruin_level`` x start after a trade
(absorbing, inclusive, relative tolerance :data:`ruin.engine.TOL` on the barrier), goal when
equity >= ``goal`` x start (absorbing), fixed stakes floored at 0, fractional sizing
multiplying equity by ``1 - risk`` or ``1 + payoff * risk``.

Contents
--------
* Gambler's ruin with unit stakes (payoff 1, fixed stake): :func:`gamblers_ruin`,
  :func:`gamblers_ruin_duration` (finite and infinite target, fair and unfair game).
* Fixed stake, payoff ``b``, infinite horizon: :func:`fixed_stake_root` (root of
  ``p x^(b+1) - x + q = 0``) and :func:`fixed_stake_ruin` (``x^units``).
* Two-point lattice DP (:func:`lattice_dp`), exact for both sizings and any payoff: after t
  trades with w wins the state is ``x = w*A + (t-w)*C`` (fixed: ``A = b, C = -1`` in R;
  fractional: ``A = log(1+b f), C = log(1-f)``), so O(N^2) (t, w) states carry P(ruin by t),
  P(goal by t) and the final-equity distribution.
* P(max drawdown >= X): :func:`drawdown_exceedance_exact` (drawdown chain for fractional
  sizing; joint (peak, drawdown) lattice for fixed stakes with rational payoff).
* Fixed stakes with discrete (or i.i.d. bootstrap) outcomes on a lattice of 1/k R:
  :func:`discrete_lattice_dp`, :func:`discrete_drawdown_exceedance_exact`.
* Kelly and log growth: :func:`kelly_fraction`, :func:`log_growth`,
  :func:`kelly_fraction_discrete`, :func:`log_growth_discrete`.
* Popular approximations, labelled as such: :func:`approximations`.
* :func:`theory` (what exists for a scenario, the ``theory`` key of the CLI JSON) and
  :func:`exact_ruin_curve` (P(ruined by trade t), t = 0..N, for the survival chart).

The Bernoulli model in the engine draws a win when a 32-bit uniform is below
``round(p * 2**32)``, so its win rate differs from ``p`` by at most 2**-33; exact answers
here use ``p`` itself.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
from numba import njit

from .engine import TOL
from .errors import ParameterError, check_int, check_number
from .params import Bernoulli, Bootstrap, Scenario

__all__ = [
    "gamblers_ruin",
    "gamblers_ruin_duration",
    "fixed_stake_root",
    "fixed_stake_ruin",
    "ruin_units",
    "kelly_fraction",
    "log_growth",
    "kelly_fraction_discrete",
    "log_growth_discrete",
    "LatticeResult",
    "lattice_dp",
    "drawdown_exceedance_exact",
    "discrete_lattice_dp",
    "discrete_drawdown_exceedance_exact",
    "approximations",
    "APPROXIMATION_NOTES",
    "exact_ruin_curve",
    "theory",
    "MAX_DP_TRADES",
    "DD_ALLOWANCE",
]

#: Largest horizon the O(N^2) lattice DP accepts (about 1 s at the limit).
MAX_DP_TRADES = 20_000
#: Cell-steps the drawdown DPs may use inside :func:`theory` (keeps the CLI fast).
THEORY_DD_BUDGET = 60_000_000
#: Allowance on drawdown levels, as in ``SimulationResult.drawdown_exceedance``.
DD_ALLOWANCE = 1e-12
_MAX_CELLS = 5_000_000  # two float64 grids of this size (80 MB) at most
_DEFAULT_LEVELS = (0.1, 0.2, 0.3, 0.5)


# --------------------------------------------------------------------------------------
# Gambler's ruin (unit stakes)
# --------------------------------------------------------------------------------------


def _check_p(p: float) -> float:
    return check_number("win_rate", p, 0.0, 1.0, lo_incl=False, hi_incl=False)


def _check_start_target(start: int, target: int | None) -> tuple[int, int | None]:
    i = check_int("start", start, 0)
    if target is None:
        return i, None
    n = check_int("target", target, 1)
    if n < i:
        raise ParameterError("target", f"at least start ({i})", target)
    return i, n


def gamblers_ruin(p: float, start: int, target: int | None = None) -> float:
    """Probability that a unit-stake gambler is ruined (reaches 0 before ``target``).

    Each bet wins +1 with probability ``p`` and loses 1 with ``q = 1 - p``; capital starts at
    ``start`` units. With ``r = q/p`` (Feller, *An Introduction to Probability Theory*, vol. 1,
    ch. XIV.2):

    * finite target N: ``(r^i - r^N) / (1 - r^N)``, and ``1 - i/N`` when ``p = q``;
    * no target (``target=None``): ``r^i`` when ``p > q``, else 1.

    Parameters
    ----------
    p : float
        Win probability per bet, 0 < p < 1.
    start : int
        Starting capital i in units (>= 0).
    target : int, optional
        Absorbing upper barrier N >= start; ``None`` for an infinite target.

    Returns
    -------
    float
        P(ruin) in [0, 1].

    Examples
    --------
    >>> gamblers_ruin(0.5, 10, 20)
    0.5
    """
    p = _check_p(p)
    i, n = _check_start_target(start, target)
    q = 1.0 - p
    if i == 0:
        return 1.0
    if n is not None and i == n:
        return 0.0
    if n is None:
        return 1.0 if p <= q else (q / p) ** i
    if p == q:
        return 1.0 - i / n
    if q < p:  # r < 1: L = log r < 0, stable with expm1
        lr = math.log(q / p)
        return (math.expm1(i * lr) - math.expm1(n * lr)) / (-math.expm1(n * lr))
    ls = math.log(p / q)  # r > 1: divide through by r^N, s = p/q < 1
    return math.expm1((n - i) * ls) / math.expm1(n * ls)


def gamblers_ruin_duration(p: float, start: int, target: int | None = None) -> float:
    """Expected number of unit bets until ruin or ``target`` (Feller XIV.3).

    Finite target N, ``p != q``: ``i/(q-p) - N/(q-p) * (1 - r^i)/(1 - r^N)`` with
    ``r = q/p``; ``p = q``: ``i (N - i)``. No target: ``i/(q-p)`` when ``p < q``, else
    ``inf`` (the game may last forever).

    Parameters
    ----------
    p, start, target
        As in :func:`gamblers_ruin`.

    Returns
    -------
    float
        Expected duration in bets (``inf`` when it is not finite).
    """
    p = _check_p(p)
    i, n = _check_start_target(start, target)
    q = 1.0 - p
    if n is None:
        return i / (q - p) if p < q else (0.0 if i == 0 else math.inf)
    if p == q:
        return float(i * (n - i))
    ruin = gamblers_ruin(p, i, n)
    # E[duration] = E[X_tau - i] / (p - q); X_tau = N with P(1 - ruin), 0 with P(ruin).
    return (n * (1.0 - ruin) - i) / (p - q)


# --------------------------------------------------------------------------------------
# Fixed stake, payoff b, infinite horizon
# --------------------------------------------------------------------------------------


def fixed_stake_root(p: float, b: float) -> float:
    """Root ``x`` in (0, 1) of ``p x^(b+1) - x + q = 0`` (1.0 when the edge ``p b - q <= 0``).

    ``x^c`` is a martingale of the net position c (in R) for a fixed stake that wins ``b`` R
    with probability ``p`` and loses 1 R, so by optional stopping the ruin probability from
    ``c`` R above the barrier is ``x^c / E[x^(undershoot)]``: exactly ``x^c`` when the walk
    lands on the barrier (integer payoff and integer c), and in ``(x^(c+1), x^c]`` otherwise.
    Solved with :func:`scipy.optimize.brentq`.

    Parameters
    ----------
    p : float
        Win probability, 0 < p < 1.
    b : float
        Payoff in R of a win, > 0.

    Returns
    -------
    float
        The root, in (0, 1], equal to 1 when the edge is not positive.

    Examples
    --------
    >>> round(fixed_stake_root(0.6, 1.0), 12)  # b = 1: x = q/p
    0.666666666667
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    q = 1.0 - p
    if p * b - q <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    def h(x: float) -> float:
        return p * x ** (b + 1.0) - x + q

    # h(0) = q > 0, h(1) = 0 with h'(1) = p(b+1) - 1 > 0, so h < 0 just below 1.
    hi = 1.0 - 1e-15
    while h(hi) >= 0.0 and hi > 0.5:  # pragma: no cover - only for edges ~1e-15
        hi = 1.0 - (1.0 - hi) * 10.0
    if h(hi) >= 0.0:  # pragma: no cover
        return 1.0
    return float(brentq(h, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def ruin_units(risk: float, ruin_level: float) -> float:
    """Distance to the ruin barrier in R for a fixed stake: ``(1 - ruin_level) / risk``."""
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    return (1.0 - ruin_level) / risk


def _lattice_units(units: float) -> int:
    """Net losses (payoff 1 lattice) that reach a barrier ``units`` R away, as the engine."""
    return max(1, math.ceil(units - TOL * max(1.0, units)))


def fixed_stake_ruin(p: float, b: float, units: float) -> dict[str, Any]:
    """Infinite-horizon ruin probability for a fixed stake ``units`` R above the barrier.

    Returns the root value ``x^n`` where ``n`` is the distance the engine's barrier test
    implies: for an integer payoff the walk moves down 1 R at a time, so ruin happens at
    exactly ``n = ceil(units)`` net losses (within the 1e-9 tolerance) and ``x^n`` is exact.
    For other payoffs the barrier can be overshot and the exact value lies in
    ``(x^(units+1), x^units]``; both bounds are returned.

    Parameters
    ----------
    p : float
        Win probability, 0 < p < 1.
    b : float
        Payoff in R, > 0.
    units : float
        Distance to the ruin barrier in R, > 0 (``(1 - ruin_level) / risk``).

    Returns
    -------
    dict
        ``root``, ``ruin_probability`` (``x^n`` when ``exact`` else the upper bound
        ``x^units``), ``lower_bound``, ``upper_bound`` and ``exact`` (bool).
    """
    units = check_number("units", units, 0.0, None, lo_incl=False)
    x = fixed_stake_root(p, b)
    integer_b = abs(b - round(b)) <= 1e-12 and round(b) >= 1
    if x >= 1.0:
        return {"root": 1.0, "ruin_probability": 1.0, "lower_bound": 1.0, "upper_bound": 1.0,
                "exact": True}
    if integer_b:
        v = x ** _lattice_units(units)
        return {"root": x, "ruin_probability": v, "lower_bound": v, "upper_bound": v,
                "exact": True}
    return {"root": x, "ruin_probability": x**units, "lower_bound": x ** (units + 1.0),
            "upper_bound": x**units, "exact": False}


# --------------------------------------------------------------------------------------
# Kelly and log growth
# --------------------------------------------------------------------------------------


def kelly_fraction(p: float, b: float) -> float:
    """Kelly fraction ``f* = p - q/b`` for a bet winning ``b`` R w.p. ``p``, losing 1 R.

    Maximises the expected log growth per trade :func:`log_growth` (Kelly 1956). A negative
    value means the bet has no edge: the growth-optimal stake is zero.

    Examples
    --------
    >>> round(kelly_fraction(0.55, 1.0), 12)
    0.1
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    return p - (1.0 - p) / b


def log_growth(f: float, p: float, b: float) -> float:
    """Expected log growth per trade ``g(f) = p log(1 + b f) + q log(1 - f)`` (nats).

    This is the growth rate of equity under fractional sizing at risk ``f``:
    ``E[log(E_N / E_0)] = N g(f)``. ``-inf`` at ``f = 1`` (a loss wipes the account out).
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, None, lo_incl=False)
    f = check_number("risk", f, 0.0, 1.0)
    if f >= 1.0:
        return -math.inf
    return p * math.log1p(b * f) + (1.0 - p) * math.log1p(-f)


def _outcomes(values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray):
    v = np.asarray(values, dtype=np.float64).ravel()
    w = np.asarray(probs, dtype=np.float64).ravel()
    if v.size == 0 or v.size != w.size:
        raise ParameterError("probs", "a list as long as values (non-empty)", f"{w.size} items")
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(w)) and np.all(w >= 0.0)):
        raise ParameterError("values/probs", "finite numbers, probabilities >= 0", "non-finite")
    s = float(w.sum())
    if abs(s - 1.0) > 1e-9:
        raise ParameterError("probs", "probabilities summing to 1", f"sum {s:.12g}")
    keep = w > 0.0
    return v[keep], w[keep] / s


def log_growth_discrete(
    f: float, values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray
) -> float:
    """Expected log growth ``E[log(1 + f r)]`` per trade for outcomes ``r`` (in R).

    Returns ``-inf`` when some outcome of positive probability has ``1 + f r <= 0``.
    """
    f = check_number("risk", f, 0.0, 1.0)
    v, w = _outcomes(values, probs)
    g = 1.0 + f * v
    if np.any(g <= 0.0):
        return -math.inf
    return float(np.dot(w, np.log(g)))


def kelly_fraction_discrete(
    values: Sequence[float] | np.ndarray, probs: Sequence[float] | np.ndarray
) -> float:
    """Growth-optimal risk ``argmax_f E[log(1 + f r)]`` over ``0 <= f <= 1`` (numeric).

    The derivative ``E[r / (1 + f r)]`` is decreasing in f, so its root (scipy ``brentq``)
    is the maximiser. Returns 0 when the mean outcome is not positive (no edge) and the
    upper end when the growth still increases there (upper end = 1, or just below
    ``1 / max loss`` when a loss larger than 1 R is possible).
    """
    v, w = _outcomes(values, probs)
    mean = float(np.dot(w, v))
    if mean <= 0.0:
        return 0.0
    worst = float(v.min())
    hi = 1.0 if worst > -1.0 else (1.0 / -worst) * (1.0 - 1e-12)

    def d(f: float) -> float:
        return float(np.dot(w, v / (1.0 + f * v)))

    if worst >= 0.0 or d(hi) >= 0.0:
        return hi
    from scipy.optimize import brentq

    return float(brentq(d, 0.0, hi, xtol=1e-14, maxiter=500))


# --------------------------------------------------------------------------------------
# Two-point lattice DP (ruin, goal, final equity) - exact, both sizings
# --------------------------------------------------------------------------------------


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


def _walk(p: float, b: float, risk: float, fractional: bool, ruin_level: float,
          goal: float | None) -> _Walk:
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
    trades = check_int("trades", trades, 1, max_trades,
                       hint="The exact DP is O(N^2); use the simulation for longer horizons.")
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
        p, b, risk, sizing, trades, ruin_level, goal, MAX_DP_TRADES)
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
        ruin_by_trade=np.cumsum(ruin_inc), goal_by_trade=np.cumsum(goal_inc),
        final_values=fv[order], final_probs=fp[order],
    )
    for a in (res.ruin_by_trade, res.goal_by_trade, res.final_values, res.final_probs):
        a.setflags(write=False)
    return res


# --------------------------------------------------------------------------------------
# P(max drawdown >= X)
# --------------------------------------------------------------------------------------


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


def _fixed_lattice(values: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Integer steps and denominator k when every value is a multiple of 1/k R (k <= 1000)."""
    fr = [Fraction(float(v)).limit_denominator(1000) for v in values]
    if any(abs(float(a) - float(v)) > 1e-12 * max(1.0, abs(float(v)))
           for a, v in zip(fr, values, strict=True)):
        return None
    k = 1
    for a in fr:
        k = k * a.denominator // math.gcd(k, a.denominator)
    if k > 1000:
        return None
    return np.array([int(a * k) for a in fr], dtype=np.int64), k


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
    cost = stride * steps.size * float(sum(
        np.sum(np.minimum(dlim[: int(min(pcap, up * t)) + 1], down * t) + 1) for t in ts))
    if cost > budget or (pcap + 1) * (dcap + 1) > _MAX_CELLS:
        return None, cost, f"needs about {cost:.2g} cell updates; over the budget"
    by = _dd_joint_lattice(np.asarray(probs, dtype=np.float64), steps, N, r_lat, g_lat, hit_d,
                           pcap, dcap)
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
        updates; about 1e9 take a second).
    """
    p, b, risk, N, ruin_level, goal = _check_two_point(
        p, b, risk, sizing, trades, ruin_level, goal, MAX_DP_TRADES)
    level = check_number("level", level, 0.0, 1.0, lo_incl=False)
    fractional = sizing == "fractional"
    wk = _walk(p, b, risk, fractional, ruin_level, goal)
    thr = _dd_threshold(level)

    def none(method: str, note: str, cost: float = 0.0) -> dict[str, Any]:
        return {"probability": None, "by_trade": None, "method": method, "note": note,
                "cost": cost}

    def done(by: np.ndarray, method: str, cost: float) -> dict[str, Any]:
        by = np.minimum(by, 1.0)  # summing hit masses can exceed 1 by a rounding error
        return {"probability": float(by[-1]), "by_trade": by, "method": method, "note": "",
                "cost": cost}

    if fractional:
        method = "drawdown chain (losses, wins since the last peak)"
        if goal is not None and N * wk.A >= wk.goal_cut:
            return none(method, "a goal reachable within N trades needs the absolute "
                                "position as well; not computed exactly")
        if ruin_level > 0.0 and level > 1.0 - ruin_level + DD_ALLOWANCE:
            return none(method, f"level {level:g} is above 1 - ruin_level: ruin can stop a "
                                "path first; not computed exactly")
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
            return none(method, f"needs about {cost:.2g} cell updates; over the budget",
                        cost)
        by = _dd_chain_fractional(p, wk.A, Cabs, N, dthr, lo_dw, width)
        return done(by, method, cost)

    method = "joint (peak, drawdown) lattice"
    lat = _fixed_lattice(np.array([-1.0, b]))
    if lat is None:
        return none(method, f"payoff {b:g} is not a ratio of small integers; no exact "
                            "lattice")
    by, cost, note = _dd_fixed_lattice(np.array([1.0 - p, p]), lat[0], lat[1], risk, N,
                                       wk.ruin_cut, wk.goal_cut, thr, budget)
    if by is None:
        return none(method, note, cost)
    return done(by, method, cost)


def _check_discrete(values, probs, risk, trades, ruin_level, goal):
    v, w = _outcomes(values, probs)
    v, inv = np.unique(v, return_inverse=True)  # merge repeated outcomes (bootstrap lists)
    w = np.bincount(inv, weights=w, minlength=v.size)
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    trades = check_int("trades", trades, 1, MAX_DP_TRADES,
                       hint="The exact DP is O(N^2); use the simulation for longer horizons.")
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if goal is not None:
        goal = check_number("goal", goal, 1.0, 1e12, lo_incl=False)
    lat = _fixed_lattice(v)
    if lat is None:
        raise ParameterError(
            "values", "multiples of a common 1/k R with k <= 1000 (e.g. -1, 0.5, 2.5) for "
            "an exact lattice", [float(x) for x in v])
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
    return _discrete_cached(tuple(w.tolist()), tuple(steps.tolist()), k, risk, N,
                            wk.ruin_cut, wk.goal_cut)


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
        raise ParameterError("trades", "a horizon whose lattice fits the exact DP",
                             f"{L:,} lattice states x {N:,} trades")

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
                    out = w * alive[L - s:]
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
    res = LatticeResult(ruin_by_trade=np.cumsum(ruin_inc), goal_by_trade=np.cumsum(goal_inc),
                        final_values=fv[order], final_probs=fp[order])
    for a in (res.ruin_by_trade, res.goal_by_trade, res.final_values, res.final_probs):
        a.setflags(write=False)
    return res


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
    by, cost, note = _dd_fixed_lattice(w, steps, k, risk, N, wk.ruin_cut, wk.goal_cut,
                                       _dd_threshold(level), budget)
    if by is None:
        return {"probability": None, "by_trade": None, "method": method, "note": note,
                "cost": cost}
    by = np.minimum(by, 1.0)
    return {"probability": float(by[-1]), "by_trade": by, "method": method, "note": "",
            "cost": cost}


# --------------------------------------------------------------------------------------
# Popular approximations
# --------------------------------------------------------------------------------------

#: What each approximation in :func:`approximations` assumes (shown next to the value).
APPROXIMATION_NOTES: dict[str, str] = {
    "classic_(1-edge)/(1+edge)^units": (
        "((1-e)/(1+e))^U with e = p - q and U = (1 - ruin_level)/risk (e.g. quantstats "
        "risk_of_ruin). Equals the gambler's-ruin (q/p)^U: exact only for payoff 1, a fixed "
        "stake and an infinite horizon; it ignores the payoff."
    ),
    "payoff_adjusted_(1-edge)/(1+edge)^units": (
        "((1-e)/(1+e))^U with the expectancy e = p*b - q in R (trading-site variant). "
        "Plugging the payoff into the classic formula has no derivation; fixed stake, "
        "infinite horizon."
    ),
    "(q/(p*payoff))^units": (
        "((1-p)/(p*b))^U, the web-calculator formula ((1-W)/(W*R))^(B/S). Fixed stake, "
        "infinite horizon; not a solution of any ruin equation for b != 1."
    ),
    "diffusion_exp(-2*mu*units/sigma^2)": (
        "Brownian approximation exp(-2 mu U / sigma^2) with mu, sigma^2 the mean and "
        "variance of one trade in R (fixed stake) or of its log return with U = -log"
        "(ruin_level) (fractional). Infinite horizon, no overshoot of the barrier."
    ),
    "lundberg_bound_fractional": (
        "Upper bound ruin_level^theta for fractional sizing, theta > 0 solving "
        "p(1+bf)^-theta + q(1-f)^-theta = 1 (Cramer-Lundberg). Infinite horizon; exact only "
        "when the log walk lands on the barrier."
    ),
}


def approximations(
    p: float, b: float, risk: float, *, ruin_level: float = 0.0, sizing: str = "fixed"
) -> dict[str, float]:
    """Popular closed-form risk-of-ruin formulas, as the web and libraries use them.

    They are approximations (or outright misuses) for this tool's question; see
    :data:`APPROXIMATION_NOTES` for what each assumes. All are infinite-horizon; values are
    clipped to [0, 1]. ``U = (1 - ruin_level) / risk`` "capital units".

    Parameters
    ----------
    p, b, risk, ruin_level
        As in :func:`lattice_dp`.
    sizing : {"fixed", "fractional"}
        The diffusion formula uses R units for a fixed stake and log returns for fractional
        sizing; the Lundberg bound is only given for fractional sizing with ruin_level > 0.

    Returns
    -------
    dict
        name -> value (keys of :data:`APPROXIMATION_NOTES`).
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, 1e6, lo_incl=False)
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if sizing not in ("fractional", "fixed"):
        raise ParameterError("sizing", "one of 'fractional', 'fixed'", sizing)
    q = 1.0 - p
    units = (1.0 - ruin_level) / risk

    def ratio_pow(e: float) -> float:
        if e <= 0.0:
            return 1.0
        if e >= 1.0:
            return 0.0
        return ((1.0 - e) / (1.0 + e)) ** units

    out: dict[str, float] = {
        "classic_(1-edge)/(1+edge)^units": ratio_pow(p - q),
        "payoff_adjusted_(1-edge)/(1+edge)^units": ratio_pow(p * b - q),
        "(q/(p*payoff))^units": 1.0 if q >= p * b else (q / (p * b)) ** units,
    }
    if sizing == "fixed":
        mu = p * b - q
        var = p * b * b + q - mu * mu
        out["diffusion_exp(-2*mu*units/sigma^2)"] = (
            1.0 if mu <= 0 else math.exp(-2.0 * mu * units / var))
    else:
        if risk >= 1.0:
            out["diffusion_exp(-2*mu*units/sigma^2)"] = 1.0
        else:
            a, c = math.log1p(b * risk), math.log1p(-risk)
            mu = p * a + q * c
            var = p * q * (a - c) ** 2
            dist = -math.log(ruin_level) if ruin_level > 0 else math.inf
            out["diffusion_exp(-2*mu*units/sigma^2)"] = (
                1.0 if mu <= 0 else math.exp(-2.0 * mu * dist / var))
            if ruin_level > 0:
                out["lundberg_bound_fractional"] = _lundberg(p, a, c, ruin_level)
    return out


def _lundberg(p: float, a: float, c: float, ruin_level: float) -> float:
    """ruin_level^theta, theta > 0 root of p e^(-theta a) + q e^(-theta c) = 1 (1 if none)."""
    q = 1.0 - p
    if p * a + q * c <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    lp, lq = math.log(p), math.log(q)

    def h(th: float) -> float:  # log E[exp(-theta * step)], overflow-free
        return float(np.logaddexp(lp - th * a, lq - th * c))

    hi = 1.0
    while h(hi) < 0.0:
        hi *= 2.0
        if hi > 1e9:  # pragma: no cover
            return 0.0
    theta = brentq(h, 1e-12, hi, xtol=1e-14, maxiter=500)
    return float(ruin_level**theta)


# --------------------------------------------------------------------------------------
# Scenario-level entry points
# --------------------------------------------------------------------------------------


def _market(scenario: Scenario) -> Any:
    return getattr(scenario, "market", None)


def exact_ruin_curve(scenario: Scenario) -> np.ndarray | None:
    """Exact P(ruined by trade t), t = 0..N, for a Bernoulli scenario (else ``None``).

    ``None`` when no exact DP applies: non-Bernoulli models, a price-path ``market`` model,
    behaviour rules, or N > :data:`MAX_DP_TRADES`. ``1 - curve`` is the survival curve the
    simulation estimates with ``SimulationResult.survival``.
    """
    m = scenario.model
    if not isinstance(m, Bernoulli) or _market(scenario) is not None:
        return None
    if getattr(scenario, "behaviour", None) is not None:
        return None
    acc = scenario.account
    if acc.trades > MAX_DP_TRADES:
        return None
    res = lattice_dp(m.win_rate, m.payoff, scenario.sizing.risk, sizing=scenario.sizing.rule,
                     trades=acc.trades, ruin_level=acc.ruin_level, goal=acc.goal)
    return res.ruin_by_trade.copy()


def theory(
    scenario: Scenario, *, drawdown_levels: Sequence[float] = _DEFAULT_LEVELS
) -> dict[str, Any]:
    """Exact and closed-form values for ``scenario``: the ``theory`` key of the CLI JSON.

    Keys present depend on what exists (``notes`` explains what is missing and why):

    * ``edge_r_per_trade``: expected outcome of one trade in R.
    * ``kelly_fraction``: growth-optimal risk (Bernoulli ``p - q/b``; other models numeric
      over 0..1); ``growth_rate_per_trade_log`` = E log(1 + risk r) at the chosen risk (the
      growth rate of fractional sizing, nats per trade); ``growth_rate_at_kelly``.
    * Bernoulli only (exact lattice DP, same barriers as the engine):
      ``ruin_probability_exact`` (ruin within N trades), ``goal_probability_exact``,
      ``final_equity_mean_exact``, ``p_final_below_start_exact``,
      ``drawdown_exceedance_exact`` ({level: P(MDD >= level) or None}).
    * Infinite horizon: ``ruin_probability_infinite_horizon`` (fixed stake: root
      ``x^units``, gambler's ruin with a goal for payoff 1; ``..._is_bound`` says whether it
      is the upper bound for a non-integer payoff) and ``expected_trades_gamblers_ruin``.
    * ``approximations`` (name -> value) and ``approximation_notes`` (name -> what it
      assumes): the popular formulas, to be shown next to the exact value.

    Parameters
    ----------
    scenario : Scenario
    drawdown_levels : sequence of float
        Levels X for the exact ``P(MDD >= X)``.

    Returns
    -------
    dict
        JSON-ready (floats, strings, lists, nested dicts; ``None`` where not computed).
    """
    levels = tuple(float(check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False))
                   for lv in drawdown_levels)
    # every field but paths and seed matters (including fields extensions add)
    key = (dataclasses.replace(scenario, paths=1, seed=0), levels)
    try:
        hash(key)
    except TypeError:  # pragma: no cover - an unhashable extension field
        return _theory(scenario, levels)
    return copy.deepcopy(_theory_cached(key, scenario, levels))


_THEORY_CACHE: dict[Any, dict[str, Any]] = {}


def _theory_cached(key: Any, scenario: Scenario, levels: tuple[float, ...]) -> dict[str, Any]:
    hit = _THEORY_CACHE.get(key)
    if hit is None:
        hit = _theory(scenario, levels)
        if len(_THEORY_CACHE) > 128:
            _THEORY_CACHE.clear()
        _THEORY_CACHE[key] = hit
    return hit


def _theory(scenario: Scenario, levels: tuple[float, ...]) -> dict[str, Any]:
    m = scenario.model
    f = scenario.sizing.risk
    rule = scenario.sizing.rule
    acc = scenario.account
    notes: list[str] = []
    out: dict[str, Any] = {}
    if _market(scenario) is not None:
        notes.append(
            "A leveraged price-path market model sets each trade's outcome (stops, "
            "liquidation, fees), so the Bernoulli/discrete closed forms and lattice DPs do "
            "not apply; only the simulation answers this scenario."
        )
        out["notes"] = notes
        return out
    if getattr(scenario, "behaviour", None) is not None:
        notes.append(
            "Behaviour rules (state-dependent sizing, win-rate uncertainty or exit rules) "
            "change the sizing or the outcome model, so the plain closed forms and lattice "
            "DPs do not apply; only the simulation answers this scenario."
        )
        out["notes"] = notes
        return out
    values, probs = scenario.r_outcomes()
    out["edge_r_per_trade"] = float(np.dot(values, probs))
    if isinstance(m, Bernoulli):
        p, b = m.win_rate, m.payoff
        kf = kelly_fraction(p, b)
        out["kelly_fraction"] = kf
        out["growth_rate_per_trade_log"] = log_growth(f, p, b)
        out["growth_rate_at_kelly"] = log_growth(kf, p, b) if kf > 0 else 0.0
        if kf <= 0:
            notes.append("No edge (p*b - q <= 0): the Kelly fraction is not positive, the "
                         "growth-optimal stake is zero.")
        elif f > kf:
            notes.append(f"Risk {f:g} is above the Kelly fraction {kf:.4g}: more risk for "
                         "less growth" + (" (negative growth)." if f >= 2 * kf else "."))
    else:
        kf = kelly_fraction_discrete(values, probs)
        out["kelly_fraction"] = kf
        out["growth_rate_per_trade_log"] = log_growth_discrete(f, values, probs)
        out["growth_rate_at_kelly"] = log_growth_discrete(kf, values, probs) if kf > 0 else 0.0
        kind = "bootstrap of your trades (i.i.d. resampling)" if isinstance(m, Bootstrap) \
            else "discrete outcome model"
        notes.append(f"Kelly and growth for the {kind} by numeric maximisation of "
                     "E log(1 + f r).")
        if isinstance(m, Bootstrap) and m.kind == "returns":
            notes.append(f"Trades given as returns are R = return / risk ({f:g}); at risk "
                         "f every return is scaled by f / risk, so kelly_fraction / risk is "
                         "the growth-optimal multiple of your original position sizes.")
        if isinstance(m, Bootstrap) and m.method == "block":
            notes.append("Block bootstrap keeps serial dependence; Kelly and growth above "
                         "treat trades as independent.")
    if rule == "fixed":
        notes.append("growth_rate_per_trade_log is the growth rate fractional sizing at the "
                     "same risk would have; a fixed stake does not compound.")

    if isinstance(m, Bernoulli):
        _bernoulli_exact(out, notes, m, f, rule, acc, levels)
    else:
        _discrete_exact(out, notes, m, values, probs, f, rule, acc, levels)
    out["notes"] = notes
    return out


def _discrete_exact(out, notes, m, values, probs, f, rule, acc, levels) -> None:
    """Exact lattice answers for discrete / i.i.d. bootstrap outcomes with a fixed stake."""
    why = ""
    if rule != "fixed":
        why = ("with fractional sizing the log equity depends on how many times each "
               "outcome occurred (one dimension per outcome)")
    elif isinstance(m, Bootstrap) and m.method == "block":
        why = "the block bootstrap is not i.i.d."
    elif acc.trades > MAX_DP_TRADES:
        why = f"N is above {MAX_DP_TRADES:,} trades"
    elif _fixed_lattice(np.unique(values)) is None:
        why = "the outcomes are not multiples of a common 1/k R (k <= 1000)"
    if not why:
        try:
            res = discrete_lattice_dp(values, probs, f, trades=acc.trades,
                                      ruin_level=acc.ruin_level, goal=acc.goal)
        except ParameterError as e:
            why = str(e)
    if why:
        notes.append(f"No exact ruin or drawdown DP for this model: {why}; the simulation is "
                     "the answer.")
        return
    out["ruin_probability_exact"] = res.ruin_probability
    if acc.goal is not None:
        out["goal_probability_exact"] = res.goal_probability
    out["final_equity_mean_exact"] = res.final_equity_mean
    out["p_final_below_start_exact"] = res.p_final_below_start
    dd: dict[str, float | None] = {f"{lv:g}": None for lv in levels}
    left = float(THEORY_DD_BUDGET)
    for lv in sorted(set(levels)):
        r = discrete_drawdown_exceedance_exact(values, probs, f, trades=acc.trades, level=lv,
                                               ruin_level=acc.ruin_level, goal=acc.goal,
                                               budget=int(left))
        left -= r["cost"] if r["probability"] is not None else 0.0
        dd[f"{lv:g}"] = r["probability"]
        if r["probability"] is None:
            notes.append(f"P(MDD >= {lv:g}) not exact here: {r['note']}.")
    out["drawdown_exceedance_exact"] = dd
    notes.append("Fixed stake with outcomes on a lattice of R: ruin, goal, final equity and "
                 "drawdown by exact lattice DP.")


def _bernoulli_exact(out, notes, m: Bernoulli, f: float, rule: str, acc, levels) -> None:
    p, b = m.win_rate, m.payoff
    N = acc.trades
    if N <= MAX_DP_TRADES:
        res = lattice_dp(p, b, f, sizing=rule, trades=N, ruin_level=acc.ruin_level,
                         goal=acc.goal)
        out["ruin_probability_exact"] = res.ruin_probability
        if acc.goal is not None:
            out["goal_probability_exact"] = res.goal_probability
        out["final_equity_mean_exact"] = res.final_equity_mean
        out["p_final_below_start_exact"] = res.p_final_below_start
        dd: dict[str, float | None] = {f"{lv:g}": None for lv in levels}
        left = float(THEORY_DD_BUDGET)  # shared by the levels, lowest (cheapest) first
        for lv in sorted(set(levels)):
            r = drawdown_exceedance_exact(p, b, f, sizing=rule, trades=N, level=lv,
                                          ruin_level=acc.ruin_level, goal=acc.goal,
                                          budget=int(left))
            left -= r["cost"] if r["probability"] is not None else 0.0
            dd[f"{lv:g}"] = r["probability"]
            if r["probability"] is None:
                notes.append(f"P(MDD >= {lv:g}) not exact here: {r['note']} (call "
                             "ruin.exact.drawdown_exceedance_exact with a larger budget).")
        out["drawdown_exceedance_exact"] = dd
    else:
        notes.append(f"N = {N:,} trades is above {MAX_DP_TRADES:,}: the exact finite-horizon "
                     "DP is skipped.")

    if rule == "fixed":
        units = (1.0 - acc.ruin_level) / f
        if abs(b - 1.0) <= 1e-12:
            i = _lattice_units(units)
            target = None
            if acc.goal is not None:
                g = (acc.goal - 1.0) / f
                target = i + max(1, math.ceil(g - TOL * max(1.0, g)))
            out["ruin_probability_infinite_horizon"] = gamblers_ruin(p, i, target)
            out["ruin_probability_infinite_horizon_is_bound"] = False
            out["expected_trades_gamblers_ruin"] = gamblers_ruin_duration(p, i, target)
            notes.append(f"Payoff 1 with a fixed stake is the gambler's ruin: start {i} "
                         "units above ruin" + (f", target {target}" if target else "")
                         + "; infinite-horizon values by closed form.")
        elif acc.goal is None:
            fs = fixed_stake_ruin(p, b, units)
            out["fixed_stake_root"] = fs["root"]
            out["ruin_probability_infinite_horizon"] = fs["ruin_probability"]
            out["ruin_probability_infinite_horizon_is_bound"] = not fs["exact"]
            if not fs["exact"]:
                out["ruin_probability_infinite_horizon_lower_bound"] = fs["lower_bound"]
                notes.append("Non-integer payoff: the barrier can be overshot, so x^units is "
                             "an upper bound and x^(units+1) a lower bound.")
        else:
            notes.append("Infinite-horizon ruin with a goal has no closed form for payoff "
                         "!= 1; see ruin_probability_exact for the N-trade answer.")
    elif acc.ruin_level == 0.0:
        if f < 1.0:
            out["ruin_probability_infinite_horizon"] = 0.0
            out["ruin_probability_infinite_horizon_is_bound"] = False
            notes.append("Fractional sizing with ruin_level 0 never reaches zero equity.")
        else:
            out["ruin_probability_infinite_horizon"] = 1.0
            out["ruin_probability_infinite_horizon_is_bound"] = False
    out["approximations"] = approximations(p, b, f, ruin_level=acc.ruin_level, sizing=rule)
    out["approximation_notes"] = {k: APPROXIMATION_NOTES[k] for k in out["approximations"]}
    if "ruin_probability_exact" in out:
        notes.append("Approximations are infinite-horizon formulas; compare them with "
                     "ruin_probability_infinite_horizon where given, and with "
                     "ruin_probability_exact (N trades) to see the horizon effect.")
