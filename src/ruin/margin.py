"""Margin arithmetic for isolated linear perpetuals: liquidation and bankruptcy prices,
maintenance tiers and position size (funding cost: :mod:`ruin.funding`).

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
    "LiquidationResult",
    "MarginTier",
    "SizeResult",
    "adverse_move_to_liquidation",
    "basis_terms",
    "liquidation_price_ratio",
    "approx_liquidation_price",
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
# The one liquidation formula
# ------------------------------------------------------------------------------------------


def liquidation_price_ratio(side, backing, paid, maintenance, mmr):
    """Liquidation price as a multiple of the entry price: THE formula of the project.

    Per unit of entry notional: ``backing`` the collateral behind the position (isolated:
    the margin ``1 / L``; cross: the account equity), ``paid`` fees and funding already
    taken from it, ``maintenance`` the tier's maintenance amount (``cum`` / entry notional).
    The position is liquidated when ``backing - paid + side (u - 1) < mmr u - maintenance``:
    long ``u = (1 - backing + paid - maintenance) / (1 - mmr)`` (0: never), short
    ``u = (1 + backing - paid + maintenance) / (1 + mmr)``. ``side`` is +1.0 or -1.0.

    Plain Python so that :func:`liquidation_price` (``ruin liquidation``, ``ruin size``)
    and the market model's kernels (:mod:`ruin.market.liquidation` compiles this very
    function with numba) share one formula. Maintenance on the entry notional
    (``maintenance_basis="entry"``) is the same formula with :func:`basis_terms`.
    """
    if side > 0:
        u = (1.0 - backing + paid - maintenance) / (1.0 - mmr)
        return max(u, 0.0)
    return (1.0 + backing - paid + maintenance) / (1.0 + mmr)


def basis_terms(mmr: float, maintenance: float, basis: str) -> tuple[float, float]:
    """``(mmr, maintenance)`` to give :func:`liquidation_price_ratio` for a maintenance basis.

    ``"mark"``: maintenance ``mmr * notional_now - cum`` (Binance, Hyperliquid, dYdX): as
    given. ``"entry"``: maintenance ``mmr * notional_at_entry - cum`` is a constant (GMX v2,
    Bybit's documented example), which is the mark formula with rate 0 and the amount
    ``cum / N - mmr`` (per unit of entry notional ``N``).

    Examples
    --------
    >>> basis_terms(0.005, 0.0, "entry")
    (0.0, -0.005)
    """
    if basis == "entry":
        return 0.0, maintenance - mmr
    return mmr, maintenance


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
    rate, amount = basis_terms(m_rate, cum / (q * pe), maintenance_basis)
    p_liq = pe * liquidation_price_ratio(s, m / (q * pe), fees / (q * pe), amount, rate)
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
    """Fixed-fractional position size for a stop distance, checked against liquidation.

    Attributes
    ----------
    risk_usd : float
        ``capital * risk``: the planned loss at the stop, USD (before fees).
    notional : float
        ``risk_usd / stop``, USD.
    margin : float
        ``notional / leverage``, USD (isolated margin; the entry fee is taken from it, as
        ``ruin simulate`` does).
    liquidation_distance : float
        Adverse move from entry to liquidation, fraction of entry: :func:`liquidation_price`
        (the bracket of this notional, the entry fee paid from the margin, the venue's
        maintenance basis), the same number ``ruin liquidation`` gives for this position.
    stop_before_liquidation : bool
        True when the stop is strictly nearer than the liquidation price.
    buffer : float
        ``liquidation_distance - stop`` (fraction of entry; negative: liquidated first).
    buffer_daily_vols : float or None
        ``buffer / daily_vol`` when a daily volatility is given.
    min_buffer : float
        The buffer below which the result warns (``thin_buffer``).
    thin_buffer : bool
        ``buffer < min_buffer``.
    max_leverage_for_buffer : float or None
        The largest leverage (at most the bracket's) that keeps the stop ``min_buffer``
        before liquidation; None when even 1x does not.
    loss_at_stop : float
        Loss in USD when the stop fills: ``notional * stop`` plus the fee on entry notional
        and on exit notional (``notional * (1 -+ stop)``).
    loss_at_liquidation : float
        Loss in USD when the position is liquidated: the whole margin (``liquidation_rule``
        ``"margin"``: closed at the bankruptcy price) or the margin less what the venue
        returns (``"fill"``: equity at the liquidation price less ``liquidation_fee``).
    loss : float
        What is really lost when the trade goes wrong: ``loss_at_stop`` when the stop comes
        first, else ``loss_at_liquidation`` (the stop never fills; on a venue that closes at
        the bankruptcy price that is the whole margin, more than the planned risk).
    loss_reason : str
        Why ``loss`` is what it is, in words.
    fee_adjusted_notional : float
        The notional whose loss at the stop *including fees* equals ``risk_usd``.
    account_leverage : float
        ``notional / capital``.
    margin_fits : bool
        ``margin <= capital``.
    bracket_max_leverage : float or None
        The maximum leverage of the bracket holding the notional (venue tiers).
    """

    risk_usd: float
    notional: float
    margin: float
    liquidation_distance: float
    stop_before_liquidation: bool
    buffer: float
    buffer_daily_vols: float | None
    min_buffer: float
    thin_buffer: bool
    max_leverage_for_buffer: float | None
    loss_at_stop: float
    loss_at_liquidation: float
    loss: float
    loss_reason: str
    fee_adjusted_notional: float
    account_leverage: float
    margin_fits: bool
    capital: float
    risk: float
    stop: float
    leverage: float
    mmr: float
    maintenance_amount: float
    side: str
    fee_bps: float
    liquidation_rule: str
    maintenance_basis: str
    daily_vol: float | None
    bracket_max_leverage: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "risk_usd": self.risk_usd,
            "notional": self.notional,
            "margin": self.margin,
            "liquidation_distance": self.liquidation_distance,
            "stop_before_liquidation": self.stop_before_liquidation,
            "buffer": self.buffer,
            "buffer_daily_vols": self.buffer_daily_vols,
            "min_buffer": self.min_buffer,
            "thin_buffer": self.thin_buffer,
            "max_leverage_for_buffer": self.max_leverage_for_buffer,
            "loss_at_stop": self.loss_at_stop,
            "loss_at_liquidation": self.loss_at_liquidation,
            "loss": self.loss,
            "loss_reason": self.loss_reason,
            "fee_adjusted_notional": self.fee_adjusted_notional,
            "account_leverage": self.account_leverage,
            "margin_fits": self.margin_fits,
            "bracket_max_leverage": self.bracket_max_leverage,
            "inputs": {
                "capital": self.capital,
                "risk": self.risk,
                "stop": self.stop,
                "leverage": self.leverage,
                "mmr": self.mmr,
                "maintenance_amount": self.maintenance_amount,
                "side": self.side,
                "fee_bps": self.fee_bps,
                "liquidation_rule": self.liquidation_rule,
                "maintenance_basis": self.maintenance_basis,
                "daily_vol": self.daily_vol,
            },
        }


def _position_liquidation(
    notional: float,
    leverage: float,
    mmr: float,
    side: Side,
    fee: float,
    tiers: Sequence[MarginTier] | None,
    basis: Literal["mark", "entry"],
) -> LiquidationResult:
    """The liquidation of a position of ``notional`` USD entered at price 1 with the entry
    fee (fraction of notional) paid from the margin: the bracket of the notional (re-checked
    at the liquidation notional) with ``tiers``, else ``mmr``."""
    if tiers is not None:
        return liquidation_price_tiered(
            1.0, notional, leverage, tiers, side=side, fees_paid=fee * notional,
            maintenance_basis=basis,
        )  # fmt: skip
    return liquidation_price(
        1.0, leverage, mmr, side=side, qty=notional, fees_paid=fee * notional,
        maintenance_basis=basis,
    )  # fmt: skip


def _max_leverage_for(
    target: float,
    hi: float,
    notional: float,
    mmr: float,
    side: Side,
    fee: float,
    tiers: Sequence[MarginTier] | None,
    basis: Literal["mark", "entry"],
) -> float | None:
    """The largest leverage in [1, hi] whose liquidation distance is at least ``target``
    (the distance falls as leverage rises); None when 1x does not reach it."""

    def dist(lev: float) -> float:
        try:
            return _position_liquidation(notional, lev, mmr, side, fee, tiers, basis).adverse_move
        except ParameterError:
            return -math.inf

    if dist(1.0) < target:
        return None
    if dist(hi) >= target:
        return hi
    lo = 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if dist(mid) >= target:
            lo = mid
        else:
            hi = mid
    return lo


def position_size(
    capital: float,
    risk: float,
    stop: float,
    leverage: float,
    mmr: float | None = None,
    *,
    side: Side = "long",
    fee_bps: float = 0.0,
    max_leverage: float | None = None,
    tiers: Sequence[MarginTier] | None = None,
    maintenance_basis: Literal["mark", "entry"] = "mark",
    liquidation_rule: Literal["margin", "fill"] = "margin",
    liquidation_fee: float = 0.0,
    daily_vol: float | None = None,
    min_buffer: float | None = None,
) -> SizeResult:
    """Size a position so that the stop loses ``risk`` of ``capital``, and check the stop
    against liquidation the way ``ruin liquidation`` and ``ruin simulate`` do.

    Parameters
    ----------
    capital : float
        Account equity, USD, > 0.
    risk : float
        Fraction of capital lost at the stop (before fees), 0 < risk <= 1.
    stop : float
        Stop distance from entry as a fraction of entry, 0 < stop < 1.
    leverage : float
        Leverage setting (margin = notional / leverage), at most the bracket's maximum.
    mmr : float, optional
        Maintenance-margin rate; not needed (and ignored) with ``tiers``.
    side : {"long", "short"}
    fee_bps : float
        Trading fee per side in basis points of notional, charged on entry (taken from the
        margin, so liquidation comes nearer) and on exit.
    max_leverage : float, optional
        The venue's maximum leverage (without ``tiers``).
    tiers : sequence of MarginTier, optional
        The venue's brackets: the bracket holding the notional sets the maintenance rate,
        amount and maximum leverage (and is re-checked at the liquidation price's notional,
        as :func:`liquidation_price_tiered`).
    maintenance_basis : {"mark", "entry"}
    liquidation_rule : {"margin", "fill"}
        What a liquidation costs: the whole margin, or the margin less the equity left at
        the liquidation price less ``liquidation_fee`` of notional.
    daily_vol : float, optional
        Daily volatility of the asset: the buffer is also given in daily moves, and the
        default ``min_buffer`` is one daily move.
    min_buffer : float, optional
        Buffer (liquidation distance - stop, fraction of entry) below which the result warns;
        default one ``daily_vol``, else half the stop.

    Examples
    --------
    >>> r = position_size(10_000, 0.02, 0.05, 5, 0.005)
    >>> r.risk_usd, r.notional, r.margin
    (200.0, 4000.0, 800.0)
    """
    cap = check_number("capital", capital, 0.0, None, lo_incl=False, hint="Capital is in USD.")
    rk = check("risk", risk)
    st = check("stop", stop)
    s = _side_sign(side)
    check_choice("maintenance_basis", maintenance_basis, ("mark", "entry"))
    check("liquidation_rule", liquidation_rule)
    liq_fee = check("liquidation_fee", liquidation_fee)
    fb = check("fee_bps", fee_bps)
    vol = (
        None if daily_vol is None else check_number("daily_vol", daily_vol, 0.0, 1.0, lo_incl=False)
    )
    f = fb / 1e4
    risk_usd = cap * rk
    notional = risk_usd / st
    bracket_max = None
    if tiers is not None:
        if not tiers:
            raise ParameterError("tiers", "at least one tier", tiers)
        t = _tier_for(notional, tiers)
        bracket_max = t.max_leverage
        if leverage is not None and float(leverage) > t.max_leverage:
            raise ParameterError(
                "leverage",
                f"at most {t.max_leverage:g}x for a notional of {notional:,.0f} USD",
                leverage,
                f"The venue's bracket from {t.floor:,.0f} USD allows {t.max_leverage:g}x "
                f"(MMR {t.mmr:.2%}); lower the leverage or the position.",
            )
        lev = _check_leverage(leverage, t.max_leverage)
        m = t.mmr
    else:
        if mmr is None:
            raise ParameterError("mmr", "given (a maintenance-margin rate) without tiers", None)
        lev = _check_leverage(leverage, max_leverage)
        m = _check_mmr(mmr, lev)
    margin = notional / lev
    res = _position_liquidation(notional, lev, m, side, f, tiers, maintenance_basis)
    d_liq = res.adverse_move
    mmr_used, cum_used = res.mmr, res.maintenance_amount
    buffer = d_liq - st
    min_buf = (
        check_number("min_buffer", min_buffer, 0.0, 1.0)
        if min_buffer is not None
        else (vol if vol is not None else 0.5 * st)
    )
    hi = bracket_max if bracket_max is not None else (max_leverage or MAX_LEVERAGE)
    best = _max_leverage_for(st + min_buf, hi, notional, m, side, f, tiers, maintenance_basis)
    per_notional_loss = st + f * (2.0 - s * st)  # price move + entry fee + exit fee
    loss_stop = notional * per_notional_loss
    loss_liq = _loss_at_liquidation(
        margin, notional, f, s, res.liquidation_price, liquidation_rule, liq_fee
    )
    first = bool(st < d_liq)
    loss, reason = _loss_if_wrong(first, loss_stop, loss_liq, d_liq, liquidation_rule)
    return SizeResult(
        risk_usd=risk_usd,
        notional=notional,
        margin=margin,
        liquidation_distance=d_liq,
        stop_before_liquidation=first,
        buffer=buffer,
        buffer_daily_vols=None if vol is None else buffer / vol,
        min_buffer=min_buf,
        thin_buffer=bool(buffer < min_buf),
        max_leverage_for_buffer=best,
        loss_at_stop=loss_stop,
        loss_at_liquidation=loss_liq,
        loss=loss,
        loss_reason=reason,
        fee_adjusted_notional=risk_usd / per_notional_loss,
        account_leverage=notional / cap,
        margin_fits=bool(margin <= cap),
        capital=cap,
        risk=rk,
        stop=st,
        leverage=lev,
        mmr=mmr_used,
        maintenance_amount=cum_used,
        side=str(side),
        fee_bps=fb,
        liquidation_rule=liquidation_rule,
        maintenance_basis=maintenance_basis,
        daily_vol=vol,
        bracket_max_leverage=bracket_max,
    )


def _loss_at_liquidation(
    margin: float,
    notional: float,
    fee: float,
    sign: int,
    u: float,
    liquidation_rule: str,
    liquidation_fee: float,
) -> float:
    """USD lost when the position is liquidated at the price ratio ``u`` (entry 1): the whole
    margin (``"margin"``), or the margin less the equity the venue returns at the fill, less
    its liquidation fee (``"fill"``)."""
    if liquidation_rule == "margin":
        return margin
    eq = margin - fee * notional + sign * notional * (u - 1.0)
    return margin - max(0.0, eq - liquidation_fee * notional * u)


def _loss_if_wrong(
    first: bool, loss_stop: float, loss_liq: float, d_liq: float, liquidation_rule: str
) -> tuple[float, str]:
    """What a losing trade costs, and why: the stop's loss when the stop comes first, else
    the liquidation's (the stop never fills)."""
    if first:
        return loss_stop, "the stop fills before liquidation (price move and fees)"
    if liquidation_rule == "margin":
        return loss_liq, (
            f"liquidation comes first ({d_liq:.3%} away) and the stop never fills: the venue "
            f"closes at the bankruptcy price and the whole margin is lost"
        )
    return loss_liq, (
        f"liquidation comes first ({d_liq:.3%} away) and the stop never fills: the margin "
        f"less what the venue returns at the liquidation price"
    )
