"""Background-replacement benchmark: mattes against a matte known exactly, on wide shots with several people.

One JSON line per metric. Not a test.

    PYTHONPATH=. python bench/background.py [--frames 24] [--quick] [--png DIR]

**Reference (what "truth" means).** The GRID talker stands before a flat blue backdrop: keyed (chroma key of the
backdrop, spill removed) and composited over plates with nobody in them, ``C = α*·F + (1 − α*)·P``, so ``α*`` is
exactly the alpha of ``C`` (``tests/editor/_wide_shot.py``). Cases (960×540): three talkers (two takes, one
mirrored, one delayed; faces 115–175 px) over two different sets — a flag-and-bookshelf and a library with a
lamp — with and without soft shadows cast on the set (shadows are background: ``α*`` excludes them); one talker
filling the frame, before the bookshelf and before a plain set (``one-wall``: a teal painted wall, synthetic), and
the same talker leaning off his place (``LEAN`` of the width) for the last 30 % of the frames before each
(``one-wall-leaning``, ``one-closeup-leaning``: the set he uncovers is one the estimate never saw, as on "but here's
the thing"); and
two cases built to be unrecoverable: the same three people frozen (nobody moves; people still found by their faces),
and a crowd of five people filling the frame. Two cases are no composite: each GRID take as recorded before its
booth (``one-booth``, ``one-booth-b``; ``tests.editor._wide_shot.as_shot``), whose vignetting and shading no
synthetic plate has, scored against the take's own key (360×284; no supplied-plate methods, as no empty plate of
that booth exists; the old set's colour at the edge is the booth as seen in other frames, inpainted where the
talker always stood). That key is not an exact alpha of the recording: it gives a partly mixed edge pixel less than
its share (a dead zone of 28 chroma levels), so the booth cases' MAD and halo are higher than a composite's for the
same matte — compare methods on them, not them with the composites. Split ``shared``: the shared GRID takes;
``heldout``: versions of them the project never saw (``bench/_heldout.py``: mirrored, H.264 CRF 28, ProRes
10-bit), and ``recorded``: the wide shot itself recorded as a camera would (H.264 4:2:0 CRF 18, so the set's colour
bleeds into the people's edges), matted from the recording and scored against the composite before it.

**Methods, same frames, same run.** ``new``: this code, plate estimated from the take; ``new-supplied-plate``: the
true empty plate given as a clean plate, registered to the take's framing and brought to its exposure as the edit
does (:mod:`editor.background._register`, :mod:`editor.background._exposure`); ``new-supplied-plate-unmatched``: the
same without those steps (the peer for ``--plate-gain R,G,B`` and ``--plate-shift DX,DY``, which scale and move the
supplied plate as if shot under other light or with the camera nudged, for ``--plate-warp DEGREES,SCALE``, which
turns and scales it about the frame's centre as if the tripod was knocked or the focus pulled, and for
``--plate-light``, which changes its light across the set); ``new-supplied-plate-translation``: registered by a move
only, as before a turn or a scale was followed (the peer for ``--plate-warp``); ``new-supplied-plate-register1``:
registered as main e98e759 did (``bench/_peers/register_v1.py``: a move found on the grey image, judged over the
whole seen set); ``new-supplied-plate-one-gain``: with one gain for the whole frame, as before the light's change
over the set was followed, and ``new-supplied-plate-plane``: with a plane but no pools of light
(:mod:`editor.background._light`; the peers for ``--plate-light``; the older supplied-plate peers below get the
plate so changed, as it is); ``new-supplied-plate-pools1``: the light matched as main 2a5e2a5 did (32 blocks across,
pools followed to 1.5×, 0 where no block nearby speaks, nothing refused for its light),
``new-supplied-plate-v37``: the pools as main 5ee95ce (stop 37) found and spread them
(``bench/_peers/light_pools_v37.py``: no noise floor, each pool block averaged with its neighbours, a heart beyond 3×
left out) and ``new-supplied-plate-unfilled``: this
code with the pools held at 0 behind the people instead of carried on (all peers for ``--plate-light``);
``new-supplied-plate-v38``: the clipped plate left to stand wherever the take never saw the set, as main ddbf745
(stop 38) did (the peer for a plate clipped white: ``--plate-gain`` above 1, a lamp on for the plate). Where
the edit would refuse a method's supplied plate (exit 2), that method does not run and a ``plate_refused`` line
gives the message;
``today``: main 9a91bc4's estimator and matting (``bench/_peers/plate_v1.py`` with border-seeded GrabCut,
``matte_v1.py``) in the same shot pipeline; ``new+refiner``: the per-shot refiner trained on the shot's own
pseudo-labels (never on ``α*``); ``matte4`` / ``matte4-supplied-plate``: branch matte4's per-frame matting
(``bench/_peers/matte_v4.py``: the soft band before its fix) with the same plates; ``matte5-supplied-plate``: branch
matte5's (``bench/_peers/matte_v5.py``: the narrow band before its flicker fix). The peers run in the shot pipeline as
it was before that fix (matte solved on the frame itself, then stabilised); ``matte6`` / ``matte6-supplied-plate``: main
after branch matte6 (``bench/_peers/matte_v6.py``, solved on the flow-denoised frame, then stabilised with one weight
everywhere: before the longer carry where the matte is the compositing equation's answer and the still-pixel test,
``editor/background/temporal.py``); every peer stabilises with main's stabiliser as it was then
(``bench/_peers/temporal_v6.py``); ``plate55``: the plate estimated as stop 55 left it (the silhouette not judged by
colour models its answer did not teach, ``editor.background._set_colour``: the same plate, so its composite is run only
where ``new`` is refused); ``torso``: the plate estimated with the judge's torso column ±0.4 and ±0.7 face-box widths
(``torso0.4``, ``torso0.7``: ``set_recovered`` only); ``noreturn``: where the set is plain, the silhouette's pixels
in the set's colours kept and counted as guessed instead of given back (``editor.background._set_colour.PLAIN_SET``
out of reach, nothing traced by faint motion as on a plain set: stop 56's first step; run only where ``new`` gave some
back); ``plate56``: the plate estimated as stop 56 left it (nothing added along a still person's faintly moving edge,
:mod:`editor.background._faint`); ``matte56``: this plate matted as stop 56 did, the guided filter's window as wide
where the set was never seen as elsewhere (``MatteParams.unseen_radius`` = ``radius``); ``stop56``: both (stop 56's
plate, matted as stop 56 did; run with ``plate56``); ``plate57``: the plate estimated with GrabCut never asked again
where the judge's doubts alone would refuse it (``plate.REASKS`` = 0, stop 57; run only where ``new`` asked again, its
composite only where it is not refused); ``trace57``: the plate estimated with the faint trace keeping what is a plain
stretch of set continued (``editor.background._faint.set_continued`` answering none, as stop 57 traced);
``plate58``: the plate estimated as stop 58 did, nobody followed off their place (``editor.background._lean``: the
static silhouette covers the set in every sample); ``stop58``: that plate matted as stop 58 did (no ``uncoverable``);
``uncover58``: this plate matted as stop 58 did, the static silhouette deciding wherever the set was never seen, with
no frame keying the set it uncovers next to a plain set (``CleanPlate.uncoverable`` None; run only where there is
such a zone, :mod:`editor.background._uncovered`); ``join59``: this code with stop 59's join, the set a frame
uncovers keyed only where it joins the keyable set directly, not through the unseen margin the silhouette leaves to
the set (run only where there is such a zone); ``bound59``: this code with stop 59's soft edge, not bounded by its
colour where the set was never seen (:mod:`editor.background._unmix`); ``stop59``: both as stop 59 left them;
``plate7``:
main a4abee8's plate estimate
(``bench/_peers/plate_v7.py``: the static silhouette upsampled from the 480-wide segmentation by nearest neighbour,
before branch sil's edge-aware upsampling) with this code's matting; ``truth-silhouette``: this code's plate with the
static silhouette replaced by the truth (the median over the frames of ``α* > 0.5``) — a diagnostic ceiling for what a
better static segmentation could give, not a method; ``matte_cpu_seconds_per_frame``: process CPU time per frame of each
method's matte (stabilisation included); ``plate_cpu_seconds``: process CPU time of the plate estimate (``new``,
``plate7``); ``mad_plate_unknown``: the part of ``matte_mad`` (same units, sums to it with the known part) from pixels
where the method's plate is unknown (there the static silhouette decides). ``--methods`` runs only the listed methods
(default: all).

**Metrics.** ``matte_mad`` (×1e3) and ``matte_dtssd`` (×1e2) as in Robust Video Matting's evaluation;
``set_replaced`` = share of the true set (α* < 0.02) whose estimated alpha is below 0.5 (the share of the old set
the edit replaces; an editor needs ~1); ``person_kept`` = share of the person (α* > 0.98) with alpha above 0.5;
``halo`` = mean estimated alpha over the 12-px band just outside the person (old set left around them ×1e3);
``set_recovered`` as the estimator reports it and whether the edit refused (``refused``), per case (with
``uncoverable``, the share of the frame where each frame keys the set it uncovers, and ``leaned``, the samples in
which somebody was followed off their place);
``set_coloured_truly_set``: of the silhouette's pixels the estimate holds in the set's colours
(:mod:`editor.background._set_colour`), the share the true matte calls the set in every frame (``truly_person``:
the person in every frame). The soft band:
``soft_band_ratio`` = fractional pixels (0.02 < α < 0.98) of the estimate ÷ the truth's; ``rim_alpha`` = mean
estimated alpha where 0.9 ≤ α* ≤ 0.98 (the edge's nearly opaque pixels); ``solid_soft`` = share of the person
(α* > 0.98) estimated below 0.98.

**Composite colour (the old set's fringe).** Each estimated matte is also composited over a new plate ``Q`` (flat
light blue, so a dark fringe shows) three times, in the same run: with the take's own pixels as the foreground colour
(``foreground: frame``, the edit before issue 18's fringe fix), with the colour recovered against the clean plate
(``foreground: multilevel``, :mod:`editor.background.foreground`; the plate the method used: estimated or
supplied), and with that colour despilled (``foreground: multilevel+despill``, :mod:`editor.background.despill`,
the edit's ``despill`` option; ``multilevel+despill-narrow``: the despill's band before 2026-12-05, no wider
where the plate was never seen). The truth composite is exact without knowing ``F``: ``C* = I + (1 − α*)(Q − P)``
(``I`` the composite before any recording). Caveat for the despill: the truth's ``F`` is the GRID talker keyed from
his blue booth, whose colour the MPEG-1 recording already bled into his hair's solid edge; the truth keeps that.
``--clean-truth-edges`` composites talkers with that bleed taken out of their solid edge first (the classic
blue-green suppression, not the product's despill: ``tests.editor._wide_shot.grid_key``), so the despill is judged
against a truth without it. ``--new-plate R,G,B`` replaces the colour scores' flat light-blue new set: light blue
lies near a booth's or a teal wall's colour, so a rim of the old set left in the hair is almost the truth's colour
there and costs little; against a warm new set the same rim counts.
Over the edge band (within 3 px of the truth's fractional pixels, ``0.02 < α* < 0.98``): ``edge_colour_err`` =
mean |C − C*| (×1e3) and ``old_set_leak`` = mean share of the old set's colour in the composite,
``max(0, (C − C*)·(P − Q) / |P − Q|²)`` (×1e3; where |P − Q| > 0.1), which counts both a matte that is too high
there and old-set colour inside the foreground.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import av
import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import FOOTAGE, make_variant  # noqa: E402
from _peers import matte_v1, matte_v4, matte_v5, matte_v6, matte_v59, plate_v1, plate_v7, register_v1, temporal_v6  # noqa: E402
from _peers.light_pools_v37 import V37  # noqa: E402

from editor.background import BackgroundParams, ShotMatter, estimate_plate, plate_from_shot  # noqa: E402
from editor.background import _exposure as exposure_steps  # noqa: E402
from editor.background import _lean as lean_steps  # noqa: E402
from editor.background import _light as light_steps  # noqa: E402
from editor.background import _register as register_steps  # noqa: E402
from editor.background import _set_colour as colour_steps  # noqa: E402
from editor.background import plate as plate_steps  # noqa: E402
from editor.background._exposure import match_exposure  # noqa: E402
from editor.background._register import register_plate  # noqa: E402
from editor.background.despill import despill  # noqa: E402
from editor.background.errors import PlateMismatchError, PlateUnrecoverableError  # noqa: E402
from editor.background.foreground import estimate_foreground  # noqa: E402
from editor.background.matte import MatteParams, matte_frame  # noqa: E402
from editor.background.metrics import dtssd, mad  # noqa: E402
from editor.background.plate import MIN_SET_RECOVERED, CleanPlate, require_recoverable  # noqa: E402
from editor.background.refiner import RefinerConfig, train_refiner  # noqa: E402
from media import reproducible_options  # noqa: E402
from tests.editor._wide_shot import (  # noqa: E402
    GRID_TAKES,
    Person,
    WideShot,
    as_shot,
    painted_wall,
    set_plates,
    wide_shot,
)

SIZE = (960, 540)
LEAN = 0.02  # how far the leaning talker leans, of the width: 19 px here ("but here's the thing": 15–25 px at 720p)
THREE = [(0, 0.2, 0.55, 0, False), (1, 0.52, 0.62, 0, True), (0, 0.82, 0.48, 30, False)]
NEW_PLATE: tuple[float, ...] = (0.55, 0.75, 0.95)  # flat light blue: the old set's dark fringe shows against it
PLATE_GAIN: tuple[float, ...] = (1.0, 1.0, 1.0)  # the supplied clean plate shot under the take's light (--plate-gain)
PLATE_SHIFT: tuple[float, ...] = (0.0, 0.0)  # ... and from the take's framing (--plate-shift)
PLATE_WARP: tuple[float, ...] = (0.0, 1.0)  # ... turned (degrees) and scaled about the frame's centre (--plate-warp)
PLATE_LIGHT = ""  # ... and with light changed over the set: "ramp:L,R[,T,B]" or "spot:GAIN,X,Y,SIGMA" (--plate-light)
CROWD = [(0, 0.1, 0.7, 0, False), (1, 0.3, 0.8, 10, True), (0, 0.5, 0.75, 20, False), (1, 0.7, 0.8, 5, False),
         (0, 0.9, 0.7, 40, True)]  # fmt: skip


class _OldStabiliser(ShotMatter):
    """The shot pipeline with main's stabiliser as it was after branch matte6 (``bench/_peers/temporal_v6.py``)."""

    def __init__(self, plate: Any, params: BackgroundParams) -> None:
        super().__init__(plate, params)
        self._stabiliser = temporal_v6.Stabiliser(params.stabilise, params.stabilise_tolerance)  # type: ignore[assignment]


