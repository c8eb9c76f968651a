"""Who-is-there answers are computed once per workspace: another process (or a restart) reads the stored one."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

import cutproof.cast.presence as presence
from cutproof.cast.presence import RegionError, who_is_there
from cutproof.cast.store import PresenceStore, presence_key
from cutproof.core.projects import ProjectContext, create_project
from cutproof.core.workspace import Workspace
from editor import Catalogue, ingest_folder

TAKE = "grid_pwij3p.mpg"


@pytest.fixture
def shot(workspace: Workspace, footage_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    project = create_project(
        workspace, "film", "Film", ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="t"
    )
    dailies = tmp_path / "dailies"
    dailies.mkdir()
    (dailies / TAKE).symlink_to(footage_dir / TAKE)
    ingest_folder(dailies, Catalogue(workspace.engine), project="film")
    return project, Catalogue(workspace.engine).list(project="film")[0]


def _forget_in_process() -> None:
    with presence._presence_lock:
        presence._presences.clear()


def test_a_stored_answer_is_used_without_scanning_again(workspace: Workspace, shot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project, clip = shot
    sub = ("0,0,200,200", None, 20)
    _forget_in_process()
    first = who_is_there(clip, *sub, ws=workspace, project=project)
    assert first.unidentified_faces == 1

    def no_scan(*_a: object, **_k: object) -> None:
        raise AssertionError("scanned the video again")

    _forget_in_process()  # as a second server process, or this one after a restart
    monkeypatch.setattr(presence, "_scan_presence", no_scan)
    again = who_is_there(clip, *sub, ws=Workspace(workspace.home), project=project)
    assert again == first
    other_range = (None, None, 10)
    with pytest.raises(AssertionError, match="scanned"):  # another range is another answer
        who_is_there(clip, *other_range, ws=workspace, project=project)


def test_an_answer_stored_meanwhile_by_another_process_is_kept(workspace: Workspace) -> None:
    store = PresenceStore(Workspace(workspace.home).engine)  # a new engine, as a process started later
    key = presence_key("clip", None, 0, 10, None)
    assert store.get(key) is None
    store.put(key, {"detected": [], "unidentified_faces": 0, "method": "m", "evidence": {}})
    store.put(key, {"detected": [], "unidentified_faces": 0, "method": "m", "evidence": {}})  # a second writer
    assert store.get(key) == {"detected": [], "unidentified_faces": 0, "method": "m", "evidence": {}}


def test_a_burst_of_submissions_on_a_new_shot_scans_it_once(workspace: Workspace, shot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project, clip = shot
    sub = ("0,0,200,200", None, 16)
    _forget_in_process()
    scans: list[int] = []
    scan = presence._scan_presence

    def counted(*args: object, **kwargs: object) -> object:
        scans.append(threading.get_ident())
        time.sleep(0.2)  # a scan long enough for every other thread to arrive while it runs
        return scan(*args, **kwargs)

    monkeypatch.setattr(presence, "_scan_presence", counted)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: who_is_there(clip, *sub, ws=workspace, project=project), range(8)))
    assert len(scans) == 1
    assert all(a == answers[0] for a in answers) and answers[0].unidentified_faces == 1
    assert not presence._computing  # nothing left behind


def test_a_failed_scan_leaves_nothing_behind(workspace: Workspace, shot) -> None:  # type: ignore[no-untyped-def]
    project, clip = shot
    outside = ("0,0,9999,9999", None, None)
    _forget_in_process()
    for _ in range(2):  # the second attempt fails the same way: no lock or answer was kept from the first
        with pytest.raises(RegionError, match="does not fit"):
            who_is_there(clip, *outside, ws=workspace, project=project)
    assert not presence._computing
