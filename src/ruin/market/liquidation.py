"""Liquidation prices of a leveraged position.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numba import njit


@njit(cache=True)
def _liq_u(side, m, f, c, mmr):
    """Price ratio u = P/P_entry at which the position is liquidated (0 or inf: never)."""
    if side > 0:
        u = (1.0 - m + f - c) / (1.0 - mmr)
        return max(u, 0.0)
    return (1.0 + m - f + c) / (1.0 + mmr)


@njit(cache=True)
def _liq_y(side, m, f, c, mmr):
    """Liquidation barrier in position space y = side * log(u) (-inf when unreachable)."""
    u = _liq_u(side, m, f, c, mmr)
    if u <= 0.0:
        return -np.inf
    return side * math.log(u)


def liquidation_ratio(
    leverage: float, mmr: float, *, side: Literal["long", "short"] = "long",
    paid: float = 0.0, maintenance: float = 0.0, backing: float | None = None,
) -> float:
    """Liquidation price as a multiple of the entry price.

    Parameters
    ----------
    leverage : float
        Notional / margin.
    mmr : float
        Maintenance margin rate.
    side : {"long", "short"}
    paid : float
        Fees and funding paid out of the margin, as a fraction of entry notional.
    maintenance : float
        Maintenance amount (tier deduction) as a fraction of entry notional.
    backing : float, optional
        Collateral backing the position as a fraction of notional (cross: account equity /
        notional); default ``1 / leverage``.
    """
    m = 1.0 / leverage if backing is None else backing
    return float(_liq_u(1 if side == "long" else -1, m, paid, maintenance, mmr))


def adverse_move_to_liquidation(leverage: float, mmr: float, side: str = "long") -> float:
    """Adverse price move (fraction of entry) that liquidates, no fees: e.g. 20x, 1.25% long
    gives 3.797%."""
    u = liquidation_ratio(leverage, mmr, side="long" if side == "long" else "short")
    return 1.0 - u if side == "long" else u - 1.0
