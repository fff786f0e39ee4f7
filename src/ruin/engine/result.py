"""The result of a simulation: per-path arrays and the summaries built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..metrics import Proportion, percentile_bands, quantiles, survival_curve, wilson

if TYPE_CHECKING:  # the result names the scenario it ran; no import at run time
    from ..params import Scenario

__all__ = ["SimulationResult", "DEFAULT_DRAWDOWN_LEVELS"]

DEFAULT_DRAWDOWN_LEVELS = (0.1, 0.2, 0.3, 0.5)
MDD_QS = (0.5, 0.9, 0.95, 0.99)
EQ_QS = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class SimulationResult:
    """Per-path results of one run plus the summaries built from them.

    Per-path arrays (length ``paths``): ``final_equity`` (multiple of start),
    ``max_drawdown`` (fraction), ``ruin_trade`` / ``goal_trade`` (1..N, -1 if never),
    ``longest_losing_streak``, ``longest_underwater`` (trades), ``wins``, ``trades_taken``.
    ``sample_paths`` holds the equity curves of the first ``recorded`` paths
    (shape recorded x (N + 1)); ``bands`` are per-trade 5/25/50/75/95% quantiles of those.
    ``extra`` holds the model's additions to :meth:`summary`. Leveraged runs also fill
    ``exits`` (paths x 4: positions closed at take-profit, stop, liquidation, time; see
    :data:`ruin.market.EXIT_NAMES`) and ``aux`` (paths x 4: fees, slippage, funding and bad
    debt, as fractions of starting equity; :data:`ruin.market.AUX_NAMES`); other models
    leave them ``None``.
    """

    scenario: Scenario
    seed: int
    final_equity: np.ndarray
    max_drawdown: np.ndarray
    ruin_trade: np.ndarray
    goal_trade: np.ndarray
    longest_losing_streak: np.ndarray
    longest_underwater: np.ndarray
    wins: np.ndarray
    trades_taken: np.ndarray
    sample_paths: np.ndarray
    elapsed_seconds: float
    drawdown_levels: tuple[float, ...] = DEFAULT_DRAWDOWN_LEVELS
    extra: dict[str, Any] = field(default_factory=dict)
    exits: np.ndarray | None = None
    aux: np.ndarray | None = None

    @property
    def paths(self) -> int:
        return int(self.final_equity.size)

    @property
    def trades(self) -> int:
        return self.scenario.account.trades

    @property
    def ruin(self) -> Proportion:
        return wilson(int(np.count_nonzero(self.ruin_trade > 0)), self.paths)

    @property
    def goal(self) -> Proportion:
        return wilson(int(np.count_nonzero(self.goal_trade > 0)), self.paths)

    def drawdown_exceedance(self, level: float) -> Proportion:
        """P(MDD >= level), inclusive (with a 1e-12 allowance for round-off)."""
        return wilson(int(np.count_nonzero(self.max_drawdown >= level - 1e-12)), self.paths)

    @property
    def survival(self) -> np.ndarray:
        return survival_curve(self.ruin_trade, self.trades)

    @property
    def win_rate_realized(self) -> float:
        n = int(self.trades_taken.sum(dtype=np.int64))
        return float(self.wins.sum(dtype=np.int64) / n) if n else float("nan")

    @property
    def bands(self) -> dict[str, np.ndarray]:
        return percentile_bands(self.sample_paths)

    def summary(self) -> dict[str, Any]:
        """The JSON contract of ``ruin simulate --json`` (theory added by the caller)."""
        fe = self.final_equity
        ruined = self.ruin_trade > 0
        out: dict[str, Any] = {
            "seed": self.seed,
            "paths": self.paths,
            "trades": self.trades,
            "ruin_probability": self.ruin.as_dict(),
        }
        if self.scenario.account.goal is not None:
            out["goal_probability"] = self.goal.as_dict()
        out["drawdown_exceedance"] = {
            f"{lv:g}": self.drawdown_exceedance(lv).as_dict() for lv in self.drawdown_levels
        }
        out["max_drawdown_quantiles"] = quantiles(self.max_drawdown, MDD_QS)
        out["final_equity"] = {
            "mean": float(fe.mean()),
            "median": float(np.median(fe)),
            "quantiles": quantiles(fe, EQ_QS),
            "p_below_start": wilson(int(np.count_nonzero(fe < 1.0 - 1e-12)), fe.size).as_dict(),
        }
        out["longest_losing_streak"] = quantiles(self.longest_losing_streak, MDD_QS)
        out["longest_underwater"] = quantiles(self.longest_underwater, MDD_QS)
        out["trades_to_ruin"] = quantiles(self.ruin_trade[ruined], (0.1, 0.25, 0.5, 0.75, 0.9))
        out["win_rate_realized"] = self.win_rate_realized
        out.update(self.extra)
        out["elapsed_seconds"] = self.elapsed_seconds
        return out
