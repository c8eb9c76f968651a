"""Shipped packs load and carry citations; malformed packs fail with file, line and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from policies import PackError, PolicySet, load_pack, parse_pack, resolve_pack_refs, shipped_pack_paths
from policies.packs import EXAMPLE_PACKS_DIR

GOOD = """\
schema: cutproof.policy-pack/1
id: studio-x
title: Studio X
version: "1"
rules:
  - id: studio-x.dialogue
    citation: Studio X policy 1
    when: {fact: edit.kind, eq: dialogue}
    effect: review
    explain: Dialogue edits need legal review ({edit.purpose}).
"""


def test_shipped_packs_load_with_unique_ids_and_citations() -> None:
    paths = shipped_pack_paths()
    ids = {p.stem for p in paths}
    assert {
        "cutproof-core",
        "sag-aftra-tv-theatrical-2023",
        "sag-aftra-tv-theatrical-2026",
        "eu-ai-act-art50",
        "us-state-replica-law",
    } <= ids
    policy_set = PolicySet.load()
    for pack in policy_set.packs:
        assert pack.id == Path(pack.source).stem, "a pack file is named after its id"
        for rule in pack.rules:
            assert rule.spec.citation.strip()
    reported = {p.id: sum(r.spec.wording == "reported" for r in p.rules) for p in policy_set.packs}
    assert reported["sag-aftra-tv-theatrical-2026"] == len(policy_set.packs[3].rules)  # all reported
    assert reported["us-state-replica-law"] > 0 and reported["eu-ai-act-art50"] > 0


def test_example_studio_pack_is_valid_but_not_default() -> None:
    studio = EXAMPLE_PACKS_DIR / "studio-legal-review.yaml"
    assert load_pack(studio).id == "studio-legal-review"
    assert studio not in shipped_pack_paths()
    assert resolve_pack_refs(["studio-legal-review"]) == [studio]


def test_policy_set_hash_depends_on_pack_content() -> None:
    a = PolicySet([parse_pack(GOOD)])
    b = PolicySet([parse_pack(GOOD.replace("Studio X policy 1", "Studio X policy 2"))])
    assert a.hash != b.hash
    assert a.hash == PolicySet([parse_pack(GOOD)]).hash


def _error(text: str) -> PackError:
    with pytest.raises(PackError) as info:
        parse_pack(textwrap.dedent(text), "studio.yaml")
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("    citation: Studio X policy 1\n", "", 6, "missing required key 'citation'"),
        ("    effect: review", "    effect: maybe", 9, "effect"),
        ("    effect: review", "    effect: review\n    colour: red", 10, "unknown key 'colour'"),
        ('version: "1"', "version: 1", 4, "version"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: edit.knd, eq: dialogue}", 8, "unknown fact 'edit.knd'"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: edit.kind, eq: 3}", 8, "not a str"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: edit.kind, gt: dialogue}", 8, "compares int, date or datetime"),
        ("{fact: edit.kind, eq: dialogue}", "{all: []}", 8, "non-empty list"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: consent.covered, eq: true}", 8, "for_each: performer"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: edit.kind, eq: dialogue, ne: x}", 8, "exactly one operator"),
        ("{fact: edit.kind, eq: dialogue}", "{use: nothing}", 8, "no named condition 'nothing'"),
        ("({edit.purpose})", "({edit.porpose})", 10, "unknown fact {edit.porpose}"),
        ("id: studio-x\n", "id: Studio X\n", 2, "id"),
        ("schema: cutproof.policy-pack/1", "schema: cutproof.policy-pack/9", 1, "schema"),
        ("{fact: edit.kind, eq: dialogue}", "{fact: time, gte: 2026-13-40}", 8, "not an ISO date"),
        ("{fact: edit.kind, eq: dialogue}", '{fact: time, gte: "2026-08-02T00:00:00"}', 8, "needs a UTC offset"),
    ],
)
def test_malformed_pack_names_file_line_and_problem(old: str, new: str, line: int, words: str) -> None:
    assert old in GOOD
    err = _error(GOOD.replace(old, new, 1))
    assert err.file == "studio.yaml"
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"invalid policy pack studio.yaml:{line}: ")


def test_bad_yaml_reports_line() -> None:
    err = _error(GOOD.replace("    effect: review", "    effect: [review"))
    assert err.line is not None and err.line >= 9 and "not valid YAML" in str(err)


def test_duplicate_key_reports_line() -> None:
    err = _error(GOOD.replace("    effect: review", "    effect: review\n    effect: deny"))
    assert err.line == 10 and "duplicate key 'effect'" in str(err)


def test_duplicate_rule_ids_in_pack_and_across_packs() -> None:
    rule = GOOD[GOOD.index("  - id:") :]
    err = _error(GOOD + rule)
    assert err.line == 11 and "used twice" in str(err)
    other = parse_pack(GOOD.replace("id: studio-x\n", "id: studio-y\n"), "y.yaml")
    with pytest.raises(PackError, match="also defined by pack"):
        PolicySet([parse_pack(GOOD), other])


def test_not_a_mapping_and_empty_policy_set(tmp_path: Path) -> None:
    assert "must be a mapping" in str(_error("- just\n- a list\n"))
    with pytest.raises(PackError, match="no packs selected"):
        PolicySet([])
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "absent.yaml")
    with pytest.raises(PackError, match="no such file"):
        resolve_pack_refs(["no-such-pack"])


def test_named_conditions_with_performer_facts_need_for_each() -> None:
    text = GOOD.replace("rules:\n", "conditions:\n  covered: {fact: consent.covered, eq: true}\nrules:\n").replace(
        "{fact: edit.kind, eq: dialogue}", "{use: covered}"
    )
    err = _error(text)
    assert "for_each: performer" in str(err) and err.line == 10
