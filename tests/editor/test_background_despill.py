"""The old set's colour, smeared into the performer's edge by the codec's half-resolution chroma, is taken out."""

from __future__ import annotations

import cv2
import numpy as np

from editor.background.despill import band_px, despill
from editor.background.pipeline import BackgroundParams, ShotMatter
from editor.background.plate import plate_from_shot

H, W = 120, 160
SET = np.array([0.20, 0.75, 0.90], np.float32)  # a cyan-blue backdrop
SKIN = np.array([0.62, 0.46, 0.36], np.float32)
NEW = np.array([0.80, 0.30, 0.20], np.float32)  # the new set: red, so a cyan rim shows


def _scene() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(performer colour F, alpha, old set): a warm disc with a brightness texture, anti-aliased edge."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    r = np.sqrt((yy - H / 2) ** 2 + (xx - W / 2) ** 2)
    alpha = np.clip(38.5 - r, 0, 1).astype(np.float32)
    shade = 0.85 + 0.15 * np.sin(xx / 3.0) * np.sin(yy / 4.0)
    fg = np.clip(SKIN * shade[..., None], 0, 1).astype(np.float32)
    old = np.broadcast_to(SET, (H, W, 3)).astype(np.float32).copy()
    return fg, alpha, old


def _chroma_420(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` with its chroma stored at half resolution and brought back (a 4:2:0 recording)."""
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    small = cv2.resize(ycc[..., 1:], (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    ycc[..., 1:] = cv2.resize(small, (W, H), interpolation=cv2.INTER_LINEAR)
    return np.clip(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB), 0, 1).astype(np.float32)


def _band(alpha: np.ndarray) -> np.ndarray:
    r = band_px(alpha.shape)
    near = cv2.dilate((alpha <= 0.5).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2))
    return (near > 0) & (alpha > 0)


def test_the_old_sets_colour_bled_into_a_solid_edge_is_removed() -> None:
    fg, alpha, old = _scene()
    frame = _chroma_420(alpha[..., None] * fg + (1 - alpha[..., None]) * old)
    new = np.broadcast_to(NEW, frame.shape)
    truth = alpha[..., None] * fg + (1 - alpha[..., None]) * new
    band = _band(alpha)
    solid_edge = band & (alpha >= 1)
    # The recording leaves the set's colour at full opacity in the performer's outer pixel or two: composited as
    # they are, they show a rim of the old set (blue over red) ...
    naive = alpha[..., None] * frame + (1 - alpha[..., None]) * new
    rim = (naive - truth)[..., 2][solid_edge]
    assert rim.max() > 0.08
    # ... which the despill takes out: the edge's colour error falls by more than half, the blue excess with it.
    cleaned = despill(frame, alpha, old)
    comp = alpha[..., None] * cleaned + (1 - alpha[..., None]) * new
    before, after = np.abs(naive - truth)[band].mean(), np.abs(comp - truth)[band].mean()
    assert after < 0.5 * before
    assert (comp - truth)[..., 2][solid_edge].max() < 0.5 * rim.max()


def test_despill_keeps_brightness_and_everything_beyond_the_band() -> None:
    fg, alpha, old = _scene()
    frame = _chroma_420(alpha[..., None] * fg + (1 - alpha[..., None]) * old)
    cleaned = despill(frame, alpha, old)
    band = _band(alpha)
    np.testing.assert_array_equal(cleaned[~band], frame[~band])
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    np.testing.assert_allclose((cleaned @ luma)[band], (frame @ luma)[band], atol=2e-3)


def test_despill_leaves_a_performer_the_colour_of_the_set_and_a_frame_without_an_edge_alone() -> None:
    fg, alpha, _ = _scene()
    # A set of the performer's own chroma, only brighter: there is no colour to tell apart, so none is removed.
    ycc = cv2.cvtColor(fg, cv2.COLOR_RGB2YCrCb)[alpha >= 1].mean(axis=0)
    ycc[0] = min(1.0, ycc[0] + 0.25)
    same = cv2.cvtColor(ycc.reshape(1, 1, 3).astype(np.float32), cv2.COLOR_YCrCb2RGB).reshape(3)
    grey_set = np.broadcast_to(same, (H, W, 3)).astype(np.float32)
    frame = _chroma_420(alpha[..., None] * fg + (1 - alpha[..., None]) * grey_set)
    assert np.abs(despill(frame, alpha, grey_set) - frame).max() < 0.02
    ones = np.ones((H, W), np.float32)
    np.testing.assert_array_equal(despill(frame, ones, grey_set), frame)
    np.testing.assert_array_equal(despill(frame, 0 * ones, grey_set), frame)


def test_the_shot_pipeline_despills_when_asked() -> None:
    fg, alpha, old = _scene()
    frame = _chroma_420(alpha[..., None] * fg + (1 - alpha[..., None]) * old)
    plate = plate_from_shot([(old * 255).round().astype(np.uint8)], (H, W))
    on = ShotMatter(plate, BackgroundParams(despill=True)).foreground(frame, alpha)
    off = ShotMatter(plate, BackgroundParams()).foreground(frame, alpha)
    band = _band(alpha) & (alpha >= 1)
    assert BackgroundParams().as_dict()["despill"] is False  # opt-in
    np.testing.assert_array_equal(off[alpha >= 1], frame[alpha >= 1])  # solid pixels untouched without it
    assert (off[..., 2] - on[..., 2])[band].mean() > 0.02  # with it, the edge loses blue


def test_where_the_set_was_never_seen_the_band_reaches_twice_as_far_in() -> None:
    # A moving head's hair tips lie inside the static silhouette an estimated plate's matte follows there: solid in
    # the matte, the old set between them. Here: a ring of the set's colour mixed into the performer 6–7 px inside
    # the matte's edge, beyond the 4 px band.
    fg, alpha, old = _scene()
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    r = np.sqrt((yy - H / 2) ** 2 + (xx - W / 2) ** 2)
    tips = (r > 31.5) & (r < 33.5)
    frame = fg.copy()
    frame[tips] = 0.6 * fg[tips] + 0.4 * SET
    r_band = band_px(alpha.shape)
    assert r_band == 4 and np.all(38.5 - r[tips] > r_band)  # beyond the band where the set was seen
    seen = despill(frame, alpha, old)
    np.testing.assert_array_equal(seen[tips], frame[tips])
    unseen = np.zeros((H, W), bool)
    unseen[: H // 2] = True  # the top half's set was never seen (the head always covered it)
    got = despill(frame, alpha, old, unseen)
    top, bottom = tips & unseen, tips & ~unseen
    blue_before = (frame[..., 2] - frame[..., 0])[top].mean()
    assert (got[..., 2] - got[..., 0])[top].mean() < blue_before - 0.1  # the set's blue taken out of the tips
    np.testing.assert_array_equal(got[bottom], frame[bottom])  # where the set was seen: as before
    deep = (38.5 - r) > 2 * r_band + 1  # deeper than twice the band: untouched anywhere
    np.testing.assert_array_equal(got[deep], frame[deep])
