"""Diagnostics and the one small exception tree the CLI catches.

Every stage reports problems as `Diagnostic` values so that a run can collect
all of them and stop once, instead of failing on the first bad key.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message))
        object.__setattr__(self, "key", printable(self.key))

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


MAX_SHOWN = 80
"""A message quotes at most this many characters of any value."""
MAX_MESSAGE = 20_000  # characters of one message looked at; no real message is longer
MAX_RUN = 200  # an unquoted run of text without spaces longer than this (a data: URL) is cut too
# Characters that cannot be seen, so a message shows them as escapes: soft hyphen,
# zero-width spaces and joiners, direction marks, word joiner, byte-order mark.
INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_HIDDEN = f"\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069{INVISIBLE}"
_UNPRINTABLE = re.compile(f"[\x00-\x1f{_HIDDEN}]")
_UNPRINTABLE_BUT_LINES = re.compile(f"[\x00-\x09\x0b-\x1f{_HIDDEN}]")  # our own messages may have several lines
_LONG_QUOTED = re.compile(r"'([^'\s]{%d,})'" % (MAX_SHOWN + 1))
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))


def _escape(text: str, pattern: re.Pattern = _UNPRINTABLE) -> str:
    """Control characters, lone surrogates and bidirectional overrides written as escapes (\\x1b, \\ud800)."""
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clip(value: object, limit: int = MAX_SHOWN) -> str:
    """A value for a message: escaped, and at most `limit` characters of it."""
    return _cut(_escape(str(value)[: limit * 8]), limit)


def quote(value: object, limit: int = MAX_SHOWN) -> str:
    """A value for a message, in quotes: escaped, and at most `limit` characters of it."""
    return f"'{clip(value, limit)}'"


def printable(message: str) -> str:
    """A message safe to print: escaped, and no quoted value or unbroken run too long to read.

    Values are quoted with `quote` where messages are made; this is the net for
    the rest (ids quoted by hand, text from WeasyPrint or an exception).
    """
    message = _LONG_QUOTED.sub(lambda m: f"'{_cut(m.group(1), MAX_SHOWN)}'", str(message))
    escaped = _escape(message[:MAX_MESSAGE], _UNPRINTABLE_BUT_LINES)  # our own messages may have several lines
    return _LONG_RUN.sub(lambda m: _cut(m.group(), MAX_SHOWN), escaped)


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


def _name(character: str) -> str:
    return "byte-order mark" if character == "\ufeff" else unicodedata.name(character, "unnamed").lower()


def invisible_characters(value: str) -> str:
    """'; it contains an invisible character (zero-width space) ...' when it does, else ''."""
    found = dict.fromkeys(_INVISIBLE.findall(str(value)))
    if not found:
        return ""
    names = ", ".join(f"{c.encode('unicode_escape').decode('ascii')} ({_name(c)})" for c in found)
    if len(found) == 1:
        return f"; it contains an invisible character, {names}, probably pasted from another program: delete it"
    return f"; it contains invisible characters, {names}, probably pasted from another program: delete them"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else ''; and a word on any invisible characters."""
    invisible = invisible_characters(value)
    if invisible:
        visible = _INVISIBLE.sub("", str(value))
        return (did_you_mean(visible, choices) if visible not in choices else f" (did you mean '{visible}'?)") \
            + invisible
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

    def __init__(self, message: str):
        super().__init__(printable(message))


class LockError(ReportgenError):
    """Another build holds the output folder."""
