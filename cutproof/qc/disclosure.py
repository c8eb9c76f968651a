"""QC check that the disclosure the gate required is present in (and beside) the deliverable."""

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
from labeler._badge import BadgeSpec, Corner, badge_contrast
from labeler.errors import DisclosureError
from labeler.sidecar import parse_webvtt_ranges
from labeler.verify import Check, Status
from media import MediaError, iter_frames, probe, sample_indices
from records import LabelApplied, Obligations, PolicyDecided

BADGE_MIN_CONTRAST = 3.0  # WCAG AA for large text; the badge renders at > 14 and keeps > 5 after CRF 28


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
    start, end = Fraction(badge["from"]), Fraction(badge["to"])
    frames = _frames_between(path, start, end, want=5)
    if not frames:
        return False, f"no frames between {badge['from']} s and {badge['to']} s"
    spec = BadgeSpec(corner=Corner(badge["corner"]), height=Fraction(badge["height"]), margin=Fraction(badge["margin"]))
    scores = [badge_contrast(f, spec) for f in frames]
    best = float(np.median(scores))
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
