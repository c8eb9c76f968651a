"""One record of every kind, built from fixed values: the golden vectors in tests/fixtures/records are their
canonical bytes. Regression vectors (``<kind>@<version>--<what it pins>.json``) are named after what they pin or
caught."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from records import (
    AccessGranted,
    AccessRevoked,
    AudioTrackFacts,
    ColourFacts,
    ConsentGranted,
    ConsentRevoked,
    ConsentSuspended,
    CourtApproved,
    DailiesIngested,
    DecisionReason,
    DecisionReliance,
    DemoTourEntry,
    DirectEdit,
    DisclosureFacts,
    EditApplied,
    EditAsked,
    EditResultFacts,
    GateRequest,
    LabelApplied,
    MediaFacts,
    ModelTrained,
    Obligations,
    PackUsed,
    PerformerAmended,
    PerformerRegistered,
    PolicyDecided,
    ProjectCreated,
    ProjectSettings,
    Record,
    ReviewSigned,
    SlateFacts,
    SuspensionLifted,
    TrainingManifestFacts,
    WatermarkFacts,
)

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
H = {c: c * 64 for c in "0123456789abcdef"}

RESULT = EditResultFacts.model_validate(
    {
        "schema": "editor.edit-result/1",
        "kind": "lighting.relight",
        "source_hash": H["1"],
        "output": {
            "path": "renders/r1/render.mp4",
            "content_hash": H["2"],
            "codec": "libx264",
            "container": "mp4",
            "timecode": "01:00:00:00",
            "audio": ["remuxed"],
        },
        "model_id": H["3"],
        "training_manifest_hash": H["3"],
        "model_file_hash": H["4"],
        "parameters": {"adjustments": {"exposure": 0.5, "gamma": 1}, "feather": 16, "region": None},
        "frames": {"frames": [0, 48], "frame_rate": "24000/1001", "seconds": ["0/1", "2002/1000"]},
        "region": {"x": 0, "y": 0, "width": 640, "height": 360},
        "frame_size": {"width": 640, "height": 360},
        "metrics": {"mean_delta_e_in_region": 1.0828, "edited_frames": 48, "target_met": True},
    }
)
NO_MODEL_KEYS = ("model_id", "training_manifest_hash", "model_file_hash")
NO_MODEL_RESULT = EditResultFacts.model_validate(
    {
        **{k: v for k, v in RESULT.model_dump(mode="json").items() if k not in NO_MODEL_KEYS},
        "kind": "background.replace",
        "trained_model": False,
        "performers": [],
    }
)
"""Today's shape of an edit made without a trained model: it says so and carries no model key at all."""
CONSENT = DecisionReliance(
    kind="consent", rule_id="sag2023.alteration.consented", performer_id="prf_0123456789abcdef", grant_id=
    "cg_0123456789abcdef", ledger_index=6, exemption=None, justification=None,
)  # fmt: skip
EXEMPTION = DecisionReliance(
    kind="exemption", rule_id="sag2023.alteration.exempt-purpose", performer_id="prf_0123456789abcdef",
    grant_id=None, ledger_index=None, exemption="purpose:continuity", justification=None,
)  # fmt: skip
REQUEST = GateRequest(
    id="1a828d9e75804a2795b6c78b835370e4", project="old-film", clip=H["1"], scene="001", shot="A",
    edit=EditAsked(kind="relight", purpose="performance_change"), region="0,0,320,180", frames=(0, None),
    declared=("prf_0123456789abcdef",), detected=(), unidentified_faces=1,
    detection_method="haar-face-scan/1 (no cast model: faces are not matched to performers)",
)  # fmt: skip

