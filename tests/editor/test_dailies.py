"""Dailies ingest and the catalogue: real and generated clips, every kind of bad file, slates, user edits."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.catalogue import Catalogue
from editor.dailies import ingest_folder
from editor.errors import CatalogueError, ClipNotFoundError
from editor.slate import parse_name
from media.errors import MediaError
from tests.editor._media import write_clip, write_y4m_header


@pytest.mark.parametrize(
    ("name", "scene", "shot", "take", "roll", "clip"),
    [
        ("012A_T03", "012", "A", 3, None, None),
        ("12b-4", "12", "B", 4, None, None),
        ("012A_TK3_A001C003", "012", "A", 3, "A001", "C003"),
        ("sc12_sh3_tk2", "12", "3", 2, None, None),
        ("S12_SH03_T02", "12", "03", 2, None, None),
        ("scene4_shot2_take11", "4", "2", 11, None, None),
        ("A001C003_230512_R1AB", None, None, None, "A001", "C003"),
        ("obama-weekly-address_a-bad-situation", None, None, None, None, None),
    ],
)
def test_parse_name(
    name: str, scene: str | None, shot: str | None, take: int | None, roll: str | None, clip: str | None
) -> None:
    s = parse_name(name)
    assert (s.scene, s.shot, s.take, s.camera_roll, s.camera_clip) == (scene, shot, take, roll, clip)


@given(st.text(max_size=60))
def test_parse_name_never_crashes(name: str) -> None:
    s = parse_name(name)
    assert s.label is None or s.label.count("/") == 2


def test_ingest_real_footage(footage_dir: Path, catalogue: Catalogue) -> None:
    report = ingest_folder(footage_dir, catalogue, project="demo")
    assert len(report.added) == 8 and not report.rejected  # SOURCES.md and SHA256SUMS are skipped as sidecars
    sums = dict(line.split()[::-1] for line in (footage_dir / "SHA256SUMS").read_text().splitlines() if line)
    for clip in report.added:
        assert sums[clip.path.name] == clip.content_hash
    again = ingest_folder(footage_dir, catalogue, project="demo")
    assert not again.added and {f.outcome for f in again.files} == {"already-catalogued"}
    assert len(catalogue.list("demo")) == 8
    assert catalogue.get("grid_pwij3p.mpg").info.frame_count == 75


def test_ingest_rejects_bad_files_and_keeps_good_ones(clip_dir: Path, tmp_path: Path, catalogue: Catalogue) -> None:
    d = tmp_path / "card"
    d.mkdir()
    for p in clip_dir.iterdir():
        shutil.copy(p, d / p.name)
    (d / "A002C001.mov").write_text("not a movie")
    data = (clip_dir / "012A_T03.mov").read_bytes()
    (d / "012A_T04.mov").write_bytes(data[: len(data) // 3])
    write_y4m_header(d / "huge.y4m", 16000, 16000)
    (d / "notes.txt").write_text("sidecar, skipped")
    report = ingest_folder(d, catalogue)
    outcomes = {f.path.name: (f.outcome, f.reason or "") for f in report.files}
    assert outcomes["012A_T03.mov"][0] == "added" and outcomes["sc12_sh3_tk2.mp4"][0] == "added"
    assert outcomes["A002C001.mov"][0] == "rejected" and "not a media file" in outcomes["A002C001.mov"][1]
    assert outcomes["012A_T04.mov"][0] == "rejected"
    assert outcomes["huge.y4m"][0] == "rejected" and "16000×16000" in outcomes["huge.y4m"][1]
    assert "notes.txt" not in outcomes
    assert sorted(c.path.name for c in catalogue.list()) == ["012A_T03.mov", "sc12_sh3_tk2.mp4"]


def test_catalogue_records_what_the_clip_is(clip_dir: Path, catalogue: Catalogue) -> None:
    ingest_folder(clip_dir, catalogue, project="film")
    clip = catalogue.get("012/A/3")
    assert clip.content_hash == hashlib.sha256((clip_dir / "012A_T03.mov").read_bytes()).hexdigest()
    assert clip.info.codec == "prores" and clip.info.timecode == "01:00:10:05" and clip.info.bit_depth == 10
    assert clip.info.audio[0].codec == "pcm_s16le" and clip.slate.source == "filename"
    assert catalogue.get(clip.content_hash[:10]) == clip
    assert catalogue.get("sc12_sh3_tk2.mp4").slate.label == "12/3/2"


def test_set_slate_by_hand(clip_dir: Path, catalogue: Catalogue) -> None:
    ingest_folder(clip_dir, catalogue)
    clip = catalogue.set_slate("sc12_sh3_tk2.mp4", scene="40", shot="B", take=7)
    assert (clip.slate.label, clip.slate.source) == ("40/B/7", "user")
    assert catalogue.get("40/B/7").content_hash == clip.content_hash
    with pytest.raises(CatalogueError, match="take"):
        catalogue.set_slate("40/B/7", take=-1)
    with pytest.raises(CatalogueError, match="scene"):
        catalogue.set_slate("40/B/7", scene="no spaces allowed")


def test_unknown_and_ambiguous_references(clip_dir: Path, catalogue: Catalogue) -> None:
    ingest_folder(clip_dir, catalogue)
    with pytest.raises(ClipNotFoundError, match="no catalogued clip"):
        catalogue.get("99/Z/1")
    catalogue.set_slate("012A_T03.mov", scene="1", shot="A", take=1)
    catalogue.set_slate("sc12_sh3_tk2.mp4", scene="1", shot="A", take=1)
    with pytest.raises(ClipNotFoundError, match="matches 2 clips"):
        catalogue.get("1/A/1")


def test_metadata_slate_overrides_name(tmp_path: Path, catalogue: Catalogue) -> None:
    d = tmp_path / "m"
    d.mkdir()
    write_clip(
        d / "A001C007.mov",
        codec="prores_ks",
        pix_fmt="yuv422p10le",
        audio=None,
        frames=3,
        metadata={"scene": "88", "shot": "c", "take": "5"},
        container_options={"movflags": "+use_metadata_tags"},
    )
    (clip,) = ingest_folder(d, catalogue).added
    assert (clip.slate.label, clip.slate.camera_roll, clip.slate.source) == ("88/C/5", "A001", "metadata")


def test_ingest_needs_a_folder(tmp_path: Path, catalogue: Catalogue) -> None:
    with pytest.raises(MediaError, match="not a directory"):
        ingest_folder(tmp_path / "missing", catalogue)
