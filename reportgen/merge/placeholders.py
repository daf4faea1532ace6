"""Placeholder text left by `new-council` or `new-paper` ("Officer Name", "To be confirmed", "TODO"): a warning.

So that no starter wording reaches a built paper unnoticed; `--strict` makes it a failure.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from reportgen.errors import Diagnostic
from reportgen.inputs.records import Loaded

# The values the starter files use for what only the officer knows; `scaffold` writes these, this module finds them.
PLACEHOLDERS = ("Officer Name", "Job Title", "To be confirmed", "To be agreed")
TODO = "TODO"
_TODO = re.compile(rf"\b{TODO}\b")


def is_placeholder(text: str) -> bool:
    return bool(_TODO.search(text)) or text.strip().rstrip(".") in PLACEHOLDERS


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, path + (i,))
    elif isinstance(value, str):
        yield path, value


def placeholder_warnings(loaded: Loaded) -> list[Diagnostic]:
    """One warning per file, at its first placeholder, counting the others."""
    strings = list(_strings(loaded.model.model_dump(mode="json", by_alias=True), ()))
    every = "\0".join(text for _, text in strings)
    if not any(word in every for word in (TODO, *PLACEHOLDERS)):  # most records: no string need be looked at
        return []
    found = [(path, text) for path, text in strings if is_placeholder(text)]
    if not found:
        return []
    (path, text), more = found[0], len(found) - 1
    shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:57] + "..."
    others = f", and {more} more placeholder{'s' if more > 1 else ''} in this file" if more else ""
    return [loaded.source.diagnostic(f"placeholder text '{shown}' left by new-council or new-paper{others}: "
                                     "replace it with the real wording before the paper goes out", path, warn=True)]
