"""Terminal output of the short commands (``consent``, ``policy``, ``audit``, ``performer``, ``project``) without Rich.

Loading Rich is about a tenth of such a command's start-up (``bench/cli.py --instructions``), for a few lines and a
table. These commands print through ``console`` here instead, which reads the same markup as the Rich consoles of
the other commands, in the subset the program writes, and draws tables the way Rich's default table does:

- **Markup**: ``[bold]``, ``[red]``, ``[bold red]`` … open a style, ``[/]`` closes the last one, ``[/red]`` the
  last ``red``; a tag preceded by an odd number of backslashes is literal text (``esc`` adds one), exactly Rich's
  syntax and escaping (``rich.markup``), so ``esc`` serves both kinds of console. Styles are shown with ANSI codes on
  a terminal (not with ``NO_COLOR`` or ``TERM=dumb``; ``FORCE_COLOR`` forces them); elsewhere the text is plain.
- **Tables**: Rich's ``HEAVY_HEAD`` box (ASCII where the output's encoding cannot draw it), a bold header, cells
  padded by one space, an optional title centred above and lines between rows; when the table is wider than the
  terminal (``COLUMNS``, else the terminal's width, else 80) the widest columns are narrowed first (Rich's
  ``_collapse_widths`` and ``ratio_reduce``) and cells wrap at spaces, folding words longer than their column.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterator

__all__ = ["Table", "console", "esc"]

_TAG = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "red": "31", "green": "32", "yellow": "33",
        "blue": "34", "magenta": "35", "cyan": "36"}  # fmt: skip
_BOXES = {
    "unicode": ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "├─┼┤", "└─┴┘"),
    "ascii": ("+-++", "| ||", "|-+|", "| ||", "|-+|", "+-++"),
}
Run = tuple[str, tuple[str, ...]]  # text and the styles it is shown in


def esc(value: object) -> str:
    """``str(value)`` with markup escaped (``rich.markup.escape``'s rule): it prints as written through this console
    or a Rich one. Use it for every value that is not the program's own words."""
    text = _ESCAPE.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", str(value))
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text


def parse(markup: str) -> list[Run]:
    """Markup as runs of plain text with their styles (``rich.markup.render``'s reading of tags and escapes)."""
    runs: list[Run] = []
    styles: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        full, escapes, tag = match.groups()
        start, end = match.span()
        if start > position:
            runs.append((markup[position:start].replace("\\[", "["), tuple(styles)))
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            runs.append(("\\" * backslashes, tuple(styles)))
            if escaped:
                runs.append((full[len(escapes) :], tuple(styles)))
                continue
        if tag.startswith("/"):
            name = tag[1:].strip()
            if not name and styles:
                styles.pop()
            elif name in styles:
                del styles[len(styles) - 1 - styles[::-1].index(name)]
        else:
            styles.append(tag.strip())
    if position < len(markup):
        runs.append((markup[position:].replace("\\[", "["), tuple(styles)))
    return [r for r in runs if r[0]]


def cell_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: East Asian wide and full-width characters take two, combining marks
    (a decomposed accent) and invisible format characters none."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(c: str) -> int:
    if unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _colour(stream: object) -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _show(runs: list[Run], colour: bool) -> str:
    if not colour:
        return "".join(text for text, _ in runs)
    out = []
    for text, styles in runs:
        codes = [_SGR[w] for s in styles for w in s.split() if w in _SGR]
        out.append(f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text)
    return "".join(out)


class Table:
    """A table of text cells (markup allowed), drawn like Rich's default table (see the module's doc)."""

    def __init__(self, *headers: str, title: str | None = None, show_lines: bool = False) -> None:
        self.headers = list(headers)
        self.title = title
        self.show_lines = show_lines
        self.rows: list[list[str]] = []

    def add_row(self, *cells: str) -> None:
        if len(cells) != len(self.headers):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(self.headers)} columns")
        self.rows.append(list(cells))

    def transcoded(self, encoding: str) -> Table:
        """This table with every character ``encoding`` cannot hold written as its escape (``\\xeb``)."""

        def fit(text: str) -> str:
            return text.encode(encoding, "backslashreplace").decode(encoding)

        table = Table(
            *map(fit, self.headers), title=fit(self.title) if self.title else None, show_lines=self.show_lines
        )
        table.rows = [[fit(c) for c in row] for row in self.rows]
        return table

    def lines(self, width: int, *, colour: bool = False, unicode: bool = True) -> Iterator[str]:
        """The table drawn within ``width`` terminal columns, line by line."""
        top, head, head_row, mid, row_sep, bottom = _BOXES["unicode" if unicode else "ascii"]
        header = [[(h, ("bold",))] for h in self.headers]
        body = [[parse(c) for c in row] for row in self.rows]
        widths = _widths([header, *body], width - len(self.headers) - 1)
        total = sum(widths) + len(widths) + 1
        for line in _wrap([(self.title, ("italic",))], total) if self.title else []:  # centred over the table
            free = max(0, total - sum(cell_len(t) for t, _ in line))
            yield " " * (free // 2) + _show(line, colour) + " " * (free - free // 2)
        yield _rule(top, widths)
        yield from _row(header, widths, head, colour, bottom=True)
        yield _rule(head_row, widths)
        for i, cells in enumerate(body):
            if i and self.show_lines:
                yield _rule(row_sep, widths)
            yield from _row(cells, widths, mid, colour)
        yield _rule(bottom, widths)


def _rule(chars: str, widths: list[int]) -> str:
    left, fill, cross, right = chars
    return left + cross.join(fill * w for w in widths) + right


def _row(cells: list[list[Run]], widths: list[int], chars: str, colour: bool, *, bottom: bool = False) -> Iterator[str]:
    """One row of the table: cells top-aligned (a header's ``bottom``-aligned, as Rich draws them)."""
    left, _, cross, right = chars
    wrapped = [_wrap(runs, w - 2) for runs, w in zip(cells, widths, strict=True)]
    height = max(len(w) for w in wrapped)
    if bottom:
        wrapped = [[[]] * (height - len(lines)) + lines for lines in wrapped]
    for n in range(height):
        parts = []
        for lines, w in zip(wrapped, widths, strict=True):
            line = lines[n] if n < len(lines) else []
            used = sum(cell_len(t) for t, _ in line)
            parts.append(" " + _show(line, colour) + " " * (w - 2 - used) + " ")
        yield left + cross.join(parts) + right


def _words(runs: list[Run]) -> list[list[Run]]:
    """Words (with the spaces after them) of one line of runs, each word a list of runs."""
    words: list[list[Run]] = [[]]
    for text, styles in runs:
        for piece in re.split(r"(?<= )(?=[^ ])", text):
            if piece and words[-1] and words[-1][-1][0].endswith(" "):
                words.append([])
            if piece:
                words[-1].append((piece, styles))
    return [w for w in words if w]


def _wrap(runs: list[Run], width: int) -> list[list[Run]]:
    """Lines of at most ``width`` columns: breaks at spaces, folds a word longer than a line."""
    width = max(width, 1)
    lines: list[list[Run]] = []
    for paragraph in _split_lines(runs):
        line: list[Run] = []
        used = 0
        for word in _words(paragraph):
            size = sum(cell_len(t) for t, _ in word)
            bare = size - (len(word[-1][0]) - len(word[-1][0].rstrip(" ")))
            if used and used + bare > width:
                lines.append(_rstrip(line))
                line, used = [], 0
            while bare > width:  # fold a word that no line can hold
                head, word = _take(word, width - used)
                line += head
                lines.append(_rstrip(line))
                line, used = [], 0
                size = sum(cell_len(t) for t, _ in word)
                bare = size - (len(word[-1][0]) - len(word[-1][0].rstrip(" "))) if word else 0
            line += word
            used += size
        lines.append(_rstrip(line))
    return lines or [[]]


def _split_lines(runs: list[Run]) -> list[list[Run]]:
    lines: list[list[Run]] = [[]]
    for text, styles in runs:
        first, *rest = text.split("\n")
        lines[-1].append((first, styles))
        lines += [[(r, styles)] for r in rest]
    return lines


def _take(word: list[Run], width: int) -> tuple[list[Run], list[Run]]:
    head: list[Run] = []
    rest = list(word)
    while rest and width > 0:
        text, styles = rest.pop(0)
        n = 0
        while n < len(text) and cell_len(text[: n + 1]) <= width:
            n += 1
        n = max(n, 1) if not head else n
        if n:
            head.append((text[:n], styles))
            width -= cell_len(text[:n])
        if n < len(text):
            rest.insert(0, (text[n:], styles))
            break
    return head, rest


def _rstrip(line: list[Run]) -> list[Run]:
    if line and line[-1][0].endswith(" "):
        text, styles = line[-1]
        line = [*line[:-1], (text.rstrip(" "), styles)]
    return [r for r in line if r[0]]


def _widths(rows: list[list[list[Run]]], available: int) -> list[int]:
    """Column widths (padding included) within ``available`` columns: Rich's collapse of the widest columns."""
    widths = []
    for col in range(len(rows[0])):
        longest = max(cell_len(line) for row in rows for line in "".join(t for t, _ in row[col]).split("\n"))
        widths.append(longest + 2)
    if sum(widths) > available:
        widths = _collapse(widths, available)
        if sum(widths) > available:
            widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
        widths = [max(w, 3) for w in widths]
    return widths


def _collapse(widths: list[int], available: int) -> list[int]:
    excess = sum(widths) - available
    while excess > 0:
        largest = max(widths)
        second = max((w for w in widths if w != largest), default=0)
        ratios = [1 if w == largest else 0 for w in widths]
        if largest == second:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, largest - second)] * len(widths), widths)
        excess = sum(widths) - available
    return widths


