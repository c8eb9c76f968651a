"""Records of a project and its dailies: ``project.created/1``, ``dailies.ingested/1`` (see ``records.entries``)."""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from typing import ClassVar, Literal

from records._base import Rational, Record
from records.values import (
    IsoDate,
    Model,
    Sha256Hex,
)

# ------------------------------------------------------------------------------------------- project, dailies


class ProjectSettings(Model):
    """The policy context a project was created with."""

    agreement: str
    principal_photography_start: IsoDate | None
    distribution_territories: tuple[str, ...]
    evidently_artistic: bool
    policy_packs: tuple[str, ...]


class ProjectCreated(Record):
    """A project and its ledger log were created."""

    kind: Literal["project.created/1"] = "project.created/1"
    project: str
    context: ProjectSettings


class ColourFacts(Model):
    primaries: int
    transfer: int
    matrix: int
    range: int


class AudioTrackFacts(Model):
    index: int
    codec: str
    sample_rate: int
    channels: int
    layout: str


class MediaFacts(Model):
    """What a camera file is, as probed at ingest."""

    container: str
    codec: str
    codec_family: str
    profile: str | None
    width: int
    height: int
    pix_fmt: str
    bit_depth: int
    frame_rate: Rational
    frame_count: int
    timecode: str | None
    colour: ColourFacts
    audio: tuple[AudioTrackFacts, ...]


class SlateFacts(Model):
    scene: str | None
    shot: str | None
    take: int | None


class CameraManifestFacts(Model):
    """The C2PA manifest the camera signed into the file, as validated at ingest against the camera trust list.

    ``state``: ``trusted`` (signer chains to a registered camera root), ``valid-untrusted`` (validates, signer not on
    the list), ``invalid`` (fails validation; ``failures`` names the codes). Signer facts are left out when the
    manifest could not be read.
    """

    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"signer_issuer", "signer", "claim_generator", "label"})
    state: Literal["trusted", "valid-untrusted", "invalid"]
    failures: tuple[str, ...]
    signer_issuer: str | None = None
    signer: str | None = None
    claim_generator: str | None = None
    label: str | None = None
    manifest_sha256: Sha256Hex


class DailiesIngested(Record):
    """A camera file was catalogued for the project."""

    kind: Literal["dailies.ingested/1"] = "dailies.ingested/1"
    OMIT_IF_NONE: ClassVar[frozenset[str]] = frozenset({"camera_manifest"})
    content_hash: Sha256Hex
    file_name: str
    media: MediaFacts
    slate: SlateFacts
    camera_manifest: CameraManifestFacts | None = None
    """Absent when the file carries no C2PA manifest (and in entries recorded before cameras' manifests were read)."""
