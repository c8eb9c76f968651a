"""The deliverable's manifest, read with an independent JUMBF/CBOR reader (``tests._support.c2pa_reader``), says
exactly what happened, attributed to the signer (C2PA 2.2 claim v2), and nothing private.

One real flow on shared footage: a background replacement with no trained model, on an MPEG-1 daily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.workspace import Workspace
from cutproof.demo.tsa import LoopbackTsa
from cutproof.edits.flow import RENDER_JOB, run_render_job, sign_review, submit
from cutproof.edits.public import private_terms
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from cutproof.qc.verify import verify_deliverable
from labeler.identity import C2PA_CLAIM_SIGNING, DOCUMENT_SIGNING
from labeler.manifest import COMPOSITE, COMPOSITE_TRAINED
from labeler.timestamps import trust_tsa
from labeler.verify import SEEN_EMBEDDED
from tests._support.c2pa_reader import read_store, walk_strings
from tests._support.footage import CLIP, PLATE
from tests._support.placeholders import placeholders, placeholders_in_manifest_store
from tests._support.timestamps import verify_claim_time_stamp


def _deliver(ws: Workspace, film: Any) -> tuple[Path, Any]:
    project, performer, clips = film
    sub = EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose="continuity",
        performers=(performer.performer_id,),
        params={"plate": clips[PLATE].short_id},
        end=24,
    )
    gate, job = submit(ws, project, sub, identity="test:editor")
    if job is None:
        sign_review(ws, project, gate.request_id, approve=True, note="background only", reviewer="api:legal")
    pool = WorkerPool(JobQueue(ws.engine), {RENDER_JOB: lambda ctx, p: run_render_job(ws, ctx, p)})
    done = pool.run_one()
    assert done is not None and done.state == "succeeded", done.error if done else None
    rec = RequestStore(ws.engine).get(gate.request_id, "film")
    return Path(rec.deliverable or ""), rec


def test_flow_deliverable_manifest_is_conformant_honest_and_private(  # type: ignore[no-untyped-def]
    workspace: Workspace, film, loopback_tsa: LoopbackTsa
) -> None:
    project = film[0]
    workspace.tsa_url = loopback_tsa.url  # the setting (CUTPROOF_TSA_URL / --tsa-url)
    trust_tsa(workspace.keys_dir, loopback_tsa.ca_pem)
    path, _rec = _deliver(workspace, film)
    store = workspace.blobs.read_bytes(_manifest_sha(workspace, path))
    (manifest,) = read_store(store)

    # 1. claim v2: everything the signer states is a created assertion; nothing is merely gathered
    assert manifest.claim_label == "c2pa.claim.v2"
    assert manifest.gathered == []
    created = set(manifest.created)
    assert {"c2pa.actions.v2", "c2pa.ingredient.v3", "com.cutproof.ledger", "com.cutproof.watermark"} <= created
    assert created == set(manifest.assertions)

    # 2. honest source type: no trained model made this edit, so none is named
    actions = manifest.assertions["c2pa.actions.v2"]["actions"]
    edit = actions[1]
    assert edit["action"] == "c2pa.edited" and edit["digitalSourceType"] == COMPOSITE != COMPOSITE_TRAINED
    assert edit["parameters"]["com.cutproof.trainedModel"] is False
    assert "com.cutproof.modelId" not in edit["parameters"] and "com.cutproof.model" not in manifest.assertions
    ingredients = [v for k, v in manifest.assertions.items() if k.startswith("c2pa.ingredient")]
    assert [i["relationship"] for i in ingredients] == ["parentOf"]  # no "training manifest of model none"

    # 3. one c2pa.watermarked action per mark, each beside a soft-binding assertion
    marks = [a for a in actions if a["action"] == "c2pa.watermarked"]
    softs = [v for k, v in manifest.assertions.items() if k.startswith("c2pa.soft-binding")]
    assert marks and len(marks) == len(softs)
    assert {a["parameters"]["com.cutproof.medium"] for a in marks} >= {"video"}
    key = manifest.assertions["com.cutproof.watermark"]["key"]
    assert all(s["blocks"][0]["value"] == key and s["alg"].startswith("com.cutproof.") for s in softs)

    # 4. the source: probed format (MPEG-1 program stream), a production label, never the camera file name
    (parent,) = ingredients
    assert parent["dc:format"] == "video/mpeg"
    assert CLIP not in parent["dc:title"] and CLIP.rsplit(".", 1)[0] not in parent["dc:title"]

    # 5. the privacy guard's terms hold the registry's names and the camera file names; none appears anywhere
    terms = private_terms(workspace, project)
    assert "Grid Talker" in terms and CLIP in terms and PLATE in terms
    for where, text in walk_strings({"claim": manifest.claim, "assertions": manifest.assertions}):
        assert not any(t.casefold() in text.casefold() for t in terms), where

    # 6. no placeholder anywhere; a full-frame edit carries no spatial region
    assert placeholders_in_manifest_store(store) == []
    regions = edit["changes"][0]["region"]
    assert [r["type"] for r in regions] == ["temporal"]

    # 7. the signer's certificate follows the C2PA 2.x claim-signing profile
    leaf = x509.load_der_x509_certificate(manifest.signer_certificate_der())
    ekus = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ekus == {DOCUMENT_SIGNING, C2PA_CLAIM_SIGNING}

    # 8. the claim signature is time-stamped by the TSA; the token verifies without c2pa-rs
    verify_claim_time_stamp(manifest, loopback_tsa.ca_pem)

    # 9. QC says what it saw
    report = verify_deliverable(workspace, path, origin=project.origin)
    check = next(c for c in report.checks if c.name == "c2pa_manifest")
    assert str(check.status) == "pass" and check.evidence["seen"] == SEEN_EMBEDDED
    assert check.evidence["time_stamp"].endswith("validated, TSA trusted")


def _manifest_sha(ws: Workspace, path: Path) -> str:
    from labeler.c2pa_adapter import read_manifest

    sha = read_manifest(path, None).manifest_sha256
    assert sha is not None
    return sha


@pytest.mark.placeholders_allowed
def test_the_walker_finds_every_kind_of_placeholder() -> None:
    planted = {
        "model_id": "none",
        "scene": "Unknown",
        "hash": "0" * 64,
        "ingredient": {"instance_id": "cutproof:sha256:" + "0" * 64},
        "request_id": "",
        "ok": ["c2pa.edited", "1" * 64, "nonetheless"],
    }
    found = list(placeholders(planted))
    assert len(found) == 5, found
    assert not list(placeholders({"kind": "relight", "frames": [0, None], "model_id": None}))
