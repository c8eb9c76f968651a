"""Bench: who is in the shot — identification on held-out footage the project has never seen (JSON lines).

Three people: CREMA-D actor 1001 (takes 1–3), a GRID talker (4–5), Obama (6–8). Each is tagged once, on their
first take (the largest face of the middle frame). Both engines run on the same material in the same run:
``new`` is ``editor.cast``; ``old`` is the engine this replaces (Haar + HOG/LBP descriptors, vendored unchanged
in ``bench/_legacy_cast``).

Material (nothing tuned to it; ``bench/_cast_clips.py`` builds it with ``tests/editor/_faces_media.py``):
- ``shared``: the untransformed other takes (the tagged take never), reported on its own.
- ``held-out``: each other take mirrored, re-cropped, letterboxed 2.39:1, re-graded, re-encoded as ProRes 422 HQ
  10-bit, resampled to 24 and to 50 fps, pasted into a 1920×1080 canvas with a face of 40, 60, 100 and 200 px;
  two takes of different people joined; two-shots of two people side by side.
- ``strangers``: faces that are no performer's — each person's takes (transformed as above) under a model
  trained without them (leave one out); per person a crowd of six of their faces (other takes, mirrored,
  re-graded; 60–160 px in a 1080p canvas) scored only under the model without them; procedurally drawn animated
  faces, and two crowds of animated faces.

Metrics (``engine`` = new/old, ``set`` = shared/held-out): one *appearance* is one person in one clip.
- ``identified_rate``: appearances of a performer whose clip reports them; ``wrong_identity_rate``: appearances
  of anyone (performer or stranger) reported as another performer; ``wrong_identities``: the count;
- ``stranger_reject_rate``: stranger appearances reported as no performer;
- ``stranger_face_samples`` / ``stranger_sample_reject_rate``: on clips showing strangers only, every face
  observation (one face on one sampled frame) the engine detected, and the share of them not identified as a
  performer (``old``: sampled frames per reported performer, exact for one face per frame);
- ``detection_recall_<N>px``: sampled frames of the canvas clips where a face box overlaps the pasted face;
- ``frames_per_second_1080p``: detection + identity vectors of one 1080p frame, per second of wall time and of
  this process's CPU time (the machine is shared: CPU time is the steadier figure); ``detect_frames_per_second_1080p``
  the same for detection alone, on the canvas frame and on a textured one (a take upscaled to 1080p behind the
  pasted face).
Targets (issue 15): 0 wrong identities; ≥ 95 % identified; ≥ 99 % of strangers unidentified; recall ≥ 95 % at 60 px.

Run: ``PYTHONPATH=. python bench/cast.py [--footage /work/shared/footage] [--frames 36] [--samples 6]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the repo's packages, not this folder's same-named scripts (bench/ledger.py)

from bench._cast_clips import TAKES, Clip, build  # noqa: E402
from bench._legacy_cast import faces as old_faces  # noqa: E402
from bench._legacy_cast import model as old_model  # noqa: E402
from bench._legacy_cast import who as old_who  # noqa: E402
from editor.cast import CastTag, detect_faces, iou, train_cast, who  # noqa: E402
from editor.dailies import content_hash  # noqa: E402
from media import Region, probe, read_frame  # noqa: E402
from tests.editor import _faces_media as fm  # noqa: E402


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


@dataclass
class Tally:
    appearances: int = 0
    identified: int = 0
    wrong: int = 0
    strangers: int = 0
    rejected: int = 0
    stranger_samples: int = 0
    stranger_samples_identified: int = 0
    detail: list[dict[str, Any]] = field(default_factory=list)


def tag_of(path: Path, label: str) -> CastTag:
    info = probe(path)
    for frame in range(info.frame_count // 2, info.frame_count):
        faces = detect_faces(read_frame(info, frame, "rgb24"), frame)
        if faces:
            f = max(faces, key=lambda b: b.width * b.height)
            return CastTag(content_hash(info.path), frame, label, Region(f.x, f.y, f.width, f.height))
    raise SystemExit(f"no face found to tag in {path.name}")


@dataclass(frozen=True)
class Answer:
    """An engine's answer on a clip: performers reported, unidentified tracks, and face observations of each."""

    found: tuple[str, ...]
    unidentified: int
    identified_observations: int
    unidentified_observations: int


Engine = Callable[[Path], Answer]


