"""Audio features for lip-sync: 16 kHz mono → 13 MFCC + log energy at 100 Hz (numpy/scipy), per-utterance
normalisation, and per-video-frame context windows.

MFCC: pre-emphasis 0.97, 25 ms Hamming windows every 10 ms, 512-point FFT, 40 triangular mel filters
(20 Hz–7.6 kHz), log, orthonormal DCT-II keeping c0–c12; plus log frame energy.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
from scipy.fft import dct

from media import resample

SR = 16000
HOP = 160  # 10 ms → 100 feature frames per second
WIN = 400  # 25 ms
NFFT = 512
N_MEL = 40
N_CEP = 13
FEATURE_RATE = SR // HOP
DIM = N_CEP + 1


def hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


@cache
def mel_filterbank(n_mel: int = N_MEL, nfft: int = NFFT, sr: int = SR, fmin: float = 20.0, fmax: float = 7600.0):
    """Triangular mel filters, ``(n_mel, nfft // 2 + 1)``."""
    mels = np.linspace(hz_to_mel(np.array(fmin)), hz_to_mel(np.array(fmax)), n_mel + 2)
    bins = np.floor((nfft + 1) * mel_to_hz(mels) / sr).astype(int)
    fb = np.zeros((n_mel, nfft // 2 + 1), np.float64)
    for m in range(1, n_mel + 1):
        lo, c, hi = bins[m - 1], bins[m], bins[m + 1]
        for k in range(lo, c):
            fb[m - 1, k] = (k - lo) / max(c - lo, 1)
        for k in range(c, hi):
            fb[m - 1, k] = (hi - k) / max(hi - c, 1)
    return fb


def to_16k_mono(samples: np.ndarray, rate: int) -> np.ndarray:
    """Average channels and resample to 16 kHz."""
    x = samples.mean(axis=1) if samples.ndim == 2 else samples
    return resample(np.asarray(x, np.float32), rate, SR)


DIGITAL_SILENCE_DB = -100.0
"""A hop quieter than this (dB full scale) is digital silence: padding, an editor's gap; no room is that quiet."""


def hop_frames(x: np.ndarray) -> np.ndarray:
    """The ``WIN``-sample windows of 16 kHz mono samples, one per 10 ms hop, zero-padded at both ends: window ``k``
    is centred on sample ``k * HOP``; ``(max(1, ceil(len / HOP)), WIN)`` float64."""
    x = np.asarray(x, np.float64)
    n = max(1, -(-len(x) // HOP))
    padded = np.pad(x, (WIN // 2, WIN // 2 + n * HOP), mode="constant")
    return padded[np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]]


def mfcc(x: np.ndarray) -> np.ndarray:
    """13 MFCC + log energy at 100 Hz of 16 kHz mono samples: ``(ceil(len / 160), 14)`` float32.

    Frame ``k`` is centred on sample ``k * 160``, i.e. at time ``k / 100`` s.
    """
    x = np.asarray(x, np.float64)
    emph = np.append(x[:1], x[1:] - 0.97 * x[:-1])
    frames = hop_frames(emph) * np.hamming(WIN)[None, :]
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2 / NFFT
    mel = np.log(power @ mel_filterbank().T + 1e-10)
    ceps = dct(mel, type=2, axis=1, norm="ortho")[:, :N_CEP]
    energy = np.log(np.sum(frames**2, axis=1) + 1e-10)
    return np.concatenate([ceps, energy[:, None]], axis=1).astype(np.float32)


def normalise(feats: np.ndarray) -> np.ndarray:
    """Per-utterance mean/variance normalisation (cancels microphone and room differences between recordings)."""
    mu = feats.mean(axis=0, keepdims=True)
    sd = feats.std(axis=0, keepdims=True) + 1e-5
    return ((feats - mu) / sd).astype(np.float32)


def utterance_features(samples: np.ndarray, rate: int) -> np.ndarray:
    """Normalised 100 Hz features of an utterance (any rate, any channel count)."""
    return normalise(mfcc(to_16k_mono(samples, rate)))


def frame_centre(frame: int, fps: Fraction) -> int:
    """The 100 Hz feature index at the centre of video frame ``frame`` (exact rational time, rounded)."""
    return round((Fraction(frame) + Fraction(1, 2)) / fps * FEATURE_RATE)


def windows(feats: np.ndarray, centres: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``feats`` at ``centres[:, None] + offsets[None, :]``, edge-padded: ``(len(centres), len(offsets), D)``."""
    idx = np.clip(centres[:, None] + offsets[None, :], 0, len(feats) - 1)
    return feats[idx]


SELECT_OFFSETS = np.arange(-6, 7, 2)  # ±60 ms, the unit-selection descriptor
SYNC_OFFSETS = np.arange(-10, 10)  # 200 ms, the sync network's audio window


def selection_descriptors(feats: np.ndarray, fps: Fraction, n_frames: int, first: int = 0) -> np.ndarray:
    """One descriptor per video frame ``first``..``first + n_frames``: the features ±60 ms around its centre."""
    centres = np.array([frame_centre(first + i, fps) for i in range(n_frames)])
    w = windows(feats, centres, SELECT_OFFSETS)
    return w.reshape(n_frames, -1).astype(np.float32)
