"""Pauses: the frames of a dub where neither the picture's own line nor the new line is spoken. There the mouth is
left as shot.

Why (issue 18): a dub places a bank mouth, taken from another take, on every frame of its range. Where neither line
is spoken, that is another take's mouth at rest, and the shot's own resting mouth is the right one. On GRID, one
take rebuilt from the other with its own sound, the bank mouths placed on the pauses before and after the
sentence scored 26.6 dB mouth PSNR against the take. Kept, those frames are the take itself through the
render's encode (44.6 dB; docs/benchmarks.md, Dialogue). Keeping them also narrows what the edit alters.

The rule, per line (the new line, and the shot's own sound over the range):

1. **Level.** Each 10 ms hop of the line (16 kHz mono, 25 ms window) gets its energy in dB. ``loud`` is the
   95th percentile of these levels and ``floor`` the 5th. Hops of digital silence (below ``DIGITAL_SILENCE_DB``,
   -100 dB: padding, an editor's gap) are pauses but are left out of both percentiles. They say nothing of the
   room's noise floor, and a few of them on a short line would pull ``floor`` far below it.
2. **Can pauses be told apart?** By the level, only when ``loud - floor`` is at least ``MIN_RANGE_DB`` (24 dB).
   Otherwise (speech throughout, a noisy room, a softly spoken take) the line's speech is told by how its
   spectrum stands out of a steady room noise (``editor.dialogue.steady_noise``, ``line_speech``), and where
   that cannot tell either, every frame counts as spoken and nothing is kept.
3. **Speech.** A hop is speech when its level is above ``floor + SPEECH_SHARE · (loud - floor)`` (a quarter of
   the way up), in a run of such hops lasting at least ``MIN_SPEECH_S`` (0.1 s). A click, a lip smack, a knock or
   a breath is shorter than a syllable at that level. With 60 ms, the AAC re-encode of a GRID take lost all 21
   of its pause frames to such runs in the booth's noise; on the clean sound, one 10 ms blip had made a take's
   last 0.7 s count as speech.

   The constants were chosen against the harmful error: speech taken for a pause, so that the shot's own mouth
   shows while a line is spoken. Replacing a pause is only the behaviour from before pauses were kept. The
   choice was made on the footage's sound re-encoded (``bench/_heldout.py`` variants) and with room noise added
   (``bench/dialogue_pauses.py``: brown and white noise 40 to 10 dB below the speech). With a third of the way
   up and a 20 dB range, a quiet word of an Obama take became a pause at 20 dB SNR (11 frames). At 15 dB SNR,
   29 frames over four clips became pauses. With these constants, the kept frames change by at most one per
   clip between the shared sound and its re-framed H.264, CRF 28 and ProRes versions. With noise at 25–30 dB
   SNR, one clip gains 11 kept frames: a 90 ms sound at the very start of an Obama take (a word's tail or a
   breath, 20 dB above the room). The other clips gain at most 2. A noisier sound keeps nothing. The cost: the
   softly spoken CREMA-D take (range 21.9 dB) keeps none of its pauses.
4. **Pause frames.** A video frame is a pause of the line when no speech hop lies within ``PAD_S`` (0.2 s) of
   its span. The lips move before the sound starts and after it stops (coarticulation), so the margin keeps
   those frames replaced.
5. **Kept frames.** Frames that are pauses of both lines, in runs of at least ``MIN_RUN_S`` (0.2 s), are kept.
   A shorter run would flicker between the shot's mouth and a bank mouth.
6. **Weights.** Each frame gets a placed-mouth weight: 0 where kept, 1 where replaced. Over the frames of
   ``RAMP_S`` (1/15 s) next to a kept run (``ramp_frames``: 2 frames at 23.976–30 fps, 4 at 50–60), the weight
   ramps from the shot's mouth to the bank's (1/3, 2/3 at 2 frames), so the change is not a cut, and takes as long
   at any frame rate.

A shot without sound gives no evidence of its pauses: every frame is replaced (``PauseEvidence.reason`` says
so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from editor.dialogue import steady_noise
from editor.dialogue.features import DIGITAL_SILENCE_DB, FEATURE_RATE, hop_frames, to_16k_mono
from editor.dialogue.line import Line
from media import MediaInfo, read_audio
from media.errors import NoAudioError

MIN_RANGE_DB = 24.0
SPEECH_SHARE = 1 / 4
MIN_SPEECH_S = Fraction(1, 10)
PAD_S = Fraction(1, 5)
MIN_RUN_S = Fraction(1, 5)
RAMP_S = Fraction(1, 15)
_WHY = "spoken throughout, or a room noise too loud or unsteady to tell speech from"


def levels_db(samples: np.ndarray, rate: int) -> np.ndarray:
    """Step 1: the level in dB (full scale 0) of each 10 ms hop, over a 25 ms window centred on it."""
    return 10 * np.log10((hop_frames(to_16k_mono(samples, rate)) ** 2).mean(axis=1) + 1e-12)


def speech_hops(levels: np.ndarray) -> np.ndarray | None:
    """Steps 2–3: which hops are speech, or None when the line's pauses cannot be told from its speech."""
    sound = levels[levels > DIGITAL_SILENCE_DB]
    if len(sound) == 0:
        return None
    loud, floor = np.percentile(sound, 95), np.percentile(sound, 5)
    if loud - floor < MIN_RANGE_DB:
        return None
    loud_hops = levels > floor + SPEECH_SHARE * (loud - floor)
    return _runs_at_least(loud_hops, int(MIN_SPEECH_S * FEATURE_RATE))