def engines(footage: Path, people: list[str], samples: int) -> dict[str, Engine]:
    """Train both engines on one tag per performer in ``people``; return their ``who`` on a path."""
    tags = [tag_of(footage / TAKES[p][0], p) for p in people]
    infos = {content_hash(footage / TAKES[p][0]): probe(footage / TAKES[p][0]) for p in people}
    new = train_cast(infos, tags, samples=8).model
    old = old_model.train_cast(infos, tags, samples=8).model

    def run_new(path: Path) -> Answer:
        r = who(probe(path), new, samples=samples)
        seen = sum(p.observations for p in r.performers)
        return Answer(r.labels, len(r.unidentified), seen, sum(len(u["frames_seen"]) for u in r.unidentified))

    def run_old(path: Path) -> Answer:
        r = old_who.who(probe(path), old, samples=samples)
        seen = sum(len(p.frames) for p in r.performers)
        return Answer(r.labels, len(r.unidentified), seen, sum(len(u["frames_seen"]) for u in r.unidentified))

    return {"new": run_new, "old": run_old}


def score(tally: Tally, clip: Clip, known: set[str], answer: Answer) -> None:
    found = answer.found
    if not known & set(clip.people):
        tally.stranger_samples += answer.identified_observations + answer.unidentified_observations
        tally.stranger_samples_identified += answer.identified_observations
    for person in clip.people or ("(animated face)",):
        performer = person in known
        tally.appearances += performer
        tally.strangers += not performer
        if performer:
            tally.identified += person in found
        else:
            tally.rejected += not set(found) - set(clip.people)
    wrong = set(found) - set(clip.people)
    tally.wrong += len(wrong)
    if wrong:
        tally.detail.append({"clip": clip.path.name, "truth": list(clip.people), "found": list(found)})


def recall(clips: list[Clip], samples: int) -> dict[str, dict[int, tuple[int, int]]]:
    out: dict[str, dict[int, tuple[int, int]]] = {"new": {}, "old": {}}
    for c in clips:
        if c.side is None or c.face_box is None:
            continue
        info = probe(c.path)
        for i in np.linspace(0, info.frame_count - 1, samples).astype(int):
            rgb = read_frame(info, int(i), "rgb24")
            for name, boxes in (
                ("new", [f.box for f in detect_faces(rgb)]),
                ("old", [(f.x, f.y, f.width, f.height) for f in old_faces.detect_faces(rgb)]),
            ):
                hit = any(iou(b, c.face_box) >= 0.3 for b in boxes)  # type: ignore[arg-type]
                seen, total = out[name].get(c.side, (0, 0))
                out[name][c.side] = (seen + hit, total + 1)
    return out


