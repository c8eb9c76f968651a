"""Dialogue matching (ADR re-sync) benchmark. One JSON line per metric.

Per performer (takes in SOURCES.md order; the last take is held out of the model's training, and its mouths are
excluded from the bank when it is rebuilt):

- ``rebuild``: the held-out take rebuilt from the *other* takes' mouths using its own sync sound, in two halves:
  each half is dubbed with that half's sound, and which bank takes and mouths fit the shot (``editor.dialogue.fit``)
  is measured on the *other* half (``dub(fit_frames=...)``), since a half's own mouths are the answer. Scored against
  the real take — mouth-region PSNR/SSIM (96×60 crops of the tracked mouth box) and the **sharpness ratio**: mean
  gradient magnitude inside the lips' ellipse ÷ on the cheeks and nose of the same face, for the result ÷ the same
  for the real take (1 = as sharp as the take around it; below 1 = a softer patch). Same run, same frames, each
  half selected and planned as the dub does: ``new`` (this code: the two dubs' rendered output, read back),
  ``new_in_memory`` (the same selection and blending, not encoded: the peers below are scored in memory, and the
  render's H.264 costs the mouth ~0.3 dB), ``unfitted`` (the same, the pool not cut by the fit: the code before
  it), ``static_mouth`` (one bank frame held, new blending), ``nearest_audio`` (audio-nearest selection, no
  smoothness cost, new blending; each with the mouth plan measured for its own mouths), ``main`` (main 9ed9571:
  unit selection by audio distance only, the same blending and plan), ``today`` (main 9a91bc4: the
  audio-only selection blended by that code from 64×40 crops, ``bench/_peers/blend_v1.py``). Besides PSNR/SSIM/
  sharpness: ``open_error``, ``teeth_ratio``, ``teeth_l``, ``jitter_ratio`` and ``side_light`` (``quality``'s
  docstring).
  ``new`` leaves the pauses of both lines as shot (``editor.dialogue.pauses``); ``new_in_memory`` and every peer
  place a mouth on every frame. ``rebuild_replaced_mouth_*``: PSNR/SSIM/sharpness over the frames ``new`` replaced
  fully (every method on the same frames), each peer twice: in memory (``path: in_memory``) and written as the dub
  is, through the source's codec family, and read back (``path: rendered``, ``bench/_rendered.py``: like for like
  with ``new``); ``rebuild_pauses``: the frames it kept and ramped, and the mouth PSNR
  there of ``new`` (the take through the render) and of ``new_in_memory`` (a bank mouth placed, as before).
  ``rebuild_distinct_mouths``: how many distinct bank mouths each selection used on the replaced frames (a cut pool
  must not freeze the mouth). ``rebuild_mouth_speed``: how fast each selection's mouths move through their takes
  (``mouth_speed``; 1 = as shot). Every selection sees the bank at the shot's frame rate as the dub does
  (``editor.dialogue.rate``); where that retimed a take, ``unretimed`` is ``new_in_memory``'s selection from the
  bank as it is (the code before). Where the dub took the shot as flopped (``editor.dialogue.flop``), every peer but
  ``today`` draws from the mirrored bank as it does, and ``unflopped`` is the selection from the bank as shot (the
  code before). ``corner_test`` is ``new_in_memory``'s mouths and plans placed with the registration test before
  stop 47 (``bench/_peers/align_v1.py``: ECC's shift measured at the crop's corner, at most 12 %).
  ``rebuild_fit``: each half's fit evidence (``selection_fit_*``);
  ``rebuild_half_sync``: each half's AV offset and LSE-D for ``new`` and the in-memory peers (30–72 frames each here:
  a noisier reading than the whole take's), and ``open_lag`` (``open_lag``: the lag of the mouth's openness
  against the take's, a reading that does not use the project's scorer).
- ``rebuild_shape_gate``: whether the dub used the openness cost and the held-out evidence it was judged on
  (``editor.dialogue.shape``, step 3).
- ``rebuild_plan``: the dub's mouth plan (``editor.dialogue.plan``: mouth area, detail softening or sharpening, lips
  offset).
- ``bank_round_trip``: the ceiling the bank's resolution sets. Each frame's own mouth (its crop at the bank's
  size, ``bank_width`` px wide) is placed back on that frame, every 3rd frame. Reported: mouth PSNR and sharpness
  ratio against the frame, with the mouth box's width in pixels. A perfect bank would give about 50 dB and 1.
- ``sync``: the rebuilt take's AV offset (frames; target |offset| ≤ 1) and LSE-D (mean embedding distance at that
  offset) from the project's sync scorer; ``resync``: the held-out picture dubbed to another take's line.
- ``heldout_av_offset``: the held-out take's audio shifted by known offsets; the scorer's residual.
- ``rebuild_sync`` (per half): the dub's signed sync reading and verdict, with ``check_right_share`` and
  ``check_frames``: how often the model's scorer read a line that long right on its held-out take, as the dub signs
  it (``editor.dialogue.line_check``).

Splits: ``shared`` (the held-out take as shared) and ``heldout`` (versions of it the project never saw:
``bench/_heldout.py`` re-frame, H.264 CRF 28, ProRes 10-bit; the model is trained on the shared takes; and, with
``--other-takes P``, each other take of P held out in turn, variant ``take<i>``, the model retrained with it last).
``--png DIR`` writes mouth close-ups (real | new | unfitted | nearest audio | static) of the middle frame.
``--static-spread`` adds ``rebuild_static_spread``: holding each of every 2nd bank mouth of the pool (each with its
own plan), scored on every 3rd replaced frame, with the worst, median and best held mouth next to ``new``,
``new_in_memory`` and the ``static_mouth`` peer on the same frames. The peer's one middle frame is a single draw
from that spread.

Usage: ``PYTHONPATH=. python bench/dialogue.py [--performers crema,grid,obama] [--variants crop,crf28,prores10]``
(``--variants rate2x,rate24``: the held-out take at twice its frame rate and conformed to 23.976, ``_heldout.py``)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE, make_variant
from _peers import align_v1, blend_v1
from _rendered import rendered

from editor.dailies import content_hash
from editor.dialogue import dub, score, train_dialogue
from editor.dialogue.blend import BANK_H, BANK_W, inner_mask, lab, place_mouth, ring_mask, work_size
from editor.dialogue.features import selection_descriptors, utterance_features
from editor.dialogue.fit import mouth_fit
from editor.dialogue.flop import flop_test
from editor.dialogue.line import load_line
from editor.dialogue.model import DialogueModel, bank_crops
from editor.dialogue.pauses import dub_pauses
from editor.dialogue.plan import plan_mouths
from editor.dialogue.select import select_units
from editor.dialogue.shape import SHAPE_AXES, TEETH_L, mouth_shape
from editor.dialogue.sync import SyncTake, grey_mouths, shift_features
from editor.dialogue.track import FaceTrack, crop, read_range, track_face
from media import probe, read_audio
from tests.editor._dialogue_media import line_from

GROUPS = {
    "crema": ["crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"],
    "grid": ["grid_pwij3p.mpg", "grid_id2_vcd_swwp2s.mpg"],
    "obama": [
        "obama-weekly-address_a-bad-situation.mp4",
        "obama-weekly-address_very-real-challenges.mp4",
        "obama-weekly-address_but-heres-the-thing.mp4",
    ],
}
SHIFTS = (-8, -4, 0, 4, 8)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "dialogue", **kw}, sort_keys=True), flush=True)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM (Wang et al. 2004; Gaussian σ 1.5, K1 .01, K2 .03) on grey images."""
    x = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
    y = cv2.cvtColor(b, cv2.COLOR_RGB2GRAY).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)  # noqa: E731
    mx, my = g(x), g(y)
    sxx, syy, sxy = g(x * x) - mx * mx, g(y * y) - my * my, g(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m.mean())


