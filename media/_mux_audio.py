"""The audio tracks of a render, muxed interleaved with the video by time.

Each source track is written one of four ways, by its ``AudioPlan`` and what the caller asks:

- ``remuxed``: its packets copied unchanged (the container holds the codec and nothing changes the samples);
- ``re-encoded:<codec>``: decoded and encoded with the plan's codec (the container cannot hold the source codec);
- ``filtered:<codec>``: decoded to planar float, passed through an ``AudioFilter`` (e.g. the audio watermark) and
  encoded with the plan's codec — the source's family, sample rate, layout and bit depth;
- ``replaced:<codec>``: decoded whole, an ``AudioOverride``'s span spliced in, encoded losslessly.

Timestamps stay on the source's clock: copied packets keep theirs, decoded tracks start where the source track's
first frame starts, replaced tracks where the source track starts (a new track where the video starts), so the
source's audio/video offset is kept exactly.

**Spooling.** A decoded track is normally decoded, filtered and encoded as the video advances. ``spool`` does that
work up front instead, into a file per track (``media._packets`` records) that muxing then only copies from: a
segment-parallel render (``media.render_parallel``) spools while its segments render, so the audio watermark is not
left for the one process that joins them. The spooled packets are the ones the muxer would have encoded (the same
samples through the same filter and encoder, in the same order), so the audio is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np

from media._audio import AudioOverride, read_audio, splice
from media._packets import TruncatedRecordError, as_packet, read_records, write_packets
from media._policy import AudioPlan, lossless_audio_plan
from media._probe import MediaInfo, _reason, open_input
from media.errors import CorruptMediaError, EncodeError

_SLACK = Fraction(1, 2)  # audio is muxed up to half a second ahead of the video


class AudioFilter(Protocol):
    """Changes a track's samples as they stream past (e.g. ``labeler``'s audio watermark ``StreamMarker``)."""

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        """Planar float samples (channels × n, in [-1, 1]) in order; returns the blocks ready so far."""
        ...

    def flush(self) -> list[np.ndarray]:
        """Returns the last blocks once the track has ended."""
        ...


class _Encoder:
    """One output audio stream encoded with its plan; timestamps count samples from the track's start."""

    def __init__(self, out: Any, plan: AudioPlan) -> None:
        self.plan = plan
        self.stream = out.add_stream(plan.codec, rate=plan.sample_rate, layout=plan.layout)
        cc = self.stream.codec_context
        cc.format = plan.sample_format
        if plan.bit_rate:
            cc.bit_rate = plan.bit_rate
        self.stream.time_base = Fraction(1, plan.sample_rate)
        self._next: int | None = None

    def encode(self, frame: Any, start: int) -> list[Any]:
        """Encode ``frame`` (any sample format; converted by PyAV) after the samples already written."""
        if self._next is None:
            self._next = start
        frame.pts, frame.time_base = self._next, Fraction(1, self.plan.sample_rate)
        self._next += frame.samples
        return list(self.stream.encode(frame))

    def encode_planar(self, block: np.ndarray, start: int) -> list[Any]:
        """Encode planar float samples (channels × n)."""
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32), format="fltp", layout=self.plan.layout
        )
        frame.sample_rate = self.plan.sample_rate
        return self.encode(frame, start)

    def flush(self) -> list[Any]:
        return list(self.stream.encode(None))


class _Decoded:
    """A source track that is decoded: re-encoded as it is, or through a filter first."""

    def __init__(self, encoder: _Encoder, audio_filter: AudioFilter | None) -> None:
        self.encoder = encoder
        self.filter = audio_filter
        self.start: int | None = None
        self._planar = (
            av.AudioResampler(format="fltp", layout=encoder.plan.layout, rate=encoder.plan.sample_rate)
            if audio_filter is not None
            else None
        )

    def feed(self, frames: list[Any]) -> list[Any]:
        packets: list[Any] = []
        for frame in frames:
            if self.start is None:
                at = frame.pts * frame.time_base if frame.pts is not None and frame.time_base is not None else 0
                self.start = round(at * self.encoder.plan.sample_rate)
            if self._planar is None:
                packets += self.encoder.encode(frame, self.start)
                continue
            for planar in self._planar.resample(frame):
                packets += self._filtered(self.filter.push(planar.to_ndarray()))  # type: ignore[union-attr]
        return packets

    def finish(self) -> list[Any]:
        packets: list[Any] = []
        if self._planar is not None:
            for planar in self._planar.resample(None):
                packets += self._filtered(self.filter.push(planar.to_ndarray()))  # type: ignore[union-attr]
            packets += self._filtered(self.filter.flush())  # type: ignore[union-attr]
        return packets + self.encoder.flush()

    def _filtered(self, blocks: list[np.ndarray]) -> list[Any]:
        packets: list[Any] = []
        for block in blocks:
            packets += self.encoder.encode_planar(block, self.start or 0)
        return packets


