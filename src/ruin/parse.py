"""Reading a text value the same way wherever it arrives (CLI flags, query strings, TOML text).

:func:`parse_bool` is the one string-to-boolean rule: ``true``/``yes``/``on``/``1`` and
``false``/``no``/``off``/``0``, in any case, surrounding spaces ignored; anything else is an
error that names the value.
"""

from __future__ import annotations

from .errors import ParameterError

__all__ = ["TRUE_WORDS", "FALSE_WORDS", "parse_bool"]

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
