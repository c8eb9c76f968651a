"""Property: for any sequence of grants, revocations, suspensions and lifts, the registry's answer "in force at T,
as known at K" equals a naive reference computed from the operations alone."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consent import ConsentRegistry
from cutproof.core.workspace import Workspace
from ledger import Ledger
from tests.consent.conftest import ORIGIN, T0, grant_kwargs

DAY = timedelta(days=1)


@dataclass
class Ref:
    """The reference: what happened, with when it was recorded."""

    grants: dict[str, tuple[str, datetime, datetime | None, str, datetime]] = field(default_factory=dict)
    revocations: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)  # grant -> (effective, recorded)
    suspensions: dict[str, list[object]] = field(default_factory=dict)  # id -> [perf|None, start, end, cats, rec]
    lifts: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)  # suspension -> (end, recorded)

    def in_force(self, grant_id: str, at: datetime, known: datetime) -> bool | None:
        performer, start, until, category, recorded = self.grants[grant_id]
        if recorded > known:
            return None
        if not (start <= at and (until is None or at < until)):
            return False
        rev = self.revocations.get(grant_id)
        if rev is not None and rev[1] <= known and rev[0] <= at:
            return False
        for sid, (perf, s_start, s_end, cats, rec) in self.suspensions.items():  # type: ignore[misc]
            if rec > known or (perf is not None and perf != performer):
                continue
            if cats != ["*"] and category not in cats:  # type: ignore[operator]
                continue
            end = s_end
            lift = self.lifts.get(sid)
            if lift is not None and lift[1] <= known:
                end = lift[0] if end is None else min(end, lift[0])  # type: ignore[type-var]
            if s_start <= at and (end is None or at < end):  # type: ignore[operator]
                return False
        return True


day = st.integers(min_value=0, max_value=60).map(lambda d: T0 + d * DAY)
op = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 1), day, st.one_of(st.none(), st.integers(1, 40)),
              st.sampled_from(["digital_alteration", "ebdr"])),
    st.tuples(st.just("revoke"), st.integers(0, 9), day),
    st.tuples(st.just("suspend"), st.one_of(st.none(), st.integers(0, 1)), day,
              st.one_of(st.none(), st.integers(1, 20)), st.sampled_from([["*"], ["ebdr"]])),
    st.tuples(st.just("lift"), st.integers(0, 9), st.integers(1, 30)),
)  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=7), probes=st.lists(day, min_size=1, max_size=4))
@example(  # every boundary at once: revocation, performer suspension shortened by a lift, expiry
    ops=[
        ("grant", 0, T0, None, "ebdr"),
        ("grant", 1, T0 + DAY, 20, "digital_alteration"),
        ("revoke", 0, T0 + 10 * DAY),
        ("suspend", 1, T0 + 3 * DAY, 10, ["*"]),
        ("lift", 0, 4),
        ("suspend", None, T0 + 5 * DAY, None, ["ebdr"]),
    ],
    probes=[T0],
)
def test_in_force_matches_reference(ops: list[tuple[object, ...]], probes: list[datetime]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp) / "home")
        ws.init()
        reg = ConsentRegistry(ws.engine, ws.blobs, Ledger(ws.engine, ws.keys_dir).create_log(ORIGIN))
        people = [reg.register_performer(name=f"P{i}", kind="principal").performer_id for i in range(2)]
        ref = Ref()
        checkpoints = []
        for o in ops:
            if o[0] == "grant":
                _, who, start, length, category = o
                until = None if length is None else start + length * DAY  # type: ignore[operator]
                g = reg.grant(
                    people[who], **grant_kwargs(valid_from=start, signed_at=start, valid_until=until, category=category)
                )  # type: ignore[index]
                assert g.recorded_at is not None
                ref.grants[g.grant_id] = (people[who], start, until, category, g.recorded_at)  # type: ignore[index]
            elif o[0] == "revoke" and ref.grants:
                gid = list(ref.grants)[o[1] % len(ref.grants)]  # type: ignore[operator]
                if gid in ref.revocations:
                    continue
                ev = reg.revoke(gid, reason="r", effective_at=o[2])  # type: ignore[arg-type]
                ref.revocations[gid] = (o[2], ev.recorded_at)  # type: ignore[assignment]
            elif o[0] == "suspend":
                _, who, start, length, cats = o
                end = None if length is None else start + length * DAY  # type: ignore[operator]
                performer = None if who is None else people[who]  # type: ignore[index]
                s = reg.suspend(performer, reason="s", start=start, end=end, categories=cats)  # type: ignore[arg-type]
                recorded = reg.log.entry_json(reg.log.size() - 1)["ledger"]["time"]
                ref.suspensions[s.suspension_id] = [
                    performer,
                    start,
                    end,
                    cats,
                    datetime.fromisoformat(recorded.replace("Z", "+00:00")),
                ]
            elif o[0] == "lift" and ref.suspensions:
                sid = list(ref.suspensions)[o[1] % len(ref.suspensions)]  # type: ignore[operator]
                _, start, end, _, _ = ref.suspensions[sid]
                lift_end = start + o[2] * DAY  # type: ignore[operator]
                if sid in ref.lifts or (end is not None and lift_end >= end):  # type: ignore[operator]
                    continue
                ev = reg.lift_suspension(sid, reason="l", end=lift_end)
                ref.lifts[sid] = (lift_end, ev.recorded_at)
            checkpoints.append(reg.log.entry_json(reg.log.size() - 1)["ledger"]["time"])
        knowns = [datetime.fromisoformat(c.replace("Z", "+00:00")) for c in checkpoints]
        # probe the boundaries too: every date an operation named, and the instant before it
        edges = {x for o in ops for x in o if isinstance(x, datetime)}
        edges |= {g[1] for g in ref.grants.values()} | {g[2] for g in ref.grants.values() if g[2] is not None}
        edges |= {lift[0] for lift in ref.lifts.values()}
        edges |= {s[2] for s in ref.suspensions.values() if s[2] is not None}  # type: ignore[misc]
        times = sorted(set(probes) | edges | {e - timedelta(microseconds=1) for e in edges})  # type: ignore[operator]
        for known in [*knowns, None]:
            for at in times:
                state = reg.state_at(None, at, known_at=known)
                got = {g.grant_id: g.in_force(at) for g in state.grants}
                k = known or datetime.max.replace(tzinfo=T0.tzinfo)
                want = {gid: ref.in_force(gid, at, k) for gid in ref.grants}
                assert got == {gid: v for gid, v in want.items() if v is not None}, (known, at)
        ws.engine.dispose()