def _gradient(rgb: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))


def sharpness(frame: np.ndarray, track: FaceTrack, k: int) -> float:
    """Mean gradient inside the lips' ellipse ÷ mean gradient on the cheeks and nose (same face, same frame)."""
    lips = _gradient(crop(frame, track.mouth_box(track.start + k), (128, 80)))[inner_mask() > 0.5].mean()
    x, y, w, h = track.boxes[k]
    cheeks = _gradient(crop(frame, np.array([x + 0.15 * w, y + 0.35 * h, 0.7 * w, 0.3 * h]), (128, 56))).mean()
    return float(lips / max(cheeks, 1e-6))


def quality(
    real: list[np.ndarray], fake: list[np.ndarray], track: FaceTrack, frames: list[int] | None = None
) -> dict[str, float]:
    """PSNR/SSIM (96×60 mouth crops), sharpness ratio, and the mouth's shape and motion against the take's:
    ``open_error`` = mean |openness(result) − openness(take)| (share of the mouth ellipse that is the dark
    opening, ``editor.dialogue.shape.mouth_shape``); ``teeth_ratio`` = the result's teeth share ÷ the take's
    (bright, not red: summed over the frames); ``teeth_l`` = mean L of the teeth pixels, result − take (8-bit Lab,
    frames where both show ≥ 15 teeth pixels; below 0 = greyer teeth); ``jitter_ratio`` = mean frame-to-frame
    change of the 96×60 crops, result ÷ take (above 1: the mouth chatters); ``side_light`` = the mean L (8-bit Lab)
    of the result − the take's over the mouth box's left and over its right third (the middle third of its height),
    the larger in size (a mouth lit from another side is lighter on one side, darker on the other). ``frames``:
    only those (indices)."""
    p, s, sh, cr_all, cf_all = [], [], [], [], []
    keep = range(len(real)) if frames is None else frames
    real, fake = [real[k] for k in keep], [fake[k] for k in keep]
    for k, r, f in zip(keep, real, fake, strict=True):
        b = track.mouth_box(track.start + k)
        cr, cf = crop(r, b, (96, 60)), crop(f, b, (96, 60))
        p.append(psnr(cr, cf))
        s.append(ssim(cr, cf))
        sh.append(sharpness(f, track, k) / max(sharpness(r, track, k), 1e-6))
        cr_all.append(cr)
        cf_all.append(cf)
    r_arr, f_arr = np.stack(cr_all), np.stack(cf_all)
    big_r = np.stack([crop(r, track.mouth_box(track.start + k), (128, 80)) for k, r in zip(keep, real, strict=True)])
    big_f = np.stack([crop(f, track.mouth_box(track.start + k), (128, 80)) for k, f in zip(keep, fake, strict=True)])
    shape_r, shape_f = mouth_shape(big_r), mouth_shape(big_f)
    light = np.mean([lab(f)[20:40, :, 0] - lab(r)[20:40, :, 0] for r, f in zip(r_arr, f_arr, strict=True)], axis=0)
    side_light = max(abs(float(light[:, :32].mean())), abs(float(light[:, 64:].mean())))
    motion = lambda a: float(np.abs(np.diff(a.astype(np.float32), axis=0)).mean())  # noqa: E731
    return {
        "psnr": float(np.mean(p)),
        "ssim": float(np.mean(s)),
        "sharpness_ratio": float(np.mean(sh)),
        "open_error": float(np.abs(shape_f[:, 0] - shape_r[:, 0]).mean()),
        "teeth_ratio": float(shape_f[:, 1].sum() / max(shape_r[:, 1].sum(), 1e-6)),
        "teeth_l": teeth_l(big_r, big_f),
        "jitter_ratio": motion(f_arr) / max(motion(r_arr), 1e-6),
        "side_light": side_light,
    }


