"""Perceptual fingerprint of a deliverable (EU Code of Practice, Measure 1.1.3): Meta's PDQ hash of sampled frames.

When both the C2PA manifest and the watermark are gone (a heavy re-encode, a camera pointed at a screen), the
pictures themselves can still be matched against the fingerprints of what the production delivered:

1. ``fingerprint_video``: 256-bit PDQ hashes (``pdqhash``) every ``STEP_S`` seconds of the picture, from RGB
   frames scaled to at most ``SIDE`` pixels (PDQ resizes to 64×64 internally; the scale only saves decoding
   work), with PDQ's quality score; frames of quality below ``MIN_QUALITY`` (flat, featureless) are dropped. A
   reference (``crops=REFERENCE_CROPS``) also hashes centred crops of each frame, since PDQ itself does not survive
   re-framing: a copy cropped about the centre then matches the crop's hash. Off-centre crops and perspective
   warps are not covered (see bench/fingerprint.py for what is).
2. ``match``: the share of the query's frames whose nearest reference frame lies within ``MAX_DISTANCE`` bits
   (Hamming) — PDQ's own recommended threshold for "same picture" is 31 of 256 — and the median nearest distance.
   A file matches a reference when at least ``MIN_SHARE`` of its frames do.

Fingerprints are compared, never inverted: they hold no picture content and no personal data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from labeler.errors import LabelerError

ALGORITHM = "pdq/1 every 0.5 s, centre crops 1.0 0.8 0.6"
STEP_S = Fraction(1, 2)
SIDE = 256
MIN_QUALITY = 50
MAX_DISTANCE = 31
MIN_SHARE = 0.5
REFERENCE_CROPS = (1.0, 0.8, 0.6)  # share of width and height kept, centred


class FingerprintError(LabelerError):
    """A fingerprint cannot be computed (no decodable frame) or read back (wrong length)."""


@dataclass(frozen=True)
class Fingerprint:
    """PDQ hashes of sampled frames: ``hashes`` is an (n, 32) uint8 array, one 256-bit hash per row."""

    hashes: np.ndarray

    def __post_init__(self) -> None:
        if self.hashes.ndim != 2 or self.hashes.shape[1] != 32 or self.hashes.dtype != np.uint8:
            raise FingerprintError("a fingerprint is an (n, 32) array of uint8 (256-bit PDQ hashes)")

    @property
    def count(self) -> int:
        """How many 256-bit hashes it holds."""
        return int(self.hashes.shape[0])

    def to_bytes(self) -> bytes:
        return self.hashes.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        if len(data) % 32:
            raise FingerprintError("stored fingerprint is not a whole number of 32-byte PDQ hashes")
        return cls(np.frombuffer(data, dtype=np.uint8).reshape(-1, 32).copy())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


@dataclass(frozen=True)
class Match:
    """How well a query fingerprint matches a reference."""

    share: float
    median_distance: float

    @property
    def matched(self) -> bool:
        return self.share >= MIN_SHARE


def fingerprint_video(path: Path, *, step: Fraction = STEP_S, crops: tuple[float, ...] = (1.0,)) -> Fingerprint:
    """PDQ hashes of the picture every ``step`` seconds (of each centred crop in ``crops``).

    Raises:
        FingerprintError: no frame could be decoded, or every sampled frame was featureless.
    """
    import av
    import cv2
    import pdqhash

    rows: list[np.ndarray] = []
    next_t = Fraction(0)
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                t = Fraction(frame.pts * stream.time_base) if frame.pts is not None else next_t
                if t < next_t:
                    continue
                next_t = t + step
                rgb = frame.to_ndarray(format="rgb24")
                h, w = rgb.shape[:2]
                scale = SIDE / max(h, w)
                if scale < 1:
                    rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), cv2.INTER_AREA)
                for keep in crops:
                    bits, quality = pdqhash.compute(np.ascontiguousarray(_centre(rgb, keep)))
                    if quality >= MIN_QUALITY:
                        rows.append(np.packbits(bits.astype(np.uint8)))
    except (av.FFmpegError, IndexError) as exc:
        raise FingerprintError(f"cannot fingerprint {Path(path).name}: {exc}") from None
    if not rows:
        raise FingerprintError(f"{Path(path).name} has no frame with enough detail to fingerprint")
    return Fingerprint(np.stack(rows))


def _centre(rgb: np.ndarray, keep: float) -> np.ndarray:
    if keep >= 1.0:
        return rgb
    h, w = rgb.shape[:2]
    ch, cw = max(8, int(h * keep)), max(8, int(w * keep))
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return rgb[y0 : y0 + ch, x0 : x0 + cw]


def match(query: Fingerprint, reference: Fingerprint) -> Match:
    """Share of ``query``'s frames within ``MAX_DISTANCE`` bits of some frame of ``reference``."""
    xor = np.bitwise_xor(query.hashes[:, None, :], reference.hashes[None, :, :])
    distances = np.unpackbits(xor, axis=2).sum(axis=2).min(axis=1)
    return Match(float((distances <= MAX_DISTANCE).mean()), float(np.median(distances)))
