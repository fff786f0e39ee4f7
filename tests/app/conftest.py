"""Compile (or load from numba's disk cache) the kernels the app uses once, before any
AppTest run: on a fresh clone compiling takes a minute or two, which must not count against
an AppTest script's timeout."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels():
    from ruin import market
    from ruin.params import Account, Bernoulli, Scenario, Sizing
    from ruin.simulate import simulate

    for rule in ("fractional", "fixed"):
        simulate(
            Scenario(
                model=Bernoulli(win_rate=0.5, payoff=1.5),
                sizing=Sizing(risk=0.01, rule=rule),
                account=Account(trades=4),
                paths=40,
                seed=0,
            ),
            record=2,
        )
    market.warm_up()
