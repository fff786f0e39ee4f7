"""Closing a position and booking the trade: the one close-and-book of the leveraged model.

* :func:`close_position`: the result in R of a position closed at a log price, with the
  venue's liquidation rules, its costs and any bad debt (:class:`Closed`).
* :func:`tally_close`: adds a closed position to the path's :class:`Tally` (exits by kind,
  costs as fractions of starting equity).
* :func:`settle`: closes a one-position trade and books it on the account with the
  engine's bookkeeping (:func:`ruin.engine.accounting.acc_trade`). Several positions close
  one by one (:func:`close_position`, :func:`tally_close`) and their trade is booked once.

Per unit of entry notional: ``margin`` backs the position (isolated ``1 / leverage``,
cross the account equity), ``paid`` has been paid out of it (entry costs and funding),
``funding`` is the funding part of that. A result in R divides by the stop distance (one R
is the loss at the stop: notional x stop).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ..engine.accounting import acc_trade, growth, r_to_step

__all__ = [
    "EXIT_NAMES",
    "AUX_NAMES",
    "CloseTerms",
    "Closed",
    "Tally",
    "BarrierResults",
    "SettleTerms",
    "close_position",
    "tally_close",
    "settle",
    "new_tally",
    "store_tally",
]

EXIT_TP, EXIT_STOP, EXIT_LIQ, EXIT_TIME = 0, 1, 2, 3
#: Exit codes, in the column order of ``SimulationResult.exits``.
EXIT_NAMES = ("take_profit", "stop", "liquidation", "time")
AUX_FEES, AUX_SLIPPAGE, AUX_FUNDING, AUX_BAD_DEBT = 0, 1, 2, 3
#: Cost kinds, in the column order of ``SimulationResult.aux``.
AUX_NAMES = ("fees", "slippage", "funding", "bad_debt")


class CloseTerms(NamedTuple):
    """What closing a position costs (per unit of entry notional)."""

    side: float  # +1.0 long, -1.0 short
    stop: float  # stop distance (one R per unit notional)
    fee: float  # per fill
    slippage: float  # per fill
    fill_rule: bool  # liquidation fills at the price (True) or costs the margin (False)
    liquidation_fee: float  # the venue's fee on a liquidation fill
    backstop_mmr: float  # backstop: equity below backstop_mmr u - backstop_maintenance
    backstop_maintenance: float  # ... loses the whole margin (0, 0: no backstop)


class Closed(NamedTuple):
    """A closed position: its result and its costs, in R."""

    r: float
    fees: float
    slippage: float
    funding: float
    bad_debt: float


class Tally(NamedTuple):
    """A path's positions closed by exit kind, and its costs (fractions of start)."""

    take_profit: int
    stop: int
    liquidation: int
    time: int
    fees: float
    slippage: float
    funding: float
    bad_debt: float
    equity: float  # equity multiple (fractional sizing), kept by multiplication: cost scale


class BarrierResults(NamedTuple):
    """Results of exits exactly at a barrier before any funding (take-profit, stop,
    liquidation: rows 0, 1, 2), the same every trade unless the margin follows the equity
    (``const`` false: cross margin with fixed stakes)."""

    const: bool
    y_liquidation: float  # the liquidation barrier at entry (-inf: none)
    results: np.ndarray  # (3, 5): Closed fields
    steps: np.ndarray  # (3,): state increments
    growths: np.ndarray  # (3,): equity factors


class SettleTerms(NamedTuple):
    """Constants of :func:`settle`."""

    close: CloseTerms
    barriers: BarrierResults
    y_take_profit: float
    y_stop: float
    fractional: bool
    risk: float
    x_floor: float
    c: float  # 1 / risk for fixed stakes, else 0 (engine.accounting.c_fixed)


