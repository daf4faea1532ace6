"""Papers rendered in worker processes, each within a time limit and a memory cap.

A council's templates and stylesheets can loop for ever or build something
huge. Rendered in the building process, that would hang the build while it
holds the output folder's lock (so every later build waits too) or take the
machine's memory. So each paper is rendered in a worker process: an alarm
interrupts it after TIME_LIMIT_S (POSIX), its address space is capped at
`memory_limit()` bytes (RLIMIT_AS), and a worker that is still busy
KILL_AFTER_S later (stuck where the alarm cannot reach, or on a system
without alarms), or that dies, is killed and replaced. Only its paper fails;
the batch goes on and the lock is released when the build ends.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from reportgen.errors import BuildError

TIME_LIMIT_S = 300
"""Seconds one paper may take to render (templates, layout, PDF, checks). A 600-page paper took 219 s on a
busy 2-core machine, so this stops what hangs, not a long paper; a looping template meets TEMPLATE_LIMIT_S first."""

TEMPLATE_LIMIT_S = 60
"""Seconds of processor time the templates may take to write one paper's HTML. A real paper's take well
under a second, so a template that loops is stopped here, long before TIME_LIMIT_S."""

KILL_AFTER_S = 10
"""Seconds after the time limit before a worker that has not stopped is killed."""

MEMORY_LIMIT_BYTES = 4 * 1024**3
"""Address space of one worker (RLIMIT_AS): 4 GiB, or half the machine's memory when that is less."""

PRELOAD = ["reportgen.pdf.engine", "weasyprint", "reportgen.pipeline.render", "reportgen.render.html",
           "reportgen.pdf.repair", "reportgen.pdf.gate"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failure:
    """A paper whose worker failed: the message for the user."""

    message: str


def memory_limit() -> int:
    """MEMORY_LIMIT_BYTES, or half the physical memory when that is less."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return MEMORY_LIMIT_BYTES
    return min(MEMORY_LIMIT_BYTES, physical // 2)


def _gib(size: int) -> str:
    return f"{size / 1024**3:.3g} GiB"


# --- in the worker ---------------------------------------------------------------


class OutOfTime(BaseException):
    """Raised by the alarm; a BaseException, so no `except Exception` on the way swallows it."""


def _out_of_time(signum, frame) -> None:
    raise OutOfTime


def _cap_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: the time limit still applies
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve(conn, limit: int, seconds: float) -> None:
    """A worker: take a task, run it within the limits, send back its result; until told to stop, or until a
    task fails (the library it stopped in may be left half-way)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the building process's to handle
    _cap_memory(limit)
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _out_of_time)
    from reportgen.pdf.engine import preload

    preload()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the building process has gone
            return
        if task is None:
            return
        function, item, cwd = task
        try:
            os.chdir(cwd)  # messages name files relative to where the build was started
        except OSError:
            pass
        result, spoilt = _attempt(function, item, limit, seconds)
        try:
            conn.send(result)
        except (OSError, ValueError):
            return
        if spoilt:  # interrupted half-way through a library: start afresh
            return


def _attempt(function: Callable, item, limit: int, seconds: float) -> tuple[object, bool]:
    """(result, whether this worker should stop): the function's value, or a Failure."""
    alarm = hasattr(signal, "SIGALRM")
    try:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return function(item), False
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except OutOfTime:
        return Failure(too_long(seconds)), True
    except MemoryError:
        return Failure(f"rendering needed more than the {_gib(limit)} of memory a paper may use; a template or "
                       "stylesheet probably builds something huge (see docs/house-styles.md, Limits)"), True
    except Exception as exc:  # noqa: BLE001 - a bug fails this paper, not the batch
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return Failure(f"reportgen hit an internal error on this paper (a bug, not a problem with your files): "
                       f"{type(exc).__name__}: {exc} (in {Path(frame.filename).name}:{frame.lineno})"), True


