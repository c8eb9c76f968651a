"""``POST /verify``: the free verification interface (EU Code of Practice, detection) — unauthenticated, rate-limited
per client address and size-capped.

The body is the file itself (``application/octet-stream``; ``X-Filename`` gives its suffix). It is streamed to a
temporary file in the workspace, checked (``cutproof.qc.public.public_verification``) and deleted; nothing of it is
kept. The answer holds public facts only: the marks found, the production log's origin, the edit kinds and time
ranges, the time-stamp and the ledger receipt — never performer, consent or contract data.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from cutproof.api.deps import SettingsDep, WorkspaceDep
from cutproof.core.errors import CutproofError
from cutproof.qc.public import public_verification
from store.blobs import BlobTooLargeError

router = APIRouter(tags=["verify"])
WINDOW_S = 60.0
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".mxf"})


class VerifyInputError(CutproofError):
    """The file sent to ``/verify`` is not one that can be checked (its name has no video suffix)."""


class _RateLimiter:
    """At most ``limit`` requests per client address in any ``WINDOW_S`` seconds (in this process)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, limit: int) -> int:
        """0 when the request may go ahead (and is counted), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            q = self._seen.setdefault(client, deque())
            while q and now - q[0] >= WINDOW_S:
                q.popleft()
            if len(q) >= limit:
                return max(1, int(WINDOW_S - (now - q[0])) + 1)
            q.append(now)
            if len(self._seen) > 10_000:  # forget idle clients
                for key in [k for k, v in self._seen.items() if not v]:
                    del self._seen[key]
            return 0


LIMITER = _RateLimiter()
"""The per-address limit of the free verification interface, shared by this route and the console's public page."""


@router.post("/verify", response_model=None)
async def verify_file(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    x_filename: Annotated[str, Header(max_length=255)] = "file.mp4",
) -> JSONResponse | dict[str, Any]:
    """Does this file carry Cutproof marks, and what do they say? No account needed; the body is the file."""
    client = request.client.host if request.client else "unknown-client"
    wait = LIMITER.retry_after(client, settings.verify_per_minute)
    if wait:
        return JSONResponse(
            {"detail": f"at most {settings.verify_per_minute} verifications a minute; retry in {wait} s"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    suffix = Path(x_filename).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise VerifyInputError(f"X-Filename must name a video file ({', '.join(sorted(VIDEO_SUFFIXES))})")
    fd, tmp = tempfile.mkstemp(dir=ws.home, prefix=".verify-", suffix=suffix)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.verify_max_bytes:
                    raise BlobTooLargeError(
                        f"the file exceeds the verification limit of {settings.verify_max_bytes} bytes"
                    )
                out.write(chunk)
        answer = await run_in_threadpool(public_verification, ws, Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)
    answer["file"] = Path(x_filename).name
    return answer