@njit(cache=True)
def close_position(code, y_exit, margin, paid, funding, terms):
    """The :class:`Closed` result of a position closed through exit ``code`` (0 take-profit,
    1 stop, 2 liquidation, 3 time) at ``y_exit`` (log price in the trade's favour).

    Liquidation with the fill rule: the liquidation is a market close, so the trader keeps
    ``max(0, equity - liquidation_fee x notional - slippage x notional)`` unless equity is
    below the backstop level (a fraction of maintenance margin), where the whole margin is
    lost; with the margin rule the whole margin is lost.
    Equity below zero is bad debt (the trader loses at most the margin)."""
    side = terms.side
    stop = terms.stop
    fee = terms.fee
    slip = terms.slippage
    u = math.exp(side * y_exit)
    if code == 2:  # liquidation
        eq = margin - paid + side * (u - 1.0)
        keep = 0.0
        slip_out = 0.0
        if terms.fill_rule and eq >= terms.backstop_mmr * u - terms.backstop_maintenance:
            # a market close: the fill pays slippage, then the venue's liquidation fee
            left = max(0.0, eq - terms.liquidation_fee * u)
            slip_out = min(slip * u, left)
            keep = left - slip_out
        bad = max(0.0, -eq) / stop
        return Closed(
            (-margin + keep) / stop, fee / stop, (slip + slip_out) / stop, funding / stop, bad
        )
    g = side * (u - 1.0) - paid - (fee + slip) * u
    return Closed(g / stop, fee * (1.0 + u) / stop, slip * (1.0 + u) / stop, funding / stop, 0.0)


@njit(cache=True)
def tally_close(tally, code, closed, scale):
    """``tally`` with one more position closed through ``code``; costs in R times ``scale``
    (the amount risked as a fraction of starting equity)."""
    return Tally(
        tally.take_profit + (1 if code == 0 else 0),
        tally.stop + (1 if code == 1 else 0),
        tally.liquidation + (1 if code == 2 else 0),
        tally.time + (1 if code == 3 else 0),
        tally.fees + closed.fees * scale,
        tally.slippage + closed.slippage * scale,
        tally.funding + closed.funding * scale,
        tally.bad_debt + closed.bad_debt * scale,
        tally.equity,
    )


@njit(cache=True)
def settle(code, y_exit, margin, paid, funding, terms, acc, tally):
    """Close a one-position trade (exit ``code`` at ``y_exit``) and book it on the account
    (an :class:`~ruin.engine.accounting.AccountState`). Exits exactly at a barrier with no
    funding paid take the precomputed :class:`BarrierResults`. Returns ``(acc, tally)``."""
    barriers = terms.barriers
    scale = terms.risk * tally.equity if terms.fractional else terms.risk
    at = (
        terms.y_take_profit
        if code == 0
        else (terms.y_stop if code == 1 else barriers.y_liquidation)
    )
    if barriers.const and code < 3 and funding == 0.0 and y_exit == at:
        row = barriers.results[code]
        closed = Closed(row[0], row[1], row[2], row[3], row[4])
        step = barriers.steps[code]
        factor = barriers.growths[code]
    else:
        closed = close_position(code, y_exit, margin, paid, funding, terms.close)
        step = r_to_step(closed.r, terms.fractional, terms.risk)
        factor = growth(closed.r, terms.risk)
    tally = tally_close(tally, code, closed, scale)
    tally = Tally(
        tally.take_profit,
        tally.stop,
        tally.liquidation,
        tally.time,
        tally.fees,
        tally.slippage,
        tally.funding,
        tally.bad_debt,
        tally.equity * factor,
    )
    acc = acc_trade(acc, step, closed.r, closed.r > 0.0, terms.fractional, terms.c, terms.x_floor)
    return acc, tally


@njit(cache=True)
def new_tally():
    """No positions closed, no costs, equity multiple 1."""
    return Tally(0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 1.0)


@njit(cache=True)
def store_tally(i, tally, exits, aux):
    """Path ``i``'s exit counts and cost totals."""
    exits[i, 0] = tally.take_profit
    exits[i, 1] = tally.stop
    exits[i, 2] = tally.liquidation
    exits[i, 3] = tally.time
    aux[i, 0] = tally.fees
    aux[i, 1] = tally.slippage
    aux[i, 2] = tally.funding
    aux[i, 3] = tally.bad_debt
