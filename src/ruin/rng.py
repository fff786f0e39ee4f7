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
from numba import njit, uint64

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
