"""Start-up: commands that need no kernel import no numba; the compile steps of a scenario.

No timing is asserted (the machine is shared); ``benchmarks/bench_startup.py`` measures.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from ruin import build_scenario, warmup


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return out.stdout.strip()


def test_import_ruin_imports_no_numba_polars_or_llvmlite():
    code = (
        "import sys, ruin, ruin.cli\n"
        "print(sorted(m for m in ('numba', 'llvmlite', 'polars', 'scipy') if m in sys.modules))"
    )
    assert _run(code) == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["liquidation", "--entry", "60000", "--leverage", "20", "--mmr", "0.005"],
        [
            "size",
            "--capital",
            "1e4",
            "--risk",
            "0.01",
            "--stop",
            "0.02",
            "--leverage",
            "10",
            "--mmr",
            "0.005",
        ],
        ["funding", "--rate", "0.0001", "--interval-hours", "8", "--hours", "72"],
    ],
)
def test_calculators_never_import_numba(argv):
    code = (
        "import sys, contextlib, io\n"
        "from ruin.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({argv!r})\n"
        "print(rc, 'numba' in sys.modules)"
    )
    assert _run(code) == "0 False"


def test_public_names_load_on_use():
    import ruin

    assert callable(ruin.simulate) and ruin.simulate.__module__ == "ruin.simulate"
    import ruin.simulate  # noqa: F401 - the submodule does not hide the function

    module = sys.modules["ruin.simulate"]
    assert callable(ruin.simulate) and module.simulate is ruin.simulate
    assert ruin.market.__name__ == "ruin.market"  # submodules as attributes, as before
    with pytest.raises(AttributeError):
        ruin.no_such_name  # noqa: B018
    assert set(ruin.__all__) <= set(dir(ruin))


@pytest.mark.parametrize(
    ("flat", "labels"),
    [
        (
            {},
            [
                "account kernel (Bernoulli, fractional stakes)",
                "recorded paths for charts (Bernoulli)",
                "exact drawdown odds (theory table)",
            ],
        ),
        (
            {"sizing": "fixed"},
            [
                "account kernel (Bernoulli, fixed stakes)",
                "recorded paths for charts (Bernoulli)",
                "exact drawdown odds (theory table)",
            ],
        ),
        (
            {
                "leverage": 10,
                "stop": 0.02,
                "take_profit": 0.04,
                "win_rate": 0.5,
                "tails": "t:4",
                "garch": True,
            },
            [
                "leveraged model: price paths (16 lanes)",
                "recorded price paths: price paths (one position)",
            ],
        ),
    ],
)
def test_steps_name_what_compiles(flat, labels):
    sc = build_scenario({"paths": 1000, "trades": 100, **flat})
    assert [s.label for s in warmup.steps(sc)] == labels


def test_account_rule_steps_name_the_rules_walk_and_leave_the_scenario_warm():
    # an account-rules run walks its paths (charts included) with the rules kernel; the
    # steps once named the plain engine's kernels, which the run never loads, so the
    # scenario never looked warm and `ruin warmup` never found those steps cached
    sc = build_scenario(
        {"paths": 1000, "trades": 60, "trailing_drawdown": 0.1, "daily_loss_limit": 0.05}
    )
    todo = warmup.steps(sc)
    assert [s.label for s in todo] == [
        "account kernel (account rules)",
        "recorded paths (account rules)",
    ]
    for step in todo:
        step()
        assert step.loaded() and step.is_warm()
    assert warmup.is_warm(sc)


def test_steps_compile_and_then_the_scenario_is_warm():
    sc = build_scenario({"paths": 1000, "trades": 100, "win_rate": 0.4, "payoff": 2.0})
    todo = warmup.steps(sc)
    for step in todo:
        step()
        assert step.loaded() and step.is_warm()
        step()  # a no-op once loaded
    assert warmup.is_warm(sc)
    # another process finds the kernels in numba's disk cache without compiling
    code = (
        "from ruin import build_scenario, warmup\n"
        "sc = build_scenario({'paths': 1000, 'trades': 100, 'win_rate': 0.4, 'payoff': 2.0})\n"
        "print(warmup.is_warm(sc), any(s.loaded() for s in warmup.steps(sc)))"
    )
    assert _run(code) == "True False"


def test_fast_steps_add_the_lanes_kernel_first():
    sc = build_scenario({"paths": 1000, "trades": 100})
    labels = [s.label for s in warmup.steps(sc, fast=True)]
    assert labels[0] == "fast account kernel (Bernoulli, fractional stakes, 16 lanes)"
    assert labels[1:] == [s.label for s in warmup.steps(sc)]


def test_small_bernoulli_runs_wait_for_no_lanes_compile(monkeypatch):
    from ruin.engine import kernels

    monkeypatch.setattr(kernels, "_LANES_READY", {})
    monkeypatch.setattr(kernels, "dispatcher_warm", lambda d: False)
    assert not kernels.use_lanes(kernels.MODEL_TWO_POINT, True, 10_000 * 500)
    assert kernels.use_lanes(kernels.MODEL_TWO_POINT, True, kernels.LANES_MIN_WORK)
    assert kernels.use_lanes(kernels.MODEL_TWO_POINT, True, 1)  # compiled by the big call
    assert not kernels.use_lanes(kernels.MODEL_ALIAS, True, kernels.LANES_MIN_WORK)


def test_a_second_process_compiles_nothing():
    # numba keys its disk cache on the pickled closure variables of a kernel; a captured
    # dispatcher pickles differently in every process, and the kernel was compiled again on
    # every run. With NUMBA_DEBUG_CACHE numba reports each kernel it saves.
    import os

    code = (
        "from ruin import build_scenario, simulate\n"
        "simulate(build_scenario({'paths': 200, 'trades': 20, 'seed': 3}), record=0)\n"
    )
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1"}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env
        )
        assert out.returncode == 0, out.stderr
    assert "data saved" not in out.stdout + out.stderr


# --------------------------------------------------------------------------- ruin warmup


def test_catalog_holds_every_step_of_every_preset_and_lesson_once():
    from ruin.studies.scenarios import list_scenarios

    cat = warmup.catalog()
    keys = [(s.label, warmup._ids(s)) for s in cat]
    assert len(keys) == len(set(keys))  # each step once
    assert {s.label for s in cat} >= {
        "fast account kernel (Bernoulli, fractional stakes, 16 lanes)",
        "fast account kernel (Bernoulli, fixed stakes, 16 lanes)",
    }
    for sf in list_scenarios():
        for name in [None] + [v for v, _ in sf.variants]:
            for step in warmup.steps(sf.build(variant=name)):
                assert (step.label, warmup._ids(step)) in keys, (sf.name, name, step.label)
    # the heaviest kernels (leveraged price paths) come first, to spread them over processes
    assert "price paths" in cat[0].label


def test_steps_sharing_a_kernel_run_in_one_process_in_order():
    class Fake:
        def __init__(self, *kernels):
            self._k = kernels

        def kernels(self):
            return self._k

    a, b, c, d = object(), object(), object(), object()
    todo = [(0, Fake(a)), (1, Fake(b)), (2, Fake(a, c)), (3, Fake(d)), (4, Fake(c))]
    assert warmup._groups(todo) == [(0, 2, 4), (1,), (3,)]
    # a step sharing kernels with two groups joins them into one
    todo = [(0, Fake(a)), (1, Fake(b)), (2, Fake(c)), (3, Fake(a, b))]
    assert warmup._groups(todo) == [(0, 1, 3), (2,)]


def test_warmup_command_names_a_bad_job_count(capsys):
    from ruin.cli import main

    assert main(["warmup", "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "jobs" in err and ">= 1" in err and "0" in err
    assert "Traceback" not in err
