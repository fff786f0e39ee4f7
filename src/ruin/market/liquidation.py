"""Liquidation prices of a leveraged position (exact isolated formula, cross backing).

Per unit of entry notional, with ``backing`` the collateral behind the position (isolated:
the margin ``1 / leverage``; cross: the account equity), ``paid`` what has been paid out of
it (entry fee and slippage, funding) and ``maintenance`` the tier's maintenance amount, the
position is liquidated when ``backing - paid + side (u - 1) < mmr u - maintenance`` at the
price ratio ``u = P / P_entry``: long ``u = (1 - backing + paid - maintenance) / (1 - mmr)``,
short ``u = (1 + backing - paid + maintenance) / (1 + mmr)``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numba import njit

from .. import margin as _margin

__all__ = ["liquidation_ratio", "liquidation_price_ratio", "liquidation_level"]


#: The project's one liquidation formula (:func:`ruin.margin.liquidation_price_ratio`),
#: compiled for the kernels.
liquidation_price_ratio = njit(cache=True)(_margin.liquidation_price_ratio)


@njit(cache=True)
def liquidation_level(side, backing, paid, maintenance, mmr):
    """The liquidation barrier in position space ``y = side log(u)`` (-inf when the price
    can never reach it)."""
    u = liquidation_price_ratio(side, backing, paid, maintenance, mmr)
    if u <= 0.0:
        return -np.inf
    return side * math.log(u)


def liquidation_ratio(
    leverage: float,
    mmr: float,
    *,
    side: Literal["long", "short"] = "long",
    paid: float = 0.0,
    maintenance: float = 0.0,
    backing: float | None = None,
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
    margin = 1.0 / leverage if backing is None else backing
    sign = 1.0 if side == "long" else -1.0
    return float(liquidation_price_ratio(sign, margin, paid, maintenance, mmr))
