"""Batch QC (``cutproof qc verify-batch`` and ``POST/GET /projects/{p}/qc/batch``): a delivery of a labelled file,
a tampered copy, an unlabelled clip and a truncated file, checked in parallel worker processes; every file's
verdict and failing checks are exactly single-file QC's; bad input is refused before anything is checked."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cutproof.api import create_app
from cutproof.cli.main import app
from cutproof.core import auth
from cutproof.core.jobs import JobQueue
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.qc.batch import QcBatchInputError, collect_inputs
from tests._support.qc_scenario import Scenario, build
from tests._support.video import flip_byte_in_media_data, make_clip

SECRET = "batch-secret-" + "z" * 32


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Path]:
    d = tmp_path_factory.mktemp("qcbatch")
    ws = Workspace(d / "home")
    ws.init()
    render = make_clip(d / "render.mp4", seconds=2, size=(320, 240))
    (d / "out").mkdir()
    scenario = build(ws, render, d / "out")
    folder = d / "delivery"
    (folder / "reel2").mkdir(parents=True)
    good = folder / scenario.result.path.name
    shutil.copy(scenario.result.path, good)
    for s in scenario.result.sidecars:  # sidecars travel with the deliverable; they are not deliverables
        shutil.copy(s, folder / s.name)
    tampered = folder / "reel2" / ("tampered-" + good.name)
    shutil.copy(good, tampered)
    flip_byte_in_media_data(tampered)
    make_clip(folder / "reel2" / "unlabelled.mp4", seconds=1, size=(320, 240), seed=3)
    (folder / "truncated.mov").write_bytes(good.read_bytes()[:5000])
    (folder / ".partial.mp4").write_bytes(b"an upload in progress")  # hidden: not part of the delivery
    return scenario, folder


def _single(home: Path, path: Path) -> tuple[str, list[str]]:
    """What ``cutproof qc verify`` says of one file: verdict (by exit code) and the failing checks."""
    res = CliRunner().invoke(app, ["--home", str(home), "qc", "verify", str(path), "--json"])
    if res.exit_code == 2:
        return "could not check", []
    body = json.loads(res.stdout)
    assert res.exit_code == {"pass": 0, "fail": 1}[body["verdict"]]
    return body["verdict"], [c["name"] for c in body["checks"] if c["status"] == "fail"]


def test_cli_batch_gives_each_file_its_single_file_verdict(delivery: tuple[Scenario, Path]) -> None:
    scenario, folder = delivery
    home = scenario.ws.home
    res = CliRunner().invoke(app, ["--home", str(home), "qc", "verify-batch", str(folder), "--json", "--workers", "2"])
    assert res.exit_code == 1, res.output  # not every file passes
    report = json.loads(res.stdout)
    assert report["schema"] == "cutproof.qc.batch/1" and report["verdict"] == "fail"
    names = sorted(Path(f["file"]).name for f in report["files"])
    assert names == sorted(["truncated.mov", scenario.result.path.name, "tampered-" + scenario.result.path.name,
                            "unlabelled.mp4"])  # fmt: skip
    for f in report["files"]:
        verdict, failing = _single(home, Path(f["file"]))
        assert f["verdict"] == verdict, f
        assert [c["name"] for c in f["failures"]] == failing, f
    assert report["counts"] == {"pass": 1, "fail": 2, "could not check": 1}


@pytest.mark.slow
def test_cli_batch_of_a_list(delivery: tuple[Scenario, Path]) -> None:
    """The files of a list (relative to it; comments, blanks and repeats ignored), human-readable output."""
    scenario, folder = delivery
    listing = folder / "delivery.txt"
    listing.write_text(f"# reel 1\n{scenario.result.path.name}\n\n{scenario.result.path.name}\n")
    res = CliRunner().invoke(app, ["--home", str(scenario.ws.home), "qc", "verify-batch", str(listing)])
    assert res.exit_code == 0, res.output
    assert "1 files: 1 pass, 0 fail, 0 could not check" in " ".join(res.stdout.split())


@pytest.mark.parametrize("bad", ["missing-dir", "empty-list", "missing-listed", "no-videos", "binary-list"])
def test_bad_input_is_refused_before_anything_is_checked(delivery, tmp_path: Path, bad: str) -> None:  # type: ignore[no-untyped-def]
    scenario, _folder = delivery
    source = tmp_path / "input"
    if bad == "empty-list":
        source.write_text("# nothing yet\n\n")
    elif bad == "missing-listed":
        source.write_text(f"{scenario.result.path}\n{tmp_path / 'gone.mp4'}\n")
    elif bad == "no-videos":
        source.mkdir()
        (source / "notes.txt").write_text("no deliverables here")
    elif bad == "binary-list":
        source.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(QcBatchInputError):
        collect_inputs(source)
    res = CliRunner().invoke(app, ["--home", str(scenario.ws.home), "qc", "verify-batch", str(source), "--json"])
    assert res.exit_code == 2, res.output
    assert res.stdout == ""  # no report, not even a partial one


def test_api_batch_queues_a_job_and_reports_single_file_verdicts(delivery: tuple[Scenario, Path]) -> None:
    scenario, folder = delivery
    ws = scenario.ws
    slug = scenario.log.origin.rsplit("/", 1)[1]
    tokens = {}
    for user, role in (("quinn", "qc"), ("ed", "editor")):
        auth.add_user(ws.engine, user)
        auth.grant_role(ws.engine, user, slug, role)
        tokens[user] = auth.issue_token(ws.engine, user, pepper=SECRET.encode()).token
    settings = Settings(home=ws.home, secret_key=SECRET, workers=1, qc_workers=1)
    base = f"/api/v1/projects/{slug}"
    qc = {"Authorization": f"Bearer {tokens['quinn']}"}
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".mp4", ".mov") and not p.name.startswith("."))
    with TestClient(create_app(settings, ws)) as client:
        refs = []
        for f in files:
            r = client.post(f"{base}/uploads", content=f.read_bytes(), headers={**qc, "X-Filename": f.name})
            assert r.status_code == 201, r.text
            refs.append(r.json()["ref"])
        # an unknown reference queues nothing; the editor role may not run QC
        jobs_before = len(JobQueue(ws.engine).list(slug))
        assert (
            client.post(f"{base}/qc/batch", json={"files": [*refs, "blob:" + "0" * 64]}, headers=qc).status_code == 404
        )
        assert client.post(f"{base}/qc/batch", json={"files": []}, headers=qc).status_code == 422
        ed = {"Authorization": f"Bearer {tokens['ed']}"}
        assert client.post(f"{base}/qc/batch", json={"files": refs}, headers=ed).status_code == 403
        assert len(JobQueue(ws.engine).list(slug)) == jobs_before

        r = client.post(f"{base}/qc/batch", json={"files": refs}, headers=qc)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"]
        assert client.get(f"{base}/qc/batch/{job_id}", headers=ed).status_code == 403
        deadline = time.monotonic() + 180
        while (status := client.get(f"{base}/qc/batch/{job_id}", headers=qc).json())["state"] != "succeeded":
            assert status["state"] in ("queued", "running") and time.monotonic() < deadline, status
            time.sleep(0.3)
        report = status["report"]
        assert status["checked"] == status["total"] == len(refs) and str(ws.home) not in json.dumps(status)
        for ref, entry in zip(refs, report["files"], strict=True):
            assert entry["file"] == ref
            single = client.post(f"{base}/qc", json={"file": ref}, headers=qc)
            if single.status_code == 422:  # could not check
                assert entry["verdict"] == "could not check", entry
                continue
            body = single.json()
            assert entry["verdict"] == body["verdict"], (entry, body)
            assert [c["name"] for c in entry["failures"]] == [
                c["name"] for c in body["checks"] if c["status"] == "fail"
            ]
        assert report["counts"]["could not check"] == 1
