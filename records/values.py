"""Value types shared by the records and by the packages that write them: edit kinds, obligations, digests,
times as the ledger stores them, and the base class every record model derives from.

Defined once here (the bottom layer) so that ``consent``, ``policies``, ``labeler`` and the application use the
same vocabulary instead of each declaring its own copy.
"""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    model_serializer,
)

EditKind = Literal["relight", "eyeline", "background", "dialogue"]
"""What an edit request can ask for (the gate's edit kinds)."""

EDIT_KINDS: tuple[str, ...] = get_args(EditKind)
"""The edit kinds, in a fixed order (a consent grant names some of them, or ``["*"]`` for every kind)."""

Outcome = Literal["allow", "deny", "review"]
"""A gate decision's outcome."""

MarkingLayer = Literal["c2pa_metadata", "watermark"]
DisclosureForm = Literal["on_screen_icon", "end_credit", "sidecar", "spoken_disclaimer"]
IconVariant = Literal["partially_modified", "fully_generated"]
IconColour = Literal["black", "white", "black_50", "white_50"]
"""The four colour variations of the EU AI icons (solid, or at 50 % opacity)."""

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A lower-case hex SHA-256 digest."""

JsonObject = dict[str, JsonValue]
"""A JSON object whose shape is owned by another format (an engine's parameters or metrics)."""


def empty_list() -> list[Any]:
    """A new empty list: the default factory of a list field (``Field(default_factory=empty_list)``).

    Not ``list`` itself: pydantic inspects a default factory's signature when it builds a model, and a builtin's
    signature costs the interpreter a tokenizer run (about 14 M instructions on a command's start-up)."""
    return []


# --------------------------------------------------------------------------------------------------- times

_FIXED = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_utc(value: datetime) -> str:
    """Fixed-width UTC text of an aware datetime, ``2026-11-23T20:55:26.123456Z`` (sorts as it reads).

    Raises:
        ValueError: the datetime is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime; give a timezone, e.g. 2026-11-23T10:00:00Z")
    utc = value.astimezone(UTC)
    return f"{utc.year:04d}" + utc.strftime(_FIXED[2:])  # %Y is not zero-padded below year 1000 everywhere


def parse_utc(text: str) -> datetime:
    """Inverse of ``format_utc``; anything but that exact form is refused.

    Raises:
        ValueError: ``text`` is not in the form ``format_utc`` writes.
    """
    if len(text) != 27 or text[-1] != "Z" or text[10] != "T" or text[19] != ".":
        raise ValueError(f"not a fixed-width UTC time like 2026-11-23T20:55:26.123456Z: {text!r}")
    return datetime.fromisoformat(text)


def _fixed_utc_in(value: Any) -> Any:
    if isinstance(value, str):
        return parse_utc(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime; give a timezone, e.g. 2026-11-23T10:00:00Z")
        return value.astimezone(UTC)
    return value


FixedUtc = Annotated[datetime, BeforeValidator(_fixed_utc_in), PlainSerializer(format_utc, return_type=str)]
"""An instant stored as fixed-width UTC text (the consent registry's entries)."""


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime; give a timezone, e.g. 2026-11-23T10:00:00Z")
    return value


IsoInstant = Annotated[datetime, AfterValidator(_aware)]
"""An aware instant stored in pydantic's ISO 8601 form (``2026-12-02T19:51:37.709803Z``; the offset it was given
in is kept)."""

IsoDate = date
"""A calendar date, ``YYYY-MM-DD``."""

# --------------------------------------------------------------------------------------------------- models


class Model(BaseModel):
    """Base of every record and value model: frozen, unknown fields refused.

    ``OMIT_IF_NONE`` names optional fields that are left out of the JSON (not written as ``null``) when they are
    None, for records whose writers never wrote them as ``null``. ``OMIT_IF_UNSET`` names fields that earlier
    writers wrote (``null`` included) and later ones leave out when they do not apply: they are written exactly
    when the record was given them, so an old entry re-serialises to its signed bytes and a new one carries no
    placeholder.
    """

    # defer_build: a command builds the validators of the records it uses, not of all of them, at import
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset()
    OMIT_IF_UNSET: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_none(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.OMIT_IF_NONE:
                if data.get(name, ...) is None:
                    del data[name]
            for name in self.OMIT_IF_UNSET - self.model_fields_set:
                data.pop(name, None)
        return data


class Obligations(Model):
    """What the labeller must do with an allowed edit's output: marking layers and disclosure forms.

    Empty tuples mean none; the gate's decision says which apply (see ``policies``).
    """

    marking: tuple[MarkingLayer, ...] = ()
    disclosure: tuple[DisclosureForm, ...] = ()
    icon_variant: IconVariant | None = None

    def summary(self) -> str:
        """``marking: …; disclosure: …`` with ``none`` for empty parts."""
        marking = ", ".join(self.marking) or "none"
        disclosure = ", ".join(self.disclosure) or "none"
        icon = f" ({self.icon_variant} icon)" if self.icon_variant else ""
        return f"marking: {marking}; disclosure: {disclosure}{icon}"
