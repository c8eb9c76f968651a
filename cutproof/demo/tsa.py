"""A real RFC 3161 time-stamp authority on loopback, for the demo and the tests: OpenSSL's ``openssl ts -reply``
behind a small HTTP handler (RFC 3161 §3.4: ``POST`` of ``application/timestamp-query``, answered with
``application/timestamp-reply``).

``LoopbackTsa`` makes its own CA and TSA certificate (``id-kp-timeStamping``, critical, as RFC 3161 §2.3 requires),
writes OpenSSL's ``[tsa]`` configuration, and serves on ``127.0.0.1`` on a free port until stopped. It is a stand-in
for a production's TSA, not a trust service: nothing but the process that started it can reach it.

    with LoopbackTsa(workdir) as tsa:
        ws = Workspace(home, tsa_url=tsa.url)
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cutproof.core.errors import CutproofError

MAX_QUERY_BYTES = 64 * 1024  # a time-stamp query is a few hundred bytes
_CONFIG = """\
[tsa]
default_tsa = loopback

[loopback]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.3161.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class TsaError(CutproofError):
    """The loopback time-stamp authority cannot start (OpenSSL missing, port unavailable)."""


class LoopbackTsa:
    """An RFC 3161 TSA on ``127.0.0.1`` answering through ``openssl ts -reply`` (see the module docstring)."""

    def __init__(self, workdir: Path | None = None, *, organisation: str = "Cutproof loopback TSA") -> None:
        self._own_dir = workdir is None
        self.dir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="cutproof-tsa-"))
        self.organisation = organisation
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0

    @property
    def url(self) -> str:
        if self._server is None:
            raise TsaError("the loopback TSA is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    @property
    def ca_pem(self) -> str:
        """The TSA's root certificate (PEM): what a verifier trusts for this TSA's tokens."""
        return (self.dir / "ca.pem").read_text()

    def start(self) -> LoopbackTsa:
        """Write the keys and configuration, then serve on a free loopback port.

        Raises:
            TsaError: OpenSSL is not installed, or no loopback port could be bound.
        """
        if shutil.which("openssl") is None:
            raise TsaError("the loopback TSA needs the `openssl` command (apt-get install openssl)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write_pki()
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if (
                    self.headers.get("Content-Type") != "application/timestamp-query"
                    or not 0 < length <= MAX_QUERY_BYTES
                ):
                    self.send_error(400, "expected an application/timestamp-query body")
                    return
                reply = tsa._reply(self.rfile.read(length))
                if reply is None:
                    self.send_error(400, "openssl ts refused the query")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                return

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        except OSError as exc:
            raise TsaError(f"cannot bind a loopback port for the TSA: {exc.strerror}") from None
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-tsa", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LoopbackTsa:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _reply(self, query: bytes) -> bytes | None:
        with tempfile.TemporaryDirectory(dir=self.dir) as tmp:
            q, r = Path(tmp) / "query.tsq", Path(tmp) / "reply.tsr"
            q.write_bytes(query)
            done = subprocess.run(
                [
                    "openssl",
                    "ts",
                    "-reply",
                    "-config",
                    str(self.dir / "openssl.cnf"),
                    "-queryfile",
                    str(q),
                    "-out",
                    str(r),
                ],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode != 0 or not r.is_file():
                return None
            self.requests += 1
            return r.read_bytes()

    def _write_pki(self) -> None:
        if (self.dir / "openssl.cnf").is_file():
            return
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{self.organisation} root CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.organisation)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        (self.dir / "ca.pem").write_bytes(ca.public_bytes(pem))
        (self.dir / "tsa.pem").write_bytes(cert.public_bytes(pem))
        key_file = self.dir / "tsa.key"
        key_file.touch(mode=0o600)
        key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (self.dir / "serial").write_text("01\n")
        (self.dir / "openssl.cnf").write_text(_CONFIG.format(dir=self.dir))


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
