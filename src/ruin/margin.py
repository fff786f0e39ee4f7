"""Margin arithmetic for isolated linear perpetuals: liquidation and bankruptcy prices,
maintenance tiers, position size and funding cost.

Definitions (perps.md section 1.1)
----------------------------------
``q`` position size in coins, ``Pe`` entry price, ``side = +1`` long / ``-1`` short,
``M`` isolated margin in USD (``q * Pe / L`` by default), ``MMR`` maintenance-margin rate,
``cum`` maintenance amount in USD (tier deduction), ``F`` fees and funding already paid out of
the margin in USD. The position is liquidated when

    M - F + side * q * (P - Pe)  <  MMR * q * P - cum        (maintenance on current notional)

so ``P_liq = (M - F + cum - side*q*Pe) / (q*MMR - side*q)``. With no fees and ``cum = 0``:
long ``Pe (1 - 1/L) / (1 - MMR)``, short ``Pe (1 + 1/L) / (1 + MMR)``. The bankruptcy price
is where equity is zero: ``Pe - side * (M - F) / q``. The approximation common in trading
guides is ``Pe (1 - 1/L + MMR)`` (long) and ``Pe (1 + 1/L - MMR)`` (short).

``maintenance_basis="entry"`` uses maintenance on the notional at entry instead
(``MMR * q * Pe - cum``): GMX v2 (``minCollateralFactor * sizeInUsd``) and Bybit's documented
USDT-contract example (50x long at 20,000 with MMR 0.5% -> 19,700).

The dated venue, asset and funding presets these calculators are fed with live in
:mod:`ruin.venues`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .errors import ParameterError, check_choice, check_number
from .keys import MAX_LEVERAGE, check, check_leverage, check_mmr

__all__ = [
    "FundingResult",
    "LiquidationResult",
    "MarginTier",
    "SizeResult",
    "adverse_move_to_liquidation",
    "approx_liquidation_price",
    "funding_cost",
    "liquidation_price",
    "liquidation_price_tiered",
    "maintenance",
    "make_tiers",
    "position_size",
]

Side = Literal["long", "short"]


def _side_sign(side: str) -> int:
    return 1 if check_choice("side", side, ("long", "short")) == "long" else -1


def _check_leverage(leverage: object, max_leverage: float | None = None) -> float:
    """The one leverage check (:func:`ruin.keys.check_leverage`)."""
    return check_leverage(leverage, max_leverage, where="this venue for this asset")


def _check_mmr(mmr: object, leverage: float | None = None) -> float:
    """The one maintenance-margin check, ``mmr < 1/leverage`` (:func:`ruin.keys.check_mmr`)."""
    return check_mmr(mmr, leverage)


# ------------------------------------------------------------------------------------------
# Liquidation price
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationResult:
    """Liquidation and bankruptcy prices of an isolated linear perpetual position.

    Attributes
    ----------
    liquidation_price : float
        Mark price (USD per coin) at which equity falls below maintenance margin. 0 for a long
        that cannot be liquidated (margin covers the whole notional).
    bankruptcy_price : float
        Price at which the position's equity is exactly 0 (floored at 0 for a long).
    adverse_move : float
        Move from entry to the liquidation price as a fraction of entry, positive against the
        position: long ``(Pe - P_liq)/Pe``, short ``(P_liq - Pe)/Pe``.
    approx_liquidation_price : float
        The guides' approximation ``Pe (1 - 1/L + MMR)`` (long) / ``Pe (1 + 1/L - MMR)``.
    side, entry, leverage, mmr, maintenance_amount, qty, margin, fees_paid
        The inputs (``margin`` and ``qty`` as used).
    """

    liquidation_price: float
    bankruptcy_price: float
    adverse_move: float
    approx_liquidation_price: float
    side: str
    entry: float
    leverage: float
    mmr: float
    maintenance_amount: float
    qty: float
    margin: float
    fees_paid: float

    @property
    def approx_adverse_move(self) -> float:
        """Adverse move to the approximate liquidation price, fraction of entry."""
        s = 1 if self.side == "long" else -1
        return s * (self.entry - self.approx_liquidation_price) / self.entry

    def as_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "entry": self.entry,
            "leverage": self.leverage,
            "mmr": self.mmr,
            "liquidation_price": self.liquidation_price,
            "bankruptcy_price": self.bankruptcy_price,
            "adverse_move": self.adverse_move,
            "approx_liquidation_price": self.approx_liquidation_price,
            "approx_adverse_move": self.approx_adverse_move,
            "maintenance_amount": self.maintenance_amount,
            "qty": self.qty,
            "margin": self.margin,
            "fees_paid": self.fees_paid,
        }


def approx_liquidation_price(
    entry: float, leverage: float, mmr: float, side: Side = "long"
) -> float:
    """The trading guides' approximation ``Entry (1 -+ 1/L +- MMR)`` (no validation)."""
    s = 1 if side == "long" else -1
    return entry * (1.0 - s / leverage + s * mmr)