VECTORS: dict[str, Record] = {
    "project.created@1": ProjectCreated(
        project="old-film",
        context=ProjectSettings(
            agreement="sag-aftra-tv-theatrical-2026",
            principal_photography_start=date(2026, 3, 2),
            distribution_territories=("US", "EU"),
            evidently_artistic=True,
            policy_packs=(),
        ),
    ),
    "dailies.ingested@1": DailiesIngested(
        content_hash=H["1"],
        file_name="001A_T01.mov",
        media=MediaFacts(
            container="mov,mp4,m4a,3gp,3g2,mj2",
            codec="prores",
            codec_family="prores",
            profile="HQ",
            width=1920,
            height=1080,
            pix_fmt="yuv422p10le",
            bit_depth=10,
            frame_rate="24000/1001",
            frame_count=240,
            timecode="01:00:00:00",
            colour=ColourFacts(primaries=1, transfer=1, matrix=1, range=1),
            audio=(AudioTrackFacts(index=1, codec="pcm_s24le", sample_rate=48000, channels=2, layout="stereo"),),
        ),
        slate=SlateFacts(scene="001", shot="A", take=1),
    ),
    "performer.registered@1": PerformerRegistered(
        project="old-film",
        performer_id="prf_0123456789abcdef",
        performer_kind="principal",
        representative_document_sha256=None,
        record_sha256=H["5"],
    ),
    "performer.amended@1": PerformerAmended(
        project="old-film",
        event_id="amd_0123456789abcdef",
        performer_id="prf_0123456789abcdef",
        performer_kind="principal",
        representative_document_sha256=H["6"],
        record_sha256=H["7"],
    ),
    "consent.granted@1": ConsentGranted(
        project="old-film",
        grant_id="cg_0123456789abcdef",
        performer_id="prf_0123456789abcdef",
        category="digital_alteration",
        edit_kinds=("background", "relight"),
        purposes=("performance_change",),
        shots=("12A", "12B"),
        scenes="all",
        separately_signed=True,
        signed_by="performer",
        signed_at=T,
        notice_given_at=None,
        document_sha256=H["8"],
        governing_law="US-CA",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=T,
        valid_until=T + timedelta(days=365),
        languages=None,
        record_sha256=H["9"],
    ),
    # The registry's times are fixed-width with microseconds, whatever offset they were given in.
    "consent.granted@1--fixed-width-utc-times-from-any-offset": ConsentGranted(
        project="old-film",
        grant_id="cg_0123456789abcdef",
        performer_id="prf_0123456789abcdef",
        category="ebdr",
        edit_kinds=("*",),
        purposes=("dubbing",),
        shots="all",
        scenes=("31",),
        separately_signed=True,
        signed_by="representative",
        signed_at=T.astimezone(timezone(timedelta(hours=-8))),
        notice_given_at=T - timedelta(hours=48, microseconds=1),
        document_sha256=H["8"],
        governing_law=None,
        contract_edition="sag-aftra-tv-theatrical-2023",
        valid_from=T,
        valid_until=None,
        languages=("fr", "es-MX"),
        record_sha256=H["9"],
    ),
    "consent.revoked@1": ConsentRevoked(
        project="old-film",
        event_id="rev_0123456789abcdef",
        grant_id="cg_0123456789abcdef",
        performer_id="prf_0123456789abcdef",
        effective_at=T + timedelta(days=30),
        record_sha256=H["a"],
    ),
    "consent.suspended@1": ConsentSuspended(
        project="old-film",
        suspension_id="sus_0123456789abcdef",
        scope="project",
        performer_id=None,
        categories=("ebdr", "icdr"),
        strike=True,
        start=T,
        end=None,
        record_sha256=H["b"],
    ),
    "consent.suspension_lifted@1": SuspensionLifted(
        project="old-film",
        event_id="lift_0123456789abcdef",
        suspension_id="sus_0123456789abcdef",
        end=T + timedelta(days=118),
        record_sha256=H["c"],
    ),
    "consent.court_approved@1": CourtApproved(
        project="old-film",
        event_id="crt_0123456789abcdef",
        grant_id="cg_0123456789abcdef",
        performer_id="prf_0123456789abcdef",
        approved_at=T + timedelta(days=9),
        court_document_sha256=H["d"],
        record_sha256=H["e"],
    ),
    "model.trained@1": ModelTrained(
        model_id=H["3"],
        model_kind="lighting",
        model_file_hash=H["4"],
        training_manifest=TrainingManifestFacts.model_validate(
            {
                "schema": "editor.training-manifest/1",
                "model_kind": "lighting",
                "code_version": "editor 0.1.0+src.0",
                "inputs": [{"content_hash": H["1"], "frame_rate": "25/1", "frames": [0, 50], "role": "source"}],
                "hyperparameters": {"lr": 0.002, "steps": 20, "device": "cpu", "pairing": None, "mono": True},
                "seeds": {"numpy": 0, "torch": 0},
            }
        ),
    ),
    "policy.decided@1": PolicyDecided(
        decision_id=H["f"],
        outcome="review",
        reasons=(
            DecisionReason(
                rule_id="eu.art50.4.deep-fake-undeclared",
                pack_id="eu-ai-act-art50",
                effect="review",
                citation="Regulation (EU) 2024/1689, Art. 50(4) — deployers disclose deep fakes",
                wording="read",
                explanation="The request does not say whether the result is a deep fake; legal must decide.",
                performer_id=None,
            ),
        ),
        relied_on=(CONSENT, EXEMPTION),
        obligations=Obligations(marking=("c2pa_metadata", "watermark"), disclosure=("end_credit", "sidecar")),
        inputs_hash=H["0"],
        policy_set_hash=H["1"],
        packs=(PackUsed(id="cutproof-core", version="1.0", sha256=H["2"]),),
        request=REQUEST,
    ),
    "access.granted@1": AccessGranted(
        project="the-film",
        username="lee",
        role="legal",
        granted_by="api:ada",
        time=datetime(2026, 12, 2, 19, 51, 37, 709803, tzinfo=UTC),
    ),
    "access.revoked@1": AccessRevoked(
        project="the-film",
        username="lee",
        role="legal",
        revoked_by="cli:ada",
        reason="left the production",
        time=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
    ),
    "review.signed@1": ReviewSigned(
        decision_id=H["f"],
        reviewer="cli:legal@studio",
        verdict="approve",
        note="approved with the deep-fake label",
        time=datetime(2026, 12, 2, 19, 51, 37, 709803, tzinfo=UTC),
        request_id=REQUEST.id,
        decision_index=15,
    ),
    # Sign-off times keep pydantic's ISO form (no fixed width): whole seconds have no fraction.
    "review.signed@1--iso-time-without-fraction": ReviewSigned(
        decision_id=H["f"],
        reviewer="legal",
        verdict="reject",
        note="no",
        time=T,
        request_id="r",
        decision_index=0,
    ),
    "edit.applied@1": EditApplied(
        request_id=REQUEST.id,
        decision_index=15,
        review_index=16,
        consent=(CONSENT,),
        result=RESULT,
        job_id="70739e02a4fe4867845773249a7f24e2",
    ),
    "edit.direct@1": DirectEdit(result=RESULT),
    "edit.applied@1--states-the-trained-model-and-the-gates-performers": EditApplied(
        request_id=REQUEST.id,
        decision_index=15,
        review_index=None,
        consent=(CONSENT,),
        result=RESULT.model_copy(update={"trained_model": True, "performers": ("prf_7c1d0a9e",)}),
    ),
    "edit.direct@1--no-trained-model-no-model-keys": DirectEdit(result=NO_MODEL_RESULT),
    "label.applied@1": LabelApplied(
        edit_index=17,
        deliverable="A_relight_3bfd4161.mp4",
        output_sha256=H["5"],
        manifest_sha256=H["6"],
        watermark=WatermarkFacts(algorithm="cutproof-wm/2", key="8ebae03aa954f147", audio_algorithm="cutproof-awm/1"),
        disclosure=DisclosureFacts.model_validate(
            {
                "schema": "cutproof.disclosure/1",
                "forms": ["end_credit", "on_screen_icon", "sidecar"],
                "badge": {
                    "corner": "top_right",
                    "variant": "partially_modified",
                    "rect": [560, 20, 60, 30],
                    "frame": [640, 360],
                    "height": "1/12",
                    "margin": "1/32",
                    "from": "0.500",
                    "to": "1.500",
                },
                "end_credit": {"start": "2.000", "pages": 1, "seconds_per_page": "4.000"},
                "sidecars": {"A.disclosure.json": H["7"], "A.vtt": H["8"]},
                "output_sha256": H["9"],
            }
        ),
        job_id="70739e02a4fe4867845773249a7f24e2",
    ),
    # A watermark with no audio mark leaves ``audio_algorithm`` out (0.1.0 never wrote it as null); a label made
    # outside a render job has no ``job_id``.
    "label.applied@1--no-audio-mark-no-job-keys-left-out": LabelApplied(
        edit_index=3,
        deliverable="x.mp4",
        output_sha256=H["5"],
        manifest_sha256=H["6"],
        watermark=WatermarkFacts(algorithm="cutproof-wm/2", key="0123456789abcdef"),
        disclosure=None,
    ),
    "demo.tour@1": DemoTourEntry(
        batch="model, decision, edit",
        sequence=2,
        says="the relight of shot A001C004 would be recorded here (edit.applied/1)",
        digest=H["a"],
    ),
}
