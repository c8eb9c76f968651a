"""Each edit kind's render parameters (a submission's ``params``), checked and typed on arrival.

A submission's ``params`` is free JSON; what each kind takes is fixed here, once, for the gate and the renderer:

- ``background``: ``plate`` (required: a clip of this production or ``blob:<sha256>`` of an uploaded still or
  clip), ``plate_frame`` (whole number ≥ 0, default 0), ``clean_plate``, ``model``, ``despill`` (true/false);
- ``eyeline``: ``performer`` (required), ``shift`` (required: ``[dx, dy]`` degrees), ``model``;
- ``relight``: ``reference`` and ``reference_original`` (``SHOT`` or ``SHOT@FRAME``), ``reference_region``
  (``x,y,w,h``), ``feather`` (whole number of pixels ≥ 0), ``model``, and the adjustments ``exposure``,
  ``temperature``, ``tint``, ``contrast``, ``saturation``, ``lift``, ``gamma``, ``gain`` (numbers); a reference or
  at least one adjustment, a patch or an original only with a reference, and not both;
- ``dialogue``: ``performer`` and ``audio`` (``blob:<sha256>``; both required), ``retime_only`` and
  ``replace_pauses`` (true/false), ``model``.

Checked strictly: a name the kind does not take is refused (a misspelt ``despil`` used to be ignored, so the edit
ran without what was asked), and so is a value of the wrong type (the string ``"false"`` for ``retime_only`` used
to count as true, and a non-number frame in ``reference`` failed only in the render, after the gate's decision
was recorded). The gate checks before it records anything (``cutproof.edits.gate.evaluate``); the renderer reads
the same typed parameters. Whether the things they name exist in the project is ``cutproof.edits.references``'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from cutproof.edits.submission import SubmissionError
from media import Region
from media.errors import RegionError

_SHOT_FRAME = re.compile(r"(?P<shot>[^@]+)(?:@(?P<frame>.*))?", re.DOTALL)


class InvalidParametersError(SubmissionError):
    """An edit's ``params`` miss a required parameter, name one its kind does not take, or give a wrong value."""


@dataclass(frozen=True)
class ShotFrame:
    """A reference to a clip of the production, with an optional frame: ``SHOT`` or ``SHOT@FRAME``."""

    shot: str
    frame: int | None = None

    @classmethod
    def parse(cls, spec: str, what: str = "reference") -> ShotFrame:
        """``SHOT`` or ``SHOT@FRAME`` (``FRAME`` a whole number ≥ 0).

        Raises:
            InvalidParametersError: no shot, or a frame that is not a whole number.
        """
        m = _SHOT_FRAME.fullmatch(str(spec))
        if m is None:
            raise InvalidParametersError(f"{what} {str(spec)[:80]!r} names no shot; give SHOT or SHOT@FRAME")
        frame = m.group("frame")
        if frame is not None and not (frame.isascii() and frame.isdigit()):
            raise InvalidParametersError(
                f"{what} frame {frame[:20]!r} must be a whole frame number ≥ 0 (SHOT@FRAME, e.g. take3@120)"
            )
        return cls(m.group("shot"), None if frame is None else int(frame))

    def __str__(self) -> str:
        return self.shot if self.frame is None else f"{self.shot}@{self.frame}"