class _PeerMatter(_OldStabiliser):
    """A peer's per-frame matting in the shot pipeline as it was before issue 18's temporal fix: solved on the
    frame itself (not the flow-denoised frame), then stabilised."""

    def _stable_work(self, small: np.ndarray) -> np.ndarray:
        return self._stabiliser.step(small, self._raw_work(small))


class MatterV6(_OldStabiliser):
    """Main's matting after branch matte6 (00c6cc6: soft choice among the candidates, the compositing equation solved
    on the flow-denoised frame) in its own shot pipeline: the stabiliser's one weight (``stabilise``) everywhere,
    before issue 18's longer carry where the matte is the equation's answer."""

    def _stable_work(self, small: np.ndarray) -> np.ndarray:
        motion = self._stabiliser.motion(small)
        alpha = matte_v6.matte_frame(small, self.plate, self.params.matte, motion.clean).alpha
        return self._stabiliser.step(small, alpha, motion)


class MatterV5(_PeerMatter):
    """Branch matte5's per-frame matting (afdfa2c: hard choice of the foreground colour among candidates, up to two
    pull-backs) in the same shot pipeline: the soft band before issue 18's flicker fix."""

    def _raw_work(self, small: np.ndarray) -> np.ndarray:
        return matte_v5.matte_frame(small, self.plate, self.params.matte).alpha


