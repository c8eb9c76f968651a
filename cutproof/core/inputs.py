"""Input that never reaches storage or a signature malformed: text, numbers and file names from a request.

- ``check_text``: no lone UTF-16 surrogate (``"\\ud800"`` is valid JSON but no UTF-8 text: it cannot be stored,
  hashed or signed) and no NUL.
- ``check_json_value``: every number finite (JSON has no NaN or Infinity; Python's parser accepts them, and a
  serialiser writes them as ``null`` — a signed decision would then state a parameter nobody gave), every string
  ``check_text``, nesting at most ``MAX_DEPTH``.
- ``safe_filename``: a single, portable file name — not ``.``/``..``, no path separator, no control character
  (NUL, newline), no bidirectional override (a name that displays as ``…gpj.exe`` reversed), not a Windows device
  name (``CON``, ``NUL``, ``COM1`` …, with any extension), no leading or trailing space or trailing dot;
- ``exported_text``: the bytes of a file an editing or lab tool exported with no declared encoding (an ALE, a CMX
  EDL) as text, read the way those tools write them.

Each check raises ``InputError`` (a ``ValueError`` too, so a pydantic validator that calls it reports a 422).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from cutproof.core.errors import CutproofError

MAX_DEPTH = 32
MAX_TREE_SIZE = 2**62
"""The largest ledger index or tree size a request may name (beyond it a number overflows the storage's integers)."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class InputError(CutproofError, ValueError):
    """A value in a request is malformed (nothing was written)."""


def check_text(value: str, what: str = "text") -> str:
    """``value`` unchanged, or ``InputError`` if it holds a lone surrogate or a NUL."""
    if _SURROGATE.search(value):
        raise InputError(f"{what} holds a lone UTF-16 surrogate (not a character); send valid Unicode text")
    if "\x00" in value:
        raise InputError(f"{what} holds a NUL character")
    return value


def check_json_value(value: Any, what: str = "value", _depth: int = 0) -> Any:
    """``value`` unchanged, or ``InputError`` (see the module's docstring)."""
    if _depth > MAX_DEPTH:
        raise InputError(f"{what} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{what} is {value}; numbers must be finite (JSON has no NaN or Infinity)")
    if isinstance(value, str):
        check_text(value, what)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(str(k), f"a key of {what}")
            check_json_value(v, f"{what}.{k}", _depth + 1)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            check_json_value(v, f"{what}[{i}]", _depth + 1)
    return value


def hidden_in_filename(c: str) -> bool:
    """Whether ``c`` is a character a file name must not hold: a control or format character (a NUL, a newline, a
    bidirectional mark, override or isolate; the zero-width joiner of emoji and Indic names excepted)."""
    return (unicodedata.category(c) in ("Cc", "Cf") and c != "\u200d") or c in _BIDI


def safe_filename(name: str) -> str:
    """``name`` unchanged if it is a safe single file name, else ``InputError`` (see the module's docstring)."""
    check_text(name, "the file name")
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        raise InputError(f"{name!r} is not a file name; give a plain name such as A001C003.mov")
    if any(hidden_in_filename(c) for c in name):
        raise InputError(f"the file name {name!r} holds control or bidirectional-override characters")
    if name != name.strip() or name.endswith("."):
        raise InputError(f"the file name {name!r} starts or ends with a space, or ends with a dot")
    if name.split(".", 1)[0].strip().lower() in _DEVICES:
        raise InputError(f"{name!r} is a reserved device name on Windows; rename the file")
    if len(name.encode()) > 255:
        raise InputError("the file name is longer than 255 bytes")
    return name


def exported_text(data: bytes) -> str:
    """The text of an exported file that does not say its encoding (Avid Log Exchange, CMX 3600 EDL): UTF-16 or UTF-8
    when a byte-order mark says so, UTF-8 when the bytes are valid UTF-8, else Windows-1252 (Avid on Windows; its five
    unassigned bytes become U+FFFD). Never UTF-8 with replacement characters, which make an accented clip name match
    nothing, and never a refusal of a legacy export."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
