"""Page readers: worker processes that turn a page's bytes into records while the harvest stores others.

Reading a page (parsing it, indexing its triples, building and validating its records, their raw triples
and the values the store needs) is CPU work that depends on the page's bytes alone. In the harvesting
process it would hold the GIL against the writing of the previous page; here it runs in a few worker
processes (``harvest.parse_workers``, by default one per CPU), so a harvest uses every CPU:

    async with PageReaders(2, preload=("harvesters.dcat",)) as readers:
        ticket = await readers.submit(read_page, request, label=url)
        next_link = await ticket.head()        # sent early by the worker, so the next page can start
        result = await ticket.result()

A task is a module-level function ``func(request, head)`` that calls ``head(value)`` once, as soon as it
knows what the caller needs to go on (a page's next link), then returns its result. Both travel back
pickled. A task may also put one question to the harvesting process with ``ask(value)`` and wait for the
answer (``Ticket.question`` / ``Ticket.answer`` on the other side): a page reader that stores its page
asks which of its remote ids earlier pages had, and is answered only when the page before it is stored
(``catalog.harvest.aside``).

The processes come from a ``forkserver`` (``spawn`` where there is none): never a fork of the harvesting
process with its threads and connections. As with any ``multiprocessing`` start method but
``fork``, a script that runs a harvest keeps its top-level code under ``if __name__ == "__main__":``
(the ``catalog`` command, the web app and the workers do). The forkserver starts, in the background, when
a pool is opened (its imports then overlap the first page's reading); the readers start when first needed
and stop with the pool; one that dies (killed, out of memory) fails its task with a ``FeedError`` naming
the page and the exit code, never a hang, and is replaced for the next task.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import pickle
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from catalog.exceptions import FeedError
from harvesters.base import HarvestedRecord

__all__ = [
    "PageReaders",
    "PreparedRecord",
    "Ticket",
    "ask",
    "default_workers",
    "harvester_gone",
    "paused_gc",
    "reader_cpu_seconds",
    "reader_peak_mb",
]

T = TypeVar("T")
Task = Callable[[Any, Callable[[Any], None]], Any]

_STOP_SECONDS = 5.0
_conn: Connection | None = None
"""In a page reader process: its end of the pipe to the harvesting process."""
_TOTAL_LOCK = threading.Lock()
_total_cpu = 0.0
_total_peak_mb = 0.0


def reader_cpu_seconds() -> float:
    """CPU seconds page reader processes have spent on this process's tasks so far (every pool)."""
    with _TOTAL_LOCK:
        return _total_cpu


def reader_peak_mb() -> float:
    """The largest peak resident memory of a page reader process of this process so far (MB)."""
    with _TOTAL_LOCK:
        return _total_peak_mb


def default_workers() -> int:
    """One page reader per CPU this process may use."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class PreparedRecord(HarvestedRecord):
    """A harvested record with what storing it needs worked out already (in a page reader)."""

    prepared: Any = None
    """``catalog.db.upsert.prepare(record, raw)``, or None."""
    municipality: str | None = None
    """``catalog.normalise.municipality_of(record)`` without a default."""


class _Failed:
    """A task's failure as it crosses the process boundary (exceptions do not all pickle)."""

    def __init__(self, exc: BaseException) -> None:
        self.feed = isinstance(exc, FeedError)
        self.text = str(exc).strip() or type(exc).__name__
        if not self.feed:
            self.text = f"{type(exc).__name__}: {self.text}"


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a while: building, unpickling or writing a page's records
    makes hundreds of thousands of objects and hardly a cycle, and each generation-0 overflow would scan
    them all (a quarter of a page reader's time, three quarters of unpickling, a sixth of writing a
    batch); reference counting frees them, the next collection finds the rare cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def ask(value: Any) -> Any:
    """In a task: send ``value`` to the harvesting process and wait for its answer (``Ticket.answer``).

    Raises ``EOFError`` when the harvesting process has gone meanwhile."""
    if _conn is None:
        raise RuntimeError("ask() is for tasks running in a page reader process")
    _conn.send(("ask", value, 0.0, 0))
    return _conn.recv()


def harvester_gone() -> bool:
    """In a task that has had its answer: True when the harvesting process has closed its end of the pipe
    (killed), so nothing more may be committed for it; it sends nothing else while the task runs."""
    if _conn is None:
        return False
    try:
        return _conn.poll(0)
    except (OSError, EOFError):
        return True


def _serve(conn: Connection) -> None:
    """A worker's loop: take a task, send its head and its result (or its failure), until told to stop."""
    global _conn
    _conn = conn
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the harvesting process's to handle
    gc.freeze()  # the modules loaded before the fork are never garbage: no collection looks at them
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        with paused_gc():
            _run_task(conn, *message)
        gc.collect(1)  # whatever cycles the task left


