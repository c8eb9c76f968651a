"""The short commands' terminal output without Rich (``cutproof.cli._plain``): the same markup, escaping and tables
as Rich's, checked against Rich itself; colour only on a terminal."""

from __future__ import annotations

import io
import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape, render
from rich.table import Table as RichTable

from cutproof.cli import _plain
from cutproof.cli._plain import Table, esc, parse

PIECES = ["[bold]", "[/]", "[red]", "[/red]", "[bold red]", "[green]", "\\", "\\\\", "[", "]", "a", " ", "[x", "é"]
markup = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
# letters, a precomposed and a decomposed accent, a double-width character
LETTERS = [*string.ascii_letters, *"-_./é", "e\u0301", "日"]
word = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=6).map("".join)
cell = st.lists(word, max_size=6).map(" ".join)


@given(markup)
def test_escape_and_markup_read_as_rich_reads_them(text: str) -> None:
    assert esc(text) == escape(text)
    assert "".join(t for t, _ in parse(esc(text))) == render(escape(text)).plain
    try:
        expected = render(text)
    except MarkupError:  # a closing tag with nothing open: Rich refuses it; the program never writes one
        return
    assert "".join(t for t, _ in parse(text)) == expected.plain
    theirs = [sorted(str(sp.style) for sp in expected.spans if sp.start <= i < sp.end) for i in range(len(expected))]
    ours = [sorted(styles) for t, styles in parse(text) for _ in t]
    assert ours == theirs  # every character in the same styles


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(word, min_size=1, max_size=5),
    rows=st.lists(st.lists(cell, min_size=5, max_size=5), max_size=4),
    width=st.sampled_from([80, 100, 120]),
    lines=st.booleans(),
    title=st.sampled_from([None, "Policy packs"]),
)
def test_tables_are_drawn_as_rich_draws_them(
    headers: list[str], rows: list[list[str]], width: int, lines: bool, title: str | None
) -> None:
    ours = Table(*headers, title=title, show_lines=lines)
    theirs = RichTable(title=title, show_lines=lines)
    for h in headers:
        theirs.add_column(h, overflow="fold")
    for row in rows:
        ours.add_row(*[esc(c) for c in row[: len(headers)]])
        theirs.add_row(*[escape(c) for c in row[: len(headers)]])
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, emoji=False).print(theirs)
    assert "\n".join(ours.lines(width)) + "\n" == out.getvalue()


def test_a_word_longer_than_its_column_is_folded_and_nothing_is_lost() -> None:
    table = Table("grant", "scope")
    grant = "cg_" + "0123456789abcdef" * 2
    table.add_row(grant, "digital_alteration: relight, background for continuity; shots all")
    drawn = list(table.lines(30, unicode=False))
    assert {len(line) for line in drawn} == {30}  # every line fills the width exactly
    cells = [line.split("|")[1:-1] for line in drawn if line.startswith("| ")]
    assert "".join(c[0].strip() for c in cells[1:]) == grant  # folded, in order, whole
    scope = "digital_alteration: relight, background for continuity; shots all"
    assert "".join(c[1] for c in cells[1:]).replace(" ", "") == scope.replace(" ", "")  # every character, in order
    assert re.fullmatch(r"\+-+\+-+\+", drawn[0])  # ASCII where the output cannot draw boxes


def test_colour_only_on_a_terminal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("FORCE_COLOR", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    tty = Terminal()
    monkeypatch.setattr("sys.stdout", tty)
    _plain.console.print(f"[bold red]DENY[/] for {esc('[bold]mara[/]')}")
    assert tty.getvalue() == "\x1b[1;31mDENY\x1b[0m for [bold]mara[/]\n"
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    monkeypatch.setattr("sys.stdout", plain)
    _plain.console.print("[green]OK[/]")
    assert plain.getvalue() == "OK\n"
    piped = io.StringIO()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout", piped)
    _plain.console.print("[green]OK[/] \\[not a tag]")
    assert piped.getvalue() == "OK [not a tag]\n"


def test_an_output_that_cannot_hold_a_character_gets_its_escape(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Under ``PYTHONIOENCODING=ascii`` (or a Latin-1 terminal) a name or a citation's dash does not end the command
    with a ``UnicodeEncodeError``: it is written as its escape, and tables are drawn in ASCII."""
    raw = io.BytesIO()
    ascii_out = io.TextIOWrapper(raw, encoding="ascii")
    monkeypatch.setattr("sys.stdout", ascii_out)
    table = Table("performer", "note")
    table.add_row(esc("Zoë Ångström"), "SAG-AFTRA 2023 — reported")
    _plain.console.print(table)
    _plain.console.print("Revoked for Zoë")
    text = raw.getvalue().decode("ascii")
    assert "Zo\\xeb \\xc5ngstr\\xf6m" in text and "2023 \\u2014 reported" in text
    assert text.splitlines()[0].startswith("+-") and text.endswith("Revoked for Zo\\xeb\n")
    assert len({len(line) for line in text.splitlines()[:-1]}) == 1  # the escapes measured: the columns line up
