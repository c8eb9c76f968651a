"""Policy packs: YAML files of rules, validated and compiled when they load.

Pack format (``schema: cutproof.policy-pack/1``)::

    schema: cutproof.policy-pack/1
    id: sag-aftra-tv-theatrical-2023          # lower-case, digits, '-' and '.'
    title: SAG-AFTRA TV/Theatrical Agreement 2023 — digital replicas and alteration
    version: "2023.1"
    description: ...                          # optional
    conditions:                               # optional named conditions, usable as {use: NAME}
      exempt_purpose: {fact: edit.purpose, in: [continuity, ratings]}
    applies_when: CONDITION                   # optional; the pack is skipped when it does not hold
    rules:
      - id: sag2023.alteration.consent-required
        citation: "2023 TV/Theatrical MOA, Digital Replicas and Digital Alteration, §…"
        wording: reported                     # read (default) | reported: wording known only as reported
        for_each: performer                   # request (default) | performer: once per touched performer
        when: CONDITION                       # optional; omitted: always
        effect: deny                          # allow | deny | review
        explain: "No consent covers {performer.id}: {consent.why_not}."
        relies_on: consent                    # none (default) | consent | exemption (claimed) | purpose (listed)
        obligations:                          # optional, for the labeler
          marking: [c2pa_metadata, watermark]
          disclosure: [on_screen_icon, end_credit, sidecar, spoken_disclaimer]

Conditions are described in ``policies._language``; facts in ``policies._facts.FACTS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from policies import _parsed
from policies._facts import Facts
from policies._hashing import canonical_json, sha256_hex
from policies._language import ALWAYS, Condition, LanguageError, Template, compile_condition, memoized
from policies._yaml import Marks, YamlSyntaxError, load_yaml
from policies.errors import PackError
from records import DisclosureForm, IconVariant, MarkingLayer, Outcome, empty_list

PACK_SCHEMA = "cutproof.policy-pack/1"
PACKS_DIR = _parsed.PACKS_DIR
EXAMPLE_PACKS_DIR = PACKS_DIR / "examples"

Effect = Outcome
Disclosure = DisclosureForm
_ID = r"^[a-z0-9][a-z0-9.\-_]*$"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class ObligationsSpec(_Spec):
    """What a rule requires of the labeler when it fires."""

    marking: list[MarkingLayer] = Field(default_factory=empty_list)
    disclosure: list[Disclosure] = Field(default_factory=empty_list)
    icon_variant: IconVariant | None = None


class RuleSpec(_Spec):
    """One rule as written in a pack (before compilation)."""

    id: str = Field(pattern=_ID)
    citation: str = Field(min_length=3)
    wording: Literal["read", "reported"] = "read"
    note: str = ""
    for_each: Literal["request", "performer"] = "request"
    when: dict[str, Any] | None = None
    effect: Effect
    explain: str = Field(min_length=3)
    relies_on: Literal["none", "consent", "exemption", "purpose"] = "none"
    obligations: ObligationsSpec | None = None
    asks: Literal["deep_fake"] | None = None
    """For a ``review`` rule: the question legal's sign-off must answer (``policies.review.QUESTIONS``)."""

    @model_validator(mode="after")
    def _asks_only_on_review(self) -> RuleSpec:
        if self.asks is not None and self.effect != "review":
            raise ValueError(f"rule {self.id}: only a review rule asks a question (asks: {self.asks})")
        return self


