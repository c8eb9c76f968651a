"""Request files: an edit request plus, optionally, the consent state to evaluate it against (what-if cases).

Format (``schema: cutproof.edit-request/1``, optional)::

    request:  { project: {...}, shot: ..., scene: ..., edit: {...}, performers: [...], time: ... }
    consent:  { performers: [...], grants: [...], suspensions: [...] }     # optional; default: empty

Unknown keys are errors here (typos in a what-if case must not pass silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from policies._yaml import Marks, YamlSyntaxError, load_yaml
from policies.errors import RequestError
from policies.models import ConsentState, EditRequest

REQUEST_SCHEMA = "cutproof.edit-request/1"
_TOP = ("schema", "request", "consent")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class RequestFile:
    """A parsed request file."""

    request: EditRequest
    consent: ConsentState
    consent_inline: bool = True


def load_request_file(path: str | Path) -> RequestFile:
    """Read and validate a request file.

    Raises:
        RequestError: unreadable, not YAML, or a field is missing or wrong (the message names the field).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError("", f"cannot read {p}: {exc}") from None
    return parse_request(text, str(p))


def parse_request(text: str, source: str = "<string>") -> RequestFile:
    """Validate a request document given as YAML (or JSON) text.

    Raises:
        RequestError: not YAML, or a field is missing or wrong (the message names the field and line).
    """
    try:
        data, marks = load_yaml(text)
    except YamlSyntaxError as exc:
        raise RequestError("", exc.problem, file=source, line=exc.line) from None
    if not isinstance(data, dict):
        raise RequestError("", "the file must be a mapping with 'request' (and optionally 'consent')", file=source)
    for key in data:
        if key not in _TOP:
            raise RequestError(
                str(key), f"unknown top-level key (allowed: {', '.join(_TOP)})", file=source, line=marks.line((key,))
            )
    if data.get("schema", REQUEST_SCHEMA) != REQUEST_SCHEMA:
        raise RequestError("schema", f"expected {REQUEST_SCHEMA!r}", file=source, line=marks.line(("schema",)))
    if "request" not in data:
        raise RequestError("request", "missing: the file must hold the edit request under 'request'", file=source)
    request = _validate(EditRequest, data["request"], "request", marks, source)
    consent = _validate(ConsentState, data.get("consent") or {}, "consent", marks, source)
    return RequestFile(request=request, consent=consent, consent_inline="consent" in data)


def _validate(model: type[BaseModel], value: Any, root: str, marks: Marks, source: str) -> Any:
    try:
        return model.model_validate(value, context={"strict_keys": True})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if isinstance(p, int) or _FIELD.match(p)]  # drop union branch labels
        field = ".".join([root, *(f"[{p}]" if isinstance(p, int) else str(p) for p in loc)]).replace(".[", "[")
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "missing required field"
        raise RequestError(field, msg, file=source, line=marks.line((root, *loc))) from None