class MatterV4(_PeerMatter):
    """Branch matte4's per-frame matting (7ae1c4f: wide foreground blur, interior pulled in 2·band, guided filter
    mixed 0.3 into the well-posed band) in the same shot pipeline: the soft band before issue 18's band fix."""

    def _raw_work(self, small: np.ndarray) -> np.ndarray:
        return matte_v4.matte_frame(small, self.plate, replace(self.params.matte, detail=0.7)).alpha


class MatterV1(_PeerMatter):
    """Today's per-frame matting (main 9a91bc4: no shadow test, no interior) in the same shot pipeline."""

    def _raw_work(self, small: np.ndarray) -> np.ndarray:
        return matte_v1.matte_frame(small, self.plate, self.params.matte).alpha


def _unfilled(grid: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``editor.background._light._filled`` as main 2a5e2a5 had it: 0 wherever no block nearby speaks."""
    return np.where(fixed[..., None], grid, 0).astype(np.float32)


def _standing(samples: list, _median: object, silhouette: np.ndarray) -> list[np.ndarray]:
    """Nobody followed off their place, as stop 58 estimated: the static silhouette in every sample."""
    return [silhouette] * len(samples)


def _none(*_: object) -> None:
    return None


# What ``editor.background._light`` is patched with to match the light as main 2a5e2a5 did (the peer
# new-supplied-plate-pools1, and bench/background_plate_refusals.py's pools1): 32 blocks across with no floor, pools
# followed to 1.5×, 0 where no block nearby speaks, nothing refused for its light.
MAIN_LIGHT = {"BLOCKS": 32, "MIN_SIDE": 1, "POOL_MAX": 1.5, **V37, "_filled": _unfilled, "beyond": _none}


def light_field(shape: tuple[int, int]) -> np.ndarray:
    """The plate's light over the take's, per pixel (``--plate-light``): ``ramp:LEFT,RIGHT[,TOP,BOTTOM]`` a gain
    changing linearly from the left edge to the right (daylight from a window at one side), times one from the top
    to the bottom; ``spot:GAIN,X,Y,SIGMA`` a lamp's pool of light, a Gaussian of peak gain GAIN at (X, Y) and width
    SIGMA, all fractions of the frame's width."""
    h, w = shape
    x = (np.arange(w, dtype=np.float32) + 0.5) / w
    y = (np.arange(h, dtype=np.float32)[:, None] + 0.5) / w
    if not PLATE_LIGHT:
        return np.ones((h, w), np.float32)
    kind, _, spec = PLATE_LIGHT.partition(":")
    v = [float(t) for t in spec.split(",")]
    if kind == "ramp":  # LEFT,RIGHT[,TOP,BOTTOM]
        down = (np.arange(h, dtype=np.float32)[:, None] + 0.5) / h
        vertical = v[2] + (v[3] - v[2]) * down if len(v) == 4 else np.float32(1)
        return np.broadcast_to((v[0] + (v[1] - v[0]) * x) * vertical, (h, w)).astype(np.float32)
    if kind == "spot":
        return (1 + (v[0] - 1) * np.exp(-((x - v[1]) ** 2 + (y - v[2]) ** 2) / (2 * v[3] ** 2))).astype(np.float32)
    raise SystemExit(f"--plate-light: {PLATE_LIGHT!r} is neither ramp:LEFT,RIGHT[,TOP,BOTTOM] nor spot:GAIN,X,Y,SIGMA")


def emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    row = {"bench": "background", "metric": metric, "value": round(float(value), 4), "unit": unit, **extra}
    print(json.dumps(row), flush=True)


def stepped(matter: ShotMatter, frames: list[np.ndarray], method: str, cpu: dict[str, float]) -> list[np.ndarray]:
    """The shot's stabilised mattes, frame by frame; records the CPU seconds per frame under ``method``."""
    t0 = time.process_time()
    out = [matter.step(f.astype(np.float32) / 255) for f in frames]
    cpu[method] = (time.process_time() - t0) / len(frames)
    return out


def people(layout: list[tuple[int, float, float, int, bool]], takes: tuple[str, str]) -> list[Person]:
    return [Person(takes[k], x, hgt, start, mirror) for k, x, hgt, start, mirror in layout]


def recorded(frames: list[np.ndarray], crf: int = 18) -> list[np.ndarray]:
    """``frames`` (RGB uint8) as a camera or an editorial export records them: H.264 4:2:0 (BT.709, limited range)
    at ``crf``, decoded back. The colour is stored at half resolution, so the set's colour bleeds into the people's
    edges; the wide shot's truth still comes from the composite before recording."""
    h, w = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recorded.mp4"
        with av.open(str(path), "w") as out:
            vs = out.add_stream(
                "libx264", rate=25, options=reproducible_options("libx264", {"crf": str(crf), "preset": "medium"})
            )
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            for f in frames:
                vf = av.VideoFrame.from_ndarray(f, format="rgb24")
                vf = vf.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")
                for packet in vs.encode(vf):
                    out.mux(packet)
            for packet in vs.encode():
                out.mux(packet)
        with av.open(str(path)) as inp:
            return [
                fr.reformat(format="rgb24", src_colorspace="ITU709", src_color_range="MPEG").to_ndarray()
                for fr in inp.decode(video=0)
            ]


def cases(variant: str, n: int, clean_edges: bool = False) -> dict[str, tuple[WideShot, bool]]:
    """name → (shot, expected to be recoverable); ``clean_edges``: the talkers' solid edges without the booth's
    bleed (``grid_key(clean_edge=True)``)."""
    if variant in ("shared", "recorded"):
        footage, takes = FOOTAGE, GRID_TAKES
    else:
        paths = [make_variant(FOOTAGE / t, variant) for t in GRID_TAKES]
        footage, takes = paths[0].parent, (paths[0].name, paths[1].name)
    plates = set_plates(FOOTAGE, SIZE)
    ce = {"clean_edges": clean_edges}
    out = {
        "three-bookshelf": (wide_shot(footage, plates["bookshelf"], people(THREE, takes), n, **ce), True),
        "three-library-shadows": (
            wide_shot(footage, plates["library"], people(THREE, takes), n, shadow=0.35, **ce),
            True,
        ),
        "one-closeup": (wide_shot(footage, plates["bookshelf"], [Person(takes[0], 0.5, 1.0)], n, **ce), True),
        "one-wall": (wide_shot(footage, painted_wall(SIZE), [Person(takes[0], 0.5, 1.0)], n, **ce), True),
        "one-wall-leaning": (
            wide_shot(footage, painted_wall(SIZE), [Person(takes[0], 0.5, 1.0, lean=LEAN)], n, **ce),
            True,
        ),
        "one-closeup-leaning": (
            wide_shot(footage, plates["bookshelf"], [Person(takes[0], 0.5, 1.0, lean=LEAN)], n, **ce),
            True,
        ),
        "one-booth": (as_shot(footage / takes[0], n), True),
        "one-booth-b": (as_shot(footage / takes[1], n), True),
        "three-frozen": (wide_shot(footage, plates["library"], people(THREE, takes), n, freeze=True, **ce), False),
        "crowd-five": (wide_shot(footage, plates["bookshelf"], people(CROWD, takes), n, **ce), False),
    }
    return out


def run_recorded(
    name: str, shot: WideShot, variant: str, refiner_steps: int, png: Path | None, methods: set[str] | None
) -> None:
    """:func:`run_case` on the shot as recorded (matted from the recorded frames, scored against the truth)."""
    run_case(name, replace(shot, frames=recorded(shot.frames)), variant, refiner_steps, png, methods, clean=shot.frames)


def scores(est: list[np.ndarray], ref: list[np.ndarray]) -> dict[str, float]:
    band_px = 12
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band_px + 1, 2 * band_px + 1))
    replaced, kept, halo, band, rim_alpha, solid_soft = [], [], [], [], [], []
    for a, r in zip(est, ref, strict=True):
        setm, person = r < 0.02, r > 0.98
        replaced.append(float((a[setm] < 0.5).mean()) if setm.any() else 1.0)
        kept.append(float((a[person] > 0.5).mean()) if person.any() else 1.0)
        ring = (cv2.dilate((r > 0.02).astype(np.uint8), k) > 0) & setm
        halo.append(float(a[ring].mean()) if ring.any() else 0.0)
        frac, rim = (r > 0.02) & (r < 0.98), (r >= 0.9) & (r <= 0.98)
        band.append(float(((a > 0.02) & (a < 0.98)).sum() / max(1, frac.sum())))
        rim_alpha.append(float(a[rim].mean()) if rim.any() else 1.0)
        solid_soft.append(float((a[person] < 0.98).mean()) if person.any() else 0.0)
    return {
        "matte_mad": mad(est, ref),
        "matte_dtssd": dtssd(est, ref),
        "set_replaced": float(np.mean(replaced)),
        "person_kept": float(np.mean(kept)),
        "halo": float(np.mean(halo)) * 1e3,
        "soft_band_ratio": float(np.mean(band)),
        "rim_alpha": float(np.mean(rim_alpha)),
        "solid_soft": float(np.mean(solid_soft)),
    }


