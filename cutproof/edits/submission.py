"""What an editor submits: the shot, the edit, why, and who they say it touches (validated on arrival)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cutproof.core.errors import CutproofError
from cutproof.core.inputs import check_json_value
from media import Region
from policies import ClaimedExemption
from records import EditKind


class SubmissionError(CutproofError):
    """An edit submission is invalid (nothing was recorded)."""


class EditSubmission(BaseModel):
    """What an editor submits: the shot, the edit, why, and who they say it touches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shot: str = Field(min_length=1, max_length=200, description="Catalogue clip id (prefix) or shot name.")
    kind: EditKind
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="e.g. continuity, performance_change")
    performers: tuple[str, ...] = Field(default=(), description="Performer ids the editor declares.")
    region: str | None = Field(default=None, description="x,y,w,h in pixels; default the whole frame.")
    start: int | None = Field(default=None, ge=0, description="First frame (default 0).")
    end: int | None = Field(default=None, ge=1, description="One past the last frame (default: clip end).")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Kind-specific render parameters, checked before the gate decides: background {plate, plate_frame, "
        "clean_plate, model, despill}; eyeline {performer, shift, model}; relight {reference, reference_original, "
        "reference_region, feather, model, exposure, temperature, tint, contrast, saturation, lift, gamma, gain}; "
        "dialogue {performer, audio, retime_only, replace_pauses, model}.",
    )
    target_language: str | None = None
    claimed_exemption: ClaimedExemption | None = None
    is_deep_fake: bool | None = Field(
        default=None,
        description="Leave unset: the gate decides deep-fake status from the facts. false needs not_deep_fake_reason.",
    )
    not_deep_fake_reason: str | None = Field(
        default=None, max_length=2000, description="Why the result is not a deep fake (goes to legal review)."
    )
    output_role: Literal["intermediate", "distribution_master"] = "distribution_master"
    ad_breaks: tuple[float, ...] = Field(
        default=(),
        max_length=100,
        description="Seconds on the deliverable's timeline where the programme resumes after an ad break; the "
        "on-screen AI icon, when owed, is shown again from each.",
    )

    @field_validator("ad_breaks")
    @classmethod
    def _ad_breaks(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 <= b < 1e7 for b in v):
            raise ValueError("ad-break times are seconds from the start of the deliverable (>= 0)")
        return v

    @model_validator(mode="after")
    def _well_formed(self) -> EditSubmission:
        """Every string valid Unicode, every number finite (a NaN would be signed as ``null``)."""
        check_json_value(self.model_dump(mode="python"), "the submission")
        return self

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None:
            Region.parse(v)
        return v
