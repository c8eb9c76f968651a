"""Label an edited render: disclosure → watermark → C2PA signature, then index the watermark key.

``label_output`` is what the edit flow calls after appending ``edit.applied/1``. It takes the unsigned render, the
ledger entry that records the edit and the gate's obligations, and produces the deliverable:

1. disclosure (badge / end-credit card / sidecars) as the obligations require — first, so the watermark and the
   signature cover exactly what the audience sees and the watermark suffers no second generation of coding;
2. the invisible watermark carrying the 64-bit key of the ``edit.applied`` entry (first 8 bytes of its leaf hash),
   in the pictures (``cutproof-wm/2``) and, when the render has an audio track, in the dialogue track
   (``cutproof-awm/1``, same key, marked in the same PyAV pass; the audio is re-encoded in its codec family);
3. the C2PA manifest (source ``parentOf``, AI edit action, model, ledger receipt, one ``c2pa.watermarked`` action
   per mark) — when the source daily carries a camera-signed manifest (recorded at ingest), the ``parentOf``
   ingredient is added from the daily's file, so the deliverable carries the camera's manifest unaltered as that
   ingredient's ``active_manifest``, with the validation result under the camera trust list (EU Code of Practice,
   Measure 1.2); our own assertions copy nothing from it — signed with the workspace identity into MP4/MOV and
   time-stamped by the workspace's time-stamp authority (``Workspace.tsa_url``) when one is set; the privacy guard
   checks every string of the definition, and again of our manifest as signed (not the camera's, which is carried
   as the camera signed it), against ``redact_terms`` (the registry's performer names and the camera file names,
   ``private_terms``);
4. the signed manifest store goes to the blob store, the key into ``app_watermark_keys`` (key → entry) and the
   deliverable's perceptual fingerprint (PDQ, ``labeler.fingerprint``) into ``app_fingerprints``, so QC can recover
   the manifest from the watermark when metadata was stripped, and from the fingerprint when the watermark is gone
   too.

The caller then appends ``result.record()`` (``label.applied/1``). Nothing is left at the output path
unless every step succeeded.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from cutproof.core.models import FingerprintRow, WatermarkKeyRow, table_of
from cutproof.core.workspace import Workspace
from cutproof.dailies.provenance import provenance_of
from cutproof.edits.segmented import ONE_PIECE, Segmented
from editor import Catalogue
from labeler.c2pa_adapter import ParentAsset, media_type, read_manifest_store, sign_video
from labeler.camera import camera_anchors, embedded_store_sha256
from labeler.disclosure import (
    AlteredShot,
    BadgeSpec,
    DisclosureForm,
    DisclosureRecord,
    DisclosureRequest,
    IconVariant,
    apply_disclosure,
)
from labeler.errors import LabelerError
from labeler.fingerprint import ALGORITHM as FP_ALGORITHM
from labeler.fingerprint import REFERENCE_CROPS, Fingerprint, Match, fingerprint_video, match
from labeler.identity import load_identity
from labeler.manifest import EditAction, EditLabel, IngredientRef, LedgerRef, TimeRange, WatermarkRef, check_public
from labeler.manifest import build_definition as build_manifest
from labeler.timestamps import verification_anchors
from labeler.verify import watermark_key_for_leaf
from ledger import Appended, Log
from media import Progress, Region, Stages
from records import DisclosureFacts, FingerprintFacts, LabelApplied, Obligations, WatermarkFacts
from store.blobs import sha256_file

watermark_keys = table_of(WatermarkKeyRow)
fingerprints = table_of(FingerprintRow)


@dataclass(frozen=True)
class EditFacts:
    """Public facts of the edit for the manifest and the disclosure (no performer data)."""

    shot: str
    source: IngredientRef
    action: EditAction
    operation: str
    time_range: TimeRange
    region: Region | None
    model_id: str | None
    training_manifest_sha256: str | None
    plate: IngredientRef | None = None
    frame_size: tuple[int, int] | None = None


@dataclass(frozen=True)
class LabelResult:
    """The labelled deliverable and what the ``label.applied/1`` entry records."""

    path: Path
    manifest_sha256: str
    watermark_key: str | None
    watermark_algorithm: str | None
    output_sha256: str
    origin: str
    edit_index: int
    disclosure: DisclosureRecord | None
    sidecars: tuple[Path, ...] = field(default=())
    audio_watermark_algorithm: str | None = None
    fingerprint: FingerprintFacts | None = None

    def record(self) -> LabelApplied:
        """The ``label.applied/1`` record the caller appends to the project log."""
        return LabelApplied(
            edit_index=self.edit_index,
            deliverable=self.path.name,
            output_sha256=self.output_sha256,
            manifest_sha256=self.manifest_sha256,
            watermark=WatermarkFacts(
                algorithm=self.watermark_algorithm or "",
                key=self.watermark_key,
                audio_algorithm=self.audio_watermark_algorithm,
            )
            if self.watermark_key
            else None,
            disclosure=DisclosureFacts.model_validate(self.disclosure.to_json()) if self.disclosure else None,
            fingerprint=self.fingerprint,
        )

    def ledger_entry(self) -> dict[str, Any]:
        """The payload of ``record()``, as appended to the project log."""
        return self.record().entry()


def label_output(
    ws: Workspace,
    log: Log,
    *,
    render: Path,
    output: Path,
    edit: Appended,
    facts: EditFacts,
    obligations: Obligations,
    redact_terms: Iterable[str] = (),
    badge: BadgeSpec | None = None,
    title: str | None = None,
    credit_seconds: Fraction = Fraction(4),
    segmented: Segmented = ONE_PIECE,
    progress: Progress | None = None,
) -> LabelResult:
    """Disclose, watermark and sign ``render`` into ``output`` for the ``edit.applied`` entry ``edit``; the
    watermark pass runs in segments as ``segmented`` says (``labeler.watermark.embed_video``: the same output).
    ``progress`` gets the fraction of the labelling done: the disclosure pass, the watermark pass (each as its frames
    are written) and the signing and fingerprint, with the shares in ``LABEL_SHARES`` (``media.Stages``).

    Raises:
        UnsupportedFormatError: ``output`` is not MP4/MOV (C2PA cannot be embedded).
        ManifestContentError: the manifest would carry personal data (see ``redact_terms``).
        LabelerError: a required marking layer is unavailable, or a step failed (nothing is written).
    """
    render, output = Path(render), Path(output)
    media_type(output)
    if output.exists() or output.with_suffix(".vtt").exists() or output.with_suffix(".disclosure.json").exists():
        raise LabelerError(f"{output} already exists; deliverables are never overwritten — choose a new name")
    identity = load_identity(ws.keys_dir)
    key = watermark_key_for_leaf(edit.leaf_hash)
    want_wm = "watermark" in obligations.marking
    wm = _watermark_api() if want_wm else None
    forms = frozenset(DisclosureForm(f) for f in obligations.disclosure)
    variant = IconVariant(obligations.icon_variant) if obligations.icon_variant else IconVariant.PARTIALLY_MODIFIED
    spec = replace(badge or BadgeSpec(), variant=variant)  # the gate's obligations name the icon; the caller, the rest
    receipt = log.prove(edit.index)

    def manifest_label(algorithm: str | None, audio_algorithm: str | None = None) -> EditLabel:
        return EditLabel(
            title=output.name,
            source=facts.source,
            action=facts.action,
            operation=facts.operation,
            time_range=facts.time_range,
            region=facts.region,
            model_id=facts.model_id,
            training_manifest_sha256=facts.training_manifest_sha256,
            ledger=LedgerRef(log.origin, edit.index, edit.leaf_hash_hex, edit.checkpoint, receipt),
            watermark=WatermarkRef(algorithm, key, audio_algorithm) if algorithm else None,
            plate=facts.plate,
            frame_size=facts.frame_size,
        )

    terms = tuple(redact_terms)
    build_manifest(manifest_label(None), terms)  # privacy guard before any expensive step
    parent = _camera_parent(ws, facts.source.sha256)
    stages = _label_stages(progress, forms, wm is not None)
    work = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.stem}.label-"))
    try:
        current = render
        record = None
        if forms:
            disclosed = work / output.name
            request = DisclosureRequest(
                forms=forms,
                shots=(AlteredShot(facts.shot, facts.time_range.start, facts.time_range.end, facts.operation),),
                title=title or output.stem,
                badge=spec,
                credit_seconds=credit_seconds,
            )
            record = apply_disclosure(current, disclosed, request, progress=stages.part("disclose"))
            current = disclosed
        algorithm = audio_algorithm = None
        if wm is not None:
            marked = work / f"marked{output.suffix}"
            embedded = wm["embed_video"](
                current,
                marked,
                int(key, 16),
                mark_audio=True,
                progress=stages.part("watermark"),
                **segmented.kwargs(),
            )
            current, algorithm = marked, str(wm["ALGORITHM_ID"])
            marks = getattr(embedded, "audio_marks", ())
            audio_algorithm = str(marks[0].algorithm) if marks else None
        signed = sign_video(
            current,
            work / f"signed{output.suffix}",
            build_manifest(manifest_label(algorithm, audio_algorithm), terms),
            identity,
            tsa_url=ws.tsa_url,
            parent=parent,
        )
        as_signed = read_manifest_store(signed.manifest_store, verification_anchors(identity, ws.keys_dir))
        check_public(
            {"title": as_signed.label, "assertions": dict(as_signed.assertions), "ingredients": as_signed.ingredients},
            terms,
        )
        digest = ws.blobs.put_bytes(signed.manifest_store)
        assert digest == signed.manifest_sha256
        output_sha = sha256_file(signed.path)
        stages.at("sign", 0.5)
        print_ = fingerprint_video(signed.path, crops=REFERENCE_CROPS)
        sidecars = [output.parent / name for name in (record.sidecars if record else ())]
        signed.path.replace(output)
        placed = [output]
        try:
            for target in sidecars:
                (work / target.name).replace(target)
                placed.append(target)
            if algorithm:
                _index_key(ws.engine, key, log.origin, edit.index, signed.manifest_sha256, output_sha)
            _index_fingerprint(ws.engine, print_, log.origin, edit.index, signed.manifest_sha256, output_sha)
        except BaseException:
            for p in placed:
                p.unlink(missing_ok=True)
            raise
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    shutil.rmtree(work, ignore_errors=True)
    stages.at("sign", 1.0)
    return LabelResult(
        path=output,
        manifest_sha256=signed.manifest_sha256,
        watermark_key=key if algorithm else None,
        watermark_algorithm=algorithm,
        output_sha256=output_sha,
        origin=log.origin,
        edit_index=edit.index,
        disclosure=record,
        sidecars=tuple(sidecars),
        audio_watermark_algorithm=audio_algorithm,
        fingerprint=FingerprintFacts(algorithm=FP_ALGORITHM, sha256=print_.sha256, hashes=print_.count),
    )


# Each labelling pass's share of the progress, measured on a 74-frame 720p H.264 render (disclosure with icon and
# end card 61 s, watermark 93 s, fingerprint 5 s; signing copies and hashes the file, well under a second); a
# disclosure that only writes sidecars copies the video.
LABEL_SHARES = {"disclose": 0.66, "copy": 0.01, "watermark": 1.0, "sign": 0.06}


def _label_stages(progress: Progress | None, forms: frozenset[DisclosureForm], watermark: bool) -> Stages:
    shares: dict[str, float] = {}
    if forms:
        video = {DisclosureForm.ON_SCREEN_ICON, DisclosureForm.END_CREDIT} & forms
        shares["disclose"] = LABEL_SHARES["disclose" if video else "copy"]
    if watermark:
        shares["watermark"] = LABEL_SHARES["watermark"]
    shares["sign"] = LABEL_SHARES["sign"]
    return Stages(progress, **shares)


def _camera_parent(ws: Workspace, source_sha256: str) -> ParentAsset | None:
    """The source daily as the parent asset whose camera manifest the deliverable carries (None: no camera manifest
    was recorded at ingest, so nothing changes).

    Raises:
        LabelerError: the daily had a camera manifest but its file is gone or no longer carries that manifest —
            labelling without it would drop an existing marking (Measure 1.2); restore the daily first.
    """
    camera = provenance_of(ws.engine, source_sha256)
    if camera is None:
        return None
    clip = Catalogue(ws.engine).find(source_sha256)
    carried = embedded_store_sha256(clip.path) if clip is not None and clip.path.is_file() else None
    if clip is None or carried != camera.manifest_sha256:
        where = clip.path if clip is not None else f"clip {source_sha256[:12]}"
        raise LabelerError(
            f"the source daily ({where}) was camera-signed at ingest, but its file is missing or no longer carries "
            "that camera manifest; restore the original daily to its catalogued path and label again — the "
            "deliverable must carry the camera's manifest (EU Code of Practice, Measure 1.2)"
        )
    return ParentAsset(path=clip.path, trust_anchors_pem=camera_anchors(ws.keys_dir) or None)


def lookup_watermark_key(engine: Engine, key_hex: str) -> dict[str, Any] | None:
    """The row of ``app_watermark_keys`` for a key: origin, edit_index, manifest_sha256, output_sha256."""
    with engine.connect() as conn:
        row = conn.execute(select(watermark_keys).where(watermark_keys.c.key_hex == key_hex.lower())).first()
    return dict(row._mapping) if row is not None else None


def _watermark_api() -> dict[str, Any]:
    try:
        from labeler.watermark import ALGORITHM_ID, embed_video
    except ImportError:
        raise LabelerError(
            "the gate requires a watermark but the watermark embedder (labeler.watermark) is not installed"
        ) from None
    return {"embed_video": embed_video, "ALGORITHM_ID": ALGORITHM_ID}


def lookup_fingerprint(engine: Engine, query: Fingerprint) -> tuple[dict[str, Any], Match] | None:
    """The indexed deliverable whose fingerprint ``query`` matches best — among those that match, the smallest median
    distance (None when none matches).

    A linear scan of ``app_fingerprints``: fine for a production's deliverables (thousands); a larger index would
    need a nearest-neighbour structure over the 256-bit hashes.
    """
    best: tuple[dict[str, Any], Match] | None = None
    with engine.connect() as conn:
        for row in conn.execute(select(fingerprints)):
            m = match(query, Fingerprint.from_bytes(row.hashes))
            if m.matched and (
                best is None or (m.median_distance, -m.share) < (best[1].median_distance, -best[1].share)
            ):
                best = ({k: v for k, v in row._mapping.items() if k != "hashes"}, m)
    return best


def _index_fingerprint(
    engine: Engine, print_: Fingerprint, origin: str, index: int, manifest_sha256: str, output_sha256: str
) -> None:
    values = {
        "origin": origin,
        "edit_index": index,
        "manifest_sha256": manifest_sha256,
        "algorithm": FP_ALGORITHM,
        "hashes": print_.to_bytes(),
    }
    with engine.begin() as conn:
        if conn.execute(
            select(fingerprints.c.output_sha256).where(fingerprints.c.output_sha256 == output_sha256)
        ).first():
            conn.execute(update(fingerprints).where(fingerprints.c.output_sha256 == output_sha256).values(**values))
        else:
            conn.execute(insert(fingerprints).values(output_sha256=output_sha256, **values))


def _index_key(engine: Engine, key: str, origin: str, index: int, manifest_sha256: str, output_sha256: str) -> None:
    with engine.begin() as conn:
        existing = conn.execute(select(watermark_keys).where(watermark_keys.c.key_hex == key)).first()
        if existing is None:
            conn.execute(
                insert(watermark_keys).values(
                    key_hex=key,
                    origin=origin,
                    edit_index=index,
                    manifest_sha256=manifest_sha256,
                    output_sha256=output_sha256,
                )
            )
        elif (existing.origin, existing.edit_index) != (origin, index):
            raise LabelerError(
                f"watermark key {key} already identifies entry {existing.edit_index} of {existing.origin}"
            )
        elif (existing.manifest_sha256, existing.output_sha256) != (manifest_sha256, output_sha256):
            # The same edit labelled again (a render job resumed after a crash before ``label.applied``):
            # the key now leads to the manifest of the deliverable that is actually delivered.
            conn.execute(
                update(watermark_keys)
                .where(watermark_keys.c.key_hex == key)
                .values(manifest_sha256=manifest_sha256, output_sha256=output_sha256)
            )
