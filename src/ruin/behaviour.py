"""Behavioural and sizing rules: martingale, anti-martingale, drawdown cuts, win-rate doubt,
and exit rules (partial take-profit with a break-even stop, scale-in, no stop).

Two kinds of rule live here.

**State-dependent sizing and parameter uncertainty** run in a compiled kernel with per-path
state (:func:`run_behaviour`):

* ``martingale = m`` ("revenge" sizing): after each loss the risk is multiplied by ``m``;
  a win resets it to the base ``risk``. Losses L, L, W at 1% with m = 2 risk 1%, 2%, 4%.
* ``anti_martingale = a``: after each win the risk is multiplied by ``a``; a loss resets it.
* ``risk_cap``: the risk actually used is never above this fraction (default 1).
* ``drawdown_cut = X``: while the closed-trade drawdown from the peak is at least ``X``, the
  risk is multiplied by ``drawdown_factor`` (default 0.5, "halve risk in a drawdown").
* ``win_rate_sample = n``: the Bernoulli win rate was estimated from ``n`` trades; each path
  draws its own true win rate from the posterior Beta(w + 1, n - w + 1) with
  ``w = round(win_rate * n)`` wins (uniform prior). The draw comes from its own random stream
  (spawn key :data:`BETA_SPAWN_KEY`), so the trades of every path use exactly the same
  random numbers as the plain run: only the threshold they are compared with moves.

A loss is an outcome below 0 R, a win an outcome above 0 R (0 R leaves the multiplier as it
is). The rules combine multiplicatively: risk_t = min(risk_cap, base x streak multiplier x
drawdown factor). With every rule neutral the kernel reproduces the plain engine path for
path on the same seed.

**Exit rules** change the per-trade outcome distribution in R. They are derived exactly for
a trade whose price follows Brownian motion with constant drift between a stop at -1 (one
stop distance = 1 R) and a take-profit at ``payoff``: the drift is the one that makes
P(take-profit before stop) equal ``win_rate`` (two-barrier hitting formula, zero drift when
``win_rate = 1 / (1 + payoff)``); the rule then acts on that same price process and yields a
:class:`~ruin.params.Discrete` outcome model (:func:`exit_rule_model`). Costs (fees, funding)
and time stops are not modelled here; use the leveraged market model for those.

* ``partial_tp = t1`` (0 < t1 < payoff): close ``partial_fraction`` (default 0.5) of the
  position at +t1 R; with ``breakeven = true`` (default) move the stop of the rest to the
  entry price, otherwise leave it at -1. The rest exits at ``payoff`` or at the stop.
* ``scale_in_at = x`` (0 < x < 1): enter half the position, add the other half if price
  first falls x stop distances; same stop and target for both halves. R is the loss when
  the stop is hit with both halves on (so a full stop-out is still -1 R).
* ``no_stop = d`` (d >= 1): the stop is removed ("it'll come back"); the only exits are the
  take-profit and liquidation, d stop distances away, where ``liquidation_loss`` R
  (default d: the whole isolated margin) is lost. Isolated margin at leverage L with a
  planned stop s: d = (1/L - mmr) / s and liquidation_loss = (1/L) / s.

Only one exit rule at a time, on a Bernoulli model; win-rate uncertainty needs the plain
Bernoulli model (it redraws P(win) per path).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numba import njit, prange, uint64

from .config import register_extension
from .engine import (
    acc_equity,
    acc_new,
    acc_store,
    acc_trade,
    barrier_cuts,
    c_fixed,
    draw_outcome,
    r_to_step,
)
from .engine.rng import seed4, step4
from .errors import ParameterError, check_int, check_number
from .params import Bernoulli, Discrete, Scenario

__all__ = [
    "Behaviour",
    "BEHAVIOUR_KEYS",
    "BETA_SPAWN_KEY",
    "build_behaviour",
    "exit_rule_model",
    "implied_drift",
    "p_up",
    "run_behaviour",
    "simulate_behaviour",
    "beta_draws",
]

#: Spawn key of the per-path win-rate streams (independent of the trade streams).
BETA_SPAWN_KEY = 0xBE7A

_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
_MASK32 = uint64(0xFFFFFFFF)
_TWO32 = 4294967296.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Behaviour:
    """Sizing, behaviour and exit rules on top of a scenario (all neutral by default).

    Parameters
    ----------
    martingale : float
        Risk multiplier after each loss (reset after a win), >= 1; 1 = off.
    anti_martingale : float
        Risk multiplier after each win (reset after a loss), >= 1; 1 = off.
    risk_cap : float
        Largest risk per trade the rules may reach, 0 < risk_cap <= 1.
    drawdown_cut : float or None
        Drawdown level X, 0 < X < 1, at and beyond which risk is multiplied by
        ``drawdown_factor``.
    drawdown_factor : float
        Risk multiplier while in a drawdown >= X, 0 < factor <= 1.
    win_rate_sample : int or None
        Trades the win rate was measured on (1..1,000,000); draws P(win) per path from Beta.
    partial_tp, partial_fraction, breakeven, scale_in_at, no_stop, liquidation_loss
        Exit rules (see the module docstring); ``None`` = off.
    """

    martingale: float = 1.0
    anti_martingale: float = 1.0
    risk_cap: float = 1.0
    drawdown_cut: float | None = None
    drawdown_factor: float = 0.5
    win_rate_sample: int | None = None
    partial_tp: float | None = None
    partial_fraction: float = 0.5
    breakeven: bool = True
    scale_in_at: float | None = None
    no_stop: float | None = None
    liquidation_loss: float | None = None

    def __post_init__(self) -> None:
        def num(name: str, *a: Any, **kw: Any) -> None:
            object.__setattr__(self, name, check_number(name, getattr(self, name), *a, **kw))

        num("martingale", 1.0, 100.0, hint="Use 2 to double the risk after each loss.")
        num("anti_martingale", 1.0, 100.0, hint="Use 2 to double the risk after each win.")
        if self.martingale > 1.0 and self.anti_martingale > 1.0:
            raise ParameterError("anti_martingale", "1 (off) when martingale is above 1",
                                 self.anti_martingale, "Choose one of the two rules.")
        num("risk_cap", 0.0, 1.0, lo_incl=False, hint="Use 0.2 to cap risk at 20% of equity.")
        if self.drawdown_cut is not None:
            num("drawdown_cut", 0.0, 1.0, lo_incl=False, hi_incl=False,
                hint="Use 0.2 to cut risk in a 20% drawdown.")
        num("drawdown_factor", 0.0, 1.0, lo_incl=False)
        if self.win_rate_sample is not None:
            object.__setattr__(self, "win_rate_sample",
                               check_int("win_rate_sample", self.win_rate_sample, 1, 1_000_000))
        if self.partial_tp is not None:
            num("partial_tp", 0.0, 1e6, lo_incl=False)
        num("partial_fraction", 0.0, 1.0, lo_incl=False, hi_incl=False)
        if not isinstance(self.breakeven, bool):
            raise ParameterError("breakeven", "true or false", self.breakeven)
        if self.scale_in_at is not None:
            num("scale_in_at", 0.0, 1.0, lo_incl=False, hi_incl=False,
                hint="It is a fraction of the stop distance: 0.5 adds halfway to the stop.")
        if self.no_stop is not None:
            num("no_stop", 1.0, 1e4,
                hint="It is the distance to liquidation in stop distances, e.g. 4.5.")
        if self.liquidation_loss is not None:
            if self.no_stop is None:
                raise ParameterError("liquidation_loss", "used only together with no_stop",
                                     self.liquidation_loss)
            num("liquidation_loss", 0.0, 1e4, lo_incl=False)
        rules = [k for k in ("partial_tp", "scale_in_at", "no_stop")
                 if getattr(self, k) is not None]
        if len(rules) > 1:
            raise ParameterError(rules[1], f"not combined with {rules[0]} (one exit rule at "
                                 "a time)", getattr(self, rules[1]))
        if self.win_rate_sample is not None and rules:
            raise ParameterError(rules[0], "not combined with win_rate_sample",
                                 getattr(self, rules[0]))

    @property
    def has_exit_rule(self) -> bool:
        return any(getattr(self, k) is not None for k in ("partial_tp", "scale_in_at",
                                                             "no_stop"))

    @property
    def has_state(self) -> bool:
        """True when the compiled per-path kernel is needed (sizing rules or uncertainty)."""
        return (self.martingale > 1.0 or self.anti_martingale > 1.0
                or self.drawdown_cut is not None or self.win_rate_sample is not None)


#: Flat keys (CLI flags with underscores) registered with :mod:`ruin.config`.
BEHAVIOUR_KEYS = frozenset(
    f for f in Behaviour.__dataclass_fields__  # type: ignore[attr-defined]
)


def build_behaviour(params: Mapping[str, Any]) -> dict[str, Any]:
    """Config builder: ``{"behaviour": Behaviour(...)}`` when any behaviour key is given."""
    given = {k: params[k] for k in BEHAVIOUR_KEYS if params.get(k) is not None}
    if not given:
        return {}
    try:
        from .market import LEVERAGE_KEYS
    except ImportError:  # pragma: no cover - a build without the leveraged model
        LEVERAGE_KEYS = frozenset()
    lev = sorted(k for k in LEVERAGE_KEYS if params.get(k) is not None)
    if lev:
        first = sorted(given)[0]
        raise ParameterError(first, f"used without the leveraged market model (not with "
                             f"{lev[0]}); the behaviour rules act on R outcomes", given[first])
    return {"behaviour": Behaviour(**given)}


register_extension(BEHAVIOUR_KEYS, build_behaviour)


# ---------------------------------------------------------------------------------------
# Exit rules: exact outcome distributions for Brownian motion with drift.


def p_up(a: float, b: float, theta: float) -> float:
    """P(Brownian motion with drift hits +b before -a), started at 0.

    ``theta = 2 mu / sigma**2`` in the same length unit as ``a`` and ``b`` (both > 0):
    ``(1 - exp(theta a)) / (exp(-theta b) - exp(theta a))``; ``a / (a + b)`` at theta = 0.
    """
    if abs(theta) * max(a, b) < 1e-9:  # first order in theta (exact to ~1e-18 here)
        return a / (a + b) * (1.0 + 0.5 * theta * b)
    # expm1 form, stable for small and large |theta|
    num = -math.expm1(theta * a)
    den = math.expm1(-theta * b) - math.expm1(theta * a)
    return num / den


def implied_drift(win_rate: float, payoff: float) -> float:
    """``theta`` with ``p_up(1, payoff, theta) == win_rate`` (stop = 1 unit, target = payoff).

    Solved by bisection; ``p_up`` is increasing in theta. |theta| is limited to 700 / (1 + b)
    (beyond that the win rate is 0 or 1 in double precision).
    """
    if abs(win_rate - 1.0 / (1.0 + payoff)) <= 1e-15:
        return 0.0
    lim = 700.0 / (1.0 + payoff)
    lo, hi = -lim, lim
    if not p_up(1.0, payoff, lo) <= win_rate <= p_up(1.0, payoff, hi):
        raise ParameterError("win_rate", "a win rate a drifting price can produce", win_rate)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if p_up(1.0, payoff, mid) < win_rate:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15 * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def exit_rule_model(model: Bernoulli, rules: Behaviour) -> Discrete:
    """The per-trade outcome distribution in R under ``rules``' exit rule (see module doc).

    Examples
    --------
    Zero drift (win rate 1/3 with payoff 2), half closed at +1 R, stop to entry:

    >>> m = exit_rule_model(Bernoulli(win_rate=1/3, payoff=2.0), Behaviour(partial_tp=1.0))
    >>> [round(v, 6) for v in m.values], [round(p, 6) for p in m.probs]
    ([-1.0, 1.5, 0.5], [0.5, 0.25, 0.25])
    """
    if not isinstance(model, Bernoulli):
        raise ParameterError("exit rules (partial_tp, scale_in_at, no_stop)",
                             "used with the win rate / payoff model", type(model).__name__)
    b, p = model.payoff, model.win_rate
    th = implied_drift(p, b)
    if rules.partial_tp is not None:
        t1, h = rules.partial_tp, rules.partial_fraction
        if t1 >= b:
            raise ParameterError("partial_tp", f"less than payoff ({b:g} R)", t1)
        p1 = p_up(1.0, t1, th)
        if rules.breakeven:
            p2 = p_up(t1, b - t1, th)
            rest_stop = 0.0
        else:
            p2 = p_up(1.0 + t1, b - t1, th)
            rest_stop = -1.0
        values = (-1.0, h * t1 + (1 - h) * b, h * t1 + (1 - h) * rest_stop)
        probs = (1.0 - p1, p1 * p2, p1 * (1.0 - p2))
    elif rules.scale_in_at is not None:
        x = rules.scale_in_at
        full = 1.0 - x / 2.0  # loss at the stop with both halves on, in stop distances
        pa = p_up(x, b, th)
        pb = p_up(1.0 - x, b + x, th)
        values = (0.5 * b / full, (b + x / 2.0) / full, -1.0)
        probs = (pa, (1.0 - pa) * pb, (1.0 - pa) * (1.0 - pb))
    elif rules.no_stop is not None:
        d = rules.no_stop
        loss = rules.liquidation_loss if rules.liquidation_loss is not None else d
        pw = p_up(d, b, th)
        values, probs = (-loss, b), (1.0 - pw, pw)
    else:
        return Discrete(values=model.values, probs=model.probs)
    probs = tuple(min(1.0, max(0.0, q)) for q in probs)
    s = math.fsum(probs)
    return Discrete(values=tuple(float(v) for v in values), probs=tuple(q / s for q in probs))


# ---------------------------------------------------------------------------------------
# The compiled kernel.


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
    from .engine.rng import seed_keys

    bk0, bk1 = seed_keys(seed, BETA_SPAWN_KEY)
    out = np.empty(int(count), np.float64)
    _beta_kernel(bk0, bk1, np.int64(offset), float(a), float(b), out)
    return out


@njit(parallel=True, cache=True)
def run_behaviour(
    key0, key1, bk0, bk1, path_offset, n_paths, n_trades,
    model, rvals, thr32, accept, alias, block_len,
    fractional, risk, x_floor, ruin_x, goal_x,
    mart, anti, cap, dd_cut, dd_factor, beta_a, beta_b,
    final_eq, max_dd, ruin_t, goal_t, max_streak, max_uw, wins, taken, max_risk, path_p,
    rec,
):
    """Account paths with state-dependent risk, on the same streams as :mod:`ruin.engine`.

    Outcomes are drawn as the engine draws them (:func:`_draw_r`) and booked by its shared
    bookkeeping (:func:`ruin.engine.acc_trade`), so with ``mart = anti = 1``, ``cap >= risk``,
    ``dd_cut <= 0`` and ``beta_a <= 0`` every path equals the plain engine's. The state ``x``
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
        if i < n_rec:
            rec[i, 0] = 1.0
        for t in range(n_trades):
            r, s0, s1, s2, s3, w, pos = _draw_r(model, t, s0, s1, s2, s3, w, pos, thr,
                                                rvals, accept, alias, block_len)
            m = mult
            x, peak, inv = acc[0], acc[1], acc[2]
            if fractional:
                if peak - x >= dd_log * (1.0 - 1e-12):
                    m *= dd_factor
            elif dd_cut > 0.0 and (peak - x) * inv >= dd_cut - 1e-12:
                m *= dd_factor
            rt = min(risk * m, cap)
            mrisk = max(mrisk, rt)
            step = r_to_step(r, True, rt) if fractional else r * (rt / risk)
            acc = acc_trade(acc, step, r, fractional, c, x_floor)
            if r < 0.0:
                mult = mult * mart if mart > 1.0 else 1.0
            elif r > 0.0:
                mult = mult * anti if anti > 1.0 else 1.0
            if mult * risk > cap:  # keep the multiplier bounded (the risk is capped anyway)
                mult = cap / risk
            x = acc[0]
            if i < n_rec:
                rec[i, t + 1] = acc_equity(x, fractional, risk)
            if x <= ruin_cut:
                t_ruin = t + 1
                break
            if x >= goal_cut:
                t_goal = t + 1
                break
        if i < n_rec:
            last = acc_equity(acc[0], fractional, risk)
            for t2 in range(acc[10] + 1, n_trades + 1):
                rec[i, t2] = last
        acc_store(i, acc, t_ruin, t_goal, fractional, risk, final_eq, max_dd, ruin_t,
                  goal_t, max_streak, max_uw, wins, taken)
        max_risk[i] = mrisk
        path_p[i] = p_i


