"""Watching a council's input folders (watchfiles) and handing on each burst of changes as one set of paths."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

# An editor saving writes several files within a few milliseconds; changes
# are handed on once none has come for QUIET_MS (at most every BURST_MS).
QUIET_MS = 100
BURST_MS = 1000
READY_MS = 200  # how often the watching thread wakes with nothing to report, to say it is watching


class Watcher:
    """A thread that watches folders and calls `on_change` with the paths changed in each burst."""

    def __init__(self, folders: list[Path], on_change: Callable[[set[str]], None],
                 on_error: Callable[[BaseException], None]):
        self.folders = [folder for folder in folders if folder.is_dir()]
        self._on_change = on_change
        self._on_error = on_error
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="preview-watch", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        """Start watching; returns once changes are being seen (or `timeout` seconds have passed)."""
        self._thread.start()
        self._ready.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        from watchfiles import watch

        try:
            # The first yield, a change or an empty set after READY_MS, proves the watches are in place.
            for changes in watch(*self.folders, step=QUIET_MS, debounce=BURST_MS, stop_event=self._stop,
                                 rust_timeout=READY_MS, yield_on_timeout=True, raise_interrupt=False):
                self._ready.set()
                if changes:
                    self._on_change({path for _, path in changes})
        except Exception as exc:  # noqa: BLE001 - e.g. the system's limit on watches: shown, not a crash
            self._ready.set()
            self._on_error(exc)
