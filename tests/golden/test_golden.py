"""Golden regression: every case's output equals the recorded one bit for bit.

A failure names the case and the first differing key. If numbers moved on purpose,
regenerate (``python tests/golden/regenerate.py``) in the same commit and say which cases
moved and why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from . import cases, record

GOLDEN = json.loads((Path(__file__).resolve().parent / "golden.json").read_text())


def _first_difference(a: Any, b: Any, where: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}/{key}: only in {'recorded' if key in a else 'new'}"
            diff = _first_difference(a[key], b[key], f"{where}/{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = _first_difference(x, y, f"{where}[{i}]")
            if diff:
                return diff
        return None
    return None if a == b and type(a) is type(b) else f"{where}: recorded {a!r}, now {b!r}"


def test_golden_covers_every_case():
    assert set(GOLDEN["simulate"]) == set(cases.SIMULATE)
    assert set(GOLDEN["commands"]) == set(cases.COMMANDS)


@pytest.mark.parametrize("name", sorted(cases.SIMULATE))
def test_simulate_case_is_bit_identical(name):
    now = json.loads(json.dumps(record.simulate_case(name)))
    diff = _first_difference(GOLDEN["simulate"][name], now)
    assert diff is None, f"{name}: {diff}"


@pytest.mark.parametrize("name", sorted(cases.COMMANDS))
def test_command_case_is_bit_identical(name):
    now = json.loads(json.dumps(record.command_case(name)))
    diff = _first_difference(GOLDEN["commands"][name], now)
    assert diff is None, f"{name}: {diff}"
