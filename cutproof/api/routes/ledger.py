"""The ledger's read-only face: checkpoints, entries, receipts, consistency proofs and verifier keys.

With ``CUTPROOF_PUBLIC_LEDGER=true`` these routes answer without a token (so any tlog client or auditor can
follow the log); otherwise any member of the project may read them. Unknown projects answer 404 either way.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from cutproof.api.deps import SettingsDep, WorkspaceDep, get_principal
from cutproof.core.inputs import MAX_TREE_SIZE
from cutproof.core.projects import Project, ProjectError, get_project, project_log
from ledger import Log
from ledger.export import read_tile_path

router = APIRouter(tags=["ledger"])

TEXT = "text/plain; charset=utf-8"


def _bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=value)


def _project_log(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    project: Annotated[str, Path(max_length=63)],
) -> Log:
    if not settings.public_ledger:
        principal = get_principal(ws, settings, _bearer_credentials(request))  # 401 without a valid token
        if not principal.is_member(project):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"project {project!r} not found")
    try:
        p: Project = get_project(ws, project)
    except ProjectError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"project {project!r} not found") from None
    return project_log(ws, p)


LogDep = Annotated[Log, Depends(_project_log)]


@router.get("/projects/{project}/ledger/checkpoint", response_class=PlainTextResponse)
def checkpoint(log: LogDep) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note), verbatim."""
    return PlainTextResponse(log.checkpoint(), media_type=TEXT)


@router.get("/projects/{project}/ledger/vkeys", response_class=PlainTextResponse)
def vkeys(log: LogDep) -> PlainTextResponse:
    """The log's verifier keys (C2SP vkey format), one per line."""
    return PlainTextResponse("".join(k + "\n" for k in log.verifier_keys()), media_type=TEXT)


@router.get("/projects/{project}/ledger/entries/{index}")
def entry(log: LogDep, index: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE)]) -> Response:
    """An entry's exact stored bytes (RFC 8785 canonical JSON)."""
    return Response(log.entry(index), media_type="application/json")


@router.get("/projects/{project}/ledger/entries/{index}/receipt", response_class=PlainTextResponse)
def receipt(
    log: LogDep,
    index: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE)],
    size: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE)] = None,
) -> PlainTextResponse:
    """A ``c2sp.org/tlog-proof@v1`` receipt for the entry, verifiable offline."""
    return PlainTextResponse(log.prove(index, size), media_type=TEXT)


@router.get("/projects/{project}/ledger/consistency", response_class=PlainTextResponse)
def consistency(
    log: LogDep,
    old: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE)],
    new: Annotated[int | None, Query(ge=0, le=MAX_TREE_SIZE)] = None,
) -> PlainTextResponse:
    """A consistency proof from tree size ``old`` to ``new`` (default: the latest), one base64 hash per line."""
    proof = log.consistency_proof(old, new)
    return PlainTextResponse("".join(base64.b64encode(h).decode() + "\n" for h in proof), media_type=TEXT)


@router.get("/projects/{project}/ledger/tlog/{path:path}")
def tlog_tiles(log: LogDep, path: str) -> Response:
    """The log as a tlog-tiles server (``checkpoint``, ``tile/<L>/<N>[.p/<W>]``, ``tile/entries/<N>[.p/<W>]``)."""
    data = read_tile_path(log, path)
    return Response(
        data, media_type="text/plain; charset=utf-8" if path == "checkpoint" else "application/octet-stream"
    )
