"""Shared machinery of the ledger crash and concurrency tests: the appending child process and the audit.

The appender (:data:`APPENDER` as a child process, or forked by :class:`Zygote`) appends random batches to a log
forever (or a given number of batches; writers with odd seeds on ``store.sql.open_database``, the others on a
SQLAlchemy engine, so both kinds share the database) and, after each ``Log.append`` has returned, writes one JSON
line per acknowledged entry plus one line with the checkpoint the batch was published in, with a single ``os.write``.
Whatever the parent finds in that stream, up to the last complete line, was acknowledged. :class:`Auditor` then
checks a log against the acknowledgements and against the RFC 6962 reference, incrementally, so that it can run
after every kill.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger import Ledger
from ledger.merkle import verify_consistency
from store.db import open_engine
from tests.ledger.reference import ReferenceTree, leaf_hash, open_note_reference, parse_checkpoint_reference

REPO_ROOT = Path(__file__).resolve().parents[2]

_APPEND_LOOP = r"""
import json, os, random, sys, time
from ledger import Ledger
from store.db import open_engine
from store.sql import open_database
from ledger.errors import ConflictError


def run(url, keys, origin, worker, seed, batches, out=1):
    rng = random.Random(int(seed))
    # Odd seeds open the database as plain SQL (a SQLite file: the standard library's driver, as the ledger
    # commands do), even ones through a SQLAlchemy engine (as the server does): both write the same file at once.
    db = open_database(url) if int(seed) % 2 else open_engine(url)
    log = Ledger(db, keys).open_log(origin)
    sizes = [1, 1, 2, 3, 8, 17, 64, 200]
    seq, done = 0, 0
    while int(batches) < 0 or done < int(batches):
        n = rng.choice(sizes)
        batch = [{"kind": "test.append/1", "worker": worker, "seq": seq + i, "batch": [seq, n],
                  "pad": "x" * rng.randrange(0, 120)} for i in range(n)]
        while True:
            try:
                acks = log.append(batch, identity="test:" + worker)
                break
            except ConflictError:
                time.sleep(0.01 * rng.random())
        lines = [json.dumps({"index": a.index, "leaf": a.leaf_hash_hex, "worker": worker, "seq": seq + i})
                 for i, a in enumerate(acks)]
        lines.append(json.dumps({"checkpoint": acks[0].checkpoint}))
        os.write(out, ("\n".join(lines) + "\n").encode())
        seq += n
        done += 1
