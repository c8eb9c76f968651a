"""The golden samples of an edit's way through the gate: the trained model, the edit request and the policy decision
on it, legal's review, the edit applied (or made directly), the label on the deliverable, and the demo tour."""

from __future__ import annotations

from datetime import UTC, datetime

from records import (
    DecisionReason,
    DecisionReliance,
    DemoTourEntry,
    DirectEdit,
    DisclosureFacts,
    EditApplied,
    EditAsked,
    EditResultFacts,
    FingerprintFacts,
    GateRequest,
    LabelApplied,
    ModelTrained,
    Obligations,
    PackUsed,
    PolicyDecided,
    Record,
    RequestResubmitted,
    ReviewSigned,
    TrainingManifestFacts,
    WatermarkFacts,
)
from tests.records._sample_values import H, T

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

EDIT_VECTORS: dict[str, Record] = {
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
    "policy.decided@1--no-slate-scene-left-out": PolicyDecided(
        decision_id=H["e"],
        outcome="allow",
        reasons=(),
        relied_on=(CONSENT,),
        obligations=Obligations(marking=("c2pa_metadata", "watermark")),
        inputs_hash=H["0"],
        policy_set_hash=H["1"],
        packs=(PackUsed(id="cutproof-core", version="1.0", sha256=H["2"]),),
        request=REQUEST.model_copy(update={"scene": None}),
    ),
    "request.resubmitted@1": RequestResubmitted(
        request_id="9f2c41d07be84a0c8a7d5e3f61b2c0aa", ended="failed", resubmitted_as=REQUEST.id
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
    "review.signed@1--answers-and-recomputed-obligations": ReviewSigned(
        decision_id=H["f"],
        reviewer="cli:legal@studio",
        verdict="approve",
        note="the relight changes the lead's face: a deep fake, disclosed in the end credits",
        time=datetime(2026, 12, 3, 2, 40, 0, 120000, tzinfo=UTC),
        request_id=REQUEST.id,
        decision_index=15,
        answers={"deep_fake": True},
        obligations=Obligations(marking=("c2pa_metadata", "watermark"), disclosure=("end_credit", "sidecar")),
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
    "label.applied@1--with-fingerprint": LabelApplied(
        edit_index=17,
        deliverable="A_relight_3bfd4161.mp4",
        output_sha256=H["5"],
        manifest_sha256=H["6"],
        watermark=WatermarkFacts(algorithm="cutproof-wm/2", key="8ebae03aa954f147"),
        disclosure=None,
        fingerprint=FingerprintFacts(algorithm="pdq/1 every 0.5 s, centre crops 1.0 0.8 0.6", sha256=H["7"], hashes=36),
    ),
    # The EU icon: its artwork id and every interval shown (re-shown after an ad break), each with its colour
    # variant and, where the picture needed one, the scrim under it.
    "label.applied@1--eu-icon-shown-intervals": LabelApplied(
        edit_index=17,
        deliverable="A_relight_3bfd4161.mp4",
        output_sha256=H["5"],
        manifest_sha256=H["6"],
        watermark=WatermarkFacts(algorithm="cutproof-wm/2", key="8ebae03aa954f147"),
        disclosure=DisclosureFacts.model_validate(
            {
                "schema": "cutproof.disclosure/1",
                "forms": ["on_screen_icon"],
                "badge": {
                    "icon": "eu-ai/1",
                    "corner": "top_right",
                    "variant": "partially_modified",
                    "rect": [1612, 54, 212, 72],
                    "frame": [1920, 1080],
                    "height": "1/15",
                    "margin": "1/20",
                    "from": "0.000",
                    "to": "125.000",
                    "shown": [
                        {"from": "0.000", "to": "5.000", "colour": "white_50"},
                        {"from": "120.000", "to": "125.000", "colour": "black", "scrim": "1/4"},
                    ],
                },
                "end_credit": None,
                "sidecars": {},
                "output_sha256": H["9"],
            }
        ),
    ),
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
