"""The public verify page: anyone, without an account, drops a file and learns whether it carries Cutproof's marks
and what they say — the console face of ``POST /api/v1/verify`` (EU Code of Practice: a free detection interface).

Same answer (``cutproof.qc.public.public_verification``: the marks found, the production log's origin, the edit
kinds and time ranges, the signer, the time-stamp and the receipt — never performer, consent or contract data),
same per-address rate limit and size cap as the API route; the file is kept only while it is checked. The form
carries a double-submit token (cookie + field) as the sign-in form does: no session exists.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from cutproof.api.routes import verify as verify_route
from cutproof.console.pages._common import workspace
from cutproof.console.web import PREFIX, render
from cutproof.core.errors import USER_ERRORS
from cutproof.core.inputs import InputError, safe_filename
from cutproof.qc.public import public_verification

router = APIRouter()

VERIFY_COOKIE = "cutproof_verify"
CHUNK = 1 << 20


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "verify.html.j2", status_code, verify_csrf=token, **context)
    secure = request.app.state.settings.environment != "local" or request.url.scheme == "https"
    response.set_cookie(
        VERIFY_COOKIE, token, max_age=3600, path=PREFIX + "/verify", httponly=True, samesite="strict", secure=secure
    )
    return response


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> Response:
    return _page(request)


@router.post("/verify", response_class=HTMLResponse)
async def verify_drop(request: Request) -> Response:
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown-client"
    wait = verify_route.LIMITER.retry_after(client, settings.verify_per_minute)
    if wait:
        return _page(request, 429, error=f"At most {settings.verify_per_minute} checks a minute: retry in {wait} s.")
    form = await request.form()
    expected = request.cookies.get(VERIFY_COOKIE)
    if not expected or not secrets.compare_digest(expected, str(form.get("csrf_token") or "")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form expired or was not sent by this page; reload it")
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 422, error="Choose a video file to check.")
    try:
        name = safe_filename(Path(upload.filename.replace("\\", "/")).name)
    except InputError as exc:
        return _page(request, 422, error=str(exc))
    suffix = Path(name).suffix.lower()
    if suffix not in verify_route.VIDEO_SUFFIXES:
        kinds = ", ".join(sorted(verify_route.VIDEO_SUFFIXES))
        return _page(request, 422, error=f"{name} is not named as a video ({kinds}).")
    ws = workspace(request)
    fd, tmp = tempfile.mkstemp(dir=ws.home, prefix=".verify-", suffix=suffix)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > settings.verify_max_bytes:
                    return _page(request, 413, error=f"The file is larger than {settings.verify_max_bytes} bytes.")
                out.write(chunk)
        try:
            answer = await run_in_threadpool(public_verification, ws, Path(tmp))
        except USER_ERRORS as exc:  # not a video, truncated, …: said as such, nothing kept
            return _page(request, 422, error=f"{name} cannot be checked: {exc}")
    finally:
        Path(tmp).unlink(missing_ok=True)
    answer["file"] = name
    receipt = answer.get("receipt")
    return _page(request, answer=answer, receipt=json.dumps(receipt, indent=2) if receipt else None)
