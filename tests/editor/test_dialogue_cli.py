"""`cutproof model train dialogue` and `cutproof edit dialogue` through the real CLI on a real workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.projects import get_project, project_log
from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from cutproof.edits.render import render_edit
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from tests.editor._dialogue_media import line_from

ANG, SAD, NEU = "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"CUTPROOF_PROJECT": "film"})
    text = result.output + (repr(result.exception) if result.exception else "")
    return result.exit_code, text if "--json" in args else " ".join(text.split())  # rich wraps long lines


def _ingest(home: Path, footage_dir: Path, tmp_path: Path, names: list[str]) -> None:
    assert run(home, "init")[0] == 0
    assert run(home, "project", "create", "film")[0] == 0
    card = tmp_path / "card"
    card.mkdir()
    for n in names:
        (card / n).write_bytes((footage_dir / n).read_bytes())
    code, out = run(home, "dailies", "ingest", str(card), "--json")
    assert code == 0, out


def test_edit_dialogue_without_a_model_is_refused(footage_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _ingest(home, footage_dir, tmp_path, [NEU])
    line = line_from(footage_dir / NEU, tmp_path / "l.wav", seconds=0.5)
    out = tmp_path / "o.mov"
    code, text = run(home, "edit", "dialogue", NEU, "--performer", "p1", "--audio", str(line), "--out", str(out))
    assert code != 0 and "no dialogue model for performer 'p1'" in text, text
    assert not out.exists()


@pytest.mark.slow
def test_train_and_dub_through_the_cli(footage_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _ingest(home, footage_dir, tmp_path, [ANG, SAD, NEU])
    code, out = run(home, "model", "train", "dialogue", "--performer", "p1", "--clips", f"{ANG},{NEU}", "--steps", "40")
    assert code != 0 and "not registered" in out, out  # a dialogue model is for a registered performer
    code, out = run(home, "performer", "add", "--name", "CREMA-D actor", "--kind", "principal")
    assert code == 0, out
    p1 = re.search(r"prf_[0-9a-f]+", out).group(0)  # type: ignore[union-attr]
    code, out = run(home, "model", "train", "dialogue", "--performer", p1, "--clips", f"{ANG},{NEU}", "--steps", "40")
    assert code == 0 and f"(dialogue, {p1})" in out and "held-out AV offset residual" in out, out
    assert re.search(r"lines read right: \d+ frames \d+%, \d+ frames \d+%, \d+ frames \d+%", out), out
    line = line_from(footage_dir / SAD, tmp_path / "l.wav", start_s=0.3, seconds=1.0)
    dubbed, slipped = tmp_path / "d.mov", tmp_path / "r.mov"
    code, out = run(
        home,
        "edit",
        "dialogue",
        NEU,
        "--performer",
        p1,
        "--audio",
        str(line),
        "--start",
        "5",
        "--out",
        str(dubbed),
        "--json",
    )
    assert code == 0, out
    body = json.loads(out.strip().splitlines()[-1])
    assert body["kind"] == "dialogue" and body["frames"]["frames"] == [5, 35] and dubbed.is_file()
    assert "av_offset_target_met" in body["metrics"] and body["parameters"]["keep_pauses"] is True
    code, out = run(home, "edit", "dialogue", NEU, "--performer", p1, "--audio", str(line), "--start", "5",
                    "--replace-pauses", "--out", str(tmp_path / "every.mov"))  # fmt: skip
    assert code == 0 and "a mouth placed on every frame of the range, pauses included" in out, out
    share = re.search(r"read only (\d+)% of (\d+)-frame lines", out)  # the note, where not every line read right
    assert share is None or "check the sync by eye" in out, out
    code, out = run(
        home, "edit", "dialogue", NEU, "--performer", p1, "--audio", str(line), "--retime-only", "--out", str(slipped)
    )
    assert code == 0 and "wrote" in out, out
    ws = Workspace(home, None)
    log = project_log(ws, get_project(ws, "film"))
    kinds = [log.entry_json(i)["kind"] for i in range(log.size())]
    assert kinds.count("edit.direct/1") == 3 and "model.trained/1" in kinds  # edits outside the gate
    # A gated dub through the render path: ``replace_pauses`` reaches the edit (the line's own pause before its
    # first word is left as shot by default, replaced when asked)
    project, clip = get_project(ws, "film"), Catalogue(ws.engine).get(NEU, project="film")
    own = line_from(footage_dir / NEU, tmp_path / "own.wav", seconds=0.6)
    digest = ws.blobs.put_file(own)
    record_upload(ws, "film", digest, size=own.stat().st_size, filename=own.name, by="test")
    kept = {}
    for replace in (False, True):
        params = {"performer": p1, "audio": f"blob:{digest}", "replace_pauses": replace}
        sub = EditSubmission(shot=NEU, kind="dialogue", purpose="adr", params=params)
        work = tmp_path / f"work{replace}"
        work.mkdir()
        result = render_edit(ws, project, clip, sub, work, lambda _p: None)
        assert result.parameters["keep_pauses"] is (not replace)
        kept[replace] = result.metrics["mouth_kept_frames"]
    assert kept[False] >= 4 and kept[True] == 0
