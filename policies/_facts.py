"""The facts rules can test: derived once per request and once per touched performer.

``FACTS`` is the schema (name → type, scope) that packs are validated against at load time; ``request_facts``
and ``performer_facts`` compute the values. Consent matching lives here: which grant, if any, covers a performer
for this edit, and if none does, why not (out of scope, or — as the application judged it with the consent clock
and handed over in each grant's ``standing`` — revoked, suspended, expired, not yet valid, signed by someone who
could not consent). No consent time is compared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from policies.errors import RequestError

if TYPE_CHECKING:  # facts are derived from the input models; the fact schema (checking packs) needs none of them
    from policies.models import ConsentGrant, ConsentState, EditRequest, Performer, Standing

Facts = dict[str, Any]


@dataclass(frozen=True)
class FactType:
    """Type of a fact: ``base`` is str|bool|int|date|datetime|list; ``optional`` allows None."""

    base: str
    optional: bool = False
    scope: str = "request"  # "request": usable in any rule; "performer": only in rules with for_each: performer


def _t(base: str, optional: bool = False, scope: str = "request") -> FactType:
    return FactType(base, optional, scope)


FACTS: dict[str, FactType] = {
    "project.name": _t("str"),
    "project.agreement": _t("str"),
    "project.principal_photography_start": _t("date", True),
    "project.territories": _t("list"),
    "project.eu_distribution": _t("bool"),
    "project.us_distribution": _t("bool"),
    "project.evidently_artistic": _t("bool"),
    "project.output_role": _t("str"),
    "project.original_language": _t("str", True),
    "shot": _t("str"),
    "scene": _t("str"),
    "edit.kind": _t("str"),
    "edit.purpose": _t("str"),
    "edit.target_language": _t("str", True),
    "edit.language_change": _t("bool"),
    "edit.exemption": _t("str", True),
    "edit.exemption_justified": _t("bool"),
    "edit.is_deep_fake": _t("bool", True),
    "edit.not_deep_fake_reason_given": _t("bool"),
    "edit.changes_person": _t("bool"),
    "edit.generation": _t("str"),
    "edit.uses_replica": _t("bool"),
    "edit.replica_category": _t("str", True),
    "edit.replica_source_project": _t("str", True),
    "edit.replica_from_other_project": _t("bool"),
    "edit.consent_category": _t("str"),
    "time": _t("datetime"),
    "request.performers": _t("list"),
    "request.performer_count": _t("int"),
    "request.undeclared_performers": _t("list"),
    "request.undeclared_count": _t("int"),
    "request.unidentified_faces": _t("int"),
    "request.identified_performer_count": _t("int"),
    "request.photoreal": _t("bool"),
    "performer.id": _t("str", scope="performer"),
    "performer.kind": _t("str", scope="performer"),
    "performer.guild_member": _t("bool", scope="performer"),
    "performer.guild": _t("str", True, "performer"),
    "performer.minor": _t("bool", scope="performer"),
    "performer.deceased": _t("bool", scope="performer"),
    "performer.years_since_death": _t("int", True, "performer"),
    "performer.has_representative": _t("bool", scope="performer"),
    "performer.representation": _t("str", scope="performer"),
    "performer.declared": _t("bool", scope="performer"),
    "consent.covered": _t("bool", scope="performer"),
    "consent.grant_id": _t("str", True, "performer"),
    "consent.grant_ids": _t("list", scope="performer"),
    "consent.category": _t("str", True, "performer"),
    "consent.separately_signed": _t("bool", True, "performer"),
    "consent.signed_by": _t("str", True, "performer"),
    "consent.governing_law": _t("str", True, "performer"),
    "consent.contract_edition": _t("str", True, "performer"),
    "consent.edition_matches_agreement": _t("bool", True, "performer"),
    "consent.valid_from": _t("datetime", True, "performer"),
    "consent.description_words": _t("int", True, "performer"),
    "consent.ledger_index": _t("int", True, "performer"),
    "consent.any_grant": _t("bool", scope="performer"),
    "consent.revoked": _t("bool", scope="performer"),
    "consent.expired": _t("bool", scope="performer"),
    "consent.not_yet_valid": _t("bool", scope="performer"),
    "consent.suspended": _t("bool", scope="performer"),
    "consent.strike_suspended": _t("bool", scope="performer"),
    "consent.out_of_scope": _t("bool", scope="performer"),
    "consent.other_project_only": _t("bool", scope="performer"),
    "consent.signer_without_capacity": _t("bool", scope="performer"),
    "consent.incapable_grant_id": _t("str", True, "performer"),
    "consent.incapable_signed_by": _t("str", True, "performer"),
    "consent.capacity_problem": _t("str", True, "performer"),
    "consent.court_approval_missing": _t("bool", True, "performer"),
    "consent.court_approval_law": _t("str", True, "performer"),
    "consent.why_not": _t("str", scope="performer"),
}


# A distribution territory in one of these (ISO 3166-1 alpha-2), or "EU" itself, is distribution in the EU.
EU_MEMBER_STATES: frozenset[str] = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def _territory_is_eu(code: str) -> bool:
    return code == "EU" or code.split("-", 1)[0] in EU_MEMBER_STATES


def request_facts(req: EditRequest, touched: list[str] | None = None) -> Facts:
    """Facts about the request itself (shared by every rule); ``touched`` is ``req.touched()`` if known."""
    if touched is None:
        touched = req.touched()
    p, e = req.project, req.edit
    target = e.target_language
    language_change = target is not None and target != p.original_language
    replica = e.replica
    category: str
    if replica is not None:
        category = replica.category
    elif language_change:
        category = "ebdr"
    else:
        category = "digital_alteration"
    ex = e.claimed_exemption
    declared = set(req.performers)
    undeclared = [p for p in req.detected_performers if p not in declared]
    return {
        "project.name": p.name,
        "project.agreement": p.agreement,
        "project.principal_photography_start": p.principal_photography_start,
        "project.territories": p.distribution_territories,
        "project.eu_distribution": any(_territory_is_eu(t) for t in p.distribution_territories),
        "project.us_distribution": any(t.split("-", 1)[0] == "US" for t in p.distribution_territories),
        "project.evidently_artistic": p.evidently_artistic,
        "project.output_role": p.output_role,
        "project.original_language": p.original_language,
        "shot": req.shot,
        "scene": req.scene,
        "edit.kind": e.kind,
        "edit.purpose": e.purpose,
        "edit.target_language": target,
        "edit.language_change": language_change,
        "edit.exemption": ex.kind if ex is not None else None,
        "edit.exemption_justified": bool(ex is not None and ex.justification.strip()),
        "edit.is_deep_fake": e.is_deep_fake,
        "edit.not_deep_fake_reason_given": bool(e.not_deep_fake_reason and e.not_deep_fake_reason.strip()),
        "edit.changes_person": (
            e.kind in PERSON_CHANGING_KINDS or e.purpose in PERSON_CHANGING_PURPOSES or replica is not None
        ),
        "edit.generation": e.generation,
        "edit.uses_replica": replica is not None,
        "edit.replica_category": replica.category if replica is not None else None,
        "edit.replica_source_project": replica.source_project if replica is not None else None,
        "edit.replica_from_other_project": replica is not None and replica.source_project != p.name,
        "edit.consent_category": category,
        "time": req.time,
        "request.performers": touched,
        "request.performer_count": len(touched),
        "request.undeclared_performers": undeclared,
        "request.undeclared_count": len(undeclared),
        "request.unidentified_faces": req.unidentified_faces,
        "request.identified_performer_count": len(touched),
        "request.photoreal": req.photoreal,
    }


class ConsentIndex:
    """Performers and grants of a consent state, indexed by performer id (built once per state)."""

    def __init__(self, state: ConsentState) -> None:
        self.state = state
        self.performers: dict[str, Performer] = {p.performer_id: p for p in state.performers}
        self.grants: dict[str, list[ConsentGrant]] = {}
        for g in sorted(state.grants, key=lambda g: g.grant_id):
            self.grants.setdefault(g.performer_id, []).append(g)


# Art. 3(60): an AI change to a real person's face, gaze, lips, voice or performance. Kinds that change the person
# whatever the purpose (gaze; lips and voice), and purposes that make any edit change what a person appears to do.
PERSON_CHANGING_KINDS = frozenset({"eyeline", "dialogue"})
PERSON_CHANGING_PURPOSES = frozenset({"performance_change", "dubbing"})
_SIGNER_RANK = {"performer": 0, "representative": 1, "union": 2}


def _scope_miss(g: ConsentGrant, rf: Facts) -> str | None:
    """Why grant ``g`` does not cover the edit's scope, or None when it does."""
    if g.category != rf["edit.consent_category"] and not (
        rf["edit.language_change"] and rf["edit.consent_category"] == "ebdr" and g.category == "digital_alteration"
    ):
        return f"{g.grant_id} covers category {g.category}, the edit needs {rf['edit.consent_category']}"
    if "*" not in g.edit_kinds and rf["edit.kind"] not in g.edit_kinds:
        return f"{g.grant_id} does not cover edit kind {rf['edit.kind']}"
    if "*" not in g.purposes and rf["edit.purpose"] not in g.purposes:
        return f"{g.grant_id} does not cover purpose {rf['edit.purpose']}"
    if g.shots != "all" and rf["shot"] not in g.shots:
        return f"{g.grant_id} does not cover shot {rf['shot']}"
    if g.scenes != "all" and rf["scene"] not in g.scenes:
        return f"{g.grant_id} does not cover scene {rf['scene']}"
    if rf["edit.language_change"] and (g.languages is None or rf["edit.target_language"] not in g.languages):
        return f"{g.grant_id} does not cover dubbing into {rf['edit.target_language']}"
    return None


