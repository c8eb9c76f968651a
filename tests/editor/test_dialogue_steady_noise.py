"""Pauses told in a steady room noise (``editor.dialogue.steady_noise``): where a line's loud and quiet parts are too
close for the level rule, its speech is told by how its spectrum stands out of the noise; a quiet part that is not a
steady noise, or speech not clear of it, tells nothing."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.dialogue import steady_noise
from editor.dialogue.features import to_16k_mono
from editor.dialogue.pauses import PAD_S, levels_db, line_speech, pauses, speech_hops
from editor.dialogue.steady_noise import WIDEN_S, divergence, loud_hops
from media import probe, read_audio

RATE = 16000
FPS = Fraction(25)


def rumble(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS brown noise (a room's rumble: most of its power under 250 Hz)."""
    x = np.cumsum(rng.normal(0, 1, int(seconds * RATE)))
    x -= np.convolve(x, np.ones(200) / 200, "same")
    return x / np.sqrt(np.mean(x**2))


def voice(seconds: float, f0: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS voiced-speech stand-in: harmonics of ``f0`` up to 4 kHz, falling 6 dB an octave, with jitter."""
    t = np.arange(int(seconds * RATE)) / RATE
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    x = sum(np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k for k in range(1, int(4000 // f0)))
    return x / np.sqrt(np.mean(x**2))


def in_rumble(seconds: float, spoken: list[tuple[float, float]], snr_db: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rumble(seconds, rng) * 10 ** (-snr_db / 20)
    for a, b in spoken:
        x[int(a * RATE) : int(b * RATE)] += voice(b - a, 140.0, rng)[: int(b * RATE) - int(a * RATE)]
    return (0.1 * x).astype(np.float32)


def test_speech_in_a_rumble_is_told_by_its_spectrum() -> None:
    """Brown noise 12 dB under the voice: the level rule cannot tell (its range is under 24 dB), the spectrum can;
    the frames kept are those clear of the speech by the margin and the widening, both lines alike."""
    x = in_rumble(4.0, [(1.2, 2.6)], snr_db=12, seed=1)
    assert speech_hops(levels_db(x, RATE)) is None
    found = line_speech(x, RATE)
    assert found is not None and found[1] == "steady_noise"
    got = pauses(x, RATE, x, RATE, FPS, 100)
    assert got.reason is None and got.found_by == ("steady_noise", "steady_noise")
    kept = np.flatnonzero(got.weights == 0)
    clear = float(PAD_S + WIDEN_S)
    assert kept.size > 20
    for k in kept:  # no kept frame comes within the margin and the widening of the voice
        assert (k + 1) / 25 <= 1.2 - clear + 0.02 or k / 25 >= 2.6 + clear - 0.02, k
    assert not any(30 <= k < 65 for k in kept)


def test_the_level_rule_decides_where_it_can() -> None:
    """A clean line (the room 40 dB down) is told by its level, as before the steady-noise rule existed."""
    x = in_rumble(3.0, [(1.0, 2.0)], snr_db=40, seed=2)
    assert line_speech(x, RATE)[1] == "level"  # type: ignore[index]
    assert np.array_equal(line_speech(x, RATE)[0], speech_hops(levels_db(x, RATE)))  # type: ignore[index]


def test_speech_spoken_throughout_is_not_taken_for_a_steady_noise(footage_dir: Path) -> None:
    """Real speech with its pauses cut out, alternate 0.3 s stretches 20 dB quieter: the quietest fifth is quiet
    speech, whose spectrum moves from hop to hop, so no noise is measured and no pause is told."""
    path = footage_dir / "grid_pwij3p.mpg"
    audio = read_audio(path)
    x = np.asarray(to_16k_mono(audio.mono(), audio.rate), np.float32)
    spoken = np.repeat(speech_hops(levels_db(x, RATE)), RATE // 100)[: len(x)]  # type: ignore[arg-type]
    y = x[: len(spoken)][spoken].copy()
    for i in range(0, len(y), 2 * 4800):
        y[i : i + 4800] *= 0.1
    got = divergence(y, RATE)
    assert got is not None and got[1] > steady_noise.STEADY_MAX
    assert loud_hops(y, RATE) is None


def test_a_voice_whose_quiet_part_is_steady_but_not_clear_of_it_tells_nothing() -> None:
    """A stand-in voice spoken throughout, alternate stretches 12 dB quieter, each stretch at one pitch: its quiet
    hops scatter as little as a noise's, so only ``LOUD_MIN`` keeps its quiet stretches from being pauses."""
    rng = np.random.default_rng(3)
    parts = [
        voice(0.25, f0, rng) * gain for f0, gain in zip(rng.uniform(90, 250, 16), np.tile([1, 0.25], 8), strict=True)
    ]
    x = (0.1 * np.concatenate(parts) + 1e-4 * rng.normal(0, 1, 16 * 4000)).astype(np.float32)
    assert speech_hops(levels_db(x, RATE)) is None
    got = divergence(x, RATE)
    assert got is not None and np.percentile(got[0], 90) < steady_noise.LOUD_MIN
    assert loud_hops(x, RATE) is None
    assert "no pause the rules can tell" in (pauses(x, RATE, x, RATE, FPS, 100).reason or "")


def test_speech_not_clear_of_the_noise_tells_nothing() -> None:
    """White noise 6 dB under the voice: the speech hops do not stand far enough out (``LOUD_MIN``) to be told."""
    rng = np.random.default_rng(4)
    x = rng.normal(0, 0.5, 3 * RATE)
    x[RATE : 2 * RATE] += voice(1.0, 140.0, rng)
    assert loud_hops((0.1 * x).astype(np.float32), RATE) is None


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["white", "rumble"]), st.floats(0.001, 0.3))
def test_a_steady_noise_alone_is_never_speech(seed: int, kind: str, level: float) -> None:
    """A steady noise on its own, at any level: its quiet hops are steady, and nothing stands out of it."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, 2 * RATE) if kind == "white" else rumble(2.0, rng)
    x = (level * x).astype(np.float32)
    got = divergence(x, RATE)
    assert got is not None and got[1] < steady_noise.STEADY_MAX
    loud = loud_hops(x, RATE)
    assert loud is None or not loud.any()


def test_digital_silence_has_no_divergence() -> None:
    assert divergence(np.zeros(RATE, np.float32), RATE) is None
    assert loud_hops(np.zeros(RATE, np.float32), RATE) is None


def test_the_softly_spoken_take_keeps_its_closed_mouth(footage_dir: Path) -> None:
    """The CREMA-D SAD take (loud and quiet parts 21.9 dB apart) kept no pause by its level. Told by its
    spectrum, it keeps the frames after the line, where its mouth has closed (frames 50 on, looked at), and none
    while it speaks."""
    path = footage_dir / "crema-d_1001_DFA_SAD_XX.flv"
    audio, info = read_audio(path), probe(path)
    x = audio.mono()
    assert speech_hops(levels_db(x, audio.rate)) is None
    got = pauses(x, audio.rate, x, audio.rate, info.frame_rate, info.frame_count)
    kept = np.flatnonzero(got.weights == 0)
    assert got.found_by == ("steady_noise", "steady_noise") and kept.size >= 4
    assert kept.min() >= 50