def liquidation_price(
    entry: float,
    leverage: float,
    mmr: float,
    *,
    side: Side = "long",
    maintenance_amount: float = 0.0,
    qty: float | None = None,
    margin: float | None = None,
    fees_paid: float = 0.0,
    max_leverage: float | None = None,
    maintenance_basis: Literal["mark", "entry"] = "mark",
) -> LiquidationResult:
    """Exact isolated liquidation price (perps.md 1.1), bankruptcy price and the approximation.

    Parameters
    ----------
    entry : float
        Entry price, USD per coin, > 0.
    leverage : float
        Leverage setting L >= 1 (at most ``max_leverage`` when given); the default margin is
        ``qty * entry / L``.
    mmr : float
        Maintenance-margin rate, 0 <= mmr < 1/L.
    side : {"long", "short"}
    maintenance_amount : float
        Tier maintenance amount ``cum`` in USD (>= 0); needs ``qty``.
    qty : float, optional
        Position size in coins (> 0). Omitted: 1 coin (prices do not depend on size when
        ``maintenance_amount`` and ``fees_paid`` are 0).
    margin : float, optional
        Isolated margin in USD (> 0); default ``qty * entry / leverage``.
    fees_paid : float
        Fees and funding already taken from the margin, USD (negative: received); needs
        ``qty``.
    max_leverage : float, optional
        The venue's maximum leverage for the asset.
    maintenance_basis : {"mark", "entry"}
        Maintenance on current notional (Binance, Hyperliquid, dYdX) or on the notional at
        entry (GMX v2, Bybit's documented example).

    Returns
    -------
    LiquidationResult

    Raises
    ------
    ParameterError
        Entry <= 0, leverage < 1 or above the maximum, mmr >= 1/L (instant liquidation), or a
        position whose equity is already below maintenance at entry.

    Examples
    --------
    >>> round(liquidation_price(100_000, 20, 0.0125).liquidation_price, 2)
    96202.53
    """
    pe = check_number("entry", entry, 0.0, None, lo_incl=False, hint="Entry is a price in USD.")
    lev = _check_leverage(leverage, max_leverage)
    m_rate = _check_mmr(mmr, lev)
    s = _side_sign(side)
    check_choice("maintenance_basis", maintenance_basis, ("mark", "entry"))
    cum = check_number("maintenance_amount", maintenance_amount, 0.0, None)
    fees = check_number("fees_paid", fees_paid)
    if qty is None:
        if cum != 0.0 or fees != 0.0:
            raise ParameterError(
                "qty",
                "given (a position size in coins) when maintenance_amount or fees_paid is set",
                qty,
                "Those amounts are in USD, so the size matters.",
            )
        q = 1.0
    else:
        q = check_number("qty", qty, 0.0, None, lo_incl=False)
    m = q * pe / lev if margin is None else check_number("margin", margin, 0.0, None, lo_incl=False)
    mm_entry = m_rate * q * pe - cum
    if m - fees <= max(mm_entry, 0.0):
        raise ParameterError(
            "margin",
            f"above the maintenance margin at entry ({max(mm_entry, 0.0):.6g} USD) after fees",
            m - fees,
            "The position would be liquidated the instant it opens (instant liquidation).",
        )
    if maintenance_basis == "mark":
        p_liq = (m - fees + cum - s * q * pe) / (q * m_rate - s * q)
    else:
        p_liq = pe - s * (m - fees - mm_entry) / q
    p_bk = pe - s * (m - fees) / q
    if s == 1:
        p_liq, p_bk = max(p_liq, 0.0), max(p_bk, 0.0)
    move = s * (pe - p_liq) / pe
    return LiquidationResult(
        liquidation_price=float(p_liq),
        bankruptcy_price=float(p_bk),
        adverse_move=float(move),
        approx_liquidation_price=approx_liquidation_price(pe, lev, m_rate, side),
        side=str(side),
        entry=pe,
        leverage=lev,
        mmr=m_rate,
        maintenance_amount=cum,
        qty=q,
        margin=float(m),
        fees_paid=fees,
    )


