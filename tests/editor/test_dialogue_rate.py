"""A dub's shot at another frame rate than the model's takes (``editor.dialogue.rate``)."""

from __future__ import annotations

import io
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.dialogue import DialogueModel, dub, train_dialogue
from editor.dialogue.rate import bank_view, phases, retimed
from editor.dialogue.select import select_units
from tests.editor._dialogue_media import line_from, rewrite_clip

ANG, SAD, NEU = "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"
PERFORMER = "actor-1001"
NTSC = Fraction(30000, 1001)


def test_retimed_shows_each_frame_twice_at_twice_the_rate() -> None:
    assert retimed(4, Fraction(25), Fraction(50)).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert retimed(5, NTSC, NTSC).tolist() == [0, 1, 2, 3, 4]


def test_retimed_drops_one_frame_in_five_from_2997_to_23976() -> None:
    got = retimed(10, NTSC, Fraction(24000, 1001))
    assert got.tolist() == [0, 1, 3, 4, 5, 6, 8, 9]


rates = st.sampled_from([Fraction(24000, 1001), Fraction(24), Fraction(25), NTSC, Fraction(50), Fraction(60000, 1001)])


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 400), src=rates, dst=rates)
def test_retimed_shows_the_source_frame_on_screen_at_each_frame_centre(n: int, src: Fraction, dst: Fraction) -> None:
    got = retimed(n, src, dst)
    assert len(got) == max(1, math.ceil(n * dst / src)) and (np.diff(got) >= 0).all()
    for j, k in enumerate(got.tolist()):
        centre = (Fraction(j) + Fraction(1, 2)) / dst
        assert Fraction(k) / src <= centre < Fraction(k + 1) / src or k == n - 1


def test_bank_view_shows_each_take_at_the_shots_rate() -> None:
    take_ids = np.array([0, 0, 0, 1, 1])
    frame_ids = np.array([0, 1, 2, 0, 1])
    same = bank_view(take_ids, frame_ids, (Fraction(25), Fraction(25)), Fraction(25))
    assert same.source.tolist() == [0, 1, 2, 3, 4] and same.retimed_takes == ()
    assert bank_view(take_ids, frame_ids, None, Fraction(50)).source.tolist() == [0, 1, 2, 3, 4]
    mixed = bank_view(take_ids, frame_ids, (Fraction(25), Fraction(50)), Fraction(50))
    assert mixed.source.tolist() == [0, 0, 1, 1, 2, 2, 3, 4]
    assert mixed.frame_ids.tolist() == [0, 1, 2, 3, 4, 5, 0, 1] and mixed.retimed_takes == (0,)
    assert mixed.take_ids.tolist() == [0, 0, 0, 0, 0, 0, 1, 1]
    # one rate written two ways, or 29.97 against 30: frame for frame
    for a, b in ((NTSC, Fraction(989, 33)), (NTSC, Fraction(30)), (Fraction(24000, 1001), Fraction(24))):
        assert bank_view(take_ids, frame_ids, (a, a), b).source.tolist() == [0, 1, 2, 3, 4]
    # at a lower rate: both phases, every mouth kept, each phase numbered apart (no join from one to the next)
    down = bank_view(np.zeros(6, int), np.arange(6), (Fraction(50),), Fraction(25))
    assert down.source.tolist() == [0, 2, 4, 1, 3, 5] and down.frame_ids.tolist() == [0, 1, 2, 4, 5, 6]


def test_phases_down_to_23976_show_every_frame_of_a_2997_take() -> None:
    got = phases(12, NTSC, Fraction(24000, 1001))
    assert [p.tolist() for p in got] == [[0, 1, 2, 3, 5, 6, 7, 8, 10, 11], [0, 1, 3, 4, 5, 6, 8, 9, 10, 11]]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 400), src=rates, dst=rates)
