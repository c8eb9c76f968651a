"""``cutproof serve``: run the HTTP API (OpenAPI at /docs) and the web console (/console)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cutproof.cli._common import ready_workspace


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes sharing the port (default CUTPROOF_PROCESSES, else 1). One process runs Python on "
            "about one core; use one per core for the most gate decisions per second.",
        ),
    ] = None,
    console: Annotated[
        bool, typer.Option("--console/--no-console", help="Serve the web console at /console (default on).")
    ] = True,
) -> None:
    """Run the API server (and the web console) for this workspace."""
    import uvicorn

    from cutproof.core.settings import Settings

    if console:
        from cutproof.console import create_app
    else:
        from cutproof.api import create_app
    factory = "cutproof.console.app" if console else "cutproof.api.app"

    ws = ready_workspace(ctx)
    ws.engine  # noqa: B018 - checks the schema once, here, rather than in every server process
    settings = Settings(home=ws.home, db=ws.db_url)
    n = processes or settings.processes
    if n == 1:
        uvicorn.run(create_app(settings, ws, freeze_heap=True), host=host, port=port, log_level="info")
        return
    settings.check_safe()  # refuse unsafe settings here, once, rather than in every child
    # The children are fresh interpreters that build their app from the environment: point them at this workspace.
    os.environ["CUTPROOF_HOME"] = str(ws.home.resolve())
    os.environ["CUTPROOF_DB"] = ws.db_url
    uvicorn.run(
        f"{factory}:create_app_from_environment",
        factory=True,
        workers=n,
        host=host,
        port=port,
        log_level="info",
    )
