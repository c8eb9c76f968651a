"""How the dub's pauses (``editor.dialogue.pauses``) hold up on sound the project never heard. One JSON line per
clip and condition.

Every clip of the footage is used both as the new line and as the shot's own sound, as in a rebuild. Its kept
frames on the clean sound are the reference. The same sound is then made harder in ways a production meets:

- room noise: brown (rumble-like) or white, at a signal-to-noise ratio in dB against the speech's RMS;
- the level: the whole sound 20 dB quieter (``gain`` 0.1).

Per condition:

- ``kept``: the frames kept;
- ``extra``: frames kept here but not on the clean sound. These are the harmful ones: speech taken for a pause,
  so the shot's own mouth shows while a line is spoken;
- ``lost``: frames kept on the clean sound but replaced here. This is the safe failure, the behaviour before
  pauses were kept;
- ``reason``: why nothing was kept, if so.

No peer runs: the alternative, placing a mouth on every frame, keeps 0 frames by definition.

Usage: ``PYTHONPATH=. python bench/dialogue_pauses.py [--snr 40,30,25,20,15,10]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE

from editor.dialogue.pauses import pauses
from media import probe, read_audio

CLIPS = sorted(p.name for p in FOOTAGE.glob("*") if p.suffix in {".flv", ".mpg", ".mp4"}) if FOOTAGE.is_dir() else []


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "dialogue_pauses", **kw}, sort_keys=True), flush=True)


def noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    x = rng.normal(0, 1, n)
    if kind == "brown":  # integrated white noise, its slow drift removed (a room's rumble)
        x = np.cumsum(x)
        x -= np.convolve(x, np.ones(200) / 200, "same")
    return x / np.sqrt(np.mean(x**2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snr", default="40,30,25,20,15,10")
    args = ap.parse_args()
    if not CLIPS:
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    rng = np.random.default_rng(0)
    for name in CLIPS:
        audio, info = read_audio(FOOTAGE / name), probe(FOOTAGE / name)
        n, fps, x = info.frame_count, info.frame_rate, audio.mono()
        clean = pauses(x, audio.rate, x, audio.rate, fps, n).weights == 0
        voiced = np.abs(x) > 0.05 * np.abs(x).max()
        speech_rms = float(np.sqrt(np.mean(x[voiced] ** 2)))
        conditions = [("clean", None, 1.0), ("clean", None, 0.1)]
        conditions += [
            (kind, float(s), g) for kind in ("brown", "white") for s in args.snr.split(",") for g in (1.0, 0.1)
        ]
        for kind, snr, gain in conditions:
            y = x * gain
            if snr is not None:
                y = y + noise(kind, len(x), rng) * speech_rms * gain * 10 ** (-snr / 20)
            got = pauses(y.astype(np.float32), audio.rate, y.astype(np.float32), audio.rate, fps, n)
            kept = got.weights == 0
            emit(clip=name, frames=n, noise=kind, snr_db=snr, gain=gain, kept=int(kept.sum()),
                 extra=int((kept & ~clean).sum()), lost=int((clean & ~kept).sum()), reason=got.reason)  # fmt: skip


if __name__ == "__main__":
    main()