# ---------------------------------------------------------------------------------------
# simulate() for scenarios with behaviour rules.


def _beta_params(sc: Scenario, b: Behaviour) -> tuple[float, float]:
    if b.win_rate_sample is None:
        return 0.0, 0.0
    if not isinstance(sc.model, Bernoulli):
        raise ParameterError("win_rate_sample", "used with the win rate / payoff model",
                             type(sc.model).__name__)
    n = b.win_rate_sample
    w = int(round(sc.model.win_rate * n))
    return float(w + 1), float(n - w + 1)


def simulate_behaviour(
    scenario: Scenario,
    *,
    drawdown_levels: tuple[float, ...],
    record: int = 200,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 1 << 18,
) -> Any:
    """:func:`ruin.simulate.simulate` for a scenario whose ``behaviour`` is set.

    Exit rules replace the Bernoulli model by its derived :class:`Discrete` model; sizing
    rules and win-rate uncertainty run :func:`run_behaviour`. The summary gains a
    ``"behaviour"`` entry: the exit-rule outcome model, the quantiles of the largest risk used
    per path and of the per-path win rate.
    """
    import importlib

    simmod = importlib.import_module("ruin.simulate")  # the module, not the function
    from .engine.driver import memory_limit, memory_needed, numba_threads
    from .engine.result import SimulationResult
    from .engine.rng import resolve_seed, seed_keys
    from .metrics import quantiles

    beh: Behaviour = scenario.behaviour  # type: ignore[attr-defined]
    if getattr(scenario, "market", None) is not None:
        raise ParameterError("behaviour rules", "used with the win rate / payoff, outcomes or "
                             "trades-file models (not yet with the leveraged market model)",
                             "a market scenario")
    extra: dict[str, Any] = {}
    sc = scenario
    if beh.has_exit_rule:
        derived = exit_rule_model(scenario.model, beh)  # type: ignore[arg-type]
        sc = replace(scenario, model=derived, behaviour=None)
        extra["exit_rule_outcomes"] = {"values": list(derived.values),
                                       "probs": list(derived.probs), "edge": derived.edge}
    if not beh.has_state:
        sc = replace(sc, behaviour=None)
        res = simmod.simulate(sc, drawdown_levels=drawdown_levels, record=record,
                              threads=threads, progress=progress, chunk=chunk)
        extra["max_risk_used"] = quantiles(np.array([scenario.sizing.risk]), (0.5, 0.99))
        res.extra["behaviour"] = extra
        return replace(res, scenario=scenario)
    for lv in drawdown_levels:
        check_number("drawdown_levels", lv, 0.0, 1.0, lo_incl=False)
    beta_a, beta_b = _beta_params(sc, beh)
    n, N = sc.paths, sc.account.trades
    n_rec = max(0, min(int(record), n))
    need = memory_needed(n, N, n_rec) + 16 * n
    if need > memory_limit():
        raise ParameterError(
            "paths x trades", "a run that fits in memory", f"{n:,} paths x {N:,} trades",
            "Use fewer paths or record fewer sample paths.")
    seed = resolve_seed(sc.seed)
    k0, k1 = seed_keys(seed)
    bk0, bk1 = seed_keys(seed, BETA_SPAWN_KEY)
    prep = simmod._prepare(sc)
    outs = [np.empty(n, dt) for dt in (np.float64, np.float64, np.int32, np.int32, np.int32,
                                        np.int32, np.int32, np.int32, np.float64, np.float64)]
    rec = np.empty((n_rec, N + 1), np.float64)
    no_rec = np.empty((0, N + 1), np.float64)
    dd_cut = beh.drawdown_cut if beh.drawdown_cut is not None else 0.0
    rules = (float(beh.martingale), float(beh.anti_martingale), float(beh.risk_cap),
             float(dd_cut), float(beh.drawdown_factor), beta_a, beta_b)

    def call(offset: int, count: int, arrays: list[np.ndarray], r: np.ndarray) -> None:
        run_behaviour(
            k0, k1, bk0, bk1, np.int64(offset), np.int64(count), np.int64(N), prep.model,
            prep.rvals, prep.thr32, prep.accept, prep.alias,
            np.int64(prep.block_len), prep.fractional, prep.risk, prep.x_floor, prep.ruin_x,
            prep.goal_x, *rules, *arrays, r,
        )

    chunk = max(1, int(chunk))
    t0 = time.perf_counter()
    with numba_threads(threads):
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            call(start, stop - start, [a[start:stop] for a in outs], no_rec)
            if progress is not None:
                progress(stop, n)
        if n_rec:
            call(0, n_rec, [np.empty(n_rec, a.dtype) for a in outs], rec)
    elapsed = time.perf_counter() - t0
    final, mdd, rt, gt, streak, uw, wins, taken, max_risk, path_p = outs
    extra["max_risk_used"] = quantiles(max_risk, (0.5, 0.9, 0.99))
    if beta_a > 0:
        extra["path_win_rate"] = {"mean": float(path_p.mean()),
                                  "quantiles": quantiles(path_p, (0.05, 0.25, 0.5, 0.75, 0.95))}
        extra["edge_negative_share"] = float(np.mean(
            path_p * sc.model.payoff - (1 - path_p) < 0))  # type: ignore[union-attr]
    res = SimulationResult(
        scenario=scenario, seed=seed, final_equity=final, max_drawdown=mdd, ruin_trade=rt,
        goal_trade=gt, longest_losing_streak=streak, longest_underwater=uw, wins=wins,
        trades_taken=taken, sample_paths=rec, elapsed_seconds=elapsed,
        drawdown_levels=tuple(float(v) for v in drawdown_levels),
        extra={"behaviour": extra},
    )
    return res
