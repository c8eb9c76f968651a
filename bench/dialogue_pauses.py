"""How the dub's pauses (``editor.dialogue.pauses``) hold up on sound the project never heard. One JSON line per
clip, condition and rule.

Every clip of the footage is used both as the new line and as the shot's own sound, as in a rebuild. Its kept
frames on the clean sound (by the level rule, which decides there) are the reference. The same sound is then made
harder in ways a production meets:

- room noise, at a signal-to-noise ratio in dB against the speech's RMS: ``brown`` (rumble-like) and ``white``,
  the two the steady-noise rule's constants were chosen on (stop 45, on the CREMA-D and GRID clips); and, never
  looked at while choosing, ``pink``, ``hum`` (50 Hz mains and its harmonics under a hiss), ``hvac`` (air
  handling: noise in 100–1000 Hz) and ``babble`` (people talking: three takes of the footage mixed, not a steady
  noise at all); and two that come and go, measured after stop 45: ``traffic`` (cars passing: a rumble that swells
  and fades over 1–3 s, at random times, over a steady one 15 dB under it) and ``music`` (a synthetic stand-in:
  chords of harmonic tones changing every half second, with a beat of noise bursts; no recording is used);
- the level: the whole sound 20 dB quieter (``gain`` 0.1);
- with ``--variants``, the held-out versions of each clip (``bench/_heldout.py``: re-framed H.264, CRF 28,
  ProRes 10-bit; their sound re-encoded as AAC or PCM), noise added the same way, scored against the shared
  clip's reference.

Per condition and ``rule`` (``new``: the product, the level rule then the steady-noise rule; ``level``: the peer,
``bench/_peers/pauses_level_v1.py``, the level rule alone as before stop 45), on the same noisy sound:

- ``kept``: the frames kept;
- ``extra``: frames kept here but not on the clean sound. These are the harmful ones: speech taken for a pause,
  so the shot's own mouth shows while a line is spoken;
- ``lost``: frames kept on the clean sound but replaced here. This is the safe failure, the behaviour before
  pauses were kept;
- ``refused``: nothing could be told (``reason`` for the product).

The softly spoken CREMA-D SAD take keeps nothing on its clean sound by the level rule, so it has no reference;
its lines are marked ``reference: none`` and left out of totals.

Usage: ``PYTHONPATH=. python bench/dialogue_pauses.py [--snr 40,30,25,20,15,12,10]
[--noise brown,white,pink,hum,hvac,babble,traffic,music] [--variants crop,crf28,prores10]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE, make_variant
from _peers.pauses_level_v1 import level_only_pauses

from editor.dialogue.pauses import pauses
from media import probe, read_audio

CLIPS = sorted(p.name for p in FOOTAGE.glob("*") if p.suffix in {".flv", ".mpg", ".mp4"}) if FOOTAGE.is_dir() else []
SR_NOISE = 16000


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "dialogue_pauses", **kw}, sort_keys=True), flush=True)


def noise(kind: str, n: int, rng: np.random.Generator, rate: int = SR_NOISE) -> np.ndarray:
    """``n`` samples of unit-RMS noise of ``kind`` at ``rate``."""
    x = rng.normal(0, 1, n)
    if kind == "brown":  # integrated white noise, its slow drift removed (a room's rumble)
        x = np.cumsum(x)
        x -= np.convolve(x, np.ones(200) / 200, "same")
    elif kind in ("pink", "hvac"):
        f = np.fft.rfftfreq(n, 1 / rate)
        shape = 1 / np.sqrt(np.maximum(f, 20.0)) if kind == "pink" else ((f >= 100) & (f <= 1000)).astype(float)
        x = np.fft.irfft(np.fft.rfft(x) * shape, n)
    elif kind == "babble":  # people talking in the background: three other takes' sound, mixed and looped
        x = _babble(n, rate, rng)
    elif kind == "traffic":
        x = _traffic(n, rate, rng)
    elif kind == "music":
        x = _music(n, rate, rng)
    elif kind == "hum":  # 50 Hz mains and its first harmonics, with a hiss 10 dB under them
        t = np.arange(n) / rate
        hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 2 * np.pi)) / k for k in range(1, 8))
        x = hum / np.sqrt(np.mean(hum**2)) + x * 10 ** (-10 / 20)
    return x / np.sqrt(np.mean(x**2))


def _traffic(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Cars passing: brown noise (a rumble) under an envelope of bell-shaped swells, each 1–3 s wide and 6–20 dB over
    the steady rumble beneath, one every 1.5 s on average at random times (some before and after the sound)."""
    t = np.arange(n) / rate
    rumble = np.cumsum(rng.normal(0, 1, n))
    rumble -= np.convolve(rumble, np.ones(200) / 200, "same")
    rumble /= np.sqrt(np.mean(rumble**2))
    env = np.full(n, 10 ** (-15 / 20))
    span = n / rate
    for at in rng.uniform(-1.5, span + 1.5, max(1, rng.poisson((span + 3) / 1.5))):
        width = rng.uniform(1.0, 3.0) / 2.355  # the swell's full width at half height, as a standard deviation
        env += 10 ** ((rng.uniform(6, 20) - 15) / 20) * np.exp(-0.5 * ((t - at) / width) ** 2)
    return rumble * env


