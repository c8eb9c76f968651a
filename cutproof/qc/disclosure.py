"""QC check that the disclosure the gate required is present in (and beside) the deliverable.

The on-screen EU icon is checked in every interval the label record lists (``badge.shown``): on frames sampled
over each, the letters must stand out from their ground by the recorded variant's contrast floor, in the recorded
tone (light or dark) and at about its opacity (solid or 50 %); a missing or different icon fails, naming the
interval. Labels made before the EU icon (one ``from``/``to``, no ``shown``) are checked as they were made: the
white-on-dark plate at the recorded place.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from cutproof.core.recorded import Recorded
from labeler._badge_legacy import legacy_contrast, legacy_rect
from labeler._icon import ARTWORK, IconColour, IconVariant, Seen, observe
from labeler.errors import DisclosureError
from labeler.sidecar import parse_webvtt_ranges
from labeler.verify import Check, Status
from media import MediaError, iter_frames, probe, sample_indices
from records import LabelApplied, Obligations, PolicyDecided

BADGE_MIN_CONTRAST = 3.0  # legacy plate badge: WCAG AA for large text; it renders at > 14 and keeps > 5 after CRF 28
ICON_MIN_CONTRAST = {1.0: 3.0, 0.5: 2.0}
"""Contrast floor (letters against their ground, median over the sampled frames) for the EU icon's solid variants
and its 50 % variants. The labeller draws every variant at ≥ 4.5:1 (auto) or ≥ 3:1 (as requested) against the worst
10 % of the picture; coding blurs the strokes into their ground, and a 50 % stroke, half as far from its ground,
loses a larger share of its contrast to that blur, so its floor is lower. A frame without the icon measures ~1:1."""
ICON_OPACITY = {1.0: (0.7, 1.2), 0.5: (0.25, 0.7)}
"""Accepted estimated opacity of the letters (how far from their ground towards the variant's tone) per variant."""


def check_disclosure(
    path: Path,
    decision: Recorded[PolicyDecided] | None,
    label: Recorded[LabelApplied] | None,
    obligations: Obligations | None = None,
) -> Check:
    """Every disclosure form the recorded obligations require is present and as recorded (``obligations``: those
    legal's sign-off recomputed, when it did; else the decision's)."""
    if decision is None:
        return Check("disclosure", Status.SKIP, {}, "no decision to read the required disclosure from")
    owed = obligations if obligations is not None else decision.record.obligations
    required = sorted(set(owed.disclosure))
    if not required:
        return Check("disclosure", Status.PASS, {"required": [], "note": "the recorded obligations require none"})
    applied = label.record.disclosure if label is not None else None
    record: Mapping[str, Any] = applied.model_dump(mode="json") if applied is not None else {}
    found: dict[str, str] = {}
    missing: list[str] = []
    for form in required:
        ok, evidence = _FORMS.get(form, _unknown)(path, record)
        (found if ok else {})[form] = evidence
        if not ok:
            missing.append(f"{form}: {evidence}")
    evidence_all = {"required": required, "found": found}
    if missing:
        return Check("disclosure", Status.FAIL, evidence_all, "required disclosure missing — " + "; ".join(missing))
    return Check("disclosure", Status.PASS, evidence_all)


def _badge(path: Path, record: Mapping[str, Any]) -> tuple[bool, str]:
    badge = record.get("badge")
    if not isinstance(badge, Mapping):
        return False, "the label record has no on-screen badge"
    if badge.get("shown") is None:
        return _legacy_badge(path, badge)
    if badge.get("icon") != ARTWORK:
        return False, f"the label record names icon artwork {badge.get('icon')!r}, which this QC cannot check"
    variant = IconVariant(badge["variant"])
    x, y, _w, h = (int(v) for v in badge["rect"])
    seen: list[str] = []
    missing: list[str] = []
    for shown in badge["shown"]:
        span = f"{shown['from']}–{shown['to']} s"
        colour = IconColour(shown["colour"])
        frames = _frames_between(path, Fraction(shown["from"]), Fraction(shown["to"]), want=3)
        if not frames:
            missing.append(f"{span}: no frames there")
            continue
        if frames[0].shape[:2] != (int(badge["frame"][1]), int(badge["frame"][0])):
            return (
                False,
                f"frames are {frames[0].shape[1]}x{frames[0].shape[0]}, the icon was recorded on {badge['frame']}",
            )
        looks = [observe(f, x, y, variant, h) for f in frames]
        problem = _icon_problem(looks, colour)
        contrast = float(np.median([s.contrast for s in looks]))
        if problem:
            missing.append(f"{span}: {problem}")
        else:
            seen.append(f"{span} {colour} {contrast:.1f}:1")
    if missing:
        return False, f"EU icon ({variant}) missing or not as recorded in " + "; ".join(missing)
    return True, f"EU icon ({variant}) {badge['corner']}: " + "; ".join(seen)


def _icon_problem(looks: list[Seen], colour: IconColour) -> str | None:
    """Why the frames do not show the icon in ``colour`` (None when they do): the median frame must reach the
    variant's contrast floor with letters of the recorded tone and about the recorded opacity."""
    contrast = float(np.median([s.contrast for s in looks]))
    light = sum(s.light for s in looks) * 2 > len(looks)
    opacity = float(np.median([s.opacity for s in looks]))
    floor = ICON_MIN_CONTRAST[colour.opacity]
    if contrast < floor or light != (colour.tone == 255):
        return f"no legible {colour} icon at the recorded place (contrast {contrast:.1f}:1, at least {floor}:1 needed)"
    lo, hi = ICON_OPACITY[colour.opacity]
    if not lo <= opacity <= hi:
        return f"letters at about {opacity:.0%} opacity, the record says {colour}"
    return None


def _legacy_badge(path: Path, badge: Mapping[str, Any]) -> tuple[bool, str]:
    """A label made before the EU icon: one from/to, the white-on-dark plate."""
    start, end = Fraction(badge["from"]), Fraction(badge["to"])
    frames = _frames_between(path, start, end, want=5)
    if not frames:
        return False, f"no frames between {badge['from']} s and {badge['to']} s"
    h, w = frames[0].shape[:2]
    try:
        rect = legacy_rect(badge["corner"], Fraction(badge["height"]), Fraction(badge["margin"]), w, h)
    except DisclosureError as exc:
        return False, f"the recorded badge does not fit the file's frames: {exc}"
    best = float(np.median([legacy_contrast(f, rect) for f in frames]))
    if best < BADGE_MIN_CONTRAST:
        return False, f"no legible AI badge at the recorded place (contrast {best:.1f}:1)"
    return True, f"AI badge {badge['corner']} {badge['from']}–{badge['to']} s, contrast {best:.1f}:1"


def _credit(path: Path, record: Mapping[str, Any]) -> tuple[bool, str]:
    card = record.get("end_credit")
    if not isinstance(card, Mapping):
        return False, "the label record has no end-credit card"
    start = Fraction(card["start"])
    frames = _frames_between(path, start + Fraction(1, 2), start + Fraction(card["seconds_per_page"]), want=3)
    if not frames:
        return False, f"the video ends before the end-credit card ({card['start']} s)"
    dark = [float((f < 40).mean()) for f in frames]
    text = [bool((f > 180).any()) for f in frames]
    if min(dark) < 0.8 or not all(text):
        return False, f"no disclosure card at {card['start']} s (frames are not a text card)"
    return True, f"end-credit card from {card['start']} s, {card['pages']} page(s)"


def _sidecar(path: Path, record: Mapping[str, Any]) -> tuple[bool, str]:
    json_path, vtt_path = path.with_suffix(".disclosure.json"), path.with_suffix(".vtt")
    if not json_path.is_file() or not vtt_path.is_file():
        return False, f"sidecars {json_path.name} / {vtt_path.name} not found next to the file"
    recorded = record.get("sidecars") or {}
    for p in (json_path, vtt_path):
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        expected = next((v for k, v in recorded.items() if k.endswith(p.name.removeprefix(path.stem))), None)
        if expected is not None and expected != digest:
            return False, f"{p.name} differs from the sidecar recorded in the ledger"
    try:
        doc = json.loads(json_path.read_text())
        cues = parse_webvtt_ranges(vtt_path.read_text())
        ranges = [(Fraction(a["start"]), Fraction(a["end"])) for a in doc["altered"]]
    except (ValueError, KeyError, TypeError, DisclosureError) as exc:
        return False, f"sidecar unreadable: {exc}"
    if sorted(ranges) != sorted(cues):
        return False, "the WebVTT cues do not match the JSON's altered ranges"
    return True, f"{json_path.name} + {vtt_path.name}, {len(ranges)} altered range(s)"


def _unknown(path: Path, record: Mapping[str, Any]) -> tuple[bool, str]:
    return False, "a disclosure form QC cannot check automatically; check by hand"


_FORMS = {"on_screen_icon": _badge, "end_credit": _credit, "sidecar": _sidecar}


def _frames_between(path: Path, start: Fraction, end: Fraction, want: int) -> list[np.ndarray]:
    """Up to ``want`` BGR frames evenly spread over ``[start, end)`` seconds from the first frame (none when the
    file has no frames there or cannot be decoded)."""
    try:
        info = probe(path)
        first = max(0, math.ceil(start * info.frame_rate))
        last = min(info.frame_count, math.ceil(end * info.frame_rate))
        if first >= last:
            return []
        picks = sample_indices(info.frame_count, want, start=first, end=last)
        return [np.ascontiguousarray(rgb[..., ::-1]) for _, rgb in iter_frames(info, indices=picks, fmt="rgb24")]
    except MediaError:
        return []
