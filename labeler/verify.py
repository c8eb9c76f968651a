"""Verification of a deliverable's marks, as functions over inputs handed in (the labeler never queries the ledger).

Each function returns typed ``Check`` results (name, pass/fail/skip, evidence, reason) that delivery QC combines
with the ledger-side checks it makes itself:

1. ``check_manifest``: a C2PA manifest is present, valid, and Trusted under the project's trust anchors.
2. ``check_hard_binding``: the manifest's hard binding (``c2pa.hash.bmff``) matches the file's bytes.
3. ``check_watermark``: the watermark key detected in the pictures equals the key the manifest names;
   ``check_audio_watermark``: the same for the audio watermark in the dialogue track (additional evidence:
   "not applicable" without an audio track, skipped when not decodable, failed only on a different key).
4. ``check_ledger_receipt``: the manifest's ledger receipt proves, offline, that the ledger entry it names is in the
   log under a checkpoint signed by the project's log key (``ledger.verify_receipt``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from labeler.c2pa_adapter import ManifestReport, ValidationState
from labeler.manifest import LEDGER_ASSERTION, WATERMARK_ASSERTION
from ledger import verify_receipt
from ledger.errors import ReceiptError


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    """One verification step: what was checked, the outcome, the evidence seen and (unless passed) why."""

    name: str
    status: Status
    evidence: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": str(self.status), "evidence": dict(self.evidence), "reason": self.reason}


class DetectionLike(Protocol):
    """What the watermark detector reports (``labeler.watermark.detect_video``)."""

    @property
    def key(self) -> Any: ...

    @property
    def confidence(self) -> float: ...

    @property
    def frames_used(self) -> int: ...


def watermark_key_for_leaf(leaf_hash: bytes) -> str:
    """The 64-bit watermark key (16 hex digits) that identifies a ledger entry: the first 8 bytes of its leaf hash."""
    if len(leaf_hash) != 32:
        raise ValueError("a ledger leaf hash is 32 bytes")
    return leaf_hash[:8].hex()


def key_hex(key: Any) -> str | None:
    """Normalise a detector key (int, bytes or hex string) to 16 lowercase hex digits; None stays None."""
    if key is None:
        return None
    if isinstance(key, int):
        return f"{key:016x}"
    if isinstance(key, bytes | bytearray):
        return bytes(key).hex().rjust(16, "0")
    return str(key).lower().removeprefix("0x").rjust(16, "0")


SEEN_EMBEDDED = "manifest embedded, valid"
SEEN_RECOVERED = "recovered from store (file has none)"
SEEN_TAMPERED = "tampered"


def check_manifest(report: ManifestReport | None, *, recovered: bool = False) -> Check:
    """What was seen of the manifest, said as such: ``seen`` is one of

    - "manifest embedded, valid": embedded in the file, valid and Trusted, bound to these bytes (pass);
    - "recovered from store (file has none)": the file carries no manifest; the stored copy that its watermark leads
      to validates (signature and trust). Not a pass: the file itself is unlabelled (skip, with the evidence);
    - "tampered": a manifest is embedded but the file's bytes no longer match its hard binding (fail).
    """
    if report is None:
        return Check("c2pa_manifest", Status.FAIL, {}, "no C2PA manifest in the file and none could be recovered")
    evidence: dict[str, Any] = {
        "state": str(report.state),
        "signer": report.signer_common_name,
        "issuer": report.signer_issuer,
        "manifest_sha256": report.manifest_sha256,
        "source": "recovered from watermark (stored copy)" if recovered else "embedded",
        "time_stamp": _time_stamp(report),
    }
    failures = report.codes()
    if "signingCredential.untrusted" in failures:
        return Check(
            "c2pa_manifest",
            Status.FAIL,
            evidence,
            f"signed by a certificate the project does not trust (issuer {report.signer_issuer!r}): foreign signer",
        )
    binding = {c for c in failures if c.startswith("assertion.bmffHash") or c.startswith("assertion.dataHash")}
    other = sorted(failures - binding)
    if other:
        return Check("c2pa_manifest", Status.FAIL, evidence, "manifest does not validate: " + ", ".join(other))
    if recovered:
        evidence["seen"] = SEEN_RECOVERED
        return Check(
            "c2pa_manifest",
            Status.SKIP,
            evidence,
            f"{SEEN_RECOVERED}: the stored manifest validates, but this file carries no C2PA manifest of its own",
        )
    if binding:
        evidence["seen"] = SEEN_TAMPERED
        evidence["codes"] = sorted(binding)
        return Check(
            "c2pa_manifest",
            Status.FAIL,
            evidence,
            f"{SEEN_TAMPERED}: the signature is valid but the file's bytes changed after signing",
        )
    if report.state is ValidationState.TRUSTED:
        evidence["seen"] = SEEN_EMBEDDED
        return Check("c2pa_manifest", Status.PASS, evidence)
    return Check("c2pa_manifest", Status.FAIL, evidence, f"validation state {report.state}, not Trusted")


def _time_stamp(report: ManifestReport) -> str:
    """What the validation said of the claim signature's RFC 3161 time-stamp."""
    if not report.time_stamped:
        return "none (valid only while the signing certificate is)"
    trusted = "timeStamp.trusted" in report.codes("successes")
    return f"{report.signed_at}, validated" + (
        ", TSA trusted" if trusted else ", TSA not in this workspace's trust list"
    )


