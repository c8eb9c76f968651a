"""The ledger on plain SQL (``store.sql``): a SQLite file through the standard library's driver gives exactly what
the SQLAlchemy engine gives, on the same file, and the layer reports errors as ``store.errors``.

(The concurrency and crash tests run writers of both kinds on one file at once: see ``tests/ledger/_qa.py``.)
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ledger import Ledger, verify_receipt
from ledger.errors import CorruptionError, LogExistsError, UnknownLogError
from ledger.export import export_tiles
from ledger.fsck import fsck
from store._engine_sql import EngineDatabase
from store.db import open_engine
from store.errors import ConstraintError, SqlError
from store.sql import SqliteFile, as_database, open_database, sqlite_path

ORIGIN = "cutproof.test/plain"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "plain.db"
    Ledger(open_engine(f"sqlite:///{path}"), tmp_path / "keys").create_schema()
    return path


def test_file_and_engine_ledgers_agree_on_one_file(tmp_path: Path, db_file: Path) -> None:
    plain = Ledger(SqliteFile(db_file), tmp_path / "keys")
    engine = Ledger(open_engine(f"sqlite:///{db_file}"), tmp_path / "keys")
    plain.create_log(ORIGIN)
    a, b = plain.open_log(ORIGIN), engine.open_log(ORIGIN)
    for n in range(6):  # batches from both, interleaved
        (a if n % 2 else b).append([{"kind": "test.plain/1", "n": n, "i": i} for i in range(n * 60 + 1)], "test:p")
    a.rotate_key()
    b.append([{"kind": "test.plain/1", "after": "rotation"}], "test:p")
    assert a.size() == b.size() == sum(n * 60 + 1 for n in range(6)) + 2
    assert a.checkpoint() == b.checkpoint()
    assert a.checkpoint_sizes() == b.checkpoint_sizes()
    assert a.verifier_keys() == b.verifier_keys() and len(a.verifier_keys()) == 2
    assert list(a.entries(100, 400)) == list(b.entries(100, 400))
    for index in (0, 255, 256, a.size() - 1):
        assert a.prove(index) == b.prove(index)
        assert verify_receipt(a.prove(index), a.entry(index), a.verifier_keys()).index == index
    assert a.consistency_proof(300) == b.consistency_proof(300)
    assert a.inclusion_proof(5, 700) == b.inclusion_proof(5, 700)
    assert plain.origins() == engine.origins() == [ORIGIN]
    export_tiles(a, tmp_path / "from-file")
    export_tiles(b, tmp_path / "from-engine")
    files = sorted(p.relative_to(tmp_path / "from-file") for p in (tmp_path / "from-file").rglob("*") if p.is_file())
    assert files and files == sorted(
        p.relative_to(tmp_path / "from-engine") for p in (tmp_path / "from-engine").rglob("*") if p.is_file()
    )
    assert all((tmp_path / "from-file" / f).read_bytes() == (tmp_path / "from-engine" / f).read_bytes() for f in files)
    [ok_file] = fsck(SqliteFile(db_file))
    [ok_engine] = fsck(engine.engine)
    assert ok_file.ok and ok_engine.ok and ok_file.size == ok_engine.size == a.size()


def test_fsck_on_the_file_finds_what_the_engine_finds(tmp_path: Path, db_file: Path) -> None:
    log = Ledger(SqliteFile(db_file), tmp_path / "keys").create_log(ORIGIN)
    log.append([{"kind": "test.plain/1", "i": i} for i in range(40)], "test:p")
    with sqlite3.connect(db_file) as raw:  # disk corruption underneath: invalid UTF-8 in the latest checkpoint
        raw.execute("UPDATE ledger_logs SET checkpoint = CAST(X'ff00' || checkpoint AS TEXT)")
    [by_file] = fsck(SqliteFile(db_file))
    [by_engine] = fsck(open_engine(f"sqlite:///{db_file}"))
    assert not by_file.ok and by_file.problem == by_engine.problem
    assert "not valid UTF-8" in (by_file.problem or "")
    with pytest.raises(CorruptionError, match="fsck"):
        Ledger(SqliteFile(db_file), tmp_path / "keys").open_log(ORIGIN).checkpoint()


def test_errors(tmp_path: Path, db_file: Path) -> None:
    ledger = Ledger(SqliteFile(db_file), tmp_path / "keys")
    ledger.create_log(ORIGIN)
    with pytest.raises(LogExistsError):
        ledger.create_log(ORIGIN)
    with pytest.raises(UnknownLogError, match="create it first"):
        ledger.open_log("cutproof.test/none")
    with SqliteFile(db_file).write() as sql, pytest.raises(ConstraintError):
        sql.run(
            "INSERT INTO ledger_logs (id, origin, size, root_hash, checkpoint, created_at) "
            "VALUES (1, 'x', 0, ?, '', '')",
            (b"",),
        )
    with pytest.raises(SqlError, match="no database file"):
        SqliteFile(tmp_path / "missing.db").read().__enter__()
    assert not (tmp_path / "missing.db").exists()  # reading never creates a database
    with pytest.raises(AttributeError, match="without a SQLAlchemy engine"):
        ledger.engine  # noqa: B018


def test_a_failed_write_leaves_nothing(tmp_path: Path, db_file: Path) -> None:
    db = SqliteFile(db_file)
    log = Ledger(db, tmp_path / "keys").create_log(ORIGIN)

    def boom(_conn: object, _appended: object) -> None:
        raise RuntimeError("the caller's own rows failed")

    with pytest.raises(RuntimeError):
        log.append([{"kind": "test.plain/1"}], "test:p", also=boom)
    assert log.size() == 0 and fsck(db)[0].ok
    with db.read() as sql:
        assert sql.rows("SELECT count(*) FROM ledger_entries") == [(0,)]


def test_threads_share_one_file_database(tmp_path: Path, db_file: Path) -> None:
    db = SqliteFile(db_file)
    log = Ledger(db, tmp_path / "keys").create_log(ORIGIN)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for n in range(10):
                log.append([{"kind": "test.plain/1", "w": w, "n": n}], f"test:{w}")
                log.prove(log.size() - 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and log.size() == 40 and fsck(db)[0].ok


def test_urls_and_wrapping(tmp_path: Path, db_file: Path) -> None:
    assert sqlite_path(f"sqlite:///{db_file}") == db_file
    assert sqlite_path("sqlite://") is None and sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://u@h/db") is None and sqlite_path(f"sqlite:///{db_file}?mode=ro") is None
    assert isinstance(open_database(f"sqlite:///{db_file}"), SqliteFile)
    engine = open_engine(f"sqlite:///{db_file}")
    wrapped = as_database(engine)
    assert isinstance(wrapped, EngineDatabase) and as_database(wrapped) is wrapped
    assert wrapped.attachments is EngineDatabase(engine).attachments  # shared per engine (group commit)


def test_opening_the_file_loads_no_sqlalchemy(tmp_path: Path, db_file: Path) -> None:
    Ledger(SqliteFile(db_file), tmp_path / "keys").create_log(ORIGIN)
    probe = (
        "import sys; from ledger import Ledger; from store.sql import open_database; "
        f"log = Ledger(open_database({f'sqlite:///{db_file}'!r}), {str(tmp_path / 'keys')!r}).open_log({ORIGIN!r}); "
        "log.append([{'kind': 'test.plain/1'}], 'test:p'); print(log.prove(0).splitlines()[0]); "
        "print(any(m.split('.')[0] == 'sqlalchemy' for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["c2sp.org/tlog-proof@v1", "False"]