def colour_scores(
    frames: list[np.ndarray], est: list[np.ndarray], ref: list[np.ndarray], old: np.ndarray, fgs: list[np.ndarray]
) -> tuple[dict[str, float], list[np.ndarray], list[np.ndarray]]:
    """Edge-band colour error and old-set leak of ``α·F + (1 − α)·Q`` against the truth composite; also returns
    the composites and the truth composites (for the PNGs)."""
    q = np.broadcast_to(np.asarray(NEW_PLATE, np.float32), old.shape)
    dq = old - q
    dq2 = (dq * dq).sum(-1)
    k3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    errs, leaks, comps, truths = [], [], [], []
    for img, a, r, f in zip(frames, est, ref, fgs, strict=True):
        i = img.astype(np.float32) / 255.0
        truth = i + (1 - r[..., None]) * (q - old)
        comp = a[..., None] * f + (1 - a[..., None]) * q
        band = cv2.dilate(((r > 0.02) & (r < 0.98)).astype(np.uint8), k3) > 0
        d = comp - truth
        errs.append(float(np.abs(d).mean(-1)[band].mean()) if band.any() else 0.0)
        lk = band & (dq2 > 0.01)
        leak = np.maximum(0.0, (d * dq).sum(-1) / np.maximum(dq2, 1e-6))
        leaks.append(float(leak[lk].mean()) if lk.any() else 0.0)
        comps.append(comp)
        truths.append(truth)
    return {"edge_colour_err": float(np.mean(errs)) * 1e3, "old_set_leak": float(np.mean(leaks)) * 1e3}, comps, truths


