"""The C2SP signed-note test vector against ``ledger.note``, and the independent reference verifier."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import NoteError
from ledger.note import Signer, Verifier, open_note, sign_note
from tests.ledger.reference import open_note_reference

VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
TEXT = "This is an example message.\n"
SIGNATURE = (
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
NOTE = TEXT + "\n" + SIGNATURE
# A second, unrelated key's signature line (a 4-byte key id and 64 bytes, canonical base64): verifiers must
# ignore it.
OTHER_SIG = "— other.example/bar AAECAw" + "A" * 85 + "=\n"


def test_c2sp_vector_verifies() -> None:
    verifier = Verifier.from_vkey(VKEY)
    assert verifier.vkey == VKEY
    text, good = open_note(NOTE, [verifier])
    assert text == TEXT
    assert good == [verifier]
    assert open_note_reference(NOTE, VKEY) == TEXT


def test_unknown_signatures_are_ignored() -> None:
    note = TEXT + "\n" + OTHER_SIG + SIGNATURE
    assert open_note(note, [Verifier.from_vkey(VKEY)])[0] == TEXT


def test_no_trusted_signature_is_rejected() -> None:
    with pytest.raises(NoteError):
        open_note(TEXT + "\n" + OTHER_SIG, [Verifier.from_vkey(VKEY)])


@settings(max_examples=60, deadline=None)
@given(pos=st.integers(0, len(NOTE) - 1), replacement=st.characters(codec="utf-8"))
def test_any_changed_character_is_rejected(pos: int, replacement: str) -> None:
    if NOTE[pos] == replacement:
        return
    tampered = NOTE[:pos] + replacement + NOTE[pos + 1 :]
    with pytest.raises(NoteError):
        open_note(tampered, [Verifier.from_vkey(VKEY)])
    with pytest.raises(ValueError):
        open_note_reference(tampered, VKEY)


def test_a_signature_with_its_pad_bits_set_is_rejected() -> None:
    # Found by the property above: the signature's last character 'M' (pad bits 00) read as 'N' (pad bits 01)
    # decoded to the same bytes, so the altered note verified. RFC 4648 §3.5: a decoder may reject non-zero pad bits.
    at = NOTE.rindex("QM=")
    tampered = NOTE[: at + 1] + "N" + NOTE[at + 2 :]
    with pytest.raises(NoteError, match="malformed signature line"):
        open_note(tampered, [Verifier.from_vkey(VKEY)])
    with pytest.raises(ValueError, match="non-canonical"):
        open_note_reference(tampered, VKEY)


@pytest.mark.parametrize(
    "vkey",
    [
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong key id
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong name
        "example.com/foo+530d903a+AkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # truncated key
        "example.com/foo+530d903a",
        "",
    ],
)
def test_malformed_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


def _signer_whose_vkey_has_plus() -> Signer:
    """A deterministic Ed25519 key whose base64 public key contains '+' (about half of all keys do)."""
    for seed in range(1000):
        signer = Signer("cutproof.test/plus", Ed25519PrivateKey.from_private_bytes(seed.to_bytes(32, "big")))
        if "+" in signer.verifier.vkey.split("+", 2)[2]:
            return signer
    raise AssertionError("no such key in 1000 seeds")  # pragma: no cover


def test_regression_vkey_whose_base64_contains_plus_round_trips() -> None:
    """Standard base64 uses '+': a vkey is <name>+<hex id>+<base64>, split at the first two '+' only (as Go's
    golang.org/x/mod/sumdb/note ``chop`` does). Otherwise about half of all generated log keys cannot be parsed."""
    signer = _signer_whose_vkey_has_plus()
    vkey = signer.verifier.vkey
    assert Verifier.from_vkey(vkey) == signer.verifier
    note = sign_note("cutproof.test/plus\n1\n" + "A" * 43 + "=\n", [signer])
    assert open_note_reference(note, vkey) == note.split("\n\n")[0] + "\n"
    assert open_note(note, [Verifier.from_vkey(vkey)])[0] == note.split("\n\n")[0] + "\n"
