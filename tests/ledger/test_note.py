"""C2SP signed notes and checkpoints."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.checkpoint import Checkpoint, check_origin
from ledger.errors import NoteError
from ledger.merkle import EMPTY_ROOT
from ledger.note import Signer, Verifier, open_note, sign_note

VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
TEXT = "This is an example message.\n"
SIG = "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"


def test_c2sp_vector_verifies() -> None:
    v = Verifier.from_vkey(VKEY)
    assert v.vkey == VKEY
    text, good = open_note(TEXT + "\n" + SIG, [v])
    assert text == TEXT and good == [v]


def test_c2sp_vector_tampered_text_fails() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        open_note("This is an example message!\n\n" + SIG, [Verifier.from_vkey(VKEY)])


def test_unknown_keys_ignored_but_one_known_needed() -> None:
    other = Signer("witness.example", Ed25519PrivateKey.generate())
    note = TEXT + "\n" + SIG + other.signature_line(TEXT)
    open_note(note, [Verifier.from_vkey(VKEY)])  # witness signature ignored
    with pytest.raises(NoteError, match="not signed by any trusted key"):
        open_note(TEXT + "\n" + SIG, [other.verifier])
    # a known key's bad signature rejects the note even if another known key is good
    forged = other.signature_line("something else\n")
    with pytest.raises(NoteError, match="does not verify"):
        open_note(TEXT + "\n" + SIG + forged, [Verifier.from_vkey(VKEY), other.verifier])


@pytest.mark.parametrize(
    "vkey",
    [
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong id
        "example.com/foo+530d903a+AqkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong alg
        "example.com/foo+530d903a",
        "exa mple+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    ],
)
def test_bad_vkeys(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


@pytest.mark.parametrize(
    "note",
    [
        TEXT + SIG,
        TEXT + "\n",
        TEXT + "\n" + "- example.com/foo AAAA\n",
        TEXT + "\n" + SIG.rstrip("\n"),
        "x\n\n\n" + SIG,
    ],
)
def test_malformed_notes(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [Verifier.from_vkey(VKEY)])


def test_checkpoint_round_trip_and_signer_repr() -> None:
    s = Signer("cutproof.local/film", Ed25519PrivateKey.generate())
    assert "key_id" in repr(s) and "_key" not in repr(s)
    cp = Checkpoint("cutproof.local/film", 7, EMPTY_ROOT)
    signed = cp.sign([s])
    assert Checkpoint.open(signed, [s.verifier]) == cp
    assert signed.startswith("cutproof.local/film\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— ")
    for bad in ["a\n1\n\n", "a\n01\n" + "A" * 44 + "\n", "a\nx\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"]:
        with pytest.raises(NoteError):
            Checkpoint.parse(bad)
    for origin in ["", "has space", "a+b", "x" * 300]:
        with pytest.raises(NoteError):
            check_origin(origin)
    with pytest.raises(NoteError):
        sign_note("no newline", [s])
