"""Issue 14's C2PA points, checked on a workspace's deliverables with an independent C2PA implementation.

Cutproof signs and QCs with c2pa-python (c2pa-rs); this reads every deliverable with ``@trustnxt/c2pa-ts`` (pure
TypeScript, its own JUMBF/CBOR/COSE/BMFF-hash code) through ``tools/c2pa-independent/read.mjs``, with the certificate
chain checked by PKI.js against the workspace's project CA (``keys/c2pa/ca.pem``) and the time-stamp token's signer
against the workspace's trusted TSA roots (``keys/c2pa/tsa-anchors.pem``). For each deliverable it prints one JSON
line: every point of issue 14 as ``pass`` / ``fail`` (with what was seen), and what our own reader (c2pa-python) said
of the same file; then one line for a tampered copy (one byte flipped inside ``mdat``), and a summary line.

Points (the expectation comes from the file and the workspace, never from the manifest under test):

1. ``validation``: the reader's validation passes (claim signature, hashed URIs, BMFF hash) and the chain is trusted
   with the project CA as anchor → ``Trusted``.
2. ``created_assertions``: actions, ingredients, ``c2pa.soft-binding`` and ``com.cutproof.*`` are created assertions,
   none gathered.
3. ``watermark_declared``: one ``c2pa.watermarked`` action per mark (the pictures, plus the dialogue track when the
   file has an audio stream) and as many ``c2pa.soft-binding`` assertions, each with an ``alg`` and a key block.
4. ``digital_source_type``: each edit action's type is an IPTC term; a ``trained`` type only with a named model
   (``com.cutproof.model`` with an id and a non-zero training-manifest hash, an ``inputTo`` ingredient), and a
   model named only with a ``trained`` type.
5. ``no_placeholders``: no string in any assertion is ``none``/``unknown``/``null``/``n/a`` or empty where it is an
   id, and no 64-zero hex.
6. ``dc_format``: the ``parentOf`` ingredient's format is the source file's container (sniffed from its magic bytes;
   the source found in the workspace by its SHA-256), and the claim's format (when the claim has one) the
   deliverable's.
7. ``region``: a spatial region only when smaller than the frame.
8. ``private_titles``: no ingredient title or other string carries a camera file name.
9. ``signer_profile``: the signer's EKUs follow C2PA 2.x (documentSigning / c2pa claim signing; not anyEKU),
   key usage digitalSignature (critical), not a CA.
10. ``time_stamp``: when the workspace trusts a TSA, the claim signature carries an RFC 3161 token the reader
    validated and whose signer chains to that TSA root.

Usage: ``PYTHONPATH=. python bench/independent_c2pa.py [--home demo-output]``. Needs ``node`` and
``npm ci`` in ``tools/c2pa-independent`` (done here when ``node_modules`` is missing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from labeler.c2pa_adapter import read_manifest  # noqa: E402
from labeler.errors import LabelerError  # noqa: E402
from labeler.identity import load_identity  # noqa: E402
from labeler.timestamps import tsa_anchors  # noqa: E402

TOOL = REPO / "tools" / "c2pa-independent"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
IPTC_TERMS = frozenset(
    [
        "digitalCapture",
        "computationalCapture",
        "negativeFilm",
        "positiveFilm",
        "print",
        "humanEdits",
        "minorHumanEdits",
        "compositeCapture",
        "algorithmicallyEnhanced",
        "dataDrivenMedia",
        "digitalArt",
        "virtualRecording",
        "compositeSynthetic",
        "trainedAlgorithmicMedia",
        "compositeWithTrainedAlgorithmicMedia",
        "algorithmicMedia",
        "screenCapture",
        "composite",
    ]
)
SIGNER_EKUS = {"1.3.6.1.5.5.7.3.36", "1.3.6.1.4.1.62558.2.1"}  # documentSigning (RFC 9336), c2pa-kp-claimSigning
ANY_EKU = "2.5.29.37.0"
PLACEHOLDERS = frozenset({"none", "unknown", "null", "n/a", "tbd", "placeholder", "undefined"})
ZERO_HEX = re.compile(r"(?<![0-9a-f])0{64}(?![0-9a-f])")
ID_KEY = re.compile(r"(?i)(^|[/.])(instanceid|documentid|modelid|id|key|leafhash|origin)$")
NOT_EDITS = {"c2pa.opened", "c2pa.watermarked", "c2pa.created"}


class ToolError(RuntimeError):
    """The independent reader cannot run (no Node.js, its packages cannot be installed, it failed)."""


def ensure_tool() -> None:
    """Install the tool's pinned packages when missing: ``npm ci`` (offline first), else ``npm install --no-save``.

    Raises:
        ToolError: npm is missing or every install failed.
    """
    if (TOOL / "node_modules" / "@trustnxt" / "c2pa-ts").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ToolError("npm not found: install Node.js 20+ to run the independent C2PA reader")
    # `npm ci` refuses a lock file that lacks cbor-x's optional native helpers (@cbor-extract/*, absent from some
    # registry mirrors; cbor-x falls back to JavaScript without them): then `npm install --no-save`, which installs
    # the lock file's exact versions and leaves it unchanged.
    for cmd in (["ci", "--offline"], ["ci"], ["install", "--no-save"]):
        done = subprocess.run([npm, *cmd, "--no-audit", "--no-fund"], cwd=TOOL, capture_output=True, text=True)
        if done.returncode == 0:
            return
    raise ToolError(f"npm ci failed in {TOOL}:\n{done.stderr[-2000:]}")


def read_independent(path: Path, anchors: Path, tsa: Path | None) -> dict[str, Any]:
    """What ``@trustnxt/c2pa-ts`` reads in ``path`` (the tool's JSON object)."""
    cmd = ["node", str(TOOL / "read.mjs"), str(path), "--anchors", str(anchors)]
    if tsa is not None:
        cmd += ["--tsa-anchors", str(tsa)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode not in (0, 3):
        raise ToolError(f"read.mjs failed on {path.name} ({done.returncode}): {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def sniff_mime(path: Path) -> str | None:
    """The container's MIME type from its first bytes (no decoder involved)."""
    head = path.read_bytes()[:64] if path.stat().st_size < 64 else path.open("rb").read(64)
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video/quicktime"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    if head[:3] == b"FLV":
        return "video/x-flv"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def camera_files(home: Path) -> dict[str, Path]:
    """SHA-256 → camera file, for the files under the workspace's camera cards and dailies."""
    found: dict[str, Path] = {}
    for folder in (home / "camera-cards", home / "dailies"):
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    found.setdefault(_sha256(f), f)
    return found


def frame_and_audio(path: Path) -> tuple[tuple[int, int] | None, bool]:
    import av  # heavy: only here

    with av.open(str(path)) as c:
        v = c.streams.video[0] if c.streams.video else None
        return ((v.codec_context.width, v.codec_context.height) if v else None), bool(c.streams.audio)


def _data(report: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [a["data"] for a in report.get("assertions", []) if a["label"].startswith(prefix)]


def points(report: dict[str, Any], deliverable: Path, home: Path, cameras: dict[str, Path]) -> dict[str, dict]:
    """Issue 14's points for one deliverable as ``{"point": {"ok": bool, "seen": ...}}``."""
    out: dict[str, dict[str, Any]] = {}
    anchor = report.get("trust", {}).get("anchor")
    out["validation"] = {
        "ok": report.get("result") == "Trusted" and report["validation"]["valid"],
        "seen": {"result": report.get("result"), "anchor": anchor, "codes": report["validation"]["codes"]},
    }
    ours = ("c2pa.actions", "c2pa.ingredient", "c2pa.soft-binding", "com.cutproof.")
    kinds = {a["label"]: a["kind"] for a in report["assertions"]}
    not_created = {label: k for label, k in kinds.items() if label.startswith(ours) and k != "created"}
    claim = report["active_manifest"]
    out["created_assertions"] = {
        "ok": not not_created and not claim["gathered_assertions"] and claim["claim_version"] == 2,
        "seen": {"claim_version": claim["claim_version"], "gathered": claim["gathered_assertions"], **not_created},
    }
    size, has_audio = frame_and_audio(deliverable)
    marks = 1 + int(has_audio)
    bindings = [d for d in _data(report, "c2pa.soft-binding")]
    good_bindings = [b for b in bindings if b.get("alg") and any(blk.get("value") for blk in b.get("blocks", []))]
    wm = report["watermarked_actions"]
    out["watermark_declared"] = {
        "ok": len(wm) == marks and len(good_bindings) == marks == len(bindings),
        "seen": {"marks_expected": marks, "watermarked_actions": len(wm), "soft_bindings": len(bindings)},
    }
    models = _data(report, "com.cutproof.model")
    inputs = [i for i in report["ingredients"] if i["relationship"] == "inputTo"]
    dst_seen, dst_ok = [], True
    for act in report["actions"]:
        if act["action"] in NOT_EDITS:
            continue
        dst = act["digitalSourceType"] or ""
        term = dst.removeprefix(IPTC)
        trained = "trained" in term.casefold()
        named = bool(models) and bool(act["parameters"].get("com.cutproof.modelId"))
        ok = dst.startswith(IPTC) and term in IPTC_TERMS and trained == named == bool(inputs)
        ok = ok and act["parameters"].get("com.cutproof.trainedModel") is trained
        dst_seen.append({"action": act["action"], "digitalSourceType": term, "model": named, "inputTo": len(inputs)})
        dst_ok = dst_ok and ok
    for m in models:
        dst_ok = dst_ok and bool(str(m.get("modelId", "")).strip()) and not ZERO_HEX.search(m["trainingManifestSha256"])
    out["digital_source_type"] = {"ok": dst_ok and bool(dst_seen), "seen": dst_seen}
    bad = []
    strings = [(s["path"], s["value"]) for s in report["strings"]]
    for path, value in strings:
        v = value.strip()
        if v.casefold() in PLACEHOLDERS or ZERO_HEX.search(v.casefold()) or (not v and ID_KEY.search(path)):
            bad.append(path)
    for ing in report["ingredients"]:
        if not (ing["instanceID"] or "").strip():
            bad.append(f"{ing['label']}/instanceID (empty)")
    out["no_placeholders"] = {"ok": bool(strings) and not bad, "seen": {"strings_read": len(strings), "bad": bad}}
    fmt_seen: dict[str, Any] = {}
    for ing in report["ingredients"]:
        if ing["relationship"] == "parentOf":
            sha = (ing["instanceID"] or "").rsplit(":", 1)[-1]
            source = cameras.get(sha)
            expected = sniff_mime(source) if source else None
            fmt_seen["parentOf"] = {"format": ing["format"], "source_container": expected, "found": bool(source)}
    if claim.get("format"):
        fmt_seen["claim"] = {"format": claim["format"], "container": sniff_mime(deliverable)}
    out["dc_format"] = {
        "ok": bool(fmt_seen.get("parentOf", {}).get("found"))
        and all(v["format"] == v.get("source_container", v.get("container")) for v in fmt_seen.values()),
        "seen": fmt_seen,
    }
    regions = []
    for actions in _data(report, "c2pa.actions"):
        for act in actions.get("actions", []):
            for change in act.get("changes", []):
                for r in change.get("region", []):
                    if r.get("type") == "spatial":
                        s = r["shape"]
                        regions.append((s["origin"]["x"], s["origin"]["y"], s["width"], s["height"]))
    full = [r for r in regions if size and r[0] <= 0 and r[1] <= 0 and r[2] >= size[0] and r[3] >= size[1]]
    out["region"] = {"ok": size is not None and not full, "seen": {"frame": size, "spatial": regions}}
    names = {n.casefold() for f in cameras.values() for n in (f.name, f.stem) if len(f.stem) >= 4}
    leaks = [p for p, v in strings if any(n in v.casefold() for n in names)]
    titles = [i["title"] for i in report["ingredients"]]
    out["private_titles"] = {"ok": not leaks, "seen": {"titles": titles, "leaks": leaks}}
    signer = report["signer"]
    ekus = set(signer["ekus"])
    out["signer_profile"] = {
        "ok": bool(ekus & SIGNER_EKUS)
        and ANY_EKU not in ekus
        and "1.3.6.1.5.5.7.3.4" not in ekus
        and bool(signer["key_usage_critical"])
        and not signer["ca"],
        "seen": {"ekus": sorted(ekus), "key_usage": signer["key_usage"], "ca": signer["ca"]},
    }
    ts = report["time_stamp"]
    tsa_expected = bool(tsa_anchors(home / "keys").strip())
    ts_ok = ts["present"] and ts.get("validated_by_reader") and ts["tsa_trust"]["trusted"]
    out["time_stamp"] = {
        "ok": bool(ts_ok) if tsa_expected else True,
        "seen": {
            "tsa_configured": tsa_expected,
            **{k: ts.get(k) for k in ("present", "header", "gen_time", "validated_by_reader")},
            "tsa_trusted": ts.get("tsa_trust", {}).get("trusted"),
        },
    }
    return out


def tampered_copy(src: Path, dest: Path) -> int:
    """Copy ``src`` to ``dest`` with one byte in the middle of the first ``mdat`` payload flipped; its offset."""
    data = bytearray(src.read_bytes())
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind, header = bytes(data[pos + 4 : pos + 8]), 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = len(data) - pos
        if kind == b"mdat" and size > header:
            at = pos + header + (size - header) // 2
            data[at] ^= 0x01
            dest.write_bytes(data)
            return at
        pos += size
    raise ValueError(f"{src.name} has no mdat box")


def ours(path: Path, anchors_pem: str) -> dict[str, Any]:
    try:
        r = read_manifest(path, anchors_pem)
    except LabelerError as e:
        return {"result": "Invalid", "error": type(e).__name__}
    return {"result": str(r.state.value), "failures": sorted(r.codes("failures")), "time_stamped": r.time_stamped}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=Path("demo-output"), help="workspace whose deliverables to read")
    args = ap.parse_args()
    home = args.home.resolve()
    deliverables = sorted(p for p in (home / "deliverables").rglob("*") if p.suffix.lower() in (".mp4", ".mov"))
    if not deliverables:
        raise SystemExit(f"no MP4/MOV deliverables under {home / 'deliverables'}: run `cutproof demo --home {home}`")
    try:
        ensure_tool()
    except ToolError as e:
        raise SystemExit(str(e)) from None
    identity = load_identity(home / "keys")
    cameras = camera_files(home)
    failed_points, files = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        anchors = Path(tmp) / "ca.pem"
        anchors.write_text(identity.trust_anchors_pem)
        tsa_pem = tsa_anchors(home / "keys")
        tsa = Path(tmp) / "tsa.pem" if tsa_pem.strip() else None
        if tsa is not None:
            tsa.write_text(tsa_pem)
        for path in deliverables:
            report = read_independent(path, anchors, tsa)
            checks = points(report, path, home, cameras) if report.get("manifest_present") else {}
            if not checks:
                checks = {"manifest": {"ok": False, "seen": report.get("error", "no manifest")}}
            failed_points += sum(not c["ok"] for c in checks.values())
            files += 1
            line = {
                "metric": "independent_c2pa",
                "file": str(path.relative_to(home)),
                "reader": report["reader"],
                "points": {k: "pass" if c["ok"] else "fail" for k, c in checks.items()},
                "seen": {k: c["seen"] for k, c in checks.items()},
                "assertion_labels": report.get("assertion_labels"),
                "actions": report.get("actions"),
                "ingredients": report.get("ingredients"),
                "claim_generator": report.get("active_manifest", {}).get("claim_generator"),
                "ours": ours(path, identity.trust_anchors_pem),
            }
            line["agree"] = line["ours"]["result"] == report.get("result")
            failed_points += not line["agree"]
            print(json.dumps(line), flush=True)
            bad = Path(tmp) / f"tampered-{path.name}"
            at = tampered_copy(path, bad)
            t = read_independent(bad, anchors, tsa)
            caught = t.get("result") == "Invalid"
            failed_points += not caught
            t_ours = ours(bad, identity.trust_anchors_pem)
            print(
                json.dumps(
                    {
                        "metric": "independent_c2pa_tampered",
                        "file": str(path.relative_to(home)),
                        "flipped_byte_at": at,
                        "points": {"tamper_detected": "pass" if caught else "fail"},
                        "result": t.get("result"),
                        "failures": sorted({f["code"] for f in t.get("validation", {}).get("failures", [])}),
                        "ours": t_ours,
                        "agree": t_ours["result"] == t.get("result"),
                    }
                ),
                flush=True,
            )
    print(json.dumps({"metric": "independent_c2pa_summary", "files": files, "failed_points": failed_points}))
    return 1 if failed_points else 0


if __name__ == "__main__":
    sys.exit(main())
