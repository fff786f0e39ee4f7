"""The account rules' per-trade checks (ruin.engine.rules.after_trade / day_start): one
definition, in the documented order, for every walk that takes the rules."""

import math

from ruin.engine.rules import GOAL, STOP_NAMES, after_trade, day_start

INF = math.inf


def _check(x, peak=0.0, x_day=0.0, *, ruin=-INF, goal=INF, trail=0.0, lock=INF, day=0.0, end=False):
    # fractional sizing: x is log equity, so a fall from a peak is 1 - exp(x - peak)
    return after_trade(x, peak, x_day, True, 0.0, ruin, goal, trail, lock, day, end)


def test_codes_name_the_rule():
    assert STOP_NAMES[GOAL] == "goal"
    assert _check(0.0) == (0, False)
    assert _check(math.log(0.5), ruin=math.log(0.5)) == (1, False)
    assert _check(math.log(0.9), trail=0.1) == (2, False)  # exactly d below the peak
    assert _check(math.log(0.91), trail=0.1) == (0, False)
    assert _check(math.log(0.95), day=0.05, end=True) == (3, False)
    assert _check(math.log(0.95), day=0.05) == (0, True)  # pause the rest of the day


def test_order_ruin_then_trailing_then_daily_then_goal():
    x = math.log(0.5)
    assert _check(x, ruin=x, trail=0.1, day=0.05, end=True)[0] == 1
    assert _check(x, trail=0.1, day=0.05, end=True)[0] == 2
    # a pausing day that also reaches the goal: the goal ends the path, the pause is counted
    assert _check(0.0, x_day=math.log(1.2), day=0.1, goal=0.0) == (GOAL, True)


def test_lock_caps_the_peak_the_floor_trails():
    peak, lock = math.log(1.5), math.log(1.0 / 0.9)
    x = math.log(1.01)
    assert _check(x, peak, trail=0.1)[0] == 2  # 33% below the peak
    assert _check(x, peak, trail=0.1, lock=lock)[0] == 0  # floor locked at the start (1.0)
    assert _check(math.log(0.99), peak, trail=0.1, lock=lock)[0] == 2


def test_day_start_resets_on_a_days_first_slot():
    assert day_start(6, 3, 0.2, 0.1, True) == (0.2, False)
    assert day_start(7, 3, 0.2, 0.1, True) == (0.1, True)
