"""Objective distortion measures of a marked track against its original (what the bench reports).

These are plain signal measures, not a perceptual model: SNR, segmental SNR (20 ms frames, each clamped to
[-10, 35] dB, frames quieter than -50 dBFS skipped — the usual speech-coding definition), and the log-spectral
distance in the marked band (1–6 kHz, RMS over frames of the dB difference). They are *not* PEAQ/ODG.
"""

from __future__ import annotations

import numpy as np

from labeler.audio_watermark._scheme import BAND_HZ, Array


def snr_db(original: Array, marked: Array) -> float:
    """Signal-to-watermark ratio over the whole track (dB)."""
    x, y = np.asarray(original, np.float64), np.asarray(marked, np.float64)
    noise = float(np.sum((y - x) ** 2))
    return float("inf") if noise == 0 else 10.0 * float(np.log10(float(np.sum(x**2)) / noise))


def segmental_snr_db(original: Array, marked: Array, sample_rate: int) -> float:
    """Mean of per-frame SNRs (20 ms frames, clamped to [-10, 35] dB, silent frames skipped)."""
    x, y = _mono(original), _mono(marked)
    n = max(1, int(0.02 * sample_rate))
    k = x.size // n
    xs, ds = x[: k * n].reshape(k, n), (y - x)[: k * n].reshape(k, n)
    power = np.mean(xs**2, axis=1)
    loud = power > 10 ** (-50 / 10)
    if not loud.any():
        return float("inf")
    seg = 10 * np.log10(power[loud] / np.maximum(np.mean(ds[loud] ** 2, axis=1), 1e-20))
    return float(np.mean(np.clip(seg, -10.0, 35.0)))


def log_spectral_distance_db(original: Array, marked: Array, sample_rate: int) -> float:
    """RMS over frames of the RMS dB difference of the 1–6 kHz power spectra (32 ms Hann frames, loud only)."""
    x, y = _mono(original), _mono(marked)
    n = 1 << int(np.ceil(np.log2(0.032 * sample_rate)))
    hop = n // 2
    k = (x.size - n) // hop + 1
    if k <= 0:
        return 0.0
    idx = np.arange(k)[:, None] * hop + np.arange(n)[None, :]
    win = np.hanning(n)
    fx, fy = np.abs(np.fft.rfft(x[idx] * win)) ** 2, np.abs(np.fft.rfft(y[idx] * win)) ** 2
    freqs = np.fft.rfftfreq(n, 1 / sample_rate)
    band = (freqs >= BAND_HZ[0]) & (freqs < BAND_HZ[1])
    loud = fx.sum(axis=1) > fx.sum(axis=1).max() * 1e-4
    if not loud.any():
        return 0.0
    d = 10 * np.log10((fy[loud][:, band] + 1e-12) / (fx[loud][:, band] + 1e-12))
    return float(np.sqrt(np.mean(np.mean(d**2, axis=1))))


def _mono(x: Array) -> Array:
    a = np.asarray(x, np.float64)
    return a if a.ndim == 1 else a.mean(axis=0)
