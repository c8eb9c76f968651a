"""Art. 50(4) disclosure: on-screen "AI" badge, end-credit card and sidecars, applied to a render.

``apply_disclosure`` draws the badge into the frames while it is due and appends the end-credit card frames through
``media.render``: the video is re-encoded under the one encode policy (``media.plan_encode``: the source's codec
family, profile, pixel format and bit depth, colour tags and timecode), pixels outside the badge are carried from
the decoded source planes, and the audio packets are copied untouched where the container holds them; the result
goes to a temporary file renamed over the output only on success. It returns a
``DisclosureRecord`` — the form actually used — which the application records in the ledger (``label.applied/1``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from labeler._badge import BadgeSpec, Corner, IconVariant, draw_badge
from labeler._credits import card_pages, render_card
from labeler.errors import DisclosureError, UnreadableAssetError
from labeler.sidecar import AlteredShot, dumps, npt, sidecar_document, webvtt, write_text_atomic
from media import MediaError, probe, render
from media.errors import EncodeError

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
    """

    forms: frozenset[DisclosureForm]
    shots: tuple[AlteredShot, ...]
    title: str
    badge: BadgeSpec = field(default_factory=BadgeSpec)
    credit_seconds: Fraction = Fraction(4)

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
        info = probe(src)
    except MediaError as exc:
        raise UnreadableAssetError(f"cannot open {src.name} as video: {exc}") from None
    width, height, rate = info.width, info.height, info.frame_rate
    if want_badge:
        req.badge.rect(width, height)  # fails early if the badge does not fit
    programme_end = Fraction(info.frame_count) / rate
    for s in req.shots:
        if s.end > programme_end + Fraction(1, 1000):
            raise DisclosureError(
                f"altered shot {s.shot!r} ends at {npt(s.end)} s, after the video ({npt(programme_end)} s)"
            )
    badge_frames: list[int] = []
    pages = card_pages(req.shots, height) if want_card else []
    per_page = round(req.credit_seconds * rate)

    def badge(n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if not req.badge.shown_at(Fraction(n) / rate):
            return None
        badge_frames.append(n)
        return _with_badge(rgb, req.badge)

    def card() -> Iterator[np.ndarray]:
        for i, page in enumerate(pages, 1):
            frame = np.ascontiguousarray(render_card(width, height, page, rate, i, len(pages))[..., ::-1])
            for _ in range(per_page):
                yield frame

    try:
        render(info, out_path, badge if want_badge else None, tail=card(), overwrite=True)
    except EncodeError as exc:
        raise DisclosureError(f"cannot write the disclosed deliverable: {exc}") from None
    except MediaError as exc:
        raise UnreadableAssetError(f"{src.name} cannot be decoded ({exc}); re-export the render") from None
    card_record = None
    if want_card:
        card_record = {"start": npt(programme_end), "pages": len(pages), "seconds_per_page": npt(req.credit_seconds)}
    badge_record = None
    if want_badge:
        if not badge_frames:
            raise DisclosureError("the badge's display window lies outside the video; adjust its start")
        x, y, bw, bh = req.badge.rect(width, height)
        badge_record = {
            "corner": str(req.badge.corner),
            "variant": str(req.badge.variant),
            "rect": [x, y, bw, bh],
            "frame": [width, height],
            "height": str(req.badge.height),
            "margin": str(req.badge.margin),
            "from": npt(Fraction(badge_frames[0]) / rate),
            "to": npt(Fraction(badge_frames[-1] + 1) / rate),
        }
    return badge_record, card_record


def _with_badge(rgb: np.ndarray, spec: BadgeSpec) -> tuple[np.ndarray, np.ndarray]:
    """The frame (float RGB) with the badge drawn on its plate rectangle, and that rectangle as the support."""
    h, w = rgb.shape[:2]
    x, y, bw, bh = spec.rect(w, h)
    canvas = np.zeros((h, w, 3), np.uint8)  # draw_badge works on a BGR frame; only the plate is filled in
    roi = (slice(y, y + bh), slice(x, x + bw))
    canvas[roi] = np.clip(np.rint(rgb[roi][..., ::-1] * 255.0), 0, 255).astype(np.uint8)
    draw_badge(canvas, spec)
    out = rgb.copy()
    out[roi] = canvas[roi][..., ::-1].astype(np.float32) / 255.0
    support = np.zeros((h, w), bool)
    support[roi] = True
    return out, support


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
