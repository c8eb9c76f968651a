"""Frame-level embedding: perceptually shaped, informed spread-spectrum pattern added to luma.

Per frame (all on small grids except one final upsample-and-add):

1. The luma is reduced to the render grid (``RENDER_PX`` px per chip) and a perceptual mask is computed there:
   local contrast (stronger in texture, weaker in flat areas), lowered near black and white to avoid clipping.
2. Informed embedding: the detector's view of the host and of the unit-gain pattern are computed; each bit gets
   a gain so that the detector measures at least a common margin for it despite the host's own interference,
   within [``GAIN_MIN``, ``GAIN_MAX``].
3. The pattern is upsampled to the frame and added with rounding and saturation at the *level* that makes the
   mark's own share of the frame what was asked (``strength``: the RMS of the realised luma change, in 8-bit code
   values, so the mark's luma PSNR is 20·log10(255/strength)). The level adapts to the content: it is solved on the
   frame as written — rounding adds its own error (1/12 of a code value², in the samples' own units), and where the
   pattern saturates (crushed blacks, clipped whites, full-range grades) the budget it lost is given back to the
   rest of the frame, at most ``LEVEL_MAX`` × the nominal level. The realised change is never more than asked (the
   level is lowered until it holds), so the mark's share of every frame is at least 20·log10(255/strength) —
   42.25 dB at the default — on any footage. (What a long-GOP re-encode adds on top is not the mark's to control:
   see docs/benchmarks.md, "Watermark level".)

The detector is unaffected (it does not know the level), so marks stay ``cutproof-wm/2``.
"""

from __future__ import annotations

import cv2
import numpy as np

from labeler._payload import CODE_BITS, encode_key
from labeler.watermark._detect_view import CLIP, det_size, high_pass, local_rms, to_chips
from labeler.watermark._pattern import (
    CHIPS_PER_BIT,
    DET_PX,
    IS_SYNC,
    PN,
    RENDER_PX,
    SYNC_CHIPS,
    TILE,
    chip_grid_cols,
    chip_rows_for,
    chip_stats,
    chip_tile,
    tiled,
    upsample,
)
from labeler.watermark._types import Array

SHARE_DB = 42.25  # the mark's own luma PSNR on every frame at the default strength
DEFAULT_STRENGTH = 255.0 / 10 ** (SHARE_DB / 20)  # ≈ 1.964: realised RMS luma change, 8-bit code values
LEVEL_MAX = 2.0  # the most a saturating frame's pattern is raised over its nominal level
LEVEL_TOLERANCE = 0.01  # accept a realised MSE within 1 % below the target (never above it)
ROUNDING_MSE = 1.0 / 12.0  # error that rounding to whole code values adds (in the samples' own units)
GAIN_MIN, GAIN_MAX = 0.3, 4.0
MARGIN = 1.4  # informed target, in units of the median unit-gain bit response
MASK_FLOOR = 3.0
MASK_GAMMA = -0.25


def _mask(render_luma: Array) -> Array:
    mean = cv2.blur(render_luma, (5, 5))
    var = np.maximum(cv2.blur(render_luma * render_luma, (5, 5)) - mean * mean, 0.0)
    m = np.power(var + MASK_FLOOR * MASK_FLOOR, MASK_GAMMA / 2)  # (local std)^γ: shaped, yet detector-friendly
    m = np.minimum(m, 2.5 * float(np.median(m[::4, ::4])))
    headroom = np.clip(np.minimum(render_luma - 4.0, 251.0 - render_luma) / 24.0, 0.15, 1.0)
    return (m * headroom).astype(np.float32)


