"""A labelled deliverable read by an independent C2PA implementation (@trustnxt/c2pa-ts, tools/c2pa-independent).

Our signing and our QC both use c2pa-rs (through c2pa-python); this reads the same file with a pure TypeScript
reader and checks issue 14's points on what *it* reports (bench/independent_c2pa.py holds the checks). Skipped only
when ``node`` is missing; when the tool's packages are not installed, ``npm ci`` installs them first.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.independent_c2pa import ensure_tool, points, read_independent, tampered_copy
from cutproof.core.workspace import Workspace
from cutproof.demo.tsa import LoopbackTsa
from labeler.identity import ensure_identity, load_identity
from labeler.timestamps import trust_tsa, tsa_anchors
from store.blobs import sha256_file
from tests._support.qc_scenario import Scenario, build
from tests._support.video import make_clip

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node (Node.js 20+) is not installed")


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory, loopback_tsa: LoopbackTsa) -> tuple[Scenario, Path, dict]:
    ensure_tool()
    d = tmp_path_factory.mktemp("independent")
    ws = Workspace(d / "home", tsa_url=loopback_tsa.url)
    ws.init()
    trust_tsa(ws.keys_dir, loopback_tsa.ca_pem)
    render = make_clip(d / "render.mp4", seconds=2, size=(320, 180))
    (d / "out").mkdir()
    sc = build(ws, render, d / "out")
    (d / "ca.pem").write_text(load_identity(ws.keys_dir).trust_anchors_pem)
    (d / "tsa.pem").write_text(tsa_anchors(ws.keys_dir))
    return sc, d, {sha256_file(render): render}


def _read(path: Path, d: Path, anchors: str = "ca.pem") -> dict[str, Any]:
    return read_independent(path, d / anchors, d / "tsa.pem")


def test_independent_reader_trusts_it_and_every_point_passes(labelled: tuple[Scenario, Path, dict]) -> None:
    sc, d, sources = labelled
    report = _read(sc.result.path, d)
    assert report["result"] == "Trusted", report["validation"]
    for code in ("claimSignature.validated", "assertion.bmffHash.match", "timeStamp.trusted"):
        assert code in report["validation"]["codes"]
    assert report["trust"]["anchor"].startswith("CN=Cutproof workspace C2PA root CA")
    assert report["active_manifest"]["claim_version"] == 2
    assert report["active_manifest"]["claim_generator"] == "Cutproof"
    checks = points(report, sc.result.path, sc.ws.home, sources)
    assert {k: c["ok"] for k, c in checks.items()} == dict.fromkeys(checks, True), checks


def test_one_flipped_byte_in_mdat_is_invalid(labelled: tuple[Scenario, Path, dict], tmp_path: Path) -> None:
    sc, d, _ = labelled
    bad = tmp_path / "tampered.mp4"
    tampered_copy(sc.result.path, bad)
    report = _read(bad, d)
    assert report["result"] == "Invalid"
    assert [f["code"] for f in report["validation"]["failures"]] == ["assertion.bmffHash.mismatch"]


def test_another_ca_is_not_trusted(labelled: tuple[Scenario, Path, dict], tmp_path: Path) -> None:
    sc, d, _ = labelled
    other = ensure_identity(tmp_path / "keys")[0]
    (d / "other.pem").write_text(other.trust_anchors_pem)
    report = _read(sc.result.path, d, "other.pem")
    assert report["validation"]["valid"] and not report["trust"]["trusted"]
    assert report["result"] == "Valid"


def test_each_point_fails_on_what_it_checks(labelled: tuple[Scenario, Path, dict]) -> None:
    sc, d, sources = labelled
    report = _read(sc.result.path, d)

    def failing(mutate: Any) -> set[str]:
        r = copy.deepcopy(report)
        mutate(r)
        return {k for k, c in points(r, sc.result.path, sc.ws.home, sources).items() if not c["ok"]}

    def gathered(r: dict) -> None:
        r["assertions"][1]["kind"] = "gathered"
        r["active_manifest"]["gathered_assertions"].append("self#jumbf=c2pa.assertions/" + r["assertions"][1]["label"])

    def untrained_model(r: dict) -> None:
        for a in r["actions"]:
            if a["action"] == "c2pa.edited":
                a["digitalSourceType"] = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicallyEnhanced"

    def full_frame(r: dict) -> None:
        shape = {"origin": {"x": 0, "y": 0}, "width": 320, "height": 180}
        for a in r["assertions"]:
            if a["label"] == "c2pa.actions.v2":
                a["data"]["actions"][1]["changes"] = [{"region": [{"type": "spatial", "shape": shape}]}]

    assert failing(gathered) == {"created_assertions"}
    assert failing(lambda r: r["watermarked_actions"].pop()) == {"watermark_declared"}
    assert failing(untrained_model) == {"digital_source_type"}
    assert failing(lambda r: r["strings"].append({"path": "/x/modelId", "value": "none"})) == {"no_placeholders"}
    assert failing(lambda r: r["strings"].append({"path": "/x/hash", "value": "0" * 64})) == {"no_placeholders"}
    assert failing(lambda r: r["ingredients"][0].update(format="video/x-flv")) == {"dc_format"}
    assert failing(full_frame) == {"region"}
    assert failing(lambda r: r["strings"].append({"path": "/x/title", "value": sources_name(sources)})) == {
        "private_titles"
    }
    assert failing(lambda r: r["signer"].update(ekus=["1.3.6.1.5.5.7.3.4"])) == {"signer_profile"}
    assert failing(lambda r: r["time_stamp"].update(present=False)) == {"time_stamp"}


def sources_name(sources: dict[str, Path]) -> str:
    return next(iter(sources.values())).name
