"""The one module that talks to ``c2pa-python``: sign an MP4/MOV with a manifest, read and validate one.

Everything the SDK raises is mapped into this package's errors (``labeler.errors``); nothing else in the code base
imports ``c2pa``. Validation runs with the project's trust anchors
(``{"verify": {"verify_trust": true}, "trust": {"trust_anchors": <PEM>}}``) so a manifest signed by the project's
chain reads ``Trusted``, one signed by anybody else at best ``Valid`` with ``signingCredential.untrusted``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa

from labeler._bmff import embedded_manifest_store, is_complete_bmff
from labeler._ingredients import (
    IngredientManifest,
    ParentAsset,
    ValidationState,
    claim_generator,
    parent_manifest,
    split_parent,
)
from labeler.errors import (
    C2paError,
    C2paSigningError,
    ManifestInvalidError,
    ManifestNotFoundError,
    UnreadableAssetError,
    UnsupportedFormatError,
)
from labeler.identity import SigningIdentity

FORMATS: Mapping[str, str] = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}
_NO_EMBED = {".mxf", ".mkv", ".webm", ".mpg", ".mpeg", ".ts", ".flv", ".avi", ".y4m"}
# Assertions the SDK adds itself (ingredients, thumbnails) that the claim generator attributes to itself: claim v2
# ``created_assertions`` (C2PA 2.2 §10.3.2). Our own assertions carry ``"created": true`` in the definition. Labels
# are matched as written, so both the family and the versioned label are listed.
CREATED_ASSERTION_LABELS = (
    "c2pa.actions",
    "c2pa.actions.v2",
    "c2pa.ingredient",
    "c2pa.ingredient.v2",
    "c2pa.ingredient.v3",
    "c2pa.soft-binding",
    "c2pa.thumbnail.claim",
    "c2pa.thumbnail.ingredient",
)
# Extended key usages a claim signer's certificate may carry (C2PA 2.x §14.5.1; the SDK's ``trust_config``): the
# profile's documentSigning and c2pa-kp-claimSigning (what ``ensure_identity`` issues), emailProtection for
# imported certificates issued under the 1.x profile. Readers and the post-sign check use the same list.
TRUST_CONFIG = "\n".join(
    (
        "// id-kp-documentSigning (RFC 9336)",
        "1.3.6.1.5.5.7.3.36",
        "// c2pa-kp-claimSigning",
        "1.3.6.1.4.1.62558.2.1",
        "// id-kp-emailProtection (1.x profile)",
        "1.3.6.1.5.5.7.3.4",
        "",
    )
)
_ALGS = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}


@dataclass(frozen=True)
class StatusCode:
    """One validation status entry (e.g. ``assertion.bmffHash.mismatch``) with the SDK's explanation."""

    code: str
    explanation: str = ""
    url: str = ""


@dataclass(frozen=True)
class SignedAsset:
    """A signed deliverable: where it is and the exact manifest store bytes embedded in it."""

    path: Path
    manifest_store: bytes = field(repr=False)

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_store).hexdigest()


@dataclass(frozen=True)
class ManifestReport:
    """The validated active manifest of an asset.

    Attributes:
        state: Trusted / Valid / Invalid.
        failures, successes, informational: validation status codes of the active manifest.
        label: the active manifest's URN label.
        assertions: assertion label → data (``c2pa.actions.v2``, ``com.cutproof.ledger``, ...).
        ingredients: the active manifest's ingredients as the SDK reports them.
        signer_issuer / signer_common_name: from the signature info.
        manifest_sha256: SHA-256 of the manifest store as embedded (or as handed in), None if unknown.
        embedded: whether the manifest was read from the file itself (False: from a stored copy).
        signed_at: the signing time the signature's RFC 3161 time-stamp attests (None: not time-stamped).
    """

    state: ValidationState
    failures: tuple[StatusCode, ...]
    successes: tuple[StatusCode, ...]
    informational: tuple[StatusCode, ...]
    label: str
    assertions: Mapping[str, Any]
    ingredients: tuple[Mapping[str, Any], ...]
    signer_issuer: str
    signer_common_name: str
    manifest_sha256: str | None
    embedded: bool
    signed_at: str | None = None
    claim_generator: str | None = None
    parent: IngredientManifest | None = None
    """The manifest the ``parentOf`` ingredient carries (a camera-signed source), as validated now."""

    @property
    def time_stamped(self) -> bool:
        """Whether the claim signature carries a validated RFC 3161 time-stamp."""
        return self.signed_at is not None and "timeStamp.validated" in self.codes("successes")

    def codes(self, kind: str = "failures") -> set[str]:
        return {s.code for s in getattr(self, kind)}

    @property
    def actions(self) -> list[dict[str, Any]]:
        data = self.assertions.get("c2pa.actions.v2") or self.assertions.get("c2pa.actions") or {}
        return list(data.get("actions", []))


