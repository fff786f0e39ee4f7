"""The project's Streamlit settings that the pages rely on (``.streamlit/config.toml``)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "app.py", *sorted((ROOT / "views").glob("*.py"))]
_WITH_DOCSTRING = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def test_magic_is_off_and_no_page_needs_it():
    """Magic wrote a page's bare expressions (not calls, not the docstring) to the page; it is
    off, so a page must not hold any, or it would silently stop showing them."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["magicEnabled"] is False
    assert len(PAGES) >= 3
    for page in PAGES:
        tree = ast.parse(page.read_text(), str(page))
        docstrings = {
            id(node.body[0])
            for node in ast.walk(tree)
            if isinstance(node, _WITH_DOCSTRING) and ast.get_docstring(node) is not None
        }
        bare = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr)
            and id(node) not in docstrings
            and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))
        ]
        assert not bare, f"{page.name}: bare expressions at lines {bare} (magic is off)"
