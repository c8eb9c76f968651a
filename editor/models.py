"""The model registry: trained models stored content-addressed, each bound to its training manifest.

A model file is an envelope ``CUTPROOF-MODEL/1\\n`` + one JSON header line (``model_id``, ``kind``, ``format``) +
the payload (e.g. a torch state dict). The registry stores the file in a content-addressed blob store and records,
in table ``editor_models``, the model id (= SHA-256 of the manifest's canonical JSON), the manifest itself and the
SHA-256 of the model file. Loading re-checks all three links — manifest → id, file bytes → recorded hash, file
header → id — and refuses any mismatch, so a model can never be used under a manifest that did not produce it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Engine, MetaData, String, Table, Text, bindparam, insert, select

from editor.errors import ManifestError, ModelError, ModelMismatchError, ModelNotFoundError
from editor.manifest import ModelId, TrainingManifest
from store.blobs import BlobStore
from store.driver_select import DriverSelect

MAGIC = b"CUTPROOF-MODEL/1\n"

metadata = MetaData()
models_table = Table(
    "editor_models",
    metadata,
    Column("model_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("project", String(128), nullable=True, index=True),
    Column("manifest_json", Text, nullable=False),
    Column("model_file_hash", String(64), nullable=False),
    Column("model_file_size", BigInteger, nullable=False),
    Column("metrics_json", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def pack_model(model_id: str, kind: str, fmt: str, payload: bytes) -> bytes:
    """Wrap a payload in the model-file envelope naming the model it belongs to."""
    header = json.dumps({"format": fmt, "kind": kind, "model_id": model_id}, sort_keys=True).encode()
    return MAGIC + header + b"\n" + payload


@dataclass(frozen=True)
class ModelFile:
    """An unpacked model file."""

    model_id: str
    kind: str
    format: str
    payload: bytes


def unpack_model(data: bytes) -> ModelFile:
    """Parse a model-file envelope.

    Raises:
        ModelError: the bytes are not a Cutproof model file.
    """
    if not data.startswith(MAGIC):
        raise ModelError("not a Cutproof model file (bad magic); it was not written by `cutproof model train`")
    rest = data[len(MAGIC) :]
    nl = rest.find(b"\n")
    try:
        header = json.loads(rest[:nl])
        return ModelFile(str(header["model_id"]), str(header["kind"]), str(header["format"]), rest[nl + 1 :])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"model file header is malformed: {exc}") from None


@dataclass(frozen=True)
class ModelRecord:
    """A registered model: its id, manifest, the hash of its file, and the training metrics."""

    model_id: ModelId
    kind: str
    project: str | None
    manifest: TrainingManifest
    model_file_hash: str
    model_file_size: int
    metrics: dict[str, Any]
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "kind": self.kind,
            "project": self.project,
            "model_file_hash": self.model_file_hash,
            "model_file_size": self.model_file_size,
            "training_inputs": [i.as_json() for i in self.manifest.inputs],
            "code_version": self.manifest.code_version,
            "metrics": self.metrics,
            "created_at": self.created_at.isoformat(),
        }


class ModelRegistry:
    """Models on a SQLAlchemy engine (table ``editor_models``) with their files in a ``BlobStore``."""

    def __init__(self, engine: Engine, blobs: BlobStore) -> None:
        self.engine = engine
        self.blobs = blobs

    def create_schema(self) -> None:
        """Create ``editor_models`` if it does not exist (idempotent)."""
        metadata.create_all(self.engine, tables=[models_table])

    def register(
        self,
        manifest: TrainingManifest,
        model_file: bytes,
        *,
        metrics: dict[str, Any] | None = None,
        project: str | None = None,
    ) -> ModelRecord:
        """Store a model file under its manifest. Registering the same model again returns the existing record.

        Raises:
            ModelMismatchError: the file's header names another model or kind, or the id is already registered
                with a different file.
        """
        unpacked = unpack_model(model_file)
        if unpacked.model_id != manifest.model_id or unpacked.kind != manifest.model_kind:
            raise ModelMismatchError(
                f"model file is for {unpacked.kind} model {unpacked.model_id[:12]}, but the manifest names "
                f"{manifest.model_kind} model {manifest.model_id[:12]}; register the file with its own manifest"
            )
        file_hash = hashlib.sha256(model_file).hexdigest()
        existing = self._row(manifest.model_id)
        if existing is not None:
            if existing["model_file_hash"] != file_hash:
                raise ModelMismatchError(
                    f"model {manifest.model_id[:12]} is already registered with file {existing['model_file_hash'][:12]}"
                    f", not {file_hash[:12]}; training is not reproducing — check the seeds and the code version"
                )
            return self.get(manifest.model_id)
        stored = self.blobs.put_bytes(model_file)
        assert stored == file_hash
        with self.engine.begin() as conn:
            conn.execute(
                insert(models_table).values(
                    model_id=manifest.model_id,
                    kind=manifest.model_kind,
                    project=project,
                    manifest_json=manifest.canonical_bytes().decode(),
                    model_file_hash=file_hash,
                    model_file_size=len(model_file),
                    metrics_json=json.dumps(metrics or {}, sort_keys=True),
                    created_at=datetime.now(UTC),
                )
            )
        return self.get(manifest.model_id)

    def get(self, ref: str) -> ModelRecord:
        """A model's record by id or unique id prefix (≥ 8 hex digits).

        Raises:
            ModelNotFoundError: no model, or several, match.
            ModelMismatchError: the stored manifest no longer hashes to the model id.
        """
        row = self._row(ref) if len(ref) == 64 else self._prefix(ref)
        if row is None:
            raise ModelNotFoundError(f"no model {ref!r}; `cutproof model list` shows the trained models")
        try:
            manifest = TrainingManifest.from_json(row["manifest_json"])
        except ManifestError as exc:
            raise ModelMismatchError(f"the stored manifest of model {row['model_id'][:12]} is invalid: {exc}") from None
        if manifest.model_id != row["model_id"]:
            raise ModelMismatchError(
                f"the stored manifest of model {row['model_id'][:12]} hashes to {manifest.model_id[:12]}: the "
                "database was altered; retrain the model"
            )
        created = row["created_at"]
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        return ModelRecord(
            ModelId(row["model_id"]),
            row["kind"],
            row["project"],
            manifest,
            row["model_file_hash"],
            row["model_file_size"],
            json.loads(row["metrics_json"]),
            created,
        )

    def list(self, kind: str | None = None, project: str | None = None) -> list[ModelRecord]:
        """Registered models, newest first."""
        q = select(models_table.c.model_id)
        if kind is not None:
            q = q.where(models_table.c.kind == kind)
        if project is not None:
            q = q.where(models_table.c.project == project)
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(q)]
        return sorted((self.get(i) for i in ids), key=lambda r: r.created_at, reverse=True)

    def latest_id(self, kind: str, project: str | None = None) -> str | None:
        """The id of the newest registered model of ``kind`` (of ``project`` if given), or None: one query, no
        manifest or file read (what a per-request caller needs to see a newly trained model at once)."""
        q, params = (_LATEST, {"kind": kind}) if project is None else (_LATEST_OF, {"kind": kind, "project": project})
        with self.engine.connect() as conn:
            found = q.rows(conn, params)
        return str(found[0]["model_id"]) if found else None

    def load(self, ref: str, *, manifest: TrainingManifest | None = None) -> tuple[ModelRecord, ModelFile]:
        """Load a model file, checking it against its manifest (and against ``manifest`` if one is given).

        Raises:
            ModelNotFoundError: no such model, or its file is missing from the blob store.
            ModelMismatchError: ``manifest`` is not this model's, the file's bytes do not match the recorded
                hash, or the file's header names another model.
        """
        record = self.get(ref)
        if manifest is not None and manifest.model_id != record.model_id:
            raise ModelMismatchError(
                f"the manifest given hashes to {manifest.model_id[:12]}, but model {record.model_id[:12]} was trained"
                " under a different manifest; a model can only be used with the manifest that produced it"
            )
        if record.model_file_hash not in self.blobs:
            raise ModelNotFoundError(f"the file of model {record.model_id[:12]} is missing from the blob store")
        with self.blobs.open(record.model_file_hash) as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != record.model_file_hash:
            raise ModelMismatchError(
                f"the file of model {record.model_id[:12]} no longer matches its recorded hash; it was altered — "
                "retrain the model"
            )
        unpacked = unpack_model(data)
        if unpacked.model_id != record.model_id or unpacked.kind != record.kind:
            raise ModelMismatchError(
                f"the file stored for model {record.model_id[:12]} belongs to model {unpacked.model_id[:12]}"
            )
        return record, unpacked

    def _row(self, model_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(models_table).where(models_table.c.model_id == model_id)).mappings().first()

    def _prefix(self, ref: str) -> Any:
        low = ref.lower()
        if len(low) < 8 or any(c not in "0123456789abcdef" for c in low):
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(select(models_table).where(models_table.c.model_id.like(low + "%"))).mappings().all()
        if len(rows) > 1:
            raise ModelNotFoundError(f"model prefix {ref!r} is ambiguous ({len(rows)} models); give more digits")
        return rows[0] if rows else None


# Built once: the gate asks for the latest cast model on every request (on SQLite, on the driver:
# ``store.driver_select``).
_LATEST = DriverSelect(
    select(models_table.c.model_id)
    .where(models_table.c.kind == bindparam("kind"))
    .order_by(models_table.c.created_at.desc(), models_table.c.model_id)
    .limit(1)
)
_LATEST_OF = DriverSelect(_LATEST.stmt.where(models_table.c.project == bindparam("project")))
