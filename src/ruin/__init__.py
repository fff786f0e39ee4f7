"""ruin: Monte Carlo risk of ruin for leveraged trading, with exact answers beside it.

The public API, listed in ``__all__``. Every trade model yields per-trade outcomes in R (the
amount risked); one compiled account engine applies sizing, ruin, goal and drawdown.
"""

from . import _vector_width  # noqa: F401, I001 - must run before numba is imported
from ._numba_cache import clear_if_sources_changed
from .behaviour import Behaviour
from .config import build_scenario
from .errors import ParameterError
from .exact import exact_ruin_curve, theory
from .market import LeveragedTrade, describe_position, leverage_warnings
from .metrics import Proportion, wilson
from .params import Account, Bernoulli, Bootstrap, Discrete, Scenario, Sizing
from .simulate import SimulationResult, simulate

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

# Importing compiles or loads no kernel (numba does that at a kernel's first call), so this
# still runs before any cached kernel is loaded: it drops the cache if a source changed.
clear_if_sources_changed()
