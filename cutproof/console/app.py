"""The API's app with the console installed: pages under ``/console``, static files, headers, error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from cutproof.api.app import create_app as create_api_app
from cutproof.console.pages import audit, cast, dailies, editors, home, ledger, legal, members, models, qc, verify
from cutproof.console.web import PREFIX, STATIC, SecurityHeaders, install_error_pages
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

PAGE_MODULES = (home, legal, audit, editors, cast, dailies, models, qc, ledger, members, verify)


def install(app: FastAPI) -> FastAPI:
    """Add the console to an API app built by ``cutproof.api.create_app`` (its workspace and settings)."""
    for module in PAGE_MODULES:
        app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
    app.mount(STATIC, StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PREFIX + "/", status_code=303)

    install_error_pages(app)
    app.add_middleware(SecurityHeaders)
    return app


def create_app(settings: Settings | None = None, workspace: Workspace | None = None, **kwargs: Any) -> FastAPI:
    """``cutproof.api.create_app`` (same arguments) with the console installed.

    Raises:
        SettingsError, WorkspaceError: as ``cutproof.api.create_app``.
    """
    return install(create_api_app(settings, workspace, **kwargs))


def create_app_from_environment() -> FastAPI:
    """The app of one of several server processes (``cutproof serve --processes N``), with the console."""
    return create_app(Settings(), elect_pool=True, freeze_heap=True)
