"""The core library never imports streamlit (checked in a fresh interpreter)."""

import pkgutil
import subprocess
import sys

import ruin


def test_importing_every_ruin_module_leaves_streamlit_unloaded():
    names = sorted(m.name for m in pkgutil.walk_packages(ruin.__path__, "ruin."))
    assert {"ruin.charts", "ruin.export", "ruin.share", "ruin.simulate"} <= set(names)
    code = (
        "import importlib, sys\n"
        f"names = {names!r}\n"
        "for n in names:\n"
        "    importlib.import_module(n)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(len(names), bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().startswith(str(len(names)))