def _run_task(conn: Connection, func: Task, request: Any) -> None:
    started = time.process_time()
    try:
        result = func(request, lambda value: conn.send(("head", value, 0.0, 0)))
    except Exception as exc:
        conn.send(("error", _Failed(exc), time.process_time() - started, _peak_kb()))
    else:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        del result
        conn.send(("done", None, time.process_time() - started, _peak_kb()))
        conn.send_bytes(payload)


class _Packed:
    """A result as it came (pickled): pages read ahead wait in this form, three to four times smaller
    than their records, and are unpickled when their turn comes."""

    def __init__(self, data: bytes) -> None:
        self.data = data


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Ticket(Generic[T]):
    """One task given to a worker: its early head and its result."""

    def __init__(self, loop: asyncio.AbstractEventLoop, label: str) -> None:
        self.label = label
        self._loop = loop
        self._head: asyncio.Future[Any] = loop.create_future()
        self._question: asyncio.Future[Any] = loop.create_future()
        self._result: asyncio.Future[T] = loop.create_future()
        self._worker: _Worker | None = None
        self._asked = False
        self._answered = False
        self.cancelled = False

    async def head(self) -> Any:
        """What the task sent early (its page's next link)."""
        return await asyncio.shield(self._head)

    async def question(self) -> Any:
        """What the task asked with ``ask`` (raises its failure when it failed first)."""
        return await asyncio.shield(self._question)

    def answer(self, value: Any) -> None:
        """Answer the task's question (once)."""
        if self._answered:
            raise RuntimeError("the question was answered already")
        self._answered = True
        worker = self._worker
        if worker is not None:
            with contextlib.suppress(OSError, ValueError):  # the worker died: its failure comes as the result
                worker.conn.send(value)

    async def result(self) -> T:
        """The task's result; raises its failure (``FeedError``)."""
        value: Any = await asyncio.shield(self._result)
        if isinstance(value, _Packed):
            with paused_gc():
                value = pickle.loads(value.data)
            self._result = self._loop.create_future()
            self._result.set_result(value)
        return cast(T, value)

    def cancel(self) -> None:
        """Nobody waits for this task any more: its answer is dropped when it comes."""
        self.cancelled = True
        if self._asked and not self._answered:
            self.answer(None)  # a task waiting for its answer is told to stop
        for future in (self._head, self._question, self._result):
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()  # seen, so asyncio does not log it as never retrieved

    def _set(self, future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def _deliver(self, kind: str, value: Any) -> None:
        """Called from a worker's receiving thread."""
        calls: list[tuple[asyncio.Future[Any], Any, BaseException | None]]
        if kind == "head":
            calls = [(self._head, value, None)]
        elif kind == "ask":
            self._asked = True
            calls = [(self._head, None, None), (self._question, value, None)]
        elif kind == "done":
            calls = [(self._head, None, None), (self._question, None, None), (self._result, value, None)]
        else:
            error = value if isinstance(value, BaseException) else FeedError(str(value))
            calls = [(self._head, None, error), (self._question, None, error), (self._result, None, error)]
        for future, result, exc in calls:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                self._loop.call_soon_threadsafe(self._set, future, result, exc)
        if kind != "head":
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._swallow)

    def _swallow(self) -> None:
        if self.cancelled:
            self.cancel()  # also answers a question that came after the cancel


class _Worker:
    def __init__(self, pool: PageReaders, process: Any, conn: Connection) -> None:
        self.pool = pool
        self.process = process
        self.conn = conn
        self.ticket: Ticket[Any] | None = None
        self.alive = True
        self.thread = threading.Thread(target=self._receive, name="page-reader-receiver", daemon=True)
        self.thread.start()

    def run(self, ticket: Ticket[Any], func: Task, request: Any) -> None:
        self.ticket = ticket
        ticket._worker = self
        try:
            self.conn.send((func, request))
        except (OSError, ValueError) as exc:
            self._died(f"the page reader process could not be given the page ({exc})")

    def _receive(self) -> None:
        while True:
            try:
                data = self.conn.recv_bytes()
            except (EOFError, OSError):
                if self.alive:
                    self.process.join(1.0)
                    code = self.process.exitcode
                    self._died(f"the page reader process died (exit code {code})")
                return
            try:
                with paused_gc():
                    kind, value, cpu, peak = pickle.loads(data)
                del data
            except Exception as exc:  # an answer that cannot be read back
                value = FeedError(f"the page reader's answer cannot be read: {exc}")
                kind, cpu, peak = "error", 0.0, 0
            if cpu:
                self.pool._add_cpu(cpu, peak)
            if kind == "done":
                try:
                    value = _Packed(self.conn.recv_bytes())
                except (EOFError, OSError):
                    continue  # the next receive tells the death
            ticket = self.ticket
            if kind == "error" and isinstance(value, _Failed):
                label = ticket.label if ticket is not None else ""
                text = value.text if value.text.startswith(label) else f"{label}: {value.text}"
                value = FeedError(text)
            if ticket is not None:
                ticket._deliver(kind, value)
            if kind not in ("head", "ask"):
                self.ticket = None
                self.pool._idle_again(self)

    def _died(self, reason: str) -> None:
        self.alive = False
        ticket, self.ticket = self.ticket, None
        if ticket is not None:
            ticket._deliver("error", FeedError(f"{ticket.label}: {reason}"))
        self.pool._gone(self)

    def stop(self) -> None:
        busy = self.ticket is not None
        self.alive = False
        if not busy:  # a worker still reading an abandoned page is not waited for
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(_STOP_SECONDS)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_STOP_SECONDS)
        with contextlib.suppress(OSError):
            self.conn.close()
        self.thread.join(_STOP_SECONDS)