def _music(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """A synthetic stand-in for music: a chord of three notes (each with its first five harmonics) held for half a
    second, then another, over a beat of 60 ms noise bursts every quarter second."""
    t = np.arange(n) / rate
    out = np.zeros(n)
    hold = rate // 2
    for start in range(0, n, hold):
        seg = slice(start, min(n, start + hold))
        root = 110.0 * 2 ** (rng.integers(0, 24) / 12)
        for step in (0, 4, 7):
            f = root * 2 ** (step / 12)
            out[seg] += sum(np.sin(2 * np.pi * f * k * t[seg]) / k for k in range(1, 6))
    beat = np.zeros(n)
    for start in range(0, n, rate // 4):
        m = min(n - start, int(0.06 * rate))
        beat[start : start + m] = rng.normal(0, 1, m) * np.exp(-np.arange(m) / (0.015 * rate))
    out /= np.sqrt(np.mean(out**2))
    return out + 0.7 * beat / max(float(np.sqrt(np.mean(beat**2))), 1e-12)


def _babble(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Three takes' sound (drawn from all the footage's, whose pauses the bench scores: a crowd of the same voices
    is the hardest case), each from a random start, looped to ``n`` samples and summed at equal RMS."""
    out = np.zeros(n)
    for name in rng.choice(CLIPS, 3, replace=False):
        a = read_audio(FOOTAGE / str(name))
        y = np.asarray(a.mono(), np.float64)
        if a.rate != rate:
            y = np.interp(np.arange(int(len(y) * rate / a.rate)) * a.rate / rate, np.arange(len(y)), y)
        y = np.roll(np.resize(y, n), int(rng.integers(0, n)))
        out += y / max(float(np.sqrt(np.mean(y**2))), 1e-12)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snr", default="40,30,25,20,15,12,10")
    ap.add_argument("--noise", default="brown,white,pink,hum,hvac,babble,traffic,music")
    ap.add_argument("--variants", default="", help="held-out versions too (e.g. crop,crf28,prores10)")
    args = ap.parse_args()
    if not CLIPS:
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    kinds = [k for k in args.noise.split(",") if k]
    variants = ["shared", *[v for v in args.variants.split(",") if v]]
    with tempfile.TemporaryDirectory() as tmp:
        for name in CLIPS:
            info = probe(FOOTAGE / name)
            x0 = read_audio(FOOTAGE / name)
            x = x0.mono()
            clean = level_only_pauses(x, x0.rate, x, x0.rate, info.frame_rate, info.frame_count)
            reference = clean.weights == 0 if clean.reason is None else None
            for variant in variants:
                path = FOOTAGE / name if variant == "shared" else make_variant(FOOTAGE / name, variant, Path(tmp))
                run_clip(name, variant, path, reference, kinds, args.snr.split(","))


def run_clip(
    name: str, variant: str, path: Path, reference: np.ndarray | None, kinds: list[str], snrs: list[str]
) -> None:
    rng = np.random.default_rng(0)  # the same noise for every variant of a clip, and for both rules
    audio, info = read_audio(path), probe(path)
    n, fps, x = info.frame_count, info.frame_rate, audio.mono()
    ref = reference[:n] if reference is not None else np.zeros(n, bool)
    voiced = np.abs(x) > 0.05 * np.abs(x).max()
    speech_rms = float(np.sqrt(np.mean(x[voiced] ** 2)))
    conditions = [("clean", None, 1.0), ("clean", None, 0.1)]
    conditions += [(kind, float(s), g) for kind in kinds for s in snrs for g in (1.0, 0.1)]
    for kind, snr, gain in conditions:
        y = x * gain
        if snr is not None:
            y = y + noise(kind, len(x), rng, audio.rate) * speech_rms * gain * 10 ** (-snr / 20)
        y = y.astype(np.float32)
        got = pauses(y, audio.rate, y, audio.rate, fps, n)
        peer = level_only_pauses(y, audio.rate, y, audio.rate, fps, n)
        for rule, found in (("new", got), ("level", peer)):
            kept, reason = found.weights == 0, found.reason
            emit(clip=name, variant=variant, frames=n, noise=kind, snr_db=snr, gain=gain, rule=rule,
                 kept=int(kept.sum()), extra=int((kept & ~ref).sum()), lost=int((ref & ~kept).sum()),
                 refused=reason is not None, reason=reason,
                 reference="clean" if reference is not None else "none")  # fmt: skip


if __name__ == "__main__":
    main()
