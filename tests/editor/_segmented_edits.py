"""Small ``FrameEditor``s for the segment tests, in a module of their own so that worker processes import only
``editor.segmented`` and NumPy to run them."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from editor.results import EditResult
from editor.segmented import FrameEditor
from media import MediaInfo, probe


class Ema(FrameEditor):
    """Brightens by an exponential moving average of the frames' means (state: ``keep`` of the previous average)."""

    def __init__(self, info: MediaInfo, span: range, keep: float, warm_up: int) -> None:
        super().__init__(info, span)
        self.keep, self.warm_up = keep, warm_up
        self.avg: np.ndarray | None = None
        self.seen: dict[int, float] = {}

    def warm(self, n: int, rgb: np.ndarray) -> None:
        m = rgb.mean(axis=(0, 1), dtype=np.float64)
        self.avg = m if self.avg is None else self.keep * self.avg + (1 - self.keep) * m

    def state(self) -> list[np.ndarray | None]:
        return [self.avg]

    def frame(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.warm(n, rgb)
        assert self.avg is not None
        self.seen[n] = float(self.avg[0])
        return np.clip(rgb * 0.8 + 0.2 * self.avg.astype(np.float32), 0, 1), np.ones(rgb.shape[:2], bool)

    def record(self) -> dict[int, float]:
        return self.seen

    def merge(self, records: list[dict[int, float]]) -> None:
        self.seen = {n: v for r in records for n, v in r.items()}


class FailsOn40(Ema):
    def frame(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if n == 40:
            raise RuntimeError("edit failed on frame 40")
        return super().frame(n, rgb)


def _video(path: Path) -> tuple[list[tuple[int, int]], list[bytes], list[np.ndarray]]:
    with av.open(str(path)) as c:
        packets = [p for p in c.demux(c.streams.video[0]) if p.size]
        times = [(int(p.pts), int(p.dts)) for p in packets]
        data = [bytes(p) for p in packets]
    with av.open(str(path)) as c:
        pictures = [np.concatenate([np.asarray(pl).ravel() for pl in f.planes]) for f in c.decode(video=0)]
    return times, data, pictures


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


def assert_same_output(one: Path, many: Path, *, intra: bool) -> None:
    """Same codec, timecode, frame count and presentation timestamps, audio sample for sample; the pictures: an
    intra codec's packets byte for byte (so the decoded pictures too). A long-GOP output's segments each start with
    an IDR frame where the sequential encoder chose its own frame types, so its pictures are the same edited
    frames through a differently structured encode: equal to within the encoder's noise (the edit's own exactness
    on such sources shows in its records and metrics, compared by the callers)."""
    a, b = probe(one), probe(many)
    assert (a.frame_count, a.frame_rate, a.timecode, a.codec) == (b.frame_count, b.frame_rate, b.timecode, b.codec)
    ta, da, pa = _video(one)
    tb, db, pb = _video(many)
    assert sorted(t[0] for t in ta) == sorted(t[0] for t in tb)
    assert len(pa) == len(pb) == a.frame_count
    if intra:
        assert ta == tb and da == db
        assert all(np.array_equal(x, y) for x, y in zip(pa, pb, strict=True))
    else:
        for x, y in zip(pa, pb, strict=True):
            mse = float(np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2))
            assert mse == 0 or 10 * np.log10(255.0**2 / mse) > 40
    assert np.array_equal(_audio(one), _audio(many))


def assert_same_result(a: EditResult, b: EditResult) -> None:
    """The same account of the edit: region, frames, parameters and metrics."""
    assert a.output_hash != "" and (a.region, a.frames, a.parameters) == (b.region, b.frames, b.parameters)
    assert a.metrics == b.metrics
