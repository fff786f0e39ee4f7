"""The page stays a wiring file: app.py wires sections, each section is a small ui/ module,
and no page file does its own maths (every number comes from the library)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = [
    ROOT / "app.py",
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "views").glob("*.py")),
]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_app_and_sections_are_small():
    assert len((ROOT / "app.py").read_text().splitlines()) <= 250
    for f in (ROOT / "ui").glob("*.py"):
        assert len(f.read_text().splitlines()) <= 250, f.name


def test_page_files_import_no_maths():
    for f in PAGE_FILES:
        assert not _imports(f) & {"numpy", "scipy", "math", "dataclasses", "numba"}, f.name


def test_library_never_imports_the_page():
    for f in (ROOT / "src" / "ruin").rglob("*.py"):
        assert not _imports(f) & {"ui", "app", "streamlit"}, f.name