class AudioMux:
    """Every audio track of one render, muxed as the video advances (``mux_until``), then ``finish``.

    ``src`` is a second open input of the source (so the audio is demuxed independently of the video).
    """

    def __init__(
        self,
        src: Any,
        out: Any,
        info: MediaInfo,
        plans: tuple[AudioPlan, ...],
        *,
        container: str,
        video_start: Fraction,
        filters: Mapping[int, AudioFilter] | None = None,
        override: AudioOverride | None = None,
    ) -> None:
        self.out, self.path, self._src = out, info.path, src
        filters = dict(filters or {})
        if filters and override is not None:
            raise ValueError("give either an audio override (new samples laid in) or audio filters, not both")
        self._copied: dict[int, Any] = {}
        self._decoded: dict[int, _Decoded] = {}
        self._queue: list[Any] = []  # packets encoded up front (replaced tracks), in time order
        modes: list[str] = []
        if override is not None:
            modes = self._replace(src, info, container, override, video_start)
        for plan in plans if override is None else ():
            if plan.copy and plan.index not in filters:
                self._copied[plan.index] = out.add_stream_from_template(src.streams[plan.index])
                modes.append("remuxed")
                continue
            audio_filter = filters.pop(plan.index, None)
            self._decoded[plan.index] = _Decoded(_Encoder(out, plan), audio_filter)
            modes.append(f"{'filtered' if audio_filter is not None else 're-encoded'}:{plan.codec}")
        if filters:
            raise ValueError(f"audio filters given for tracks {sorted(filters)} that the clip does not have")
        self.modes = tuple(modes)
        carried = [s for s in src.streams.audio if s.index in self._copied or s.index in self._decoded]
        # demux() with no streams would demux every stream, video included: only demux when there is audio.
        self._packets: Iterator[Any] = self._demuxed(src.demux(*carried)) if carried else iter(())
        self._pending: Any = None
        self._next = 0
        self._started = False
        self._spooled: dict[int, _Spool] = {}

    def _replace(
        self, src: Any, info: MediaInfo, container: str, override: AudioOverride, video_start: Fraction
    ) -> list[str]:
        """Encode every track with the override spliced in, up front (a clip without audio gets a mono track)."""
        tracks = [(t, read_audio(info.path, stream=t.index).samples) for t in info.audio] or [(None, None)]
        modes = []
        for track, samples in tracks:
            plan = lossless_audio_plan(track, container)
            if samples is None:  # a picture-only clip: silence with the new line in its span
                samples = np.zeros((round(info.duration * plan.sample_rate), 1), np.float32)
            begins = video_start if track is None else _start_of(src.streams[track.index])
            start = round(begins * plan.sample_rate)
            encoder = _Encoder(self.out, plan)
            spliced = splice(samples, plan.sample_rate, override)
            for i in range(0, len(spliced), 4096):
                self._queue += encoder.encode(_lossless_frame(spliced[i : i + 4096], plan), start)
            self._queue += encoder.flush()
            modes.append(f"replaced:{plan.codec}")
        self._queue.sort(key=lambda p: (p.pts or 0) * p.time_base if p.time_base is not None else 0)
        return modes

    @property
    def decoded(self) -> bool:
        """Whether a track is decoded (filtered or re-encoded): what ``spool`` would do work for."""
        return bool(self._decoded)

    def spool(self, folder: Path, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Decode, filter and encode every decoded track now, into ``folder/audio-N.cpaud`` (see the module
        docstring), reading the source through an input of its own; muxing then copies the spooled packets. Call
        it before anything is muxed; nothing else may use this muxer until it returns (it may run in another thread
        than the muxing). Returns early, leaving the muxer unusable, once ``cancelled()`` is true.

        Raises:
            CorruptMediaError: the audio cannot be read or does not decode.
            EncodeError: the spool files cannot be written.
            Exception: whatever a filter raised.
        """
        if self._started or self._spooled:
            raise RuntimeError("spool() must come before anything is muxed, and once")
        if not self._decoded:
            return
        spools: dict[int, _Spool] = {}
        try:
            for i, track in self._decoded.items():
                spools[i] = _Spool(folder / f"audio-{i}.cpaud", track.encoder.stream)
            with open_input(self.path) as src:
                for packet in self._demuxed(src.demux(*[src.streams[i] for i in self._decoded])):
                    if cancelled():
                        return
                    index = packet.stream.index
                    spools[index].write(self._decoded[index].feed(self._decode(packet)))
            for i, track in self._decoded.items():
                spools[i].write(track.finish())
        except OSError as exc:
            raise EncodeError(f"cannot write the audio spool into {folder}: {exc}") from None
        finally:
            for spool in spools.values():
                spool.close_writing()
        copied = [s for s in self._src.streams.audio if s.index in self._copied]
        self._packets = self._demuxed(self._src.demux(*copied)) if copied else iter(())
        self._spooled = spools

    def mux_until(self, t: Fraction) -> None:
        """Mux the audio that starts before ``t`` seconds of output time (plus half a second of slack)."""
        self._started = True
        while self._next < len(self._queue):
            p = self._queue[self._next]
            if p.pts is not None and p.time_base is not None and p.pts * p.time_base > t + _SLACK:
                break
            self.out.mux(p)
            self._next += 1
        for spool in self._spooled.values():
            spool.mux_until(self.out, t + _SLACK)
        while True:
            if self._pending is None:
                self._pending = self._read()
                if self._pending is None:
                    return
            p = self._pending
            if p.pts is not None and p.time_base is not None and p.pts * p.time_base > t + _SLACK:
                return
            self._pending = None
            self._carry(p)

    def finish(self) -> None:
        """Mux everything left and drain the encoders."""
        self.mux_until(Fraction(10**9))
        for index, track in self._decoded.items():
            if index not in self._spooled:  # a spool holds its track's last packets already
                self.out.mux(track.finish())

    def _read(self) -> Any:
        return next(self._packets, None)

    def _demuxed(self, packets: Iterator[Any]) -> Iterator[Any]:
        """``packets`` (a demux), with a read error reported as the source's ``CorruptMediaError``."""
        try:
            yield from packets
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{self.path.name}: its audio cannot be read ({_reason(exc)})") from None

    def _decode(self, packet: Any) -> list[Any]:
        try:
            return list(packet.decode())
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{self.path.name}: its audio does not decode ({_reason(exc)})") from None

    def _carry(self, packet: Any) -> None:
        index = packet.stream.index
        if index in self._copied:
            if packet.dts is None or not packet.size:
                return
            packet.stream = self._copied[index]
            self.out.mux(packet)
            return
        self.out.mux(self._decoded[index].feed(self._decode(packet)))


class _Spool:
    """One decoded track's encoded packets on disk (``AudioMux.spool``), written once, then muxed in order."""

    def __init__(self, path: Path, stream: Any) -> None:
        self.path, self.stream = path, stream
        self._fh: Any = open(path, "wb")  # noqa: SIM115 - kept open while the track is encoded
        self._time_base: Fraction | None = None
        self._records: Iterator[Any] | None = None
        self._pending: Any = None

    def write(self, packets: list[Any]) -> None:
        for p in packets:
            if p.time_base is not None:
                tb = Fraction(p.time_base.numerator, p.time_base.denominator)
                if self._time_base is not None and tb != self._time_base:
                    raise RuntimeError(f"the audio encoder changed its time base ({self._time_base} → {tb})")
                self._time_base = tb
        write_packets(self._fh, packets)

    def close_writing(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def mux_until(self, out: Any, t: Fraction) -> None:
        """Mux the spooled packets that start by ``t`` seconds (all that have no time)."""
        if self._records is None:
            self._records = self._replay()
        while True:
            if self._pending is None:
                self._pending = next(self._records, None)
                if self._pending is None:
                    return
            p = self._pending
            if p.pts is not None and p.time_base is not None and p.pts * p.time_base > t:
                return
            self._pending = None
            out.mux(p)

    def _replay(self) -> Iterator[Any]:
        try:
            with open(self.path, "rb") as fh:
                for record in read_records(fh):
                    yield as_packet(record, self.stream, self._time_base)
        except (OSError, TruncatedRecordError) as exc:
            raise EncodeError(f"the audio spool {self.path.name} cannot be read back ({exc}); render again") from None


def _start_of(stream: Any) -> Fraction:
    """When a stream starts on the source's clock, in seconds (0 when the container does not say)."""
    if stream.start_time is None or stream.time_base is None:
        return Fraction(0)
    return Fraction(stream.start_time) * Fraction(stream.time_base.numerator, stream.time_base.denominator)


def _lossless_frame(samples: np.ndarray, plan: AudioPlan) -> Any:
    """(n, channels) float samples as a frame in the plan's integer format (16-bit: ×32767; 24-bit in s32)."""
    if plan.bit_depth > 16:
        pcm = (np.clip(np.rint(samples * 8388607.0), -8388608, 8388607).astype(np.int32) << 8).astype(np.int32)
    else:
        pcm = np.clip(np.rint(samples * 32767.0), -32768, 32767).astype(np.int16)
    arr = np.ascontiguousarray(pcm.T if plan.sample_format.endswith("p") else pcm.reshape(1, -1))
    channels = samples.shape[1]
    layout = plan.layout if plan.layout else ("mono" if channels == 1 else "stereo")
    frame = av.AudioFrame.from_ndarray(arr, format=plan.sample_format, layout=layout)
    frame.sample_rate = plan.sample_rate
    return frame
