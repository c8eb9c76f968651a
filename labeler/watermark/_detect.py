"""Frame-level detection: accumulate the detector's view over frames, recover scale and shift, decode.

1. Every frame's luma goes to the detector grid (fixed height, aspect kept) and is high-passed; the views are
   summed (soft-decision aggregation: the pattern adds up coherently, coding noise does not).
2. Scale: the pattern is periodic (one tile), so the autocorrelation of the sum peaks at lags of one tile period;
   the zooms (crops make content larger on the fixed-height grid) whose period scores best are kept, with the
   untouched geometries of the three chip layouts (``LAYOUT_SCALES``: 1.0, 1.5 and 2.0).
3. Shift: at each candidate scale the sum is resampled so chips are ``DET_PX`` px again and folded modulo one tile
   (which collects every, even partial, tile of the frame); for every cyclic shift the energy of the per-bit
   correlations plus the signed sync correlation is computed by FFT (it uses all chips, whatever the bits).
4. At the best few (scale, shift) hypotheses, per-bit soft values are hard-decided and decoded (BCH t=12 +
   CRC-16). At the untouched layouts (scale 1.0 and 1.5) the zero shift is always among the shifts tried (the grid
   is anchored at the top-left corner, so re-encodes and rescales keep it there even when the shift search is
   fooled by weak evidence), and there the decoder is soft: Chase decoding also tries the hard word with every
   subset of the ``CHASE_BITS`` least reliable bits flipped.
   Every try is one BCH + CRC-16 acceptance test; ``MAX_ATTEMPTS`` bounds them (14 plain + 3 × 63 Chase = 203),
   so the false-key probability on unmarked video stays below 203 × 2^-51.8 ≈ 2^-44.1 (≈ 5·10^-14) per detection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from labeler._payload import CODE_BITS, decode_soft, encode_key
from labeler.watermark._detect_view import detector_view
from labeler.watermark._pattern import (
    BIT_OF_CHIP,
    DET_PX,
    IS_SYNC,
    LAYOUT_SCALES,
    PN,
    TILE,
    template_ffts,
)
from labeler.watermark._types import Array

SCALES = np.exp(np.arange(np.log(0.9), np.log(2.8), np.log(1.004)))  # 25 % crop of the 48-row layout: 2.67
SCALE_CANDIDATES = 4  # best autocorrelation scales tried besides FIXED_SCALES
SHIFT_CANDIDATES = 2  # best shifts tried per scale; every try is one BCH+CRC decoding attempt
CHASE_BITS = 6  # least reliable bits whose flips the soft decoder tries at the anchored hypotheses
FIXED_SCALES = LAYOUT_SCALES  # untouched geometry of the chip layouts, always tried, with the zero shift first
MAX_ATTEMPTS = (SCALE_CANDIDATES + len(FIXED_SCALES)) * SHIFT_CANDIDATES + len(FIXED_SCALES) * ((1 << CHASE_BITS) - 1)


@dataclass(frozen=True, slots=True)
class FrameDetection:
    """Result of detection on a set of frames.

    Attributes:
        key: the recovered 64-bit key, or ``None``.
        confidence: for a key, the share of soft evidence agreeing with its codeword (0..1); 0 otherwise.
        frames_used: frames aggregated.
        bit_errors_corrected: hard-decision bits that differ from the accepted codeword (BCH corrections plus any
            Chase flips; ``None`` when no key).
        sync_score: z-score of the best (scale, shift) hypothesis' bit-energy peak.
        scale: recovered zoom of the content relative to the embedding (1.0 = untouched; crops give > 1).
    """

    key: int | None
    confidence: float
    frames_used: int
    bit_errors_corrected: int | None
    sync_score: float
    scale: float


class Accumulator:
    """Sums detector views of frames of one geometry; ``result()`` runs the search and decoding."""

    def __init__(self) -> None:
        self._sum: Array | None = None
        self.frames = 0

    def add(self, luma: Array, scale_to_8bit: float = 1.0) -> None:
        """Add one luma plane (frames of a different size than the first are ignored)."""
        view = detector_view(luma, scale_to_8bit)
        if self._sum is None:
            self._sum = view
        elif view.shape == self._sum.shape:
            self._sum += view
        else:
            return
        self.frames += 1

    def hypotheses(self) -> list[tuple[float, float, Array, int]]:
        """Every (sync z-score, scale, soft bits, Chase bits) hypothesis the decoder tries, in order."""
        out: list[tuple[float, float, Array, int]] = []
        if self._sum is None:
            return out
        for scale in _scale_candidates(self._sum):
            folded = _fold(_rescale(self._sum, scale), TILE * DET_PX)
            anchored = scale in FIXED_SCALES
            for i, (score, tile) in enumerate(_shift_candidates(folded, anchored)):
                out.append((score, scale, _soft_bits(tile), CHASE_BITS if anchored and i == 0 else 0))
        return out

    def result(self) -> FrameDetection:
        """Search scale and shift, decode the best hypotheses; ``key`` is ``None`` when nothing is found."""
        if self._sum is None:
            return FrameDetection(None, 0.0, 0, None, 0.0, 1.0)
        best: tuple[float, float] = (0.0, 1.0)
        for score, scale, soft, chase in self.hypotheses():
            best = max(best, (score, scale))
            decoded = decode_soft(soft, chase)
            if decoded is None:
                continue
            signs = 1.0 - 2.0 * encode_key(decoded.key).astype(np.float64)
            conf = float(np.clip(np.sum(signs * soft) / max(float(np.sum(np.abs(soft))), 1e-12), 0.0, 1.0))
            return FrameDetection(decoded.key, conf, self.frames, decoded.bit_errors_corrected, score, scale)
        return FrameDetection(None, 0.0, self.frames, None, best[0], best[1])

    def margin(self, key: int) -> tuple[float, int]:
        """Diagnostic for benchmarks: at the hypothesis that best matches ``key``'s codeword, the soft margin
        (mean / std of the codeword-signed soft bits; ≈ the per-bit SNR) and the raw (pre-BCH) bit errors."""
        signs = 1.0 - 2.0 * encode_key(key).astype(np.float64)
        best = (float("-inf"), CODE_BITS)
        for _, _, soft, _ in self.hypotheses():
            v = signs * soft
            best = max(best, (float(v.mean() / (v.std() + 1e-12)), int(np.sum(v < 0))), key=lambda t: (-t[1], t[0]))
        return best

    def bit_accuracy(self, key: int) -> float:
        """Diagnostic for benchmarks: share of raw (pre-BCH) hard bits equal to ``key``'s codeword, at the best
        of the hypotheses the decoder tries."""
        if self._sum is None:
            return 0.0
        return 1.0 - self.margin(key)[1] / CODE_BITS


def _rescale(acc: Array, s: float) -> Array:
    h, w = acc.shape
    n = TILE * DET_PX
    size = (max(n, round(w / s)), max(n, round(h / s)))
    return cv2.resize(acc, size, interpolation=cv2.INTER_AREA if s > 1 else cv2.INTER_LINEAR)


def _fold(img: Array, n: int) -> Array:
    h, w = img.shape
    ph, pw = -(-h // n) * n, -(-w // n) * n
    pad = np.zeros((ph, pw), np.float32)
    pad[:h, :w] = img
    return pad.reshape(ph // n, n, pw // n, n).sum(axis=(0, 2))


def _scale_candidates(acc: Array) -> list[float]:
    """``FIXED_SCALES``, then the zooms whose tile period best matches the autocorrelation peaks of the
    accumulated view."""
    h, w = acc.shape
    spec = np.fft.rfft2(acc, s=(2 * h, 2 * w))
    auto = np.fft.irfft2(spec * np.conj(spec), s=(2 * h, 2 * w))
    auto /= max(float(auto[0, 0]), 1e-12)
    lags = TILE * DET_PX * SCALES
    score = np.interp(lags, np.arange(w), auto[0, :w]) + np.interp(lags, np.arange(h), auto[:h, 0])
    order = np.argsort(score)[::-1]
    out = list(FIXED_SCALES)
    for i in order:
        s = float(SCALES[i])
        if all(abs(np.log(s / o)) > 0.006 for o in out):
            out.append(s)
        if len(out) >= SCALE_CANDIDATES + len(FIXED_SCALES):
            break
    return out


def _shift_candidates(folded: Array, anchored: bool = False) -> list[tuple[float, Array]]:
    """Best cyclic shifts of a folded tile by bit-energy + sync correlation, as (z-score, aligned tile); with
    ``anchored`` (an untouched layout: the grid still starts at the top-left corner) the zero shift comes first."""
    n = TILE * DET_PX
    corr = np.fft.irfft2(np.fft.rfft2(folded)[None] * template_ffts(), s=(n, n))
    energy = np.sum(corr[:CODE_BITS] ** 2, axis=0) + np.sign(corr[CODE_BITS]) * corr[CODE_BITS] ** 2
    z = (energy - energy.mean()) / (float(energy.std()) + 1e-12)
    out = []
    order = [int(i) for i in np.argsort(z, axis=None)[::-1][:SHIFT_CANDIDATES]]
    if anchored:
        order = [0, *[i for i in order if i != 0]][:SHIFT_CANDIDATES]
    for idx in order:
        dy, dx = divmod(int(idx), n)
        out.append((float(z.flat[idx]), np.roll(folded, (-dy, -dx), axis=(0, 1))))
    return out


def _soft_bits(tile: Array) -> Array:
    chips = tile.reshape(TILE, DET_PX, TILE, DET_PX).mean(axis=(1, 3)) * PN
    soft = np.bincount(BIT_OF_CHIP[~IS_SYNC], weights=chips[~IS_SYNC], minlength=CODE_BITS)
    return soft / (float(np.std(soft)) + 1e-12)


def detect_frames(frames: Iterable[Array]) -> FrameDetection:
    """Detect the key in a sequence of luma planes (uint8, or uint16 10-bit) of one video.

    Raises:
        ValueError: a frame is not a 2-D array.
    """
    acc = Accumulator()
    for f in frames:
        arr = np.asarray(f)
        if arr.ndim != 2:
            raise ValueError("detect_frames expects 2-D luma planes")
        acc.add(arr, 255.0 / 1023.0 if arr.dtype == np.uint16 else 1.0)
    return acc.result()