def _standing(g: ConsentGrant) -> Standing:
    if g.standing is None:
        raise RequestError(
            "consent.grants",
            f"grant {g.grant_id!r} has not been judged by the consent clock; the application judges every grant "
            "at the request's time (cutproof.edits.consent_facts) before the policies are evaluated",
        )
    return g.standing


def performer_facts(index: ConsentIndex, performer_id: str, rf: Facts, declared: bool) -> Facts:
    """Facts about one touched performer and the consent that covers (or fails to cover) them."""
    perf = index.performers[performer_id]
    covering: list[ConsentGrant] = []
    misses: list[str] = []
    flags = {"revoked": False, "expired": False, "not_yet_valid": False, "suspended": False, "strike": False}
    other_project = out_of_scope = 0
    incapable: list[tuple[ConsentGrant, str]] = []
    grants = index.grants.get(performer_id, [])
    for g in grants:
        if g.project != rf["project.name"]:
            other_project += 1
            continue
        miss = _scope_miss(g, rf)
        if miss is not None:
            out_of_scope += 1
            misses.append(miss)
            continue
        st = _standing(g)
        if st.status == "not_yet_valid":
            flags["not_yet_valid"] = True
            misses.append(f"{g.grant_id} is valid only from {g.valid_from.isoformat()}")
        elif st.status == "expired":
            flags["expired"] = True
            misses.append(f"{g.grant_id} expired at {_iso(st.since)}")
        elif st.status == "revoked":
            flags["revoked"] = True
            misses.append(f"{g.grant_id} was revoked at {_iso(st.since)}")
        elif st.status == "suspended":
            flags["suspended"] = True
            flags["strike"] = flags["strike"] or st.strike
            misses.append(f"{g.grant_id} is suspended ({'; '.join(dict.fromkeys(st.suspension_reasons))})")
        elif not st.capacity_ok:
            problem = st.capacity_problem or f"{g.grant_id} was signed by someone who could not consent"
            incapable.append((g, problem))
            misses.append(problem)
        else:
            covering.append(g)
    covering.sort(
        key=lambda g: (
            not g.separately_signed,
            _standing(g).court_approval == "missing",
            _SIGNER_RANK[g.signed_by],
            g.grant_id,
        )
    )
    best = covering[0] if covering else None
    if best is None:
        if not grants:
            why = f"no consent grant is on record for {performer_id}"
        elif other_project == len(grants):
            why = f"{performer_id}'s grants are all for other projects"
        else:
            why = "; ".join(misses)
    else:
        why = ""
    best_standing = _standing(best) if best is not None else None
    return {
        **rf,
        "performer.id": performer_id,
        "performer.kind": perf.kind,
        "performer.guild_member": perf.guild_member,
        "performer.guild": perf.guild,
        "performer.minor": perf.minor,
        "performer.deceased": perf.deceased,
        "performer.years_since_death": perf.years_since_death,
        "performer.has_representative": perf.representative is not None,
        "performer.representation": perf.representation,
        "performer.declared": declared,
        "consent.covered": best is not None,
        "consent.grant_id": best.grant_id if best else None,
        "consent.grant_ids": [g.grant_id for g in covering],
        "consent.category": best.category if best else None,
        "consent.separately_signed": best.separately_signed if best else None,
        "consent.signed_by": best.signed_by if best else None,
        "consent.governing_law": best.governing_law if best else None,
        "consent.contract_edition": best.contract_edition if best else None,
        "consent.edition_matches_agreement": (best.contract_edition == rf["project.agreement"]) if best else None,
        "consent.valid_from": best.valid_from if best else None,
        "consent.description_words": len(best.use_description.split()) if best else None,
        "consent.ledger_index": best.ledger_index if best else None,
        "consent.any_grant": bool(grants),
        "consent.revoked": flags["revoked"],
        "consent.expired": flags["expired"],
        "consent.not_yet_valid": flags["not_yet_valid"],
        "consent.suspended": flags["suspended"],
        "consent.strike_suspended": flags["strike"],
        "consent.out_of_scope": out_of_scope > 0,
        "consent.other_project_only": bool(grants) and other_project == len(grants),
        "consent.signer_without_capacity": bool(incapable),
        "consent.incapable_grant_id": incapable[0][0].grant_id if incapable else None,
        "consent.incapable_signed_by": incapable[0][0].signed_by if incapable else None,
        "consent.capacity_problem": incapable[0][1] if incapable else None,
        "consent.court_approval_missing": (best_standing.court_approval == "missing") if best_standing else None,
        "consent.court_approval_law": best_standing.court_approval_law if best_standing else None,
        "consent.why_not": why,
    }


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else "an unrecorded time"


def utc_midnight(d: Any) -> datetime:
    """The instant a calendar date starts in UTC."""
    return datetime(d.year, d.month, d.day, tzinfo=UTC)
