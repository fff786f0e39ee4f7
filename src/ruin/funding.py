"""Funding of a perpetual-futures position: what is paid (or received) over a holding time.

Funding is exchanged between longs and shorts every funding interval: a positive rate means
longs pay shorts; each payment is ``rate x notional`` (see :func:`funding_cost`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import check_number
from .margin import Side, _check_leverage, _side_sign

__all__ = ["FundingResult", "funding_cost"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingResult:
    """Funding paid or received while holding a position of fixed size.

    A positive rate means longs pay shorts; a negative rate, shorts pay longs. Each payment
    is ``quantity x mark price x rate``, so at a constant price a fixed-size position pays
    ``payments x rate`` of its notional (no compounding: the payments do not change the
    position). As a fraction of margin it is that times the leverage. Signs are for
    ``side``: positive = ``side`` pays, negative = ``side`` receives.
    """

    rate: float
    interval_hours: float
    hours: float
    leverage: float
    side: str
    payments: int
    notional_paid: float
    venue: str = ""
    anchor: float | None = None

    @property
    def margin_paid(self) -> float:
        return self.notional_paid * self.leverage

    @property
    def payer(self) -> str:
        return "longs" if self.rate > 0 else ("shorts" if self.rate < 0 else "nobody")

    @property
    def receiver(self) -> str:
        return "shorts" if self.rate > 0 else ("longs" if self.rate < 0 else "nobody")

    @property
    def annualised_simple(self) -> float:
        """``rate * (24 * 365 / interval_hours)``: the simple annual rate (APR)."""
        return self.rate * 24.0 * 365.0 / self.interval_hours

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "payments": self.payments,
            "payer": self.payer,
            "receiver": self.receiver,
            "side": self.side,
            "side_pays": bool(self.notional_paid > 0),
            "fraction_of_notional": self.notional_paid,
            "fraction_of_margin": self.margin_paid,
            "annualised_simple": self.annualised_simple,
            "inputs": {
                "rate": self.rate,
                "interval_hours": self.interval_hours,
                "hours": self.hours,
                "leverage": self.leverage,
                "side": self.side,
            },
        }
        if self.venue:
            out["venue"] = self.venue
            out["anchor"] = self.anchor
        return out


def funding_cost(
    rate: float,
    interval_hours: float,
    hours: float,
    leverage: float = 1.0,
    *,
    side: Side = "long",
    venue: str = "",
    anchor: float | None = None,
) -> FundingResult:
    """Funding paid by ``side`` holding a fixed-size position for ``hours`` at ``rate`` per
    ``interval_hours`` (``payments = floor(hours / interval_hours)``, each ``rate`` of the
    notional at a constant price; positive rate: longs pay, shorts receive).

    Examples
    --------
    >>> r = funding_cost(0.0001, 8, 30 * 24, leverage=10)
    >>> r.payments, round(r.notional_paid, 6), round(r.margin_paid, 6), r.payer
    (90, 0.009, 0.09, 'longs')
    >>> round(funding_cost(-0.0005, 1, 720, side="long").notional_paid, 6)
    -0.36
    """
    r = check_number(
        "rate", rate, -1.0, 1.0, lo_incl=False, hi_incl=False,
        hint="Use 0.0001 for 0.01% per interval.",
    )  # fmt: skip
    ih = check_number("interval_hours", interval_hours, 0.0, 24.0 * 365, lo_incl=False)
    h = check_number("hours", hours, 0.0, 24.0 * 365 * 100)
    lev = _check_leverage(leverage)
    sgn = _side_sign(side)
    n = int(math.floor(h / ih + 1e-9))
    return FundingResult(
        rate=r,
        interval_hours=ih,
        hours=h,
        leverage=lev,
        side=str(side),
        payments=n,
        notional_paid=sgn * n * r,
        venue=venue,
        anchor=anchor,
    )
