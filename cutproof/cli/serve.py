"""``cutproof serve``: run the HTTP API (OpenAPI at /docs)."""

from __future__ import annotations

from typing import Annotated

import typer

from cutproof.cli._common import ready_workspace


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the API server for this workspace."""
    import uvicorn

    from cutproof.api import create_app
    from cutproof.settings import Settings

    ws = ready_workspace(ctx)
    settings = Settings(home=ws.home, db=ws.db_url)
    uvicorn.run(create_app(settings, ws), host=host, port=port, log_level="info")
