"""``cutproof ledger …``: the signed transparency log from the command line.

Machine-readable output goes to stdout exactly as documented (auditors script against it); messages go to stderr.
Exit status: 0 success; 1 ``verify-receipt`` invalid or ``fsck`` found corruption; 2 bad input or unknown log.

The log's storage is imported by the commands that open a log, not at the top: ``verify-receipt`` checks a receipt
offline and ``--help`` reads nothing, so neither loads the database layer. The commands that do open the log run
it on ``Workspace.database``: on the embedded SQLite file that is the standard library's driver, so no ledger
command loads SQLAlchemy (auditors script them by the thousand; tests/cutproof/test_cli_startup.py keeps it so).
"""

from __future__ import annotations

import base64
import getpass
import json
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import ready_workspace
from cutproof.core.errors import CutproofError
from ledger.errors import EntryError, LedgerError, ReceiptError
from ledger.note import Verifier
from ledger.receipt import verify_receipt

if TYPE_CHECKING:
    from ledger import Ledger, Log

app = command_group(
    help="Signed, append-only, Merkle-proven ledger: append, checkpoints, receipts, proofs, fsck, export.",
    no_args_is_help=True,
)

LogOpt = Annotated[str, typer.Option("--log", help="Log origin, e.g. cutproof.local/my-film.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    sys.stderr.write(f"cutproof: error: {message}\n")
    raise typer.Exit(code)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn component errors into one line on stderr and exit status 2."""
    try:
        yield
    except (LedgerError, CutproofError) as exc:
        _fail(str(exc))


def _ledger(ctx: typer.Context) -> Ledger:
    from cutproof.core.workspace import open_ledger  # the database layer: see the module docstring

    return open_ledger(ready_workspace(ctx), alone=True)


def _log(ctx: typer.Context, origin: str) -> Log:
    return _ledger(ctx).open_log(origin)


def _refuse_project_log(ctx: typer.Context, origin: str) -> None:
    """A project's log holds only the records Cutproof's own commands write (after their checks: a consent grant
    through the registry, a decision through the gate): raw entries, even well-formed records, are refused there."""
    from cutproof.core.project_logs import project_of_log  # the database layer: see the module docstring

    project = project_of_log(ready_workspace(ctx), origin)
    if project is not None:
        _fail(
            f"{origin} is the log of project {project!r}: it holds only the records Cutproof's commands "
            "write, never raw entries; nothing was appended (append to a log of your own: "
            "`cutproof ledger create ORIGIN`)"
        )


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def default_identity() -> str:
    """``cli:<user>@<host>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"


@app.command()
def create(ctx: typer.Context, origin: Annotated[str, typer.Argument(help="Origin of the new log.")]) -> None:
    """Create a log with a fresh Ed25519 signing key; prints its verifier key."""
    with _user_errors():
        log = _ledger(ctx).create_log(origin)
        _out("\n".join(log.verifier_keys()) + "\n")
        sys.stderr.write(f"Created log {origin}; its signing key is in the workspace key directory.\n")


@app.command("list")
def list_logs(ctx: typer.Context) -> None:
    """List the logs: origin and size, tab-separated, one per line."""
    with _user_errors():
        led = _ledger(ctx)
        for origin in led.origins():
            _out(f"{origin}\t{led.open_log(origin).size()}\n")


def _parse_line(number: int, line: str) -> dict[str, Any]:
    def no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for k, v in pairs:
            if k in obj:
                raise ValueError(f"duplicate key {k!r}")
            obj[k] = v
        return obj

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        value = json.loads(line, object_pairs_hook=no_dupes, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:
        _fail(f"line {number}: not valid JSON ({exc}); nothing was appended")
    if not isinstance(value, dict):
        _fail(f"line {number}: expected a JSON object, got {type(value).__name__}; nothing was appended")
    return value


@app.command()
def append(
    ctx: typer.Context,
    log: LogOpt,
    identity: Annotated[
        str | None, typer.Option("--identity", help="Submitting identity (default cli:<user>@<host>).")
    ] = None,
) -> None:
    """Append JSON objects read one per line from stdin as one batch; prints {"index", "leaf_hash"} per entry."""
    entries: list[dict[str, Any]] = []
    numbers: list[int] = []
    try:
        raw = sys.stdin.buffer.read()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(f"stdin is not UTF-8 (byte {exc.start}); nothing was appended")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            entries.append(_parse_line(number, line))
            numbers.append(number)
    if not entries:
        _fail("no entries on stdin (expected one JSON object per line); nothing was appended")
    with _user_errors():
        _refuse_project_log(ctx, log)
        target = _log(ctx, log)
        try:
            appended = target.append(entries, identity=identity or default_identity())
        except EntryError as exc:
            if exc.position is None:
                raise
            msg = str(exc).removeprefix(f"entry #{exc.position}: ")
            _fail(f"line {numbers[exc.position]}: {msg}; nothing was appended")
    _out("".join(json.dumps({"index": a.index, "leaf_hash": a.leaf_hash_hex}) + "\n" for a in appended))


@app.command()
def checkpoint(ctx: typer.Context, log: LogOpt) -> None:
    """Print the latest signed checkpoint (C2SP signed note) verbatim."""
    with _user_errors():
        _out(_log(ctx, log).checkpoint())


@app.command()
def vkey(ctx: typer.Context, log: LogOpt) -> None:
    """Print the log's verifier keys (C2SP vkey format, current and rotated-out), one per line."""
    with _user_errors():
        _out("".join(v + "\n" for v in _log(ctx, log).verifier_keys()))


@app.command()
def get(ctx: typer.Context, log: LogOpt, index: Annotated[int, typer.Argument(help="Entry index.")]) -> None:
    """Write the entry's exact stored bytes to stdout."""
    with _user_errors():
        data = _log(ctx, log).entry(index)
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


@app.command()
def prove(
    ctx: typer.Context,
    log: LogOpt,
    index: Annotated[int, typer.Argument(help="Entry index.")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size of a published checkpoint.")] = None,
) -> None:
    """Print a c2sp.org/tlog-proof@v1 receipt for the entry (inclusion proof + signed checkpoint)."""
    with _user_errors():
        _out(_log(ctx, log).prove(index, size))


@app.command()
def consistency(
    ctx: typer.Context,
    log: LogOpt,
    old: Annotated[int, typer.Argument(help="Old tree size.")],
    new: Annotated[int | None, typer.Argument(help="New tree size (default: latest).")] = None,
) -> None:
    """Print the RFC 6962 consistency proof from OLD to NEW, one base64 hash per line."""
    with _user_errors():
        proof = _log(ctx, log).consistency_proof(old, new)
    _out("".join(base64.b64encode(h).decode() + "\n" for h in proof))


def _read_vkeys(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        path = Path(v)
        lines = path.read_text().split() if "+" not in v and path.is_file() else [v]
        for line in lines:
            try:
                Verifier.from_vkey(line)
            except LedgerError as exc:
                _fail(f"--vkey {line[:80]!r}: {exc}")
            out.append(line)
    return out


@app.command("verify-receipt")
def verify_receipt_cmd(
    receipt: Annotated[Path, typer.Argument(help="Receipt file (.tlog-proof).")],
    entry: Annotated[Path, typer.Option("--entry", help="File with the entry's exact bytes.")],
    vkey: Annotated[list[str], typer.Option("--vkey", help="Trusted verifier key, or a file of them (repeatable).")],
) -> None:
    """Verify a receipt offline: exit 0 if valid, 1 if invalid (with the reason)."""
    try:
        text = receipt.read_text(encoding="utf-8")
        data = entry.read_bytes()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {exc.filename if isinstance(exc, OSError) else receipt}: {exc}")
    keys = _read_vkeys(vkey)
    try:
        got = verify_receipt(text, data, keys)
    except ReceiptError as exc:
        _fail(f"invalid receipt: {exc}", code=1)
    _out(f"valid: entry {got.index} is in {got.origin} at tree size {got.size}\n")


@app.command("fsck")
def fsck_cmd(
    ctx: typer.Context,
    log: Annotated[str | None, typer.Option("--log", help="Check only this log (default: all).")] = None,
) -> None:
    """Re-derive every leaf, tile and root from storage and check all checkpoints; exit 1 on corruption."""
    from ledger.fsck import fsck

    with _user_errors():
        ws = ready_workspace(ctx)
        results = fsck(ws.database, [log] if log else None)
    bad = 0
    for r in results:
        if r.ok:
            _out(f"ok\t{r.origin}\tsize {r.size}\tchecked in {r.seconds:.3f} s\n")
        else:
            bad += 1
            _out(f"CORRUPT\t{r.origin}\t{r.problem}\n")
    if bad:
        raise typer.Exit(1)


@app.command("export-tiles")
def export_tiles_cmd(
    ctx: typer.Context, log: LogOpt, directory: Annotated[Path, typer.Argument(help="New output directory.")]
) -> None:
    """Write a static c2sp.org/tlog-tiles directory (checkpoint, tiles, entry bundles)."""
    from ledger.export import export_tiles

    with _user_errors():
        stats = export_tiles(_log(ctx, log), directory)
    _out(f"exported {stats.size} entries, {stats.tiles} tiles, {stats.bundles} entry bundles to {directory}\n")


@app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    log: LogOpt,
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Keep signing with the old key(s) too (overlap period).")
    ] = False,
    identity: Annotated[str | None, typer.Option("--identity", help="Who rotates (default cli:<user>@<host>).")] = None,
) -> None:
    """Add a new signing key (recorded as a key.rotated/1 entry signed by old and new keys); prints the new vkey."""
    with _user_errors():
        new = _log(ctx, log).rotate_key(retire_old=not keep_old, identity=identity or default_identity())
    _out(new + "\n")
