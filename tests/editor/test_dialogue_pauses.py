"""The dub's pauses (``editor.dialogue.pauses``): the frames where neither the shot's sound nor the new line is
spoken keep the shot's mouth, with a ramp into and out of them; no evidence, no kept frame."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.dialogue.pauses import PAD_S, keep_weights, levels_db, pause_frames, pauses, speech_hops

RATE = 16000
FPS = Fraction(25)


def line(seconds: float, spoken: list[tuple[float, float]], *, seed: int = 0, quiet: float = 1e-4) -> np.ndarray:
    """Noise at ``quiet`` with loud noise bursts (speech stand-ins) over ``spoken`` (start, end) seconds."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, quiet, int(seconds * RATE)).astype(np.float32)
    for a, b in spoken:
        x[int(a * RATE) : int(b * RATE)] = rng.normal(0, 0.2, int(b * RATE) - int(a * RATE))
    return x


def frames_between(a: float, b: float) -> set[int]:
    """Video frames whose span lies wholly in [a, b] seconds."""
    return {k for k in range(200) if Fraction(k) / FPS >= a and Fraction(k + 1) / FPS <= b}


def test_pauses_of_both_lines_are_kept_with_a_ramp() -> None:
    # new line spoken 0.8–2.0 s, the shot's own sound 1.0–2.6 s, 3.4 s range (85 frames)
    new, own = line(3.4, [(0.8, 2.0)], seed=1), line(3.4, [(1.0, 2.6)], seed=2)
    got = pauses(new, RATE, own, RATE, FPS, 85)
    assert got.reason is None
    kept = np.nonzero(got.weights == 0)[0]
    head, tail = kept[kept < 40], kept[kept >= 40]
    # kept: from the start until 0.2 s before the new line speaks (its 25 ms window reaches 12.5 ms earlier) …
    assert list(head) == list(range(len(head))) and 0.8 - 0.2 - 0.02 - 1 / 25 <= (head[-1] + 1) / 25 <= 0.8 - 0.2
    # … and from 0.2 s after the shot's sound stops until the end
    assert list(tail) == list(range(tail[0], 85)) and 2.6 + 0.2 <= tail[0] / 25 <= 2.6 + 0.2 + 0.02 + 1 / 25
    first = head[-1] + 1
    assert list(got.weights[first : first + 3]) == [np.float32(1 / 3), np.float32(2 / 3), 1.0]
    last = tail[0] - 1
    assert list(got.weights[last - 2 : last + 1]) == [1.0, np.float32(2 / 3), np.float32(1 / 3)]
    assert got.as_metrics() == {"mouth_kept_frames": float(len(kept)), "mouth_ramp_frames": 4.0}


def test_a_pause_of_one_line_only_is_replaced() -> None:
    # the shot speaks where the new line pauses (1.2–1.8 s) and the reverse: no frame is a pause of both there
    new = line(3.0, [(0.0, 1.2), (1.8, 3.0)], seed=3)
    own = line(3.0, [(0.0, 3.0)], seed=4, quiet=0.2)  # spoken throughout: no pause can be told
    got = pauses(new, RATE, own, RATE, FPS, 75)
    assert got.kept == 0 and "shot's sound has no pause" in (got.reason or "")
    own = line(3.0, [(0.0, 0.5), (1.0, 3.0)], seed=5)
    assert pauses(new, RATE, own, RATE, FPS, 75).kept == 0


def test_a_pause_shorter_than_the_minimum_run_is_replaced() -> None:
    # a 0.5 s gap in both: minus 0.2 s of margin on each side leaves 0.1 s (< 0.2 s), so it is not kept
    spoken = [(0.0, 1.0), (1.5, 3.0)]
    got = pauses(line(3.0, spoken, seed=6), RATE, line(3.0, spoken, seed=7), RATE, FPS, 75)
    assert got.kept == 0 and got.reason is None
    # a 1 s gap leaves 0.6 s: kept
    spoken = [(0.0, 1.0), (2.0, 3.0)]
    got = pauses(line(3.0, spoken, seed=6), RATE, line(3.0, spoken, seed=7), RATE, FPS, 75)
    assert got.kept == len(frames_between(1.0 + float(PAD_S) + 0.01, 2.0 - float(PAD_S) - 0.01))