def head_crop(img: np.ndarray, ref: np.ndarray, size: int = 160, zoom: int = 3) -> np.ndarray:
    """The ``size``-px square around the top of the tallest person, enlarged ``zoom`` times (nearest)."""
    rows = np.flatnonzero((ref > 0.5).any(axis=1))
    y = int(rows[0]) if len(rows) else 0
    x = int(np.flatnonzero(ref[min(y + 10, ref.shape[0] - 1)] > 0.5).mean()) if len(rows) else 0
    h, w = ref.shape
    y0, x0 = max(0, min(h - size, y - size // 4)), max(0, min(w - size, x - size // 2))
    crop = img[y0 : y0 + size, x0 : x0 + size]
    return cv2.resize(crop, (size * zoom, size * zoom), interpolation=cv2.INTER_NEAREST)


def run_case(
    name: str,
    shot: WideShot,
    variant: str,
    refiner_steps: int,
    png: Path | None,
    methods: set[str] | None = None,
    clean: list[np.ndarray] | None = None,
) -> None:
    """Every wanted method on ``shot``; ``clean``: the composites before recording (``shot.frames`` are then the
    recorded ones), from which the truth composite is built."""
    frames, ref = shot.frames, shot.alphas
    truth_frames = frames if clean is None else clean

    def want(method: str) -> bool:
        if "supplied-plate" in method and not shot.plate_exact:
            return False  # no empty plate of that set exists
        return methods is None or method in methods

    split = "shared" if variant == "shared" else "heldout"
    ctx = {"case": name, "split": split, "variant": variant, "frames": len(frames)}
    runs: dict[str, list[np.ndarray]] = {}
    cpu: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    doubted: list[np.ndarray] = []
    judge = plate_steps.set_coloured
    with mock.patch.object(plate_steps, "set_coloured", lambda *a: doubted.append(judge(*a)) or doubted[-1]):
        plate = estimate_plate(frames)
    emit("plate_cpu_seconds", time.process_time() - c0, "s", method="new", **ctx)
    doubted = [d for d in doubted if round(float(d.mean()), 6) == plate.set_coloured]  # the answer kept
    if doubted and doubted[-1].any():  # what the silhouette holds in the set's colours, by the true matte
        held = cv2.resize(doubted[-1].astype(np.uint8), ref[0].shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
        alphas = np.stack(ref)
        emit("set_coloured_truly_set", float((alphas < 0.02).all(axis=0)[held].mean()), "share", method="new",
             truly_person=round(float((alphas > 0.98).all(axis=0)[held].mean()), 6), **ctx)  # fmt: skip
    refused = False
    try:
        require_recoverable(plate, name)
    except PlateUnrecoverableError:
        refused = True
    emit("plate_seconds", time.perf_counter() - t0, "s", method="new", **ctx)
    emit("set_recovered", plate.set_recovered, "share", method="new", refused=refused, faces=plate.faces,
         faint_outline=plate.faint_outline, strays=plate.strays, set_coloured=plate.set_coloured,
         set_coloured_returned=plate.set_coloured_returned,
         reasked=plate.reasked, released=plate.released, uncoverable=round(plate.uncoverable_fraction, 6),
         leaned=plate.leaned,
         **ctx)  # fmt: skip
    plates = {"new": plate}

    def peer_plate(method: str, step: str, stand_in: object, field: str | None = None) -> None:
        """The plate estimated with ``plate_steps.<step>`` replaced by ``stand_in``, its ``set_recovered`` line (with
        ``field`` of it), and its composite where it is not refused."""
        with mock.patch.object(plate_steps, step, stand_in):
            plates[method] = estimate_plate(frames)
        old_refused = plates[method].set_recovered < MIN_SET_RECOVERED
        extra = {field: getattr(plates[method], field)} if field else {}
        emit("set_recovered", plates[method].set_recovered, "share", method=method, refused=old_refused, **extra, **ctx)
        if not old_refused:
            runs[method] = stepped(ShotMatter(plates[method], BackgroundParams()), frames, method, cpu)

    if want("plate57") and plate.reasked:  # GrabCut never asked again: the plate as stop 57 left it
        peer_plate("plate57", "REASKS", 0, "set_coloured")
    if not refused and want("plate7"):
        c0 = time.process_time()
        plates["plate7"] = plate_v7.estimate_plate(frames)
        emit("plate_cpu_seconds", time.process_time() - c0, "s", method="plate7", **ctx)
        runs["plate7"] = stepped(ShotMatter(plates["plate7"], BackgroundParams()), frames, "plate7", cpu)
    for half in (0.4, 0.7) if want("torso") else ():  # the judge's torso column narrower and wider
        with mock.patch.object(colour_steps, "TORSO_HALF", half):
            other = estimate_plate(frames)
        emit("set_recovered", other.set_recovered, "share", method=f"torso{half}", set_coloured=other.set_coloured,
             refused=other.set_recovered < MIN_SET_RECOVERED, **ctx)  # fmt: skip
    if want("noreturn") and plate.set_coloured_returned > 0:  # the judge's pixels on a plain set kept, not returned
        with (
            mock.patch.object(plate_steps, "PLAIN_SET", 2.0),
            mock.patch.object(plate_steps, "faint_outline", lambda _c, sil, *_: np.zeros_like(sil)),
        ):
            plates["noreturn"] = estimate_plate(frames)
        emit("set_recovered", plates["noreturn"].set_recovered, "share", method="noreturn",
             refused=plates["noreturn"].set_recovered < MIN_SET_RECOVERED, **ctx)  # fmt: skip
        runs["noreturn"] = stepped(ShotMatter(plates["noreturn"], BackgroundParams()), frames, "noreturn", cpu)
    if want("plate55"):  # the estimate as stop 55 left it: the silhouette not judged by colour models of its own
        with mock.patch.object(plate_steps, "set_coloured", lambda m, c, *a: np.zeros_like(c)):
            plates["plate55"] = estimate_plate(frames)
        old_refused = plates["plate55"].set_recovered < MIN_SET_RECOVERED
        emit("set_recovered", plates["plate55"].set_recovered, "share", method="plate55", refused=old_refused, **ctx)
        if refused and not old_refused:  # the same matte as ``new``'s where both run: only what it now refuses
            runs["plate55"] = stepped(ShotMatter(plates["plate55"], BackgroundParams()), frames, "plate55", cpu)
    if want("trace57"):  # the faint trace as stop 57 left it: what is a plain stretch of set continued kept
        peer_plate("trace57", "set_continued", lambda _m, traced, *_: np.zeros_like(traced), "faint_outline")
    if want("plate56"):  # the estimate as stop 56 left it: nothing a still person's faint motion traces added
        peer_plate("plate56", "faint_outline", lambda _c, sil, *_: np.zeros_like(sil))
    if want("plate58"):  # the plate estimated as stop 58 left it: nobody followed off their place
        with mock.patch.object(lean_steps, "followed", _standing):
            peer_plate("plate58", "followed", _standing)
    if want("stop58") and plates.get("plate58") and plates["plate58"].set_recovered >= MIN_SET_RECOVERED:
        runs["stop58"] = stepped(ShotMatter(replace(plates["plate58"], uncoverable=None), BackgroundParams()), frames,
                                 "stop58", cpu)  # fmt: skip
    if not refused and want("uncover58") and plate.uncoverable is not None:  # the matte as stop 58 left it: the
        plates["uncover58"] = replace(plate, uncoverable=None)  # static silhouette decides wherever the set was unseen
        runs["uncover58"] = stepped(ShotMatter(plates["uncover58"], BackgroundParams()), frames, "uncover58", cpu)
    if not refused and want("join59") and plate.uncoverable is not None:  # this code with stop 59's join
        with matte_v59.join59():
            runs["join59"] = stepped(ShotMatter(plate, BackgroundParams()), frames, "join59", cpu)
    if not refused and want("bound59") and not plate.keyable.all():  # the soft edge unbounded where never seen
        with matte_v59.bound59():
            runs["bound59"] = stepped(ShotMatter(plate, BackgroundParams()), frames, "bound59", cpu)
    if not refused and want("stop59") and not plate.keyable.all():  # both as stop 59 left them
        with matte_v59.as_stop59():
            runs["stop59"] = stepped(ShotMatter(plate, BackgroundParams()), frames, "stop59", cpu)
    params56 = BackgroundParams(matte=MatteParams(unseen_radius=MatteParams().radius))
    if not refused and want("matte56"):  # the matte as stop 56 left it: one guided-filter window, set seen or not
        runs["matte56"] = stepped(ShotMatter(plate, params56), frames, "matte56", cpu)
    if want("stop56") and "plate56" in plates and plates["plate56"].set_recovered >= MIN_SET_RECOVERED:
        runs["stop56"] = stepped(ShotMatter(plates["plate56"], params56), frames, "stop56", cpu)  # both as they were
    if not refused and want("truth-silhouette"):
        truth = np.median(np.stack(ref), axis=0) > 0.5
        plates["truth-silhouette"] = replace(plate, performer=truth)
        m0 = ShotMatter(plates["truth-silhouette"], BackgroundParams())
        runs["truth-silhouette"] = stepped(m0, frames, "truth-silhouette", cpu)
    if not refused and want("new"):
        matter = ShotMatter(plate, BackgroundParams())
        runs["new"] = stepped(matter, frames, "new", cpu)
        if refiner_steps:
            params = BackgroundParams().resolved(plate)
            idx = np.linspace(0, len(frames) - 1, 8).round().astype(int)
            fl = [frames[i].astype(np.float32) / 255.0 for i in idx]
            light = [matte_frame(f, plate, params.matte) for f in fl]
            heavy = [matte_frame(f, plate, params.pseudo_label_matte()) for f in fl]
            net, _ = train_refiner(
                fl, [m.p for m in light], [m.alpha for m in heavy], [m.unknown for m in light],
                RefinerConfig(steps=refiner_steps),
            )  # fmt: skip
            m2 = ShotMatter(plate, BackgroundParams(), net)
            runs["new+refiner"] = stepped(m2, frames, "new+refiner", cpu)
    other_light = np.float32(PLATE_GAIN) * light_field(shot.plate.shape[:2])[..., None]
    shot_plate = np.clip(np.rint(shot.plate * other_light), 0, 255).astype(np.uint8)  # other light
    if any(PLATE_SHIFT) or PLATE_WARP != (0.0, 1.0):  # the camera nudged, turned or zoomed between take and plate
        h, w = shot_plate.shape[:2]
        move = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), PLATE_WARP[0], PLATE_WARP[1])
        move[:, 2] += PLATE_SHIFT
        shot_plate = cv2.warpAffine(shot_plate, move, shot_plate.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)
    interior = None if refused else plate.interior
    raw = plate_from_shot([shot_plate], frames[0].shape[:2]).with_interior(interior)

    def built(method: str, build: Callable[[], CleanPlate]) -> CleanPlate | None:
        """The supplied plate as ``build`` makes it for ``method``; None, and a ``plate_refused`` line, where it is
        refused (the edit would exit 2 and write nothing)."""
        try:
            return build().with_interior(interior)
        except PlateMismatchError as exc:
            emit("plate_refused", 1.0, "", method=method, reason=str(exc), plate_light=PLATE_LIGHT, **ctx)
            return None

    supplied = built("new-supplied-plate", lambda: match_exposure(register_plate(raw, plate), plate))  # as the edit
    if want("new-supplied-plate") and supplied is not None:
        emit("plate_exposure_gain", 0.0, "", method="new-supplied-plate", gain=supplied.exposure_gain,
             gradient=supplied.exposure_gradient, pools=supplied.exposure_pools,
             plate_gain=list(PLATE_GAIN), shift=supplied.shift, plate_shift=list(PLATE_SHIFT),
             warp=supplied.warp, plate_warp=list(PLATE_WARP),
             plate_light=PLATE_LIGHT, set_difference=supplied.set_difference, clipped_unseen=supplied.clipped_unseen,
             clipped_left=supplied.clipped_left, **ctx)  # fmt: skip
        m3 = ShotMatter(supplied, BackgroundParams())
        runs["new-supplied-plate"] = stepped(m3, frames, "new-supplied-plate", cpu)
    for peer, patches in (
        ("new-supplied-plate-one-gain", {"plane": _none, "pools": _none, "beyond": _none}),  # before the light over
        ("new-supplied-plate-plane", {"pools": _none, "beyond": _none}),  # the set was followed; a plane, no pools
        ("new-supplied-plate-pools1", MAIN_LIGHT),  # main 2a5e2a5
        ("new-supplied-plate-v37", V37),  # main 5ee95ce: no noise floor; each pool block averaged with its neighbours
        ("new-supplied-plate-unfilled", {"_filled": _unfilled}),  # this code's pools, 0 where no block nearby speaks
    ):
        if want(peer):
            with mock.patch.multiple(light_steps, **patches):
                lit = built(peer, lambda: match_exposure(register_plate(raw, plate), plate))
            if lit is not None:
                emit("plate_exposure_gain", 0.0, "", method=peer, pools=lit.exposure_pools, plate_light=PLATE_LIGHT,
                     **ctx)  # fmt: skip
                runs[peer] = stepped(ShotMatter(lit, BackgroundParams()), frames, peer, cpu)
    if want("new-supplied-plate-v38"):  # main ddbf745: the clipped plate stands wherever the take never saw the set
        with mock.patch.object(exposure_steps, "_behind", lambda hidden, *_: np.zeros_like(hidden)):
            kept = built("new-supplied-plate-v38", lambda: match_exposure(register_plate(raw, plate), plate))
        if kept is not None:
            emit("plate_exposure_gain", 0.0, "", method="new-supplied-plate-v38", plate_light=PLATE_LIGHT, **ctx)
            runs["new-supplied-plate-v38"] = stepped(ShotMatter(kept, BackgroundParams()), frames,
                                                     "new-supplied-plate-v38", cpu)  # fmt: skip
    if want("new-supplied-plate-translation"):  # this code registering by a move only (before turn and scale)
        with mock.patch.object(register_steps, "MOTIONS", register_steps.MOTIONS[:1]):
            moved = built("new-supplied-plate-translation", lambda: match_exposure(register_plate(raw, plate), plate))
        if moved is not None:
            emit("plate_exposure_gain", 0.0, "", method="new-supplied-plate-translation", shift=moved.shift,
                 plate_shift=list(PLATE_SHIFT), plate_warp=list(PLATE_WARP), **ctx)  # fmt: skip
            m11 = ShotMatter(moved, BackgroundParams())
            runs["new-supplied-plate-translation"] = stepped(m11, frames, "new-supplied-plate-translation", cpu)
    if want("new-supplied-plate-register1"):  # main e98e759's registration (a move, on the grey image)
        moved1 = built("new-supplied-plate-register1",
                       lambda: match_exposure(register_v1.register_plate(raw, plate), plate))  # fmt: skip
        if moved1 is not None:
            emit("plate_exposure_gain", 0.0, "", method="new-supplied-plate-register1", shift=moved1.shift,
                 plate_shift=list(PLATE_SHIFT), plate_warp=list(PLATE_WARP), **ctx)  # fmt: skip
            m12 = ShotMatter(moved1, BackgroundParams())
            runs["new-supplied-plate-register1"] = stepped(m12, frames, "new-supplied-plate-register1", cpu)
    if want("new-supplied-plate-unmatched"):
        m10 = ShotMatter(raw, BackgroundParams())
        runs["new-supplied-plate-unmatched"] = stepped(m10, frames, "new-supplied-plate-unmatched", cpu)
    supplied_old = raw  # the peers' code did not match the plate's exposure
    if not refused and want("matte4"):
        m6 = MatterV4(plate, BackgroundParams())
        runs["matte4"] = stepped(m6, frames, "matte4", cpu)
    if want("matte4-supplied-plate"):
        m5 = MatterV4(supplied_old, BackgroundParams())
        runs["matte4-supplied-plate"] = stepped(m5, frames, "matte4-supplied-plate", cpu)
    if want("matte5-supplied-plate"):
        m7 = MatterV5(supplied_old, BackgroundParams())
        runs["matte5-supplied-plate"] = stepped(m7, frames, "matte5-supplied-plate", cpu)
    if not refused and want("matte6"):
        m8 = MatterV6(plate, BackgroundParams())
        runs["matte6"] = stepped(m8, frames, "matte6", cpu)
    if want("matte6-supplied-plate"):
        m9 = MatterV6(supplied_old, BackgroundParams())
        runs["matte6-supplied-plate"] = stepped(m9, frames, "matte6-supplied-plate", cpu)
    if want("today"):
        old = plate_v1.estimate_plate(frames)
        emit("plate_known_fraction", old.known_fraction, "share", method="today", refused=False, **ctx)
        m4 = MatterV1(old, BackgroundParams())  # type: ignore[arg-type]
        runs["today"] = stepped(m4, frames, "today", cpu)
    for method, est in runs.items():
        if method in cpu:
            emit("matte_cpu_seconds_per_frame", cpu[method], "s", method=method, **ctx)
        if method in plates:
            unknown = ~plates[method].known
            part = sum(float(np.abs(a - r)[unknown].sum()) for a, r in zip(est, ref, strict=True))
            emit("mad_plate_unknown", part / (len(est) * unknown.size) * 1e3, "x1e3", method=method, **ctx)
        for metric, value in scores(est, ref).items():
            emit(metric, value, "x1e3" if metric in ("matte_mad", "halo") else "x1e2" if "dtssd" in metric else "share",
                 method=method, **ctx)  # fmt: skip
    old_set = shot.plate.astype(np.float32) / 255.0
    fl = [f.astype(np.float32) / 255 for f in frames]
    crops: list[np.ndarray] = []
    for method, est in runs.items():
        if method == "today":
            continue
        cp = (supplied if method == "new-supplied-plate" else supplied_old) if "supplied-plate" in method else None
        cp = plates.get(method, plate) if cp is None else cp
        t1 = time.perf_counter()
        recovered = [estimate_foreground(f, a, cp.image, cp.keyable) for f, a in zip(fl, est, strict=True)]
        emit("foreground_seconds_per_frame", (time.perf_counter() - t1) / len(fl), "s", method=method, **ctx)
        t1 = time.perf_counter()
        despilled = [despill(f, a, cp.image, ~cp.keyable) for f, a in zip(recovered, est, strict=True)]
        emit("despill_seconds_per_frame", (time.perf_counter() - t1) / len(fl), "s", method=method, **ctx)
        narrow = [despill(f, a, cp.image) for f, a in zip(recovered, est, strict=True)]  # the band before 2026-12-05
        for fg_name, fgs in (
            ("frame", fl),
            ("multilevel", recovered),
            ("multilevel+despill", despilled),
            ("multilevel+despill-narrow", narrow),
        ):
            vals, comps, truths = colour_scores(truth_frames, est, ref, old_set, fgs)
            for metric, value in vals.items():
                emit(metric, value, "x1e3", method=method, foreground=fg_name, new_plate=list(NEW_PLATE), **ctx)
            shown = method in (
                "new-supplied-plate",
                "new-supplied-plate-one-gain",
                "new-supplied-plate-plane",
                "new-supplied-plate-translation",
                "new-supplied-plate-unmatched",
                "matte4-supplied-plate",
                "matte5-supplied-plate",
                "matte6-supplied-plate",
            )
            if shown or (method in ("new", "plate7", "matte4", "plate56", "stop56") and png is not None):
                k = len(frames) // 2
                if not crops:
                    crops.append(head_crop(truths[k], ref[k]))
                crops.append(head_crop(comps[k], ref[k]))
    if png is not None and crops:
        png.mkdir(parents=True, exist_ok=True)
        strip = np.concatenate(crops, axis=1)
        cv2.imwrite(str(png / f"{name}_{variant}_hair.png"), (np.clip(strip, 0, 1) * 255).astype(np.uint8)[..., ::-1])
    if png is not None:
        k = len(frames) // 2
        tiles = [frames[k].astype(np.float32) / 255, np.repeat(ref[k][..., None], 3, 2)]
        in_strip = ("new", "plate56", "stop56", "plate7", "matte4", "today", "new-supplied-plate",
                    "new-supplied-plate-one-gain", "new-supplied-plate-translation", "new-supplied-plate-pools1",
                    "new-supplied-plate-v37", "new-supplied-plate-v38")  # fmt: skip
        tiles += [np.repeat(runs[m][k][..., None], 3, 2) for m in in_strip if m in runs]
        png.mkdir(parents=True, exist_ok=True)
        strip = np.concatenate([cv2.resize(t, (480, 270)) for t in tiles], axis=1)
        cv2.imwrite(str(png / f"{name}_{variant}.png"), (np.clip(strip, 0, 1) * 255).astype(np.uint8)[..., ::-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument("--variants", default="shared,mirror,crf28,prores10,recorded")
    ap.add_argument("--cases", default="")
    ap.add_argument("--refiner-steps", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="10 frames, shared only, no refiner")
    ap.add_argument("--png", type=Path, default=None)
    ap.add_argument("--methods", default="", help="comma-separated methods to run (default: all)")
    ap.add_argument(
        "--clean-truth-edges",
        action="store_true",
        help="composite talkers whose solid edges carry no booth bleed (to judge the despill: see the docstring)",
    )
    ap.add_argument(
        "--plate-gain",
        default="",
        help="R,G,B gains: the supplied clean plate shot under other light than the take (e.g. 1.06,1.06,1.06)",
    )
    ap.add_argument(
        "--plate-shift",
        default="",
        help="DX,DY pixels: the supplied clean plate shot with the camera nudged (e.g. 1,0)",
    )
    ap.add_argument(
        "--plate-warp",
        default="",
        help="DEGREES,SCALE: the supplied clean plate turned and scaled about the frame's centre (a tripod knocked, "
        "the focus pulled: e.g. 0.2,1.004); with --plate-shift, moved as well",
    )
    ap.add_argument(
        "--plate-light",
        default="",
        help="the supplied clean plate with light changed over the set: ramp:LEFT,RIGHT[,TOP,BOTTOM] (gains at the "
        "edges) or spot:GAIN,X,Y,SIGMA (a lamp's pool, fractions of the width; e.g. spot:1.25,0.3,0.2,0.12)",
    )
    ap.add_argument(
        "--new-plate",
        default="",
        help="R,G,B in [0, 1]: the flat new set of the colour scores (default light blue, near a booth's colour; "
        "a warm one shows a rim of the old set that the default hides)",
    )
    args = ap.parse_args()
    global NEW_PLATE, PLATE_GAIN, PLATE_SHIFT, PLATE_WARP, PLATE_LIGHT
    PLATE_LIGHT = args.plate_light
    if args.new_plate:
        NEW_PLATE = tuple(float(v) for v in args.new_plate.split(","))
    if args.plate_gain:
        PLATE_GAIN = tuple(float(v) for v in args.plate_gain.split(","))
    if args.plate_shift:
        PLATE_SHIFT = tuple(float(v) for v in args.plate_shift.split(","))
    if args.plate_warp:
        PLATE_WARP = tuple(float(v) for v in args.plate_warp.split(","))
    n = 10 if args.quick else args.frames
    variants = ["shared"] if args.quick else args.variants.split(",")
    cv2.setNumThreads(2)
    for variant in variants:
        for name, (shot, _ok) in cases(variant, n, args.clean_truth_edges).items():
            if args.cases and name not in args.cases.split(","):
                continue
            wanted = set(args.methods.split(",")) if args.methods else None
            run = run_recorded if variant == "recorded" else run_case
            run(name, shot, variant, 0 if args.quick else args.refiner_steps, args.png, wanted)


if __name__ == "__main__":
    main()
