"""Informed embedding of ``cutproof-awm/1`` into sample arrays, whole or streamed in chunks.

Per tile the magnitude is scaled by ``1 + a·w``. The amplitude ``a`` starts at ``strength`` and is raised, per
(block instance, code bit), until the detector's own soft value for that bit agrees with it by a margin
(``MARGIN`` per audible tile): first on a model of the features, then closed-loop on the real re-analysed
signal. This "informed" step cancels the host's interference (speech harmonics landing on the wrong tiles),
which is what makes a 172-bit payload decodable from one 1.5 s block. ``a`` never exceeds ``MAX_GAIN``.

Within a group the amplitude is shared out in proportion to ``(E / Ē)^-ENERGY_TILT`` (``E`` the tile's energy, ``Ē``
the frame's mean tile energy): the detector's statistic is a log-energy one, so every tile buys the same evidence
per unit of ``a``, while the mark's energy is ``a² E`` — quieter tiles (next to louder ones that mask them) take
more, loud formant peaks less. On the footage this raised the SNR by about 4 dB at equal robustness.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

import numpy as np

from labeler._payload import CODE_BITS, encode_key
from labeler.audio_watermark._scheme import (
    BAND_BINS,
    BIN0,
    BINS_PER_TILE,
    BLOCK_FRAMES,
    HOP,
    OWNER,
    RATE,
    Array,
    evidence,
    from_rate,
    overlap_add,
    rate_units,
    stft,
    tile_energy,
    tile_signs,
    to_rate,
)

DEFAULT_STRENGTH = 0.15
MAX_GAIN = 0.55
MARGIN = 0.35
ENERGY_TILT = 0.4
_MODEL_ITERATIONS = 4
_CLOSED_LOOPS = 3


def check_strength(strength: float) -> float:
    """Return ``strength`` if it is in (0, MAX_GAIN]; raise ``ValueError`` otherwise."""
    if not 0.0 < float(strength) <= MAX_GAIN:
        raise ValueError(f"audio watermark strength must be in (0, {MAX_GAIN}], got {strength}")
    return float(strength)


def mark_delta(mono16: Array, first_frame: int, key: int, strength: float = DEFAULT_STRENGTH) -> Array:
    """The watermark signal (16 kHz) to add to ``mono16`` whose sample 0 is frame ``first_frame``'s start.

    ``first_frame`` is the absolute STFT frame index (of the whole track) at the start of ``mono16``: it fixes
    where blocks begin, so chunks of one track processed separately line up.
    """
    spectra = stft(mono16)
    n_frames = spectra.shape[0]
    if n_frames == 0:
        return np.zeros_like(mono16)
    frames = first_frame + np.arange(n_frames)
    row = frames % BLOCK_FRAMES
    w = tile_signs(encode_key(key))[row]  # frames × TILES
    owner = OWNER[row]
    data = owner >= 0
    block = frames // BLOCK_FRAMES
    group = (block - block[0])[:, None] * CODE_BITS + owner  # (block instance, bit)
    n_groups = int(block[-1] - block[0] + 1) * CODE_BITS
    energy = tile_energy(spectra)
    _, weight = evidence(energy)
    count = np.bincount(group[data], weights=weight[data], minlength=n_groups)
    # energy tilt: quieter tiles of a frame take more of the (log-domain) mark, louder ones less
    tilt = np.clip((energy / (energy.mean(axis=1, keepdims=True) + 1e-20)) ** -ENERGY_TILT, 0.25, 4.0)
    tilt_mean = np.bincount(group[data], weights=tilt[data], minlength=n_groups) / np.maximum(
        np.bincount(group[data], minlength=n_groups), 1
    )
    share = np.where(data, tilt / np.maximum(tilt_mean[np.where(data, group, 0)], 1e-9), 1.0)
    gain = np.clip(float(strength) * share, 0.0, MAX_GAIN)

    def raise_weak(features: Array) -> bool:
        agree = np.bincount(group[data], weights=(features * w)[data], minlength=n_groups)
        need = MARGIN * count - agree
        weak = need > 0
        if not weak.any():
            return False
        step = np.zeros(n_groups)
        step[weak] = need[weak] / np.maximum(count[weak], 1.0) / 2.0  # log-power change ≈ 2a per tile
        gain[data] = np.clip(gain[data] + step[group[data]] * share[data], 0.0, MAX_GAIN)
        return True

    for _ in range(_MODEL_ITERATIONS):
        if not raise_weak(evidence(energy * (1.0 + gain * w) ** 2)[0] * weight):
            break
    delta = _synthesise(spectra, gain * w, mono16.size)
    for _ in range(_CLOSED_LOOPS):
        if not raise_weak(evidence(tile_energy(stft(mono16 + delta)))[0] * weight):
            break
        delta = _synthesise(spectra, gain * w, mono16.size)
    return delta


def _synthesise(spectra: Array, scale: Array, length: int) -> Array:
    d = np.zeros_like(spectra)
    d[:, BIN0 : BIN0 + BAND_BINS] = np.repeat(scale, BINS_PER_TILE, axis=1) * spectra[:, BIN0 : BIN0 + BAND_BINS]
    return overlap_add(d, length)


def _add(samples: Array, delta16: Array, sr: int) -> Array:
    delta = from_rate(delta16, sr)[: samples.shape[1]]
    if delta.size < samples.shape[1]:
        delta = np.pad(delta, (0, samples.shape[1] - delta.size))
    out = samples + delta[None, :]
    inside = np.abs(samples) <= 1.0  # keep full-scale sources within range; float overs stay overs
    return np.where(inside, np.clip(out, -1.0, 1.0), out)


class StreamMarker:
    """Marks a track chunk by chunk: ``push`` planar samples (channels × n) in order, then ``flush``.

    Chunks are whole multiples of the block length on both the source and the 16 kHz grid, each analysed with
    a margin of context on both sides (resampler and STFT edges fall in the margin), so the streamed result
    equals the whole-track one up to the context margins. Memory stays bounded by one chunk plus margins.
    """

    def __init__(self, key: int, sample_rate: int, channels: int, *, strength: float = DEFAULT_STRENGTH,
                 chunk_seconds: float = 12.0) -> None:  # fmt: skip
        if sample_rate <= 0 or channels <= 0:
            raise ValueError(f"need a positive sample rate and channel count, got {sample_rate} Hz, {channels} ch")
        encode_key(key)
        self.key, self.sr, self.channels = key, int(sample_rate), int(channels)
        self.strength = check_strength(strength)
        src_unit, dst_unit = rate_units(self.sr)
        block16 = lcm(BLOCK_FRAMES * HOP, dst_unit)
        self._chunk16 = block16 * max(1, round(chunk_seconds * RATE / block16))
        margin_unit = lcm(HOP, dst_unit)
        self._margin16 = margin_unit * -(-8000 // margin_unit)  # ≥ 0.5 s
        self._chunk = self._chunk16 // dst_unit * src_unit
        self._margin = self._margin16 // dst_unit * src_unit
        self._buf = np.zeros((self.channels, 0))
        self._buf_start = 0  # absolute source index of _buf[:, 0]
        self._next = 0  # absolute source index of the next sample to emit
        self.samples_in = 0
        self.sq_signal = 0.0
        self.sq_mark = 0.0

    def push(self, samples: Array) -> list[Array]:
        """Add samples (channels × n, float, in [-1, 1]); return the marked samples now ready (maybe none)."""
        x = np.asarray(samples, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} × n planar samples, got shape {x.shape}")
        self._buf = np.concatenate([self._buf, x], axis=1)
        self.samples_in += x.shape[1]
        ready = []
        while self.samples_in >= self._next + self._chunk + self._margin:
            ready.append(self._emit(self._next + self._chunk))
        return ready

    def flush(self) -> list[Array]:
        """Mark and return everything still buffered (the end of the track)."""
        ready = []
        while self._next < self.samples_in:
            ready.append(self._emit(min(self._next + self._chunk, self.samples_in)))
        return ready

    def _emit(self, end: int) -> Array:
        lo = max(0, self._next - self._margin)
        hi = min(self.samples_in, end + self._margin)
        window = self._buf[:, lo - self._buf_start : hi - self._buf_start]
        src_unit, dst_unit = rate_units(self.sr)
        first_frame = lo // src_unit * dst_unit // HOP  # lo is a multiple of the margin unit: exact
        delta16 = mark_delta(to_rate(window.mean(axis=0), self.sr), first_frame, self.key, self.strength)
        marked = _add(window, delta16, self.sr)[:, self._next - lo : end - lo]
        original = window[:, self._next - lo : end - lo]
        self.sq_signal += float(np.sum(original**2))
        self.sq_mark += float(np.sum((marked - original) ** 2))
        self._next = end
        keep = max(0, self._next - self._margin)
        self._buf = self._buf[:, keep - self._buf_start :]
        self._buf_start = keep
        return marked

    @property
    def snr_db(self) -> float:
        """Signal-to-watermark ratio of everything emitted so far (inf when nothing was changed)."""
        if self.sq_mark == 0.0:
            return float("inf")
        return 10.0 * float(np.log10(max(self.sq_signal, 1e-30) / self.sq_mark))


def embed_samples(samples: Array, sample_rate: int, key: int, *, strength: float = DEFAULT_STRENGTH) -> Array:
    """Mark a whole track (channels × n or n, float in [-1, 1]) with ``key``; same shape back.

    Raises:
        ValueError: bad key, strength, sample rate or array shape.
    """
    x = np.asarray(samples, dtype=np.float64)
    flat = x.ndim == 1
    x2 = x[None, :] if flat else x
    if x2.ndim != 2:
        raise ValueError(f"expected samples as n or channels × n, got shape {x.shape}")
    marker = StreamMarker(key, sample_rate, x2.shape[0], strength=strength)
    parts = marker.push(x2) + marker.flush()
    out = np.concatenate(parts, axis=1) if parts else x2.copy()
    return out[0] if flat else out


@dataclass(frozen=True, slots=True)
class TrackReport:
    """What marking one audio track did: codecs, format, seconds marked and the signal-to-mark ratio."""

    algorithm: str
    source_codec: str
    encoder: str
    sample_rate: int
    layout: str
    seconds: float
    snr_db: float

    def describe(self) -> str:
        """One line for ``EmbedReport.audio``, e.g. ``aac → aac (marked cutproof-awm/1, SNR 24.1 dB)``."""
        return f"{self.source_codec} → {self.encoder} (marked {self.algorithm}, SNR {self.snr_db:.1f} dB)"