def test_phases_show_every_frame_each_advancing_as_the_take_did(n: int, src: Fraction, dst: Fraction) -> None:
    got = phases(n, src, dst)
    assert sorted({k for p in got for k in p.tolist()}) == list(range(n))
    for p in got:
        steps = np.diff(p)
        assert (steps >= 0).all() and (steps <= -(-src // dst)).all()
        if len(p) > 20:  # in time: each phase advances src / dst frames per frame at dst, give or take one
            assert abs((int(p[-1]) - int(p[0])) - (len(p) - 1) * src / dst) <= 1


def test_selection_through_the_view_follows_the_take_at_its_own_speed() -> None:
    """A shot at 50 fps speaking take 0's line, its sound not the bank's own (descriptors that drift from frame to
    frame as speech does, plus noise): through the bank at the shot's rate each of take 0's mouths is held two
    frames, as the take moved. Chosen from the bank at its own 25 fps (the code before), following the take frame by
    frame plays its mouths faster: 64 % of the frames right here."""
    rng = np.random.default_rng(0)
    bank = np.cumsum(rng.normal(0, 0.5, (80, 6)), axis=0).astype(np.float32)
    take_ids, frame_ids = np.repeat([0, 1], 40), np.tile(np.arange(40), 2)
    thumbs = np.repeat(np.linspace(0, 1, 80)[:, None, None], 24, axis=1).reshape(80, 4, 6).astype(np.float32)
    view = bank_view(take_ids, frame_ids, (Fraction(25), Fraction(25)), Fraction(50))
    truth = retimed(40, Fraction(25), Fraction(50))
    query = bank[truth] + rng.normal(0, 0.6, (80, 6)).astype(np.float32)
    sel = select_units(query, bank[view.source], view.take_ids, view.frame_ids, thumbs[view.source])
    chosen = view.source[sel.indices]
    assert np.mean(chosen == truth) >= 0.85
    steps = np.diff(chosen)
    assert abs(np.mean(steps[(steps >= 0) & (steps <= 3)]) - 0.5) < 0.05  # half a bank frame per shot frame


def test_selection_at_a_lower_rate_keeps_the_takes_speed() -> None:
    """A shot at 25 fps speaking a 50 fps take's line: through both phases the chosen mouths advance two bank frames
    per shot frame, as the take moved. From the bank as it is, following it frame by frame plays them slower."""
    rng = np.random.default_rng(1)
    bank = np.cumsum(rng.normal(0, 0.5, (160, 6)), axis=0).astype(np.float32)
    take_ids, frame_ids = np.repeat([0, 1], 80), np.tile(np.arange(80), 2)
    thumbs = np.repeat(np.linspace(0, 1, 160)[:, None, None], 24, axis=1).reshape(160, 4, 6).astype(np.float32)
    truth = np.arange(0, 80, 2)
    query = bank[truth] + rng.normal(0, 0.6, (40, 6)).astype(np.float32)

    def speed(chosen: np.ndarray) -> float:
        steps = np.diff(chosen)
        return float(np.mean(steps[(steps >= 0) & (steps <= 3)])) / 2

    view = bank_view(take_ids, frame_ids, (Fraction(50), Fraction(50)), Fraction(25))
    sel = select_units(query, bank[view.source], view.take_ids, view.frame_ids, thumbs[view.source])
    before = select_units(query, bank, take_ids, frame_ids, thumbs)
    assert abs(speed(view.source[sel.indices]) - 1.0) < 0.1
    assert speed(before.indices) < 0.8


@pytest.fixture(scope="module")
def model(footage_dir: Path) -> DialogueModel:
    return train_dialogue([footage_dir / ANG, footage_dir / SAD, footage_dir / NEU], PERFORMER, steps=150)[2]


def test_model_keeps_its_takes_rates(model: DialogueModel) -> None:
    assert model.take_rates == (NTSC, NTSC, NTSC)
    assert DialogueModel.from_bytes(model.to_bytes()).take_rates == model.take_rates


def test_a_model_from_before_the_rates_were_kept_sees_the_bank_as_it_is(model: DialogueModel) -> None:
    """A ``dialogue-npz/2`` payload has no rates: it loads, and a shot at any rate sees the bank frame for frame."""
    z = np.load(io.BytesIO(model.to_bytes()))
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: z[k] for k in z.files if not k.startswith("rate_")})
    old = DialogueModel.from_bytes(buf.getvalue())
    assert old.take_rates is None
    view = old.view(Fraction(50))
    assert view.source.tolist() == list(range(len(old.crops))) and view.retimed_takes == ()


def test_dub_of_a_shot_at_twice_the_rate_times_the_bank_in_its_frames(
    footage_dir: Path, model: DialogueModel, tmp_path: Path
) -> None:
    src = rewrite_clip(footage_dir / NEU, tmp_path / "neu_5994.mov", repeat=2)
    line = line_from(footage_dir / NEU, tmp_path / "own.wav", start_s=0.3, seconds=1.0)
    out = tmp_path / "dubbed.mov"
    result = dub(src, model, line, out, performer=PERFORMER, start=20, model_ref=("a" * 64, "b" * 64))
    assert result.frames.end - result.frames.start == 60  # 1.0 s at 59.94 fps
    assert result.parameters["bank_retimed"] == {
        "takes": model.take_hashes,
        "from_fps": ["30000/1001"],
        "to_fps": "60000/1001",
    }
    assert abs(result.metrics["after_av_offset_frames"]) <= 1
