"""How much work a run is, before it runs: one estimate for the command line and the app.

A run's work is counted in *path-trades* (paths x trades: each is one trade booked on one
account path; a leveraged trade walks its price path inside the kernel but is still one
path-trade). The app refuses runs above :data:`APP_MAX_WORK`; ``ruin simulate`` and
``ruin odds`` refuse runs above :data:`CLI_MAX_WORK` unless ``--max-work`` raises the limit.
The driver runs paths in chunks of about :data:`CHUNK_SECONDS` each (sized by measured
work, not by a fixed number of paths), so Ctrl-C stops any run within about a second.
"""

from __future__ import annotations

from ..errors import ParameterError

__all__ = [
    "APP_MAX_WORK",
    "CLI_MAX_WORK",
    "CHUNK_SECONDS",
    "FIRST_CHUNK_WORK",
    "check_work",
    "format_seconds",
]

#: Path-trades the app's page will run (about a minute on 2 cores).
APP_MAX_WORK = 5_000_000_000
#: Path-trades ``ruin simulate`` / ``ruin odds`` run without ``--max-work`` (tens of minutes on
#: a laptop's cores).
CLI_MAX_WORK = 100_000_000_000
#: Seconds of kernel time the driver aims at per chunk (the longest wait for Ctrl-C).
CHUNK_SECONDS = 0.25
#: Path-trades of the first chunk, before any rate is measured.
FIRST_CHUNK_WORK = 1 << 21


def check_work(
    work: float,
    limit: float,
    *,
    name: str = "paths x trades",
    got: str | None = None,
    hint: str = "Use fewer paths or trades, or raise the limit with --max-work.",
) -> None:
    """Raise a :class:`~ruin.errors.ParameterError` when ``work`` is above ``limit``."""
    if work > limit:
        raise ParameterError(
            name,
            f"at most {limit:,.0f} path-trades (the work limit)",
            got if got is not None else f"{work:,.0f}",
            hint,
        )


def format_seconds(seconds: float) -> str:
    """``75 -> 'about 1 min'``: a rough duration for messages."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min"
    if seconds < 172800:
        return f"about {seconds / 3600:.1f} h"
    return f"about {seconds / 86400:.1f} days"
