"""RFC 3161 time-stamps on claim signatures, from a real TSA on loopback (``openssl ts -reply``), checked by c2pa-rs
and independently (``rfc3161-client`` over the bytes read by the test suite's own reader); a time-stamped
deliverable still validates after its signing certificate expired, one without a time-stamp does not."""

from __future__ import annotations

import datetime as dt
import time
from fractions import Fraction
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rfc3161_client import VerificationError

from cutproof.demo.tsa import LoopbackTsa
from labeler import EditAction, EditLabel, IngredientRef, LedgerRef, TimeRange, ensure_identity, sign_video
from labeler.c2pa_adapter import read_manifest
from labeler.errors import C2paSigningError
from labeler.identity import SIGNER_EKUS, SigningIdentity
from labeler.manifest import build_definition
from labeler.timestamps import trust_tsa, tsa_anchors, verification_anchors
from tests._support.c2pa_reader import read_store
from tests._support.timestamps import verify_claim_time_stamp
from tests._support.video import make_clip


def _label() -> EditLabel:
    return EditLabel(
        title="12A_relight.mp4",
        source=IngredientRef("12/12A take 3", "video/mp4", "1" * 64),
        action=EditAction.EDITED,
        operation="relight",
        time_range=TimeRange(Fraction(0), Fraction(1)),
        region=None,
        model_id=None,
        training_manifest_sha256=None,
        ledger=LedgerRef("cutproof.local/film", 3, "3" * 64, "cutproof.local/film\n4\nAAAA\n\n— key sig\n"),
    )


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("ts") / "render.mp4", seconds=1, size=(160, 96))


def test_claim_signature_is_time_stamped_and_the_token_verifies_independently(
    clip: Path, loopback_tsa: LoopbackTsa, tmp_path: Path
) -> None:
    identity = ensure_identity(tmp_path / "keys")[0]
    before = loopback_tsa.requests
    signed = sign_video(clip, tmp_path / "out.mp4", build_definition(_label()), identity, tsa_url=loopback_tsa.url)
    assert loopback_tsa.requests == before + 1
    (manifest,) = read_store(signed.manifest_store)
    when = verify_claim_time_stamp(manifest, loopback_tsa.ca_pem)
    assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 120
    other = LoopbackTsa(tmp_path / "other-tsa").start()
    try:
        with pytest.raises(VerificationError):  # another TSA's root does not vouch for this token
            verify_claim_time_stamp(manifest, other.ca_pem)
    finally:
        other.stop()
    untrusted = read_manifest(signed.path, identity.trust_anchors_pem)
    assert untrusted.time_stamped and "timeStamp.untrusted" in untrusted.codes("informational")
    trust_tsa(tmp_path / "keys", loopback_tsa.ca_pem)
    trust_tsa(tmp_path / "keys", loopback_tsa.ca_pem)  # idempotent
    assert tsa_anchors(tmp_path / "keys").count("BEGIN CERTIFICATE") == 1
    report = read_manifest(signed.path, verification_anchors(identity, tmp_path / "keys"))
    assert report.state.value == "Trusted" and "timeStamp.trusted" in report.codes("successes")


def test_an_unreachable_tsa_fails_the_signing_and_leaves_nothing(clip: Path, tmp_path: Path) -> None:
    identity = ensure_identity(tmp_path / "keys")[0]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(C2paSigningError):
        sign_video(clip, out / "x.mp4", build_definition(_label()), identity, tsa_url="http://127.0.0.1:9/tsa")
    assert list(out.iterdir()) == []


def _short_lived(base: SigningIdentity, ca_key_pem: bytes, seconds: int) -> SigningIdentity:
    """A signer certificate from the same CA that expires ``seconds`` from now."""
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    ca = x509.load_pem_x509_certificate(base.trust_anchors_pem.encode())
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "short-lived C2PA signer")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(seconds=seconds))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(SIGNER_EKUS)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False)  # type: ignore[arg-type]
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return SigningIdentity(
        chain_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        trust_anchors_pem=base.trust_anchors_pem,
        algorithm="es256",
        source="generated",
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    )


def test_a_time_stamped_deliverable_still_validates_after_its_certificate_expired(
    clip: Path, loopback_tsa: LoopbackTsa, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    base = ensure_identity(keys)[0]
    short = _short_lived(base, (keys / "c2pa" / "ca.key").read_bytes(), seconds=6)
    stamped = sign_video(clip, tmp_path / "stamped.mp4", build_definition(_label()), short, tsa_url=loopback_tsa.url)
    bare = sign_video(clip, tmp_path / "bare.mp4", build_definition(_label()), short)
    expiry = short.leaf.not_valid_after_utc
    time.sleep(max(0.0, (expiry - dt.datetime.now(dt.UTC)).total_seconds()) + 1.5)
    assert dt.datetime.now(dt.UTC) > expiry
    trust_tsa(keys, loopback_tsa.ca_pem)
    anchors = verification_anchors(base, keys)
    after = read_manifest(stamped.path, anchors)
    assert after.state.value == "Trusted" and not after.failures, after.codes()
    assert "timeStamp.trusted" in after.codes("successes")
    expired = read_manifest(bare.path, anchors)
    assert expired.state.value != "Trusted"
    assert any("expired" in c or "outsideValidity" in c for c in expired.codes()), expired.codes()
