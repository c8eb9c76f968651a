"""The C2PA signing identity: generated project CA, import of a production's own chain, key hygiene."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.workspace import Workspace
from labeler.errors import IdentityImportError, IdentityMissingError
from labeler.identity import (
    C2PA_CLAIM_SIGNING,
    DOCUMENT_SIGNING,
    ensure_identity,
    identity_dir,
    import_identity,
    load_identity,
)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    eku: bool = True,
    days: int = 365,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku and not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _key(k: ec.EllipticCurvePrivateKey) -> bytes:
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.fixture(scope="module")
def production_chain() -> dict[str, object]:
    """A production's own three-level chain: root → intermediate → leaf."""
    rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _cert("Studio Root", rk, "Studio Root", rk, ca=True, days=3650)
    inter = _cert("Studio Intermediate", ik, "Studio Root", rk, ca=True, days=1000)
    leaf = _cert("Studio Signer", lk, "Studio Intermediate", ik, ca=False)
    return {"root": root, "inter": inter, "leaf": leaf, "leaf_key": lk, "inter_key": ik}


def test_init_creates_project_ca_and_signer_with_private_keys_0600(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    d = identity_dir(ws.keys_dir)
    for name in ("ca.key", "signer.key"):
        assert stat.S_IMODE((d / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    ident = load_identity(ws.keys_dir)
    leaf = ident.leaf
    ca = x509.load_pem_x509_certificate(ident.trust_anchors_pem.encode())
    leaf.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    ekus = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    assert ekus == {DOCUMENT_SIGNING, C2PA_CLAIM_SIGNING}  # the C2PA 2.x claim-signing profile
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION not in ekus
    assert ident.algorithm == "es256"
    assert "PRIVATE" not in repr(ident)
    before = (d / "signer.pem").read_bytes()
    ws.init()  # idempotent: the identity is kept
    assert (d / "signer.pem").read_bytes() == before
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_missing_identity_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IdentityMissingError, match="cutproof init"):
        load_identity(tmp_path)


def test_import_three_level_chain(tmp_path: Path, production_chain: dict) -> None:
    c = production_chain
    ensure_identity(tmp_path)
    ident = import_identity(tmp_path, _pem(c["leaf"], c["inter"], c["root"]), _key(c["leaf_key"]))
    assert ident.source == "imported"
    assert len(x509.load_pem_x509_certificates(ident.chain_pem.encode())) == 2  # root moved to the anchors
    assert "Studio Root" in ident.describe()["trust_anchors"]
    assert not (identity_dir(tmp_path) / "ca.key").exists()
    assert stat.S_IMODE((identity_dir(tmp_path) / "signer.key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("wrong_key", "does not belong"),
        ("wrong_order", "signing \\(leaf\\) one must come first|out of order"),
        ("no_eku", "extended key usage"),
        ("missing_intermediate", "no trust anchor issued"),
        ("expired", "not valid now"),
        ("not_pem", "no readable PEM"),
    ],
)
def test_import_rejects_bad_chains_without_touching_the_identity(
    tmp_path: Path, production_chain: dict, case: str, match: str
) -> None:
    c = production_chain
    ensure_identity(tmp_path)
    before = (identity_dir(tmp_path) / "signer.pem").read_bytes()
    chain, key = _pem(c["leaf"], c["inter"], c["root"]), _key(c["leaf_key"])
    if case == "wrong_key":
        key = _key(c["inter_key"])
    elif case == "wrong_order":
        chain = _pem(c["inter"], c["leaf"], c["root"])
    elif case == "no_eku":
        lk = ec.generate_private_key(ec.SECP256R1())
        chain, key = (
            _pem(
                _cert("No EKU", lk, "Studio Intermediate", c["inter_key"], ca=False, eku=False), c["inter"], c["root"]
            ),
            _key(lk),
        )
    elif case == "missing_intermediate":
        chain = _pem(c["leaf"], c["root"])
    elif case == "expired":
        lk = ec.generate_private_key(ec.SECP256R1())
        old = _cert("Old", lk, "Studio Intermediate", c["inter_key"], ca=False, days=-1)
        chain, key = _pem(old, c["inter"], c["root"]), _key(lk)
    elif case == "not_pem":
        chain = b"hello"
    with pytest.raises(IdentityImportError, match=match) as info:
        import_identity(tmp_path, chain, key)
    assert "PRIVATE KEY" not in str(info.value)
    assert (identity_dir(tmp_path) / "signer.pem").read_bytes() == before


def test_cli_identity_show_and_import(tmp_path: Path, production_chain: dict) -> None:
    c = production_chain
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(app, ["--home", str(home), "init"]).exit_code == 0
    shown = runner.invoke(app, ["--home", str(home), "identity", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"source": "generated"' in shown.output
    assert "PRIVATE" not in shown.output
    (tmp_path / "chain.pem").write_bytes(_pem(c["leaf"], c["inter"], c["root"]))
    (tmp_path / "key.pem").write_bytes(_key(c["leaf_key"]))
    res = runner.invoke(
        app, ["--home", str(home), "identity", "import", str(tmp_path / "chain.pem"), str(tmp_path / "key.pem")]
    )
    assert res.exit_code == 0, res.output
    assert "Studio Signer" in res.output
    bad = runner.invoke(
        app, ["--home", str(home), "identity", "import", str(tmp_path / "chain.pem"), str(tmp_path / "chain.pem")]
    )
    assert bad.exit_code != 0
    assert isinstance(bad.exception, IdentityImportError)
