"""Counter-keyed xoshiro256** streams: keyed by (seed, index), scalar and array forms agree."""

import numpy as np
import pytest
from numba import njit

from ruin.engine.rng import (
    next_double,
    next_normal,
    next_u64,
    resolve_seed,
    seed4,
    seed_keys,
    step4,
    stream_init,
)


@njit(cache=True)
def _scalar_stream(k0, k1, index, n):
    out = np.empty(n, np.uint64)
    s0, s1, s2, s3 = seed4(k0, k1, index)
    for j in range(n):
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        out[j] = w
    return out


@njit(cache=True)
def _array_stream(k0, k1, index, n):
    out = np.empty(n, np.uint64)
    s = np.empty(4, np.uint64)
    stream_init(k0, k1, index, s)
    for j in range(n):
        out[j] = next_u64(s)
    return out


@njit(cache=True)
def _doubles(k0, k1, index, n):
    s = np.empty(4, np.uint64)
    stream_init(k0, k1, index, s)
    u = np.empty(n)
    z = np.empty(n)
    for j in range(n):
        u[j] = next_double(s)
    for j in range(n):
        z[j] = next_normal(s)
    return u, z


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & (2**64 - 1)


def _reference_xoshiro(state, n):
    """Pure-Python xoshiro256** (Blackman & Vigna) as the definition to check against."""
    s = [int(v) for v in state]
    mask = 2**64 - 1
    out = []
    for _ in range(n):
        out.append((_rotl((s[1] * 5) & mask, 7) * 9) & mask)
        t = (s[1] << 17) & mask
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
    return out


@njit(cache=True)
def _state(k0, k1, index):
    s = np.empty(4, np.uint64)
    stream_init(k0, k1, index, s)
    return s


def test_array_form_equals_scalar_form():
    k0, k1 = seed_keys(123)
    for index in (0, 1, 7, 2**40 + 3):
        a = _scalar_stream(k0, k1, index, 50)
        b = _array_stream(k0, k1, index, 50)
        np.testing.assert_array_equal(a, b)


def test_generator_is_xoshiro256starstar():
    k0, k1 = seed_keys(5)
    st = _state(k0, k1, 3)
    got = [int(v) for v in _array_stream(k0, k1, 3, 20)]
    assert got == _reference_xoshiro(st, 20)


def test_streams_differ_by_index_and_seed():
    k0, k1 = seed_keys(1)
    firsts = {int(_scalar_stream(k0, k1, i, 1)[0]) for i in range(1000)}
    assert len(firsts) == 1000
    a = _scalar_stream(k0, k1, 0, 8)
    c0, c1 = seed_keys(2)
    assert not np.array_equal(a, _scalar_stream(c0, c1, 0, 8))
    s0, s1 = seed_keys(1, 7)  # spawn key: another independent family
    assert not np.array_equal(a, _scalar_stream(s0, s1, 0, 8))


def test_same_seed_same_stream():
    np.testing.assert_array_equal(
        _scalar_stream(*seed_keys(9), 4, 10), _scalar_stream(*seed_keys(9), 4, 10)
    )


def test_doubles_in_unit_interval_and_normals_plausible():
    u, z = _doubles(*seed_keys(3), 0, 20_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * np.sqrt(1 / 12 / u.size)
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2 / z.size)


def test_resolve_seed():
    assert resolve_seed(17) == 17
    s = resolve_seed(None)
    assert isinstance(s, int) and 0 <= s < 2**63


def test_ziggurat_normal_and_exponential_match_their_distributions():
    # 400k draws each: Kolmogorov-Smirnov against the exact CDF, moments, and the rate of the
    # slow paths (the normal tail beyond R = 3.654 and the exponential tail beyond 7.697)
    from scipy import stats

    from ruin.engine.rng import _ZE_R, _ZN_R, _zig_fill

    k0, k1 = seed_keys(2026)
    n = 400_000
    z = _zig_fill(k0, k1, n, 0)
    e = _zig_fill(k0, k1, n, 1)
    assert stats.kstest(z, stats.norm.cdf).pvalue > 1e-3
    assert stats.kstest(e, stats.expon.cdf).pvalue > 1e-3
    assert abs(z.mean()) < 4 / np.sqrt(n) and abs(z.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(e.mean() - 1) < 4 / np.sqrt(n)
    for frac, p in (
        (np.mean(np.abs(z) > _ZN_R), 2 * stats.norm.sf(_ZN_R)),
        (np.mean(e > _ZE_R), stats.expon.sf(_ZE_R)),
    ):
        assert abs(frac - p) < 4 * np.sqrt(p / n) + 1 / n
    assert np.mean(z > 0) == pytest.approx(0.5, abs=4 * 0.5 / np.sqrt(n))