def _ratio_reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining, out = total, []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            cut = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - cut)
            remaining -= cut
            total_ratio -= ratio
        else:
            out.append(value)
    return out


class _Console:
    """Prints markup and tables to standard output (or standard error), resolved at each call. A character the
    output's encoding cannot hold is written as its escape (``Zo\\xeb``), not left to end the command with a
    ``UnicodeEncodeError``; tables are drawn in ASCII there."""

    def __init__(self, *, stderr: bool = False) -> None:
        self.stderr = stderr

    def print(self, obj: str | Table) -> None:
        """One line of markup, or a table."""
        stream = sys.stderr if self.stderr else sys.stdout
        colour = _colour(stream)
        encoding = getattr(stream, "encoding", None) or "utf-8"
        unicode = encoding.lower().replace("-", "").startswith("utf")
        if isinstance(obj, Table):
            width = shutil.get_terminal_size((80, 24)).columns
            if not unicode:  # escape what the output cannot hold before the columns are measured
                obj = obj.transcoded(encoding)
            lines = list(obj.lines(width, colour=colour, unicode=unicode))
        else:
            lines = [_show(parse(obj), colour)]
        for line in lines:
            stream.write((line if unicode else line.encode(encoding, "backslashreplace").decode(encoding)) + "\n")
        stream.flush()


console = _Console()
