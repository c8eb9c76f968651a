"""The bank's crop size follows the takes' mouth boxes (``editor.dialogue.model.bank_size``): a large face's
mouth is stored, fitted and blended at its own scale, so its detail survives the round trip."""

from __future__ import annotations

import numpy as np

from editor.dialogue.blend import BANK_H, BANK_W, MouthPlan, place_mouth, work_size
from editor.dialogue.model import MAX_BANK_W, bank_crops, bank_size
from editor.dialogue.track import FaceTrack


def test_bank_size_rounds_the_box_and_keeps_within_bounds() -> None:
    assert bank_size(75) == (BANK_W, BANK_H) and bank_size(128) == (128, 80)  # small faces: as before
    assert bank_size(232) == (224, 140) and bank_size(250) == (256, 160)
    assert bank_size(370) == (MAX_BANK_W, 160)  # a 1080p close-up: capped
    assert work_size(np.zeros((40, 64, 3), np.uint8)) == (128, 80)  # an old 64×40 bank is fitted at 128×80
    assert work_size(np.zeros((140, 224, 3), np.uint8)) == (224, 140)


def _textured_face() -> tuple[np.ndarray, FaceTrack]:
    """A 1280×720 frame whose 240 px mouth box holds 5 px stripes (lip texture) in the lips' ellipse, and its
    track."""
    frame = np.full((720, 1280, 3), (200, 150, 130), np.uint8)
    face = np.array([[430.0, 150.0, 414.0, 414.0]])  # mouth box = 0.58 of the face's width: 240 px
    track = FaceTrack(0, face, 1)
    x, y, w, h = track.mouth_box(0).astype(int)
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = 40 * np.sign(np.sin(2 * np.pi * xx / 5.0))
    lips = ((xx - w / 2) / (0.3 * w)) ** 2 + ((yy - h / 2) / (0.2 * h)) ** 2 < 1
    frame[y : y + h, x : x + w] = np.clip(frame[y : y + h, x : x + w] + (lips * stripes)[..., None], 0, 255)
    return frame, track


def test_a_large_mouth_keeps_its_detail_through_the_bank() -> None:
    # The frame's own mouth through the bank and back: at 128×80 the stripes (2.7 px at that scale) are mostly
    # lost (24.8 dB over the mouth box); at the box's own 240×150, 31.6 dB (what remains is interpolation: the box
    # starts between pixels)
    frame, track = _textured_face()
    box = track.mouth_box(0)
    x, y, w, h = box.astype(int)

    def round_trip(size: tuple[int, int]) -> float:
        mouth = bank_crops([frame], track, size)[0]
        out = place_mouth(frame, mouth, box, plan=MouthPlan(axes=(0.7, 0.5)))[0]
        err = frame[y : y + h, x : x + w].astype(float) - out[y : y + h, x : x + w].astype(float)
        return float(10 * np.log10(255.0**2 / np.mean(err**2)))

    assert bank_crops([frame], track).shape == (1, 150, 240, 3)  # the default: the track's own box size
    small, own = round_trip((BANK_W, BANK_H)), round_trip(bank_size(box[2]))
    assert own > small + 4, (own, small)


def test_a_mouth_larger_than_the_largest_bank_is_area_averaged_into_it() -> None:
    # a 1080p close-up's 370 px mouth box: the crop is capped at 256×160 (area-averaged, not point-sampled) and a
    # mouth of that size is placed back over the whole box
    frame = np.full((1080, 1920, 3), (200, 150, 130), np.uint8)
    track = FaceTrack(0, np.array([[700.0, 300.0, 640.0, 640.0]]), 1)
    box = track.mouth_box(0)
    x, y, w, h = box.astype(int)
    frame[y : y + h, x : x + w : 2] = (90, 40, 40)  # 1 px stripes: above the crop's resolution
    mouth = bank_crops([frame], track)[0]
    assert box[2] > MAX_BANK_W and mouth.shape == (160, 256, 3)
    inner = mouth[40:120, 64:192].astype(float)
    # averaged (a 1.45× area average leaves a faint beat, 18 here); a point sample would swing ±55 between stripes
    assert np.abs(inner - inner.mean((0, 1))).max() < 25
    support = place_mouth(frame, mouth, box, plan=MouthPlan(axes=(0.7, 0.5)))[1]
    xs = np.nonzero(support)[1]
    assert xs.min() >= x - 2 and xs.max() <= x + w + 2 and xs.max() - xs.min() > 0.6 * w
