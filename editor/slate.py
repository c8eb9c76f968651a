"""Scene / shot / take (and camera roll / clip number) read from camera file names and metadata.

Recognised file-name conventions (case-insensitive, any of ``_ - . space`` as separators):

- ``012A_T03``, ``12A-3``, ``012A_TK3``      scene 012, shot A, take 3 (US-style slate: scene number + setup letter)
- ``sc12_sh3_tk2``, ``S12_SH03_T02``, ``scene12_shot3_take2``   scene 12, shot 3, take 2
- ``A001C003`` (ARRI/RED/Sony camera naming)  camera roll A001, clip C003 — no scene/shot/take in the name

Container metadata keys ``scene``, ``shot``, ``take`` and ``reel``/``reel_name`` override the file name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

SlateSource = Literal["filename", "metadata", "ale", "user", "none"]

_SEP = r"[ _.\-]*"
_SCENE_SHOT_TAKE = re.compile(
    rf"(?<![a-z0-9])(?:scene|sc|s){_SEP}(?P<scene>\d+[a-z]?){_SEP}(?:shot|sh){_SEP}(?P<shot>\d+[a-z]?|[a-z]{{1,2}}){_SEP}"
    rf"(?:take|tk|t){_SEP}(?P<take>\d+)(?![0-9])",
    re.IGNORECASE,
)
_SLATE = re.compile(
    rf"(?<![a-z0-9])(?P<scene>\d{{1,4}})(?P<shot>[a-z]{{1,2}}){_SEP}(?:take|tk|t)?{_SEP}(?P<take>\d{{1,3}})(?![0-9])",
    re.IGNORECASE,
)
_CAMERA = re.compile(r"(?<![a-z0-9])(?P<roll>[a-z]\d{3})(?P<clip>c\d{3})(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Slate:
    """What a clip is on the slate. Every field is optional; ``source`` says where the values came from."""

    scene: str | None = None
    shot: str | None = None
    take: int | None = None
    camera_roll: str | None = None
    camera_clip: str | None = None
    source: SlateSource = "none"

    def __post_init__(self) -> None:
        if self.take is not None and not 0 <= self.take < 10_000:
            raise ValueError(f"take {self.take} is not a take number (0–9999)")
        for name in ("scene", "shot"):
            value = getattr(self, name)
            if value is not None and (not value or len(value) > 32 or not value.replace("-", "").isalnum()):
                raise ValueError(f"{name} {value!r} must be 1–32 letters, digits or dashes")

    @property
    def label(self) -> str | None:
        """``<scene>/<shot>/<take>`` when all three are known (e.g. ``012/A/3``)."""
        if self.scene is None or self.shot is None or self.take is None:
            return None
        return f"{self.scene}/{self.shot}/{self.take}"

    def with_user(
        self,
        *,
        scene: str | None = None,
        shot: str | None = None,
        take: int | None = None,
        camera_roll: str | None = None,
        source: SlateSource = "user",
    ) -> Slate:
        """A copy with the given values set (others kept), marked as coming from ``source`` (the user by hand, or
        the lab's ``ale`` log); raises ValueError on invalid values."""
        roll = camera_roll
        if roll is not None and (not roll or len(roll) > 16 or not roll.replace("-", "").replace("_", "").isalnum()):
            raise ValueError(f"camera roll {roll!r} must be 1–16 letters, digits, dashes or underscores")
        return replace(
            self,
            scene=self.scene if scene is None else scene,
            shot=self.shot if shot is None else shot,
            take=self.take if take is None else take,
            camera_roll=self.camera_roll if camera_roll is None else camera_roll,
            source=source,
        )


def parse_name(name: str) -> Slate:
    """Scene/shot/take and camera roll/clip from a file name (stem or full name)."""
    stem = name.rsplit("/", 1)[-1]
    roll = clip = None
    if m := _CAMERA.search(stem):
        roll, clip = m["roll"].upper(), m["clip"].upper()
    for pattern in (_SCENE_SHOT_TAKE, _SLATE):
        if m := pattern.search(stem):
            return Slate(m["scene"].upper(), m["shot"].upper(), int(m["take"]), roll, clip, "filename")
    return Slate(camera_roll=roll, camera_clip=clip, source="filename" if roll else "none")


def parse_metadata(meta: Mapping[str, str], fallback: Slate) -> Slate:
    """Apply ``scene``/``shot``/``take``/``reel`` container metadata (any case) over ``fallback``."""
    low = {k.lower().rsplit(".", 1)[-1]: str(v).strip() for k, v in meta.items()}
    scene, shot, take = low.get("scene"), low.get("shot"), low.get("take")
    reel = low.get("reel_name") or low.get("reel")
    if not (scene or shot or take or reel):
        return fallback
    try:
        return Slate(
            scene=scene.upper() if scene else fallback.scene,
            shot=shot.upper() if shot else fallback.shot,
            take=int(take) if take and take.isdigit() else fallback.take,
            camera_roll=reel.upper() if reel else fallback.camera_roll,
            camera_clip=fallback.camera_clip,
            source="metadata",
        )
    except ValueError:
        return fallback
