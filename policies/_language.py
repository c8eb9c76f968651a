"""The rule language: conditions over facts, compiled once into closures.

A condition is a YAML mapping, one of:

    {all: [COND, ...]}            every part holds (an empty list is an error)
    {any: [COND, ...]}            at least one part holds (an empty list is an error)
    {not: COND}                   the part does not hold
    {fact: NAME, OP: VALUE}       compare a fact (see ``policies._facts.FACTS``) with a literal
    {use: NAME}                   a named condition from the pack's ``conditions`` section (defined earlier)

OP is one of eq, ne, in, not_in (scalar facts), contains, any_in (list facts), gt, gte, lt, lte (int, date and
datetime facts; dates compare as ISO dates, datetimes need an offset or are taken as UTC midnight of a date),
is_null (true/false, optional facts only). Literals are checked against the fact's type when the pack loads.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from policies._facts import FACTS, Facts, FactType, utc_midnight

Check = Callable[[Facts], bool]
Path = tuple[str | int, ...]


class LanguageError(Exception):
    """A condition or template is malformed; ``path`` locates it inside the pack document."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(problem)


class Condition:
    """A compiled condition; ``evaluate(facts)`` is a closure built once at load time."""

    __slots__ = ("description", "evaluate", "scope")

    def __init__(self, evaluate: Check, description: str, scope: str = "request") -> None:
        self.evaluate = evaluate
        self.description = description
        self.scope = scope  # "performer" when any part needs performer facts


def _scope(parts: list[Condition]) -> str:
    return "performer" if any(p.scope == "performer" for p in parts) else "request"


def AllOf(parts: list[Condition]) -> Condition:
    """Holds when every part holds; an empty AllOf is an error (it would hold vacuously)."""
    if not parts:
        raise ValueError("AllOf needs at least one condition")
    if len(parts) == 1:
        return parts[0]
    desc = f"all({', '.join(p.description for p in parts)})"
    return Condition(_chain([p.evaluate for p in parts], conjunction=True), desc, _scope(parts))


def AnyOf(parts: list[Condition]) -> Condition:
    """Holds when at least one part holds; an empty AnyOf is an error."""
    if not parts:
        raise ValueError("AnyOf needs at least one condition")
    if len(parts) == 1:
        return parts[0]
    desc = f"any({', '.join(p.description for p in parts)})"
    return Condition(_chain([p.evaluate for p in parts], conjunction=False), desc, _scope(parts))


def _chain(checks: list[Check], *, conjunction: bool) -> Check:
    """Short-circuiting and/or of closures, nested pairwise (faster than a generator per call)."""
    head, *rest = checks
    if not rest:
        return head
    tail = _chain(rest, conjunction=conjunction)
    if conjunction:
        return lambda f: head(f) and tail(f)
    return lambda f: head(f) or tail(f)


def Not(part: Condition) -> Condition:
    """Holds when ``part`` does not."""
    check = part.evaluate
    return Condition(lambda f: not check(f), f"not({part.description})", part.scope)


ALWAYS = Condition(lambda f: True, "always")
_ORDER = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
_OPS = ("eq", "ne", "in", "not_in", "contains", "any_in", "gt", "gte", "lt", "lte", "is_null")


