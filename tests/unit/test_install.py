"""A real, non-editable install: ``pip install .`` into a fresh virtual environment, then the
``ruin`` command lists every built-in preset and lesson and runs one.

The wheel is built from this checkout and installed without its dependencies (``--no-deps``);
those come from this project's environment through a ``.pth`` file holding the path of its
site-packages. A plain path line adds that folder to ``sys.path`` without processing the
``.pth`` files inside it, so the project's own editable ``ruin`` (a ``.pth`` pointing at
``src/``) does not leak in: the test checks that ``ruin`` and its presets are imported from
the fresh environment. The run compiles a Bernoulli preset's numba kernels from scratch
(into a temporary ``NUMBA_CACHE_DIR``), which takes about 10-20 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(argv: list[str], **kw) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(argv, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{argv}: exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


def _install(python: Path) -> None:
    """``pip install --no-deps .`` with uv where the project has it (``./dev`` installs it),
    else with pip; both build the wheel from this checkout with hatchling."""
    uv = Path(sys.executable).with_name("uv")
    uv_path = str(uv) if uv.is_file() else shutil.which("uv")
    if uv_path:
        _run(
            [uv_path, "pip", "install", "--quiet", "--python", str(python), "--no-deps", str(ROOT)]
        )
    else:  # pragma: no cover - depends on the machine
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--quiet",
                "--no-deps",
                str(ROOT),
            ]
        )


@pytest.mark.slow
def test_non_editable_install_ships_presets_and_runs(tmp_path):
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env)
    python = env / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _install(python)

    run_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    run_env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
    work = tmp_path / "elsewhere"  # not the checkout: no scenarios/ folder next to us
    work.mkdir()

    where = _run(
        [
            str(python),
            "-c",
            "import ruin, ruin.studies.scenarios as s; "
            "print(ruin.__file__); print(s.SCENARIOS_DIR)",
        ],
        cwd=work,
        env=run_env,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(site), where
    assert Path(where[1]) == site / "ruin" / "studies" / "builtin", where

    listed = json.loads(
        _run([str(env / "bin" / "ruin"), "scenarios", "--json"], cwd=work, env=run_env).stdout
    )
    want = {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert {s["name"] for s in listed} == want
    assert {s["kind"] for s in listed} == {"preset", "lesson"}
    assert all(Path(s["path"]).is_relative_to(site) for s in listed)

    # a Bernoulli preset: its kernels compile in about 10 s (a price-path preset compiled
    # for about 40 s, and that compile is covered elsewhere); the venue presets' data file
    # is checked through the liquidation calculator, which reads it without numba
    out = _run(
        [str(env / "bin" / "ruin"), "simulate", "--scenario", "coin_flip_edge", "--paths", "2000"]
        + ["--trades", "200", "--json"],
        cwd=work,
        env=run_env,
    ).stdout
    summary = json.loads(out)
    assert summary["paths"] == 2000 and summary["seed"] == 2024
    assert 0.0 <= summary["ruin_probability"]["estimate"] <= 1.0
    liq = json.loads(
        _run(
            [str(env / "bin" / "ruin"), "liquidation", "--venue", "hyperliquid"]
            + ["--entry", "100", "--leverage", "10", "--json"],
            cwd=work,
            env=run_env,
        ).stdout
    )
    assert liq["venue"] == "hyperliquid" and liq["calibration"]  # data/venues.toml shipped
    assert liq["liquidation_price"] > liq["bankruptcy_price"]
