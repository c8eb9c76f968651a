"""Entry point of the ``cutproof`` command line.

The root group knows each top-level command from ``COMMANDS`` (name, module, one-line help) and imports a
command's module only when that command is used (``cutproof.cli._lazy``): ``cutproof --help`` imports no command
module, ``cutproof ledger prove`` only ``cutproof.cli.ledger``. The order of ``COMMANDS`` is the order of
``cutproof --help``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from cutproof.cli import _collector
from cutproof.cli._app import command_group
from cutproof.cli._lazy import LazyCommand, lazy_group
from cutproof.core.errors import USER_ERRORS
from cutproof.core.workspace import DEFAULT_HOME, Workspace

COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("serve", "cutproof.cli.serve:serve", "Run the API server (and the web console) for this workspace."),
    LazyCommand(
        "audit",
        "cutproof.cli.audit:audit",
        "Audit consent per shot: edits, performers, basis (with document hashes), sign-offs, labels, flags.",
    ),
    LazyCommand(
        "demo",
        "cutproof.cli.demo:demo",
        "Run the end-to-end demo in a fresh workspace (./demo-output unless --home is given).",
    ),
    LazyCommand(
        "init",
        "cutproof.cli.workspace:init",
        "Create the workspace: database schema, key directory and blob store (safe to run again).",
    ),
    LazyCommand("policy", "cutproof.cli.policy:app", "Validate policy packs and evaluate edit requests."),
    LazyCommand("project", "cutproof.cli.project:app", "Create and inspect projects."),
    LazyCommand("user", "cutproof.cli.access:user_app", "Manage API users."),
    LazyCommand("member", "cutproof.cli.access:member_app", "Give users roles in projects."),
    LazyCommand("token", "cutproof.cli.access:token_app", "Create, list and revoke API tokens."),
    LazyCommand("request", "cutproof.cli.requests:request_app", "Submit gated edit requests and review them."),
    LazyCommand("jobs", "cutproof.cli.requests:jobs_app", "Render jobs: run, list, cancel."),
    LazyCommand("performer", "cutproof.cli.performer:performer_app", "Register and list the performers of a project."),
    LazyCommand(
        "consent",
        "cutproof.cli.consent:consent_app",
        "Record consent grants, revocations and suspensions; show what covered whom, with ledger receipts.",
    ),
    LazyCommand(
        "watermark",
        "cutproof.cli.watermark:app",
        "Embed or detect the invisible watermark (video cutproof-wm/2, reads /1 too; audio cutproof-awm/1; one 64-bit"
        " key).",
    ),
    LazyCommand(
        "ledger",
        "cutproof.cli.ledger:app",
        "Signed, append-only, Merkle-proven ledger: append, checkpoints, receipts, proofs, fsck, export.",
    ),
    LazyCommand("db", "cutproof.cli.db:app", "Upgrade the database schema and show where it stands."),
    LazyCommand("identity", "cutproof.cli.identity:app", "The C2PA signing identity deliverables are signed with."),
    LazyCommand("trust", "cutproof.cli.trust:app", "Trust lists: the camera CAs whose signed dailies are trusted."),
    LazyCommand("qc", "cutproof.cli.qc:app", "Delivery QC: verify a deliverable before distribution."),
    LazyCommand(
        "verify", "cutproof.cli.verify:verify", "Does a file carry Cutproof marks, and what do they say (public)."
    ),
    LazyCommand("dailies", "cutproof.cli.dailies:dailies_app", "Ingest and catalogue dailies."),
    LazyCommand("model", "cutproof.cli.editing:model_app", "Train and list the project's models."),
    LazyCommand("edit", "cutproof.cli.editing:edit_app", "Apply edits with the project's models."),
    LazyCommand(
        "cast",
        "cutproof.cli.cast:app",
        "Who is in the shot: tag performers' faces, train the cast model, match faces.",
    ),
)

app = command_group(
    name="cutproof",
    help="Make AI edits to film and TV footage, and prove them.",
    cls=lazy_group(*COMMANDS),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never print locals: they may hold key material
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    home: Annotated[
        Path, typer.Option("--home", envvar="CUTPROOF_HOME", help="Workspace directory (database, keys, blobs).")
    ] = DEFAULT_HOME,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="CUTPROOF_DB", help="SQLAlchemy database URL (default: SQLite in --home)."),
    ] = None,
    tsa_url: Annotated[
        str | None,
        typer.Option(
            "--tsa-url", envvar="CUTPROOF_TSA_URL", help="RFC 3161 time-stamp authority for C2PA claim signatures."
        ),
    ] = None,
) -> None:
    _collector.command_starts(ctx.invoked_subcommand)
    ctx.obj = Workspace(home, db, tsa_url=tsa_url)


_PLUGINS_OFF = ("__all__", "1", "true")  # the values pydantic's loader reads as "no plugins"
_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugin_loader() -> None:
    """Cutproof uses no pydantic plugin. Looking for one scans the metadata of every installed package, and even
    with plugins turned off (``PYDANTIC_DISABLE_PLUGINS``) pydantic imports its loader, and ``importlib.metadata``
    with it, to build the first validator: about 5 % of a command's start-up. Unless the user turned plugins on,
    a stand-in loader answers "no plugins" without that import; should the variable be changed to allow plugins
    later in the process, the stand-in steps aside and the real loader answers from then on.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # a user's own setting is kept
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] not in _PLUGINS_OFF or _PLUGIN_LOADER in sys.modules:
        return
    stand_in = ModuleType(_PLUGIN_LOADER, "Cutproof's stand-in for pydantic's plugin loader: no plugins.")

    def get_plugins() -> tuple[()] | Iterable[object]:
        if os.environ.get("PYDANTIC_DISABLE_PLUGINS") in _PLUGINS_OFF:
            return ()
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]
        return importlib.import_module(_PLUGIN_LOADER).get_plugins()

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    sys.modules[_PLUGIN_LOADER] = stand_in


def main() -> None:
    """Run the CLI; errors of the components become one line on stderr and exit status 2."""
    _collector.pause()  # resumed by the root callback unless the command is a short one (cutproof.cli._collector)
    _no_plugin_loader()
    try:
        app()
    except USER_ERRORS as exc:
        print(f"cutproof: error: {exc}", file=sys.stderr)
        sys.exit(2)
