"""Safe YAML reading that remembers where every value came from.

Officers' YAML is read with the failsafe idea of YAML 1.2: every scalar stays
the text that was typed (item `5.10` stays "5.10", ward `No` stays "No",
`10:30` stays "10:30"); only an empty value, `~` or `null` means nothing.
The typed models then convert text to dates, numbers and booleans where a
field asks for them, so there are no YAML 1.1 surprises.

Hostile documents are refused before they can cost anything: a size cap, a
nesting cap, no anchors or aliases (the "billion laughs" bomb), no tags,
no duplicate keys, and text that must be UTF-8.

Speed: a document is first read with libyaml's C parser (when PyYAML has
it), turning its events straight into data and source marks. Anything out
of the ordinary (a syntax error, an alias, an anchor, a tag, a duplicate or
non-text key, deep nesting, more than one document, tabs, directives) sends
the document to the pure-Python reader below, which is the one that decides
and words every problem; so the results and messages are the same either
way, and a clean record is read about ten times faster.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent, DocumentEndEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
    SequenceStartEvent, StreamEndEvent, StreamStartEvent,
)

from reportgen.cache import code_folder, keep
from reportgen.confine import leads_out
from reportgen.errors import INVISIBLE, Diagnostic, InputError, error

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
NULLS = {"", "~", "null", "Null", "NULL"}

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each key path of one document was written."""

    file: Path
    marks: dict[KeyPath, tuple[int, int]]

    def locate(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the longest known prefix of `path`."""
        path = tuple(path)
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (None, None))

    def diagnostic(self, message: str, path: KeyPath = (), *, warn: bool = False) -> Diagnostic:
        from reportgen.errors import warning

        line, column = self.locate(path)
        make = warning if warn else error
        return make(message, file=self.file, line=line, column=column, key=dotted(path))


@dataclass(frozen=True)
class Document:
    data: Any
    source: SourceMap


def dotted(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Loader(yaml.SafeLoader):
    """Composes nodes only; refuses aliases and anchors, caps nesting depth."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed; write the value out in full",
                problem_mark=event.start_mark,
            )
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors (&name) are not allowed; write each value out in full",
                problem_mark=event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and not (isinstance(event, ScalarEvent) and tag == "tag:yaml.org,2002:str"):
            raise yaml.MarkedYAMLError(
                problem=f"tags such as '{tag}' are not allowed; remove it",
                problem_mark=event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    problem=f"nesting is deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Read one YAML file into plain data plus its source map, or raise InputError."""
    path = Path(path)
    # A record that is a symbolic link to a file outside its own folder could
    # pull any file on the machine into a paper (or its text into a message):
    # refuse it. A whole council folder that is a link keeps working, because
    # the folder and the file then resolve to the same place.
    target = leads_out(path, path.parent)
    if target is not None:
        raise InputError([error(
            f"this file is a symbolic link to {target}, outside its folder; "
            "records must be real files in the council's folder (copy the file in instead)",
            file=path,
        )])
    try:
        raw, size = _read_capped(path, max_bytes)
    except OSError as exc:
        raise InputError([error(f"cannot read file: {exc.strerror}", file=path)]) from None
    if size > max_bytes:
        raise InputError([_too_big(size, path, max_bytes)])
    return parse_yaml(raw, path, max_bytes)


def _too_big(size: int, path: Path, limit: int = MAX_BYTES) -> Diagnostic:
    return error(f"file is {size:,} bytes, over the {limit:,}-byte limit for a record; split it up", file=path)


def _read_capped(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bytes, int]:
    """The file's bytes, but never more than one byte over the cap, and never from a pipe or device.

    Reading a named pipe would wait for ever and reading /dev/zero would never
    end, so only regular files are read (opened non-blocking, then checked).
    At most MAX_BYTES + 1 bytes are read: a huge file is refused without
    first being loaded into memory whole.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file (a folder, a pipe or a device?); records must be plain files")
        raw = handle.read(max_bytes + 1)
        return raw, max(info.st_size, len(raw))


def parse_yaml(raw: bytes, path: Path, max_bytes: int = MAX_BYTES) -> Document:
    if len(raw) > max_bytes:
        raise InputError([_too_big(len(raw), path, max_bytes)])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Checked before the NUL test: UTF-16 text is full of NUL bytes but is not binary.
        raise InputError([error(
            "file is UTF-16 text; save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)", file=path,
        )])
    if b"\x00" in raw:
        raise InputError([error("this is a binary file, not YAML text", file=path)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        raise InputError([error(
            "file is not UTF-8 text; save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
            file=path, line=raw[: exc.start].count(b"\n") + 1, column=exc.start - line_start + 1,
        )]) from None
    fast = _read_kept(text)
    if fast is not None:
        data, marks = fast
        return _characters_checked(Document(data=data, source=SourceMap(path, marks)), text)
    loader = None
    try:
        # The loader is made inside the try: PyYAML checks for control
        # characters as soon as it is given the text, and raises ReaderError.
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputError([error(
            f"invalid YAML: character U+{exc.character:04X} is a control character, not allowed in YAML text; "
            "remove it", file=path, line=line, column=column,
        )]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.problem and "'\\t'" in exc.problem:
            # PyYAML: "found character '\t' that cannot start any token".
            problem = "a tab character is used for indentation or spacing; YAML needs spaces (replace the tab)"
        elif exc.problem == "but found another document":
            problem = "a record file holds one YAML document; remove the second '---' and what follows it"
        elif exc.problem == "mapping values are not allowed here":
            # Typically `title: Item 5: Munro`: unquoted text that contains ': '.
            problem = f"{exc.problem}; if this value is text containing ': ', put the whole value in quotes"
        elif exc.context and exc.problem and "allowed" not in exc.problem:
            start = exc.context_mark
            if start is not None and mark is not None and start.line != mark.line:
                # An unclosed bracket or quote is noticed at the end of the file: say where it began.
                problem = f"{exc.context} started on line {start.line + 1}, column {start.column + 1}: {exc.problem}"
            else:
                problem = f"{exc.context}: {exc.problem}"
        if mark is not None:
            problem += _odd_spaces_near(text, mark.line)
        raise InputError([error(
            f"invalid YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )]) from None
    except yaml.YAMLError as exc:
        raise InputError([error(f"invalid YAML: {exc}", file=path)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    marks: dict[KeyPath, tuple[int, int]] = {}
    problems: list[Diagnostic] = []
    data = _convert(node, (), marks, problems, path) if node is not None else None
    if problems:
        raise InputError(problems)
    return _characters_checked(Document(data=data, source=SourceMap(path, marks)), text)


# Spaces YAML does not count as spaces, and characters that cannot be seen:
# pasted from a word processor, they break the layout of a record invisibly.
_ODD_SPACE = re.compile(f"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000{INVISIBLE}]")
_SPACE_NAMES = {"\ufeff": "byte-order mark"}


def _odd_spaces_near(text: str, line: int) -> str:
    """'; line 3, column 1 has ... (no-break space) ...' for the first odd space on the error's line or the two before."""
    lines = text.split("\n")
    for number in range(max(0, line - 2), min(line + 1, len(lines))):
        found = _ODD_SPACE.search(lines[number])
        if found:
            char = found.group()
            name = _SPACE_NAMES.get(char) or unicodedata.name(char, "unnamed").lower()
            return (f"; line {number + 1}, column {found.start() + 1} has {char.encode('unicode_escape').decode()} "
                    f"({name}), which looks like a space or nothing but is not one to YAML: delete it, "
                    "and type an ordinary space if one is needed")
    return ""


_SURROGATE = re.compile("[\ud800-\udfff]")


def _characters_checked(document: Document, text: str) -> Document:
    """The document, unless an escape such as "\\ud800" made text that is not characters (it cannot be printed)."""
    if "\\u" not in text and "\\U" not in text:  # only escapes in double quotes can make a lone surrogate
        return document
    problems: list[Diagnostic] = []

    def visit(value: Any, where: KeyPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(key, where + (key,))
                visit(item, where + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, where + (i,))
        elif isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                code = f"\\u{ord(found.group()):04x}"
                problems.append(document.source.diagnostic(
                    f"the escape {code} is half of a UTF-16 surrogate pair, not a character, so it cannot be "
                    f"printed; type the character itself, or write it as one 8-digit escape such as \\U0001F600", where))

    visit(document.data, ())
    if problems:
        raise InputError(problems)
    return document


def _convert(node, path: KeyPath, marks, problems, file) -> Any:
    marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), marks, problems, file) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(error(
                "a key must be plain text", file=file,
                line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1, key=dotted(path),
            ))
            continue
        key = key_node.value
        if key in result:
            first = marks[path + (key,)][0]
            problems.append(error(
                f"duplicate key '{key}' (first given on line {first}); keep one",
                file=file, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1,
                key=dotted(path + (key,)),
            ))
            continue
        marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _convert(value_node, path + (key,), marks, problems, file)
    return result