class PackSpec(_Spec):
    """A pack document as written (before compilation)."""

    schema_: Literal["cutproof.policy-pack/1"] = Field(alias="schema")
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    conditions: dict[str, dict[str, Any]] = Field(default_factory=dict)
    applies_when: dict[str, Any] | None = None
    rules: list[RuleSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """A compiled rule: ``evaluate(facts)`` returns whether it fires; ``explain(facts)`` renders its reason."""

    pack_id: str
    spec: RuleSpec
    condition: Condition
    template: Template

    @property
    def id(self) -> str:
        """The rule id."""
        return self.spec.id

    def evaluate(self, facts: Facts) -> bool:
        """Whether the rule fires for these facts."""
        return self.condition.evaluate(facts)

    def explain(self, facts: Facts) -> str:
        """The one-sentence explanation for these facts."""
        return self.template.render(facts)


@dataclass(frozen=True)
class Pack:
    """A loaded, validated and compiled policy pack."""

    spec: PackSpec
    source: str
    document: Any
    sha256: str
    applies: Condition
    request_rules: tuple[Rule, ...]
    performer_rules: tuple[Rule, ...]

    @property
    def id(self) -> str:
        """The pack id."""
        return self.spec.id

    @property
    def rules(self) -> tuple[Rule, ...]:
        """All rules in file order."""
        order = {r.id: i for i, r in enumerate(self.spec.rules)}
        return tuple(sorted((*self.request_rules, *self.performer_rules), key=lambda r: order[r.id]))


def load_pack(path: str | Path) -> Pack:
    """Read, validate and compile one pack file.

    Raises:
        PackError: the file is unreadable, not YAML, or not a valid pack (with file, line and problem).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
        parsed = _parsed.lookup(p, raw)  # a shipped pack, parsed ahead of time (policies._parsed)
        if parsed is not None:
            return _validate(*parsed, str(p))
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(str(p), None, f"cannot read the file: {exc}") from None
    return parse_pack(text, str(p))


def parse_pack(text: str, source: str = "<string>") -> Pack:
    """Validate and compile a pack from its YAML text; ``source`` names it in errors.

    Raises:
        PackError: the text is not YAML or not a valid pack (with line and problem).
    """
    try:
        document, marks = load_yaml(text)
    except YamlSyntaxError as exc:
        raise PackError(source, exc.line, exc.problem) from None
    return _validate(document, marks, source)


def _validate(document: Any, marks: Marks, source: str) -> Pack:
    if not isinstance(document, dict):
        raise PackError(source, marks.line(()), "a pack must be a mapping with schema, id, title, version, rules")
    try:
        spec = PackSpec.model_validate(document)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(map(str, loc)) or "pack"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
        raise PackError(source, marks.line(loc), f"{where}: {msg}") from None
    return _compile(spec, document, marks, source)


def _compile(spec: PackSpec, document: Any, marks: Marks, source: str) -> Pack:
    seen: dict[str, int] = {}
    request_rules: list[Rule] = []
    performer_rules: list[Rule] = []
    try:
        defs: dict[str, Condition] = {}
        for name, node in spec.conditions.items():
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                raise LanguageError(("conditions", name), f"condition name {name!r} must be a lower-case identifier")
            cond = compile_condition(node, ("conditions", name), "performer", defs)
            defs[name] = memoized(cond, ("condition", spec.id, name))
        aw = spec.applies_when
        applies = ALWAYS if aw is None else compile_condition(aw, ("applies_when",), "request", defs)
        for i, rule in enumerate(spec.rules):
            if rule.id in seen:
                raise LanguageError(("rules", i, "id"), f"rule id {rule.id!r} is used twice in this pack")
            seen[rule.id] = i
            base = ("rules", i)
            when = ALWAYS if rule.when is None else compile_condition(rule.when, (*base, "when"), rule.for_each, defs)
            template = Template(rule.explain, (*base, "explain"), rule.for_each)
            compiled = Rule(spec.id, rule, when, template)
            (performer_rules if rule.for_each == "performer" else request_rules).append(compiled)
    except LanguageError as exc:
        raise PackError(source, marks.line(exc.path), f"{'.'.join(map(str, exc.path))}: {exc.problem}") from None
    return Pack(
        spec=spec,
        source=source,
        document=document,
        sha256=sha256_hex(canonical_json(document)),
        applies=applies,
        request_rules=tuple(request_rules),
        performer_rules=tuple(performer_rules),
    )


def shipped_pack_paths() -> list[Path]:
    """The packs shipped with Cutproof and selected by default (``policies/packs/*.yaml``, sorted)."""
    return sorted(PACKS_DIR.glob("*.yaml"))


def resolve_pack_refs(refs: list[str]) -> list[Path]:
    """Turn pack references into files: a path to a file, a directory (its ``*.yaml``), or a shipped pack id.

    Raises:
        PackError: a reference names no file, directory or shipped pack.
    """
    shipped = {_pack_id_of(p): p for p in [*shipped_pack_paths(), *sorted(EXAMPLE_PACKS_DIR.glob("*.yaml"))]}
    out: list[Path] = []
    for ref in refs:
        p = Path(ref)
        if p.is_dir():
            out.extend(sorted(p.glob("*.yaml")))
        elif p.is_file():
            out.append(p)
        elif ref in shipped:
            out.append(shipped[ref])
        else:
            known = ", ".join(sorted(shipped))
            raise PackError(ref, None, f"no such file, directory or shipped pack (shipped: {known})")
    return out


def _pack_id_of(path: Path) -> str:
    return path.stem