def teeth_l(real: np.ndarray, fake: np.ndarray) -> float:
    """Mean L of the teeth pixels (``mouth_shape``'s rule), result − take, over frames where both show some."""
    ell, ring = inner_mask(128, 80, 0.08, SHAPE_AXES) > 0.5, ring_mask() > 0

    def mean_teeth(c: np.ndarray) -> float | None:
        lab = cv2.cvtColor(c, cv2.COLOR_RGB2LAB).astype(np.float32)
        skin = np.median(lab[ring], axis=0)
        t = ell & (lab[..., 0] > skin[0] + TEETH_L) & (lab[..., 1] < skin[1])
        return float(lab[..., 0][t].mean()) if t.sum() >= 15 else None

    diffs = [(b - a) for a, b in ((mean_teeth(r), mean_teeth(f)) for r, f in zip(real, fake, strict=True))
             if a is not None and b is not None]  # fmt: skip
    return float(np.mean(diffs)) if diffs else float("nan")


def static_spread(
    real: list[np.ndarray],
    fakes: dict[str, list[np.ndarray]],
    track: FaceTrack,
    own_crops: np.ndarray,
    bank: list[np.ndarray],
    crops: np.ndarray,
    pool: np.ndarray,
    frames: list[int],
) -> dict[str, float]:
    """Mouth PSNR over ``frames`` of holding each bank mouth (every 2nd of the pool, each with its own plan): the
    static-mouth peer's one middle frame is a single draw from this spread."""
    boxes = {k: track.mouth_box(track.start + k) for k in frames}

    def score(fake: dict[int, np.ndarray]) -> float:
        return float(
            np.mean([psnr(crop(real[k], boxes[k], (96, 60)), crop(fake[k], boxes[k], (96, 60))) for k in frames])
        )

    held = []
    for j in pool[::2]:
        plan = plan_mouths(own_crops[frames], bank, np.repeat(crops[j][None], len(frames), axis=0))
        held.append(score({k: place_mouth(real[k], crops[j], boxes[k], seed=k, plan=plan)[0] for k in frames}))
    q = np.percentile(held, [0, 50, 100])
    return {
        **{f"{m}_psnr": round(score(dict(enumerate(fakes[m]))), 4) for m in ("new", "new_in_memory", "static_mouth")},
        "held_worst_psnr": round(float(q[0]), 4),
        "held_median_psnr": round(float(q[1]), 4),
        "held_best_psnr": round(float(q[2]), 4),
        "held_mouths": len(held),
        "scored_frames": len(frames),
    }


