"""``cutproof demo``: the end-to-end demo (``cutproof.demo.run``) or, with ``--ledger-only``, the ledger tour."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._common import workspace
from cutproof.demo.run import DEMO_HOME, FOOTAGE, run_demo


def _home_given(ctx: typer.Context) -> bool:
    source = ctx.find_root().get_parameter_source("home")
    return getattr(source, "name", "DEFAULT") != "DEFAULT"  # --home or CUTPROOF_HOME given


def demo(
    ctx: typer.Context,
    ledger_only: Annotated[bool, typer.Option("--ledger-only", help="Only the few-second ledger tour.")] = False,
    footage: Annotated[Path, typer.Option(help="Folder of camera files to use as dailies.")] = FOOTAGE,
    train_steps: Annotated[int, typer.Option(help="Lighting-model training steps.")] = 150,
) -> None:
    """Run the end-to-end demo in a fresh workspace (./demo-output unless --home is given)."""
    if ledger_only:
        from cutproof.demo.ledger_tour import fresh_demo_workspace, run_tour

        run_tour(workspace(ctx) if _home_given(ctx) else fresh_demo_workspace(ctx.find_root().params.get("db")))
        return
    home = ctx.find_root().params["home"] if _home_given(ctx) else DEMO_HOME
    run_demo(Path(home), footage, train_steps=train_steps)
