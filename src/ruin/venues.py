"""Dated venue, asset and funding-rate presets, read from ``data/venues.toml``.

The presets are an *illustrative calibration* with an ``as_of`` date and source URLs (check the
venue before relying on them): :func:`load_venues` / :func:`venue` (fees, funding interval and
cap, liquidation rules and the maintenance tiers of each asset class), :func:`load_assets`
(price-model presets: volatility, tails, GARCH, jumps, slippage) and :data:`FUNDING_REGIMES`.
The arithmetic that uses them is in :mod:`ruin.margin`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import check_choice, check_number
from .margin import MarginTier, make_tiers
from .venues_file import raw

__all__ = [
    "ASSET_CLASSES",
    "FUNDING_REGIMES",
    "AssetPreset",
    "FundingRegime",
    "Venue",
    "load_assets",
    "load_venues",
    "venue",
]

ASSET_CLASSES: tuple[str, ...] = ("btc", "eth", "altcoin", "memecoin")


@dataclass(frozen=True, slots=True, kw_only=True)
class Venue:
    """A venue preset (illustrative calibration, dated ``as_of``).

    Fees are fractions of notional per side; funding rates are fractions of notional per
    ``funding_interval_hours``; ``funding_cap`` is None where the cap is per market.
    ``liquidation_loss``: ``"all_margin"`` (closed at the bankruptcy price) or
    ``"remaining_minus_fee"`` (the trader keeps ``max(0, equity - liquidation_fee *
    notional)``). ``backstop_fraction`` (Hyperliquid 2/3): if equity is below this fraction of
    maintenance margin before a book fill, the whole margin is lost. ``as_of`` is the date of
    the newest check; ``checked`` says what was confirmed against which page, ``unchecked``
    what could not be. ``funding_note`` explains the venue's funding (anchor, GMX's borrow
    fee).
    """

    name: str
    label: str
    as_of: str
    sources: tuple[str, ...]
    taker_fee: float
    maker_fee: float
    funding_interval_hours: float
    funding_anchor: float
    funding_cap: float | None
    maintenance_basis: str
    liquidation_loss: str
    liquidation_fee: float
    backstop_fraction: float | None = None
    min_collateral_usd: float = 0.0
    notes: str = ""
    funding_note: str = ""
    checked: str = ""
    unchecked: str = ""
    tiers: Mapping[str, tuple[MarginTier, ...]] = field(default_factory=dict)
    calibration: str = "illustrative calibration"

    def __post_init__(self) -> None:
        check_choice(
            "liquidation_loss", self.liquidation_loss, ("all_margin", "remaining_minus_fee")
        )
        check_choice("maintenance_basis", self.maintenance_basis, ("mark", "entry"))
        check_number("taker_fee", self.taker_fee, 0.0, 0.1)
        check_number("maker_fee", self.maker_fee, -0.1, 0.1)
        check_number("liquidation_fee", self.liquidation_fee, 0.0, 1.0)

    def tiers_for(self, asset_class: str) -> tuple[MarginTier, ...]:
        return self.tiers[check_choice("asset_class", asset_class, tuple(self.tiers))]

    def max_leverage(self, asset_class: str) -> float:
        """Maximum leverage of the smallest bracket."""
        return self.tiers_for(asset_class)[0].max_leverage

    def mmr(self, asset_class: str) -> float:
        """Maintenance-margin rate of the smallest bracket."""
        return self.tiers_for(asset_class)[0].mmr


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetPreset:
    """Price-model preset for an asset class (perps.md 6.4), illustrative calibration.

    ``annual_vol`` is the diffusive volatility (daily = annual / sqrt(365)): jumps come on
    top of it (not compensated; :attr:`ruin.market.LeveragedTrade.jump_variance_per_day`
    and ``jump_drift_per_day`` say how much they add). GARCH(1,1) alpha/beta daily. Crash
    jumps (down): intensity per year, mean log-size ``crash_size`` < 0 with sd
    ``crash_sd``, floored at ``crash_cap``
    (a simple return, -0.95 = -95%). Pumps (up: squeezes, listings): intensity per year,
    mean log-size ``pump_size`` > 0, sd ``pump_sd``. ``slippage_bp`` per side, basis points.
    """

    name: str
    label: str
    annual_vol: float
    garch_alpha: float
    garch_beta: float
    t_df: float
    crash_intensity_per_year: float
    crash_size: float
    crash_sd: float
    crash_cap: float
    pump_intensity_per_year: float
    pump_size: float
    pump_sd: float
    slippage_bp: float
    calibration: str = "illustrative calibration"
    as_of: str = ""

    @property
    def daily_vol(self) -> float:
        return self.annual_vol / math.sqrt(365.0)

    @property
    def crash_intensity_per_day(self) -> float:
        return self.crash_intensity_per_year / 365.0

    @property
    def pump_intensity_per_day(self) -> float:
        return self.pump_intensity_per_year / 365.0


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingRegime:
    """Funding-rate regime per 8 hours (perps.md 6.7); scale by ``interval_hours / 8``."""

    name: str
    mean_per_8h: float
    sd_per_8h: float
    anchor_probability: float
    spike_per_8h: float

    def per_interval(self, interval_hours: float) -> float:
        """Mean rate per funding interval of ``interval_hours``."""
        return self.mean_per_8h * interval_hours / 8.0


def _venue_from(name: str, d: Mapping[str, Any]) -> Venue:
    tiers = {}
    for cls, rows in d["tiers"].items():
        tiers[cls] = make_tiers(
            [r["floor"] for r in rows], [r["mmr"] for r in rows], [r["max_leverage"] for r in rows]
        )
    cap = d.get("funding_cap")
    bf = d.get("backstop_fraction")
    return Venue(
        name=name,
        label=d["label"],
        as_of=d["as_of"],
        sources=tuple(d["sources"]),
        taker_fee=float(d["taker_fee"]),
        maker_fee=float(d["maker_fee"]),
        funding_interval_hours=float(d["funding_interval_hours"]),
        funding_anchor=float(d["funding_anchor"]),
        funding_cap=None if cap is None else float(cap),
        maintenance_basis=d["maintenance_basis"],
        liquidation_loss=d["liquidation_loss"],
        liquidation_fee=float(d["liquidation_fee"]),
        backstop_fraction=None if bf is None else float(bf),
        min_collateral_usd=float(d.get("min_collateral_usd", 0.0)),
        notes=d.get("notes", ""),
        funding_note=d.get("funding_note", ""),
        checked=d.get("checked", ""),
        unchecked=d.get("unchecked", ""),
        tiers=tiers,
    )


@cache
def _venues() -> dict[str, Venue]:
    return {n: _venue_from(n, d) for n, d in raw()["venues"].items()}


def load_venues() -> dict[str, Venue]:
    """All venue presets by name (``hyperliquid``, ``dydx``, ``gmx_v2``, ``binance``, ``bybit``)."""
    return dict(_venues())


def venue(name: str) -> Venue:
    """One venue preset; unknown names raise :class:`ParameterError` listing the choices."""
    v = _venues()
    return v[check_choice("venue", name, tuple(v))]


@cache
def _assets() -> dict[str, AssetPreset]:
    as_of = raw()["meta"]["as_of"]
    return {n: AssetPreset(name=n, as_of=as_of, **d) for n, d in raw()["assets"].items()}


def load_assets() -> dict[str, AssetPreset]:
    """Asset presets by name (``btc``, ``eth``, ``altcoin``, ``memecoin``)."""
    return dict(_assets())


def _regimes() -> dict[str, FundingRegime]:
    return {n: FundingRegime(name=n, **d) for n, d in raw()["funding_regimes"].items()}


#: Funding regimes ``neutral`` / ``bull`` / ``bear`` (illustrative calibration).
FUNDING_REGIMES: dict[str, FundingRegime] = _regimes()
