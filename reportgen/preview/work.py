"""The preview's background work: one run at a time with newer requests superseding waiting ones, and the PDF process."""

from __future__ import annotations

import os
import signal
import threading
from typing import Callable

from reportgen.pipeline import workers
from reportgen.pipeline.render import Job, Rendered, render_paper

INTERNAL = "reportgen hit an internal error (this is a bug, not a problem with your files): "


class Coalescing:
    """Runs `task` in its own thread when asked; asks made while a run waits or runs make one more run.

    The task reads the newest state when it starts, so a change that arrives
    while an older one waits supersedes it, and a burst of changes is one run.
    """

    def __init__(self, task: Callable[[], None], name: str, on_error: Callable[[BaseException], None]):
        self._task = task
        self._on_error = on_error
        self._wake = threading.Condition()
        self._asked = False
        self._running = False
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def ask(self) -> None:
        with self._wake:
            self._asked = True
            self._wake.notify_all()

    def idle(self) -> bool:
        with self._wake:
            return not (self._asked or self._running)

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._asked or self._stopped)
                if self._stopped:
                    return
                self._asked, self._running = False, True
            try:
                self._task()
            except Exception as exc:  # noqa: BLE001 - a bug is shown on the page, and the preview goes on
                self._on_error(exc)
            finally:
                with self._wake:
                    self._running = False
                    self._wake.notify_all()


class PdfProcess:
    """A long-lived build worker (reportgen.pipeline.workers) that renders PDF jobs one at a time.

    It stays warm between changes (WeasyPrint imported, fonts loaded), works
    within the build's time and memory limits, and the preview's own process
    never renders a PDF, so the server keeps answering while a PDF is made.
    A worker whose render fails stops (it may be left half-way through a
    library), and a fresh one is started for the next change.
    """

    def __init__(self):
        self._lock = threading.Lock()  # start and stop come from different threads
        self._process = None
        self._connection = None
        self._stopped = False

    def prepare(self) -> None:
        """Start the fork server now, from the main thread, with Ctrl-C ignored while it is spawned.

        A process started with Ctrl-C ignored goes on ignoring it, and so do
        the processes it forks: Ctrl-C at the terminal, which reaches every
        process of the preview, then stops only the preview, which stops the
        PDF process itself (instead of a fork server caught importing
        WeasyPrint printing a traceback).
        """
        from multiprocessing import forkserver

        workers.process_context()  # sets what the fork server imports
        if threading.current_thread() is not threading.main_thread():  # only the main thread may set signals
            return forkserver.ensure_running()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)

    def run(self, job: Job) -> Rendered | workers.Failure:
        with self._lock:
            if self._stopped:
                return workers.Failure("the preview is stopping")
            process, connection = self._process, self._connection
        if process is None or not process.is_alive():
            try:  # outside the lock: stopping must not wait for the fork server's imports
                process, connection = self._start()
            except (OSError, EOFError) as exc:  # the fork server died (killed, out of memory)
                return workers.Failure(f"the PDF process could not be started ({type(exc).__name__}: {exc}); "
                                       "it is tried again for the next change")
            with self._lock:
                self._process, self._connection = process, connection
                if self._stopped:
                    self._end()
                    return workers.Failure("the preview is stopping")
        try:
            connection.send((render_paper, job, os.getcwd()))
            return connection.recv()
        except (EOFError, OSError):  # stopped by stop(), or died (out of memory): started afresh next time
            with self._lock:
                if self._process is process:
                    self._process = None
                    connection.close()
            process.join(1)
            return workers.Failure(f"the PDF process stopped (exit code {process.exitcode}) before this PDF "
                                   "was made; it is started again for the next change")

    @staticmethod
    def _start():
        context = workers.process_context()
        ours, theirs = context.Pipe()
        process = context.Process(target=workers.serve, args=(theirs, workers.memory_limit(), workers.TIME_LIMIT_S),
                                  name="reportgen-preview-pdf", daemon=True)
        try:
            process.start()
        finally:
            theirs.close()
        return process, ours

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._end()

    def _end(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(5)
            self._connection.close()
            self._process = None
