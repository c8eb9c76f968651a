"""Who is in the shot: identity on held-out takes, open-set rejection, tags, model files — on real footage.

The failures of issue 15 are regression tests here: a performer's other take is never reported as someone else,
an animated face is unidentified, a ~100 px face in a 384 px wide shot is seen, and tags that cannot separate
two performers make training refuse.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine

from editor.cast import (
    CastModel,
    CastModelError,
    CastTag,
    CastTags,
    InseparableCastError,
    NoTagsError,
    TagError,
    detect_faces,
    track_faces,
    train_cast,
    who,
)
from editor.dailies import content_hash
from editor.errors import EditParameterError
from editor.models import ModelRegistry, unpack_model
from media import MediaInfo, Region, probe, read_frame
from store.blobs import BlobStore
from tests.editor import _faces_media as fm

GRID = ("grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg")
ACTOR = ("crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv")
SAMPLES = 6


def _tag(info: MediaInfo, label: str) -> CastTag:
    for frame in range(info.frame_count // 2, info.frame_count):
        faces = detect_faces(read_frame(info, frame, "rgb24"), frame)
        if faces:
            f = max(faces, key=lambda b: b.width * b.height)
            return CastTag(content_hash(info.path), frame, label, Region(f.x, f.y, f.width, f.height))
    raise AssertionError(f"no face in {info.path.name}")


@pytest.fixture(scope="module")
def infos(footage_dir: Path) -> dict[str, MediaInfo]:
    return {n: probe(footage_dir / n) for n in GRID + ACTOR}


@pytest.fixture(scope="module")
def tags(infos: dict[str, MediaInfo]) -> dict[str, CastTag]:
    return {"grid": _tag(infos[GRID[0]], "prf_grid"), "actor": _tag(infos[ACTOR[0]], "prf_actor")}


@pytest.fixture(scope="module")
def both(infos: dict[str, MediaInfo], tags: dict[str, CastTag]):  # type: ignore[no-untyped-def]
    clips = {content_hash(infos[n].path): infos[n] for n in (GRID[0], ACTOR[0])}
    return train_cast(clips, [tags["grid"], tags["actor"]], samples=SAMPLES)


def test_identifies_performers_on_held_out_takes(infos, both) -> None:  # type: ignore[no-untyped-def]
    grid = who(infos[GRID[1]], both.model, samples=SAMPLES)
    assert grid.labels == ("prf_grid",) and grid.unidentified_faces == 0, grid.as_json()
    actor = who(infos[ACTOR[1]], both.model, samples=SAMPLES)
    assert actor.labels == ("prf_actor",) and actor.unidentified_faces == 0, actor.as_json()
    assert 0 < actor.performers[0].confidence <= 1
    assert set(actor.performers[0].frames) <= set(actor.frames_sampled)


@pytest.fixture(scope="module")
def only_grid(infos, tags):  # type: ignore[no-untyped-def]
    return train_cast({tags["grid"].clip_hash: infos[GRID[0]]}, [tags["grid"]], samples=SAMPLES)


def test_unknown_person_is_unidentified(infos, only_grid) -> None:  # type: ignore[no-untyped-def]
    report = who(infos[ACTOR[1]], only_grid.model, samples=SAMPLES)
    assert report.labels == ()
    assert report.unidentified_faces == 1
    assert report.unidentified[0]["nearest"] == "prf_grid"
    assert report.unidentified[0]["distance"] > report.unidentified[0]["threshold"]


def test_other_take_mirrored_and_regraded_is_still_them(infos, both, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: the actor's other take, in a form the project never saw, was reported as someone else."""
    frames, rate = fm.read_take(infos[ACTOR[1]].path, 24)
    path = fm.write_clip(tmp_path / "mirrored-graded.mp4", fm.grade(fm.mirror(frames)), rate)
    report = who(probe(path), both.model, samples=4)
    assert report.labels == ("prf_actor",), report.as_json()


