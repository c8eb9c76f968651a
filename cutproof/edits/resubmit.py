"""Submitting an edit request again, once it ended without a deliverable.

A render fails (a plate's volume offline, a model deleted since, a crash the job gave up on) or is cancelled; a
request is denied for want of a grant that is signed later, or rejected by legal. The editor mends the cause and
submits the same request again. It becomes a new request, which the gate decides afresh; nothing of the old
decision carries over.
"""

from __future__ import annotations

from cutproof.core.jobs import Job
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import FlowError, discard_render_files, submit
from cutproof.edits.gate import GateResult
from cutproof.edits.requests import FINAL_STATES, EditRequestRecord, RequestStore
from cutproof.edits.submission import EditSubmission

RESUBMITTABLE = tuple(s for s in FINAL_STATES if s != "delivered")
"""The states a request can be submitted again from: it ended without a deliverable."""


def resubmit(
    ws: Workspace, project: Project, request_id: str, *, identity: str
) -> tuple[EditRequestRecord, GateResult, Job | None]:
    """Submit an ended request again, as it was submitted: a new request, which the gate decides afresh.

    For a render that failed or was cancelled, or a decision that may go otherwise now (a grant signed since a
    denial, a review to ask again). Nothing of the old decision carries over: the gate judges consent as it stands
    now, who is in the region is found again, a review is asked again where the rules want one. ``identity``
    submits the new request. The old one keeps its state and records the new one's id (``resubmitted_as``) in the
    transaction that records the new decision; a request is submitted again once. Whatever the old render job left
    in the workspace goes (``discard_render_files``; the job's own end removed it already, unless that clean-up
    failed or the job ended before there was one).

    Returns the old request as it now reads, the new decision, and the new render job when it was allowed.

    Raises:
        FlowError: the request is on its way or delivered (nothing to submit again), or was submitted again already.
        And whatever ``submit`` raises for the submission today (e.g. the model it needs was deleted since).
    """
    store = RequestStore(ws.engine)
    old = store.get(request_id, project.slug)
    if old.resubmitted_as is not None:
        raise FlowError(
            f"edit request {request_id} was submitted again already, as {old.resubmitted_as}; follow that one"
        )
    if old.state not in RESUBMITTABLE:
        raise FlowError(
            f"edit request {request_id} is {old.state}; only a request that ended without a deliverable "
            f"({', '.join(RESUBMITTABLE)}) can be submitted again"
        )
    submission = EditSubmission.model_validate(old.submission)
    gate, job = submit(ws, project, submission, identity=identity, resubmits=old)
    discard_render_files(ws, request_id, old.job_id)  # whatever the old job's own clean-up left
    return store.get(request_id, project.slug), gate, job
