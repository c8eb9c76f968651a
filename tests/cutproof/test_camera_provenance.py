"""EU Code of Practice, Measure 1.2: a camera-signed daily keeps its provenance.

Cameras sign under their maker's CA (a separate "camera" CA here, not the project's). Ingest reads and validates the
daily's manifest against the camera trust list (``cutproof trust camera``) and records it — trusted, valid-untrusted,
or invalid and flagged; the deliverable's ``parentOf`` ingredient carries the camera's manifest unaltered; QC and
``cutproof verify`` say what the source's camera manifest is. Real c2pa-python signing, real ledger, real video.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.projects import create_project, get_project, project_log
from cutproof.core.recorded import scan
from cutproof.core.workspace import Workspace
from cutproof.dailies.ingest import ingest_dailies
from cutproof.dailies.provenance import provenance_of
from cutproof.qc.public import public_verification
from cutproof.qc.verify import verify_deliverable
from editor import Catalogue
from labeler._bmff import embedded_manifest_store
from labeler.c2pa_adapter import ValidationState, read_manifest
from labeler.camera import add_camera_anchor, camera_anchors, list_camera_anchors, remove_camera_anchor
from labeler.errors import LabelerError
from labeler.identity import load_identity
from labeler.timestamps import verification_anchors
from records import DailiesIngested
from store.blobs import sha256_file
from tests._support.c2pa_reader import read_store, walk_strings
from tests._support.camera import CAMERA_MAKER, OPERATOR, CameraCA, camera_sign, make_camera_ca
from tests._support.qc_scenario import build
from tests._support.video import flip_byte_in_media_data, make_clip

SIGNED, TAMPERED, FOREIGN, PLAIN = "012A_T01.mp4", "012A_T02.mp4", "012B_T01.mp4", "012C_T01.mp4"


class Card:
    def __init__(self, d: Path) -> None:
        self.d = d
        self.home = d / "home"
        self.ws = Workspace(self.home)
        self.ws.init()
        create_project(self.ws, "the-film", identity="cli:admin")
        self.camera: CameraCA = make_camera_ca()
        self.other: CameraCA = make_camera_ca("Other Maker cameras", "body 7")
        self.folder = d / "card"
        self.folder.mkdir()
        raw = make_clip(d / "raw.mp4", seconds=1, size=(320, 240), audio=False)
        camera_sign(self.camera, raw, self.folder / SIGNED)
        camera_sign(self.camera, make_clip(d / "raw2.mp4", seconds=1, size=(320, 240), audio=False, seed=2),
                    self.folder / TAMPERED)  # fmt: skip
        flip_byte_in_media_data(self.folder / TAMPERED)  # altered after capture
        camera_sign(self.other, make_clip(d / "raw3.mp4", seconds=1, size=(320, 240), audio=False, seed=3),
                    self.folder / FOREIGN)  # fmt: skip
        make_clip(self.folder / PLAIN, seconds=1, size=(320, 240), audio=False, seed=4)
        (d / "camera-root.pem").write_text(self.camera.root_pem)

    def cli(self, *args: str) -> object:
        return CliRunner().invoke(app, ["--home", str(self.home), *args])

    def hash_of(self, name: str) -> str:
        return sha256_file(self.folder / name)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Card:
    c = Card(tmp_path_factory.mktemp("camera"))
    added = c.cli("trust", "camera", "add", str(c.d / "camera-root.pem"))
    assert added.exit_code == 0, added.output  # type: ignore[attr-defined]
    out = c.cli("dailies", "ingest", str(c.folder), "--project", "the-film")
    assert out.exit_code == 0, out.output  # type: ignore[attr-defined]
    c.ingest_output = out.output  # type: ignore[attr-defined]
    return c


def test_trust_list_cli_adds_lists_and_removes(card: Card, tmp_path: Path) -> None:
    listed = card.cli("trust", "camera", "list", "--json")
    anchors = [json.loads(line) for line in listed.output.splitlines()]  # type: ignore[attr-defined]
    assert [a["subject"] for a in anchors] == [f"O={CAMERA_MAKER},CN={CAMERA_MAKER} C2PA root"]
    again = card.cli("trust", "camera", "add", str(card.d / "camera-root.pem"))
    assert "already trusted" in again.output  # type: ignore[attr-defined]
    leaf = tmp_path / "leaf.pem"
    leaf.write_text(card.camera.chain_pem)
    refused = card.cli("trust", "camera", "add", str(leaf))
    assert refused.exit_code != 0 and "not a CA certificate" in str(refused.exception)  # type: ignore[attr-defined]
    # remove and re-add on a scratch copy of the key directory, so the module's workspace keeps its list
    scratch = Workspace(tmp_path / "home")
    scratch.init()
    (added,) = add_camera_anchor(scratch.keys_dir, card.camera.root_pem)
    assert remove_camera_anchor(scratch.keys_dir, added.sha256[:12]) == added
    assert list_camera_anchors(scratch.keys_dir) == [] and camera_anchors(scratch.keys_dir) == ""
    with pytest.raises(LabelerError, match="no registered camera root"):
        remove_camera_anchor(scratch.keys_dir, added.sha256[:12])


def test_ingest_records_camera_provenance_and_flags_the_broken_one(card: Card) -> None:
    signed = provenance_of(card.ws.engine, card.hash_of(SIGNED))
    assert signed is not None and signed.state == "trusted" and not signed.flagged
    assert signed.signer_issuer == CAMERA_MAKER and signed.claim_generator == "LumenCam firmware/4.2.0"
    assert signed.manifest_label and signed.manifest_label.startswith("urn:c2pa:")
    store = embedded_manifest_store(card.folder / SIGNED)
    assert store is not None and card.ws.blobs.read_bytes(signed.manifest_sha256) == store  # kept, verbatim
    tampered = provenance_of(card.ws.engine, card.hash_of(TAMPERED))
    assert tampered is not None and tampered.flagged and tampered.state == "invalid"
    assert "assertion.bmffHash.mismatch" in tampered.failures
    foreign = provenance_of(card.ws.engine, card.hash_of(FOREIGN))
    assert foreign is not None and foreign.state == "valid-untrusted" and foreign.failures == ()
    assert provenance_of(card.ws.engine, card.hash_of(PLAIN)) is None
    # every file is catalogued (the broken one flagged, not refused), and the CLI says so
    assert {c.path.name for c in Catalogue(card.ws.engine).list("the-film")} == {SIGNED, TAMPERED, FOREIGN, PLAIN}
    text = " ".join(card.ingest_output.split())  # type: ignore[attr-defined]
    assert f"FLAGGED {TAMPERED}: camera-signed by {CAMERA_MAKER}, INVALID (assertion.bmffHash.mismatch)" in text
    assert f"camera-signed by {CAMERA_MAKER}, trusted" in text
    assert "valid, signer not on the camera trust list" in text and "1 flagged" in text


def test_ingest_ledger_entries_state_the_camera_manifest_truthfully(card: Card) -> None:
    log = project_log(card.ws, get_project(card.ws, "the-film"))
    entries = {f.record.file_name: f.record for f in scan(log) if isinstance(f.record, DailiesIngested)}
    assert entries[PLAIN].camera_manifest is None and "camera_manifest" not in entries[PLAIN].entry()
    signed, tampered = entries[SIGNED].camera_manifest, entries[TAMPERED].camera_manifest
    assert signed is not None and signed.state == "trusted" and signed.signer_issuer == CAMERA_MAKER
    assert signed.manifest_sha256 == provenance_of(card.ws.engine, card.hash_of(SIGNED)).manifest_sha256  # type: ignore[union-attr]
    assert tampered is not None and tampered.state == "invalid"
    assert tampered.failures == ("assertion.bmffHash.mismatch",)
    assert entries[FOREIGN].camera_manifest.state == "valid-untrusted"  # type: ignore[union-attr]


def test_ingest_json_reports_the_camera_manifest(card: Card) -> None:
    out = card.cli("dailies", "ingest", str(card.folder), "--project", "the-film", "--json")
    rows = {Path(r["file"]).name: r for r in map(json.loads, out.output.splitlines())}  # type: ignore[attr-defined]
    assert rows[TAMPERED]["outcome"] == "already-catalogued" and rows[TAMPERED]["camera_manifest"]["flagged"]
    assert rows[SIGNED]["camera_manifest"]["state"] == "trusted" and rows[PLAIN]["camera_manifest"] is None


def test_without_trust_anchors_the_manifest_is_valid_untrusted(card: Card, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    folder = tmp_path / "card"
    folder.mkdir()
    shutil.copy(card.folder / SIGNED, folder / SIGNED)
    ingest_dailies(ws, None, folder, identity="test")
    found = provenance_of(ws.engine, card.hash_of(SIGNED))
    assert found is not None and found.state == "valid-untrusted"
    assert found.describe() == f"camera-signed by {CAMERA_MAKER}, valid, signer not on the camera trust list"


@pytest.fixture(scope="module")
def labelled(card: Card, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("out")
    terms = (SIGNED, Path(SIGNED).stem, OPERATOR)  # what `private_terms` would hold, and the operator's name
    return build(card.ws, card.folder / SIGNED, out, name="shot-12.mp4", disclosure=(), redact_terms=terms)


def test_deliverable_carries_the_camera_manifest_as_parent_ingredient(card: Card, labelled) -> None:  # type: ignore[no-untyped-def]
    recorded = provenance_of(card.ws.engine, card.hash_of(SIGNED))
    assert recorded is not None
    anchors = verification_anchors(load_identity(card.ws.keys_dir), card.ws.keys_dir)
    report = read_manifest(labelled.result.path, anchors)
    assert report.state is ValidationState.TRUSTED and not report.failures
    parent = report.parent
    assert parent is not None and parent.label == recorded.manifest_label
    assert parent.state is ValidationState.TRUSTED and parent.signer_issuer == CAMERA_MAKER
    (ing,) = [i for i in report.ingredients if i.get("relationship") == "parentOf"]
    assert ing["active_manifest"] == recorded.manifest_label and ing["title"] == "12 take 1"
    assert ing["instance_id"] == f"cutproof:sha256:{card.hash_of(SIGNED)}"
    # read independently of c2pa-rs: the camera's manifest is in the store, exactly as the camera signed it
    store = embedded_manifest_store(labelled.result.path)
    camera_store = embedded_manifest_store(card.folder / SIGNED)
    assert store is not None and camera_store is not None
    ours, theirs = read_store(store), read_store(camera_store)
    assert [m.label for m in ours] == [theirs[0].label, report.label]
    assert ours[0].claim_bytes == theirs[0].claim_bytes and ours[0].assertions == theirs[0].assertions
    # our own manifest copies nothing private from it (the camera's manifest names its operator; ours never does)
    own = [s for _, s in walk_strings({"claim": ours[1].claim, "assertions": ours[1].assertions})]
    assert not [s for s in own if OPERATOR in s or SIGNED in s or Path(SIGNED).stem in s]


def test_qc_and_public_verify_report_the_source_camera(card: Card, labelled) -> None:  # type: ignore[no-untyped-def]
    report = verify_deliverable(card.ws, labelled.result.path)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    (check,) = [c for c in report.checks if c.name == "camera_provenance"]
    assert check.evidence["seen"] == f"source camera-signed by {CAMERA_MAKER}, trusted"
    answer = public_verification(card.ws, labelled.result.path)
    assert answer["source_camera"] == {
        "seen": f"source camera-signed by {CAMERA_MAKER}, trusted",
        "state": "trusted",
        "signer_issuer": CAMERA_MAKER,
    }
    said = json.dumps(answer)
    assert OPERATOR not in said and SIGNED not in said


def test_broken_camera_manifest_is_carried_with_its_failure(card: Card, tmp_path: Path) -> None:
    scenario = build(card.ws, card.folder / TAMPERED, tmp_path, name="shot-12b.mp4", disclosure=())
    anchors = verification_anchors(load_identity(card.ws.keys_dir), card.ws.keys_dir)
    report = read_manifest(scenario.result.path, anchors)
    assert report.state is ValidationState.TRUSTED  # our own manifest is fine ...
    assert report.parent is not None and report.parent.state is ValidationState.INVALID  # ... the camera's is not
    assert "assertion.bmffHash.mismatch" in report.parent.failures
    qc = verify_deliverable(card.ws, scenario.result.path)
    (check,) = [c for c in qc.checks if c.name == "camera_provenance"]
    assert check.evidence["state"] == "invalid" and "INVALID (assertion.bmffHash.mismatch)" in check.evidence["seen"]
    assert any("may have been altered after capture" in n for n in qc.notes)


def test_unsigned_daily_labels_as_before(card: Card, tmp_path: Path) -> None:
    scenario = build(card.ws, card.folder / PLAIN, tmp_path, name="shot-12c.mp4", disclosure=())
    anchors = verification_anchors(load_identity(card.ws.keys_dir), card.ws.keys_dir)
    report = read_manifest(scenario.result.path, anchors)
    assert report.parent is None and len(read_store(embedded_manifest_store(scenario.result.path) or b"")) == 1
    assert "camera_provenance" not in {c.name for c in verify_deliverable(card.ws, scenario.result.path).checks}


def test_labelling_refuses_to_drop_the_camera_manifest(card: Card, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere.mp4"
    shutil.move(card.folder / FOREIGN, moved)
    try:
        with pytest.raises(LabelerError, match=r"Measure 1\.2"):
            build(card.ws, moved, tmp_path, name="shot-12d.mp4", disclosure=())
        assert not (tmp_path / "shot-12d.mp4").exists()
    finally:
        shutil.move(moved, card.folder / FOREIGN)