class _Params(BaseModel):
    """Strict: no name the kind does not take, no value coerced from another type (``"1"`` is not a number)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
    KIND: ClassVar[str]

    @classmethod
    def parse(cls, params: dict[str, Any]) -> Any:
        """The kind's parameters from a submission's ``params``.

        Raises:
            InvalidParametersError: every problem found, each naming the parameter and what it takes.
        """
        try:
            return cls.model_validate(dict(params))
        except ValidationError as exc:
            problems = "; ".join(_problem(cls, err) for err in exc.errors())
            takes = ", ".join(cls.model_fields)
            kind = cls.KIND
            raise InvalidParametersError(f"{kind} edit: {problems} ({kind} parameters: {takes})") from None


def _problem(schema: type[_Params], err: Any) -> str:
    where = "params." + ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing" or (err["type"] == "string_too_short" and err.get("input") == ""):
        field = schema.model_fields.get(str(err["loc"][0]))
        return f"{where} is required" + (f": {field.description}" if field and field.description else "")
    if err["type"] == "extra_forbidden":
        return f"{where} is not a parameter of this kind"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not err["loc"]:  # a rule across parameters: its message names them
        return msg
    return f"{where}: {msg[:1].lower()}{msg[1:]}, got {_shown(err.get('input'))}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_Name = Field(default=None, min_length=1, max_length=300)  # a catalogue ref, as the training specs take it
_Number = Field(default=None, allow_inf_nan=False)


class BackgroundParams(_Params):
    KIND = "background"
    plate: str = Field(
        min_length=1, max_length=300, description="a clip of this production or blob:<sha256> of an uploaded file"
    )
    plate_frame: int = Field(default=0, ge=0)
    clean_plate: str | None = _Name
    model: str | None = _Name
    despill: bool = False


class EyelineParams(_Params):
    KIND = "eyeline"
    performer: str = Field(min_length=1, max_length=200, description="the performer id whose eyeline moves")
    shift: list[float] = Field(min_length=2, max_length=2, description="[dx, dy] in degrees, +x image right, +y down")
    model: str | None = _Name

    @field_validator("shift")
    @classmethod
    def _finite(cls, v: list[float]) -> list[float]:
        if not all(abs(x) < float("inf") for x in v):
            raise ValueError("the shift must be two finite numbers of degrees [dx, dy]")
        return v


ADJUSTMENTS = ("exposure", "temperature", "tint", "contrast", "saturation", "lift", "gamma", "gain")


class RelightParams(_Params):
    KIND = "relight"
    reference: str | None = _Name
    reference_original: str | None = _Name
    reference_region: str | None = _Name
    feather: int | None = Field(default=None, ge=0)
    model: str | None = _Name
    exposure: float | None = _Number
    temperature: float | None = _Number
    tint: float | None = _Number
    contrast: float | None = _Number
    saturation: float | None = _Number
    lift: float | None = _Number
    gamma: float | None = _Number
    gain: float | None = _Number

    @field_validator("reference", "reference_original")
    @classmethod
    def _shot_frame(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None:
            try:
                ShotFrame.parse(v, str(info.field_name).replace("_", " "))
            except InvalidParametersError as exc:
                raise ValueError(str(exc)) from None
        return v

    @field_validator("reference_region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                Region.parse(v)
            except RegionError as exc:
                raise ValueError(str(exc)) from None
        return v

    @model_validator(mode="after")
    def _together(self) -> RelightParams:
        """What the editor would refuse after the gate's decision: parameters that need another, or exclude one."""
        if self.reference is None:
            for key in ("reference_region", "reference_original"):
                if getattr(self, key) is not None:
                    raise ValueError(f"params.{key} needs params.reference (the graded shot or SHOT@FRAME)")
            if not self.adjustments():
                raise ValueError("nothing to do: give params.reference or at least one adjustment")
        if self.reference_region is not None and self.reference_original is not None:
            raise ValueError(
                "give params.reference_region (the region takes the patch's colours) or params.reference_original "
                "(the reference's look, known from its ungraded original), not both"
            )
        return self

    def shot_frame(self, key: str) -> ShotFrame | None:
        """``reference`` or ``reference_original`` as a ``ShotFrame`` (None when not given)."""
        value = getattr(self, key)
        return None if value is None else ShotFrame.parse(value, key.replace("_", " "))

    def adjustments(self) -> dict[str, float]:
        """The adjustments given (the rest keep the editor's defaults)."""
        return {k: float(getattr(self, k)) for k in ADJUSTMENTS if getattr(self, k) is not None}


class DialogueParams(_Params):
    KIND = "dialogue"
    performer: str = Field(min_length=1, max_length=200, description="the performer id whose line is replaced")
    audio: str = Field(max_length=200, description="blob:<sha256> of the uploaded WAV of the new line")
    retime_only: bool = False
    replace_pauses: bool = False
    model: str | None = _Name

    @field_validator("audio")
    @classmethod
    def _blob(cls, v: str) -> str:
        if not v.startswith("blob:"):
            raise ValueError("the new line must be blob:<sha256> of a WAV uploaded to this production (POST /uploads)")
        return v


PARAMS: dict[str, type[_Params]] = {
    "background": BackgroundParams,
    "dialogue": DialogueParams,
    "eyeline": EyelineParams,
    "relight": RelightParams,
}


def check_params(kind: str, params: dict[str, Any]) -> _Params:
    """``params`` checked and typed for ``kind``.

    Raises:
        InvalidParametersError: see ``_Params.parse``; or a kind this build has no renderer for.
    """
    schema = PARAMS.get(kind)
    if schema is None:
        raise InvalidParametersError(f"edit kind {kind!r} has no parameters this build knows ({', '.join(PARAMS)})")
    return schema.parse(params)
