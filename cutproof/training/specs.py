"""What to train, from which dailies: the training specs shared by ``cutproof model train``, ``POST /trainings``
and the demo (``kind`` selects the model; unknown keys are errors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

ClipRef = Annotated[
    str,
    Field(min_length=1, max_length=300, description="Catalogue clip ref (hash prefix, file name, scene/shot/take)"),
]
RangedClipRef = Annotated[
    str, Field(min_length=1, max_length=300, description="Catalogue clip ref, optionally REF@START:END (frames)")
]
PerformerId = Annotated[str, Field(min_length=1, max_length=128, description="Consent performer id of the project")]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Same seed + dailies + code → the same model")]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LightingSpec(_Spec):
    """The project's image-adaptive 3D-LUT lighting model."""

    kind: Literal["lighting"]
    clips: list[RangedClipRef] = Field(min_length=1, max_length=64)
    pairs: list[tuple[ClipRef, ClipRef]] = Field(
        default_factory=list, max_length=32, description="[ORIGINAL, GRADED] real pairs of the same take"
    )
    steps: int = Field(800, ge=1, le=100_000)
    seed: Seed = 0


class BackgroundSpec(_Spec):
    """A per-shot background refiner trained on the shots' own frames (keyer pseudo-labels)."""

    kind: Literal["background"]
    clips: list[RangedClipRef] = Field(min_length=1, max_length=64)
    steps: int = Field(300, ge=1, le=100_000)
    sample_frames: int = Field(8, ge=1, le=64, description="Frames per clip matted into pseudo-labels")
    seed: Seed = 0


class DialogueSpec(_Spec):
    """A performer's mouth bank and sync scorer from their sync takes (the last take is held out)."""

    kind: Literal["dialogue"]
    performer: PerformerId
    clips: list[ClipRef] = Field(min_length=1, max_length=16)
    steps: int = Field(300, ge=1, le=20_000)
    seed: Seed = 0


class EyelineSpec(_Spec):
    """A performer's eye geometry and gaze range from their takes (``editor.eyeline.model``: nothing is optimised,
    so there are no steps and no seed)."""

    kind: Literal["eyeline"]
    performer: PerformerId
    clips: list[ClipRef] = Field(min_length=1, max_length=16)
    samples: int = Field(40, ge=8, le=256, description="Frames sampled per take")


class CastSpec(_Spec):
    """The project's cast (who-is-in-the-shot) model from its face tags."""

    kind: Literal["cast"]
    samples: int = Field(16, ge=2, le=256, description="Frames sampled per tagged clip")


AnySpec = LightingSpec | BackgroundSpec | DialogueSpec | EyelineSpec | CastSpec
TrainingSpec = Annotated[AnySpec, Field(discriminator="kind")]
SPEC = TypeAdapter(TrainingSpec)
KINDS = ("background", "cast", "dialogue", "eyeline", "lighting")
STEPPED = tuple(  # the kinds whose training optimises for a number of steps (their spec has ``steps``)
    sorted(get_args(s.model_fields["kind"].annotation)[0] for s in get_args(AnySpec) if "steps" in s.model_fields)
)
_DROPPED = {"eyeline": ("steps", "seed")}  # fields a kind's spec had before stop 47 and no longer has


def stored_spec(raw: Mapping[str, Any]) -> AnySpec:
    """A spec a training job stored when it was queued. An eyeline spec queued before stop 47 carries ``steps`` and
    ``seed``, which the eyeline model no longer has (nothing is optimised); they are dropped, so the job still runs.

    Raises:
        ValidationError: anything else the spec does not take.
    """
    dropped = _DROPPED.get(str(raw.get("kind")), ())
    return SPEC.validate_python({k: v for k, v in raw.items() if k not in dropped})