class PageReaders:
    """Up to ``size`` worker processes reading pages for one harvest run (see the module docstring)."""

    def __init__(self, size: int, *, preload: Sequence[str] = ()) -> None:
        if size < 1:
            raise ValueError("a pool of page readers needs at least one process")
        self.size = size
        self.preload = list(preload)
        self.started = 0
        """Processes started so far (tests and benchmarks look)."""
        self.cpu_seconds = 0.0
        """CPU time the processes spent on this pool's tasks."""
        self.peak_mb = 0.0
        """The largest peak resident memory of the processes (Linux: MB)."""
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._closed = False
        self._warming: asyncio.Future[None] | None = None

    def _context(self) -> Any:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if self.preload and ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(self.preload)  # only heeded before the server first starts
        return ctx

    def _warm(self) -> None:
        """Start the forkserver (once per process), whose preloaded imports take about half a second, so
        that a first reader forks at once when a second page comes. It starts no reader."""
        if self._context().get_start_method() == "forkserver":
            from multiprocessing import forkserver

            with contextlib.suppress(Exception):  # the first reader's start reports any failure
                forkserver.ensure_running()

    def _start(self) -> _Worker:
        ctx = self._context()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child,), name="catalog-page-reader", daemon=True)
        process.start()
        child.close()
        worker = _Worker(self, process, parent)
        with self._lock:
            self._workers.append(worker)
            self.started += 1
        return worker

    async def submit(self, func: Task, request: Any, *, label: str) -> Ticket[Any]:
        """Give ``func(request, head)`` to an idle worker (starting one when fewer than ``size`` run, else
        waiting for one); ``label`` (the page URL) starts the text of its failures."""
        loop = asyncio.get_running_loop()
        while True:
            if self._closed:
                raise FeedError(f"{label}: the page readers were stopped")
            with self._lock:
                worker = self._idle.pop() if self._idle else None
                start = worker is None and len(self._workers) < self.size
                waiter: asyncio.Future[None] | None = None
                if worker is None and not start:
                    waiter = loop.create_future()
                    self._waiting.append((loop, waiter))
            if start:
                try:
                    worker = await asyncio.to_thread(self._start)
                except Exception as exc:
                    raise FeedError(
                        f"{label}: the page reader processes cannot start ({type(exc).__name__}: {exc}); a"
                        ' script that harvests needs the `if __name__ == "__main__":` guard, or set'
                        " harvest.parse_workers = 0 to read pages in the harvesting process"
                    ) from exc
            if worker is not None:
                ticket: Ticket[Any] = Ticket(loop, label)
                worker.run(ticket, func, request)
                return ticket
            assert waiter is not None
            await waiter

    def _add_cpu(self, seconds: float, peak_kb: int) -> None:
        with self._lock:
            self.cpu_seconds += seconds
            self.peak_mb = max(self.peak_mb, peak_kb / 1024)
        with _TOTAL_LOCK:
            global _total_cpu, _total_peak_mb
            _total_cpu += seconds
            _total_peak_mb = max(_total_peak_mb, peak_kb / 1024)

    def _idle_again(self, worker: _Worker) -> None:
        with self._lock:
            if worker.alive and not self._closed:
                self._idle.append(worker)
            self._wake()

    def _gone(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            self._wake()
        with contextlib.suppress(OSError):
            worker.conn.close()

    def _wake(self) -> None:
        waiting, self._waiting = self._waiting, []
        for loop, waiter in waiting:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_release, waiter)

    def close(self) -> None:
        """Stop every worker (a task still running is abandoned)."""
        with self._lock:
            self._closed = True
            workers, self._workers, self._idle = self._workers, [], []
            self._wake()
        for worker in workers:
            worker.stop()

    async def __aenter__(self) -> PageReaders:
        """The pool, its forkserver starting in the background (``_warm``) while the first page is read."""
        self._warming = asyncio.get_running_loop().run_in_executor(None, self._warm)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._warming is not None:
            await self._warming
        await asyncio.to_thread(self.close)


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
