"""Where a render job renders and labels its video: the engine's choice (``CUTPROOF_RENDER_WORKERS`` local
processes, or Ray tasks with ``CUTPROOF_RAY_ADDRESS``) reaches the render job's handler."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits import flow
from cutproof.edits.segmented import ONE_PIECE, Segmented
from cutproof.scale.engine import render_segments
from cutproof.scale.handlers import job_handlers
from cutproof.scale.ray_executor import RayExecutor
from media import probe, render_parallel
from tests.editor._media import write_clip
from tests.media._edits import Gated


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


@pytest.mark.slow
@pytest.mark.ray
def test_segments_on_ray_report_frames_while_they_run(ray_address: str, tmp_path: Path) -> None:
    """On Ray the segment tasks' tallies reach the calling process too (they are in the shared work folder): the
    progress moves inside the segments, only in this process, to 1.0. No timing is relied on: each task holds its
    segment at gates (``Gated``: before its 10th and 32nd frame) that only this process's callback opens, one per
    call, so at least two values arrive before either 75-frame segment can complete."""
    src = write_clip(
        tmp_path / "take.mov", codec="prores_ks", pix_fmt="yuv422p10le", frames=150, rate=Fraction(25),
        options={"profile": "3"}, audio="pcm_s16le",
    )  # fmt: skip
    gates = tmp_path / "gates"
    gates.mkdir()
    edit = Gated(gates / "gate", holds=(10, 32))
    seen: list[tuple[float, int]] = []

    def progress(fraction: float) -> None:
        seen.append((fraction, os.getpid()))
        if len(seen) <= len(edit.holds):
            (gates / f"gate.{len(seen)}").touch()

    report = render_parallel(
        probe(src), tmp_path / "out.mov", plane_edit=edit, segments=2, executor=RayExecutor(ray_address),
        progress=progress,
    )  # fmt: skip
    assert [s.end - s.start for s in report.segments] == [75, 75] and seen[-1][0] == 1.0
    assert [f for f, _ in seen] == sorted({f for f, _ in seen})  # increasing
    assert all(0 < f < 0.5 for f, _ in seen[:2])  # inside the segments, before either completed
    assert {pid for _, pid in seen} == {os.getpid()}
