"""Reading a text value the same way wherever it arrives (CLI flags, query strings, TOML text).

:func:`parse_bool` is the one string-to-boolean rule: ``true``/``yes``/``on``/``1`` and
``false``/``no``/``off``/``0``, in any case, surrounding spaces ignored; anything else is an
error that names the value. :func:`read_toml` is the one way a TOML file of ours is read:
regular files only, a size cap, UTF-8, bounded nesting, one clear error for each.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import ParameterError

__all__ = [
    "TRUE_WORDS",
    "FALSE_WORDS",
    "parse_bool",
    "read_toml",
    "check_depth",
    "MAX_TOML_DEPTH",
]

#: Text read as ``True`` by :func:`parse_bool` (after ``strip().lower()``).
TRUE_WORDS = ("true", "yes", "on", "1")
#: Text read as ``False`` by :func:`parse_bool`.
FALSE_WORDS = ("false", "no", "off", "0")


def parse_bool(value: object, name: str = "value") -> bool:
    """``value`` as a boolean: a ``bool`` as it is, or one of the words above.

    Parameters
    ----------
    value : bool or str
        What arrived (a flag's text, a query-string value, a TOML value).
    name : str
        The parameter, as the user knows it, for the error message.

    Returns
    -------
    bool

    Raises
    ------
    ParameterError
        For any other value, e.g. ``breakeven must be true or false (also yes/no, on/off,
        1/0); got 'maybe'.``

    Examples
    --------
    >>> parse_bool(" Yes "), parse_bool("off"), parse_bool(True)
    (True, False, True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ParameterError(name, "true or false (also yes/no, on/off, 1/0)", value)


#: Deepest nesting of arrays and tables a TOML file of ours may have (scenarios, lessons and
#: sweep specs need three or four levels).
MAX_TOML_DEPTH = 32


def read_toml(path: str | os.PathLike[str], name: str, max_bytes: int) -> dict[str, Any]:
    """Read a small TOML file (a scenario, lesson or sweep spec) or raise one clear error.

    Refused with a :class:`~ruin.errors.ParameterError` naming ``name`` (never repeating the
    file's text): anything but a regular file, a file over ``max_bytes``, text that is not
    UTF-8, invalid TOML, and nesting deeper than :data:`MAX_TOML_DEPTH` (thousands of nested
    arrays or a table name of thousands of dotted parts would otherwise exhaust the stack).
    """
    import stat
    import tomllib

    try:
        st = os.stat(path)
    except (OSError, ValueError):
        raise ParameterError(name, "an existing TOML file", str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise ParameterError(name, "a TOML file, not a folder", str(path))
    if not stat.S_ISREG(st.st_mode) or str(os.path.realpath(path)).startswith("/proc/"):
        raise ParameterError(name, "a regular TOML file (not a device, pipe or /proc file)", path)
    if st.st_size > max_bytes:
        raise ParameterError(name, f"at most {max_bytes // 1024} KiB", "a larger file")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ParameterError(name, "a readable file", exc.strerror or type(exc).__name__) from None
    except UnicodeDecodeError as exc:
        raise ParameterError(
            name, "UTF-8 text", f"a byte that is not UTF-8 at offset {exc.start}"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(name, "valid TOML", f"a syntax error ({exc})") from None
    except RecursionError:
        raise ParameterError(
            name, f"TOML nested at most {MAX_TOML_DEPTH} levels deep", "deeper nesting"
        ) from None
    check_depth(name, data)
    return data


def check_depth(name: str, data: Any, limit: int = MAX_TOML_DEPTH) -> None:
    """Raise a :class:`~ruin.errors.ParameterError` if ``data`` (parsed TOML, or any mapping of
    lists and mappings) nests deeper than ``limit``; walks without recursion."""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ParameterError(name, f"TOML nested at most {limit} levels deep", "deeper nesting")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
