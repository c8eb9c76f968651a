"""Where a render job renders and labels its video: the engine's choice (``CUTPROOF_RENDER_WORKERS`` local
processes, or Ray tasks with ``CUTPROOF_RAY_ADDRESS``) reaches the render job's handler."""

from __future__ import annotations

import os
from typing import Any

import pytest

from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits import flow
from cutproof.edits.segmented import ONE_PIECE, Segmented
from cutproof.scale.engine import render_segments
from cutproof.scale.handlers import job_handlers


def test_the_setting_chooses_local_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert render_segments(Settings())() == ONE_PIECE == Segmented(workers=1)
    assert render_segments(Settings(render_workers=3))() == Segmented(workers=3)
    assert render_segments(Settings(render_workers=0))() == Segmented(workers=os.cpu_count() or 1)
    monkeypatch.setenv("CUTPROOF_RENDER_WORKERS", "2")
    assert render_segments(Settings())() == Segmented(workers=2)
    with pytest.raises(ValueError, match="at least 1"):
        Segmented(workers=0)


def test_a_ray_cluster_makes_the_segments_ray_tasks() -> None:
    made = render_segments(Settings(ray_address="127.0.0.1:1", render_workers=4))
    assert made.__name__ == "on_ray"  # a RayExecutor per render job, made when the job runs (no cluster here)


def test_the_render_job_gets_the_engines_choice(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(flow, "run_render_job", lambda ws, ctx, payload, segmented: seen.append(segmented))
    handlers = job_handlers(workspace, segmented=lambda: Segmented(workers=2))
    handlers[flow.RENDER_JOB](None, {})
    flow.job_handlers(workspace)[flow.RENDER_JOB](None, {})
    assert seen == [Segmented(workers=2), ONE_PIECE]
