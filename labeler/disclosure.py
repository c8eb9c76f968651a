"""Art. 50(4) disclosure: on-screen "AI" badge, end-credit card and sidecars, applied to a render.

``apply_disclosure`` decodes the render frame by frame with PyAV, draws the badge while it is due, appends the
end-credit card frames, re-encodes the video (same codec family, high quality) and copies the audio packets
untouched; the result goes to a temporary file renamed over the output only on success. It returns a
``DisclosureRecord`` — the form actually used — which the application records in the ledger (``label.applied/1``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from labeler._badge import BadgeSpec, Corner, IconVariant, draw_badge
from labeler._credits import card_pages, render_card
from labeler.errors import DisclosureError, UnreadableAssetError
from labeler.sidecar import AlteredShot, dumps, npt, sidecar_document, webvtt, write_text_atomic

__all__ = [
    "AlteredShot",
    "BadgeSpec",
    "Corner",
    "DisclosureForm",
    "DisclosureRecord",
    "DisclosureRequest",
    "IconVariant",
    "apply_disclosure",
]


class DisclosureForm(StrEnum):
    """Disclosure forms the gate can require (same vocabulary as the policy obligations)."""

    ON_SCREEN_ICON = "on_screen_icon"
    END_CREDIT = "end_credit"
    SIDECAR = "sidecar"
    SPOKEN_DISCLAIMER = "spoken_disclaimer"


@dataclass(frozen=True)
class DisclosureRequest:
    """What to disclose and how.

    Attributes:
        forms: the disclosure forms required (``on_screen_icon``, ``end_credit``, ``sidecar``).
        shots: the AI-altered spans (output timeline).
        title: programme/deliverable title for the sidecar.
        badge: badge placement, size, timing and icon variant.
        credit_seconds: seconds each end-credit card page is shown.
        crf: x264/x265 quality of the re-encode (lower is better; 14 is visually lossless).
    """

    forms: frozenset[DisclosureForm]
    shots: tuple[AlteredShot, ...]
    title: str
    badge: BadgeSpec = field(default_factory=BadgeSpec)
    credit_seconds: Fraction = Fraction(4)
    crf: int = 14

    def __post_init__(self) -> None:
        if DisclosureForm.SPOKEN_DISCLAIMER in self.forms:
            raise DisclosureError(
                "a spoken disclaimer is required for audio-only content; Cutproof cannot synthesise speech — "
                "record the disclaimer and cut it in before labelling, then request the remaining forms"
            )
        if not self.shots:
            raise DisclosureError("a disclosure needs at least one AI-altered shot")
        if not Fraction(1) <= self.credit_seconds <= Fraction(30):
            raise DisclosureError("credit_seconds must be between 1 and 30")
        if not 0 <= self.crf <= 30:
            raise DisclosureError("crf must be between 0 and 30 for a delivery master")


@dataclass(frozen=True)
class DisclosureRecord:
    """The disclosure form actually used, for the ledger and for QC.

    ``badge``: corner, variant, pixel rectangle, shown-from/to seconds; ``end_credit``: start second, pages, seconds;
    ``sidecars``: file name → SHA-256; ``output_sha256``: SHA-256 of the disclosed video (before signing).
    """

    schema: str
    forms: tuple[str, ...]
    badge: dict[str, Any] | None
    end_credit: dict[str, Any] | None
    sidecars: dict[str, str]
    output_sha256: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def apply_disclosure(src: Path, dst: Path, request: DisclosureRequest) -> DisclosureRecord:
    """Produce the disclosed deliverable ``dst`` (and sidecars beside it) from the render ``src``.

    With neither ``on_screen_icon`` nor ``end_credit`` required the video is copied byte for byte.

    Raises:
        UnreadableAssetError: ``src`` has no decodable video stream.
        DisclosureError: the request does not fit the video (badge larger than the frame, ranges past the end).
    """
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve():
        raise DisclosureError("write the disclosed deliverable to a new path, not over the render")
    sidecar_paths = [dst.with_suffix(".disclosure.json"), dst.with_suffix(".vtt")]
    badge = end_credit = None
    needs_video = bool({DisclosureForm.ON_SCREEN_ICON, DisclosureForm.END_CREDIT} & request.forms)
    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=dst.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if needs_video:
            badge, end_credit = _render(src, tmp, request)
        else:
            tmp.write_bytes(src.read_bytes())
        sidecars: dict[str, str] = {}
        if DisclosureForm.SIDECAR in request.forms:
            extra = {"badge": badge, "endCredit": end_credit}
            texts = [dumps(sidecar_document(request.title, request.shots, extra)), webvtt(request.shots)]
            for path, text in zip(sidecar_paths, texts, strict=True):
                write_text_atomic(path, text)
                sidecars[path.name] = hashlib.sha256(text.encode()).hexdigest()
        digest = _sha256(tmp)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for p in sidecar_paths:
            p.unlink(missing_ok=True)
        raise
    return DisclosureRecord(
        schema="cutproof.disclosure/1",
        forms=tuple(sorted(str(f) for f in request.forms)),
        badge=badge,
        end_credit=end_credit,
        sidecars=sidecars,
        output_sha256=digest,
    )


def _render(src: Path, out_path: Path, req: DisclosureRequest) -> tuple[dict | None, dict | None]:
    want_badge = DisclosureForm.ON_SCREEN_ICON in req.forms
    want_card = DisclosureForm.END_CREDIT in req.forms
    try:
        inp = av.open(str(src))
    except (av.FFmpegError, OSError) as exc:
        raise UnreadableAssetError(f"cannot open {src.name} as video: {exc}") from None
    with inp:
        if not inp.streams.video:
            raise UnreadableAssetError(f"{src.name} has no video stream")
        vin = inp.streams.video[0]
        rate = Fraction(vin.average_rate or vin.guessed_rate or 24)
        tb = vin.time_base or Fraction(1, 90000)
        width, height = vin.codec_context.width, vin.codec_context.height
        if want_badge:
            req.badge.rect(width, height)  # fails early if the badge does not fit
        codec = "libx265" if vin.codec_context.name == "hevc" else "libx264"
        with av.open(str(out_path), "w") as out:
            vs = out.add_stream(codec, rate=rate)
            assert isinstance(vs, av.VideoStream)
            vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
            vs.time_base = tb
            vs.options = {"crf": str(req.crf), "preset": "veryfast"}
            _copy_colour_tags(vin, vs)
            audio = {s.index: out.add_stream_from_template(s) for s in inp.streams.audio}
            first_pts: int | None = None
            last_t = Fraction(0)
            badge_span: list[Fraction] = []
            frames = 0
            for packet in inp.demux([vin, *inp.streams.audio]):
                if packet.stream.type == "audio":
                    if packet.dts is not None:
                        packet.stream = audio[packet.stream.index]
                        out.mux(packet)
                    continue
                try:
                    decoded = packet.decode()
                except av.FFmpegError as exc:
                    raise UnreadableAssetError(f"{src.name} cannot be decoded ({exc}); re-export the render") from None
                for frame in decoded:
                    if not isinstance(frame, av.VideoFrame) or frame.pts is None:
                        continue
                    first_pts = frame.pts if first_pts is None else first_pts
                    t = Fraction(frame.pts - first_pts) * tb
                    img = frame.to_ndarray(format="bgr24")
                    if want_badge and req.badge.shown_at(t):
                        draw_badge(img, req.badge)
                        badge_span.append(t)
                    _encode(out, vs, img, frame.pts - first_pts)
                    last_t = max(last_t, t)
                    frames += 1
            if frames == 0:
                raise UnreadableAssetError(f"{src.name} has no decodable video frames")
            programme_end = last_t + 1 / rate
            for s in req.shots:
                if s.end > programme_end + Fraction(1, 1000):
                    raise DisclosureError(
                        f"altered shot {s.shot!r} ends at {npt(s.end)} s, after the video ({npt(programme_end)} s)"
                    )
            card = None
            if want_card:
                pages = card_pages(req.shots, height)
                per_page = round(req.credit_seconds * rate)
                step = round(1 / rate / tb)
                pts = round(programme_end / tb)
                for i, page in enumerate(pages, 1):
                    img = render_card(width, height, page, rate, i, len(pages))
                    for _ in range(per_page):
                        _encode(out, vs, img, pts)
                        pts += step
                card = {"start": npt(programme_end), "pages": len(pages), "seconds_per_page": npt(req.credit_seconds)}
            for p in vs.encode():
                out.mux(p)
    badge = None
    if want_badge:
        if not badge_span:
            raise DisclosureError("the badge's display window lies outside the video; adjust its start")
        x, y, bw, bh = req.badge.rect(width, height)
        badge = {
            "corner": str(req.badge.corner),
            "variant": str(req.badge.variant),
            "rect": [x, y, bw, bh],
            "frame": [width, height],
            "height": str(req.badge.height),
            "margin": str(req.badge.margin),
            "from": npt(badge_span[0]),
            "to": npt(badge_span[-1] + 1 / rate),
        }
    return badge, card


def _encode(out: av.container.OutputContainer, vs: av.VideoStream, img: np.ndarray, pts: int) -> None:
    frame = av.VideoFrame.from_ndarray(img, format="bgr24").reformat(format="yuv420p")
    frame.pts = pts
    frame.time_base = vs.time_base
    for p in vs.encode(frame):
        out.mux(p)


def _copy_colour_tags(vin: av.VideoStream, vs: av.VideoStream) -> None:
    for attr in ("color_range", "color_primaries", "color_trc", "colorspace"):
        value = getattr(vin.codec_context, attr, None)
        if value is not None:
            with contextlib.suppress(AttributeError, TypeError, ValueError):
                setattr(vs.codec_context, attr, value)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def required_forms(names: Sequence[str]) -> frozenset[DisclosureForm]:
    """Parse obligation names (``on_screen_icon``, ``end_credit``, ``sidecar``) into forms.

    Raises:
        DisclosureError: an unknown form name.
    """
    try:
        return frozenset(DisclosureForm(n) for n in names)
    except ValueError:
        raise DisclosureError(
            f"unknown disclosure form in {list(names)}; known: {[f.value for f in DisclosureForm]}"
        ) from None
