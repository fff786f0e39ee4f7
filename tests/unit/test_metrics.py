"""Summary statistics: Wilson intervals, quantile conventions, survival, exceedance."""

import math

import numpy as np
import pytest

from ruin.metrics import exceedance, percentile_bands, quantiles, survival_curve, wilson


def test_wilson_known_values():
    p = wilson(50, 100)
    assert p.estimate == 0.5
    assert round(p.ci_low, 4) == 0.4038 and round(p.ci_high, 4) == 0.5962
    # formula by hand for 3 / 40
    z = 1.959963984540054
    n, ph = 40, 3 / 40
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    q = wilson(3, 40)
    assert q.ci_low == pytest.approx(centre - half, rel=1e-12)
    assert q.ci_high == pytest.approx(centre + half, rel=1e-12)


def test_wilson_edges():
    zero = wilson(0, 1000)
    assert zero.estimate == 0.0 and zero.ci_low == 0.0 and 0.0 < zero.ci_high < 0.01
    full = wilson(1000, 1000)
    assert full.ci_high == 1.0 and 0.99 < full.ci_low < 1.0
    empty = wilson(0, 0)
    assert math.isnan(empty.estimate) and (empty.ci_low, empty.ci_high) == (0.0, 1.0)
    assert wilson(25, 100).std_error == pytest.approx(math.sqrt(0.25 * 0.75 / 100))
    assert set(wilson(1, 2).as_dict()) == {"estimate", "ci_low", "ci_high"}


def test_quantiles_median_and_inverted_cdf():
    v = np.array([4.0, 1.0, 3.0, 2.0])
    q = quantiles(v, (0.5, 0.25, 0.9, 0.99))
    assert q["0.5"] == 2.5  # np.median interpolates
    assert q["0.25"] == 1.0  # inverted_cdf: a value that occurred
    assert q["0.9"] == 4.0 and q["0.99"] == 4.0
    assert all(math.isnan(x) for x in quantiles(np.array([]), (0.5, 0.9)).values())


def test_survival_curve():
    rt = np.array([-1, 2, 2, 5, -1])
    s = survival_curve(rt, 5)
    np.testing.assert_allclose(s, [1.0, 1.0, 0.6, 0.6, 0.6, 0.4])
    np.testing.assert_array_equal(survival_curve(np.array([-1, -1]), 3), [1, 1, 1, 1])


def test_exceedance_is_inclusive():
    v = np.array([0.1, 0.2, 0.2, 0.5])
    np.testing.assert_allclose(
        exceedance(v, np.array([0.0, 0.2, 0.21, 0.5, 0.6])), [1.0, 0.75, 0.25, 0.25, 0.0]
    )


def test_percentile_bands_per_trade():
    eq = np.array([[1.0, 1.1, 1.2], [1.0, 0.9, 0.8], [1.0, 1.0, 1.0]])
    b = percentile_bands(eq, (0.05, 0.5, 0.95))
    np.testing.assert_array_equal(b["0.5"], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(b["0.05"], [1.0, 0.9, 0.8])
    np.testing.assert_array_equal(b["0.95"], [1.0, 1.1, 1.2])
