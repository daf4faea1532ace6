"""Diagnostics and the one small exception tree the CLI catches.

Every stage reports problems as `Diagnostic` values so that a run can collect
all of them and stop once, instead of failing on the first bad key.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterable


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem, placed as precisely as the stage that found it can."""

    level: Level
    message: str
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    key: str = ""
    cell: str | None = None  # a spreadsheet's sheet and cell, e.g. `Tracker!E7`, where there are no lines

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def location(self) -> str:
        if self.file is None:
            return ""
        text = display_path(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def __str__(self) -> str:
        parts = [p for p in (self.location(), self.cell, self.key) if p]
        prefix = ": ".join(parts)
        tag = "" if self.is_error else "warning: "
        return f"{prefix}: {tag}{self.message}" if prefix else f"{tag}{self.message}"

    def as_dict(self) -> dict:
        return {
            "level": self.level.value,
            "file": display_path(self.file) if self.file else None,
            "line": self.line,
            "column": self.column,
            "key": self.key or None,
            "cell": self.cell,
            "message": self.message,
        }


def error(message: str, **where) -> Diagnostic:
    return Diagnostic(Level.ERROR, message, **where)


def warning(message: str, **where) -> Diagnostic:
    return Diagnostic(Level.WARNING, message, **where)


def display_path(path: Path) -> str:
    """A path relative to the working folder when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors first, then warnings, each in file and line order: how every list of problems is shown."""
    return sorted(diagnostics, key=lambda d: (not d.is_error, str(d.file or ""), d.line or 0))


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''."""
    choices = list(choices)
    by_case = {c.lower(): c for c in choices}
    if str(value).lower() in by_case:  # r7 for R7
        return f" (did you mean '{by_case[str(value).lower()]}'?)"
    matches = difflib.get_close_matches(str(value).lower(), list(by_case), n=1, cutoff=0.6)
    return f" (did you mean '{by_case[matches[0]]}'?)" if matches else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(f"'{c}'" for c in sorted(choices)) or "(none)"


class ReportgenError(Exception):
    """Base of every error that is the user's to fix; never shown as a traceback."""

    exit_code = 1


@dataclass
class InputError(ReportgenError):
    """Inputs that failed validation; carries every problem found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class BuildError(ReportgenError):
    """A paper could not be rendered or written."""


class LockError(ReportgenError):
    """Another build holds the output folder."""
