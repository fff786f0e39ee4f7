"""Per-trade outcome models in R: Bernoulli, a discrete distribution, a bootstrap.

Every trade model yields outcomes in R (the amount risked on the trade). The three i.i.d.
models here are frozen, validated parameter objects (see :mod:`ruin.params` for the rest of
a scenario); :func:`iid_plan` turns one into what the engine's i.i.d. kernels need, and
:func:`iid_path_run` into a run of the one driver.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .engine.accounting import TOTAL_LOSS, thresholds
from .engine.driver import PathRun
from .engine.kernels import (
    MODEL_ALIAS,
    MODEL_BLOCK,
    MODEL_TWO_POINT,
    IidPlan,
    alias_table,
    run_iid,
)
from .engine.streams import TRADES
from .errors import ParameterError, check_choice, check_int, check_number
from .keys import check

__all__ = [
    "Bernoulli",
    "Discrete",
    "Bootstrap",
    "TradeModel",
    "MAX_BOOTSTRAP_TRADES",
    "outcome_table",
    "iid_plan",
    "iid_path_run",
]

MAX_BOOTSTRAP_TRADES = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Bernoulli:
    """Win ``payoff`` R with probability ``win_rate``, else lose 1 R.

    Parameters
    ----------
    win_rate : float
        P(win) per trade, 0 < win_rate < 1.
    payoff : float
        R gained on a win (reward:risk ratio), > 0.
    """

    win_rate: float
    payoff: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "win_rate", check("win_rate", self.win_rate))
        object.__setattr__(self, "payoff", check("payoff", self.payoff))

    @property
    def values(self) -> tuple[float, ...]:
        return (-1.0, self.payoff)

    @property
    def probs(self) -> tuple[float, ...]:
        return (1.0 - self.win_rate, self.win_rate)

    @property
    def edge(self) -> float:
        """Expected R per trade, ``p*b - q``."""
        return self.win_rate * self.payoff - (1.0 - self.win_rate)


@dataclass(frozen=True, slots=True, kw_only=True)
class Discrete:
    """A discrete outcome distribution: outcome ``values[i]`` R with probability ``probs[i]``.

    Probabilities must be >= 0 and sum to 1 (within 1e-9; they are renormalised exactly).
    An outcome below -1 R is allowed (a gap through the stop) but not below -1e6.
    """

    values: tuple[float, ...]
    probs: tuple[float, ...]

    def __post_init__(self) -> None:
        vals = tuple(float(check_number("values", v, -1e6, 1e6)) for v in self.values)
        prs = tuple(float(check_number("probs", p, 0.0, 1.0)) for p in self.probs)
        if len(vals) == 0:
            raise ParameterError("values", "a non-empty list of R outcomes", list(self.values))
        if len(vals) != len(prs):
            raise ParameterError(
                "probs", f"a list as long as values ({len(vals)} items)", list(self.probs)
            )
        total = math.fsum(prs)
        if abs(total - 1.0) > 1e-9:
            raise ParameterError("probs", "probabilities summing to 1", f"sum {total:.12g}")
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "probs", tuple(p / total for p in prs))

    @property
    def edge(self) -> float:
        return math.fsum(v * p for v, p in zip(self.values, self.probs, strict=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class Bootstrap:
    """Resample a user's own trade list.

    Parameters
    ----------
    trades : tuple of float
        Each trade's outcome in R (``kind="r"``) or as a return on equity (``kind="returns"``,
        0.01 = +1%), within [-1e6, 1e6] R or [-1, 1e4] as returns. Returns are converted
        to R at the run's risk: R = return / risk, so under
        fractional sizing at that risk each resampled trade moves equity by its original return.
    method : {"iid", "block"}
        i.i.d. bootstrap (each trade drawn independently, with replacement) or the circular
        block bootstrap: blocks of ``block_length`` consecutive trades starting at a uniformly
        drawn trade, wrapping around the end, which keeps streaks and serial dependence.
    block_length : int
        Trades per block, 1 <= block_length <= len(trades). Only used by ``method="block"``.
    """

    trades: tuple[float, ...]
    method: Literal["iid", "block"] = "iid"
    block_length: int = 1
    kind: Literal["r", "returns"] = "r"
    source: str = field(default="", compare=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", check("bootstrap", self.method))
        check_choice("kind", self.kind, ("r", "returns"))
        n = len(self.trades)
        if n == 0:
            raise ParameterError("trades", "a non-empty list of trade outcomes", [])
        if n > MAX_BOOTSTRAP_TRADES:
            raise ParameterError(
                "trades", f"at most {MAX_BOOTSTRAP_TRADES:,} trades", f"{n:,} trades"
            )
        arr = np.asarray(self.trades, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr))[0])
            raise ParameterError(f"trades[{bad}]", "a finite number", self.trades[bad])
        lo = -1.0 if self.kind == "returns" else -1e6
        hi = 1e4 if self.kind == "returns" else 1e6
        if np.any(arr > hi):
            bad = int(np.flatnonzero(arr > hi)[0])
            raise ParameterError(
                f"trades[{bad}]",
                f"at most {hi:g}",
                self.trades[bad],
                "No real trade makes that much; check the column's units.",
            )
        if np.any(arr < lo):
            bad = int(np.flatnonzero(arr < lo)[0])
            raise ParameterError(
                f"trades[{bad}]",
                f"at least {lo:g}",
                self.trades[bad],
                "A return below -1 would lose more than the whole account.",
            )
        object.__setattr__(self, "trades", tuple(float(x) for x in arr))
        block = check("block_length", self.block_length)
        object.__setattr__(self, "block_length", check_int("block_length", block, 1, n))

    def r_values(self, risk: float) -> np.ndarray:
        arr = np.asarray(self.trades, dtype=np.float64)
        return arr / risk if self.kind == "returns" else arr

    @property
    def edge(self) -> float:
        return float(np.mean(self.trades))


TradeModel = Bernoulli | Discrete | Bootstrap


def outcome_table(model: TradeModel, risk: float) -> tuple[np.ndarray, np.ndarray]:
    """Outcome values in R and their probabilities (a bootstrap: each trade, equally likely;
    returns are converted to R at ``risk``)."""
    if isinstance(model, Bootstrap):
        v = model.r_values(risk)
        return v, np.full(v.size, 1.0 / v.size)
    return np.asarray(model.values, dtype=np.float64), np.asarray(model.probs, dtype=np.float64)


def iid_plan(
    model: TradeModel, *, rule: str, risk: float, ruin_level: float, goal: float | None, trades: int
) -> IidPlan:
    """The i.i.d. kernels' plan for ``model`` under the account's sizing and barriers."""
    fractional = rule == "fractional"
    rvals, probs = outcome_table(model, risk)
    if isinstance(model, Bernoulli):
        kind = MODEL_TWO_POINT
        thr32 = np.uint64(min(round(model.win_rate * 2.0**32), 2**32))
    elif isinstance(model, Bootstrap) and model.method == "block":
        kind, thr32 = MODEL_BLOCK, np.uint64(0)
    else:
        kind, thr32 = MODEL_ALIAS, np.uint64(0)
    accept, alias = alias_table(probs)
    if fractional:
        g = 1.0 + risk * rvals
        with np.errstate(divide="ignore"):
            steps = np.where(g > TOTAL_LOSS, np.log(np.maximum(g, 1e-300)), -np.inf)
    else:
        steps = rvals.copy()
    x_floor, ruin_x, goal_x = thresholds(rule, risk, ruin_level, goal)
    return IidPlan(
        kind,
        int(trades),
        np.ascontiguousarray(steps, dtype=np.float64),
        np.ascontiguousarray(rvals, dtype=np.float64),
        thr32,
        accept,
        alias,
        int(getattr(model, "block_length", 1)),
        fractional,
        risk,
        float(x_floor),
        float(ruin_x),
        float(goal_x),
    )


def iid_path_run(
    model: TradeModel, *, rule: str, risk: float, ruin_level: float, goal: float | None, trades: int
) -> PathRun:
    """The driver's run of an i.i.d. model (streams :data:`ruin.engine.streams.TRADES`)."""
    plan = iid_plan(model, rule=rule, risk=risk, ruin_level=ruin_level, goal=goal, trades=trades)
    return PathRun(run_chunk=functools.partial(run_iid, plan), streams=(TRADES,))
