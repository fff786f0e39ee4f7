"""Popular closed-form risk-of-ruin formulas, labelled as approximations.

:func:`approximations` evaluates them; :data:`APPROXIMATION_NOTES` says what each assumes, so
they can be shown next to the exact value.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError, check_number
from .closed_form import _check_p

__all__ = ["approximations", "APPROXIMATION_NOTES"]

#: What each approximation in :func:`approximations` assumes (shown next to the value).
APPROXIMATION_NOTES: dict[str, str] = {
    "classic_(1-edge)/(1+edge)^units": (
        "((1-e)/(1+e))^U with e = p - q and U = (1 - ruin_level)/risk (e.g. quantstats "
        "risk_of_ruin). Equals the gambler's-ruin (q/p)^U: exact only for payoff 1, a fixed "
        "stake and an infinite horizon; it ignores the payoff."
    ),
    "payoff_adjusted_(1-edge)/(1+edge)^units": (
        "((1-e)/(1+e))^U with the expectancy e = p*b - q in R (trading-site variant). "
        "Plugging the payoff into the classic formula has no derivation; fixed stake, "
        "infinite horizon."
    ),
    "(q/(p*payoff))^units": (
        "((1-p)/(p*b))^U, the web-calculator formula ((1-W)/(W*R))^(B/S). Fixed stake, "
        "infinite horizon; not a solution of any ruin equation for b != 1."
    ),
    "diffusion_exp(-2*mu*units/sigma^2)": (
        "Brownian approximation exp(-2 mu U / sigma^2) with mu, sigma^2 the mean and "
        "variance of one trade in R (fixed stake) or of its log return with U = -log"
        "(ruin_level) (fractional). Infinite horizon, no overshoot of the barrier."
    ),
    "lundberg_bound_fractional": (
        "Upper bound ruin_level^theta for fractional sizing, theta > 0 solving "
        "p(1+bf)^-theta + q(1-f)^-theta = 1 (Cramer-Lundberg). Infinite horizon; exact only "
        "when the log walk lands on the barrier."
    ),
}


def approximations(
    p: float, b: float, risk: float, *, ruin_level: float = 0.0, sizing: str = "fixed"
) -> dict[str, float]:
    """Popular closed-form risk-of-ruin formulas, as the web and libraries use them.

    They are approximations (or outright misuses) for this tool's question; see
    :data:`APPROXIMATION_NOTES` for what each assumes. All are infinite-horizon; values are
    clipped to [0, 1]. ``U = (1 - ruin_level) / risk`` "capital units".

    Parameters
    ----------
    p, b, risk, ruin_level
        As in :func:`lattice_dp`.
    sizing : {"fixed", "fractional"}
        The diffusion formula uses R units for a fixed stake and log returns for fractional
        sizing; the Lundberg bound is only given for fractional sizing with ruin_level > 0.

    Returns
    -------
    dict
        name -> value (keys of :data:`APPROXIMATION_NOTES`).
    """
    p = _check_p(p)
    b = check_number("payoff", b, 0.0, 1e6, lo_incl=False)
    risk = check_number("risk", risk, 0.0, 1.0, lo_incl=False)
    ruin_level = check_number("ruin_level", ruin_level, 0.0, 1.0, hi_incl=False)
    if sizing not in ("fractional", "fixed"):
        raise ParameterError("sizing", "one of 'fractional', 'fixed'", sizing)
    q = 1.0 - p
    units = (1.0 - ruin_level) / risk

    def ratio_pow(e: float) -> float:
        if e <= 0.0:
            return 1.0
        if e >= 1.0:
            return 0.0
        return ((1.0 - e) / (1.0 + e)) ** units

    out: dict[str, float] = {
        "classic_(1-edge)/(1+edge)^units": ratio_pow(p - q),
        "payoff_adjusted_(1-edge)/(1+edge)^units": ratio_pow(p * b - q),
        "(q/(p*payoff))^units": 1.0 if q >= p * b else (q / (p * b)) ** units,
    }
    if sizing == "fixed":
        mu = p * b - q
        var = p * b * b + q - mu * mu
        out["diffusion_exp(-2*mu*units/sigma^2)"] = (
            1.0 if mu <= 0 else math.exp(-2.0 * mu * units / var)
        )
    else:
        if risk >= 1.0:
            out["diffusion_exp(-2*mu*units/sigma^2)"] = 1.0
        else:
            a, c = math.log1p(b * risk), math.log1p(-risk)
            mu = p * a + q * c
            var = p * q * (a - c) ** 2
            dist = -math.log(ruin_level) if ruin_level > 0 else math.inf
            out["diffusion_exp(-2*mu*units/sigma^2)"] = (
                1.0 if mu <= 0 else math.exp(-2.0 * mu * dist / var)
            )
            if ruin_level > 0:
                out["lundberg_bound_fractional"] = _lundberg(p, a, c, ruin_level)
    return out


def _lundberg(p: float, a: float, c: float, ruin_level: float) -> float:
    """ruin_level^theta, theta > 0 root of p e^(-theta a) + q e^(-theta c) = 1 (1 if none)."""
    q = 1.0 - p
    if p * a + q * c <= 0.0:
        return 1.0
    from scipy.optimize import brentq

    lp, lq = math.log(p), math.log(q)

    def h(th: float) -> float:  # log E[exp(-theta * step)], overflow-free
        return float(np.logaddexp(lp - th * a, lq - th * c))

    hi = 1.0
    while h(hi) < 0.0:
        hi *= 2.0
        if hi > 1e9:  # pragma: no cover
            return 0.0
    theta = brentq(h, 1e-12, hi, xtol=1e-14, maxiter=500)
    return float(ruin_level**theta)
