"""Every bad input gets a specific ConsentError with a clear message, and nothing is written: no ledger entry, no
registry row, no stored document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consent import (
    AlreadyLiftedError,
    AlreadyRevokedError,
    ConsentError,
    ConsentRegistry,
    DocumentError,
    DuplicatePerformerError,
    InvalidRecordError,
    SignerError,
    UnknownGrantError,
    UnknownPerformerError,
    UnknownSuspensionError,
)
from cutproof.core.workspace import Workspace
from ledger import Ledger
from ledger.errors import EntryError
from tests.consent.conftest import ORIGIN, footprint, grant_kwargs, ts

NEW_DOC = b"%PDF-1.7 a document this store has never seen"


@dataclass
class World:
    reg: ConsentRegistry
    ws: Workspace
    alice: str  # living principal, SAG-AFTRA
    harold: str  # deceased 2025-02-02, no representative on file
    estate: str  # deceased, representative on file
    grant: str  # alice's grant
    revoked: str  # a revoked grant of alice
    strike: str  # a suspension
    lifted: str  # a lifted suspension
    tmp: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """One populated registry shared by every case: each case must leave it exactly as it found it."""
    ws = Workspace(tmp_path_factory.mktemp("bad-input") / "home")
    ws.init()
    ledger = Ledger(ws.engine, ws.keys_dir)
    r = ConsentRegistry(ws.engine, ws.blobs, ledger.create_log(ORIGIN))
    alice = r.register_performer(name="Alice Marchetti", kind="principal", guild="SAG-AFTRA", guild_id="SAG-0042")
    harold = r.register_performer(name="Harold Okafor", kind="principal", died_at=ts("2025-02-02"))
    estate = r.register_performer(
        name="Ida Brun", kind="principal", deceased=True, representative_name="Estate of Ida Brun",
        representative_document=b"letters of administration",
    )  # fmt: skip
    g = r.grant(alice.performer_id, **grant_kwargs())
    rv = r.grant(alice.performer_id, **grant_kwargs())
    r.revoke(rv.grant_id, reason="withdrawn")
    strike = r.suspend(None, reason="strike", start=ts("2026-07-14"))
    lifted = r.suspend(None, reason="short strike", start=ts("2026-01-01"))
    r.lift_suspension(lifted.suspension_id, reason="over", end=ts("2026-01-05"))
    return World(
        r, ws, alice.performer_id, harold.performer_id, estate.performer_id, g.grant_id, rv.grant_id,
        strike.suspension_id, lifted.suspension_id, tmp_path_factory.mktemp("docs"),
    )  # fmt: skip


def _grant(who: str, **over: Any) -> Callable[[World], Any]:
    def act(w: World) -> Any:
        return w.reg.grant(getattr(w, who), **grant_kwargs(**({"document": NEW_DOC} | over)))

    return act


def _register(**kw: Any) -> Callable[[World], Any]:
    def act(w: World) -> Any:
        base = {"name": "Cleo Park", "kind": "principal"}
        return w.reg.register_performer(**(base | kw))

    return act


CASES: list[tuple[str, Callable[[World], Any], type[ConsentError], str]] = [
    ("unknown performer", lambda w: w.reg.grant("prf_00000000deadbeef", **grant_kwargs(document=NEW_DOC)),
     UnknownPerformerError, "no performer 'prf_00000000deadbeef'"),
    ("performer signs after death", _grant("harold", signed_at=ts("2025-06-01"), valid_from=ts("2025-06-01")),
     SignerError, "on or after their death"),
    ("deceased, no death date, performer signs", _grant("estate"), SignerError, "no date of death"),
    ("representative signer, none on file", _grant("alice", signed_by="representative"), SignerError,
     "no authorised representative on file"),
    ("union signs for a living performer", _grant("alice", signed_by="union"), SignerError, "living performer"),
    ("union signs though a representative exists", _grant("estate", signed_by="union"), SignerError,
     "has an authorised representative on file"),
    ("empty use description", _grant("alice", use_description="  \n"), InvalidRecordError,
     "use_description: must not be empty"),
    ("valid_until before valid_from", _grant("alice", valid_until=ts("2026-01-01")), InvalidRecordError,
     "is not after valid_from"),
    ("unknown category", _grant("alice", category="deepfake"), InvalidRecordError, "category"),
    ("unknown edit kind", _grant("alice", edit_kinds=["facewarp"]), InvalidRecordError, "unknown edit kind"),
    ("no shots", _grant("alice", shots=[]), InvalidRecordError, "name at least one, or use 'all'"),
    ("missing document", _grant("alice", document=None), DocumentError, "signed consent document is required"),
    ("empty document", _grant("alice", document=b""), DocumentError, "is empty"),
    ("document path missing", lambda w: w.reg.grant(w.alice, **grant_kwargs(document=w.tmp / "nope.pdf")),
     DocumentError, "cannot read"),
    ("document path is a directory", lambda w: w.reg.grant(w.alice, **grant_kwargs(document=w.tmp)),
     DocumentError, "not a regular file"),
    ("naive valid_from", _grant("alice", valid_from=ts("2026-03-01").replace(tzinfo=None)), InvalidRecordError,
     "has no timezone"),
    ("signed in the future", _grant("alice", signed_at=ts("2099-01-01")), InvalidRecordError, "in the future"),
    ("background replica of a principal", _grant("alice", category="background_replica"), InvalidRecordError,
     "for background actors"),
    ("bad governing law", _grant("alice", governing_law="Cali"), InvalidRecordError, "jurisdiction code"),
    ("revoke unknown grant", lambda w: w.reg.revoke("cg_00000000deadbeef", reason="x"), UnknownGrantError,
     "no grant"),
    ("revoke with empty reason", lambda w: w.reg.revoke(w.grant, reason=" "), InvalidRecordError,
     "revocation reason is empty"),
    ("revoke twice", lambda w: w.reg.revoke(w.revoked, reason="again"), AlreadyRevokedError, "already revoked"),
    ("suspend unknown performer", lambda w: w.reg.suspend("prf_00000000deadbeef", reason="x"),
     UnknownPerformerError, "no performer"),
    ("suspension ends before it starts",
     lambda w: w.reg.suspend(None, reason="x", start=ts("2026-05-01"), end=ts("2026-04-01")), InvalidRecordError,
     "not after its start"),
    ("lift unknown suspension", lambda w: w.reg.lift_suspension("sus_00000000deadbeef", reason="x"),
     UnknownSuspensionError, "no suspension"),
    ("lift before start", lambda w: w.reg.lift_suspension(w.strike, reason="x", end=ts("2026-07-01")),
     InvalidRecordError, "not after the suspension's start"),
    ("lift twice", lambda w: w.reg.lift_suspension(w.lifted, reason="x"), AlreadyLiftedError, "already lifted"),
    ("representative without document", _register(representative_name="Estate"), DocumentError,
     "authority document is required"),
    ("authority document without representative", _register(representative_document=NEW_DOC), InvalidRecordError,
     "without their name"),
    ("unknown performer kind", _register(kind="extra"), InvalidRecordError, "kind"),
    ("empty name", _register(name=""), InvalidRecordError, "name: must not be empty"),
    ("union representation without guild", _register(representation="union"), InvalidRecordError,
     "representation 'union'"),
    ("amend with no change", lambda w: w.reg.amend_performer(w.alice, reason="x", minor=False), InvalidRecordError,
     "nothing to amend"),
    ("amend without reason", lambda w: w.reg.amend_performer(w.alice, reason="", minor=True), InvalidRecordError,
     "reason for the amendment is empty"),
    ("amend unknown performer", lambda w: w.reg.amend_performer("prf_00000000deadbeef", reason="x", minor=True),
     UnknownPerformerError, "no performer"),
    ("amend: representative without document",
     lambda w: w.reg.amend_performer(w.harold, reason="x", representative_name="Estate"), DocumentError,
     "authority document is required"),
    ("duplicate guild id", _register(guild="SAG-AFTRA", guild_id="SAG-0042"), DuplicatePerformerError,
     "already registered"),
    # text that would display as something else: a right-to-left override, a terminal escape, a NUL
    ("name with a bidi override", _register(name="Cleo \u202eeznoR"), InvalidRecordError, "name holds the "
     "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("name with a terminal escape", _register(name="Cleo \x1b[31mPark"), InvalidRecordError, "U+001B"),
    ("name with a line break", _register(name="Cleo\nPark"), InvalidRecordError, "U+000A"),
    ("representative's name with an isolate", _register(representative_name="Estate \u2067x",
     representative_document=NEW_DOC), InvalidRecordError, "representative's name holds"),
    ("use description with a NUL", _grant("alice", use_description="Relight\x00 of 12A"), InvalidRecordError,
     "use description holds the invisible character U+0000"),
    ("shot with a bidi embedding", _grant("alice", shots=["12\u202bA"]), InvalidRecordError, "U+202B"),
    ("revocation reason with an escape", lambda w: w.reg.revoke(w.grant, reason="ok\x1b]0;x\x07"),
     InvalidRecordError, "revocation reason holds"),
    ("amended name with an override", lambda w: w.reg.amend_performer(w.alice, reason="typo", name="A\u202dB"),
     InvalidRecordError, "U+202D"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "error", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_nothing_is_written(
    world: World, action: Callable[[World], Any], error: type[ConsentError], fragment: str
) -> None:
    ws, log = world.ws, world.reg.log
    before = footprint(ws.engine, log, ws.blobs_dir)
    assert before["ledger"] == 9
    with pytest.raises(error) as info:
        action(world)
    assert fragment in str(info.value), str(info.value)
    assert footprint(ws.engine, log, ws.blobs_dir) == before
    assert world.reg.reconcile().ok


def test_entry_refused_by_the_ledger_leaves_nothing_behind(world: World) -> None:
    """A grant whose entry is over the ledger's 64 KiB limit: the ledger refuses it, the document is removed."""
    ws, log = world.ws, world.reg.log
    before = footprint(ws.engine, log, ws.blobs_dir)
    shots = [f"shot-{i:05d}-with-a-long-descriptive-name" for i in range(3000)]
    with pytest.raises(EntryError):
        world.reg.grant(world.alice, **grant_kwargs(document=NEW_DOC, shots=shots))
    assert footprint(ws.engine, log, ws.blobs_dir) == before


def test_names_in_any_script_and_reasons_over_several_lines_are_accepted(tmp_path: Path) -> None:
    """What the display check lets through: joiners (Persian, Indic, emoji sequences), the bidirectional *marks*,
    accents and CJK in names; line breaks and tabs in a reason."""
    ws = Workspace(tmp_path / "home")
    ws.init()
    r = ConsentRegistry(ws.engine, ws.blobs, Ledger(ws.engine, ws.keys_dir).create_log(ORIGIN))
    names = [
        "Mehrdad Sh\u200cirazi",
        "\u0645\u0647\u0631\u062f\u0627\u062f\u200f Lee",
        "Zo\u00eb \u674e",
        "Ana\u200d\U0001f3ad",
    ]
    for name in names:
        assert r.register_performer(name=name, kind="principal").name == name
    g = r.grant(r.register_performer(name="Cleo Park", kind="principal").performer_id, **grant_kwargs())
    assert r.revoke(g.grant_id, reason="withdrawn by letter:\n\t2026-03-02, see file").reason.startswith("withdrawn")