def adverse_move_to_liquidation(leverage: float, mmr: float, side: Side = "long") -> float:
    """Adverse move from entry to liquidation, as a fraction of entry (no fees, cum 0).

    Long ``(1/L - MMR) / (1 - MMR)``, short ``(1/L - MMR) / (1 + MMR)``.

    Examples
    --------
    >>> round(adverse_move_to_liquidation(20, 0.0125), 5)
    0.03797
    """
    lev = _check_leverage(leverage)
    m = _check_mmr(mmr, lev)
    s = _side_sign(side)
    return (1.0 / lev - m) / (1.0 - s * m)


# ------------------------------------------------------------------------------------------
# Maintenance tiers
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MarginTier:
    """One notional bracket: applies to notional (USD) in ``[floor, cap)``.

    ``maintenance_amount`` (``cum``) keeps maintenance margin continuous across brackets:
    ``cum_n = cum_{n-1} + floor_n (mmr_n - mmr_{n-1})``.
    """

    floor: float
    cap: float
    max_leverage: float
    mmr: float
    maintenance_amount: float

    def __post_init__(self) -> None:
        check_number("floor", self.floor, 0.0, None)
        if not self.cap > self.floor:
            raise ParameterError("cap", f"greater than floor {self.floor:g}", self.cap)
        _check_leverage(self.max_leverage)
        _check_mmr(self.mmr)


def make_tiers(
    floors: Sequence[float], mmrs: Sequence[float], max_leverages: Sequence[float] | None = None
) -> tuple[MarginTier, ...]:
    """Brackets from lower bounds and rates, with ``cum`` from the continuity recursion.

    Examples
    --------
    >>> t = make_tiers([0, 50_000, 250_000], [0.004, 0.005, 0.01])
    >>> [x.maintenance_amount for x in t]
    [0.0, 50.0, 1300.0]
    """
    if len(floors) == 0 or len(floors) != len(mmrs):
        raise ParameterError("tiers", "one mmr per floor (at least one tier)", len(mmrs))
    if max_leverages is None:
        max_leverages = [min(MAX_LEVERAGE, 0.5 / m) if m > 0 else MAX_LEVERAGE for m in mmrs]
    if float(floors[0]) != 0.0:
        raise ParameterError("floor", "0 for the first tier", floors[0])
    out: list[MarginTier] = []
    cum, prev = 0.0, 0.0
    for i, (fl, mr, ml) in enumerate(zip(floors, mmrs, max_leverages, strict=True)):
        fl, mr = float(fl), float(mr)
        if i > 0:
            cum = cum + fl * (mr - prev)
        cap = float(floors[i + 1]) if i + 1 < len(floors) else math.inf
        out.append(
            MarginTier(
                floor=fl, cap=cap, max_leverage=float(ml), mmr=mr, maintenance_amount=round(cum, 10)
            )
        )
        prev = mr
    return tuple(out)


def _tier_for(notional: float, tiers: Sequence[MarginTier]) -> MarginTier:
    for t in tiers:
        if t.floor <= notional < t.cap:
            return t
    return tiers[-1]


def maintenance(notional: float, tiers: Sequence[MarginTier]) -> tuple[float, float]:
    """``(MMR, maintenance amount)`` of the bracket holding ``notional`` (USD, >= 0).

    Maintenance margin is then ``notional * MMR - maintenance_amount``.

    Examples
    --------
    >>> tiers = make_tiers([0, 50_000, 250_000], [0.004, 0.005, 0.01])
    >>> maintenance(100_000, tiers)
    (0.005, 50.0)
    """
    n = check_number("notional", notional, 0.0, None)
    if not tiers:
        raise ParameterError("tiers", "at least one tier", tiers)
    t = _tier_for(n, tiers)
    return t.mmr, t.maintenance_amount