class FrameEmbedder:
    """Embeds one key into luma planes; reusable across frames of any size (caches per-size work)."""

    def __init__(self, key: int, strength: float = DEFAULT_STRENGTH, informed: bool = True) -> None:
        """Prepare the codeword for ``key``.

        Raises:
            ValueError: ``key`` is not in [0, 2^64) or ``strength`` is not in (0, 20].
        """
        if not 0.0 < strength <= 20.0:
            raise ValueError(f"strength must be in (0, 20] luma code values RMS, got {strength}")
        self.bits = encode_key(key)
        self.strength = float(strength)
        self.informed = informed
        self._signs = 1.0 - 2.0 * self.bits.astype(np.float64)

    def pattern(self, luma8: Array) -> Array:
        """The pattern to add to an 8-bit luma plane (uint8, or float scaled to 0..255) of shape (H, W)."""
        h, w = luma8.shape
        rows = chip_rows_for(h)
        cols = chip_grid_cols(w, h, rows)
        rw, rh = max(1, round(w * rows * RENDER_PX / h)), rows * RENDER_PX
        small = cv2.resize(luma8, (rw, rh), interpolation=cv2.INTER_AREA).astype(np.float32)
        mask = _mask(small)
        gains = self._gains(small, mask, rows, cols) if self.informed else None
        chips = tiled(chip_tile(self.bits, gains), rows, cols)
        pat = upsample(chips, RENDER_PX)[:rh, :rw] * mask
        rms = float(np.sqrt(np.mean(pat * pat)))
        pat *= self.strength / max(rms, 1e-6)
        return cv2.resize(pat, (w, h), interpolation=cv2.INTER_LINEAR)

    def _gains(self, small: Array, mask: Array, rows: int, cols: int) -> Array:
        rh, rw = small.shape
        dsize = det_size(rw, rh, rows * DET_PX)
        unit = upsample(tiled(chip_tile(self.bits), rows, cols), RENDER_PX)[:rh, :rw] * mask
        unit *= self.strength / max(float(np.sqrt(np.mean(unit * unit))), 1e-6)
        host_hp = high_pass(cv2.resize(small, dsize, interpolation=cv2.INTER_AREA))
        norm = local_rms(host_hp)
        host = chip_stats(to_chips(np.clip(host_hp / norm, -CLIP, CLIP), rows, cols))
        sig = chip_stats(to_chips(high_pass(cv2.resize(unit, dsize, interpolation=cv2.INTER_AREA)) / norm, rows, cols))
        h_b, d_b = self._signs * host[:CODE_BITS], self._signs * sig[:CODE_BITS]
        d_b = np.maximum(d_b, 1e-3 * max(float(np.median(np.abs(d_b))), 1e-6))
        target = MARGIN * float(np.median(d_b))
        gains = np.ones(CODE_BITS)
        for _ in range(3):  # the final RMS normalisation shrinks every gain by r: solve h + g·d/r ≥ target
            r = np.sqrt((SYNC_CHIPS + CHIPS_PER_BIT * float(np.sum(gains * gains))) / (TILE * TILE))
            gains = np.clip((target - h_b) * r / d_b, GAIN_MIN, GAIN_MAX)
        return gains.astype(np.float32)

    def embed(self, luma: Array, max_value: int = 255) -> Array:
        """Return a marked copy of a luma plane (uint8, or uint16 holding ``max_value``-range samples) whose
        realised change has an RMS of at most ``strength`` 8-bit code values, and within 1 % of it unless the frame
        saturates (see the module docstring, step 3)."""
        scale = max_value / 255.0
        pat = self.pattern(luma if luma.dtype == np.uint8 else luma.astype(np.float32) / scale)
        target = (self.strength * scale) ** 2  # the realised MSE asked for, in the samples' own units
        aim = (1.0 - LEVEL_TOLERANCE / 2) * target  # the middle of the accepted band
        norm = cv2.norm(pat, cv2.NORM_L2)
        power = scale * scale * norm * norm / pat.size  # of the unscaled pattern, in the samples' own units
        nominal = level = scale * float(np.sqrt(max(aim - ROUNDING_MSE, 0.25 * aim) / max(power, 1e-12)))
        out, mse = self._add(luma, pat, level, max_value)
        for _ in range(4):  # saturation is not linear in the level: correct on the frame as written
            if (1.0 - LEVEL_TOLERANCE) * target <= mse <= target or (mse < target and level >= LEVEL_MAX * nominal):
                break
            gain = float(np.sqrt(max(aim - ROUNDING_MSE, 1e-6) / max(mse - ROUNDING_MSE, 1e-6)))
            level = min(level * min(max(gain, 0.5), 2.0), LEVEL_MAX * nominal)
            out, mse = self._add(luma, pat, level, max_value)
        while mse > target and level > 1e-6:  # never more than the share asked for
            level *= 0.999 * float(np.sqrt(aim / mse))
            out, mse = self._add(luma, pat, level, max_value)
        return out

    @staticmethod
    def _add(luma: Array, pattern: Array, level: float, max_value: int) -> tuple[Array, float]:
        """``luma + level · pattern`` rounded and saturated to ``0..max_value``, and the realised MSE."""
        if luma.dtype == np.uint8 and max_value == 255:
            out = cv2.addWeighted(luma, 1.0, pattern, level, 0.0, dtype=cv2.CV_8U)  # rounds, saturates
        else:
            y = luma.astype(np.float32)
            out = np.clip(np.rint(y + level * pattern), 0, max_value).astype(luma.dtype)
        err = cv2.norm(out, luma, cv2.NORM_L2)
        return out, float(err * err) / luma.size


def embed_frame(luma: Array, key: int, *, strength: float = DEFAULT_STRENGTH) -> Array:
    """Mark one luma plane (H×W uint8, or the Y plane of a YUV frame) with ``key``; returns the marked copy.

    Raises:
        ValueError: bad key or strength, or ``luma`` is not a 2-D uint8/uint16 array.
    """
    arr = np.asarray(luma)
    if arr.ndim != 2 or arr.dtype not in (np.uint8, np.uint16) or min(arr.shape) < 16:
        raise ValueError("embed_frame expects a 2-D uint8 or uint16 luma plane of at least 16×16 pixels")
    max_value = 255 if arr.dtype == np.uint8 else 1023
    return FrameEmbedder(key, strength).embed(arr, max_value)


__all__ = ["DEFAULT_STRENGTH", "IS_SYNC", "PN", "TILE", "FrameEmbedder", "embed_frame"]