def check_hard_binding(report: ManifestReport | None, *, recovered: bool = False) -> Check:
    """The hard binding of the manifest to the file's bytes (a single flipped byte breaks it)."""
    if report is None:
        return Check("hard_binding", Status.SKIP, {}, "no manifest")
    failures = sorted(c for c in report.codes() if c.startswith(("assertion.bmffHash", "assertion.dataHash")))
    if recovered:
        return Check(
            "hard_binding",
            Status.SKIP,
            {"codes": failures},
            "the manifest was stripped: this file is a re-wrap or transcode, so the hard binding of the signed "
            "original cannot apply; identity established through the watermark instead",
        )
    if failures:
        return Check("hard_binding", Status.FAIL, {"codes": failures}, "file bytes changed after signing (tampered)")
    matched = sorted(c for c in report.codes("successes") if c.startswith("assertion.bmffHash"))
    if not matched:
        return Check("hard_binding", Status.FAIL, {}, "the manifest has no BMFF hard binding that matched")
    return Check("hard_binding", Status.PASS, {"codes": matched})


def check_watermark(detection: DetectionLike | None, manifest: ManifestReport | None) -> Check:
    """The watermark key in the pictures equals the key the manifest's ``com.cutproof.watermark`` names."""
    if detection is None:
        return Check("watermark", Status.SKIP, {}, "watermark detector not available")
    found = key_hex(detection.key)
    evidence: dict[str, Any] = {
        "key": found,
        "confidence": round(float(detection.confidence), 4),
        "frames_used": int(detection.frames_used),
    }
    wm = (manifest.assertions.get(WATERMARK_ASSERTION) if manifest else None) or {}
    expected = str(wm.get("key", "")).lower() or None
    evidence["manifest_key"] = expected
    if found is None:
        return Check("watermark", Status.FAIL, evidence, "no watermark key detected in the pictures")
    if expected is None:
        return Check("watermark", Status.FAIL, evidence, "the manifest names no watermark key to compare with")
    if found != expected:
        return Check(
            "watermark", Status.FAIL, evidence, f"watermark key {found} differs from the manifest's {expected}"
        )
    return Check("watermark", Status.PASS, evidence)


