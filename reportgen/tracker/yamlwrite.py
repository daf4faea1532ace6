"""Write a progress record as YAML in the project's own format, and check that it reads back as the same record.

The format is the one the sample records use: a comment saying what the file
is, `reference` and `as_at`, then one entry per recommendation in the
review's order, fields in the model's order, long text as `|` blocks. Comments
written above an entry in the earlier record are kept above it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reportgen.errors import InputError
from reportgen.inputs.models import Progress
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import NULLS, SourceMap, parse_yaml

_PLAIN = re.compile(r"[A-Za-z0-9(][^\n\t]*")
_UNSAFE = re.compile(r": |\s#|:$")
INDENT = "  "
FIELDS = ("response", "timeline", "target_date", "lead_officer", "lead_officers", "status", "extra")


def scalar(value: str, indent: str) -> str:
    """`value` after `key:` on a line indented by `indent`: plain, a `|` block, or double-quoted."""
    if "\n" in value.rstrip("\n") or (value.endswith("\n") and value.strip()):
        chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else ("+" if value.endswith("\n") else "-")
        lines = value[:-1].split("\n") if value.endswith("\n") else value.split("\n")
        hint = "2" if lines[0].startswith((" ", "\t")) else ""
        body = "\n".join(f"{indent}{INDENT}{line}" if line else "" for line in lines)
        return f"|{hint}{chomp}\n{body}"
    if _PLAIN.fullmatch(value) and not _UNSAFE.search(value) and value == value.strip() and value not in NULLS:
        return value
    return json.dumps(value, ensure_ascii=False)


def _value(value: Any, indent: str) -> str:
    """A value after `key:`: a scalar on the line, or a nested mapping or list on the lines below."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "".join(f"\n{indent}{INDENT}{key}: {_value(v, indent + INDENT)}" for key, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        return "".join(f"\n{indent}{INDENT}- {_value(v, indent + INDENT + INDENT)}" for v in value)
    return scalar(value if isinstance(value, str) else str(value), indent)


def entry_comments(text: str, source: SourceMap) -> dict[str, list[str]]:
    """The comment lines written right above each entry of a record (e.g. a heading for a group of entries)."""
    lines = text.split("\n")
    found = {}
    for path, (line, _) in source.marks.items():
        if len(path) == 2 and path[0] == "entries":
            above, at = [], line - 2
            while at >= 0 and lines[at].strip().startswith("#"):
                above.insert(0, lines[at].strip())
                at -= 1
            found[str(path[1])] = above
    return found


def progress_yaml(record: Progress, order: list[str], header: list[str],
                  comments: dict[str, list[str]] | None = None) -> str:
    """The record as YAML: `header` comment lines, then the entries in `order` (any others after)."""
    comments = comments or {}
    ids = [i for i in order if i in record.entries] + [i for i in record.entries if i not in order]
    out = [f"# {line}" for line in header]
    out += [f"reference: {record.reference}", f"as_at: {record.as_at.isoformat()}", "", "entries:"]
    for rec_id in ids:
        data = record.entries[rec_id].model_dump(mode="json", exclude_defaults=True, by_alias=True)
        data["status"] = record.entries[rec_id].status.value  # always written, as officers expect to see it
        out += [f"{INDENT}{line}" for line in comments.get(rec_id, [])]
        out.append(f"{INDENT}{rec_id}:")
        for key in FIELDS:
            if key in data:
                value = data[key]
                text = f"[{', '.join(value)}]" if key == "lead_officers" else _value(value, INDENT + INDENT)
                out.append(f"{INDENT}{INDENT}{key}:{'' if text.startswith(chr(10)) else ' '}{text}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def checked(text: str, path: Path, expected: Progress) -> str:
    """`text`, once it has been read back as `expected`; a difference is a bug here, never the officer's."""
    document = parse_yaml(text.encode("utf-8"), path)
    model, problems = validate(document, Progress)
    if model != expected:
        raise InputError(problems) if problems else RuntimeError(f"{path.name}: the record written does not read "
                                                                 "back as the record imported")
    return text
