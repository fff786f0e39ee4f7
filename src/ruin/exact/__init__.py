"""Exact answers beside the simulation: closed forms and lattice dynamic programmes.

Everything here uses the account semantics of :mod:`ruin.engine` (see :mod:`ruin.params`):
outcomes in R, ruin when closed-trade equity <= ``ruin_level`` x start after a trade
(absorbing, inclusive, relative tolerance :data:`ruin.engine.TOL` on the barrier), goal when
equity >= ``goal`` x start (absorbing), fixed stakes floored at 0, fractional sizing
multiplying equity by ``1 - risk`` or ``1 + payoff * risk``.

Contents (every name is importable from ``ruin.exact``)
-------------------------------------------------------
* :mod:`~ruin.exact.closed_form` -- gambler's ruin with unit stakes (payoff 1, fixed stake):
  :func:`gamblers_ruin`, :func:`gamblers_ruin_duration` (finite and infinite target, fair
  and unfair game); fixed stake, payoff ``b``, infinite horizon: :func:`fixed_stake_root`
  (root of ``p x^(b+1) - x + q = 0``) and :func:`fixed_stake_ruin` (``x^units``).
* :mod:`~ruin.exact.growth` -- Kelly and log growth: :func:`kelly_fraction`,
  :func:`log_growth`, :func:`kelly_fraction_discrete`, :func:`log_growth_discrete`.
* :mod:`~ruin.exact.lattice` -- two-point lattice DP (:func:`lattice_dp`), exact for both
  sizings and any payoff: after t trades with w wins the state is ``x = w*A + (t-w)*C``
  (fixed: ``A = b, C = -1`` in R; fractional: ``A = log(1+b f), C = log(1-f)``), so O(N^2)
  (t, w) states carry P(ruin by t), P(goal by t) and the final-equity distribution; fixed
  stakes with discrete (or i.i.d. bootstrap) outcomes on a lattice of 1/k R:
  :func:`discrete_lattice_dp`.
* :mod:`~ruin.exact.drawdown` -- P(max drawdown >= X): :func:`drawdown_exceedance_exact`
  (drawdown chain for fractional sizing; joint (peak, drawdown) lattice for fixed stakes with
  rational payoff) and :func:`discrete_drawdown_exceedance_exact`.
* :mod:`~ruin.exact.trailing` -- ruin under a trailing drawdown (:mod:`ruin.rules`):
  :func:`trailing_drawdown_exact` (the drawdown chains above, absorbed at the floor).
* :mod:`~ruin.exact.approximations` -- popular approximations, labelled as such:
  :func:`approximations`, :data:`APPROXIMATION_NOTES`.
* :mod:`~ruin.exact.table` -- :func:`theory` (what exists for a scenario, the ``theory`` key
  of the CLI JSON) and :func:`exact_ruin_curve` (P(ruined by trade t), t = 0..N, for the
  survival chart).

The Bernoulli model in the engine draws a win when a 32-bit uniform is below
``round(p * 2**32)``, so its win rate differs from ``p`` by at most 2**-33; exact answers
here use ``p`` itself.
"""

from __future__ import annotations

from .approximations import APPROXIMATION_NOTES, approximations
from .closed_form import (
    fixed_stake_root,
    fixed_stake_ruin,
    gamblers_ruin,
    gamblers_ruin_duration,
    ruin_units,
)
from .drawdown import DD_ALLOWANCE, discrete_drawdown_exceedance_exact, drawdown_exceedance_exact
from .growth import kelly_fraction, kelly_fraction_discrete, log_growth, log_growth_discrete
from .lattice import MAX_DP_TRADES, LatticeResult, discrete_lattice_dp, lattice_dp
from .table import THEORY_DD_BUDGET, closed_forms, exact_ruin_curve, theory
from .trailing import trailing_drawdown_exact

__all__ = [
    "gamblers_ruin",
    "gamblers_ruin_duration",
    "fixed_stake_root",
    "fixed_stake_ruin",
    "ruin_units",
    "kelly_fraction",
    "log_growth",
    "kelly_fraction_discrete",
    "log_growth_discrete",
    "LatticeResult",
    "lattice_dp",
    "drawdown_exceedance_exact",
    "discrete_lattice_dp",
    "discrete_drawdown_exceedance_exact",
    "trailing_drawdown_exact",
    "approximations",
    "APPROXIMATION_NOTES",
    "exact_ruin_curve",
    "theory",
    "closed_forms",
    "MAX_DP_TRADES",
    "DD_ALLOWANCE",
    "THEORY_DD_BUDGET",
]
