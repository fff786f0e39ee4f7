"""Sections of the Streamlit page ``app.py``: widgets and layout only.

Each module places one part of the page; every rule it shows comes from the library
(:mod:`ruin.form` for the inputs, :mod:`ruin.insights` for what a run means, :mod:`ruin.charts`
for the charts). ``app.py`` wires them in order. Nothing in ``src/ruin`` imports this package.

=================  ==========================================================
navigation         the page list: titles, URL paths, hidden when embedded
state              session state: link in, preset callbacks, form out, link out
runs               cached engine calls (warm-up, simulate, theory, risk sweep)
text               help texts shared by several sections
sidebar            the scenario inputs (leverage: :mod:`ui.leverage`; rules: :mod:`ui.rules`)
rules              the account-rule inputs (trailing drawdown, daily loss limit, days)
headline           headline metrics and plain-words warnings
distributions      equity fan, drawdown, final equity, survival, streaks
leverage           leverage inputs (sidebar) and the liquidation section
risk               the risk-per-trade sweep
theory             theory vs simulation
compare            pin A, compare with B on the same seed
share_export       share link, embed code, downloads
formulas           formulas and definitions
heap               the server's garbage collector (frozen once, no full GC per run)
=================  ==========================================================
"""