def open_lag(real: list[np.ndarray], fake: list[np.ndarray], boxes: list[np.ndarray], most: int = 6) -> int | None:
    """The lag (frames, −``most``…``most``; positive: the result's mouth opens later than the take's) at which the
    result's mouth openness (``mouth_shape``) best correlates with the take's: a check of the sync that does not use
    the project's scorer. None where the take's mouth does not move enough to tell."""
    shape = [mouth_shape(np.stack([crop(f, box, (BANK_W, BANK_H)) for f, box in zip(x, boxes, strict=True)]))[:, 0]
             for x in (real, fake)]  # fmt: skip
    r, f = shape
    best, lag = -2.0, None
    for k in range(-most, most + 1):
        a, b = (f[k:], r[: len(r) - k]) if k >= 0 else (f[:k], r[-k:])
        if len(a) < 8 or a.std() < 1e-6 or b.std() < 1e-6:
            continue
        c = float(np.corrcoef(a, b)[0, 1])
        if c > best:
            best, lag = c, k
    return lag


def mouth_speed(model: DialogueModel, idx: np.ndarray, halves: list, fps: Fraction) -> float | None:
    """How fast the chosen mouths move through their takes: bank frames advanced per shot frame, within runs of the
    same take advancing 0 to 3 frames at a time (each half apart), times the shot's rate over the take's. 1 = the
    speed the take was shot at; None where no such run."""
    speeds = []
    for a, b, _ in halves:
        ch = idx[a:b]
        same = model.take_ids[ch[1:]] == model.take_ids[ch[:-1]]
        step = model.frame_ids[ch[1:]] - model.frame_ids[ch[:-1]]
        ok = same & (step >= 0) & (step <= 3)
        rates = np.array([float(fps / model.take_rates[t]) for t in model.take_ids[ch[1:]]])
        speeds += (step * rates)[ok].tolist()
    return round(float(np.mean(speeds)), 4) if speeds else None


