"""Public simulation API: :func:`simulate` a :class:`~ruin.params.Scenario`.

Definitions reported here (the same ones the CLI and app show)
--------------------------------------------------------------
* **Probability of ruin**: share of paths whose closed-trade equity fell to
  ``ruin_level`` x start or below after some trade 1..N.
* **Goal probability**: share of paths that reached ``goal`` x start before ruin.
* **Maximum drawdown** (MDD): largest peak-to-trough fall of closed-trade equity as a
  fraction of the peak, the starting equity counting as a peak; in [0, 1].
* **Final equity**: equity after trade N as a multiple of start; a path that stopped at ruin
  or goal keeps its equity at that moment.
* **Longest losing streak**: most consecutive trades with a negative outcome.
* **Longest time under water**: most consecutive trades ending below the running peak.
* **Survival curve**: share of paths not ruined after each trade 0..N.
"""

from __future__ import annotations

from collections.abc import Callable

from .behaviour.run import behaviour_path_run
from .engine.driver import DEFAULT_CHUNK, PathRun, memory_needed, numba_threads, run
from .engine.result import DEFAULT_DRAWDOWN_LEVELS, SimulationResult
from .market.run import market_path_run
from .outcomes import iid_path_run
from .params import Scenario
from .rules import rules_path_run

__all__ = [
    "simulate",
    "path_run",
    "SimulationResult",
    "DEFAULT_DRAWDOWN_LEVELS",
    "memory_needed",
    "numba_threads",
]


def path_run(scenario: Scenario) -> PathRun:
    """The model that yields ``scenario``'s trades, as a run of the one driver: the
    leveraged price paths (:mod:`ruin.market`), the behaviour rules (:mod:`ruin.behaviour`)
    or the i.i.d. models (:mod:`ruin.outcomes`)."""
    if scenario.market is not None:  # the leveraged kernels take the account rules too
        return market_path_run(scenario)
    if scenario.rules is not None:
        return rules_path_run(scenario)
    if scenario.behaviour is not None:
        return behaviour_path_run(scenario)
    sizing, account = scenario.sizing, scenario.account
    return iid_path_run(
        scenario.model,
        rule=sizing.rule,
        risk=sizing.risk,
        ruin_level=account.ruin_level,
        goal=account.goal,
        trades=account.trades,
    )


def simulate(
    scenario: Scenario,
    *,
    drawdown_levels: tuple[float, ...] = DEFAULT_DRAWDOWN_LEVELS,
    record: int = 200,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> SimulationResult:
    """Run the account Monte Carlo for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        Model, sizing, horizon, barriers, paths and seed (``None``: drawn and reported).
    drawdown_levels : tuple of float
        Levels X for ``P(MDD >= X)`` in the summary, each in (0, 1].
    record : int
        How many paths (the first ones) to keep as full equity curves for charts.
    threads : int, optional
        Kernel threads (default: numba's setting). Results do not depend on it.
    progress : callable, optional
        Called as ``progress(paths_done, paths_total)`` after each chunk.
    chunk : int
        Most paths per kernel call (chunks are sized by measured work so each takes about a
        quarter of a second, and Ctrl-C stops the run); results do not depend on it.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        For invalid drawdown levels, or a request needing more than half the machine's memory.
    """
    return run(
        scenario,
        path_run(scenario),
        drawdown_levels=drawdown_levels,
        record=record,
        threads=threads,
        progress=progress,
        chunk=chunk,
    )
