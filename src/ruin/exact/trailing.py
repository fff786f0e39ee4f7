"""Exact ruin under a trailing drawdown (:mod:`ruin.rules`), Bernoulli account.

Without a lock, an account under a trailing drawdown of d is ruined at the first trade whose
equity is at or below ``(1 - d)`` x its running peak: at the first trade where its drawdown
from the peak reaches d. So P(ruined by the trailing drawdown by trade t) is P(maximum
drawdown >= d by trade t), counted up to the trade that stops the path, and the lattice DPs
of :mod:`ruin.exact.drawdown` give it exactly:

* fractional sizing: the distance below the running peak in log equity is a Markov chain
  whose state is (losses, wins) since the last peak -- a loss adds ``-log(1 - f)``, a win
  takes off ``log(1 + b f)``, back to the peak at 0 -- absorbed at ``-log(1 - d)``;
* fixed stakes: the distance below the peak in R and the peak itself (the floor is a share
  of the peak) on the lattice of 1/k R for a payoff ``b = m/k``, the goal handled jointly.
"""

from __future__ import annotations

from typing import Any

from ..errors import check_number
from .drawdown import drawdown_exceedance_exact

__all__ = ["trailing_drawdown_exact"]


def trailing_drawdown_exact(
    p: float,
    b: float,
    risk: float,
    *,
    sizing: str = "fractional",
    trades: int,
    drawdown: float,
    goal: float | None = None,
    budget: int = 2_000_000_000,
) -> dict[str, Any]:
    """Exact P(ruined by a trailing drawdown of ``drawdown`` within ``trades`` trades).

    The account is the engine's Bernoulli account (win ``b`` R with probability ``p``, else
    lose 1 R; risk ``risk`` per trade, fractional or fixed), with no static ruin level (a
    fixed-stake bust is a 100% drawdown, so it counts too) and an optional goal.

    Returns
    -------
    dict
        ``probability`` (float or None), ``by_trade`` (ndarray of P(ruined by trade t),
        t = 0..N, or None), ``method``, ``note`` (why it is None, or "") and ``cost``.
    """
    d = check_number("trailing_drawdown", drawdown, 0.0, 1.0, lo_incl=False, hi_incl=False)
    return drawdown_exceedance_exact(
        p, b, risk, sizing=sizing, trades=trades, level=d, ruin_level=0.0, goal=goal,
        budget=budget,
    )  # fmt: skip