def _rate(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """(calls per second of wall time, calls per second of this process's CPU time), after one warm-up call."""
    fn()
    t, c = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        fn()
    return repeat / (time.perf_counter() - t), repeat / max(time.process_time() - c, 1e-9)


def speed(clips: list[Clip], footage: Path) -> None:
    """Frames per second at 1080p, both engines: detection + identity on the 100 px canvas frame; detection alone
    on it and on a textured version (a take upscaled to 1080p behind the pasted face)."""
    canvas = next(c for c in clips if c.side == 100)
    rgb = read_frame(probe(canvas.path), 0, "rgb24")
    back, _ = fm.read_take(footage / TAKES["grid"][0], 1)
    textured = rgb.copy()
    flat = (rgb == rgb[0, 0]).all(axis=2)
    textured[flat] = cv2.resize(back[0], (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_CUBIC)[flat]
    full = {
        "new": lambda: detect_faces(rgb, embed=True),
        "old": lambda: [old_model.descriptors(rgb, (f.x, f.y, f.width, f.height)) for f in old_faces.detect_faces(rgb)],
    }
    rates = {name: _rate(fn) for name, fn in full.items()}
    emit(
        metric="frames_per_second_1080p",
        what="detection + identity vectors, one 100 px face on a grey 1080p canvas",
        new=round(rates["new"][0], 3),
        old=round(rates["old"][0], 3),
        new_cpu=round(rates["new"][1], 3),
        old_cpu=round(rates["old"][1], 3),
        note="2 cores shared with other work; *_cpu = frames per CPU-second of this process",
    )
    for frame_name, frame in (("canvas", rgb), ("textured", textured)):
        det = {"new": _rate(lambda f=frame: detect_faces(f)), "old": _rate(lambda f=frame: old_faces.detect_faces(f))}
        emit(
            metric="detect_frames_per_second_1080p",
            frame=frame_name,
            new=round(det["new"][0], 3),
            old=round(det["old"][0], 3),
            new_cpu=round(det["new"][1], 3),
            old_cpu=round(det["old"][1], 3),
        )


def summary(tallies: dict[tuple[str, str], Tally]) -> None:
    for (name, subset), t in sorted(tallies.items()):
        emit(
            metric="cast_identification",
            engine=name,
            set=subset,
            appearances=t.appearances,
            identified_rate=round(t.identified / max(t.appearances, 1), 4),
            wrong_identities=t.wrong,
            wrong_identity_rate=round(t.wrong / max(t.appearances + t.strangers, 1), 4),
            strangers=t.strangers,
            stranger_reject_rate=round(t.rejected / max(t.strangers, 1), 4),
            stranger_face_samples=t.stranger_samples,
            stranger_face_samples_identified=t.stranger_samples_identified,
            stranger_sample_reject_rate=round(1 - t.stranger_samples_identified / max(t.stranger_samples, 1), 4),
            wrong_detail=t.detail[:8],
        )


def combine(paths: list[Path]) -> None:
    """Score again, from their ``cast_clip`` lines, the parts of a run split over processes (``--full-only`` and
    one ``--left-out`` per person) and print the summary of the whole run."""
    tallies: dict[tuple[str, str], Tally] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("metric") != "cast_clip":
                continue
            subset = "shared" if row["kind"] == "untransformed" else "held-out"
            clip = Clip(Path(row["clip"]), subset, tuple(row["truth"]), row["kind"])
            answer = Answer(
                tuple(row["found"]),
                row["unidentified_tracks"],
                row["identified_observations"],
                row["unidentified_observations"],
            )
            score(tallies.setdefault((row["engine"], subset), Tally()), clip, set(row["known"]), answer)
    summary(tallies)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    ap.add_argument("--frames", type=int, default=36, help="frames of each take used to build held-out clips")
    ap.add_argument("--samples", type=int, default=6, help="frames sampled per clip by `who`")
    ap.add_argument("--left-out", choices=sorted(TAKES), help="only the leave-one-out run without this person")
    ap.add_argument("--full-only", action="store_true", help="only the full cast's run (no speed, recall, left-out)")
    ap.add_argument("--measure-only", action="store_true", help="only speed and detection recall (no identification)")
    ap.add_argument("--reverse", action="store_true", help="score the clips last to first (to split a run)")
    ap.add_argument("--combine", type=Path, nargs="+", help="summarise the JSON lines of a run split in parts")
    args = ap.parse_args()
    if args.combine:
        combine(args.combine)
        return
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        clips = build(args.footage, Path(tmp), args.frames, args.left_out)
        emit(metric="cast_bench_clips", value=len(clips), held_out=sum(c.set == "held-out" for c in clips))
        everyone = sorted(TAKES)
        if args.reverse:
            clips.reverse()
        if args.full_only:
            plans = [(everyone, None)]
        elif args.left_out is None:
            speed(clips, args.footage)
            for name, by_size in recall(clips, args.samples).items():
                for side, (seen, total) in sorted(by_size.items()):
                    emit(metric=f"detection_recall_{side}px", engine=name, value=round(seen / total, 4), frames=total)
            plans = [(everyone, None)] + [([p for p in everyone if p != out], out) for out in everyone]
            if args.measure_only:
                plans = []
        else:
            plans = [([p for p in everyone if p != args.left_out], args.left_out)]
        tallies: dict[tuple[str, str], Tally] = {}
        for people, left_out in plans:
            t = time.perf_counter()
            runs = engines(args.footage, people, args.samples)
            emit(metric="cast_bench_model", people=people, train_seconds=round(time.perf_counter() - t, 1))
            for clip in clips:
                if left_out is not None and left_out not in clip.people:
                    continue  # leave-one-out models are scored on the left-out person's clips only
                if left_out is None and clip.strangers_only:
                    continue
                for name, run in runs.items():
                    answer = run(clip.path)
                    score(tallies.setdefault((name, clip.set), Tally()), clip, set(people), answer)
                    emit(
                        metric="cast_clip",
                        engine=name,
                        clip=clip.path.name,
                        kind=clip.kind,
                        truth=list(clip.people),
                        known=people,
                        found=list(answer.found),
                        unidentified_tracks=answer.unidentified,
                        identified_observations=answer.identified_observations,
                        unidentified_observations=answer.unidentified_observations,
                    )
            summary(tallies)
    emit(metric="cast_bench_seconds", value=round(time.perf_counter() - t0, 1))


if __name__ == "__main__":
    main()
