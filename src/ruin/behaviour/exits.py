"""Exit rules as exact per-trade outcome distributions in R (see :mod:`ruin.behaviour`).

A trade's price follows Brownian motion with the constant drift that makes P(take-profit
before stop) equal the win rate, between a stop at -1 (one stop distance = 1 R) and a
take-profit at ``payoff``; an exit rule acts on that same price process and yields a
:class:`~ruin.outcomes.Discrete` outcome model.
"""

from __future__ import annotations

import math

from ..errors import ParameterError
from ..outcomes import Bernoulli, Discrete
from .rules import Behaviour

__all__ = ["exit_rule_model", "implied_drift", "p_up"]


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
        raise ParameterError(
            "exit rules (partial_tp, scale_in_at, no_stop)",
            "used with the win rate / payoff model",
            type(model).__name__,
        )
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
