"""The one table of random streams: every spawn key used by a kernel in the project.

A run's seed is turned into two 64-bit stream keys by ``numpy.random.SeedSequence(seed,
spawn_key=...)`` (:func:`ruin.engine.rng.seed_keys`); path ``i`` then draws from the
counter-keyed stream ``(key0, key1, i)``. A kernel that needs numbers independent of another
kernel's uses another spawn key, listed here; changing a key changes every result of the
streams that use it (the golden regression test would say so).

=============  ============  ===============================================================
stream         spawn key     used by
=============  ============  ===============================================================
``TRADES``     ``()``        the i.i.d. account kernels (Bernoulli, discrete outcomes,
                             bootstrap) and the behaviour kernel, which draws its trades as
                             the plain engine does (same numbers path by path)
``WIN_RATE``   ``(0xBE7A,)`` each path's own win rate when the win rate was measured on a
                             sample (Beta draws; independent of the trade streams)
``MARKET``     ``(1,)``      the leveraged model's price paths (every kernel of
                             :mod:`ruin.market`, and the engine's Bernoulli kernel when it
                             runs exact-exit trades for the market model)
``PASSAGE``    ``()``        ``ruin odds``'s Monte Carlo of one held position
                             (:func:`ruin.odds.simulate_passage`); shares the root key with
                             ``TRADES``: the two never run in one simulation
=============  ============  ===============================================================

Sweeps do not draw numbers themselves: each cell gets its own *seed* from
``SeedSequence(sweep_seed, spawn_key=<SHA-256 words of the cell's coordinates>)``
(:func:`ruin.sweep.cell_seed`), and the cell's run then uses the streams above.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .rng import seed_keys

__all__ = ["Stream", "TRADES", "WIN_RATE", "MARKET", "PASSAGE", "STREAMS", "stream_keys"]


class Stream(NamedTuple):
    """A family of per-path random streams: its spawn key and what draws from it."""

    name: str
    spawn_key: tuple[int, ...]
    used_by: str


TRADES = Stream("trades", (), "i.i.d. account kernels and the behaviour kernel")
WIN_RATE = Stream("win_rate", (0xBE7A,), "per-path win rate of win_rate_sample (Beta)")
MARKET = Stream("market", (1,), "leveraged price paths (every ruin.market kernel)")
PASSAGE = Stream("passage", (), "ruin odds Monte Carlo of one held position")

#: Every stream, by name.
STREAMS = {s.name: s for s in (TRADES, WIN_RATE, MARKET, PASSAGE)}


def stream_keys(seed: int, stream: Stream) -> tuple[np.uint64, np.uint64]:
    """The two 64-bit keys of ``stream`` under ``seed`` (path ``i`` draws stream ``i``)."""
    return seed_keys(seed, *stream.spawn_key)
