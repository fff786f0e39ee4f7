"""One road for every parameter: the flat keys, their one check, precedence and conflicts.

A run is described everywhere by the same flat keys (``win_rate``, ``risk``, ``leverage``,
``tails`` ...): command-line flags (``--win-rate``), scenario and sweep TOML, share links, the
app's form and :func:`ruin.build_scenario`. This package holds, as data:

* :data:`KEYS`: every key, its kind, range or choices, default, help line, group and unit
  (:class:`Key`), with the one :meth:`Key.check` (typed values) and :meth:`Key.parse` (text);
  :data:`ODDS_KEYS` for one held position and :data:`PARTS` for the numbers inside
  ``garch`` / ``jumps``; :func:`check` for parameter objects, and the cross-value rules
  :func:`check_leverage`, :func:`check_mmr`, :func:`check_edge`;
* :data:`PRECEDENCE`: where a value can come from, lowest first (defaults < venue/asset
  presets < scenario file < its variant < explicit keys < command-line flags) and
  :func:`resolve`, which merges and checks the layers into a :class:`Flat` that knows which
  keys were *given*;
* :data:`CONFLICTS`: the combinations of given keys that are refused, each with one message
  naming both keys (:func:`check_conflicts`).

The help lines feed ``ruin simulate --help`` (:mod:`ruin.cli.simulate` builds its flags from
:data:`KEYS`) and the README's parameter table (:func:`markdown_table`).
"""

from __future__ import annotations

from .checks import check, check_edge, check_leverage, check_mmr
from .docs import conflicts_table, markdown_table, precedence_table
from .layers import CONFLICTS, LAYERS, PRECEDENCE, Flat, Rule, check_conflicts, merge, resolve
from .spec import OFF_WORDS, Group, Key, Kind, outcome_pairs
from .table import (
    GROUPS,
    KEYS,
    MAX_HORIZON_DAYS,
    MAX_LEVERAGE,
    MAX_PATHS,
    MAX_POSITIONS,
    MAX_SEED,
    MAX_TRADES,
    ODDS_KEYS,
    PARTS,
    defaults,
    group,
)

__all__ = [
    "CONFLICTS",
    "GROUPS",
    "KEYS",
    "LAYERS",
    "MAX_HORIZON_DAYS",
    "MAX_LEVERAGE",
    "MAX_PATHS",
    "MAX_POSITIONS",
    "MAX_SEED",
    "MAX_TRADES",
    "ODDS_KEYS",
    "OFF_WORDS",
    "PARTS",
    "PRECEDENCE",
    "Flat",
    "Group",
    "Key",
    "Kind",
    "Rule",
    "check",
    "check_conflicts",
    "check_edge",
    "check_leverage",
    "check_mmr",
    "conflicts_table",
    "defaults",
    "group",
    "markdown_table",
    "merge",
    "outcome_pairs",
    "precedence_table",
    "resolve",
]
