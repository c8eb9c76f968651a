"""The project's ledger: the latest signed checkpoint, entries by index with their receipt verified here, and the
consistency of two published tree sizes (any member, as the API's ledger routes without ``CUTPROOF_PUBLIC_LEDGER``).

Verification is the ledger's own: ``ledger.verify_receipt`` for a receipt, ``Checkpoint.open`` and
``merkle.verify_consistency`` (RFC 6962 §2.1.2) for two checkpoints — the same calls QC makes.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from cutproof.console.access import AnyPage, PageAccess
from cutproof.console.pages._common import layout, workspace
from cutproof.console.web import PREFIX, download, render
from cutproof.core.inputs import MAX_TREE_SIZE
from cutproof.core.projects import project_log
from ledger import Log, verify_receipt
from ledger.checkpoint import Checkpoint
from ledger.errors import LedgerError
from ledger.merkle import EMPTY_ROOT, verify_consistency

router = APIRouter()

RECENT = 25


def _log(request: Request, page: PageAccess) -> Log:
    return project_log(workspace(request), page.project)


def _checkpoint(log: Log, size: int | None = None) -> Checkpoint:
    return Checkpoint.open(log.checkpoint() if size is None else log.checkpoint_at(size), log.verifiers())


@router.get("/p/{project}/ledger", response_class=HTMLResponse)
def ledger_home(request: Request, page: AnyPage) -> Response:
    log = _log(request, page)
    signed = log.checkpoint()
    cp = _checkpoint(log)
    first = max(0, cp.size - RECENT)
    entries = [(i, log.entry_json(i)) for i in range(cp.size - 1, first - 1, -1)]
    return render(
        request,
        "ledger.html.j2",
        **layout(page, "ledger"),
        signed=signed,
        cp=cp,
        root_b64=base64.b64encode(cp.root_hash).decode(),
        entries=entries,
        sizes=log.checkpoint_sizes(),
        vkeys=log.verifier_keys(),
    )


def _verified(log: Log, index: int) -> dict[str, Any]:
    try:
        data = log.entry(index)
    except LedgerError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    receipt = log.prove(index)
    try:
        v = verify_receipt(receipt, data, log.verifier_keys())
        verdict: dict[str, Any] = {
            "ok": True,
            "index": v.index,
            "size": v.size,
            "origin": v.origin,
            "signed_by": v.signed_by,
        }
    except LedgerError as exc:
        verdict = {"ok": False, "reason": str(exc)}
    return {"entry": json.loads(data), "receipt": receipt, "verdict": verdict, "raw": data.decode()}


@router.get("/p/{project}/ledger/lookup")
def lookup(page: AnyPage, index: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE)]) -> Response:
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/ledger/entries/{index}", status_code=303)


@router.get("/p/{project}/ledger/entries/{index}", response_class=HTMLResponse)
def entry(request: Request, page: AnyPage, index: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE)]) -> Response:
    log = _log(request, page)
    return render(request, "ledger_entry.html.j2", **layout(page, "ledger"), index=index, **_verified(log, index))


@router.get("/p/{project}/ledger/entries/{index}/receipt")
def entry_receipt(
    request: Request,
    page: AnyPage,
    index: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE)],
    size: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE)] = None,
) -> Response:
    """A ``c2sp.org/tlog-proof@v1`` receipt for the entry (against the checkpoint at ``size``, default latest)."""
    try:
        text = _log(request, page).prove(index, size)
    except LedgerError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return PlainTextResponse(text, headers=download(f"{index}.tlog-proof"))


@router.get("/p/{project}/ledger/consistency", response_class=HTMLResponse)
def consistency(
    request: Request,
    page: AnyPage,
    old: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE)],
    new: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE)] = None,
) -> Response:
    log = _log(request, page)
    result: dict[str, Any] = {"old": old, "new": new}
    try:
        new_cp = _checkpoint(log, new)
        old_root = _checkpoint(log, old).root_hash if old > 0 else EMPTY_ROOT
        proof = log.consistency_proof(old, new_cp.size)
        verify_consistency(old, new_cp.size, old_root, new_cp.root_hash, proof)
        result.update(
            ok=True,
            new=new_cp.size,
            proof=[base64.b64encode(h).decode() for h in proof],
            old_root=base64.b64encode(old_root).decode(),
            new_root=base64.b64encode(new_cp.root_hash).decode(),
        )
    except (LedgerError, ValueError) as exc:
        result.update(ok=False, reason=str(exc))
    return render(request, "ledger_consistency.html.j2", **layout(page, "ledger"), r=result)
