"""What every project page shares: the layout's context and small lookups."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData, UploadFile

from consent import ConsentError, ConsentRegistry
from cutproof.console.access import PageAccess, roles_in
from cutproof.core.auth import Role
from cutproof.core.inputs import safe_filename
from cutproof.core.projects import project_log
from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from cutproof.edits.requests import EditRequestRecord, RequestNotFoundError, RequestStore
from editor import Catalogue, Clip
from editor.errors import ClipNotFoundError


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def layout(page: PageAccess, nav: str) -> dict[str, Any]:
    """The layout's context: the project, the caller's roles in it (for navigation only), the user."""
    return {
        "project": page.project,
        "roles": roles_in(page.principal, page.project.slug),
        "user": page.principal.username,
        "nav": nav,
    }


def registry(ws: Workspace, page: PageAccess) -> ConsentRegistry:
    return ConsentRegistry(ws.engine, ws.blobs, project_log(ws, page.project), project=page.project.slug)


def performer_names(ws: Workspace, page: PageAccess) -> dict[str, str]:
    """Registered names by performer id — only for a caller the API would show performers to (legal)."""
    if not page.principal.has_role(page.project.slug, Role.LEGAL):
        return {}
    try:
        return {p.performer_id: p.name for p in registry(ws, page).performers()}
    except ConsentError:
        return {}


def get_request(ws: Workspace, page: PageAccess, request_id: str) -> EditRequestRecord:
    """One edit request of the project (404 otherwise, as the API)."""
    try:
        return RequestStore(ws.engine).get(request_id, page.project.slug)
    except RequestNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no edit request {request_id}") from None


def get_clip(ws: Workspace, page: PageAccess, content_hash: str) -> Clip:
    """A clip of the project's catalogue by content hash (404 otherwise)."""
    try:
        return Catalogue(ws.engine).get(content_hash, project=page.project.slug)
    except ClipNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no shot {content_hash[:12]} in this project") from None


def slate_text(clip: Clip) -> str:
    """``Scene 12 · shot A · take 3`` with what is known, else the file name."""
    s = clip.slate
    parts = [f"Scene {s.scene}" if s.scene else None, f"shot {s.shot}" if s.shot else None]
    parts.append(f"take {s.take}" if s.take is not None else None)
    text = " · ".join(p for p in parts if p)
    return text or clip.path.name


async def store_upload(ws: Workspace, page: PageAccess, upload: UploadFile) -> str:
    """An uploaded file into the content-addressed store, recorded as uploaded to the project (``blob:<sha256>``)."""
    name = safe_filename(upload.filename or "upload.bin")
    fd, tmp = tempfile.mkstemp(dir=ws.home, prefix=".upload-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                out.write(chunk)
        digest = await run_in_threadpool(ws.blobs.put_file, Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)
    await run_in_threadpool(
        record_upload, ws, page.project.slug, digest, size=size, filename=name, by=page.principal.identity
    )
    return f"blob:{digest}"


def form_files(form: FormData, name: str, most: int, what: str) -> list[UploadFile]:
    """The files chosen in ``form``'s file field ``name`` (those with a name): at least one, at most ``most``.

    Raises:
        HTTPException: 422, none chosen or too many (``what``: what the files are for, for the message).
    """
    files = [f for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"choose or drop at least one file to {what}")
    if len(files) > most:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{what} at most {most} files at once")
    return files


EVENTS_SECONDS = 120  # one event stream at most this long; the browser reconnects (each stream holds a request slot)


def event_stream(request: Request, snapshot: Callable[[], dict[str, Any]]) -> StreamingResponse:
    """Server-sent events of ``snapshot()`` (run in a thread, twice a second; a dict with ``final``): ``progress``
    whenever it changes, then ``done`` once it is final. The stream ends after ``EVENTS_SECONDS`` (the browser
    reconnects), and with ``ended`` when ``snapshot`` raises ``HTTPException`` (the session's token stopped
    authorizing it)."""

    async def stream() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        last = None
        deadline = time.monotonic() + EVENTS_SECONDS
        while time.monotonic() < deadline and not await request.is_disconnected():
            try:
                snap = await run_in_threadpool(snapshot)
            except HTTPException:
                yield "event: ended\ndata: {}\n\n"
                return
            text = json.dumps(snap, sort_keys=True)
            if text != last:
                yield f"event: {'done' if snap['final'] else 'progress'}\ndata: {text}\n\n"
                last = text
            if snap["final"]:
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