@contextlib.contextmanager
def template_limit(seconds: float | None = None) -> Iterator[None]:
    """A BuildError once the code inside has used `seconds` of processor time (TEMPLATE_LIMIT_S): in a
    process's main thread on POSIX, where a signal can interrupt it; elsewhere no limit but the paper's."""
    seconds = TEMPLATE_LIMIT_S if seconds is None else seconds
    if not hasattr(signal, "SIGVTALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise BuildError(f"the templates took more than {seconds:g} s of processor time to write this paper, so "
                         "they were stopped; a template probably loops for too long (see docs/house-styles.md, "
                         "Limits)")

    previous = signal.signal(signal.SIGVTALRM, stop)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def too_long(seconds: float) -> str:
    return (f"rendering took longer than {seconds:g} s, the limit for one paper, so it was stopped; a template "
            "probably loops for too long (see docs/house-styles.md, Limits)")


# --- in the building process -----------------------------------------------------


class _Worker:
    def __init__(self, context, limit: int, seconds: float):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, limit, seconds), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def process_context():
    """Where worker processes come from (the build's, and the preview's PDF process)."""
    from reportgen.pdf.engine import isolate_fontconfig

    isolate_fontconfig()  # workers inherit it (reportgen's own fonts only) from this process's environment
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    # Workers are forked from a fork server that has imported WeasyPrint but
    # never rendered: a process that has rendered holds Pango and fontconfig
    # threads and locks, and a child forked from it can deadlock.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now, so that it imports WeasyPrint on another core while the building process
    reads and checks the records; the first worker then starts at once."""
    context = process_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def run(function: Callable[[T], R], items: list[T], jobs: int, *,
        seconds: float | None = None) -> Iterator[tuple[T, R | Failure]]:
    """Yield (item, function(item) or a Failure) as each finishes, `jobs` at a time, each in a worker."""
    if not items:
        return
    seconds = TIME_LIMIT_S if seconds is None else seconds
    limit = memory_limit()
    grace = KILL_AFTER_S if hasattr(signal, "SIGALRM") else 0
    context = process_context()
    pending = deque(items)
    idle: list[_Worker] = []
    busy: dict[_Worker, tuple[T, float]] = {}
    try:
        while pending or busy:
            while pending and len(busy) < jobs:
                item, fresh = pending.popleft(), not idle
                try:
                    worker = idle.pop() if idle else _Worker(context, limit, seconds)
                except OSError as exc:  # no more processes allowed, no memory to start one
                    yield item, Failure(f"could not start a process to render this paper ({exc.strerror or exc})")
                    continue
                try:
                    worker.conn.send((function, item, os.getcwd()))
                except (OSError, ValueError):
                    worker.kill()
                    if fresh:  # it could not even start: say so, rather than start one after another
                        yield item, Failure(_died(worker))
                    else:  # it died while idle: a fresh one takes the item
                        pending.appendleft(item)
                    continue
                busy[worker] = (item, time.monotonic() + seconds + grace)
            if not busy:
                continue
            soonest = min(deadline for _, deadline in busy.values())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, soonest - time.monotonic())))
            for worker, (item, deadline) in list(busy.items()):
                result, keep = _collect(worker, ready, deadline, seconds)
                if result is _BUSY:
                    continue
                del busy[worker]
                if keep:
                    idle.append(worker)
                yield item, result
    finally:
        for worker in [*busy, *idle]:
            worker.stop() if worker in idle else worker.kill()


_BUSY = object()


def _collect(worker: _Worker, ready: set, deadline: float, seconds: float) -> tuple[object, bool]:
    """(the result, or _BUSY when there is none yet; whether the worker can take another paper)."""
    if worker.conn in ready:
        try:
            result = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            return Failure(_died(worker)), False
        if isinstance(result, Failure):  # the worker retires after a failure; wait for it
            worker.stop()
            return result, False
        return result, True
    if worker.process.sentinel in ready:
        worker.kill()
        return Failure(_died(worker)), False
    if time.monotonic() >= deadline:
        worker.kill()
        return Failure(too_long(seconds)), False
    return _BUSY, False


def _died(worker: _Worker) -> str:
    code = worker.process.exitcode
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"stopped (exit code {code})"
    return (f"the process rendering this paper {how} before it finished; if the machine ran out of memory, "
            f"a template or stylesheet probably builds something huge (see docs/house-styles.md, Limits)")
