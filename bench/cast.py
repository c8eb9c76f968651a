"""Bench: who-is-in-the-shot identification on held-out takes of the shared footage (JSON lines).

Three people: CREMA-D actor 1001 (takes 1–3), a GRID talker (4–5), Obama (6–8). Closed set: one tag per person on
one take (the middle frame's detected face, as a production would tag it), train, then ask ``who`` on every other
take: a take is correct when exactly its performer is reported and no face is left unidentified. Open set: leave
one person out of training and check that their held-out takes report nobody known (their faces unidentified).

Run: ``python bench/cast.py [--footage /work/shared/footage] [--samples 16]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the repo's packages, not this folder's same-named scripts (bench/ledger.py)

from editor.cast import CastTag, train_cast, who  # noqa: E402
from editor.dailies import content_hash  # noqa: E402
from editor.faces import detect_faces  # noqa: E402
from media import MediaInfo, Region, probe, read_frame  # noqa: E402

TAKES = {
    "actor1001": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv", "crema-d_1001_DFA_SAD_XX.flv"],
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "obama": [
        "obama-weekly-address_but-heres-the-thing.mp4",
        "obama-weekly-address_a-bad-situation.mp4",
        "obama-weekly-address_very-real-challenges.mp4",
    ],
}


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def tag_of(info: MediaInfo, label: str) -> CastTag:
    """Tag the largest face of the first frame from the middle on where one is found."""
    for frame in range(info.frame_count // 2, info.frame_count):
        faces = detect_faces(read_frame(info, frame, "rgb24"), frame)
        if faces:
            f = max(faces, key=lambda b: b.width * b.height)
            return CastTag(content_hash(info.path), frame, label, Region(f.x, f.y, f.width, f.height))
    raise SystemExit(f"no face found to tag in {info.path.name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    ap.add_argument("--samples", type=int, default=16)
    args = ap.parse_args()
    infos = {n: probe(args.footage / n) for takes in TAKES.values() for n in takes}
    hashes = {n: content_hash(i.path) for n, i in infos.items()}
    tags = {p: tag_of(infos[takes[0]], p) for p, takes in TAKES.items()}

    def train(people: list[str]):
        chosen = [tags[p] for p in people]
        return train_cast({hashes[TAKES[p][0]]: infos[TAKES[p][0]] for p in people}, chosen, samples=args.samples)

    t0 = time.perf_counter()
    trained = train(sorted(TAKES))
    emit(metric="cast_train_seconds", value=round(time.perf_counter() - t0, 2), unit="s", note="2 shared cores")
    emit(metric="cast_calibration", value=trained.metrics["calibration"])
    reports = {}
    correct, total = 0, 0
    for person, takes in TAKES.items():
        for name in takes[1:]:
            t = time.perf_counter()
            rep = who(infos[name], trained.model, samples=args.samples)
            reports[name] = rep
            ok = rep.labels == (person,) and rep.unidentified_faces == 0
            correct += ok
            total += 1
            emit(
                metric="cast_take",
                take=name,
                truth=person,
                found=list(rep.labels),
                unidentified=rep.unidentified_faces,
                detail=[u | {"frames_seen": len(u["frames_seen"])} for u in rep.unidentified],
                confidence=[p.confidence for p in rep.performers],
                correct=ok,
                seconds=round(time.perf_counter() - t, 2),
            )
    emit(metric="cast_closed_set_take_accuracy", value=round(correct / total, 4), correct=correct, takes=total)
    wrong = sum(
        1 for n, r in reports.items() if any(lab not in [p for p, t in TAKES.items() if n in t] for lab in r.labels)
    )
    emit(metric="cast_closed_set_wrong_identity_takes", value=wrong, takes=total)

    rejected, total = 0, 0
    for left_out in TAKES:
        model = train([p for p in TAKES if p != left_out]).model
        for name in TAKES[left_out][1:]:
            rep = who(infos[name], model, samples=args.samples)
            ok = not rep.labels and rep.unidentified_faces >= 1
            rejected += ok
            total += 1
            emit(
                metric="cast_open_set_take",
                take=name,
                left_out=left_out,
                found=list(rep.labels),
                unidentified=rep.unidentified_faces,
                rejected=ok,
            )
    emit(metric="cast_open_set_rejection_rate", value=round(rejected / total, 4), rejected=rejected, takes=total)


if __name__ == "__main__":
    main()