def media_type(path: Path) -> str:
    """The MIME type C2PA uses for an output path.

    Raises:
        UnsupportedFormatError: the container cannot carry an embedded manifest (MXF and others).
    """
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    hint = " (MXF has no C2PA embedding)" if suffix == ".mxf" else ""
    raise UnsupportedFormatError(
        f"cannot embed a C2PA manifest in {Path(path).name}{hint}: deliver an MP4 or MOV, "
        "or ship the manifest as a sidecar .c2pa file next to the master"
    )


def sign_video(
    source: Path,
    dest: Path,
    definition: Mapping[str, Any],
    identity: SigningIdentity,
    *,
    tsa_url: str | None = None,
    parent: ParentAsset | None = None,
) -> SignedAsset:
    """Sign ``source`` with the manifest ``definition`` and write the result to ``dest`` (atomically).

    With ``parent`` the definition's ``parentOf`` ingredient is added from the parent's file instead of as plain
    JSON: the SDK validates the parent's embedded manifest (signature, hard binding, and trust under
    ``parent.trust_anchors_pem``), records the result in the ingredient (``validation_results``), references that
    manifest as the ingredient's ``active_manifest`` and carries it, unaltered, in the new manifest store. A parent
    whose manifest fails validation is carried all the same, with its failures recorded, so readers see it failed.

    With ``tsa_url`` the claim signature is time-stamped by that RFC 3161 time-stamp authority (the token goes into
    the COSE signature's unprotected header), so the manifest still validates after the signing certificate expires.

    The signed file is written to a temporary file beside ``dest`` and renamed over it only on success; on any
    failure nothing is left at ``dest``.

    Raises:
        UnsupportedFormatError: ``dest``/``source`` is not MP4/MOV.
        UnreadableAssetError: ``source`` (or ``parent.path``) is not a complete MP4/MOV file.
        C2paSigningError: the SDK refused the definition, the chain or the parent, or writing failed.
    """
    source, dest = Path(source), Path(dest)
    fmt = media_type(dest)
    if media_type(source) != fmt:
        raise UnsupportedFormatError(f"{source.name} and {dest.name} must be the same container (MP4 or MOV)")
    _require_whole(source)
    settings: dict[str, Any] = {
        "builder": {"created_assertion_labels": list(CREATED_ASSERTION_LABELS)},
        "trust": {"trust_config": TRUST_CONFIG},
    }
    definition, parent_json = split_parent(definition, parent)
    if parent is not None:
        _require_whole(parent.path)
        settings["verify"] = {"verify_trust": parent.trust_anchors_pem is not None}
        if parent.trust_anchors_pem is not None:
            settings["trust"]["trust_anchors"] = identity.trust_anchors_pem + parent.trust_anchors_pem
    try:
        signer = c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(
                _ALGS[identity.algorithm], identity.chain_pem.encode(), identity.key_pem.encode(), tsa_url or None
            )
        )
    except (c2pa.C2paError, ValueError, TypeError) as exc:
        raise C2paSigningError(
            f"the signing identity was rejected by the C2PA library ({_kind(exc)}); check `cutproof identity show`"
        ) from None
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    ctx = c2pa.Context.from_dict(settings)
    try:
        with os.fdopen(fd, "w+b") as out, open(source, "rb") as src:
            builder = c2pa.Builder(json.dumps(definition), context=ctx)
            if parent is not None and parent_json is not None:
                with open(parent.path, "rb") as parent_stream:
                    builder.add_ingredient(json.dumps(parent_json), media_type(parent.path), parent_stream)
            store = builder.sign(signer, fmt, src, out)
            out.flush()
            os.fsync(out.fileno())
        embedded = embedded_manifest_store(tmp)
        if embedded is not None and embedded != bytes(store):
            raise C2paSigningError("the manifest embedded in the output differs from the one signed; not delivered")
        os.replace(tmp, dest)
    except c2pa.C2paError as exc:
        tmp.unlink(missing_ok=True)
        hint = f" (time-stamp authority {tsa_url})" if tsa_url and "time" in _message(exc).lower() else ""
        raise C2paSigningError(f"C2PA signing of {source.name} failed{hint}: {_message(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        signer.close()
        ctx.close()
    return SignedAsset(path=dest, manifest_store=bytes(store))


def read_manifest(path: Path, trust_anchors_pem: str | None, manifest_store: bytes | None = None) -> ManifestReport:
    """Read and validate the active manifest of ``path`` under the given trust anchors.

    Args:
        path: an MP4/MOV file.
        trust_anchors_pem: PEM root certificate(s) to trust; None validates without any trust list.
        manifest_store: a stored manifest store to validate against the file instead of an embedded one
            (the watermark fallback when metadata was stripped).

    Raises:
        UnreadableAssetError: the file is not a complete MP4/MOV (truncated, not a media file).
        UnsupportedFormatError: the container cannot carry a manifest.
        ManifestNotFoundError: no manifest is embedded (and none was handed in).
        ManifestInvalidError: a manifest is present but cannot be parsed.
    """
    path = Path(path)
    fmt = media_type(path)
    _require_whole(path)
    store = manifest_store if manifest_store is not None else embedded_manifest_store(path)
    with open(path, "rb") as fh:
        return _read(fmt, fh, manifest_store, trust_anchors_pem, path.name, store, embedded=manifest_store is None)


def read_manifest_store(manifest_store: bytes, trust_anchors_pem: str | None) -> ManifestReport:
    """Validate a stored manifest store on its own (signature, trust, assertions; no asset to bind to).

    Used when the deliverable was transcoded into a container without C2PA support: its hard binding necessarily
    reports a mismatch, everything else is checked as usual.

    Raises:
        ManifestInvalidError: the bytes are not a C2PA manifest store.
    """
    return _read(
        "application/c2pa",
        io.BytesIO(manifest_store),
        None,
        trust_anchors_pem,
        "stored manifest",
        manifest_store,
        embedded=False,
    )


def _read(
    fmt: str,
    stream: Any,
    manifest_data: bytes | None,
    trust_anchors_pem: str | None,
    name: str,
    store: bytes | None,
    *,
    embedded: bool,
) -> ManifestReport:
    settings: dict[str, Any] = {
        "verify": {"verify_trust": trust_anchors_pem is not None},
        "trust": {"trust_config": TRUST_CONFIG},
    }
    if trust_anchors_pem is not None:
        settings["trust"]["trust_anchors"] = trust_anchors_pem
    try:
        ctx = c2pa.Context.from_dict(settings)
    except c2pa.C2paError as exc:
        raise C2paError(f"the trust anchors were rejected by the C2PA library: {_message(exc)}") from None
    try:
        reader = c2pa.Reader(fmt, stream, manifest_data, context=ctx)
        try:
            state = reader.get_validation_state() or "Invalid"
            results = reader.get_validation_results() or {}
            manifest = reader.get_active_manifest()
            parent = parent_manifest(manifest, results, reader.get_manifest) if manifest is not None else None
        finally:
            reader.close()
    except c2pa.C2paError as exc:
        if isinstance(exc, c2pa.C2paError.ManifestNotFound) or "ManifestNotFound" in _message(exc):
            raise ManifestNotFoundError(f"{name} carries no C2PA manifest") from None
        raise ManifestInvalidError(f"the C2PA manifest of {name} cannot be read: {_message(exc)}") from None
    finally:
        ctx.close()
    if manifest is None:
        raise ManifestNotFoundError(f"{name} carries no active C2PA manifest")
    active = results.get("activeManifest", {}) if isinstance(results, dict) else {}
    sig = manifest.get("signature_info", {}) or {}
    return ManifestReport(
        state=ValidationState(state) if state in ValidationState._value2member_map_ else ValidationState.INVALID,
        failures=_codes(active.get("failure")),
        successes=_codes(active.get("success")),
        informational=_codes(active.get("informational")),
        label=str(manifest.get("label", "")),
        assertions={a["label"]: a.get("data") for a in manifest.get("assertions", []) if "label" in a},
        ingredients=tuple(manifest.get("ingredients", [])),
        signer_issuer=str(sig.get("issuer", "")),
        signer_common_name=str(sig.get("common_name", "")),
        manifest_sha256=hashlib.sha256(store).hexdigest() if store is not None else None,
        embedded=embedded,
        signed_at=str(sig["time"]) if sig.get("time") else None,
        claim_generator=claim_generator(manifest),
        parent=parent,
    )


def _require_whole(path: Path) -> None:
    if not path.is_file():
        raise UnreadableAssetError(f"{path} does not exist or is not a file")
    try:
        whole = is_complete_bmff(path)
    except OSError as exc:
        raise UnreadableAssetError(f"cannot read {path.name}: {exc.strerror}") from None
    if not whole:
        raise UnreadableAssetError(
            f"{path.name} is not a complete MP4/MOV file (truncated, or not a video container); "
            "re-export or re-copy the deliverable"
        )


def _codes(items: Any) -> tuple[StatusCode, ...]:
    return tuple(
        StatusCode(str(i.get("code", "")), str(i.get("explanation", "")), str(i.get("url", "")))
        for i in items or []
        if isinstance(i, dict)
    )


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc).strip() or type(exc).__name__


def _kind(exc: BaseException) -> str:
    return type(exc).__name__.lstrip("_")
