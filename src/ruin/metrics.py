"""Plain vectorised summary statistics used by the simulation result, CLI and app.

Conventions
-----------
* Probabilities come with 95% Wilson score intervals (:func:`wilson`).
* Medians use :func:`numpy.median`; every other quantile uses numpy's ``inverted_cdf``
  method (a value that actually occurred, no interpolation).
* ``P(MDD >= X)`` is inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Proportion",
    "wilson",
    "quantiles",
    "survival_curve",
    "exceedance",
    "percentile_bands",
    "quantile_interval",
    "Z95",
]

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Proportion:
    """A Monte Carlo probability with its 95% Wilson interval."""

    estimate: float
    ci_low: float
    ci_high: float
    successes: int
    trials: int

    def as_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high}

    @property
    def std_error(self) -> float:
        n = max(self.trials, 1)
        return float(np.sqrt(self.estimate * (1.0 - self.estimate) / n))


def wilson(successes: int, trials: int, z: float = Z95) -> Proportion:
    """Wilson score interval for ``successes`` out of ``trials`` (empty: estimate NaN, [0, 1]).

    Examples
    --------
    >>> p = wilson(50, 100)
    >>> round(p.ci_low, 4), round(p.ci_high, 4)
    (0.4038, 0.5962)
    """
    k, n = int(successes), int(trials)
    if n <= 0:
        return Proportion(float("nan"), 0.0, 1.0, k, n)
    p = k / n
    z2 = z * z
    den = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return Proportion(p, float(lo), float(hi), k, n)


def quantiles(values: np.ndarray, qs: tuple[float, ...]) -> dict[str, float]:
    """``{"0.5": median, "0.9": ...}``: 0.5 via ``np.median``, others ``inverted_cdf``.

    Empty input gives NaN for every key.
    """
    v = np.asarray(values, dtype=np.float64)
    out: dict[str, float] = {}
    for q in qs:
        key = f"{q:g}"
        if v.size == 0:
            out[key] = float("nan")
        elif q == 0.5:
            out[key] = float(np.median(v))
        else:
            out[key] = float(np.quantile(v, q, method="inverted_cdf"))
    return out


def survival_curve(ruin_trade: np.ndarray, n_trades: int) -> np.ndarray:
    """Fraction of paths not ruined after each trade 0..N (length N + 1, starts at 1.0).

    ``ruin_trade`` holds the trade (1..N) at which each path was ruined, or -1.
    """
    rt = np.asarray(ruin_trade)
    counts = np.bincount(rt[rt > 0], minlength=n_trades + 1)[: n_trades + 1]
    return 1.0 - np.cumsum(counts) / max(rt.size, 1)


def exceedance(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``P(value >= level)`` for each level (inclusive), from a sample."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    lv = np.asarray(levels, dtype=np.float64)
    return 1.0 - np.searchsorted(v, lv, side="left") / max(v.size, 1)


def percentile_bands(
    equity: np.ndarray, qs: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
) -> dict[str, np.ndarray]:
    """Per-trade quantiles of recorded equity curves (shape paths x (N + 1)), inverted_cdf."""
    return {f"{q:g}": np.quantile(equity, q, axis=0, method="inverted_cdf") for q in qs}


def quantile_interval(values: np.ndarray, q: float, z: float = Z95) -> tuple[float, float, float]:
    """``(estimate, ci_low, ci_high)`` for the ``q`` quantile, distribution-free.

    The estimate follows :func:`quantiles` (``np.median`` for 0.5, else ``inverted_cdf``);
    the 95% interval is the pair of order statistics at ranks ``n*q -/+ z*sqrt(n*q*(1-q))``
    (normal approximation to the binomial count below the quantile). Empty input: NaNs.
    """
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = v.size
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    est = float(np.median(v)) if q == 0.5 else float(np.quantile(v, q, method="inverted_cdf"))
    half = z * np.sqrt(n * q * (1.0 - q))
    lo = int(np.clip(np.floor(n * q - half), 0, n - 1))
    hi = int(np.clip(np.ceil(n * q + half), 0, n - 1))
    return est, float(v[lo]), float(v[hi])
