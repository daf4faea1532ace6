"""What the preview shows for each paper, and the numbered events that tell the page it changed."""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.confine import real
from reportgen.errors import Diagnostic

# A build failure's message starts where it happened when the stage knew: "templates/x/paper.html:12: ...".
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+)(?::(?P<column>\d+))?: ")


@dataclass(frozen=True)
class Problem:
    """One line of the problems panel, worded as the command line words it."""

    text: str
    location: str = ""  # the `file:line:col` the text starts with: the link's text
    file: Path | None = None
    line: int | None = None
    is_error: bool = True

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Problem:
        return cls(str(diagnostic), diagnostic.location(), diagnostic.file, diagnostic.line, diagnostic.is_error)

    @classmethod
    def from_message(cls, message: str) -> Problem:
        """A failed build's message; its `file:line:` start, if any, is taken as where it happened."""
        found = _LOCATED.match(message)
        if found is None:
            return cls(message)
        return cls(message, found.group(0)[:-2], Path(found.group("file")), int(found.group("line")))


@dataclass
class PaperState:
    """One paper's last good outputs and what stops the latest change from replacing them."""

    id: str
    title: str = ""
    html: Path | None = None  # the last good HTML twin
    html_generation: int = 0  # counts each new twin, so the page knows when to reload it
    pdf: Path | None = None  # the last good PDF
    pdf_generation: int = 0
    pages: int = 0
    pdf_warnings: tuple[str, ...] = ()
    pdf_busy: bool = False  # a PDF for a newer change is being made
    problems: list[Problem] = field(default_factory=list)  # input or HTML problems of the latest change
    pdf_problem: Problem | None = None  # why the latest PDF did not replace the last good one
    warnings: list[Problem] = field(default_factory=list)
    dependencies: Dependencies | None = None  # what the last good build was made from

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *([self.pdf_problem] if self.pdf_problem else [])]

    def summary(self) -> dict:
        """What the page's script is sent with each event."""
        return {"paper": self.id, "html": self.html_generation, "pdf": self.pdf_generation,
                "problems": len(self.all_problems), "pdf_busy": self.pdf_busy}


@dataclass(frozen=True)
class Dependencies:
    """The files and folders a build recorded as its inputs (the manifest's list): a change to any matters."""

    files: frozenset[str]
    folders: tuple[str, ...]

    @classmethod
    def of(cls, inputs: dict[str, str], listing: str, root: Path) -> Dependencies:
        """From a build job's inputs: file names (relative to the project `root` when inside it), and
        `listing:` entries standing for a folder's file list."""
        files = {str(root / name) for name in inputs if not name.startswith(listing)}
        folders = [str(root / name[len(listing):]) for name in inputs if name.startswith(listing)]
        return cls(frozenset(files | {_real(f) for f in files}),
                   tuple(dict.fromkeys([*folders, *(_real(f) for f in folders)])))

    def touched_by(self, path: str) -> bool:
        # A layer's folder itself counts: created with a file in it at once, its file's own event can be missed.
        return any(p in self.files or any(p == folder.rstrip(os.sep) or _inside(p, folder) for folder in self.folders)
                   for p in dict.fromkeys((path, _real(path))))


def _real(path: str) -> str:
    return str(real(path))


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


class Events:
    """Numbered events for the page's event stream: readers wait for ones newer than the last they saw."""

    def __init__(self, keep: int = 200):
        self._changed = threading.Condition()
        self._items: deque[tuple[int, str, dict]] = deque(maxlen=keep)
        self._last = 0
        self.closed = False

    @property
    def last(self) -> int:
        with self._changed:
            return self._last

    def publish(self, kind: str, data: dict) -> None:
        with self._changed:
            self._last += 1
            self._items.append((self._last, kind, data))
            self._changed.notify_all()

    def after(self, seen: int, timeout: float) -> list[tuple[int, str, dict]]:
        """Events numbered after `seen`, waiting up to `timeout` seconds for one; [] on time-out or close."""
        with self._changed:
            self._changed.wait_for(lambda: self._last > seen or self.closed, timeout)
            return [item for item in self._items if item[0] > seen]

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()