def test_no_evidence_keeps_nothing() -> None:
    new = line(2.0, [(0.5, 1.5)])
    got = pauses(new, RATE, None, RATE, FPS, 50)
    assert got.kept == 0 and "no sound" in (got.reason or "")
    noisy = line(2.0, [], quiet=0.1)  # the new line is all noise: its pauses cannot be told
    got = pauses(noisy, RATE, new, RATE, FPS, 50)
    assert got.kept == 0 and "new line has no pause" in (got.reason or "")
    # the shot's sound ends before the range does: the frames it does not reach are not pauses
    own = line(1.0, [(0.6, 0.8)])
    got = pauses(line(2.0, [(0.6, 0.8)]), RATE, own, RATE, FPS, 50)
    assert got.kept == 9 and (got.weights[:9] == 0).all()  # before both speak; nothing after 1 s is kept


def test_speech_hops_need_a_range_between_pause_and_speech() -> None:
    assert speech_hops(levels_db(line(1.0, [], quiet=0.05), RATE)) is None
    assert speech_hops(np.zeros(0)) is None
    hops = speech_hops(levels_db(line(1.0, [(0.3, 0.6)]), RATE))
    assert hops is not None and hops[35:55].all() and not hops[:25].any() and not hops[70:].any()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=120),
    st.sampled_from([Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001), Fraction(50)]),
)
def test_weights_are_a_ramped_subset_of_the_pauses(paused: list[bool], fps: Fraction) -> None:
    p = np.array(paused)
    w = keep_weights(p, Fraction(fps))
    assert w.shape == p.shape and ((w >= 0) & (w <= 1)).all()
    assert not (w[~p] == 0).any()  # a spoken frame is never kept
    kept = np.nonzero(w == 0)[0]
    ramp = 4 if fps == 50 else 2  # 1/15 s
    for k in range(len(p)):  # the weight grows by 1 / (ramp + 1) per frame away from the nearest kept frame
        d = np.abs(kept - k).min() if len(kept) else None
        assert w[k] == (1.0 if d is None else np.float32(min(1.0, d / (ramp + 1))))


def test_pause_frames_margin() -> None:
    speech = np.zeros(300, bool)
    speech[100:200] = True  # 1.0–2.0 s
    p = pause_frames(speech, FPS, 75)
    # frame k is a pause when no speech hop (1.00–1.99 s) lies within 0.2 s of its span [k / 25, (k + 1) / 25]
    assert list(np.nonzero(p)[0]) == [*range(0, 19), *range(55, 75)]
    assert not pause_frames(None, FPS, 75).any()


def test_digital_silence_does_not_set_the_floor() -> None:
    # a short line that starts with 60 ms of exact zeros (an editor's gap) and is spoken from 0.5 s: the room's
    # noise (-50 dB) is still its floor, so the quiet start is a pause (with the zeros counted, nothing was)
    x = line(0.9, [(0.5, 0.9)], quiet=3e-3, seed=8)
    x[:960] = 0
    hops = speech_hops(levels_db(x, RATE))
    assert hops is not None and not hops[:45].any() and hops[52:88].all()
    got = pauses(x, RATE, x, RATE, FPS, 22)
    assert got.kept == 7  # frames 0–6 end more than 0.2 s before the first speech hop (0.49 s)


def test_a_click_in_a_pause_is_not_speech() -> None:
    # a 10 ms click (and a 60 ms lip smack) in the pause after the line: shorter than a syllable, so the pause
    # after the line is still kept (before: the last 0.7 s of a GRID take counted as speech for one such blip)
    x = line(3.0, [(0.2, 1.5)], seed=9)
    x[int(2.2 * RATE) : int(2.21 * RATE)] = 0.3
    x[int(2.6 * RATE) : int(2.66 * RATE)] = 0.2
    hops = speech_hops(levels_db(x, RATE))
    assert hops is not None and not hops[160:].any()
    assert pauses(x, RATE, x, RATE, FPS, 75).weights[45:].max() == 0
    x[int(2.2 * RATE) : int(2.35 * RATE)] = 0.3  # a 150 ms burst is speech: the frames around it are replaced
    assert pauses(x, RATE, x, RATE, FPS, 75).weights[52:58].min() > 0
