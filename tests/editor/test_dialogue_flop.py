"""A flopped shot (mirrored left to right) draws its mouths from the bank mirrored (``editor.dialogue.flop``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from editor.dailies import content_hash
from editor.dialogue import DialogueModel, dub, train_dialogue
from editor.dialogue.flop import MARGIN_DB, flop_test
from editor.dialogue.model import bank_crops
from editor.dialogue.track import read_range, track_face
from media import probe
from tests.editor._dialogue_media import line_from, rewrite_clip

ANG, SAD, NEU = "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"
PERFORMER = "actor-1001"


@pytest.fixture(scope="module")
def model(footage_dir: Path) -> DialogueModel:
    return train_dialogue([footage_dir / ANG, footage_dir / SAD, footage_dir / NEU], PERFORMER, steps=40)[2]


def _shot_mouths(path: Path, model: DialogueModel) -> np.ndarray:
    info = probe(path)
    frames = read_range(info, 0, info.frame_count)
    return bank_crops(frames, track_face(frames), (model.crops.shape[2], model.crops.shape[1]))


def test_a_take_as_shot_is_not_taken_for_flopped(footage_dir: Path, model: DialogueModel) -> None:
    pool = model.take_ids != model.take_hashes.index(content_hash(footage_dir / NEU))
    got = flop_test(model.crops, pool, _shot_mouths(footage_dir / NEU, model))
    assert not got.flopped and got.margin_db < 0 and got.mouths == 48


def test_a_flopped_take_is_taken_for_flopped(footage_dir: Path, model: DialogueModel, tmp_path: Path) -> None:
    pool = model.take_ids != model.take_hashes.index(content_hash(footage_dir / NEU))
    shot = _shot_mouths(rewrite_clip(footage_dir / NEU, tmp_path / "neu_flopped.mov", mirror=True), model)
    got = flop_test(model.crops, pool, shot)
    assert got.flopped and got.margin_db >= MARGIN_DB and got.share >= 0.75
    # the same mouths mirrored back read as shot: the test is about the picture, not the file
    assert not flop_test(model.crops, pool, np.ascontiguousarray(shot[:, :, ::-1])).flopped


def test_an_empty_pool_is_not_flopped(model: DialogueModel) -> None:
    got = flop_test(model.crops, np.zeros(len(model.crops), bool), model.crops[:4])
    assert not got.flopped and got.mouths == 0


def test_dub_of_a_flopped_shot_records_the_mirrored_bank(
    footage_dir: Path, model: DialogueModel, tmp_path: Path
) -> None:
    src = rewrite_clip(footage_dir / NEU, tmp_path / "neu_flopped.mov", mirror=True)
    line = line_from(footage_dir / NEU, tmp_path / "own.wav", start_s=0.3, seconds=1.0)
    result = dub(
        src, model, line, tmp_path / "dubbed.mov", performer=PERFORMER, start=10, model_ref=("a" * 64, "b" * 64),
        exclude_take=content_hash(footage_dir / NEU),
    )  # fmt: skip
    assert result.parameters["bank_flopped"] is True
    assert result.metrics["selection_flopped"] == 1.0 and result.metrics["selection_flop_margin_db"] >= MARGIN_DB
    as_shot = dub(
        footage_dir / NEU, model, line, tmp_path / "as_shot.mov", performer=PERFORMER, start=10,
        model_ref=("a" * 64, "b" * 64), exclude_take=content_hash(footage_dir / NEU),
    )  # fmt: skip
    assert "bank_flopped" not in as_shot.parameters and as_shot.metrics["selection_flopped"] == 0.0
