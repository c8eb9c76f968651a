"""Who is in the shot (editors and admins): tag a registered performer's face on a frame of the shot — the same
check and record as ``POST /cast-tags`` (``cutproof.cast.project.tag_face``) — for the cast model to learn from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from cutproof.cast.project import tag_face
from cutproof.console.access import TagAction
from cutproof.console.pages._common import get_clip, layout, workspace
from cutproof.console.pages.editors import ClipHash, _shot_context
from cutproof.console.web import PREFIX, render
from cutproof.core.errors import CutproofError
from editor.cast.errors import TagError
from media import Region
from media.errors import RegionError

router = APIRouter()


@router.post("/p/{project}/shots/{clip_hash}/cast-tags")
async def tag(request: Request, page: TagAction, clip_hash: ClipHash) -> Response:
    ws = workspace(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("performer_id", "frame", "box")}
    try:
        if not values["frame"].isdigit():
            raise ValueError(f"frame {values['frame']!r} must be a whole frame number")
        box = Region.parse(values["box"]) if values["box"] else None
        clip = await run_in_threadpool(get_clip, ws, page, clip_hash)
        await run_in_threadpool(tag_face, ws, page.project, clip, int(values["frame"]), values["performer_id"], box)
    except (ValueError, RegionError, TagError, CutproofError) as exc:  # nothing was recorded
        ctx = await run_in_threadpool(_shot_context, ws, page, clip_hash)
        ctx.update(tag_form=values, tag_problems=[str(exc)])
        return render(request, "shot.html.j2", 422, **layout(page, "shots"), **ctx, form={})
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/shots/{clip_hash}#tag-h", status_code=303)
