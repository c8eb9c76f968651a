"""Delivery-QC benchmark on the shared footage: label → QC, and the verdict after each attack.

For every clip in ``../shared/footage`` (first 2 s, re-encoded to an H.264 MP4 "render"): ``label_output``
(badge + sidecars, watermark, C2PA signature) into a fresh project, then ``verify_deliverable`` on the deliverable
and on four attacked copies — one flipped byte in the picture data (must FAIL as tampered), a remux that strips the
manifest, an H.264 CRF 28 re-encode and an MKV transcode (each must PASS via the watermark with the
"recovered" note). Prints one JSON line per metric. There is no peer tool that runs this chain (c2patool validates
manifests only and is not installed here), so no ratio is printed.

Usage: ``PYTHONPATH=. python bench/qc.py [--clips N]``. Timings are wall-clock on this machine; say in any report
whether other work was running.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cutproof.core.workspace import Workspace  # noqa: E402
from cutproof.qc.verify import RECOVERED_NOTE, verify_deliverable  # noqa: E402
from tests._support.qc_scenario import build  # noqa: E402
from tests._support.video import flip_byte_in_media_data, remux, transcode  # noqa: E402

FOOTAGE = REPO.parent / "shared" / "footage"


def _copy_package(result, video: Path, dest: Path) -> Path:
    dest.mkdir(exist_ok=True)
    target = dest / (result.path.stem + video.suffix)
    shutil.copy(video, target)
    for s in result.sidecars:
        shutil.copy(s, dest / s.name)
    return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=0, help="limit the number of clips (0: all)")
    args = ap.parse_args()
    clips = sorted(p for p in FOOTAGE.iterdir() if p.suffix in {".mp4", ".flv", ".mpg"})
    if args.clips:
        clips = clips[: args.clips]
    if not clips:
        sys.exit(f"no footage in {FOOTAGE}")
    label_s, qc_s, outcomes = [], [], {"original": [], "tampered": [], "stripped": [], "crf28": [], "mkv": []}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ws = Workspace(d / "home")
        ws.init()
        for i, clip in enumerate(clips):
            work = d / f"c{i}"
            (work / "out").mkdir(parents=True)
            render = transcode(clip, work / "render.mp4", crf=18, max_seconds=2)
            t = time.perf_counter()
            sc = build(ws, render, work / "out", origin=f"cutproof.local/bench-{i}", name=f"shot-{i}.mp4")
            label_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            rep = verify_deliverable(ws, sc.result.path)
            qc_s.append(time.perf_counter() - t)
            outcomes["original"].append(rep.verdict == "pass")
            tampered = _copy_package(sc.result, sc.result.path, work / "tampered")
            flip_byte_in_media_data(tampered)
            rep = verify_deliverable(ws, tampered)
            outcomes["tampered"].append(rep.verdict == "fail" and any(c.name == "hard_binding" for c in rep.failures()))
            for name, make in (
                ("stripped", lambda p, o: remux(p, o / "x.mp4")),
                ("crf28", lambda p, o: transcode(p, o / "x.mp4", crf=28)),
                ("mkv", lambda p, o: transcode(p, o / "x.mkv", crf=23)),
            ):
                (work / name).mkdir()
                attacked = _copy_package(sc.result, make(sc.result.path, work / name), work / f"{name}-pkg")
                rep = verify_deliverable(ws, attacked)
                outcomes[name].append(rep.verdict == "pass" and RECOVERED_NOTE in rep.notes)
            print(
                f"# {clip.name}: " + ", ".join(f"{k}={'ok' if v[-1] else 'MISS'}" for k, v in outcomes.items()),
                file=sys.stderr,
            )
    n = len(clips)
    print(
        json.dumps(
            {
                "metric": "label_output_seconds_per_2s_clip_median",
                "value": round(statistics.median(label_s), 2),
                "clips": n,
            }
        )
    )
    print(json.dumps({"metric": "qc_verify_seconds_median", "value": round(statistics.median(qc_s), 2), "clips": n}))
    for k, v in outcomes.items():
        metric = "tampered_detected_rate" if k == "tampered" else f"qc_{k}_expected_verdict_rate"
        print(json.dumps({"metric": metric, "value": round(sum(v) / n, 3), "clips": n}))


if __name__ == "__main__":
    main()
