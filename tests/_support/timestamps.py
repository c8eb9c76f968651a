"""Checking a claim signature's RFC 3161 time-stamp independently of c2pa-rs: the token is taken from the COSE
signature's ``sigTst2`` header with the test suite's own JUMBF/CBOR reader and verified with ``rfc3161-client``
(signature, TSA certificate chain to the given root, and the message imprint).

What the token covers (C2PA 2.x "v2" time-stamps, as c2pa-rs writes them): the COSE ``Sig_structure`` (RFC 9052
§4.4) with context ``CounterSignature``, the signature's protected header, empty external AAD, and as payload the
CBOR byte string of the claim signature.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

from tests._support.c2pa_reader import IndependentManifest


def _bstr(b: bytes) -> bytes:
    n = len(b)
    if n < 24:
        head = bytes([0x40 | n])
    elif n < 256:
        head = bytes([0x58, n])
    elif n < 65536:
        head = b"\x59" + n.to_bytes(2, "big")
    else:
        head = b"\x5a" + n.to_bytes(4, "big")
    return head + b


def _der_len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def countersigned_bytes(manifest: IndependentManifest) -> bytes:
    """The bytes a v2 time-stamp's message imprint covers."""
    sign1 = manifest.signature[2] if isinstance(manifest.signature, tuple) else manifest.signature
    context = b"CounterSignature"
    return b"\x84" + bytes([0x60 | len(context)]) + context + _bstr(sign1[0]) + b"\x40" + _bstr(_bstr(sign1[3]))


def verify_claim_time_stamp(manifest: IndependentManifest, tsa_root_pem: str) -> dt.datetime:
    """The signing time the manifest's time-stamp attests, after verifying the token against ``tsa_root_pem``.

    Raises:
        KeyError: the signature carries no ``sigTst2`` time-stamp.
        rfc3161_client.VerificationError: the token does not verify (wrong TSA, wrong message, altered).
    """
    token = manifest.unprotected_header()["sigTst2"]["tstTokens"][0]["val"]
    body = bytes.fromhex("3003020100") + token  # TimeStampResp { status granted, the token }
    response = decode_timestamp_response(b"\x30" + _der_len(len(body)) + body)
    root = x509.load_pem_x509_certificate(tsa_root_pem.encode())
    verifier = VerifierBuilder().add_root_certificate(root).build()
    if verifier.verify_message(response, countersigned_bytes(manifest)) is not True:
        raise VerificationError("the time-stamp token does not verify")
    return response.tst_info.gen_time
