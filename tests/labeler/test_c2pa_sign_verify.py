"""Signing MP4/MOV deliverables with the real c2pa library and validating them under the project's trust anchors."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler import (
    EditAction,
    EditLabel,
    IngredientRef,
    LedgerRef,
    TimeRange,
    ValidationState,
    WatermarkRef,
    build_definition,
    check_public,
    ensure_identity,
    read_manifest,
    sign_video,
)
from labeler.errors import (
    ManifestContentError,
    ManifestNotFoundError,
    UnreadableAssetError,
    UnsupportedFormatError,
)
from labeler.manifest import COMPOSITE_TRAINED, LEDGER_ASSERTION, WATERMARK_ASSERTION
from media import Region
from tests._support.video import flip_byte_in_media_data, make_clip, remux, transcode

PERFORMER = "Dana Quill"


def _label(action: EditAction = EditAction.EDITED, operation: str = "relight") -> EditLabel:
    return EditLabel(
        title="shot-12.mp4",
        source=IngredientRef("12/12A take 3", "video/quicktime", "1" * 64),
        action=action,
        operation=operation,
        time_range=TimeRange(Fraction(1, 2), Fraction(3, 2)),
        region=Region(40, 30, 120, 90),
        model_id="relight-m7",
        training_manifest_sha256="2" * 64,
        ledger=LedgerRef(
            "cutproof.local/film", 17, "3" * 64, "cutproof.local/film\n18\nAAAA\n\n— key sig\n", "receipt"
        ),
        watermark=WatermarkRef("cutproof.wm/1", "00112233445566ff"),
        plate=IngredientRef("sky-plate.exr", "image/x-exr", "4" * 64) if action is EditAction.PLACED else None,
    )


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    return {"mp4": make_clip(d / "render.mp4"), "mov": make_clip(d / "render.mov", seed=1)}


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory):
    return ensure_identity(tmp_path_factory.mktemp("keys"))[0]


@pytest.fixture(scope="module")
def foreign_identity(tmp_path_factory: pytest.TempPathFactory):
    return ensure_identity(tmp_path_factory.mktemp("foreign"), organisation="Someone Else")[0]


@pytest.fixture(scope="module")
def signed(clips: dict[str, Path], identity, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("signed") / "shot-12.mp4"
    return sign_video(clips["mp4"], out, build_definition(_label(), redact_terms=[PERFORMER]), identity)


def test_sign_then_verify_is_trusted(signed, identity) -> None:
    report = read_manifest(signed.path, identity.trust_anchors_pem)
    assert report.state is ValidationState.TRUSTED
    assert not report.failures
    assert "assertion.bmffHash.match" in report.codes("successes")
    assert report.manifest_sha256 == signed.manifest_sha256
    assert report.embedded
    opened, edited, watermarked = report.actions
    assert watermarked["action"] == "c2pa.watermarked"
    assert watermarked["parameters"]["com.cutproof.algorithm"] == "cutproof.wm/1"
    assert opened["action"] == "c2pa.opened" and opened["parameters"]["ingredients"]
    assert edited["action"] == "c2pa.edited"
    assert edited["digitalSourceType"] == COMPOSITE_TRAINED
    assert edited["softwareAgent"]["name"] == "Cutproof"
    assert edited["parameters"]["com.cutproof.modelId"] == "relight-m7"
    regions = edited["changes"][0]["region"]
    assert regions[0]["time"] == {"type": "npt", "start": "0.500", "end": "1.500"}
    assert regions[1]["shape"]["origin"] == {"x": 40.0, "y": 30.0}
    rel = {i["relationship"] for i in report.ingredients}
    assert rel == {"parentOf", "inputTo"}
    assert report.assertions[LEDGER_ASSERTION]["index"] == 17
    assert report.assertions[WATERMARK_ASSERTION]["key"] == "00112233445566ff"


def test_without_trust_anchor_the_project_signer_is_untrusted(signed) -> None:
    report = read_manifest(signed.path, None)
    assert report.state is ValidationState.VALID


def test_one_flipped_byte_breaks_the_hard_binding(signed, tmp_path: Path, identity) -> None:
    tampered = tmp_path / "tampered.mp4"
    shutil.copy(signed.path, tampered)
    flip_byte_in_media_data(tampered)
    report = read_manifest(tampered, identity.trust_anchors_pem)
    assert report.state is ValidationState.INVALID
    assert "assertion.bmffHash.mismatch" in report.codes()


def test_foreign_ca_is_untrusted(clips: dict[str, Path], identity, foreign_identity, tmp_path: Path) -> None:
    out = sign_video(clips["mp4"], tmp_path / "foreign.mp4", build_definition(_label()), foreign_identity)
    report = read_manifest(out.path, identity.trust_anchors_pem)
    assert report.state is not ValidationState.TRUSTED
    assert "signingCredential.untrusted" in report.codes()
    assert report.signer_issuer == "Someone Else"


@pytest.mark.parametrize("action", [EditAction.DUBBED, EditAction.PLACED])
def test_mov_dubbed_and_placed(clips: dict[str, Path], identity, tmp_path: Path, action: EditAction) -> None:
    out = sign_video(clips["mov"], tmp_path / "out.mov", build_definition(_label(action)), identity)
    report = read_manifest(out.path, identity.trust_anchors_pem)
    assert report.state is ValidationState.TRUSTED
    assert report.actions[1]["action"] == str(action)
    if action is EditAction.PLACED:
        assert "componentOf" in {i["relationship"] for i in report.ingredients}
        assert report.actions[1]["parameters"]["ingredients"]


def test_stripped_manifest_is_not_found_and_the_stored_copy_no_longer_binds(signed, tmp_path: Path, identity) -> None:
    stripped = remux(signed.path, tmp_path / "stripped.mp4")
    with pytest.raises(ManifestNotFoundError, match="no C2PA manifest"):
        read_manifest(stripped, identity.trust_anchors_pem)
    report = read_manifest(stripped, identity.trust_anchors_pem, manifest_store=signed.manifest_store)
    assert not report.embedded
    assert report.manifest_sha256 == signed.manifest_sha256
    assert report.assertions[LEDGER_ASSERTION]["leafHash"] == "3" * 64
    assert report.state is ValidationState.INVALID  # a remuxed file is a different byte stream


def test_transcoded_file_has_no_manifest(signed, tmp_path: Path, identity) -> None:
    with pytest.raises(ManifestNotFoundError):
        read_manifest(transcode(signed.path, tmp_path / "crf28.mp4", crf=28), identity.trust_anchors_pem)


def test_unsigned_render_has_no_manifest(clips: dict[str, Path], identity) -> None:
    with pytest.raises(ManifestNotFoundError):
        read_manifest(clips["mp4"], identity.trust_anchors_pem)


def test_mxf_is_refused_with_an_alternative(clips: dict[str, Path], identity, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"MP4 or MOV.*sidecar"):
        sign_video(clips["mp4"], tmp_path / "master.mxf", build_definition(_label()), identity)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncated", "text"])
def test_truncated_or_non_video_input_leaves_nothing(
    clips: dict[str, Path], identity, tmp_path: Path, damage: str
) -> None:
    bad = tmp_path / "in" / "bad.mp4"
    bad.parent.mkdir()
    data = clips["mp4"].read_bytes()
    bad.write_bytes(data[: len(data) * 2 // 3] if damage == "truncated" else b"not a video at all\n" * 20)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(UnreadableAssetError, match="not a complete MP4/MOV"):
        sign_video(bad, out_dir / "x.mp4", build_definition(_label()), identity)
    with pytest.raises(UnreadableAssetError):
        read_manifest(bad, identity.trust_anchors_pem)
    assert list(out_dir.iterdir()) == []


def test_signed_manifest_carries_no_performer_data(signed) -> None:
    store = signed.manifest_store.lower()
    for word in (PERFORMER.lower().encode(), b"performer", b"consent", b"contract"):
        assert word not in store


def test_guard_rejects_performer_fields_and_redacted_names() -> None:
    definition = build_definition(_label())
    with pytest.raises(ManifestContentError, match="performer, consent or contract"):
        check_public({**definition, "com.cutproof.performerName": "x"})
    with pytest.raises(ManifestContentError, match="performer, consent or contract"):
        check_public({"assertions": [{"label": "x", "data": {"consent_terms": {"fee": 1}}}]})
    with pytest.raises(ManifestContentError, match="redacted term"):
        build_definition(_label(operation=f"relight {PERFORMER.upper()}'s face"), redact_terms=[PERFORMER])


@given(
    prefix=st.sampled_from(["", "com.cutproof.", "x_"]),
    word=st.sampled_from(["performer", "Consent", "contracts", "talentId", "actorName", "paymentTerms"]),
)
def test_guard_rejects_any_spelling_of_a_forbidden_key(prefix: str, word: str) -> None:
    with pytest.raises(ManifestContentError):
        check_public({"assertions": [{"data": {prefix + word: "v"}}]})


def test_edit_label_validates() -> None:
    with pytest.raises(ManifestContentError):
        TimeRange(Fraction(2), Fraction(1))
    with pytest.raises(ManifestContentError):
        WatermarkRef("cutproof.wm/1", "xyz")
    with pytest.raises(ManifestContentError, match="placed"):
        EditLabel(**{**_label().__dict__, "action": EditAction.PLACED})


def test_adapter_maps_a_broken_identity_to_a_signing_error_without_key_material(
    clips: dict[str, Path], identity, foreign_identity, tmp_path: Path
) -> None:
    from dataclasses import replace

    from labeler.errors import C2paSigningError

    mismatched = replace(identity, key_pem=foreign_identity.key_pem)  # chain of one CA, key of another
    with pytest.raises(C2paSigningError) as info:
        sign_video(clips["mp4"], tmp_path / "x.mp4", build_definition(_label()), mismatched)
    assert "PRIVATE KEY" not in str(info.value) and foreign_identity.key_pem[40:80] not in str(info.value)
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=40, deadline=None)
@given(
    start_ms=st.integers(0, 10**6),
    length_ms=st.integers(1, 10**5),
    action=st.sampled_from(list(EditAction)),
    operation=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40),
)
def test_any_valid_label_builds_a_public_definition(
    start_ms: int, length_ms: int, action: EditAction, operation: str
) -> None:
    label = EditLabel(
        **{
            **_label(action).__dict__,
            "operation": operation,
            "time_range": TimeRange(Fraction(start_ms, 1000), Fraction(start_ms + length_ms, 1000)),
        }
    )
    definition = build_definition(label)
    edit = definition["assertions"][0]["data"]["actions"][1]
    assert edit["action"] == str(action)
    t = edit["changes"][0]["region"][0]["time"]
    assert Fraction(t["start"]) == Fraction(start_ms, 1000) and Fraction(t["end"]) == Fraction(
        start_ms + length_ms, 1000
    )
