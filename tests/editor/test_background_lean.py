"""A talker who leans off his place for part of the take: followed in each sample, so the set he leaves is seen and his
lean is not traced as a faintly moving edge (:mod:`editor.background._lean`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from editor.background._lean import MIN_MOVE, covered, followed
from tests.editor._wide_shot import GRID_TAKES, Person, set_plates, wide_shot

H, W = 120, 160
SKIN = np.array([150, 100, 80], np.uint8)
PAD = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _disc(cy: float, cx: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W]
    return (yy - cy) ** 2 + (xx - cx) ** 2 < r**2


def _books() -> np.ndarray:
    xx = np.mgrid[0:H, 0:W][1]
    spines = np.where(((xx // 3) % 2 == 0)[..., None], [120, 60, 40], [40, 50, 90])
    return spines.astype(np.uint8)


def _face(img: np.ndarray, cx: int) -> np.ndarray:
    """A head with features (eyes, mouth) at ``cx``: something a move can be matched on."""
    out = img.copy()
    out[_disc(60, cx, 25)] = SKIN
    for dy, dx, r in ((-8, -9, 3), (-8, 9, 3), (10, 0, 4)):
        out[_disc(60 + dy, cx + dx, r)] = (30, 20, 20)
    return out


def _take(lean: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Ten samples of a head before books, the last three ``lean`` px to the right (within ``_lean.REACH``: 6 px
    here); the median and the silhouette."""
    samples = [_face(_books(), 80 + (lean if i >= 7 else 0)) for i in range(10)]
    median = np.median(np.stack(samples), axis=0).astype(np.float32) / 255.0
    return samples, median, _disc(60, 80, 25)


def test_a_talker_who_leans_is_followed_in_the_samples_that_show_him_leaning() -> None:
    samples, median, sil = _take(lean=5)
    where = followed(samples, median, sil)
    assert all(np.array_equal(w, sil) for w in where[:7])  # standing: where he stood
    for w in where[7:]:
        assert np.array_equal(w, _disc(60, 85, 25))  # leaning: moved with him
    # What he left is seen in the samples he leaned (the moved head and a margin still cover the rest): it changed
    # from the median there (the per-frame test's blobs).
    blobs = [np.sqrt(((s / 255.0 - median) ** 2).sum(-1)) > 0.04 for s in samples]
    hidden, leaned = covered(samples, median, sil, blobs, PAD, 0.005)
    assert leaned == 3
    left = sil & ~cv2.dilate(_disc(60, 85, 25).astype(np.uint8), PAD).astype(bool) & blobs[-1]
    assert left.sum() > 50
    assert not hidden[7:, left].any() and hidden[:7, left].all()
    assert hidden[7:][:, _disc(60, 85, 25)].all()
    # Where the sample shows no change, whoever stood there may still: nothing is taken as seen. Here the set he
    # leaves is his own colour (a skin-toned panel behind his left cheek), so the move is followed but shows nothing.
    panel = [s.copy() for s in samples]
    for s in panel:
        s[:, 50:62][~_disc(60, 85, 25)[:, 50:62]] = SKIN
    median = np.median(np.stack(panel), axis=0).astype(np.float32) / 255.0
    assert not np.array_equal(followed(panel, median, sil)[-1], sil)
    blobs = [np.sqrt(((s / 255.0 - median) ** 2).sum(-1)) > 0.04 for s in panel]
    hidden, leaned = covered(panel, median, sil, blobs, PAD, 0.005)
    assert hidden[:, sil].all() and leaned == 0


def test_a_move_under_the_margin_or_one_that_does_not_explain_the_sample_is_not_taken() -> None:
    samples, median, sil = _take(lean=MIN_MOVE - 1)
    assert all(np.array_equal(w, sil) for w in followed(samples, median, sil))
    # He turns away (his features gone) rather than leaning: no move explains it much better than standing still.
    samples, median, sil = _take(lean=0)
    samples[-3:] = [_books().copy() for _ in range(3)]
    for s in samples[-3:]:
        s[_disc(60, 80, 25)] = (90, 70, 60)
    assert all(np.array_equal(w, sil) for w in followed(samples, median, sil))


def test_a_body_cut_by_the_frames_edge_goes_on_below_it_when_moved() -> None:
    body = np.zeros((H, W), bool)
    body[70:, 50:110] = True
    stripes = _books()
    img = stripes.copy()
    img[body] = (200, 40, 40)
    img[80:90, 70:90] = (20, 200, 20)  # a badge to match on
    up = np.roll(img, -6, axis=0)
    up[-6:, 50:110] = (200, 40, 40)  # the body goes on below the frame
    up[-6:, :50], up[-6:, 110:] = stripes[-6:, :50], stripes[-6:, 110:]
    samples = [img] * 7 + [up] * 3
    median = np.median(np.stack(samples), axis=0).astype(np.float32) / 255.0
    where = followed(samples, median, body)
    assert where[-1][-6:, 50:110].all()  # the bottom rows stay covered
    assert where[-1][64:70, 50:110].all()


@pytest.fixture(scope="module")
def leaning(footage_dir: Path):  # type: ignore[no-untyped-def]
    """The GRID talker before the bookshelf, 2 % of the width off his place for the last 30 % of 24 frames."""
    return wide_shot(footage_dir, set_plates(footage_dir, (480, 270))["bookshelf"],
                     [Person(GRID_TAKES[0], 0.5, 1.0, lean=0.02)], 24)  # fmt: skip


def test_before_books_the_set_a_leaning_talker_leaves_is_seen_and_his_lean_is_no_edge(leaning, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The failure as found (``bench/background.py``, ``one-closeup-leaning``): the lean, 30 % of the samples, was
    traced as a faintly moving edge and kept in the silhouette, and the set he left stayed unknown; the matte kept
    the old set on both sides of him (halo 312 ×1e3 against 8.6 standing still)."""
    from editor.background import _lean
    from editor.background import plate as plate_module

    alphas = np.stack(leaning.alphas)
    standing = (alphas[:16] > 0.02).any(axis=0)  # where he is in the frames he stands
    leant = (alphas[18:] > 0.02).any(axis=0)
    into = leant & ~cv2.dilate(standing.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)  # leaned into
    left = standing & ~cv2.dilate(leant.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)  # left behind
    assert into.sum() > 200 and left.sum() > 200
    plate = plate_module.estimate_plate(leaning.frames)
    assert plate.performer[into].mean() < 0.1  # not traced as his edge (measured 0)
    assert plate.known[left].mean() > 0.9  # seen in the frames he leaned (measured 1)
    assert plate.leaned >= 6 and plate.describe()["samples_followed_off_their_place"] == plate.leaned
    truth = leaning.plate.astype(np.float32) / 255.0
    assert np.abs(plate.image - truth)[left & plate.known].max(axis=-1).mean() < 0.02  # the set, not him (0)
    still = lambda samples, _m, silhouette: [silhouette] * len(samples)  # noqa: E731
    monkeypatch.setattr(plate_module, "followed", still)
    monkeypatch.setattr(_lean, "followed", still)
    before = plate_module.estimate_plate(leaning.frames)
    assert before.performer[into].mean() > 0.5 and before.known[left].mean() < 0.1  # measured 0.63 and 0
    assert before.leaned == 0
