"""Counter-keyed random streams for the compiled kernels.

Every path gets its own xoshiro256** stream, seeded by splitmix64 from
``(key0, key1, stream_index)`` where the two 64-bit keys come from
``numpy.random.SeedSequence(seed)``. A path's numbers therefore depend only on the seed and
the path's index: results are bit-identical whatever the thread count, chunking or order.

The functions here are numba ``njit`` helpers inlined into the kernels; the state is a small
``uint64[4]`` array per path (kept in registers by LLVM after inlining).
"""

from __future__ import annotations

import math

import numpy as np
from numba import int64, njit, uint64

__all__ = ["seed_keys", "resolve_seed"]

_GOLDEN = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53


def resolve_seed(seed: int | None) -> int:
    """Return ``seed``, or draw a fresh one from OS entropy (63 bits, so it prints nicely)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
    return int(seed)


def seed_keys(seed: int, *spawn_key: int) -> tuple[np.uint64, np.uint64]:
    """Two 64-bit keys for ``seed`` (and an optional spawn key, e.g. a sweep cell index)."""
    st = np.random.SeedSequence(seed, spawn_key=tuple(spawn_key)).generate_state(2, np.uint64)
    return np.uint64(st[0]), np.uint64(st[1])


@njit(inline="always", cache=True)
def _splitmix(x):
    z = x + _GOLDEN
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return z ^ (z >> uint64(31))


@njit(inline="always", cache=True)
def stream_init(key0, key1, index, state):
    """Seed ``state`` (uint64[4]) for stream ``index`` under keys (key0, key1)."""
    x = _splitmix(key0 ^ _splitmix(uint64(index) * _GOLDEN + key1))
    for i in range(4):
        x = _splitmix(x + uint64(i))
        state[i] = x
    if state[0] == 0 and state[1] == 0 and state[2] == 0 and state[3] == 0:
        state[0] = _GOLDEN


@njit(inline="always", cache=True)
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(inline="always", cache=True)
def next_u64(s):
    """xoshiro256** step (Blackman & Vigna)."""
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(inline="always", cache=True)
def next_double(s):
    """Uniform double in [0, 1) with 53 random bits."""
    return float(next_u64(s) >> uint64(11)) * _TO_DOUBLE


@njit(inline="always", cache=True)
def seed4(key0, key1, index):
    """Scalar form of :func:`stream_init`: returns the four state words."""
    x = _splitmix(key0 ^ _splitmix(uint64(index) * _GOLDEN + key1))
    s0 = _splitmix(x + uint64(0))
    s1 = _splitmix(s0 + uint64(1))
    s2 = _splitmix(s1 + uint64(2))
    s3 = _splitmix(s2 + uint64(3))
    if s0 == 0 and s1 == 0 and s2 == 0 and s3 == 0:
        s0 = _GOLDEN
    return s0, s1, s2, s3


@njit(inline="always", cache=True)
def step4(s0, s1, s2, s3):
    """Scalar xoshiro256** step: returns (output, s0, s1, s2, s3)."""
    result = _rotl(s1 * uint64(5), 7) * uint64(9)
    t = s1 << uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(inline="always", cache=True)
def next_normal(s):
    """Standard normal by the polar-free Box-Muller transform (one normal per call)."""
    u1 = 1.0 - next_double(s)  # (0, 1]
    u2 = next_double(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# --------------------------------------------------------------------------------------
# Ziggurat normal and exponential variates (Marsaglia & Tsang 2000, 256 layers), on the
# scalar stream state of :func:`step4`. Each 64-bit draw is split into independent bits
# (Doornik 2005): the low 8 bits pick the layer, bit 8 the sign, the top 53 bits the
# uniform, so the layer and the value are not correlated. About 99% of draws take the fast
# path (one draw, one table lookup, one multiply); the rest use the exact wedge / tail tests.
# --------------------------------------------------------------------------------------


def _zig_tables(r: float, v: float, f, finv) -> tuple[np.ndarray, np.ndarray]:
    """Layer edges ``x[0..256]`` (``x[0] = v / f(r)``, ``x[1] = r``, ``x[256] = 0``) and
    ``f(x)`` for a 256-layer ziggurat of equal areas ``v`` under the decreasing ``f``."""
    x = np.empty(257)
    x[0] = v / f(r)
    x[1] = r
    for i in range(2, 256):
        x[i] = finv(v / x[i - 1] + f(x[i - 1]))
    x[256] = 0.0
    return x, np.array([f(t) for t in x])


_ZN_R = 3.6541528853610088
_ZN_X, _ZN_F = _zig_tables(
    _ZN_R,
    0.00492867323399,
    lambda t: math.exp(-0.5 * t * t),
    lambda y: math.sqrt(-2.0 * math.log(y)),
)
_ZE_R = 7.69711747013104972
_ZE_X, _ZE_F = _zig_tables(
    _ZE_R, 0.0039496598225815571993, lambda t: math.exp(-t), lambda y: -math.log(y)
)


@njit(inline="always", cache=True)
def _u53(w):
    """Uniform double in [0, 1) from the top 53 bits of ``w`` (a signed conversion: one
    instruction, where an unsigned 64-bit one is several)."""
    return float(int64(w >> uint64(11))) * _TO_DOUBLE


@njit(cache=True)
def _zig_normal_slow(i, z, sgn, s0, s1, s2, s3):
    """The rare part of :func:`zig_normal` (about 1.5% of draws): the wedge test of layer
    ``i`` for ``|z|``, the tail beyond R, and on rejection a fresh draw. Not inlined, so the
    kernels that inline the fast path stay small (and quick to compile)."""
    while True:
        if i == 0:  # the tail beyond R (Marsaglia 1964)
            while True:
                w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                a = -math.log(1.0 - _u53(w)) / _ZN_R
                w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
                b = -math.log(1.0 - _u53(w))
                if b + b >= a * a:
                    return sgn * (_ZN_R + a), s0, s1, s2, s3
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        if _ZN_F[i + 1] + _u53(w) * (_ZN_F[i] - _ZN_F[i + 1]) < math.exp(-0.5 * z * z):
            return sgn * z, s0, s1, s2, s3
        # rejected: a fresh draw
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        i = int(w & uint64(0xFF))
        u = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0
        z = u * _ZN_X[i]
        sgn = 1.0 if u >= 0.0 else -1.0
        if abs(z) < _ZN_X[i + 1]:
            return z, s0, s1, s2, s3
        z = abs(z)


@njit(inline="always", cache=True)
def zig_normal(s0, s1, s2, s3):
    """Standard normal variate (ziggurat); returns ``(z, s0, s1, s2, s3)``.

    The fast path (one draw, a table lookup, a multiply and a compare) is inlined; the rest
    is :func:`_zig_normal_slow`.
    """
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    i = int(w & uint64(0xFF))
    # top bit = sign, the next 52 bits the magnitude: u uniform in [-1, 1)
    u = float(int64(w) >> int64(11)) * _TO_DOUBLE * 2.0
    z = u * _ZN_X[i]
    if abs(z) < _ZN_X[i + 1]:
        return z, s0, s1, s2, s3
    return _zig_normal_slow(i, abs(z), 1.0 if u >= 0.0 else -1.0, s0, s1, s2, s3)


@njit(cache=True)
def _zig_exponential_slow(i, z, s0, s1, s2, s3):
    """The rare part of :func:`zig_exponential`: tail (memoryless: R plus a fresh
    variate), wedge test, and fresh draws on rejection. Not inlined."""
    extra = 0.0
    while True:
        if i == 0:
            extra += _ZE_R
        else:
            w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
            if _ZE_F[i + 1] + _u53(w) * (_ZE_F[i] - _ZE_F[i + 1]) < math.exp(-z):
                return extra + z, s0, s1, s2, s3
        w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
        i = int(w & uint64(0xFF))
        z = _u53(w) * _ZE_X[i]
        if z < _ZE_X[i + 1]:
            return extra + z, s0, s1, s2, s3


@njit(inline="always", cache=True)
def zig_exponential(s0, s1, s2, s3):
    """Exponential(1) variate (ziggurat); returns ``(e, s0, s1, s2, s3)``. Fast path
    inlined, the rest in :func:`_zig_exponential_slow`."""
    w, s0, s1, s2, s3 = step4(s0, s1, s2, s3)
    i = int(w & uint64(0xFF))
    z = _u53(w) * _ZE_X[i]
    if z < _ZE_X[i + 1]:
        return z, s0, s1, s2, s3
    return _zig_exponential_slow(i, z, s0, s1, s2, s3)


@njit(cache=True)
def _zig_fill(key0, key1, n, which):
    """``n`` variates from stream 0 (tests): normals (``which`` 0) or exponentials (1)."""
    s0, s1, s2, s3 = seed4(key0, key1, 0)
    out = np.empty(n)
    for k in range(n):
        if which == 0:
            out[k], s0, s1, s2, s3 = zig_normal(s0, s1, s2, s3)
        else:
            out[k], s0, s1, s2, s3 = zig_exponential(s0, s1, s2, s3)
    return out
