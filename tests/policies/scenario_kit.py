"""The scenario table's vocabulary: a ``Case`` (the standard request with one situation changed, the expected
outcome and the deciding rule) and the small mutators and shared situations the case lists are written with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from policy_builders import grant

R = dict[str, Any]
Mut = Callable[[R, R], None]


@dataclass
class Case:
    id: str
    expected: str
    rule: str
    change: Mut
    marking: tuple[str, ...] | None = None
    disclosure: tuple[str, ...] | None = None
    icon: str | None = None
    also: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    studio: bool = False
    relied: tuple[str, ...] = field(default_factory=tuple)


def edit(**kw: Any) -> Mut:
    def f(r: R, c: R) -> None:
        r["edit"].update(kw)

    return f


def req(**kw: Any) -> Mut:
    def f(r: R, c: R) -> None:
        r.update(kw)

    return f


def proj(**kw: Any) -> Mut:
    def f(r: R, c: R) -> None:
        r["project"].update(kw)

    return f


def who(*ids: str) -> Mut:
    def f(r: R, c: R) -> None:
        r["performers"] = list(ids)
        r["detected_performers"] = list(ids)

    return f


def g(grant_id: str, **kw: Any) -> Mut:
    """Change an existing grant."""

    def f(r: R, c: R) -> None:
        for gr in c["grants"]:
            if gr["grant_id"] == grant_id:
                gr.update(kw)
                return
        raise AssertionError(grant_id)

    return f


def add(*grants: R) -> Mut:
    def f(r: R, c: R) -> None:
        c["grants"].extend(grants)

    return f


def drop(grant_id: str) -> Mut:
    def f(r: R, c: R) -> None:
        c["grants"] = [x for x in c["grants"] if x["grant_id"] != grant_id]

    return f


def perf(pid: str, **kw: Any) -> Mut:
    def f(r: R, c: R) -> None:
        for p in c["performers"]:
            if p["performer_id"] == pid:
                p.update(kw)

    return f


def strike(start: str, end: str | None) -> Mut:
    def f(r: R, c: R) -> None:
        c["suspensions"].append(
            {"start": start, "end": end, "reason": "SAG-AFTRA strike", "strike": True, "categories": ["*"]}
        )

    return f


def all_of(*muts: Mut) -> Mut:
    def f(r: R, c: R) -> None:
        for m in muts:
            m(r, c)

    return f


PERF_CHANGE = edit(kind="eyeline", purpose="performance_change")
EU = proj(distribution_territories=["US", "EU"])
REPLICA = edit(
    kind="dialogue", purpose="performance_change", replica={"category": "ebdr", "source_project": "harbor-lights"}
)
EBDR_GRANT = grant("g-mara-ebdr", "mara", category="ebdr", edit_kinds=["dialogue"], shots="all", ledger_index=11)
DUB_2026 = all_of(
    proj(agreement="sag-aftra-tv-theatrical-2026", principal_photography_start="2027-09-01"),
    edit(kind="dialogue", purpose="dubbing", target_language="de"),
    req(time="2028-03-02T10:00:00Z"),
    add(
        grant(
            "g-mara-dub",
            "mara",
            category="ebdr",
            edit_kinds=["dialogue"],
            purposes=["dubbing"],
            shots="all",
            languages=["fr"],
            contract_edition="sag-aftra-tv-theatrical-2026",
            valid_until=None,
            ledger_index=12,
        )
    ),
)
BG_REPLICA = all_of(
    who("theo"),
    edit(
        kind="background",
        purpose="crowd_extension",
        replica={"category": "background_replica", "source_project": "harbor-lights"},
    ),
)
THEO_BG_GRANT = grant(
    "g-theo-bg", "theo", category="background_replica", edit_kinds=["*"], purposes=["*"], shots="all", ledger_index=13
)
