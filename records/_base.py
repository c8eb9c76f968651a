"""The base of every record (``Record``: ``kind`` plus payload, canonical bytes) and the value types the record
modules share (see ``records.entries`` for the format)."""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from typing import Annotated, Any, ClassVar

import rfc8785
from pydantic import ConfigDict, Field

from records.values import (
    Model,
)
from records.vocab import Category, ModelKind, PerformerKind, Signer  # noqa: F401 - the record modules' vocabulary

Rational = Annotated[str, Field(pattern=r"^-?[0-9]+/[0-9]+$")]
"""An exact rational number as ``num/den`` (frame rates, seconds)."""
Scalar = str | int | float | bool | None


class _Aliased(Model):
    """A value whose JSON has a ``schema`` key (a field name pydantic reserves)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True)


class Record(Model):
    """Base of every record: ``kind`` (name and version) plus the payload of that version."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, serialize_by_alias=True)
    KIND: ClassVar[str] = ""
    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str):
            cls.KIND = default

    def entry(self) -> dict[str, Any]:
        """The payload to append to the ledger (JSON-compatible; the ledger stamps it)."""
        return self.model_dump(mode="json")

    def canonical(self) -> bytes:
        """RFC 8785 canonical JSON of ``entry()``: the signed bytes, less the ledger's stamp."""
        return rfc8785.dumps(self.entry())