def check_audio_watermark(detection: Any, manifest: ManifestReport | None) -> Check:
    """The audio watermark key (``labeler.audio_watermark.detect_audio``) against the manifest's key.

    Pass: equal keys. Fail: a *different* key (the dialogue comes from another deliverable). Skip: no audio
    track ("not applicable"), detector unavailable, or no key decoded (audio is supporting evidence; short or
    heavily processed dialogue may not decode, and a replaced dialogue track carries none).
    """
    if detection is None:
        return Check("audio_watermark", Status.SKIP, {}, "audio watermark detector not available")
    if str(getattr(detection, "status", "")) == "not_applicable":
        return Check("audio_watermark", Status.SKIP, {"status": "not_applicable"}, "not applicable: no audio track")
    found = key_hex(detection.key)
    wm = (manifest.assertions.get(WATERMARK_ASSERTION) if manifest else None) or {}
    expected = str(wm.get("key", "")).lower() or None
    declared = (wm.get("audio") or {}).get("algorithm") if isinstance(wm.get("audio"), Mapping) else None
    evidence: dict[str, Any] = {
        "key": found,
        "confidence": round(float(detection.confidence), 4),
        "seconds_used": round(float(getattr(detection, "seconds_used", 0.0)), 3),
        "algorithm": getattr(detection, "algorithm", None),
        "manifest_key": expected,
        "manifest_audio_algorithm": declared,
    }
    if found is None:
        why = (
            "the manifest records an audio watermark but none decoded (dialogue replaced, or too short or too "
            "processed to decode); the audio is supporting evidence only"
            if declared
            else "no audio watermark in the dialogue track (the manifest records none)"
        )
        return Check("audio_watermark", Status.SKIP, evidence, why)
    if expected is None:
        return Check("audio_watermark", Status.FAIL, evidence, "the manifest names no watermark key to compare with")
    if found != expected:
        return Check(
            "audio_watermark",
            Status.FAIL,
            evidence,
            f"audio watermark key {found} differs from the manifest's {expected}: the dialogue track belongs to "
            "another deliverable",
        )
    return Check("audio_watermark", Status.PASS, evidence)


def ledger_reference(manifest: ManifestReport | None) -> Mapping[str, Any] | None:
    """The manifest's ``com.cutproof.ledger`` assertion (origin, index, leafHash, checkpoint, receipt)."""
    if manifest is None:
        return None
    ref = manifest.assertions.get(LEDGER_ASSERTION)
    return ref if isinstance(ref, Mapping) else None


def check_ledger_receipt(manifest: ManifestReport | None, entry: bytes | None, vkeys: Sequence[str]) -> Check:
    """The receipt inside the manifest proves the named entry is in the log (offline, with the log's vkeys).

    Args:
        manifest: the validated manifest.
        entry: the exact bytes of the ledger entry the manifest names (None: not found in the ledger).
        vkeys: the project log's verifier keys.
    """
    ref = ledger_reference(manifest)
    if ref is None:
        return Check("ledger_receipt", Status.FAIL, {}, "the manifest carries no com.cutproof.ledger reference")
    evidence = {"origin": ref.get("origin"), "index": ref.get("index"), "leaf_hash": ref.get("leafHash")}
    receipt = ref.get("receipt")
    if not isinstance(receipt, str):
        return Check("ledger_receipt", Status.FAIL, evidence, "the manifest's ledger reference has no receipt")
    if entry is None:
        return Check("ledger_receipt", Status.FAIL, evidence, "the ledger entry the manifest names does not exist")
    try:
        verified = verify_receipt(receipt, entry, vkeys)
    except ReceiptError as exc:
        return Check("ledger_receipt", Status.FAIL, evidence, f"ledger proof fails: {exc}")
    evidence.update({"checkpoint_size": verified.size, "root_hash": verified.root_hash.hex()})
    if verified.origin != ref.get("origin") or verified.index != ref.get("index"):
        return Check(
            "ledger_receipt",
            Status.FAIL,
            evidence,
            f"receipt proves entry {verified.index} of {verified.origin}, not the one the manifest names",
        )
    if hashlib.sha256(b"\x00" + entry).hexdigest() != ref.get("leafHash"):
        return Check("ledger_receipt", Status.FAIL, evidence, "the manifest's leaf hash is not that of the entry")
    return Check("ledger_receipt", Status.PASS, evidence)