def liquidation_price_tiered(
    entry: float,
    qty: float,
    leverage: float,
    tiers: Sequence[MarginTier],
    *,
    side: Side = "long",
    margin: float | None = None,
    fees_paid: float = 0.0,
    maintenance_basis: Literal["mark", "entry"] = "mark",
) -> LiquidationResult:
    """Liquidation price with the bracket chosen at the liquidation price's notional.

    Starts from the bracket at entry notional ``qty * entry``; if the resulting liquidation
    price falls in another bracket, recomputes with that bracket's MMR and maintenance
    amount (Binance's documented procedure) until the bracket is consistent. With
    ``maintenance_basis="entry"`` maintenance depends on the entry notional only, so the
    entry bracket is used.
    """
    pe = check_number("entry", entry, 0.0, None, lo_incl=False)
    q = check_number("qty", qty, 0.0, None, lo_incl=False)
    if not tiers:
        raise ParameterError("tiers", "at least one tier", tiers)
    t = _tier_for(q * pe, tiers)
    lev = _check_leverage(leverage, t.max_leverage)
    seen: set[float] = set()
    res = None
    for _ in range(len(tiers) + 1):
        res = liquidation_price(
            pe,
            lev,
            t.mmr,
            side=side,
            maintenance_amount=t.maintenance_amount,
            qty=q,
            margin=margin,
            fees_paid=fees_paid,
            maintenance_basis=maintenance_basis,
        )
        if maintenance_basis == "entry":
            break
        t_new = _tier_for(q * res.liquidation_price, tiers)
        if t_new.floor == t.floor or t_new.floor in seen:
            break
        seen.add(t.floor)
        t = t_new
    assert res is not None
    return res


# ------------------------------------------------------------------------------------------
# Position sizing
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SizeResult:
    """Fixed-fractional position size for a stop distance.

    Attributes
    ----------
    risk_usd : float
        ``capital * risk``: the planned loss at the stop, USD (before fees).
    notional : float
        ``risk_usd / stop``, USD.
    margin : float
        ``notional / leverage``, USD (isolated margin).
    liquidation_distance : float
        Adverse move to liquidation, fraction of entry (no fees, cum 0).
    stop_before_liquidation : bool
        True when the stop (``stop``) is strictly nearer than the liquidation price.
    loss_at_stop : float
        Loss in USD when the stop fills: ``notional * stop`` plus the fee on entry notional
        and on exit notional (``notional * (1 -+ stop)``).
    fee_adjusted_notional : float
        The notional whose loss at the stop *including fees* equals ``risk_usd``.
    account_leverage : float
        ``notional / capital``.
    margin_fits : bool
        ``margin <= capital``.
    """

    risk_usd: float
    notional: float
    margin: float
    liquidation_distance: float
    stop_before_liquidation: bool
    loss_at_stop: float
    fee_adjusted_notional: float
    account_leverage: float
    margin_fits: bool
    capital: float
    risk: float
    stop: float
    leverage: float
    mmr: float
    side: str
    fee_bps: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "risk_usd": self.risk_usd,
            "notional": self.notional,
            "margin": self.margin,
            "liquidation_distance": self.liquidation_distance,
            "stop_before_liquidation": self.stop_before_liquidation,
            "loss_at_stop": self.loss_at_stop,
            "fee_adjusted_notional": self.fee_adjusted_notional,
            "account_leverage": self.account_leverage,
            "margin_fits": self.margin_fits,
            "inputs": {
                "capital": self.capital,
                "risk": self.risk,
                "stop": self.stop,
                "leverage": self.leverage,
                "mmr": self.mmr,
                "side": self.side,
                "fee_bps": self.fee_bps,
            },
        }


