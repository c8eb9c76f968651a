"""Training manifests (canonical JSON, model id) and the model registry's manifest ↔ file binding."""

from __future__ import annotations

import os
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.errors import ManifestError, ModelMismatchError, ModelNotFoundError
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import ModelRegistry, pack_model

H1, H2 = "a" * 64, "b" * 64


def manifest(**over: object) -> TrainingManifest:
    base: dict[str, object] = {
        "model_kind": "lighting",
        "inputs": (TrainingInput(H1, 0, 48, Fraction(24000, 1001)), TrainingInput(H2, 10, 20, Fraction(25), "graded")),
        "code_version": "editor 0.1.0+src.0123456789abcdef",
        "hyperparameters": {"steps": 300, "lr": 0.001, "basis_luts": 3},
        "seeds": {"torch": 7},
    }
    base.update(over)
    return TrainingManifest(**base)  # type: ignore[arg-type]


def test_model_id_is_sha256_of_canonical_json() -> None:
    import hashlib

    m = manifest()
    assert m.model_id == hashlib.sha256(m.canonical_bytes()).hexdigest()
    assert m.canonical_bytes().startswith(b'{"code_version":')  # RFC 8785 sorts keys
    assert TrainingManifest.from_json(m.canonical_bytes()) == m
    assert TrainingManifest.from_json(m.canonical_bytes()).model_id == m.model_id


@pytest.mark.parametrize(
    "change",
    [
        {"seeds": {"torch": 8}},
        {"hyperparameters": {"steps": 301, "lr": 0.001, "basis_luts": 3}},
        {"code_version": "editor 0.1.0+src.fedcba9876543210"},
        {"inputs": (TrainingInput(H1, 0, 47, Fraction(24000, 1001)),)},
    ],
)
def test_any_change_names_another_model(change: dict[str, object]) -> None:
    assert manifest(**change).model_id != manifest().model_id


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8), st.integers(-(2**53) + 1, 2**53 - 1) | st.booleans() | st.text(max_size=8)
    )
)
def test_model_id_independent_of_key_order(hp: dict[str, object]) -> None:
    a = manifest(hyperparameters=hp)
    b = manifest(hyperparameters=dict(reversed(list(hp.items()))))
    assert a.model_id == b.model_id


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"model_kind": "deepfake"}, "model kind"),
        ({"inputs": ()}, "at least one input"),
        ({"seeds": {"torch": -1}}, "seed"),
        ({"hyperparameters": {"steps": 2**60}}, "2\\^53"),
        ({"hyperparameters": {"lr": float("nan")}}, "finite"),
        ({"hyperparameters": {"x": [1, 2]}}, "JSON scalar"),
        ({"inputs": (TrainingInput(H1, 0, 4, Fraction(25)), TrainingInput(H1, 0, 4, Fraction(25)))}, "twice"),
    ],
)
def test_invalid_manifests_never_exist(over: dict[str, object], match: str) -> None:
    with pytest.raises(ManifestError, match=match):
        manifest(**over)


def test_invalid_inputs() -> None:
    with pytest.raises(ManifestError, match="SHA-256"):
        TrainingInput("xyz", 0, 1, Fraction(25))
    with pytest.raises(ManifestError, match="empty"):
        TrainingInput(H1, 5, 5, Fraction(25))
    with pytest.raises(ManifestError, match="schema"):
        TrainingManifest.from_json(b'{"schema": "something-else/1"}')
    with pytest.raises(ManifestError, match="not JSON"):
        TrainingManifest.from_json(b"{")


def test_code_version_names_the_source() -> None:
    v = code_version()
    assert v.startswith("editor 0.1.0+src.") and len(v.split("src.")[1]) == 16


def test_registry_round_trip(registry: ModelRegistry) -> None:
    m = manifest()
    payload = os.urandom(2048)
    record = registry.register(m, pack_model(m.model_id, "lighting", "test/1", payload), metrics={"loss": 0.01})
    assert record.model_id == m.model_id and record.metrics == {"loss": 0.01}
    assert registry.register(m, pack_model(m.model_id, "lighting", "test/1", payload)) == record  # idempotent
    rec, mf = registry.load(m.model_id[:10], manifest=m)
    assert mf.payload == payload and rec.model_file_hash == record.model_file_hash
    assert [r.model_id for r in registry.list(kind="lighting")] == [m.model_id]


def test_model_file_for_another_manifest_is_refused(registry: ModelRegistry) -> None:
    m, other = manifest(), manifest(seeds={"torch": 99})
    with pytest.raises(ModelMismatchError, match="manifest names"):
        registry.register(m, pack_model(other.model_id, "lighting", "test/1", b"weights"))


def test_loading_under_another_manifest_is_refused(registry: ModelRegistry) -> None:
    m = manifest()
    registry.register(m, pack_model(m.model_id, "lighting", "test/1", b"weights"))
    with pytest.raises(ModelMismatchError, match="different manifest"):
        registry.load(m.model_id, manifest=manifest(seeds={"torch": 1}))


def test_tampered_model_file_is_refused(registry: ModelRegistry) -> None:
    m = manifest()
    rec = registry.register(m, pack_model(m.model_id, "lighting", "test/1", b"weights"))
    path = registry.blobs.path_for(rec.model_file_hash)
    os.chmod(path, 0o644)
    path.write_bytes(pack_model(m.model_id, "lighting", "test/1", b"WEIGHTS"))
    with pytest.raises(ModelMismatchError, match="altered"):
        registry.load(m.model_id)


def test_tampered_manifest_is_refused(registry: ModelRegistry) -> None:
    from sqlalchemy import update

    from editor.models import models_table

    m = manifest()
    registry.register(m, pack_model(m.model_id, "lighting", "test/1", b"weights"))
    forged = manifest(seeds={"torch": 1234}).canonical_bytes().decode()
    with registry.engine.begin() as conn:
        conn.execute(update(models_table).values(manifest_json=forged))
    with pytest.raises(ModelMismatchError, match="altered"):
        registry.load(m.model_id)


def test_unknown_model(registry: ModelRegistry) -> None:
    with pytest.raises(ModelNotFoundError):
        registry.get("deadbeefdeadbeef")
