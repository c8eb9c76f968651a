"""Perceptual-fingerprint recovery (QC's third path) after attacks that defeat the watermark, and false matches.

Reference set: the first 2 s of every shared clip (H.264 CRF 18, as a deliverable would be), fingerprinted as the
labeller does (``labeler.fingerprint``, PDQ with centred-crop reference hashes). Held-out references: the same clips'
``mirror`` and ``prores10`` variants (``bench/_heldout.py``), reported separately (``variant``). Each reference is
attacked three ways —

- ``downscale_crf40``: 0.25× downscale, H.264 CRF 40;
- ``crop40``: a 40 % crop (the centre 60 % of width and height kept), H.264 CRF 23;
- ``screen``: blur + perspective warp, like a camera pointed at a screen, H.264 CRF 23 —

and the attacked copy is looked up among all references of its set: recovered when the best match is its own
reference and passes ``labeler.fingerprint.match``'s threshold. False matches: every clean clip and every attacked
copy against the references of *other* clips, plus 6 generated clips (``tests._support.video.make_clip``) against
all references. There is no peer installed here (vPDQ is not), so no ratio is printed.

Usage: ``PYTHONPATH=. python bench/fingerprint.py``. Wall-clock timings are on this machine; say whether other work
ran.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._heldout import FOOTAGE, make_variant  # noqa: E402
from labeler.fingerprint import REFERENCE_CROPS, Fingerprint, fingerprint_video, match  # noqa: E402
from tests._support.attacks import crop, downscale, reencode, screen_capture  # noqa: E402
from tests._support.video import make_clip, transcode  # noqa: E402

ATTACKS = {
    "downscale_crf40": (downscale(0.25), 40),
    "crop40": (crop(0.6), 23),
    "screen": (screen_capture, 23),
}


def _best(query: Fingerprint, refs: dict[str, Fingerprint], exclude: str | None = None) -> tuple[str | None, float]:
    """The matching reference with the smallest median distance (as ``lookup_fingerprint`` ranks them)."""
    best, distance = None, float("inf")
    for name, ref in refs.items():
        if name == exclude:
            continue
        m = match(query, ref)
        if m.matched and m.median_distance < distance:
            best, distance = name, m.median_distance
    return best, distance


def main() -> None:
    clips = sorted(p.name for p in FOOTAGE.iterdir() if p.suffix in {".mp4", ".flv", ".mpg"})
    if not clips:
        sys.exit(f"no footage in {FOOTAGE}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for variant in ("shared", "mirror", "prores10"):
            refs: dict[str, Fingerprint] = {}
            renders: dict[str, Path] = {}
            t = time.perf_counter()
            for name in clips:
                src = FOOTAGE / name if variant == "shared" else make_variant(FOOTAGE / name, variant)
                renders[name] = transcode(src, d / f"{variant}-{name}.mp4", crf=18, max_seconds=2)
                refs[name] = fingerprint_video(renders[name], crops=REFERENCE_CROPS)
            per_ref_ms = (time.perf_counter() - t) / len(clips) * 1000
            print(json.dumps({"metric": "reference_ms_per_2s_clip", "variant": variant, "value": round(per_ref_ms)}))
            false = checks = 0
            for name in clips:
                checks += 1
                false += _best(fingerprint_video(renders[name]), refs, exclude=name)[0] is not None
            for attack, (transform, crf) in ATTACKS.items():
                recovered = 0
                for name in clips:
                    copy = reencode(renders[name], d / f"{variant}-{attack}-{name}.mp4", transform, crf=crf)
                    query = fingerprint_video(copy)
                    recovered += _best(query, refs)[0] == name
                    checks += 1
                    false += _best(query, refs, exclude=name)[0] is not None
                print(
                    json.dumps(
                        {
                            "metric": "fingerprint_recovery_rate",
                            "variant": variant,
                            "attack": attack,
                            "value": round(recovered / len(clips), 3),
                            "clips": len(clips),
                        }
                    )
                )
            for seed in range(6):
                other = make_clip(d / f"gen{seed}.mp4", seconds=2, size=(640, 360), seed=100 + seed)
                checks += 1
                false += _best(fingerprint_video(other), refs)[0] is not None
            print(
                json.dumps(
                    {"metric": "fingerprint_false_matches", "variant": variant, "value": false, "comparisons": checks}
                )
            )


if __name__ == "__main__":
    main()