def run_group(
    name: str,
    variants: list[str],
    steps: int,
    tmp: Path,
    png: Path | None,
    held_out: int | None = None,
    spread: bool = False,
) -> None:
    """``held_out``: another take (index in ``GROUPS``) held out instead of the last one — an untransformed take
    the rebuild never saw (split ``heldout``, variant ``take<i>``; no transformed variants, no re-sync)."""
    takes = [FOOTAGE / f for f in GROUPS[name]]
    if held_out is not None:
        takes = [t for i, t in enumerate(takes) if i != held_out] + [takes[held_out]]
        variants = []
    performer = f"{name}-performer"
    t0 = time.perf_counter()
    manifest, model_file, model = train_dialogue(takes, performer, steps=steps)
    ref = (manifest.model_id, hashlib.sha256(model_file).hexdigest())
    emit(group=name, metric="train_seconds", value=round(time.perf_counter() - t0, 2), takes=len(takes), steps=steps)
    held = takes[-1]
    hid = model.take_hashes.index(content_hash(held))
    audio = read_audio(held)
    feats = utterance_features(audio.samples, audio.rate)
    residuals = []
    grey = grey_mouths(model.crops[model.take_ids == hid])
    for s in SHIFTS:
        got = score(
            model.sync, SyncTake(grey, shift_features(feats, s, probe(held).frame_rate), probe(held).frame_rate)
        )
        residuals.append(abs(got.offset_frames - s))
    emit(group=name, metric="heldout_av_offset_residual_max_frames", value=max(residuals), target=1)
    for variant in ["shared", *variants]:
        src = held if variant == "shared" else make_variant(held, variant)
        split = "shared" if variant == "shared" and held_out is None else "heldout"
        if held_out is not None:
            variant = f"take{held_out}"
        info = probe(src)
        n, fps = info.frame_count, info.frame_rate
        halves = [(0, n // 2, (n // 2, n)), (n // 2, n, (0, n // 2))]  # each half's mouths fitted on the other's
        t0 = time.perf_counter()
        rbs, lines = [], []
        try:
            for i, (a, b, other) in enumerate(halves):
                lines.append(line_from(held, tmp / f"{name}-{variant}-own{i}.wav", start_s=float(a / fps),
                                       seconds=float((b - a) / fps) - 0.001))  # fmt: skip
                out = tmp / f"{name}-{variant}-rebuild{i}.mov"
                rbs.append(dub(src, model, lines[i], out, performer=performer, model_ref=ref, start=a, end=b,
                               exclude_take=content_hash(held), fit_frames=other))  # fmt: skip
        except Exception as exc:
            emit(group=name, variant=variant, split=split, metric="rebuild_refused", error=type(exc).__name__)
            continue
        dt = time.perf_counter() - t0
        real = read_range(info, 0, n)
        result = [f for (a, b, _), r in zip(halves, rbs, strict=True) for f in read_range(probe(r.output.path), a, b)]
        track = track_face(real)
        boxes = [track.mouth_box(k) for k in range(n)]
        size = work_size(model.crops[0])
        own_crops, bank = bank_crops(real, track, size), model.bank_takes(hid)
        takes_pool = model.take_ids != hid
        pool = np.nonzero(takes_pool)[0]
        small = np.stack([cv2.resize(c, (64, 40), interpolation=cv2.INTER_AREA) for c in model.crops])
        chosen: dict[str, list[np.ndarray]] = {m: [] for m in ("new_in_memory", "unfitted", "nearest_audio", "main")}
        weights_of, flips, as_shot = [], [], []
        for (a, b, (o0, o1)), line_i in zip(halves, lines, strict=True):
            au = read_audio(line_i)
            q = selection_descriptors(utterance_features(au.samples, au.rate), fps, b - a)
            shot = bank_crops(real[o0:o1], track_face(real[o0:o1], o0), size)
            flip = flop_test(model.crops, takes_pool, shot).flopped  # as the dub: the bank mirrored for a flopped shot
            flips.append(flip)
            seen = model.flopped() if flip else model
            fit = mouth_fit(seen.crops, takes_pool, model.take_ids, shot)
            view = model.view(fps)  # the bank timed in the shot's frames, as the dub sees it
            src = view.source
            common = (q, model.descriptors[src], view.take_ids, view.frame_ids, seen.thumbs()[src])
            opened = seen.openness()[src]
            for method, sel in (
                ("new_in_memory", select_units(*common, exclude_take=hid, openness=opened, allowed=fit.allowed[src])),
                ("unfitted", select_units(*common, exclude_take=hid, openness=opened)),
                ("nearest_audio", select_units(*common, beam=1, exclude_take=hid)),
                ("main", select_units(*common, exclude_take=hid)),  # main 9ed9571: audio only
            ):
                chosen[method].append(src[sel.indices[: b - a]])
            if view.retimed_takes:  # the code before: the bank as it is, its takes at their own rate
                sel = select_units(q, model.descriptors, model.take_ids, model.frame_ids, model.thumbs(),
                                   exclude_take=hid, openness=model.openness(), allowed=fit.allowed)  # fmt: skip
                chosen.setdefault("unretimed", []).append(sel.indices[: b - a])
            # the code before: the bank as shot (its fit and selection), placed as shot; a peer where a half flopped
            fit0 = fit if not flip else mouth_fit(model.crops, takes_pool, model.take_ids, shot)
            sel = select_units(*common[:4], model.thumbs()[src], exclude_take=hid,
                               openness=model.openness()[src], allowed=fit0.allowed[src])  # fmt: skip
            as_shot.append(src[sel.indices[: b - a]])
            weights_of.append(dub_pauses(info, load_line(line_i), a, b).weights)  # the dub's own pauses
        if any(flips):
            chosen["unflopped"] = as_shot
        peers = {m: np.concatenate(v) for m, v in chosen.items()}
        peers["static_mouth"] = np.full(n, pool[len(pool) // 2])
        fakes: dict[str, list[np.ndarray]] = {"new": result}
        supports: dict[str, list[np.ndarray]] = {}
        for method, idx in peers.items():  # the same blending, each half's plan for its own mouths (as the dub)
            placed = []
            for (a, b, _), flip in zip(halves, flips, strict=True):
                seen = model.flopped() if flip and method != "unflopped" else model
                plan = plan_mouths(own_crops[a:b], seen.bank_takes(hid), seen.crops[idx[a:b]])
                placed += [place_mouth(real[k], seen.crops[idx[k]], boxes[k], seed=k, plan=plan) for k in range(a, b)]
            fakes[method], supports[method] = [f for f, _ in placed], [s for _, s in placed]
        with align_v1.placing():  # new_in_memory's mouths and plans, registered as the code before tested it
            placed = []
            for (a, b, _), flip in zip(halves, flips, strict=True):
                seen, idx = model.flopped() if flip else model, peers["new_in_memory"]
                plan = plan_mouths(own_crops[a:b], seen.bank_takes(hid), seen.crops[idx[a:b]])
                placed += [place_mouth(real[k], seen.crops[idx[k]], boxes[k], seed=k, plan=plan) for k in range(a, b)]
        fakes["corner_test"], supports["corner_test"] = [f for f, _ in placed], [s for _, s in placed]
        placed = [blend_v1.place_mouth(real[k], small[peers["main"][k]], boxes[k]) for k in range(n)]
        fakes["today"], supports["today"] = [f for f, _ in placed], [s for _, s in placed]
        ctx = {"group": name, "variant": variant, "split": split, "frames": n}
        weights = np.concatenate(weights_of)
        spoken = [k for k in range(n) if weights[k] == 1]
        for method, fake in fakes.items():
            for metric, value in quality(real, fake, track).items():
                shown = None if np.isnan(value) else round(value, 4)  # teeth_l: no frame with teeth in both
                emit(metric=f"rebuild_mouth_{metric}", method=method, value=shown, **ctx)
            for metric, value in quality(real, fake, track, spoken).items():
                if metric in ("psnr", "ssim", "sharpness_ratio"):
                    emit(metric=f"rebuild_replaced_mouth_{metric}", method=method, value=round(value, 4),
                         replaced=len(spoken), path="rendered" if method == "new" else "in_memory", **ctx)  # fmt: skip
        for method in supports:  # the peers through the render's encode too: like for like with ``new``
            again = rendered(info, fakes[method], supports[method], tmp / f"{name}-{variant}-{method}.mov")
            for metric, value in quality(real, again, track, spoken).items():
                if metric in ("psnr", "ssim", "sharpness_ratio"):
                    emit(metric=f"rebuild_replaced_mouth_{metric}", method=method, value=round(value, 4),
                         replaced=len(spoken), path="rendered", **ctx)  # fmt: skip
        for method, idx in peers.items():
            emit(metric="rebuild_distinct_mouths", method=method, value=len(set(idx[spoken].tolist())),
                 replaced=len(spoken), **ctx)  # fmt: skip
            if method != "static_mouth" and model.take_rates is not None:
                emit(metric="rebuild_mouth_speed", method=method, value=mouth_speed(model, idx, halves, fps), **ctx)
        for method in ("new", "new_in_memory", "unfitted", "static_mouth"):  # each half's AV offset, as the dub's
            for half, ((a, b, _), line_i) in enumerate(zip(halves, lines, strict=True)):
                mouths = np.stack([crop(fakes[method][k], boxes[k], (BANK_W, BANK_H)) for k in range(a, b)])
                got = score(model.sync, SyncTake(grey_mouths(mouths), load_line(line_i).feats, fps))
                lag = open_lag(real[a:b], fakes[method][a:b], boxes[a:b])
                emit(metric="rebuild_half_sync", method=method, half=half, av_offset=got.offset_frames,
                     lse_d=round(got.lse_d, 4), open_lag=lag, **ctx)  # fmt: skip
        if spread:
            spread_of = static_spread(real, fakes, track, own_crops, bank, model.crops, pool, spoken[::3])
            emit(metric="rebuild_static_spread", **spread_of, **ctx)
        paused = [k for k in range(n) if weights[k] < 1]
        if paused:
            ramp = int(((weights > 0) & (weights < 1)).sum())
            emit(metric="rebuild_pauses", kept=int((weights == 0).sum()), ramp=ramp,
                 new_psnr=round(quality(real, fakes["new"], track, paused)["psnr"], 4),
                 replace_all_psnr=round(quality(real, fakes["new_in_memory"], track, paused)["psnr"], 4),
                 **ctx)  # fmt: skip
        for half, rb in enumerate(rbs):
            m = rb.metrics
            emit(metric="rebuild_sync", method="new", half=half, after_av_offset=m.get("after_av_offset_frames"),
                 after_lse_d=m.get("after_lse_d"), target_met=bool(m.get("av_offset_target_met")),
                 check_right_share=m.get("sync_check_right_share"), check_frames=m.get("sync_check_line_frames"),
                 **ctx)  # fmt: skip
            plan_of = {k: v for k, v in m.items() if k.startswith("mouth_")}
            emit(metric="rebuild_plan", method="new", half=half, **plan_of, **ctx)
            fit_of = {k: v for k, v in m.items() if k.startswith(("selection_fit", "selection_flop"))}
            emit(metric="rebuild_fit", method="new", half=half, **fit_of, **ctx)
            gate = {k: v for k, v in m.items() if k.startswith("selection_shape")}
            emit(metric="rebuild_shape_gate", method="new", half=half, **gate, **ctx)
        own_plan = plan_mouths(own_crops, [own_crops], own_crops)
        trip = {k: place_mouth(real[k], own_crops[k], boxes[k], seed=k, plan=own_plan)[0] for k in range(0, n, 3)}
        emit(metric="bank_round_trip", box_width=round(float(np.median([b[2] for b in boxes])), 1),
             bank_width=int(own_crops.shape[2]),
             psnr=round(float(np.mean([psnr(crop(real[k], boxes[k], (96, 60)), crop(f, boxes[k], (96, 60)))
                                       for k, f in trip.items()])), 2),
             sharpness_ratio=round(float(np.mean([sharpness(f, track, k) / max(sharpness(real[k], track, k), 1e-6)
                                                  for k, f in trip.items()])), 3), **ctx)  # fmt: skip
        emit(metric="dub_seconds_per_frame", value=round(dt / n, 3), **ctx)
        if png is not None:
            k = n // 2
            shown = (real, fakes["new"], fakes["unfitted"], fakes["nearest_audio"], fakes["static_mouth"])
            tiles = [crop(f[k], boxes[k], (192, 120)) for f in shown]
            png.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(png / f"{name}_{variant}.png"), np.concatenate(tiles, axis=1)[..., ::-1])
    if held_out is not None:
        return
    # Re-sync the held-out picture to another take's line (that take excluded from the bank).
    other = takes[0]
    secs = min(float(probe(held).duration), float(probe(other).duration)) - 0.15
    line = line_from(other, tmp / f"{name}-other.wav", seconds=secs)
    r = dub(held, model, line, tmp / f"{name}-resync.mov", performer=performer, model_ref=ref,
            exclude_take=content_hash(other))  # fmt: skip
    m = r.metrics
    emit(group=name, metric="resync", before_av_offset=m.get("before_av_offset_frames"),
         after_av_offset=m.get("after_av_offset_frames"), before_lse_d=m.get("before_lse_d"),
         after_lse_d=m.get("after_lse_d"), target_met=bool(m.get("av_offset_target_met")))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--performers", default="crema,grid,obama")
    ap.add_argument("--variants", default="crop,crf28,prores10")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--png", type=Path, default=None)
    ap.add_argument("--other-takes", default="", help="performers whose other takes are also held out in turn")
    ap.add_argument("--static-spread", action="store_true", help="score holding each bank mouth (slow)")
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    variants = [v for v in args.variants.split(",") if v]
    with tempfile.TemporaryDirectory() as d:
        for name in [n.strip() for n in args.performers.split(",") if n.strip()]:
            run_group(name, variants, args.steps, Path(d), args.png, spread=args.static_spread)
        for name in [n for n in args.other_takes.split(",") if n]:
            for i in range(len(GROUPS[name]) - 1):
                run_group(name, variants, args.steps, Path(d), args.png, held_out=i, spread=args.static_spread)


if __name__ == "__main__":
    main()
