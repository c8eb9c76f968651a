"""``cutproof verify FILE``: the free verification answer — does the file carry Cutproof's marks, and what they say
(origin, edit kinds and time ranges, time-stamp, ledger receipt); never performer, consent or contract data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._common import ready_workspace


def verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The video file to check.")],
) -> None:
    """Does a file carry Cutproof marks, and what do they say (public).

    Prints the answer as JSON; exit 0 when Cutproof marks were found, 1 when none were.
    """
    from cutproof.qc.public import public_verification

    answer = public_verification(ready_workspace(ctx), file)
    print(json.dumps(answer, indent=2, sort_keys=True))
    raise typer.Exit(0 if answer["carries_cutproof_marks"] else 1)
