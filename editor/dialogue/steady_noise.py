"""Speech in a steady room noise: which hops of a line are speech when its level alone cannot tell
(``editor.dialogue.pauses``, step 2: loud and quiet parts under ``MIN_RANGE_DB`` apart).

Why (issue 18): the level rule keeps a dub's pauses only when the line's loud and quiet parts are 24 dB apart. A
location's room tone (traffic, air handling, a generator) fills the pauses: with brown or white noise 20 dB below
the speech, 7 and 2 of the footage's 8 clips kept nothing, and at 15 dB none did, so every pause got a mouth from
another take. But a steady noise is told from speech by its *spectrum*, not its level: from hop to hop the noise's
power in each frequency bin scatters about one mean, and speech puts power where that mean has little.

The rule, per line (16 kHz mono, 25 ms Hann window, 10 ms hops, bins from ``BAND`` Hz: a room's rumble and mains
hum lie mostly under it):

1. **The noise.** The hops of the lowest ``QUIET_SHARE`` (a fifth) of band power, digital silence left out, are
   taken as the room; their mean power per bin is the noise spectrum ``N``.
2. **Is it steady?** Each hop's statistic is the mean over the band of ``g - ln g - 1``, ``g = P / N`` (the
   Itakura-Saito divergence of the hop's spectrum from the noise's; the log-likelihood statistic of Sohn, Kim
   and Sung's detector, 1999, without its a-priori SNR). For a steady Gaussian noise ``g`` is exponential with
   mean 1 in each bin and the statistic averages Euler's constant, 0.577. Over the quiet hops it must stay under
   ``STEADY_MAX`` (1.0), else the quietest fifth is itself changing sound and the rule cannot tell (None). The
   footage's speech with its pauses cut out, alternate stretches 10–20 dB quieter, measured 1.97–2.73 there; the
   footage with brown or white noise 10–20 dB under the speech, 0.54–0.67, and 0.58–1.00 on two Obama takes
   whose quiet hops hold breaths and the room's reverberation (their clean sound: 2.83 and 2.87; the CREMA-D
   takes' clean sound 0.98–1.10, the GRID booth's 0.64–0.71).
3. **Clear of it?** The loudest tenth of the hops must reach ``LOUD_MIN`` (50: band power some 17 dB over the
   noise's), else the speech does not stand far enough out of the noise to be told (None). Below it, on the
   CREMA-D and GRID takes with noise 8–15 dB under the speech, quiet syllables read as noise for long enough to
   be kept as pauses (1–3 frames a take at 15 dB, up to 18 at 12 dB and below).
4. **Speech.** A hop is speech when its statistic is above ``SPEECH_MIN`` (2.0; the noise's own hops measured
   0.57–0.64 at the median and mostly under 0.9 at the 90th percentile), in a run of at least ``MIN_SPEECH_S``
   as in the level rule, widened by ``WIDEN_S`` (0.2 s) on each side: the noise hides the soft onsets and tails
   of words that the level rule, on clean sound, counts as speech. Without the widening the kept frames reached
   up to 7 frames further into the words than on the clean sound.

The harmful error is the same as the level rule's: speech taken for a pause. A quiet syllable under ``SPEECH_MIN``
is harmless on its own, since a pause frame needs no speech hop within ``PAD_S`` (0.2 s) and a kept run lasts
``MIN_RUN_S`` (0.2 s). ``SPEECH_MIN`` and ``STEADY_MAX`` were set before measuring; ``LOUD_MIN`` and ``WIDEN_S``
were chosen on the CREMA-D and GRID takes with brown and white noise, and checked on pink noise, mains hum,
air-handling noise, babble and the held-out re-encoded versions (``bench/dialogue_pauses.py``; docs/benchmarks.md,
"Pauses in a room's noise").
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from editor.dialogue.features import DIGITAL_SILENCE_DB, FEATURE_RATE, NFFT, SR, WIN, hop_frames, to_16k_mono

BAND = (250.0, 4000.0)
QUIET_SHARE = 0.2
STEADY_MAX = 1.0
SPEECH_MIN = 2.0
LOUD_MIN = 50.0
WIDEN_S = Fraction(1, 5)


def divergence(samples: np.ndarray, rate: int) -> tuple[np.ndarray, float] | None:
    """Steps 1–2: each hop's statistic against the line's steady noise, and the statistic's mean over the quiet
    hops; None when the line has no sound (digital silence throughout)."""
    frames = hop_frames(to_16k_mono(samples, rate))
    sound = 10 * np.log10((frames**2).mean(axis=1) + 1e-12) > DIGITAL_SILENCE_DB
    if not sound.any():
        return None
    freqs = np.fft.rfftfreq(NFFT, 1 / SR)
    band = (freqs >= BAND[0]) & (freqs <= BAND[1])
    power = np.abs(np.fft.rfft(frames * np.hanning(WIN)[None, :], NFFT, axis=1))[:, band] ** 2
    total = np.where(sound, power.sum(axis=1), np.inf)
    quiet = np.argsort(total, kind="stable")[: max(1, int(QUIET_SHARE * sound.sum()))]
    noise = np.maximum(power[quiet].mean(axis=0), 1e-20)
    g = np.maximum(power / noise[None, :], 1e-12)
    stat = (g - np.log(g) - 1).mean(axis=1)
    stat[~sound] = 0.0  # digital silence is a pause, as in the level rule
    return stat, float(stat[quiet].mean())


def loud_hops(samples: np.ndarray, rate: int) -> np.ndarray | None:
    """Steps 1–4 but the run length and the widening: which hops of the line stand out of its steady noise, or None
    when the rule cannot tell (no sound, a quiet part that is not a steady noise, or speech not clear of it)."""
    got = divergence(samples, rate)
    if got is None:
        return None
    stat, steady = got
    if steady > STEADY_MAX or np.percentile(stat, 90) < LOUD_MIN:
        return None
    return stat > SPEECH_MIN


def widen(speech: np.ndarray) -> np.ndarray:
    """Step 4's widening: ``speech`` (per hop) widened by ``WIDEN_S`` on each side."""
    k = int(WIDEN_S * FEATURE_RATE)
    return np.convolve(speech.astype(np.int32), np.ones(2 * k + 1, np.int32), "same") > 0
