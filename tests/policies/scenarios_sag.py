"""Scenarios of SAG-AFTRA's 2023 digital-alteration rules and of deceased performers."""

from __future__ import annotations

from policy_builders import grant
from scenario_kit import (
    EBDR_GRANT,
    PERF_CHANGE,
    REPLICA,
    Case,
    add,
    all_of,
    drop,
    edit,
    g,
    perf,
    proj,
    req,
    who,
)

SAG_CASES: list[Case] = [
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
]
