"""Where each person stood in each sampled frame: the static silhouette moved with them (step 4 of the estimate).

The plate is known where, in at least ``MIN_SEEN`` sampled frames, nobody covered the set (:mod:`editor.background
.plate`). "Covered" was the people's *static* silhouette — where they stood in most of the take — and what moved in
that frame. A talker who leans off his place for a stretch of the take uncovers set inside that silhouette, and the
frames that show it were counted as covering it (the silhouette, and what changed from the median there): it stayed
unknown, the matte kept it as him, and in every frame he leaned the composite kept a slab of the old set beside him.
Before books (``bench/background.py``, ``one-closeup-leaning``: the talker 19 px off his place for the last 30 % of
the frames) the halo round him was 312 ×1e3 against 8.6 standing still. Next to a plain set each frame keys what it
uncovers against the inpainted set (:mod:`editor.background._uncovered`); before books the inpainted set is a guess.

Per sampled frame and per piece of the silhouette (a connected component, a person or people touching):

1. **the move**: the translation within ``REACH`` (of the shorter side) at which the median's pixels under the piece
   best match the frame's (least squared difference, OpenCV's masked template matching);
2. it is **taken** only if it is at least ``MIN_MOVE`` pixels and explains the frame clearly better than standing
   still: its squared difference at most ``BETTER`` of the one at no move. Otherwise the piece stays where it
   stood (a talker who turns his head or speaks, or moves less than the segmentation's own margin);
3. the piece, moved, is where the person is in that frame (brought to the frame's edge where it touches it: a body
   cut by the frame's bottom goes on below it); what the piece covered and the moved piece does not is set that
   frame shows, and no longer counted as covered (:func:`covered`) — if the frame shows at least ``CHANGED`` of it
   changed from the median by more than ``max(3σ, FAINT)``: the person gone from there. Where it shows little change,
   whoever stood there may still stand there, and it stays covered. (Not the per-frame test's ``max(4σ, 0.04)`` less
   the set in a person's shadow, by which a dark shirt before dark books shows no change; nor pixel by pixel, which
   leaves out the pixels where the set happens to be the person's colour and, with the segmentation's margin round
   them, half of what a 19-px lean uncovers.)

The estimate then counts those pixels seen in that frame, as any other, with the segmentation's margin round the
moved piece: seen in ``MIN_SEEN`` frames they are known, their value the median over those frames, and the matte
keys them against it. Nor does the faint trace (:mod:`editor.background._faint`) count a sample's change where the
moved piece went beyond the silhouette: a lean held for a fifth of the take is no edge that moves now and then. A
lean is a move of the whole piece here. A talker who bends (the head moves, the shoulders less) and speaks as he
leans is explained less well by one move, and the gate of step 2 leaves him where he stood: on the weekly addresses
and the keyed takes nobody is followed. On "but here's the thing", where he leans in the last samples of the first
50 frames, the best move of the whole piece explains at most 3 % more than standing still, of his head alone (-6,
+6) px at the work size 23–32 % more (one-off, stop 59) — a gate that loose would also take the 2-pixel moves it
finds in samples where he barely moves. Next to a plain set, each frame keys what it uncovers instead
(:mod:`editor.background._uncovered`). Measured in ``docs/benchmarks.md``, "A talker who leans off his place".
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

F32 = np.ndarray  # float32
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

REACH = 0.05  # how far a person may be followed from where they stood, as a share of the shorter side
MIN_MOVE = 2  # px at the work size: a smaller move is within the segmentation's margin
BETTER = 0.5  # a move is taken where its squared difference is at most this share of standing still's
MIN_PIECE = 0.002  # pieces smaller than this share of the frame are not followed
FAINT = 0.03  # RGB distance from the median below which a sample shows no change, whatever the noise (._faint's)
CHANGED = 0.5  # share of what a followed person left that must show change for the sample to show it as set


def _moved(piece: Bool, dy: int, dx: int) -> Bool:
    """``piece`` translated by (dy, dx), continued to the frame's edge where it touches it."""
    h, w = piece.shape
    shift = np.float32([[1, 0, dx], [0, 1, dy]])
    edge = cv2.BORDER_REPLICATE
    return cv2.warpAffine(piece.astype(np.uint8), shift, (w, h), flags=cv2.INTER_NEAREST, borderMode=edge) > 0


