"""Share links: flat parameters <-> URL query string, pure (no streamlit).

A scenario is a flat mapping of the names :func:`ruin.config.build_scenario` accepts
(``win_rate``, ``risk``, ``seed`` ...), in the core's units (fractions, not percents). A share
link holds only the values that differ from the page's defaults, as strings::

    ?win_rate=0.45&risk=0.03&seed=7

:func:`encode` writes that mapping; :func:`decode` reads it back, never raising: a key it does
not know or a value it cannot read falls back to the default and is reported as a notice the
page can show. Each field is a :class:`Field`: a key of :data:`ruin.keys.KEYS` (or a page-only
key such as ``log``), whose one reader and check decide what a value means and say what is
wrong with the key's own message, plus the page's widget bounds where a slider shows less
than the key allows.

Examples
--------
>>> from ruin.keys import KEYS
>>> fields = {"risk": Field(KEYS["risk"])}
>>> q = encode({"risk": 0.03}, {"risk": 0.02}, fields)
>>> q
{'risk': '0.03'}
>>> decode(q, {"risk": 0.02}, fields)
({'risk': 0.03}, [])
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .errors import ParameterError, describe_range
from .keys import Key

__all__ = [
    "Field",
    "encode",
    "decode",
    "to_query_string",
    "from_query_string",
    "shown",
    "MAX_VALUE_LEN",
    "MAX_SHOWN_LEN",
    "MAX_SHOWN_KEYS",
]

#: Longest query value read; anything longer is refused (a link is not an upload).
MAX_VALUE_LEN = 200
#: Longest piece of a link a notice repeats (longer keys and values are cut with "...").
MAX_SHOWN_LEN = 40
#: Unknown keys a notice names (the rest are counted).
MAX_SHOWN_KEYS = 3

# Markdown (and the host page's) specials: a link's text is shown, never interpreted. A dot is
# escaped unless a digit follows it (1.7 stays readable; www.evil.example is no autolink).
_MARKDOWN_SPECIALS = re.compile(r"([\\`*{}\[\]()<>#+!|~:$&^\"@/]|\.(?!\d))")


def shown(text: Any, limit: int = MAX_SHOWN_LEN) -> str:
    """What a notice may repeat of user-sent ``text``: one line, at most ``limit``
    characters, every Markdown/HTML special escaped with a backslash (so a link parameter
    named ``[log in](https://evil.example)`` shows as text, never as a link)."""
    t = " ".join(str(text).split())
    if len(t) > limit:
        t = t[:limit] + "..."
    return _MARKDOWN_SPECIALS.sub(r"\\\1", t)


@dataclass(frozen=True, slots=True)
class Field:
    """How one flat parameter looks in a URL.

    Parameters
    ----------
    key : Key
        The parameter: :data:`ruin.keys.KEYS` ``[name]`` for a flat key (its reader, range,
        choices and messages), or a page-only :class:`~ruin.keys.Key` (``log``).
    lo, hi : float, optional
        The page's widget bounds (inclusive), where a slider shows less than the key allows:
        a value the key accepts but the widget cannot show is refused with a notice.
    """

    key: Key
    lo: float | None = None
    hi: float | None = None

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def kind(self) -> str:
        return self.key.kind

    def parse(self, text: str) -> Any:
        """Read ``text`` with the key; raise :class:`~ruin.errors.ParameterError` if it does
        not fit (the key's message, or the page's bounds)."""
        t = str(text).strip()
        if len(t) > MAX_VALUE_LEN:
            raise ParameterError(self.name, f"at most {MAX_VALUE_LEN} characters", f"{len(t)}")
        value = self.key.parse(t)
        if isinstance(value, Real) and not isinstance(value, bool):
            if (self.lo is not None and value < self.lo) or (
                self.hi is not None and value > self.hi
            ):
                shown = describe_range(self.lo, self.hi, True, True)
                raise ParameterError(self.name, f"{shown} on this page", value)
        return value

    def format(self, value: Any) -> str:
        """The URL text for ``value`` (shortest form that reads back identically)."""
        if isinstance(value, bool):
            return "1" if value else "0"
        return self.key.format(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def encode(
    params: Mapping[str, Any], defaults: Mapping[str, Any], fields: Mapping[str, Field]
) -> dict[str, str]:
    """Query dict for ``params``: only known fields whose value differs from the default.

    Keys come out in the order of ``fields`` so links are stable.
    """
    out: dict[str, str] = {}
    for name, f in fields.items():
        if name not in params:
            continue
        v = params[name]
        if name in defaults and _same(v, defaults[name]):
            continue
        out[name] = f.format(v)
    return out


def decode(
    query: Mapping[str, Any],
    defaults: Mapping[str, Any],
    fields: Mapping[str, Field],
    *,
    ignore: tuple[str, ...] = ("embed", "embed_options"),
) -> tuple[dict[str, Any], list[str]]:
    """Read a query mapping back into flat parameters; never raises.

    Parameters
    ----------
    query : mapping
        Query key -> string (or a list of strings; the last one counts, as in browsers).
    defaults : mapping
        Value used for every field absent from the query or unreadable.
    fields : mapping of str to Field
        The readable keys.
    ignore : tuple of str
        Keys that belong to the host page (Streamlit's ``embed``) and are skipped silently.

    Returns
    -------
    params : dict
        ``defaults`` overlaid with every readable query value.
    notices : list of str
        One plain-words line per unreadable value (each fell back to its default) and one
        line naming at most :data:`MAX_SHOWN_KEYS` unknown keys. What the link sent is
        repeated through :func:`shown` (cut, Markdown-escaped), so a notice is safe to show
        as Markdown.
    """
    params = dict(defaults)
    notices: list[str] = []
    unknown: list[str] = []
    for key, raw in query.items():
        if key in ignore:
            continue
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        if key not in fields:
            unknown.append(str(key))
            continue
        try:
            params[key] = fields[key].parse(raw)
        except ValueError as exc:
            notices.append(
                f"Link parameter '{shown(key)}={shown(raw)}' is unusable ({exc}); "
                f"using the default {defaults.get(key)!r}."
            )
    if len(unknown) == 1:
        notices.append(f"Link parameter '{shown(unknown[0])}' is not one this page knows; ignored.")
    elif unknown:
        names = ", ".join(f"'{shown(k)}'" for k in unknown[:MAX_SHOWN_KEYS])
        more = len(unknown) - MAX_SHOWN_KEYS
        names += f" and {more} more" if more > 0 else ""
        notices.append(f"Link parameters {names} are not ones this page knows; ignored.")
    return params, notices


def to_query_string(query: Mapping[str, str]) -> str:
    """``{'a': '1'} -> 'a=1'`` (URL-escaped)."""
    return urlencode(list(query.items()))


def from_query_string(text: str) -> dict[str, str]:
    """``'?a=1&b=2' -> {'a': '1', 'b': '2'}`` (last value wins)."""
    return dict(parse_qsl(text.lstrip("?"), keep_blank_values=True))
