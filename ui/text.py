"""Help texts of the page's inputs (shown as tooltips)."""

from ruin.tradefile import MAX_FILE_BYTES

HELP = {
    "preset": (
        "Ready-made scenarios that each teach one lesson. Picking one overwrites the "
        "inputs below (the seed stays)."
    ),
    "win_rate": "Share of trades that win. A loss costs 1R (the amount risked).",
    "payoff": (
        "How many R a winning trade makes (reward:risk). 1.5 means a win pays 1.5× "
        "what a loss costs."
    ),
    "risk": "Share of equity put at risk on each trade (1R). 2% is a common rule of thumb.",
    "sizing": (
        "Fractional: risk a % of *current* equity (bets shrink after losses). Fixed: "
        "risk a % of *starting* equity every time (bets never shrink)."
    ),
    "trades": "How many trades each simulated account takes.",
    "paths": "How many accounts to simulate. More paths = narrower 95% intervals.",
    "seed": (
        "The random seed. Same seed + same inputs = exactly the same numbers, so a "
        "link reproduces a run. Change it to see a different random sample."
    ),
    "ruin_level": (
        "An account counts as ruined when equity falls to this % of the start "
        "(0% = completely bust). Ruin is permanent: that account stops trading."
    ),
    "goal": "Optional: stop trading once equity reaches this multiple of the start (0 = no goal).",
    "log": "A log scale shows doubling and halving as equal steps.",
    "upload": (
        "A CSV with a column 'r' (each trade's result in R) or 'return' (each trade's "
        "return on equity, 0.012 = +1.2%). Trades are resampled instead of using the "
        f"win-rate model. At most {MAX_FILE_BYTES // 2**20} MiB."
    ),
}
