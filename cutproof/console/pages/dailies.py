"""Dailies from the browser (editors): camera files uploaded on the Shots page are ingested exactly as ``POST
/uploads`` then ``POST /dailies`` do (probed, decode-checked, slate labels read, ``dailies.ingested/1`` recorded);
each file's outcome — ingested, already in the catalogue, or rejected with the reason — is shown on the page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from cutproof.api.routes.resources import IngestCreate, ingest
from cutproof.console.access import EditorAction
from cutproof.console.pages._common import form_files, layout, store_upload, workspace
from cutproof.console.pages.editors import shots_context
from cutproof.console.web import render
from cutproof.core.errors import CutproofError
from media.errors import MediaError

router = APIRouter()

MAX_FILES = 32  # one form's files; more at once through the API or `cutproof dailies ingest`


@router.post("/p/{project}/dailies")
async def upload_dailies(request: Request, page: EditorAction) -> Response:
    ws = workspace(request)
    form = await request.form()
    files = form_files(form, "files", MAX_FILES, "ingest")
    outcomes: list[dict[str, Any]] = []
    for upload in files:
        name = str(upload.filename)
        try:
            digest = await store_upload(ws, page, upload)
            body = IngestCreate(file=digest, filename=name)  # store_upload answers blob:<sha256>
            answer = await run_in_threadpool(ingest, ws, page.access, body)
            outcomes.append({"file": name, **answer})
        except (ValidationError, ValueError, CutproofError, MediaError) as exc:  # this file is not catalogued
            outcomes.append({"file": name, "outcome": "rejected", "reason": str(exc), "clip": None})
    ctx = await run_in_threadpool(shots_context, ws, page)
    ctx["ingested"] = outcomes
    failed = all(o["outcome"] == "rejected" for o in outcomes)
    return render(request, "shots.html.j2", 422 if failed else 200, **layout(page, "shots"), **ctx)
