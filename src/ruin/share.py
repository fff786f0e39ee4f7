"""Share links: flat parameters <-> URL query string, pure (no streamlit).

A scenario is a flat mapping of the names :func:`ruin.config.build_scenario` accepts
(``win_rate``, ``risk``, ``seed`` ...), in the core's units (fractions, not percents). A share
link holds only the values that differ from the page's defaults, as strings::

    ?win_rate=0.45&risk=0.03&seed=7

:func:`encode` writes that mapping; :func:`decode` reads it back, never raising: a key it does
not know or a value it cannot read falls back to the default and is reported as a notice the
page can show. Each field is described by a :class:`Field` (type, range, choices), so the
range check here matches what the parameter objects will accept.

Examples
--------
>>> fields = {"risk": Field("risk", "float", lo=0.0, hi=1.0, lo_incl=False)}
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
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

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


Kind = Literal["float", "int", "bool", "choice", "optional_float", "str"]


@dataclass(frozen=True, slots=True)
class Field:
    """How one flat parameter looks in a URL.

    Parameters
    ----------
    name : str
        The flat parameter name (also the query key).
    kind : {"float", "int", "bool", "choice", "optional_float", "str"}
        ``optional_float`` accepts ``none`` (or an empty value) for "off", e.g. ``goal``.
    lo, hi : float, optional
        Allowed range (inclusive unless ``lo_incl`` / ``hi_incl`` say otherwise).
    choices : tuple of str
        Allowed values for ``kind="choice"``.
    """

    name: str
    kind: Kind = "float"
    lo: float | None = None
    hi: float | None = None
    lo_incl: bool = True
    hi_incl: bool = True
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> Any:
        """Read ``text``; raise ``ValueError`` with a plain-words reason if it does not fit."""
        t = str(text).strip()
        if len(t) > MAX_VALUE_LEN:
            raise ValueError(f"longer than {MAX_VALUE_LEN} characters")
        if self.kind == "str":
            return t
        if self.kind == "choice":
            if t not in self.choices:
                raise ValueError("not one of " + ", ".join(self.choices))
            return t
        if self.kind == "bool":
            low = t.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError("not true/false")
        if self.kind == "optional_float" and t.lower() in ("", "none", "off"):
            return None
        if self.kind == "int":
            try:
                v: float = int(t)
            except ValueError:
                raise ValueError("not a whole number") from None
        else:
            try:
                v = float(t)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(v):
                raise ValueError("not a finite number")
        self._check_range(v)
        return v

    def _check_range(self, v: float) -> None:
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_incl)):
            word = "at least" if self.lo_incl else "greater than"
            raise ValueError(f"must be {word} {self.lo:g}")
        if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_incl)):
            word = "at most" if self.hi_incl else "less than"
            raise ValueError(f"must be {word} {self.hi:g}")

    def format(self, value: Any) -> str:
        """The URL text for ``value`` (shortest form that reads back identically)."""
        if value is None:
            return "none"
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "int":
            return str(int(value))
        if self.kind in ("float", "optional_float"):
            return repr(float(value))
        return str(value)


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