def position_size(
    capital: float,
    risk: float,
    stop: float,
    leverage: float,
    mmr: float,
    *,
    side: Side = "long",
    fee_bps: float = 0.0,
    max_leverage: float | None = None,
) -> SizeResult:
    """Size a position so that the stop loses ``risk`` of ``capital``.

    Parameters
    ----------
    capital : float
        Account equity, USD, > 0.
    risk : float
        Fraction of capital lost at the stop (before fees), 0 < risk <= 1.
    stop : float
        Stop distance from entry as a fraction of entry, 0 < stop < 1.
    leverage, mmr : float
        Leverage setting (margin = notional / leverage) and maintenance-margin rate.
    side : {"long", "short"}
    fee_bps : float
        Trading fee per side in basis points of notional, charged on entry and exit.
    max_leverage : float, optional
        The venue's maximum leverage.

    Examples
    --------
    >>> r = position_size(10_000, 0.02, 0.05, 5, 0.005)
    >>> r.risk_usd, r.notional, r.margin
    (200.0, 4000.0, 800.0)
    """
    cap = check_number("capital", capital, 0.0, None, lo_incl=False, hint="Capital is in USD.")
    rk = check("risk", risk)
    st = check("stop", stop)
    lev = _check_leverage(leverage, max_leverage)
    m = _check_mmr(mmr, lev)
    s = _side_sign(side)
    fb = check("fee_bps", fee_bps)
    f = fb / 1e4
    risk_usd = cap * rk
    notional = risk_usd / st
    margin = notional / lev
    d_liq = adverse_move_to_liquidation(lev, m, side)
    per_notional_loss = st + f * (2.0 - s * st)  # price move + entry fee + exit fee
    return SizeResult(
        risk_usd=risk_usd,
        notional=notional,
        margin=margin,
        liquidation_distance=d_liq,
        stop_before_liquidation=bool(st < d_liq),
        loss_at_stop=notional * per_notional_loss,
        fee_adjusted_notional=risk_usd / per_notional_loss,
        account_leverage=notional / cap,
        margin_fits=bool(margin <= cap),
        capital=cap,
        risk=rk,
        stop=st,
        leverage=lev,
        mmr=m,
        side=str(side),
        fee_bps=fb,
    )


# ------------------------------------------------------------------------------------------
# Funding
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingResult:
    """Funding paid while holding a position (positive rate: longs pay).

    ``payments = floor(hours / interval_hours)``; simple cost ``payments * rate``;
    compounded ``(1 + rate) ** payments - 1``; cost as a fraction of margin is the fraction of
    notional times leverage.
    """

    rate: float
    interval_hours: float
    hours: float
    leverage: float
    payments: int
    notional_simple: float
    notional_compounded: float

    @property
    def margin_simple(self) -> float:
        return self.notional_simple * self.leverage

    @property
    def margin_compounded(self) -> float:
        return self.notional_compounded * self.leverage

    @property
    def annualised_simple(self) -> float:
        """``rate * (24 * 365 / interval_hours)``: the simple annual rate (APR)."""
        return self.rate * 24.0 * 365.0 / self.interval_hours

    def as_dict(self) -> dict[str, Any]:
        return {
            "payments": self.payments,
            "fraction_of_notional": {
                "simple": self.notional_simple,
                "compounded": self.notional_compounded,
            },
            "fraction_of_margin": {
                "simple": self.margin_simple,
                "compounded": self.margin_compounded,
            },
            "annualised_simple": self.annualised_simple,
            "inputs": {
                "rate": self.rate,
                "interval_hours": self.interval_hours,
                "hours": self.hours,
                "leverage": self.leverage,
            },
        }


def funding_cost(
    rate: float, interval_hours: float, hours: float, leverage: float = 1.0
) -> FundingResult:
    """Funding cost of holding for ``hours`` at ``rate`` per ``interval_hours``.

    Examples
    --------
    >>> r = funding_cost(0.0001, 8, 30 * 24, leverage=10)
    >>> r.payments, round(r.notional_simple, 6), round(r.margin_simple, 6)
    (90, 0.009, 0.09)
    """
    r = check_number(
        "rate",
        rate,
        -1.0,
        1.0,
        lo_incl=False,
        hi_incl=False,
        hint="Use 0.0001 for 0.01% per interval.",
    )
    ih = check_number("interval_hours", interval_hours, 0.0, 24.0 * 365, lo_incl=False)
    h = check_number("hours", hours, 0.0, 24.0 * 365 * 100)
    lev = _check_leverage(leverage)
    n = int(math.floor(h / ih + 1e-9))
    return FundingResult(
        rate=r,
        interval_hours=ih,
        hours=h,
        leverage=lev,
        payments=n,
        notional_simple=n * r,
        notional_compounded=math.expm1(n * math.log1p(r)),
    )
