"""Art. 50(4) disclosure: the on-screen EU "AI" icon, end-credit card and sidecars, applied to a render.

``apply_disclosure`` draws the EU icon (``labeler._icon``, placed and timed by ``BadgeSpec``) into the frames while
it is due — from the first exposure and again after every ad break, in the colour variant asked for or, by default,
chosen per interval from the picture behind it (frames sampled over the interval are read first) — and appends the
end-credit card frames through ``media.render``: the video is re-encoded under the one encode policy
(``media.plan_encode``: the source's codec family, profile, pixel format and bit depth, colour tags and timecode),
pixels outside the badge are carried from the decoded source planes, and the audio packets are copied untouched
where the container holds them; the result goes to a temporary file renamed over the output only on success. It
returns a ``DisclosureRecord`` — the form actually used — which the application records in the ledger
(``label.applied/1``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import ceil
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from labeler._badge import BadgeSpec, Corner
from labeler._credits import card_pages, render_card
from labeler._icon import ARTWORK, Choice, IconColour, IconVariant, choose, draw_icon
from labeler.errors import DisclosureError, UnreadableAssetError
from labeler.sidecar import AlteredShot, dumps, npt, sidecar_document, webvtt, write_text_atomic
from media import MediaError, MediaInfo, Progress, iter_frames, probe, render, sample_indices
from media.errors import EncodeError

__all__ = [
    "AlteredShot",
    "BadgeSpec",
    "Corner",
    "DisclosureForm",
    "DisclosureRecord",
    "DisclosureRequest",
    "IconColour",
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

    ``badge``: the EU icon (``icon`` artwork id, ``variant``), corner, pixel rectangle, overall from/to seconds and
    ``shown``: each interval it was drawn (from/to seconds, colour variant, scrim opacity if any);
    ``end_credit``: start second, pages, seconds;
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


def apply_disclosure(
    src: Path, dst: Path, request: DisclosureRequest, *, progress: Progress | None = None
) -> DisclosureRecord:
    """Produce the disclosed deliverable ``dst`` (and sidecars beside it) from the render ``src``.

    With neither ``on_screen_icon`` nor ``end_credit`` required the video is copied byte for byte. ``progress`` gets
    the fraction of the source's frames written, in this process (``media.Progress``; 1.0 once the video is done).

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
            badge, end_credit = _render(src, tmp, request, progress)
        else:
            tmp.write_bytes(src.read_bytes())
            if progress is not None:
                progress(1.0)
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


def _render(
    src: Path, out_path: Path, req: DisclosureRequest, progress: Progress | None
) -> tuple[dict | None, dict | None]:
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
    late = [b for b in req.badge.breaks if b >= programme_end] if want_badge else []
    if late:
        raise DisclosureError(
            f"ad break at {npt(late[0])} s is at or after the end of the video ({npt(programme_end)} s); "
            "give break times on the deliverable's timeline"
        )
    due = req.badge.intervals(programme_end) if want_badge else []
    if want_badge and not due:
        raise DisclosureError("the badge's display window lies outside the video; adjust its start")
    choices = _choose_colours(info, req.badge, due) if want_badge else []
    drawn: list[list[int]] = [[] for _ in due]
    pages = card_pages(req.shots, height) if want_card else []
    per_page = round(req.credit_seconds * rate)

    def badge(n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        t = Fraction(n) / rate
        for i, (a, b) in enumerate(due):
            if a <= t < b:
                drawn[i].append(n)
                return _with_badge(rgb, req.badge, choices[i])
        return None

    def card() -> Iterator[np.ndarray]:
        for i, page in enumerate(pages, 1):
            frame = np.ascontiguousarray(render_card(width, height, page, rate, i, len(pages))[..., ::-1])
            for _ in range(per_page):
                yield frame

    try:
        render(info, out_path, badge if want_badge else None, tail=card(), overwrite=True, progress=progress)
    except EncodeError as exc:
        raise DisclosureError(f"cannot write the disclosed deliverable: {exc}") from None
    except MediaError as exc:
        raise UnreadableAssetError(f"{src.name} cannot be decoded ({exc}); re-export the render") from None
    card_record = None
    if want_card:
        card_record = {"start": npt(programme_end), "pages": len(pages), "seconds_per_page": npt(req.credit_seconds)}
    badge_record = None
    if want_badge:
        shown = []
        for frames, choice in zip(drawn, choices, strict=True):
            if not frames:
                continue
            interval = {"from": npt(Fraction(frames[0]) / rate), "to": npt(Fraction(frames[-1] + 1) / rate)}
            interval["colour"] = str(choice.colour)
            if choice.scrim:
                interval["scrim"] = str(choice.scrim)
            shown.append(interval)
        if not shown:
            raise DisclosureError("the badge's display window lies outside the video; adjust its start")
        x, y, bw, bh = req.badge.rect(width, height)
        badge_record = {
            "icon": ARTWORK,
            "corner": str(req.badge.corner),
            "variant": str(req.badge.variant),
            "rect": [x, y, bw, bh],
            "frame": [width, height],
            "height": str(req.badge.height),
            "margin": str(req.badge.margin),
            "from": shown[0]["from"],
            "to": shown[-1]["to"],
            "shown": shown,
        }
    return badge_record, card_record


_SAMPLES_PER_INTERVAL = 8


def _choose_colours(info: MediaInfo, spec: BadgeSpec, due: list[tuple[Fraction, Fraction]]) -> list[Choice]:
    """The colour variant for each due interval, from the picture behind the icon on frames sampled over it."""
    x, y, bw, bh = spec.rect(info.width, info.height)
    rate = info.frame_rate
    out = []
    for a, b in due:
        picks = sample_indices(info.frame_count, _SAMPLES_PER_INTERVAL, start=ceil(a * rate), end=ceil(b * rate))
        try:
            regions = [
                cv2.cvtColor(np.ascontiguousarray(rgb[y : y + bh, x : x + bw]), cv2.COLOR_RGB2GRAY)
                for _, rgb in iter_frames(info, indices=picks, fmt="rgb24")
            ]
        except MediaError as exc:
            raise UnreadableAssetError(f"cannot decode the frames behind the icon: {exc}") from None
        if not regions:
            regions = [np.full((bh, bw), 128, np.uint8)]  # the interval starts past the last frame: never drawn
        out.append(choose(np.stack(regions), spec.colour))
    return out


def _with_badge(rgb: np.ndarray, spec: BadgeSpec, choice: Choice) -> tuple[np.ndarray, np.ndarray]:
    """The frame (float RGB) with the icon drawn on its rectangle, and that rectangle as the support."""
    h, w = rgb.shape[:2]
    x, y, bw, bh = spec.rect(w, h)
    roi = (slice(y, y + bh), slice(x, x + bw))
    patch = np.ascontiguousarray(np.clip(np.rint(rgb[roi][..., ::-1] * 255.0), 0, 255).astype(np.uint8))
    draw_icon(patch, 0, 0, spec.variant, bh, choice.colour, choice.scrim)
    out = rgb.copy()
    out[roi] = patch[..., ::-1].astype(np.float32) / 255.0
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
