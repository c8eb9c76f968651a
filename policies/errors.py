"""Errors raised by the policy packs and the evaluator.

    PolicyError                 base: something about policies, packs or a request is wrong
    ├── PackError               a policy pack is malformed (file, line and what is wrong)
    ├── RequestError            an edit request (or its inline consent state) is malformed (field and problem)
    │   └── UnknownPerformerError   the request touches a performer the consent state does not know
    └── ReviewError             a review sign-off does not fit the decision it claims to sign off

Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class PolicyError(Exception):
    """Base class of every error raised by the policy packs and the evaluator."""


class PackError(PolicyError):
    """A policy pack is malformed; the message names the file, the line and what is wrong.

    Attributes:
        file: the pack's file name (or ``<string>``).
        line: 1-based line number, or ``None`` when the problem is not tied to a line.
        problem: what is wrong, without the location.
    """

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"invalid policy pack {where}: {problem}")


class RequestError(PolicyError):
    """An edit request or its inline consent state is malformed; the message names the field.

    Attributes:
        field: dotted path of the offending field (e.g. ``request.edit.kind``), or ``""``.
        problem: what is wrong.
    """

    def __init__(self, field: str, problem: str, *, file: str | None = None, line: int | None = None) -> None:
        self.field = field
        self.problem = problem
        where = ""
        if file is not None:
            where = f"{file}:{line}: " if line is not None else f"{file}: "
        target = f"field {field!r}: " if field else ""
        super().__init__(f"invalid edit request: {where}{target}{problem}")


class UnknownPerformerError(RequestError):
    """The request touches a performer that is not registered in the consent state it is evaluated against."""


class ReviewError(PolicyError):
    """A review sign-off does not belong to the decision, or the decision is not awaiting review."""
