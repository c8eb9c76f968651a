"""One consent clock: for any consent history, the gate, delivery QC and the audit judge every grant the same way
at every instant — including each exact boundary and a microsecond either side — and that judgement is the
naive half-open reference.

The history is written through the real registry into a real SQLite workspace and its project's ledger:
grants with validity windows, revocations effective before and after they were recorded, suspensions (one
performer's or production-wide, all categories or one) and lifts. Then, at each instant:

- the gate's judgement: the registry's state at that instant through the application's seam to the policies
  (``cutproof.edits.consent_facts.from_registry``: the ``Standing`` the policy engine is handed);
- QC's judgement: the ledger's consent entries, typed, as the consent clock's inputs
  (``cutproof.qc.ledger_checks.LedgerConsent``);
- the audit's judgement (``cutproof.audit.build.grant_judgement``).

With ``known_at`` (only what had been recorded by then) the gate and QC are compared too.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consent import ConsentRegistry
from cutproof.audit.build import grant_judgement
from cutproof.core import recorded
from cutproof.core.projects import create_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.consent_facts import from_registry
from cutproof.qc.ledger_checks import LedgerConsent

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
# Days around the present, so that revocations land both before and after the moment they are recorded.
T0 = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - 30 * DAY
CATEGORIES = ("digital_alteration", "ebdr")


@dataclass
class Reference:
    """What happened, as plain data, and the half-open rules applied naively."""

    grants: dict[str, tuple[str, datetime, datetime | None, str]] = field(default_factory=dict)
    revoked: dict[str, datetime] = field(default_factory=dict)
    suspensions: dict[str, tuple[str | None, datetime, datetime | None, tuple[str, ...]]] = field(default_factory=dict)

    def status(self, grant_id: str, at: datetime) -> tuple[str, datetime | None]:
        performer, start, until, category = self.grants[grant_id]
        if at < start:
            return "not_yet_valid", start
        if until is not None and not at < until:
            return "expired", until
        if grant_id in self.revoked and not at < self.revoked[grant_id]:
            return "revoked", self.revoked[grant_id]
        active = [
            s_start
            for who, s_start, s_end, cats in self.suspensions.values()
            if who in (None, performer) and ("*" in cats or category in cats)
            and s_start <= at and (s_end is None or at < s_end)
        ]  # fmt: skip
        if active:
            return "suspended", min(active)
        return "in_force", start


day = st.integers(min_value=0, max_value=60).map(lambda d: T0 + d * DAY)
op = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 1), day, st.one_of(st.none(), st.integers(1, 40)),
              st.sampled_from(CATEGORIES)),
    st.tuples(st.just("revoke"), st.integers(0, 9), day),
    st.tuples(st.just("suspend"), st.one_of(st.none(), st.integers(0, 1)), day,
              st.one_of(st.none(), st.integers(1, 20)), st.sampled_from([("*",), ("ebdr",)])),
    st.tuples(st.just("lift"), st.integers(0, 9), st.integers(1, 30)),
)  # fmt: skip


def _run(ops: list[tuple[object, ...]], probes: list[datetime], tmp: Path) -> int:
    ws = Workspace(tmp / "home")
    ws.init()
    project = create_project(ws, "clock", identity="test:lead")
    log = project_log(ws, project)
    reg = ConsentRegistry(ws.engine, ws.blobs, log)
    people = [reg.register_performer(name=f"P{i}", kind="principal").performer_id for i in range(2)]
    ref = Reference()
    lifted: set[str] = set()
    for o in ops:
        if o[0] == "grant":
            _, who, start, length, category = o
            until = None if length is None else start + length * DAY  # type: ignore[operator]
            g = reg.grant(
                people[who],  # type: ignore[index]
                category=category, edit_kinds=["eyeline"], purposes=["continuity"], use_description="the use",
                document=b"signed", signed_by="performer", contract_edition="sag-aftra-tv-theatrical-2023",
                valid_from=start, valid_until=until, signed_at=min(start, T0),  # type: ignore[arg-type]
            )  # fmt: skip
            ref.grants[g.grant_id] = (people[who], start, until, category)  # type: ignore[index,assignment]
        elif o[0] == "revoke" and ref.grants:
            gid = list(ref.grants)[o[1] % len(ref.grants)]  # type: ignore[operator]
            if gid not in ref.revoked:
                reg.revoke(gid, reason="withdrawn", effective_at=o[2])  # type: ignore[arg-type]
                ref.revoked[gid] = o[2]  # type: ignore[assignment]
        elif o[0] == "suspend":
            _, who, start, length, cats = o
            end = None if length is None else start + length * DAY  # type: ignore[operator]
            performer = None if who is None else people[who]  # type: ignore[index]
            s = reg.suspend(performer, reason="strike", start=start, end=end, categories=cats)  # type: ignore[arg-type]
            ref.suspensions[s.suspension_id] = (performer, start, end, cats)  # type: ignore[assignment]
        elif o[0] == "lift" and ref.suspensions:
            sid = list(ref.suspensions)[o[1] % len(ref.suspensions)]  # type: ignore[operator]
            who, start, end, cats = ref.suspensions[sid]
            lift = start + o[2] * DAY  # type: ignore[operator]
            if sid not in lifted and (end is None or lift < end):
                reg.lift_suspension(sid, reason="over", end=lift)
                lifted.add(sid)
                ref.suspensions[sid] = (who, start, lift, cats)
    ledger = LedgerConsent.read(log)
    edges = {t for g in ref.grants.values() for t in (g[1], g[2]) if t is not None}
    edges |= set(ref.revoked.values())
    edges |= {t for s in ref.suspensions.values() for t in (s[1], s[2]) if t is not None}
    instants = sorted(set(probes) | {e + d for e in edges for d in (-US, timedelta(0), US)})
    times = sorted({r.time for r in recorded.scan(log)})
    checked = 0
    for at in instants:
        gate = {g.grant_id: g.standing for g in from_registry(reg.state_at(None, at), at).grants}
        for gid in ref.grants:
            want = ref.status(gid, at)
            qc = ledger.judge(gid, at)
            performer = ref.grants[gid][0]
            _, audit = grant_judgement(reg, performer, gid, at)
            assert qc is not None and audit is not None and gate[gid] is not None
            got = {
                "reference": want,
                "gate": (gate[gid].status, gate[gid].since),
                "qc": (qc.status, qc.since),
                "audit": (audit.status, audit.since),
            }
            assert len(set(got.values())) == 1, (at, gid, got)
            checked += 1
        for known in times[:: max(1, len(times) // 3)]:
            gate_known = {
                g.grant_id: g.standing for g in from_registry(reg.state_at(None, at, known_at=known), at).grants
            }
            for gid in ref.grants:
                qc = ledger.judge(gid, at, known)
                if qc is None:
                    assert gid not in gate_known, (at, known, gid)
                    continue
                standing = gate_known[gid]
                assert standing is not None and (standing.status, standing.since) == (qc.status, qc.since), (
                    at,
                    known,
                    gid,
                )
    ws.engine.dispose()
    return checked


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=7), probes=st.lists(day, max_size=3))
@example(  # every kind of boundary at once: a revocation effective before it is recorded and one after, a
    # performer suspension shortened by a lift, a production-wide suspension of one category, an expiry
    ops=[
        ("grant", 0, T0, None, "ebdr"),
        ("grant", 1, T0 + DAY, 20, "digital_alteration"),
        ("grant", 1, T0 + 2 * DAY, None, "ebdr"),
        ("revoke", 0, T0 + 10 * DAY),
        ("revoke", 2, T0 + 45 * DAY),
        ("suspend", 1, T0 + 3 * DAY, 10, ("*",)),
        ("lift", 0, 4),
        ("suspend", None, T0 + 5 * DAY, None, ("ebdr",)),
    ],
    probes=[T0],
)
def test_gate_qc_and_audit_judge_every_grant_alike(ops: list[tuple[object, ...]], probes: list[datetime]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _run(ops, probes, Path(tmp))
