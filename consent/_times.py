"""Time primitives of the consent clock: checking that a window is not empty, comparing instants, whole years
between two instants. Re-exported by ``consent.clock`` (the public module, which explains the rules they serve):
import them from there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class WindowError(ValueError):
    """A time window ends at or before it starts."""


def check_window(start: datetime, end: datetime | None, what: str, start_name: str = "its start") -> None:
    """Check ``[start, end)`` is not empty (``what`` names the end, ``start_name`` the start, in the message).

    Raises:
        WindowError: ``end`` is at or before ``start``.
    """
    if end is not None and end <= start:
        raise WindowError(f"{what} {end.isoformat()} is not after {start_name} {start.isoformat()}")


def check_not_before(earlier: datetime, later: datetime, what: str) -> None:
    """Check ``later`` is not before ``earlier``.

    Raises:
        WindowError: it is.
    """
    if later < earlier:
        raise WindowError(f"{what} {later.isoformat()} is before {earlier.isoformat()}")


def earlier(a: datetime, b: datetime) -> datetime:
    """The earlier of two instants."""
    return a if a <= b else b


def in_future(value: datetime, now: datetime, tolerance: timedelta) -> bool:
    """Whether ``value`` lies after ``now`` by more than ``tolerance`` (clock skew between machines)."""
    return value > now + tolerance


def whole_years(start: datetime, end: datetime) -> int:
    """Whole years from ``start`` to ``end``, in UTC (negative when ``end`` is earlier): e.g. the years since a
    performer's death at the time of an edit (post-mortem consent windows)."""
    a, b = start.astimezone(UTC), end.astimezone(UTC)
    years = b.year - a.year
    if (b.month, b.day, b.time()) < (a.month, a.day, a.time()):
        years -= 1
    return years