def line_speech(samples: np.ndarray, rate: int) -> tuple[np.ndarray, str] | None:
    """Which hops of a line are speech, and by which rule: its level (steps 1–3, ``"level"``), or, when the level
    cannot tell, how its spectrum stands out of a steady room noise (``editor.dialogue.steady_noise``,
    ``"steady_noise"``); None when neither can."""
    by_level = speech_hops(levels_db(samples, rate))
    if by_level is not None:
        return by_level, "level"
    loud = steady_noise.loud_hops(samples, rate)
    if loud is None:
        return None
    return steady_noise.widen(_runs_at_least(loud, int(MIN_SPEECH_S * FEATURE_RATE))), "steady_noise"


def _runs_at_least(mask: np.ndarray, length: int) -> np.ndarray:
    """``mask`` with its runs of True shorter than ``length`` cleared."""
    out = np.zeros_like(mask)
    k, n = 0, len(mask)
    while k < n:
        if not mask[k]:
            k += 1
            continue
        j = k
        while j < n and mask[j]:
            j += 1
        if j - k >= length:
            out[k:j] = True
        k = j
    return out


def pause_frames(speech: np.ndarray | None, fps: Fraction, n_frames: int) -> np.ndarray:
    """Step 4: which of ``n_frames`` video frames (frame 0 at the line's start) no speech hop comes within
    ``PAD_S`` of. With no evidence (None), none is a pause."""
    out = np.zeros(n_frames, bool)
    if speech is None:
        return out
    hits = np.nonzero(speech)[0]
    for k in range(n_frames):
        lo = (Fraction(k) / fps - PAD_S) * FEATURE_RATE
        hi = (Fraction(k + 1) / fps + PAD_S) * FEATURE_RATE
        i = np.searchsorted(hits, float(lo))
        out[k] = i >= len(hits) or hits[i] > float(hi)
    return out


def ramp_frames(fps: Fraction) -> int:
    """Step 6: the frames of the ramp next to a kept run: ``RAMP_S`` at ``fps``, rounded up."""
    return max(1, math.ceil(RAMP_S * Fraction(fps)))


def keep_weights(paused: np.ndarray, fps: Fraction) -> np.ndarray:
    """Steps 5–6: the placed mouth's weight per frame (0 kept … 1 replaced)."""
    n = len(paused)
    kept = _runs_at_least(np.asarray(paused, bool), max(1, int(np.ceil(MIN_RUN_S * fps))))
    w = np.ones(n, np.float32)
    if not kept.any():
        return w
    idx = np.nonzero(kept)[0]
    dist = np.abs(np.arange(n)[:, None] - idx[None, :]).min(axis=1)
    return np.minimum(1.0, dist / (ramp_frames(fps) + 1)).astype(np.float32)


@dataclass(frozen=True)
class PauseEvidence:
    """The placed mouth's weight per frame of a dub's range; ``reason`` says why no frame could be kept, when no
    pause could be told in one of the lines."""

    weights: np.ndarray
    reason: str | None = None
    found_by: tuple[str, str] | None = None
    """The rule that told each line's pauses, the new line's and the shot's (``line_speech``)."""

    @property
    def kept(self) -> int:
        return int((self.weights == 0).sum())

    def as_metrics(self) -> dict[str, float]:
        ramp = int(((self.weights > 0) & (self.weights < 1)).sum())
        return {"mouth_kept_frames": float(self.kept), "mouth_ramp_frames": float(ramp)}


def pauses(
    line: np.ndarray, line_rate: int, own: np.ndarray | None, own_rate: int, fps: Fraction, n_frames: int
) -> PauseEvidence:
    """The frames of a range of ``n_frames`` that are pauses of both ``line`` (the new line) and ``own`` (the
    shot's sound over the range; None when the shot has none), as placed-mouth weights. Both start with the range.
    Frames that ``own`` does not reach are not pauses (no evidence)."""
    replaced = np.ones(n_frames, np.float32)
    if own is None:
        return PauseEvidence(replaced, "the shot has no sound to tell its pauses")
    new_speech, old_speech = line_speech(line, line_rate), line_speech(own, own_rate)
    if new_speech is None:
        return PauseEvidence(replaced, f"the new line has no pause the rules can tell from its speech ({_WHY})")
    if old_speech is None:
        return PauseEvidence(replaced, f"the shot's sound has no pause the rules can tell from its speech ({_WHY})")
    both = pause_frames(new_speech[0], fps, n_frames) & pause_frames(old_speech[0], fps, n_frames)
    reached = int(Fraction(len(own), own_rate) * fps)  # frames whose whole span the shot's sound covers
    both[reached:] = False
    return PauseEvidence(keep_weights(both, fps), found_by=(new_speech[1], old_speech[1]))


def dub_pauses(info: MediaInfo, line: Line, first: int, last: int) -> PauseEvidence:
    """The pauses of a dub's range ``first``–``last`` of the shot ``info``: ``line`` laid in from ``first``, against
    the shot's own sound over the same span (its first audio stream)."""
    lo, hi = Fraction(first) / info.frame_rate, Fraction(last) / info.frame_rate
    try:
        clip = read_audio(info.path, max_seconds=hi)
    except NoAudioError:
        return pauses(line.samples, line.rate, None, 0, info.frame_rate, last - first)
    own = clip.samples[int(lo * clip.rate) :]
    return pauses(line.samples, line.rate, own, clip.rate, info.frame_rate, last - first)