def compile_condition(node: Any, path: Path, scope: str, defs: dict[str, Condition] | None = None) -> Condition:
    """Compile a condition mapping found at ``path``; ``scope`` is "request" or "performer".

    ``defs`` holds the named conditions usable with ``{use: NAME}``.

    Raises:
        LanguageError: the condition is malformed, names an unknown fact or has a literal of the wrong type.
    """
    if not isinstance(node, dict) or not node:
        raise LanguageError(path, "a condition must be a mapping: {all|any: [...]}, {not: ...} or {fact: ..., OP: ...}")
    if "fact" not in node:
        if len(node) != 1:
            raise LanguageError(path, f"a combinator takes exactly one key, got {sorted(map(str, node))}")
        ((key, value),) = node.items()
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise LanguageError((*path, key), f"'{key}' needs a non-empty list of conditions")
            parts = [compile_condition(v, (*path, key, i), scope, defs) for i, v in enumerate(value)]
            return AllOf(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return Not(compile_condition(value, (*path, key), scope, defs))
        if key == "use":
            named = (defs or {}).get(value) if isinstance(value, str) else None
            if named is None:
                known = ", ".join(defs or {}) or "none defined"
                raise LanguageError((*path, key), f"no named condition {value!r} defined before here (known: {known})")
            if named.scope == "performer" and scope != "performer":
                raise LanguageError(
                    (*path, key), f"condition {value!r} uses performer facts; needs 'for_each: performer'"
                )
            return named
        raise LanguageError((*path, key), f"unknown condition key {key!r} (use all, any, not, use or fact)")
    name = node["fact"]
    ftype = FACTS.get(name) if isinstance(name, str) else None
    if ftype is None:
        raise LanguageError((*path, "fact"), f"unknown fact {name!r}; known facts: {', '.join(FACTS)}")
    if ftype.scope == "performer" and scope != "performer":
        raise LanguageError((*path, "fact"), f"fact {name!r} needs 'for_each: performer' on the rule")
    ops = [k for k in node if k != "fact"]
    if len(ops) != 1 or ops[0] not in _OPS:
        raise LanguageError(path, f"a fact test needs exactly one operator of {', '.join(_OPS)}; got {ops}")
    op = ops[0]
    leaf = _leaf(name, ftype, op, node[op], (*path, op))
    leaf.scope = ftype.scope
    return leaf


def _leaf(name: str, ftype: FactType, op: str, raw: Any, path: Path) -> Condition:
    desc = f"{name} {op} {raw!r}"
    if op == "is_null":
        if not ftype.optional:
            raise LanguageError(path, f"fact {name!r} is never null; is_null does not apply")
        if not isinstance(raw, bool):
            raise LanguageError(path, "is_null takes true or false")
        want = raw
        return Condition(lambda f: (f[name] is None) is want, desc)
    if ftype.base == "list":
        if op == "contains":
            item = _literal(FactType("str"), raw, path, name)
            return Condition(lambda f: item in f[name], desc)
        if op == "any_in":
            items = frozenset(_literals(FactType("str"), raw, path, name))
            return Condition(lambda f: not items.isdisjoint(f[name]), desc)
        raise LanguageError(path, f"fact {name!r} is a list: use contains or any_in, not {op}")
    if op in ("contains", "any_in"):
        raise LanguageError(path, f"{op} applies to list facts only; {name!r} is a {ftype.base}")
    if op in ("eq", "ne"):
        value = _literal(ftype, raw, path, name)
        if op == "eq":
            return Condition(lambda f: f[name] == value, desc)
        return Condition(lambda f: f[name] != value, desc)
    if op in ("in", "not_in"):
        values = frozenset(_literals(ftype, raw, path, name))
        if op == "in":
            return Condition(lambda f: f[name] in values, desc)
        return Condition(lambda f: f[name] not in values, desc)
    if ftype.base not in ("int", "date", "datetime"):
        raise LanguageError(path, f"{op} compares int, date or datetime facts; {name!r} is a {ftype.base}")
    bound = _literal(FactType(ftype.base), raw, path, name)
    cmp = _ORDER[op]
    return Condition(lambda f: (v := f[name]) is not None and cmp(v, bound), desc)


def _literals(ftype: FactType, raw: Any, path: Path, name: str) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise LanguageError(path, f"expected a non-empty list of values for {name!r}")
    return [_literal(ftype, v, (*path, i), name) for i, v in enumerate(raw)]


def _literal(ftype: FactType, raw: Any, path: Path, name: str) -> Any:
    if raw is None:
        if ftype.optional:
            return None
        raise LanguageError(path, f"fact {name!r} is never null")
    base = ftype.base
    ok: bool
    if base == "str":
        ok = isinstance(raw, str)
    elif base == "bool":
        ok = isinstance(raw, bool)
    elif base == "int":
        ok = isinstance(raw, int) and not isinstance(raw, bool)
    elif base == "date":
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise LanguageError(path, f"{raw!r} is not an ISO date (YYYY-MM-DD) for {name!r}") from None
    elif base == "datetime":
        return _datetime(raw, path, name)
    else:
        ok = False
    if not ok:
        raise LanguageError(path, f"{raw!r} is not a {base} (fact {name!r} is a {base})")
    return raw


def _datetime(raw: Any, path: Path, name: str) -> datetime:
    text = str(raw)
    try:
        if len(text) == 10:
            return utc_midnight(date.fromisoformat(text))
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LanguageError(path, f"{raw!r} is not an ISO date or date-time for {name!r}") from None
    if value.tzinfo is None:
        raise LanguageError(path, f"{raw!r} needs a UTC offset (e.g. 2026-08-02T00:00:00Z)")
    return value


_PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")


class Template:
    """An explanation with ``{fact}`` placeholders, checked against the fact schema at load time."""

    __slots__ = ("names", "text")

    def __init__(self, text: str, path: Path, scope: str) -> None:
        stray = _PLACEHOLDER.sub("", text)
        if "{" in stray or "}" in stray:
            raise LanguageError(path, "braces in an explanation must enclose a fact name, e.g. {performer.id}")
        self.names = _PLACEHOLDER.findall(text)
        for n in self.names:
            ftype = FACTS.get(n)
            if ftype is None:
                raise LanguageError(path, f"explanation refers to unknown fact {{{n}}}")
            if ftype.scope == "performer" and scope != "performer":
                raise LanguageError(path, f"explanation uses {{{n}}}, which needs 'for_each: performer'")
        self.text = text

    def render(self, facts: Facts) -> str:
        """The explanation with each placeholder replaced by the fact's value."""
        if not self.names:
            return self.text
        return _PLACEHOLDER.sub(lambda m: _show(facts[m.group(1)]), self.text)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def memoized(cond: Condition, key: object) -> Condition:
    """``cond`` evaluated at most once per facts dict (named conditions are used by many rules).

    The result is stored in the facts dict under ``key`` (a tuple, never a fact name); facts dicts are private
    to one evaluation.
    """
    inner = cond.evaluate

    def evaluate(f: Facts) -> bool:
        try:
            return f[key]  # type: ignore[index,no-any-return]
        except KeyError:
            v = f[key] = inner(f)  # type: ignore[index]
            return v

    return Condition(evaluate, cond.description, cond.scope)
