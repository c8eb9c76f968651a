"""`cutproof model train dialogue` and `cutproof edit dialogue` through the real CLI on a real workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.projects import get_project, project_log
from cutproof.core.workspace import Workspace
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
    assert "av_offset_target_met" in body["metrics"]
    code, out = run(
        home, "edit", "dialogue", NEU, "--performer", p1, "--audio", str(line), "--retime-only", "--out", str(slipped)
    )
    assert code == 0 and "wrote" in out, out
    ws = Workspace(home, None)
    log = project_log(ws, get_project(ws, "film"))
    kinds = [log.entry_json(i)["kind"] for i in range(log.size())]
    assert kinds.count("edit.direct/1") == 2 and "model.trained/1" in kinds  # edits outside the gate
