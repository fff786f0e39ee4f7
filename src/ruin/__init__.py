"""ruin: Monte Carlo risk of ruin for leveraged trading, with exact answers beside it.

The public API, listed in ``__all__``. Every trade model yields per-trade outcomes in R (the
amount risked); one compiled account engine applies sizing, ruin, goal and drawdown.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from . import _before_numba, _lazy

# numba's set-up (vector width, stale-cache check) runs just before numba is first imported.
_before_numba.install()

# The public names load on first use (PEP 562): ``import ruin`` alone imports neither numba
# nor polars, so the calculators of the command line start in a fraction of a second.
_EXPORTS = {
    "Account": "ruin.params",
    "Behaviour": "ruin.behaviour.rules",
    "Bernoulli": "ruin.params",
    "Bootstrap": "ruin.params",
    "Discrete": "ruin.params",
    "LeveragedTrade": "ruin.market.trade",
    "ParameterError": "ruin.errors",
    "Proportion": "ruin.metrics",
    "Scenario": "ruin.params",
    "SimulationResult": "ruin.engine.result",
    "Sizing": "ruin.params",
    "build_scenario": "ruin.config",
    "describe_position": "ruin.market.report",
    "exact_ruin_curve": "ruin.exact",
    "leverage_warnings": "ruin.market.report",
    "simulate": "ruin.simulate",
    "theory": "ruin.exact",
    "wilson": "ruin.metrics",
}

if TYPE_CHECKING:
    from .behaviour import Behaviour
    from .config import build_scenario
    from .errors import ParameterError
    from .exact import exact_ruin_curve, theory
    from .market import LeveragedTrade, describe_position, leverage_warnings
    from .metrics import Proportion, wilson
    from .params import Account, Bernoulli, Bootstrap, Discrete, Scenario, Sizing
    from .simulate import SimulationResult, simulate


__getattr__, __dir__ = _lazy.exports(__name__, _EXPORTS, globals())


class _Package(types.ModuleType):
    # Importing the submodule ``ruin.simulate`` sets the package attribute ``simulate`` to
    # that module; the public name is the function (as when it was imported eagerly).
    def __setattr__(self, name: str, value: object) -> None:
        if name == "simulate" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "Account",
    "Behaviour",
    "Bernoulli",
    "Bootstrap",
    "Discrete",
    "LeveragedTrade",
    "ParameterError",
    "Proportion",
    "Scenario",
    "SimulationResult",
    "Sizing",
    "build_scenario",
    "describe_position",
    "exact_ruin_curve",
    "leverage_warnings",
    "simulate",
    "theory",
    "wilson",
]

__version__ = "0.1.0"
