"""The compiled kernels of the leveraged model (see :mod:`ruin.market.run` for which runs when)."""
