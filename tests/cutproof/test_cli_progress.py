"""The progress bars of the commands that render, label or run jobs here (``cutproof.cli._progress``): drawn on a
terminal, hidden with ``--json``/``--quiet`` or when the output is not a terminal, and Rich loaded only to draw one.

On a real pseudo-terminal (so the command sees a terminal, as a user's shell would give it): ``cutproof watermark
embed`` run with its output on it, in this process and — with ``--json`` — in a fresh one (what it imports); the
jobs bar follows a real job table while a worker pool runs a job.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cutproof.cli._progress import drawn, jobs_bar, render_bar
from cutproof.cli.main import app
from cutproof.core.console import err_console
from cutproof.core.jobs import JobContext, JobQueue, WorkerPool
from cutproof.core.workspace import Workspace
from tests._support.cli_probe import PROBE
from tests.editor._media import write_clip

REPO = Path(__file__).resolve().parents[2]
# The shared console is made at this import, before the tests point standard error at a terminal (as an earlier
# command in the same process would make it): a bar must still draw on the terminal.
assert err_console is not None
KEY = "0123456789abcdef"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("bar") / "take.mp4", frames=24)


def _on_terminal(tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    """Run ``cutproof ARGS`` with its standard output and error on a pseudo-terminal; what it loaded, and what it
    wrote to the terminal."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(out), *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the process closed the terminal
                data = b""
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(master)
    return json.loads(out.read_text()), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def terminal() -> Iterator[tuple[Any, Any, list[bytes]]]:
    """A pseudo-terminal: its writable end (as a text file) and what was read from it."""
    master, slave = pty.openpty()
    screen = os.fdopen(slave, "w", buffering=1)
    seen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            seen.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    yield screen, master, seen
    screen.close()
    reader.join(timeout=5)
    os.close(master)


def test_a_bar_only_when_both_outputs_are_terminals(
    terminal: tuple[Any, Any, list[bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, _, _ = terminal
    piped = open(tmp_path / "captured.txt", "w")  # noqa: SIM115 - closed below
    try:
        for stdout, stderr, quiet, expected in [
            (screen, screen, False, True),
            (screen, screen, True, False),  # --quiet / --json
            (piped, screen, False, False),  # `cutproof … > file` or `| jq`: a script reads the output
            (screen, piped, False, False),  # standard error captured
        ]:
            monkeypatch.setattr(sys, "stdout", stdout)
            monkeypatch.setattr(sys, "stderr", stderr)
            assert drawn(quiet) is expected
            with render_bar("rendering", quiet=quiet) as progress:
                assert (progress is not None) is expected
    finally:
        piped.close()


def test_the_jobs_bar_follows_the_job_table(
    terminal: tuple[Any, Any, list[bytes]], workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, _, seen = terminal
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "stderr", screen)
    queue = JobQueue(workspace.engine)

    def handler(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        ctx.progress(0.4, "rendering")
        time.sleep(0.6)  # the bar polls the table every 0.25 s
        ctx.progress(0.8, "labelling")
        time.sleep(0.6)
        return {}

    job = queue.submit("film", "slow", {}, created_by="test")
    with jobs_bar(workspace):
        done = WorkerPool(queue, {"slow": handler}).run_one()
    assert done is not None and done.state == "succeeded"
    time.sleep(0.2)
    text = b"".join(seen).decode(errors="replace")
    assert f"job {job.job_id[:12]} rendering" in text and f"job {job.job_id[:12]} labelling" in text, text
    assert "40%" in text and "80%" in text


def test_embed_draws_a_bar_on_a_terminal_and_none_with_json(
    clip: Path, tmp_path: Path, terminal: tuple[Any, Any, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    embed = ["watermark", "embed", str(clip), "--key", KEY, "--no-audio"]  # the picture's mark alone
    screen, _, seen = terminal
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "stderr", screen)
    app([*embed, str(tmp_path / "a.mp4")], standalone_mode=False)  # the command itself, on the terminal
    time.sleep(0.2)
    drawn_text = b"".join(seen).decode(errors="replace")
    assert (tmp_path / "a.mp4").is_file()
    assert "watermarking take.mp4" in drawn_text and "100%" in drawn_text, drawn_text  # the bar, to its end

    # a fresh process, as a script runs it: with --json no bar on the terminal, and no Rich loaded to draw one
    report, text = _on_terminal(tmp_path, *embed, str(tmp_path / "b.mp4"), "--json")
    assert report["code"] == 0 and json.loads(text.strip().splitlines()[-1])["frames"] == 24
    assert "watermarking" not in text
    assert "rich" not in {m.split(".")[0] for m in report["modules"]}
