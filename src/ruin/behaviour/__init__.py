"""Behavioural and sizing rules: martingale, anti-martingale, drawdown cuts, win-rate doubt,
and exit rules (partial take-profit with a break-even stop, scale-in, no stop).

Two kinds of rule live here.

**State-dependent sizing and parameter uncertainty** run in a compiled kernel with per-path
state (:func:`run_behaviour`):

* ``martingale = m`` ("revenge" sizing): after each loss the risk is multiplied by ``m``;
  a win resets it to the base ``risk``. Losses L, L, W at 1% with m = 2 risk 1%, 2%, 4%.
* ``anti_martingale = a``: after each win the risk is multiplied by ``a``; a loss resets it.
* ``risk_cap``: the risk actually used is never above this fraction (default 1).
* ``drawdown_cut = X``: while the closed-trade drawdown from the peak is at least ``X``, the
  risk is multiplied by ``drawdown_factor`` (default 0.5, "halve risk in a drawdown").
* ``win_rate_sample = n``: the Bernoulli win rate was estimated from ``n`` trades; each path
  draws its own true win rate from the posterior Beta(w + 1, n - w + 1) with
  ``w = round(win_rate * n)`` wins (uniform prior). The draw comes from its own random stream
  (stream :data:`ruin.engine.streams.WIN_RATE`), so the trades of every path use exactly the same
  random numbers as the plain run: only the threshold they are compared with moves.

A loss is an outcome below 0 R, a win an outcome above 0 R (0 R leaves the multiplier as it
is). The rules combine multiplicatively: risk_t = min(risk_cap, base x streak multiplier x
drawdown factor). With every rule neutral the kernel reproduces the plain engine path for
path on the same seed.

**Exit rules** change the per-trade outcome distribution in R. They are derived exactly for
a trade whose price follows Brownian motion with constant drift between a stop at -1 (one
stop distance = 1 R) and a take-profit at ``payoff``: the drift is the one that makes
P(take-profit before stop) equal ``win_rate`` (two-barrier hitting formula, zero drift when
``win_rate = 1 / (1 + payoff)``); the rule then acts on that same price process and yields a
:class:`~ruin.params.Discrete` outcome model (:func:`exit_rule_model`). Costs (fees, funding)
and time stops are not modelled here; use the leveraged market model for those.

* ``partial_tp = t1`` (0 < t1 < payoff): close ``partial_fraction`` (default 0.5) of the
  position at +t1 R; with ``breakeven = true`` (default) move the stop of the rest to the
  entry price, otherwise leave it at -1. The rest exits at ``payoff`` or at the stop.
* ``scale_in_at = x`` (0 < x < 1): enter half the position, add the other half if price
  first falls x stop distances; same stop and target for both halves. R is the loss when
  the stop is hit with both halves on (so a full stop-out is still -1 R).
* ``no_stop = d`` (d >= 1): the stop is removed ("it'll come back"); the only exits are the
  take-profit and liquidation, d stop distances away, where ``liquidation_loss`` R is lost.
  d is the move to liquidation over the planned stop s: ``ruin liquidation``'s adverse move
  / s, for an isolated long at leverage L ``(1/L - mmr) / (1 - mmr) / s`` (a short:
  ``/ (1 + mmr)``). The default loss is d: a venue that returns what is left of the margin
  at the liquidation price, with no liquidation fee (Hyperliquid, dYdX and GMX less their
  fees: the leveraged model's ``fill`` rule). On a venue that closes at the bankruptcy
  price (Binance, Bybit: the ``margin`` rule) the whole margin is lost: ``liquidation_loss
  = (1/L) / s``. Costs are not modelled here.

Only one exit rule at a time, on a Bernoulli model; win-rate uncertainty needs the plain
Bernoulli model (it redraws P(win) per path).
"""

from typing import TYPE_CHECKING

from .._lazy import exports

# Public names load on first use (see ruin._lazy): importing a light submodule of this
# package does not import its kernels.
_WHERE = {
    "exit_rule_model": "ruin.behaviour.exits",
    "implied_drift": "ruin.behaviour.exits",
    "p_up": "ruin.behaviour.exits",
    "beta_draws": "ruin.behaviour.kernel",
    "run_behaviour": "ruin.behaviour.kernel",
    "BEHAVIOUR_KEYS": "ruin.behaviour.rules",
    "Behaviour": "ruin.behaviour.rules",
    "build_behaviour": "ruin.behaviour.rules",
    "behaviour_path_run": "ruin.behaviour.run",
}

if TYPE_CHECKING:
    from .exits import exit_rule_model, implied_drift, p_up
    from .kernel import beta_draws, run_behaviour
    from .rules import BEHAVIOUR_KEYS, Behaviour, build_behaviour
    from .run import behaviour_path_run

__getattr__, __dir__ = exports(__name__, _WHERE, globals())

__all__ = [
    "Behaviour",
    "BEHAVIOUR_KEYS",
    "build_behaviour",
    "behaviour_path_run",
    "exit_rule_model",
    "implied_drift",
    "p_up",
    "run_behaviour",
    "beta_draws",
]
