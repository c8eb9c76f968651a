"""The set in shade that the static silhouette took for a person, given back to the set.

GrabCut (:func:`editor.background._people._silhouette`) models colours, not light. Where a plain backdrop darkens
toward a corner (lens vignetting, a light that falls off) inside a person-shaped zone, the darker shade of the set
is a colour the set's model has not seen outside the zones, and the people's model, seeded by the zones, takes it:
a patch of the old set becomes "person" for the whole take and stays in the composite (the demo's blue booth, its
bottom-left corner, beside the talker's shoulder).

What tells that patch from a person is its light, not its colour: it is the set next to it, darker and otherwise
the same, and it changes **gently** from there (shading is smooth; a person's edge is a step). A silhouette pixel is
given back to the set when all of these hold:

1. it is the set continued, in shade: against the set inpainted across the silhouette from outside it (Telea), its
   median has a brightness ratio in [``RATIO_MIN``, ``RATIO_MAX``] and a chromaticity distortion (Horprasert et al.
   1999: :func:`~editor.background._people.shade_distortion`, as ``shadow_mask``) within ``max(3σ, TOL_MIN) +
   TOL_BRIGHT × brightness``; and that set is bright (``BRIGHT_MIN``): a dark set's colour direction is too
   uncertain to tell from a dark shirt;
2. nothing there moved during the take, and it is not a face or chest core (certainly a person);
3. its colour changes gently: no neighbour (8-connected) differs from it by more than ``max(STEP_NOISE × σ,
   STEP_MIN)`` (RGB distance) — a person's edge against the set is steeper (``STEP_MIN`` admits the row-to-row
   steps an MPEG-1 recording leaves in a plain booth);
4. it is reached from a **plain** stretch of the set through such pixels, within ``REACH`` of the shorter side:
   set pixels whose typical step to a neighbour (the median over 5×5 of the steps in 3) is at most
   ``max(PLAIN_NOISE × σ, PLAIN_MIN)``, and the gently varying set within 3 px of them (a row of blocking, the
   silhouette's blurred edge) — next to books or foliage, even out of focus, the inpainted set says nothing, and
   nothing is given back;
5. the patch it belongs to covers at least ``MIN_AREA`` of the frame: light falls off over an area, while a
   low-contrast stretch of hair or shirt that happens to pass 1–4 is a sliver.

Float RGB in [0, 1] at the estimate's work size throughout; σ is the set's temporal noise, taken as at most
``NOISE_CAP`` (the takes measured so far: 0–0.013), so that very grainy footage does not widen the tests past a
person's edge.

What this cannot tell is a person the set's own colour with an edge as soft as shading (a pale blue shirt, out of
focus, before a pale blue wall); any key fails there. The thresholds were set on the GRID booth takes and checked on
their held-out versions and on the bench's composites; ``BRIGHT_MIN`` and ``MIN_AREA`` were added when, without
them, the composites gave back a dark shirt's and a fair head of hair's pixels (``docs/benchmarks.md``, "The set in
shade given back").
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background._people import shade_distortion

F32 = np.ndarray  # float32
Bool = np.ndarray  # bool

RATIO_MIN = 0.6  # darker than this is not read as the set in shade
RATIO_MAX = 1.05
TOL_MIN = 0.02  # chromaticity distortion allowed (RGB distance) ...
TOL_BRIGHT = 0.03  # ... plus this share of the set's brightness
STEP_NOISE, STEP_MIN = 3.0, 0.08  # the largest colour step to a neighbour that is still shading
PLAIN_NOISE, PLAIN_MIN = 4.0, 0.02  # the typical step between neighbours on a plain set, at most
BRIGHT_MIN = 0.5  # a darker set's colour direction is too uncertain to tell it from a dark shirt
MIN_AREA = 0.001  # the smallest patch given back, as a share of the frame
REACH = 0.25  # how far into a silhouette the set may be followed, as a share of the shorter side
NOISE_CAP = 0.02  # σ above this (very grainy footage) counts as this: the tests would pass a person's edge


def _max_step(img: F32) -> F32:
    """Per pixel, the largest RGB distance to one of its 8 neighbours (edges replicated)."""
    pad = cv2.copyMakeBorder(img, 1, 1, 1, 1, cv2.BORDER_REPLICATE)
    h, w = img.shape[:2]
    out = np.zeros((h, w), np.float32)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                d = pad[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] - img
                np.maximum(out, np.sqrt((d * d).sum(-1)), out=out)
    return out


def plain_steps(step: F32, noise: float) -> Bool:
    """Where a set is a plain stretch (test 4): the typical step around a pixel — the median over 5×5 of ``step``,
    each pixel's largest step to a neighbour (:func:`_max_step`), so one row of MPEG-1 blocking does not count — is at
    most ``max(PLAIN_NOISE × σ, PLAIN_MIN)``, σ taken as at most ``NOISE_CAP``."""
    return cv2.medianBlur(step, 5) <= max(PLAIN_NOISE * min(noise, NOISE_CAP), PLAIN_MIN)


def set_in_shade(median: F32, silhouette: Bool, keep: Bool, noise: float) -> Bool:
    """The pixels of ``silhouette`` that are the set in shade, by the test in the module docstring.

    Args:
        median: The take's median (H×W×3 float32, [0, 1]).
        silhouette: The people's static silhouettes.
        keep: Pixels never to give back: what moved during the take, and the face and chest cores.
        noise: The set's temporal noise σ.
    """
    out = np.zeros_like(silhouette)
    if not silhouette.any() or silhouette.all():
        return out
    noise = min(noise, NOISE_CAP)
    m8 = (np.clip(median, 0, 1) * 255).round().astype(np.uint8)
    fill = cv2.inpaint(m8, silhouette.astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32) / 255.0
    ratio, distortion, bright = shade_distortion(median.astype(np.float32), fill)
    shaded = (ratio >= RATIO_MIN) & (ratio <= RATIO_MAX) & (distortion <= max(3 * noise, TOL_MIN) + TOL_BRIGHT * bright)
    shaded &= bright >= BRIGHT_MIN
    step = _max_step(median.astype(np.float32))
    gentle = step <= max(STEP_NOISE * noise, STEP_MIN)
    candidate = silhouette & ~keep & shaded & gentle
    if not candidate.any():
        return out
    plain = ~silhouette & plain_steps(step, noise)
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    grown = plain.astype(np.uint8)
    # The set between a plain stretch and the silhouette (a row of blocking, the silhouette's own blurred edge)
    # carries the growth if it is gentle and no farther than 3 px from the plain stretch.
    near = cv2.dilate(plain.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7))) > 0
    allowed = (candidate | plain | (~silhouette & gentle & near)).astype(np.uint8)
    for _ in range(max(1, round(REACH * min(silhouette.shape)))):
        nxt = cv2.dilate(grown, square) & allowed
        if np.array_equal(nxt, grown):
            break
        grown = nxt
    back = (silhouette & (grown > 0)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(back, connectivity=8)
    big = np.zeros(n, bool)
    big[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_AREA * back.size
    return big[labels]