"""

APPENDER = _APPEND_LOOP + "\nrun(*sys.argv[1:7])\n"
"""A child process: ``python -c APPENDER url keys origin worker seed batches`` (batches < 0: until killed)."""

# A clean process that has done the imports once and forks one appender per request, so that a crash test can
# kill dozens of appenders without paying the interpreter start-up each time. It never opens the database itself.
_ZYGOTE = (
    _APPEND_LOOP
    + r"""
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "spawn":
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                fd = os.open(cmd["out"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                run(*cmd["args"], out=fd)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
    else:
        _, status = os.waitpid(cmd["pid"], 0)
        print(json.dumps({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                          "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}), flush=True)
"""
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def spawn_appender(
    url: str, keys: Path, origin: str, worker: str, seed: int, batches: int, stdout: Any
) -> subprocess.Popen[bytes]:
    """Start an appender child (``batches < 0``: until killed) writing its acknowledgements to ``stdout``."""
    return subprocess.Popen(
        [sys.executable, "-c", APPENDER, url, str(keys), origin, worker, str(seed), str(batches)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
        env=_env(),
    )


class Zygote:
    """Forks appender processes on request (see ``_ZYGOTE``); use as a context manager."""

    def __enter__(self) -> Zygote:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=_env(),
            text=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)

    def _ask(self, cmd: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the appender zygote died (exit {self.proc.wait()})")
        return dict(json.loads(line))

    def spawn(self, out: Path, url: str, keys: Path, origin: str, worker: str, seed: int) -> int:
        """Fork an appender that runs until killed, acknowledging into ``out``; return its pid."""
        return int(
            self._ask({"op": "spawn", "out": str(out), "args": [url, str(keys), origin, worker, seed, -1]})["pid"]
        )

    def reap(self, pid: int) -> dict[str, Any]:
        """Wait for the appender to be gone; return how it ended (``signal`` / ``exit``)."""
        return self._ask({"op": "reap", "pid": pid})


@dataclass
class Acks:
    """Acknowledgements read back from appender output."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)

    def read(self, raw: bytes) -> None:
        """Add every complete line of ``raw`` (a torn last line was never acknowledged)."""
        text = raw.decode()
        complete = text[: text.rfind("\n") + 1]
        for line in complete.splitlines():
            obj = json.loads(line)
            if "checkpoint" in obj:
                self.checkpoints.append(obj["checkpoint"])
            else:
                self.entries.append(obj)


def fsck_problems(ledger: Ledger, origin: str) -> list[str]:
    """Run the ledger's fsck on one log; return its findings (empty when clean)."""
    from ledger.fsck import fsck

    (result,) = fsck(ledger.engine, [origin])
    assert result.origin == origin
    return [] if result.ok else [str(result.problem)]


class Auditor:
    """Checks one log again and again as it grows: acknowledgements, reference roots, immutable history."""

    def __init__(self, url: str, keys: Path, origin: str) -> None:
        self.url, self.keys, self.origin = url, keys, origin
        self.leaves: list[bytes] = []
        self.objs: list[dict[str, Any]] = []
        self.notes: dict[int, str] = {}
        self.vkey: str | None = None

    def audit(self, acks: Acks) -> int:
        """Check everything; return the log size. Fails with AssertionError naming the first violation."""
        engine = open_engine(self.url)
        try:
            ledger = Ledger(engine, self.keys)
            log = ledger.open_log(self.origin)
            problems = fsck_problems(ledger, self.origin)
            assert not problems, f"fsck found corruption: {problems}"
            size = log.size()
            vkeys = log.verifier_keys()
            assert len(vkeys) == 1
            self.vkey = vkeys[0]
            # The leaves are immutable: re-read the ones seen before only via the roots below; read the new ones.
            assert size >= len(self.leaves), f"log shrank from {len(self.leaves)} to {size}"
            for i in range(len(self.leaves), size):
                data = log.entry(i)
                self.leaves.append(leaf_hash(data))
                self.objs.append(json.loads(data))
            ref = ReferenceTree(self.leaves)
            # 1. Every acknowledged entry is present with identical bytes, exactly once.
            seen: set[tuple[str, int]] = set()
            for ack in acks.entries:
                index = ack["index"]
                assert index < size, f"acknowledged entry {index} missing: log size is {size}"
                assert self.leaves[index].hex() == ack["leaf"], f"entry {index} differs from what was acknowledged"
                key = (ack["worker"], ack["seq"])
                assert key not in seen, f"entry {key} acknowledged twice"
                seen.add(key)
            acked_indices = [a["index"] for a in acks.entries]
            assert len(set(acked_indices)) == len(acked_indices), "two acknowledgements for one index"
            # 2. The checkpoint history: every stored checkpoint is signed, matches the reference root of its size,
            #    and never changes; every acknowledged checkpoint is one of them, verbatim.
            sizes = log.checkpoint_sizes()
            assert sizes[-1] == size, f"latest checkpoint size {sizes[-1]} != log size {size}"
            for s in sizes:
                note = log.checkpoint_at(s)
                if s in self.notes:
                    assert note == self.notes[s], f"checkpoint at size {s} changed"
                    continue
                origin, cp_size, root = parse_checkpoint_reference(open_note_reference(note, self.vkey))
                assert (origin, cp_size) == (self.origin, s)
                assert root == ref.root(s), f"checkpoint at size {s} has a root inconsistent with the entries"
                self.notes[s] = note
            assert log.checkpoint() == self.notes[size]
            for cp in acks.checkpoints:
                _, cp_size, _ = parse_checkpoint_reference(cp)
                assert self.notes.get(cp_size) == cp, f"acknowledged checkpoint at size {cp_size} is not stored"
            # 3. Consistency proofs served by the log between successive checkpoints verify.
            for old, new in zip(sizes[-6:], sizes[-5:], strict=False):
                old_root = parse_checkpoint_reference(self.notes[old])[2]
                new_root = parse_checkpoint_reference(self.notes[new])[2]
                verify_consistency(old, new, old_root, new_root, log.consistency_proof(old, new))
            return size
        finally:
            engine.dispose()

    def check_batches(self) -> dict[str, int]:
        """Each worker's entries are one gap-free run of whole batches, each batch contiguous in the log.

        Returns ``worker -> number of its entries in the log``.
        """
        seqs: dict[str, list[int]] = {}
        batch_at: dict[tuple[str, int], list[int]] = {}
        sizes: dict[tuple[str, int], int] = {}
        for i, obj in enumerate(self.objs):  # the entries read by the last audit
            seqs.setdefault(obj["worker"], []).append(obj["seq"])
            start, n = obj["batch"]
            batch_at.setdefault((obj["worker"], start), []).append(i)
            sizes[(obj["worker"], start)] = n
            assert start <= obj["seq"] < start + n
        for worker, got in seqs.items():
            assert got == list(range(len(got))), f"{worker}: entries missing, duplicated or out of order"
        for (worker, start), indices in batch_at.items():
            n = sizes[(worker, start)]
            assert len(indices) == n, f"{worker}: batch at seq {start} is partly written ({len(indices)}/{n})"
            assert indices == list(range(indices[0], indices[0] + n)), f"{worker}: batch {start} interleaved"
        return {w: len(s) for w, s in seqs.items()}
