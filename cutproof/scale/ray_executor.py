"""``RayExecutor``: a ``concurrent.futures.Executor`` whose tasks run on a Ray cluster.

Anything that takes an Executor (batch QC, segment-parallel media work, benchmarks) runs on Ray by being handed
one. ``submit(fn, *args, **kwargs)`` runs ``fn(*args, **kwargs)`` as a Ray task and returns a standard
``concurrent.futures.Future``; ``map`` comes from ``Executor`` on top of it. ``fn`` and its arguments travel
pickled (cloudpickle) through Ray's object store: pass paths and small values, never whole videos — every node
sees the same workspace on a shared path (docs/operators-database.md).

A task whose worker process dies is retried by Ray (``max_retries``), so ``fn`` must be idempotent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from typing import Any

from cutproof.core.errors import CutproofError

DEFAULT_MAX_RETRIES = 3


class RayUnavailableError(CutproofError):
    """The Ray cluster cannot be reached (or Ray is not installed)."""


def connect(address: str | None = None) -> Any:
    """The ``ray`` module, connected to the cluster at ``address`` (already connected: kept as is; None inside a
    Ray task or for ``RAY_ADDRESS``).

    Raises:
        RayUnavailableError: the cluster cannot be reached.
    """
    import ray  # only where a Ray cluster is used

    if not ray.is_initialized():
        try:
            ray.init(address=address or "auto", logging_level="WARNING", log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RayUnavailableError(
                f"cannot reach the Ray cluster at {address or 'RAY_ADDRESS'}: {exc}; start it (`ray start --head`) "
                "or unset CUTPROOF_RAY_ADDRESS to run jobs in process"
            ) from None
    return ray


def _call(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return fn(*args, **kwargs)


class RayExecutor(Executor):
    """Run callables as Ray tasks (see the module docstring).

    Args:
        address: the cluster (``host:port``, ``ray://…``); None: the one this process is connected to, the one a
            Ray task runs in, or ``RAY_ADDRESS``.
        num_cpus: CPUs each task reserves on its node.
        max_retries: times Ray re-runs a task whose worker died.
    """

    def __init__(
        self, address: str | None = None, *, num_cpus: float = 1, max_retries: int = DEFAULT_MAX_RETRIES
    ) -> None:
        self._ray = connect(address)
        self._remote = self._ray.remote(num_cpus=num_cpus, max_retries=max_retries)(_call)
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._refs: dict[Future[Any], Any] = {}
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit to a RayExecutor after shutdown")
            ref = self._remote.remote(fn, args, kwargs)
            fut: Future[Any] = ref.future()
            self._pending.add(fut)
            self._refs[fut] = ref
        fut.add_done_callback(self._forget)
        return fut

    def _forget(self, fut: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(fut)
            self._refs.pop(fut, None)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; with ``cancel_futures`` cancel the tasks not finished; with ``wait`` wait for the
        rest. The connection to the cluster stays (other executors of this process may use it)."""
        with self._lock:
            self._shutdown = True
            pending = list(self._pending)
            refs = [self._refs[f] for f in pending if f in self._refs]
        if cancel_futures:
            for ref in refs:
                with contextlib.suppress(Exception):  # already finished or gone: nothing to cancel
                    self._ray.cancel(ref)
        if wait:
            for fut in pending:
                with contextlib.suppress(Exception, CancelledError):  # each task's outcome is its caller's
                    fut.result()