# -- the fast path: libyaml's events straight to data and marks ---------------

try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python reader does everything
    _CParser = None


_DIRECTIVE = re.compile("(?:\\A|[\r\n\x85\u2028\u2029])%")
_COMMENT_AFTER_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*#")


class _Unusual(Exception):
    """Something the fast path leaves to the pure-Python reader, which decides and words it."""


KEEP_FROM_CHARS = 16_000
"""Texts this long are kept, read, in the user's cache folder (a 10,000-meeting calendar reads in 1/20 of the time)."""


def _read_kept(text: str) -> tuple[Any, dict[KeyPath, tuple[int, int]]] | None:
    """_read_with_libyaml's answer, from the user's cache folder when this text was read before.

    Kept by the text's hash, as JSON (plain data: strings, None, lists and
    mappings), in a folder named for this reader's code; a kept answer that
    cannot be read is read again from the text. Short texts are not kept:
    reading them costs less than the look-up.
    """
    folder = _kept_folder() if len(text) >= KEEP_FROM_CHARS else None
    if folder is None:
        return _read_with_libyaml(text)
    kept = folder / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()[:40]}.json"
    try:
        stored = json.loads(kept.read_text(encoding="utf-8"))
        data, places = stored["data"], stored["marks"]
        paths = _paths(data)
        if len(places) == 2 * len(paths):
            return data, {path: (places[2 * i], places[2 * i + 1]) for i, path in enumerate(paths)}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    fast = _read_with_libyaml(text)
    if fast is not None:
        data, marks = fast
        places = [number for path in _paths(data) for number in marks[path]]
        keep(kept, json.dumps({"data": data, "marks": places}, ensure_ascii=False, separators=(",", ":")))
    return fast