def test_animated_face_is_unidentified(both, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: an animated face (no performer at all) was matched to a performer."""
    path = fm.write_clip(tmp_path / "cartoon.mp4", fm.cartoon_clip(12, (640, 480), 3, side=200), Fraction(25))
    report = who(probe(path), both.model, samples=4)
    assert report.labels == (), report.as_json()


def test_small_face_in_a_narrow_shot_is_seen(infos) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: a ~100 px face in a 384 px wide shot showed no face at all (the old eye check dropped it)."""
    rgb = read_frame(infos[GRID[1]], 20, "rgb24")
    face = max(detect_faces(rgb), key=lambda f: f.width)
    canvas, box = fm.on_canvas([rgb], face.box, 100, size=(384, 288), at=(0.5, 0.45))
    found = detect_faces(canvas[0])
    assert len(found) == 1 and fm_iou(found[0].box, box) > 0.4, (found, box)
    tiny, box40 = fm.on_canvas([rgb], face.box, 40, size=(1920, 1080), at=(0.7, 0.3))
    assert any(fm_iou(f.box, box40) > 0.3 for f in detect_faces(tiny[0])), "a 40 px face in a 1080p frame"


def fm_iou(a, b) -> float:  # type: ignore[no-untyped-def]
    from editor.cast import iou

    return iou(tuple(map(float, a)), tuple(map(float, b)))


def test_tags_that_cannot_separate_two_performers_refuse_training(infos) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: one person tagged as two performers (a mis-tag) must not give a model that accepts everyone."""
    a, b = _tag(infos[GRID[0]], "prf_a"), _tag(infos[GRID[1]], "prf_b")
    clips = {a.clip_hash: infos[GRID[0]], b.clip_hash: infos[GRID[1]]}
    with pytest.raises(InseparableCastError, match="cannot tell"):
        train_cast(clips, [a, b], samples=SAMPLES)


def test_thresholds_never_accept_the_nearest_impostor(both) -> None:  # type: ignore[no-untyped-def]
    """Issue 15's cause: a threshold above the closest other face. Now τ < nearest impostor, and ≤ 0.5."""
    for label, c in both.metrics["calibration"].items():
        assert c["threshold"] <= 0.5, (label, c)
        if c["nearest_impostor"] is not None:
            assert c["threshold"] < c["nearest_impostor"], (label, c)
    assert both.manifest.hyperparameters["face_identity_sha256"] == (
        "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
    )


def test_region_and_range_limit_the_report(infos, both) -> None:  # type: ignore[no-untyped-def]
    info = infos[GRID[1]]
    corner = Region(0, 0, 40, 40)  # the talker's face is central
    assert who(info, both.model, region=corner, samples=4).as_json()["performers"] == []
    ranged = who(info, both.model, start=10, end=20, samples=4)
    assert all(10 <= f < 20 for f in ranged.frames_sampled) and ranged.labels == ("prf_grid",)
    with pytest.raises(EditParameterError):
        who(info, both.model, region=Region(0, 0, info.width + 2, 10))
    with pytest.raises(EditParameterError):
        who(info, both.model, start=5, end=info.frame_count + 1)


def test_training_is_reproducible_and_registers(infos, tags, only_grid, both, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = train_cast({tags["grid"].clip_hash: infos[GRID[0]]}, [tags["grid"]], samples=SAMPLES)
    assert again.manifest.model_id == only_grid.manifest.model_id
    assert again.model_file == only_grid.model_file
    assert only_grid.manifest.model_id != both.manifest.model_id
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    reg = ModelRegistry(engine, BlobStore(tmp_path / "blobs"))
    reg.create_schema()
    record = reg.register(both.manifest, both.model_file, metrics=both.metrics, project="film")
    assert record.kind == "cast" and {i.role for i in record.manifest.inputs} == {"tagged"}
    _, mf = reg.load(record.model_id)
    model = CastModel.from_bytes(mf.payload)
    assert model.labels == ("prf_actor", "prf_grid")
    assert np.array_equal(model.thresholds, both.model.thresholds)
    assert unpack_model(both.model_file).format == "cast-npz/2"


def test_bad_model_payload() -> None:
    with pytest.raises(CastModelError):
        CastModel.from_bytes(b"not a model")


def test_no_tags_and_missing_clips(infos, tags) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoTagsError):
        train_cast({}, [])
    with pytest.raises(NoTagsError, match="not in the catalogue"):
        train_cast({}, [tags["grid"]])


def test_tracks_follow_one_face(infos) -> None:  # type: ignore[no-untyped-def]
    tracks, seen = track_faces(infos[GRID[1]], samples=6)
    assert len(seen) == 6 and len(tracks) == 1 and tracks[0].frames == seen
    assert tracks[0].features.shape == (len(seen), 128)  # one identity vector per observation


def test_tag_store_validates_and_replaces(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'tags.sqlite'}")
    store = CastTags(engine)
    store.create_schema()
    h = "ab" * 32
    tag = CastTag(h, 3, "prf_1", Region(10, 10, 50, 50))
    store.add(tag, frame_size=(100, 100), frame_count=10, project="film")
    store.add(CastTag(h, 3, "prf_1", Region(12, 10, 50, 50)), frame_size=(100, 100), frame_count=10, project="film")
    assert [t.box.x for t in store.list("film")] == [12]
    assert store.list("other") == []
    with pytest.raises(TagError, match="outside the clip"):
        store.add(
            CastTag(h, 10, "prf_1", Region(10, 10, 50, 50)), frame_size=(100, 100), frame_count=10, project="film"
        )
    with pytest.raises(TagError, match="outside the 100x100"):
        store.add(CastTag(h, 1, "prf_1", Region(60, 10, 50, 50)), frame_size=(100, 100), frame_count=10, project="film")
    with pytest.raises(TagError, match="too small"):
        CastTag(h, 1, "prf_1", Region(0, 0, 8, 8))
    with pytest.raises(TagError, match="label"):
        CastTag(h, 1, "", Region(0, 0, 20, 20))
    with pytest.raises(TagError, match="SHA-256"):
        CastTag("xyz", 1, "p", Region(0, 0, 20, 20))
