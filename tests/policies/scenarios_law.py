"""Scenarios of replicas and state law, the 2026 successor agreement (dubbing, strike, minors) and who is in
the region."""

from __future__ import annotations

from policy_builders import grant
from scenario_kit import (
    BG_REPLICA,
    DUB_2026,
    EBDR_GRANT,
    PERF_CHANGE,
    REPLICA,
    THEO_BG_GRANT,
    Case,
    add,
    all_of,
    edit,
    g,
    perf,
    proj,
    req,
    strike,
    who,
)

LAW_CASES: list[Case] = [
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
]
