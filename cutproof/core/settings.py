"""Application settings, read from the command line and the environment (``CUTPROOF_*``).

Nothing is created at import time: a ``Settings`` object is built by the CLI's or the API's entry point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cutproof.core.workspace import DEFAULT_HOME

DEFAULT_SECRET = "changethis"


class Settings(BaseSettings):
    """Where the workspace lives and which database it uses.

    Attributes:
        home: workspace directory holding the database (SQLite by default), keys and content-addressed blobs.
        db: any SQLAlchemy URL; ``None`` means the embedded SQLite file ``<home>/cutproof.db``.
        environment: ``local`` for a workstation; ``staging``/``production`` make unsafe defaults an error.
        secret_key: HMAC key under which API token hashes are stored; must be set outside local use.
        max_request_bytes: largest request body the API accepts (uploads stream to the blob store up to this).
        public_ledger: serve the ledger's read-only face (checkpoints, proofs, tiles) without a token.
        workers: render-job worker threads the API server runs (0: none, e.g. when a separate engine runs jobs).
        threads: threads that run the API's blocking route code (anyio's default would be 40). Gate decisions
            are short and CPU-bound, and fewer threads contend less for the interpreter lock (measured: same
            throughput, half the queueing latency at 8 than at 40); raise it if many long requests (QC of large
            files, audits) run at once.
        max_in_flight: API requests handled at once per server process; past it the server answers 503 with
            ``Retry-After`` at once (load shedding) instead of queueing without bound.
        tsa_url: RFC 3161 time-stamp authority (``http(s)://…``) that time-stamps every C2PA claim signature, as the
            EU Code of Practice (Measure 1.1.1) asks; unset signs without a time-stamp (``CUTPROOF_TSA_URL``).
        verify_max_bytes / verify_per_minute: the unauthenticated ``POST /verify``'s size cap and per-address rate.
        body_timeout_s: a request body must keep arriving: each part within this many seconds (and the whole at
            16 KiB/s or faster after that allowance), else 408 (``cutproof.api.admission``).
        max_in_flight_per_client: requests without a valid token (console forms, sign-in) that one client
            address may have in flight with a body; default a quarter of ``max_in_flight``.
        processes: API server processes sharing the port. One process runs Python on about one core (the
            interpreter lock); more let gate decisions use more cores (measured in ``bench/api.py``). They share
            the database (SQLite writers queue on a lock file), and one of them runs the render-job worker pool.
        ray_address: an existing Ray cluster (``host:port`` or ``ray://host:port``; ``CUTPROOF_RAY_ADDRESS``) that
            runs the jobs (render, label, training, QC batches) instead of the server's in-process worker pool; see
            ``cutproof.scale`` and docs/operators-database.md. Unset: the in-process pool.
        qc_workers: processes a QC batch checks files in when no Ray cluster is set (0: one per core).
        render_workers: processes a render job renders and watermarks an edit's video in, in segments, when no
            Ray cluster is set (1: in one piece, in the job's thread; 0: one per core); the edit is the same. The
            H.264/H.265 encoders run on one thread each so that a render is reproducible (``media._policy``), so
            this, not the encoder, is what uses the cores; the file's bytes depend on the segments (on this
            number), not on the machine's cores (x264 is also held to AVX2, ``media._policy``). With a Ray
            cluster the segments are Ray tasks. ``CUTPROOF_RENDER_WORKERS``.
    """

    model_config = SettingsConfigDict(env_prefix="CUTPROOF_", extra="ignore")

    home: Path = Field(default=DEFAULT_HOME)
    db: str | None = None
    environment: Literal["local", "staging", "production"] = "local"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    max_request_bytes: int = Field(default=2 * 1024**3, gt=0)
    public_ledger: bool = False
    workers: int = Field(default=1, ge=0, le=64)
    threads: int = Field(default=8, ge=1, le=1024)
    max_in_flight: int = Field(default=32, ge=1, le=10_000)
    body_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    max_in_flight_per_client: int | None = Field(default=None, ge=1, le=10_000)
    processes: int = Field(default=1, ge=1, le=64)
    tsa_url: str | None = None
    verify_max_bytes: int = Field(default=512 * 1024**2, gt=0)
    verify_per_minute: int = Field(default=10, ge=1, le=10_000)
    ray_address: str | None = None
    qc_workers: int = Field(default=0, ge=0, le=256)
    render_workers: int = Field(default=1, ge=0, le=256)

    def check_safe(self) -> Settings:
        """Return self, or raise if a default or weak secret is used outside local use.

        Raises:
            SettingsError: ``secret_key`` is the default or shorter than 32 characters while not local.
        """
        from cutproof.core.errors import SettingsError

        key = self.secret_key.get_secret_value()
        if self.environment != "local" and (key == DEFAULT_SECRET or len(key) < 32):
            raise SettingsError(
                f"CUTPROOF_SECRET_KEY is the default or too short for environment {self.environment!r}; "
                "set it to a random string of at least 32 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`)"
            )
        return self