def _move(sample: U8, median8: U8, piece: Bool, box: tuple[int, int, int, int], r: int) -> tuple[int, int]:
    """Steps 1–2 for one piece on one sample: its move (dy, dx), or (0, 0)."""
    x, y, bw, bh = box
    h, w = piece.shape
    top, left = min(r, y), min(r, x)
    bottom, right = min(r, h - (y + bh)), min(r, w - (x + bw))
    window = sample[y - top : y + bh + bottom, x - left : x + bw + right]
    template = median8[y : y + bh, x : x + bw]
    mask = np.repeat(piece[y : y + bh, x : x + bw, None], 3, axis=2).astype(np.uint8)
    cost = cv2.matchTemplate(window, template, cv2.TM_SQDIFF, mask=mask)
    still = float(cost[top, left])
    iy, ix = np.unravel_index(int(np.argmin(cost)), cost.shape)
    dy, dx = int(iy) - top, int(ix) - left
    if max(abs(dy), abs(dx)) < MIN_MOVE or float(cost[iy, ix]) > BETTER * still:
        return 0, 0
    return dy, dx


def followed(samples: Sequence[U8], median: F32, silhouette: Bool) -> list[Bool]:
    """Per sample (RGB uint8 at the work size), the static ``silhouette`` with each piece moved to where that sample
    shows it (steps 1–3 of the module docstring); the silhouette itself for a sample where nothing was followed."""
    h, w = silhouette.shape
    r = max(MIN_MOVE, round(REACH * min(h, w)))
    median8 = (np.clip(median, 0, 1) * 255).round().astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(silhouette.astype(np.uint8), connectivity=8)
    pieces = [
        (labels == k, tuple(int(v) for v in stats[k, :4]))
        for k in range(1, n)
        if stats[k, cv2.CC_STAT_AREA] >= MIN_PIECE * h * w
    ]
    out = []
    for sample in samples:
        where = silhouette
        for piece, box in pieces:
            dy, dx = _move(sample, median8, piece, box, r)  # type: ignore[arg-type]
            if dy or dx:
                where = (where & ~piece) | _moved(piece, dy, dx)
        out.append(where)
    return out


def covered(
    samples: Sequence[U8], median: F32, silhouette: Bool, blobs: Sequence[Bool], pad: np.ndarray, noise: float
) -> tuple[Bool, int]:
    """Per sample (a stack, samples first), what covered the set, dilated by ``pad`` (the segmentation's margin), and
    in how many samples somebody was followed off their place and the set they left counted as seen: the
    static silhouette and what moved in that sample (``blobs``), but the set its people left — what the silhouette
    holds, the silhouette as :func:`followed` moves it does not, and the sample shows changed from the median by more
    than ``max(3σ, FAINT)`` (``noise`` σ; where it shows no change, whoever stood there may still stand there)."""
    out, seen = [], 0
    faint = max(3.0 * noise, FAINT)
    for sample, where, blob in zip(samples, followed(samples, median, silhouette), blobs, strict=True):
        left = silhouette & ~where
        if left.any():
            change = np.sqrt(((sample[left].astype(np.float32) / 255.0 - median[left]) ** 2).sum(axis=-1))
            if (change > faint).mean() < CHANGED:
                left = np.zeros_like(left)
        seen += bool(left.any())
        out.append(cv2.dilate(((where | silhouette | blob) & ~left).astype(np.uint8), pad) > 0)
    return np.stack(out), seen
