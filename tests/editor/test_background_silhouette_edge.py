"""The static silhouette's edge at full resolution (issue 18, branch sil): where the plate is unknown the silhouette
decides the matte, and it is segmented at a working width (480 px). Upsampled by nearest neighbour it keeps the
working grid's blocks and its segmentation's offset; brought up along the take's own edges it follows the person."""

from __future__ import annotations

import cv2
import numpy as np

from editor.background._edge import EDGE_RADIUS, upsample_silhouette
from editor.background.plate import estimate_plate
from editor.cast import FaceBox

W, H, WORK = 960, 540, 480


def _person(ss: int = 4) -> np.ndarray:
    """Coverage (0–1, anti-aliased by ``ss``× supersampling) of a still person whose edges fall between the working
    grid's lines: a head (ellipse) on sloping shoulders, centred off the grid."""
    m = np.zeros((H * ss, W * ss), np.uint8)
    cx, cy = round(473.3 * ss), round(231.7 * ss)
    cv2.ellipse(m, (cx, cy), (round(71.3 * ss), round(93.6 * ss)), 7.0, 0, 360, 1, -1)
    shoulders = np.array([[381.3, 318.6], [566.9, 311.2], [741.7, 540.0], [205.4, 540.0]]) * ss
    cv2.fillPoly(m, [shoulders.round().astype(np.int32)], 1)
    return cv2.resize(m.astype(np.float32), (W, H), interpolation=cv2.INTER_AREA)


def _scene(cover: np.ndarray, seed: int = 0) -> np.ndarray:
    """A textured set (RGB float32) with the person (a textured warm colour) composited over it."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    set_ = np.stack([0.25 + 0.1 * np.sin(xx / 23), 0.35 + 0.1 * np.cos(yy / 31), 0.55 + 0.05 * np.sin(xx / 7)], -1)
    person = np.stack([0.75 + 0.05 * np.sin(yy / 13), 0.55 + 0.05 * np.cos(xx / 17), 0.4 + 0 * xx], -1)
    img = cover[..., None] * person + (1 - cover[..., None]) * set_
    return np.clip(img + rng.normal(0, 0.01, img.shape), 0, 1).astype(np.float32)


def _wrong(mask: np.ndarray, truth: np.ndarray) -> int:
    return int((mask != truth).sum())


def test_edge_aware_upsampling_follows_an_edge_off_the_working_grid() -> None:
    cover = _person()
    truth = cover > 0.5
    median = _scene(cover)
    # The best any segmentation at the working width can do: the true coverage on its grid.
    small = cv2.resize(cover, (WORK, H * WORK // W), interpolation=cv2.INTER_AREA) > 0.5
    nearest = cv2.resize(small.astype(np.uint8), (W, H), interpolation=cv2.INTER_NEAREST) > 0
    up = upsample_silhouette(small, median)
    edge = int((cv2.morphologyEx(truth.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0).sum())
    # Nearest upsampling leaves the grid's staircase along the whole edge (``edge``: the 2-px-wide outline).
    assert _wrong(nearest, truth) > 0.1 * edge  # measured 492 of 2990
    assert _wrong(up, truth) < 0.3 * _wrong(nearest, truth)  # measured 50
    # A segmentation one working pixel off (GrabCut's edge inside the person) is pulled back onto the edge.
    shrunk = cv2.erode(small.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    off = cv2.resize(shrunk.astype(np.uint8), (W, H), interpolation=cv2.INTER_NEAREST) > 0
    assert _wrong(upsample_silhouette(shrunk, median), truth) < 0.3 * _wrong(off, truth)  # measured 518 vs 2962


def test_only_the_edge_can_change() -> None:
    cover = _person()
    median = _scene(cover)
    small = cv2.resize(cover, (WORK, H * WORK // W), interpolation=cv2.INTER_AREA) > 0.5
    nearest = cv2.resize(small.astype(np.uint8), (W, H), interpolation=cv2.INTER_NEAREST) > 0
    up = upsample_silhouette(small, median)
    r = round(EDGE_RADIUS * W / WORK)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    far = (cv2.erode(nearest.astype(np.uint8), disk) > 0) | (cv2.erode((~nearest).astype(np.uint8), disk) > 0)
    assert np.array_equal(up[far], nearest[far])
    # At the working size itself nothing moves; an empty silhouette stays empty.
    assert np.array_equal(upsample_silhouette(small, cv2.resize(median, small.shape[::-1])), small)
    assert not upsample_silhouette(np.zeros_like(small), median).any()


def test_estimated_plate_silhouette_follows_a_still_person() -> None:
    """Through the estimate: a person who never moves (found by the face given to it), so the set beside them is
    never seen and the static silhouette decides the matte there; its edge at full resolution is within about a
    pixel of the person's, and much closer than the working grid's blocks (``edge``: the 2-px-wide outline)."""
    cover = _person()
    truth = cover > 0.5
    rng = np.random.default_rng(1)
    base = _scene(cover)
    frames = [(np.clip(base + rng.normal(0, 0.005, base.shape), 0, 1) * 255).round().astype(np.uint8) for _ in range(6)]
    face = FaceBox(frame=0, x=418, y=170, width=110, height=120)
    plate = estimate_plate(frames, faces=[[face] if i % 3 == 0 else None for i in range(len(frames))])
    assert not plate.known[truth].any()  # the person's own pixels were never seen as set
    ring = cv2.dilate(truth.astype(np.uint8), np.ones((25, 25), np.uint8)) > 0
    ring &= ~(cv2.erode(truth.astype(np.uint8), np.ones((25, 25), np.uint8)) > 0)
    edge = int((cv2.morphologyEx(truth.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0).sum())
    wrong = int((plate.performer != truth)[ring & ~plate.known].sum())
    # Measured 97 of 2990; the old nearest upsampling of the 480-wide GrabCut (bench/_peers/plate_v7.py): 590.
    assert wrong < 0.1 * edge
