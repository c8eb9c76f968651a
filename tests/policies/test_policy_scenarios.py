"""Scenario table: each row is the standard case with one situation changed, the expected outcome, and the
rule that decides it (a reason with that rule id and the outcome as its effect must be present)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from policy_builders import base_consent, base_request, build, grant

from policies import PolicySet, load_pack
from policies.packs import EXAMPLE_PACKS_DIR, shipped_pack_paths

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

CASES: list[Case] = [
    # --- digital alteration, SAG-AFTRA 2023 --------------------------------------------------------------
    Case(
        "continuity-relight-no-consent",
        "allow",
        "sag2023.alteration.exempt-purpose",
        who("nia"),
        relied=("purpose:continuity",),
    ),
    Case(
        "background-replacement-behind-performer",
        "allow",
        "sag2023.alteration.exempt-purpose",
        all_of(who("nia"), edit(kind="background", purpose="background_replacement")),
    ),
    Case(
        "ratings-dialogue-adjustment-no-consent",
        "allow",
        "sag2023.alteration.exempt-purpose",
        all_of(who("nia"), edit(kind="dialogue", purpose="ratings")),
    ),
    Case(
        "relight-performance-change-no-consent",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(who("nia"), edit(purpose="performance_change")),
    ),
    Case(
        "eyeline-performance-change-with-consent",
        "allow",
        "sag2023.alteration.consented",
        PERF_CHANGE,
        relied=("g-mara-perf",),
    ),
    Case(
        "eyeline-performance-change-without-consent",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, drop("g-mara-perf")),
    ),
    Case(
        "consent-for-other-edit-kind",
        "deny",
        "sag2023.alteration.consent-required",
        edit(kind="dialogue", purpose="performance_change"),
    ),
    Case(
        "consent-for-other-shots", "deny", "sag2023.alteration.consent-required", all_of(PERF_CHANGE, req(shot="14C"))
    ),
    Case(
        "consent-for-other-scenes",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, g("g-mara-perf", scenes=["3"])),
    ),
    Case(
        "consent-for-other-purpose",
        "deny",
        "sag2023.alteration.consent-required",
        edit(kind="eyeline", purpose="reaction_swap"),
    ),
    Case(
        "consent-for-other-project-only",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, g("g-mara-perf", project="tidewater")),
    ),
    Case(
        "revoked-before-edit",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, g("g-mara-perf", revoked_at="2026-11-01T09:00:00Z")),
    ),
    Case(
        "revoked-after-edit",
        "allow",
        "sag2023.alteration.consented",
        all_of(PERF_CHANGE, g("g-mara-perf", revoked_at="2026-12-01T09:00:00Z")),
    ),
    Case(
        "expired",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, g("g-mara-perf", valid_until="2026-06-30T00:00:00Z")),
    ),
    Case(
        "not-yet-valid",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, g("g-mara-perf", valid_from="2027-01-01T00:00:00Z")),
    ),
    Case(
        "grant-suspended",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(
            PERF_CHANGE,
            g(
                "g-mara-perf",
                suspensions=[{"start": "2026-11-01T00:00:00Z", "end": None, "reason": "dispute over scope"}],
            ),
        ),
    ),
    Case(
        "not-separately-signed",
        "deny",
        "sag2023.consent.not-separately-signed",
        all_of(PERF_CHANGE, g("g-mara-perf", separately_signed=False)),
    ),
    Case(
        "living-adult-signed-by-representative",
        "review",
        "sag2023.living.signed-by-other",
        all_of(PERF_CHANGE, g("g-mara-perf", signed_by="representative")),
    ),
    Case(
        "edition-mismatch",
        "review",
        "sag2023.consent.edition-mismatch",
        all_of(PERF_CHANGE, proj(agreement="sag-aftra-tv-theatrical-2026")),
    ),
    Case(
        "substantially-as-performed-justified",
        "allow",
        "sag2023.alteration.substantially-as-performed",
        all_of(
            who("nia"),
            edit(
                kind="eyeline",
                purpose="eyeline_match",
                claimed_exemption={
                    "kind": "substantially_as_performed",
                    "justification": "2-degree eyeline correction to match the reverse",
                },
            ),
        ),
        relied=("substantially_as_performed",),
    ),
    Case(
        "substantially-as-performed-unjustified",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(
            who("nia"),
            edit(
                kind="eyeline",
                purpose="eyeline_match",
                claimed_exemption={"kind": "substantially_as_performed", "justification": ""},
            ),
        ),
    ),
    Case(
        "substantially-as-performed-but-performance-change",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(
            who("nia"),
            edit(
                kind="eyeline",
                purpose="performance_change",
                claimed_exemption={"kind": "substantially_as_performed", "justification": "only the look changes"},
            ),
        ),
    ),
    # --- deceased performers ---------------------------------------------------------------------------
    Case(
        "deceased-estate-consent",
        "allow",
        "sag2023.deceased.representative-consent",
        all_of(who("ada"), edit(kind="dialogue", purpose="performance_change")),
        relied=("g-ada-estate",),
    ),
    Case(
        "deceased-own-older-consent-other-use",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(
            who("ada"),
            edit(kind="dialogue", purpose="performance_change"),
            drop("g-ada-estate"),
            add(
                grant(
                    "g-ada-own",
                    "ada",
                    edit_kinds=["eyeline"],
                    shots=["3A"],
                    valid_from="2019-05-01T00:00:00Z",
                    valid_until=None,
                )
            ),
        ),
    ),
    Case(
        "deceased-representative-authority-missing",
        "deny",
        "sag2023.deceased.representative-authority-missing",
        all_of(who("ada"), edit(kind="dialogue", purpose="performance_change"), perf("ada", representative=None)),
    ),
    Case(
        "deceased-union-despite-representative",
        "deny",
        "sag2023.deceased.union-despite-representative",
        all_of(who("ada"), edit(kind="dialogue", purpose="performance_change"), g("g-ada-estate", signed_by="union")),
    ),
    Case(
        "deceased-union-no-representative",
        "allow",
        "sag2023.alteration.consented",
        all_of(
            who("ada"),
            edit(kind="dialogue", purpose="performance_change"),
            g("g-ada-estate", signed_by="union"),
            perf("ada", representative=None),
        ),
    ),
    Case(
        "deceased-replica-no-consent-ca-3344-1",
        "deny",
        "us.ca.cc3344-1.deceased-no-consent",
        all_of(
            who("ada"),
            edit(kind="dialogue", purpose="new_line", replica={"category": "ebdr", "source_project": "harbor-lights"}),
        ),
    ),
    Case(
        "deceased-replica-ny-post-mortem",
        "deny",
        "us.ny.post-mortem.deceased-no-consent",
        all_of(
            who("ada"),
            proj(distribution_territories=["US-NY"]),
            edit(kind="dialogue", purpose="new_line", replica={"category": "ebdr", "source_project": "harbor-lights"}),
        ),
    ),
    Case(
        "deceased-replica-estate-consent-ca",
        "allow",
        "us.ca.cc3344-1.deceased-consented",
        all_of(
            who("ada"),
            edit(
                kind="dialogue",
                purpose="performance_change",
                replica={"category": "ebdr", "source_project": "harbor-lights"},
            ),
            g("g-ada-estate", category="ebdr"),
        ),
    ),
    Case(
        "deceased-replica-outside-70-year-window",
        "deny",
        "sag2023.replica.consent-required",
        all_of(
            who("ada"),
            perf("ada", died_at="1950-01-01T00:00:00Z"),
            edit(kind="dialogue", purpose="new_line", replica={"category": "ebdr", "source_project": "harbor-lights"}),
        ),
        absent=("us.ca.cc3344-1.deceased-no-consent", "us.ny.post-mortem.deceased-no-consent"),
    ),
    Case(
        "deceased-replica-inside-window-dated",
        "deny",
        "us.ca.cc3344-1.deceased-no-consent",
        all_of(
            who("ada"),
            perf("ada", died_at="1970-01-01T00:00:00Z"),
            edit(kind="dialogue", purpose="new_line", replica={"category": "ebdr", "source_project": "harbor-lights"}),
        ),
        absent=("us.ny.post-mortem.deceased-no-consent",),
    ),
    Case(
        "strike-recorded-on-the-grant",
        "deny",
        "sag2026.strike.replica-consents-suspended",
        all_of(
            REPLICA,
            add(
                {
                    **EBDR_GRANT,
                    "contract_edition": "sag-aftra-tv-theatrical-2026",
                    "suspensions": [{"start": "2026-11-01T00:00:00Z", "reason": "SAG-AFTRA strike", "strike": True}],
                }
            ),
            proj(agreement="sag-aftra-tv-theatrical-2026"),
        ),
    ),
    # --- replicas and state law ------------------------------------------------------------------------
    Case("replica-without-consent", "deny", "sag2023.replica.consent-required", REPLICA),
    Case("replica-with-consent-union", "allow", "sag2023.replica.consented", all_of(REPLICA, add(EBDR_GRANT))),
    Case(
        "ca-927-unrepresented",
        "review",
        "us.ca.lc927.unrepresented",
        all_of(REPLICA, add(EBDR_GRANT), perf("mara", representation="none")),
    ),
    Case(
        "ca-927-unrepresented-vague-description",
        "deny",
        "us.ca.lc927.unenforceable",
        all_of(
            REPLICA, add({**EBDR_GRANT, "use_description": "Any replica use."}), perf("mara", representation="none")
        ),
    ),
    Case(
        "ca-927-with-counsel",
        "allow",
        "sag2023.replica.consented",
        all_of(
            REPLICA, add({**EBDR_GRANT, "use_description": "Any replica use."}), perf("mara", representation="counsel")
        ),
    ),
    Case(
        "ny-5-302-unrepresented",
        "review",
        "us.ny.gol5-302.unrepresented",
        all_of(REPLICA, add({**EBDR_GRANT, "governing_law": "US-NY"}), perf("mara", representation="none")),
    ),
    Case(
        "ny-5-302-unrepresented-vague",
        "deny",
        "us.ny.gol5-302.unenforceable",
        all_of(
            REPLICA,
            add({**EBDR_GRANT, "governing_law": "US-NY", "use_description": "replica"}),
            perf("mara", representation="none"),
        ),
    ),
    Case(
        "icdr-first-amendment-claim",
        "review",
        "sag2023.icdr.first-amendment",
        all_of(
            who("nia"),
            edit(
                kind="dialogue",
                purpose="parody",
                replica={"category": "icdr", "source_project": "x"},
                claimed_exemption={"kind": "first_amendment", "justification": "sketch parody"},
            ),
        ),
    ),
    Case(
        "background-replica-same-picture", "allow", "sag2023.replica.consented", all_of(BG_REPLICA, add(THEO_BG_GRANT))
    ),
    Case(
        "background-replica-other-picture-no-consent",
        "deny",
        "sag2023.replica.consent-required",
        all_of(
            BG_REPLICA,
            edit(replica={"category": "background_replica", "source_project": "tidewater"}),
            add({**THEO_BG_GRANT, "project": "tidewater"}),
        ),
    ),
    Case(
        "background-replica-other-picture-with-consent",
        "review",
        "sag2023.background-replica.other-picture",
        all_of(
            BG_REPLICA,
            edit(replica={"category": "background_replica", "source_project": "tidewater"}),
            add(THEO_BG_GRANT),
        ),
    ),
    # --- 2026 successor: dubbing, strike, minors -------------------------------------------------------
    Case("dubbing-after-2027-line-no-consent", "deny", "sag2026.dubbing.replica-consent-required", DUB_2026),
    Case(
        "dubbing-after-2027-line-with-consent",
        "allow",
        "sag2026.dubbing.replica-consented",
        all_of(DUB_2026, edit(target_language="fr")),
        relied=("g-mara-dub",),
    ),
    Case(
        "dubbing-before-2027-line",
        "allow",
        "sag2026.dubbing.before-effective-line",
        all_of(DUB_2026, proj(principal_photography_start="2027-03-01")),
    ),
    Case(
        "dubbing-on-2027-line",
        "deny",
        "sag2026.dubbing.replica-consent-required",
        all_of(DUB_2026, proj(principal_photography_start="2027-07-01")),
    ),
    Case(
        "dubbing-start-of-photography-unknown",
        "review",
        "sag2026.dubbing.start-unknown",
        all_of(DUB_2026, proj(principal_photography_start=None)),
        absent=("sag2026.dubbing.replica-consent-required", "sag2026.dubbing.before-effective-line"),
    ),
    Case(
        "dubbing-2023-agreement",
        "allow",
        "sag2023.dubbing.no-replica-rule",
        all_of(DUB_2026, proj(agreement="sag-aftra-tv-theatrical-2023")),
    ),
    Case(
        "dubbing-consent-not-separately-signed",
        "deny",
        "sag2026.dubbing.not-separately-signed",
        all_of(DUB_2026, edit(target_language="fr"), g("g-mara-dub", separately_signed=False)),
    ),
    Case(
        "strike-suspends-replica-consent",
        "deny",
        "sag2026.strike.replica-consents-suspended",
        all_of(
            REPLICA,
            add({**EBDR_GRANT, "contract_edition": "sag-aftra-tv-theatrical-2026"}),
            proj(agreement="sag-aftra-tv-theatrical-2026"),
            strike("2026-11-01T00:00:00Z", None),
        ),
    ),
    Case(
        "strike-ended-before-edit",
        "allow",
        "sag2023.replica.consented",
        all_of(
            REPLICA,
            add({**EBDR_GRANT, "contract_edition": "sag-aftra-tv-theatrical-2026"}),
            proj(agreement="sag-aftra-tv-theatrical-2026"),
            strike("2026-09-01T00:00:00Z", "2026-10-15T00:00:00Z"),
        ),
    ),
    Case(
        "strike-continuity-relight-exempt",
        "allow",
        "sag2023.alteration.exempt-purpose",
        all_of(proj(agreement="sag-aftra-tv-theatrical-2026"), strike("2026-11-01T00:00:00Z", None)),
    ),
    Case(
        "minor-guardian-consent-review",
        "review",
        "sag2026.minor.review",
        all_of(
            who("kid"),
            PERF_CHANGE,
            proj(agreement="sag-aftra-tv-theatrical-2026"),
            add(grant("g-kid", "kid", signed_by="representative", contract_edition="sag-aftra-tv-theatrical-2026")),
        ),
    ),
    Case(
        "minor-signed-alone",
        "deny",
        "sag2026.minor.performer-signed",
        all_of(
            who("kid"),
            PERF_CHANGE,
            proj(agreement="sag-aftra-tv-theatrical-2026"),
            add(grant("g-kid", "kid", contract_edition="sag-aftra-tv-theatrical-2026")),
        ),
    ),
    # --- who is in the region --------------------------------------------------------------------------
    Case("unidentified-face", "review", "core.unidentified-face", req(unidentified_faces=1)),
    Case("detected-but-undeclared", "review", "core.undeclared-performer", req(performers=[])),
    Case(
        "no-performer-touched",
        "allow",
        "core.no-performer",
        all_of(who(), edit(kind="background", purpose="set_extension")),
    ),
    Case(
        "two-performers-one-without-consent",
        "deny",
        "sag2023.alteration.consent-required",
        all_of(PERF_CHANGE, who("mara", "nia")),
        also=("sag2023.alteration.consented",),
    ),
    Case("non-union-production", "review", "engine.performer-not-evaluated", proj(agreement="none")),
    # --- EU AI Act Art. 50 -----------------------------------------------------------------------------
    Case(
        "eu-deep-fake-artistic",
        "allow",
        "eu.art50.4.deep-fake-artistic",
        all_of(EU, PERF_CHANGE, edit(is_deep_fake=True)),
        marking=("c2pa_metadata", "watermark"),
        disclosure=("end_credit", "sidecar"),
    ),
    Case(
        "eu-deep-fake-not-artistic",
        "allow",
        "eu.art50.4.deep-fake",
        all_of(EU, PERF_CHANGE, edit(is_deep_fake=True), proj(evidently_artistic=False)),
        marking=("c2pa_metadata", "watermark"),
        disclosure=("end_credit", "on_screen_icon", "sidecar"),
        icon="partially_modified",
    ),
    Case(
        "eu-deep-fake-fully-generated-icon",
        "allow",
        "eu.art50.4.fully-generated-icon",
        all_of(EU, PERF_CHANGE, edit(is_deep_fake=True, generation="fully_generated"), proj(evidently_artistic=False)),
        icon="fully_generated",
    ),
    # Art. 3(60) decided from the facts: an identified performer's gaze/lips/voice/performance changed by AI in
    # photoreal footage for the EU is a deep fake, consented or not — the gate applies Art. 50(4) itself.
    Case(
        "eu-deep-fake-inferred-artistic",
        "allow",
        "eu.art50.4.deep-fake-inferred-artistic",
        all_of(EU, PERF_CHANGE),
        marking=("c2pa_metadata", "watermark"),
        disclosure=("end_credit", "sidecar"),
        absent=("eu.art50.4.deep-fake-undeclared",),
    ),
    Case(
        "eu-deep-fake-inferred-documentary-icon-at-first-exposure",
        "allow",
        "eu.art50.4.deep-fake-inferred",
        all_of(EU, PERF_CHANGE, proj(evidently_artistic=False)),
        disclosure=("end_credit", "on_screen_icon", "sidecar"),
        icon="partially_modified",
    ),
    Case(
        "eu-deep-fake-inferred-dialogue-any-purpose",
        "allow",
        "eu.art50.4.deep-fake-inferred-artistic",
        all_of(EU, who("nia"), edit(kind="dialogue", purpose="ratings")),
        disclosure=("end_credit", "sidecar"),
    ),
    Case(
        "eu-not-deep-fake-claimed-with-reason-goes-to-review",
        "review",
        "eu.art50.4.not-deep-fake-claimed",
        all_of(EU, PERF_CHANGE, edit(is_deep_fake=False, not_deep_fake_reason="the eyes were already off-camera")),
        disclosure=(),
    ),
    Case(
        "eu-not-deep-fake-claimed-without-reason-is-not-taken",
        "allow",
        "eu.art50.4.deep-fake-inferred-artistic",
        all_of(EU, PERF_CHANGE, edit(is_deep_fake=False)),
        disclosure=("end_credit", "sidecar"),
        absent=("eu.art50.4.not-deep-fake",),
    ),
    Case(
        "eu-animation-undeclared-is-asked",
        "review",
        "eu.art50.4.deep-fake-undeclared",
        all_of(EU, PERF_CHANGE, req(photoreal=False)),
        absent=("eu.art50.4.deep-fake-inferred-artistic",),
    ),
    Case(
        "eu-not-deep-fake-marking-only",
        "allow",
        "eu.art50.2.marking",
        all_of(EU, edit(is_deep_fake=False)),
        marking=("c2pa_metadata", "watermark"),
        disclosure=(),
        also=("eu.art50.4.not-deep-fake",),
    ),
    Case(
        "eu-member-state-territory",
        "allow",
        "eu.art50.2.marking",
        all_of(proj(distribution_territories=["DE"]), edit(is_deep_fake=False)),
        marking=("c2pa_metadata", "watermark"),
    ),
    Case(
        "eu-standard-editing-exemption",
        "allow",
        "eu.art50.2.standard-editing-exemption",
        all_of(
            EU,
            edit(
                is_deep_fake=False,
                claimed_exemption={"kind": "standard_editing", "justification": "colour-matched relight"},
            ),
        ),
        marking=(),
        disclosure=(),
        relied=("standard_editing", "purpose:continuity"),
    ),
    Case(
        "eu-standard-editing-claim-for-dialogue",
        "allow",
        "eu.art50.2.exemption-not-available",
        all_of(
            EU,
            who("nia"),
            edit(
                kind="dialogue",
                purpose="ratings",
                is_deep_fake=False,
                claimed_exemption={"kind": "standard_editing", "justification": "bleep"},
            ),
        ),
        marking=("c2pa_metadata", "watermark"),
    ),
    Case(
        "eu-intermediate-output",
        "allow",
        "eu.art50.2.intermediate-output",
        all_of(EU, proj(output_role="intermediate")),
        marking=(),
        disclosure=(),
    ),
    Case(
        "eu-before-application-date",
        "allow",
        "eu.art50.scope.before-application",
        all_of(EU, edit(is_deep_fake=True), req(time="2026-07-01T12:00:00Z")),
        marking=(),
        disclosure=(),
    ),
    Case(
        "non-eu-distribution",
        "allow",
        "eu.art50.scope.no-eu-distribution",
        all_of(PERF_CHANGE, edit(is_deep_fake=True)),
        marking=(),
        disclosure=(),
    ),
    Case(
        "eu-continuity-relight-undeclared-is-not-asked",
        "allow",
        "eu.art50.2.marking",
        EU,
        marking=("c2pa_metadata", "watermark"),
        disclosure=(),
        absent=("eu.art50.4.deep-fake-undeclared",),
    ),
    # --- a studio's own pack ---------------------------------------------------------------------------
    Case(
        "studio-dialogue-legal-review",
        "review",
        "studio.dialogue.legal-review",
        all_of(who("nia"), edit(kind="dialogue", purpose="ratings")),
        studio=True,
    ),
    Case("studio-no-minor-replica", "deny", "studio.minors.no-replica", all_of(who("kid"), REPLICA), studio=True),
]


@pytest.fixture(scope="module")
def shipped() -> PolicySet:
    return PolicySet.load()


@pytest.fixture(scope="module")
def with_studio() -> PolicySet:
    paths = [*shipped_pack_paths(), EXAMPLE_PACKS_DIR / "studio-legal-review.yaml"]
    return PolicySet(load_pack(p) for p in paths)


def test_table_is_large_and_ids_unique() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_scenario(case: Case, shipped: PolicySet, with_studio: PolicySet) -> None:
    r, c = base_request(), base_consent()
    case.change(r, c)
    request, state = build(r, c)
    decision = (with_studio if case.studio else shipped).evaluate(request, state)
    summary = [(x.rule_id, x.effect, x.performer_id) for x in decision.reasons]
    assert decision.outcome == case.expected, summary
    deciding = {x.rule_id for x in decision.reasons if x.effect == case.expected}
    assert case.rule in deciding, summary
    fired = {x.rule_id for x in decision.reasons}
    for rule in case.also:
        assert rule in fired, summary
    for rule in case.absent:
        assert rule not in fired, summary
    if case.marking is not None:
        assert decision.obligations.marking == tuple(sorted(case.marking))
    if case.disclosure is not None:
        assert decision.obligations.disclosure == tuple(sorted(case.disclosure))
    if case.icon is not None:
        assert decision.obligations.icon_variant == case.icon
    relied = {x.grant_id for x in decision.relied_on} | {x.exemption for x in decision.relied_on}
    for item in case.relied:
        assert item in relied, decision.relied_on
    for reason in decision.reasons:
        assert reason.citation and reason.explanation and "{" not in reason.explanation