def _paths(data: Any) -> list[KeyPath]:
    """Every key path the reader marks, in document order: the document, then each mapping key and list item
    (a mapping's value is placed where its key is). A kept reading stores only their places, in this order."""
    found: list[KeyPath] = []
    stack: list[tuple[KeyPath, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        items = value.items() if type(value) is dict else enumerate(value) if type(value) is list else ()
        stack.extend(reversed([(path + (key,), item) for key, item in items]))
    return found


@functools.lru_cache(maxsize=1)
def _kept_folder() -> Path | None:
    return code_folder("records", yaml.__version__.encode(), Path(__file__).read_bytes())


def _read_with_libyaml(text: str) -> tuple[Any, dict[KeyPath, tuple[int, int]]] | None:
    """(data, marks) as parse_yaml would make them, or None to use the pure-Python reader.

    Texts with what libyaml and PyYAML disagree about go to the pure-Python
    reader at once: tabs, directives (`%YAML`), a byte-order mark after the
    start, a comment straight after a block scalar's `|` or `>`, and a `?`
    where there may be a flow collection (PyYAML ends plain text there).
    """
    if (_CParser is None or "\t" in text or "\ufeff" in text
            or ("%" in text and _DIRECTIVE.search(text))
            or ("#" in text and _COMMENT_AFTER_BLOCK_INDICATOR.search(text))
            or ("?" in text and ("[" in text or "{" in text))):
        return None
    try:
        parser = _CParser(text)
        try:
            return _from_events(parser.get_event)
        finally:
            parser.dispose()
    except (yaml.YAMLError, _Unusual):
        return None


def _from_events(next_event) -> tuple[Any, dict[KeyPath, tuple[int, int]]]:
    marks: dict[KeyPath, tuple[int, int]] = {}
    if type(next_event()) is not StreamStartEvent:
        raise _Unusual
    event = next_event()
    if type(event) is StreamEndEvent:  # an empty file, or only comments
        return None, marks
    # Open collections: [container, path, key awaiting its value (mappings; None between entries)].
    stack: list[list] = []
    root: Any = None
    while True:
        event = next_event()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            if stack:
                parent = stack[-1]
                container = parent[0]
                if type(container) is dict:
                    if parent[2] is None:  # a key
                        key = event.value if kind is ScalarEvent else None
                        if key is None or key in container:
                            raise _Unusual
                        marks[parent[1] + (key,)] = where
                        parent[2] = key
                        continue
                    path = parent[1] + (parent[2],)
                else:
                    path = parent[1] + (len(container),)
            else:
                path = ()
            if path not in marks:
                if kind is ScalarEvent and not event.value and not event.style:
                    raise _Unusual  # libyaml places an empty value elsewhere than PyYAML
                marks[path] = where
            if kind is ScalarEvent:
                value = None if not event.style and event.value in NULLS else event.value
            else:
                if len(stack) >= MAX_DEPTH - 4:  # close to the cap: the pure-Python reader decides
                    raise _Unusual
                stack.append([{} if kind is MappingStartEvent else [], path, None])
                continue
        elif kind is DocumentEndEvent:
            break
        else:  # an alias, or anything unexpected
            raise _Unusual
        # `value` is complete: put it in its place.
        if stack:
            parent = stack[-1]
            if type(parent[0]) is dict:
                parent[0][parent[2]] = value
                parent[2] = None
            else:
                parent[0].append(value)
        else:
            root = value
    if type(next_event()) is not StreamEndEvent:  # a second document
        raise _Unusual
    return root, marks
