"""The tracker's shape, shared by export and import: its columns, its identity, and cell addresses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from reportgen.errors import Diagnostic, Level
from reportgen.inputs.labels import LabelLookup
from reportgen.inputs.project import Project
from reportgen.inputs.records import CouncilRecords
from reportgen.inputs.styles import resolve_style

FORMAT = "reportgen tracker 1"
SHEET = "Tracker"
IDENTITY_SHEET = "reportgen"  # hidden: what the tracker is of, its headings, the drop-down lists
IDENTITY_KEYS = ("council", "review", "record", "as_at")


@dataclass(frozen=True)
class Column:
    """One column: the field it holds, the label of its heading, its width in characters."""

    field: str
    label: str
    width: int
    reference: bool = False  # the review's own data: locked and shaded


COLUMNS = (
    Column("recommendation", "ref", 7, True),
    Column("group", "group", 22, True),
    Column("title", "recommendation", 38, True),
    Column("government", "government_response", 18, True),
    Column("response", "council_response", 70),
    Column("timeline", "timeline", 26),
    Column("target_date", "target_date", 15),
    Column("lead_officers", "lead_officers", 26),
    Column("status", "status", 16),
    Column("exempt", "exempt", 16, True),  # the entry's `exempt:` marking, shown, never read back (see docs/exempt.md)
)
COUNCIL_FIELDS = ("response", "timeline", "target_date", "lead_officers", "status")


def cell_name(sheet: str | None, row: int, column: int) -> str:
    """`Tracker!E7` (or `E7` for a CSV file, which has no sheets); row and column count from 1."""
    name = f"{get_column_letter(column)}{row}"
    return f"{sheet}!{name}" if sheet else name


@dataclass(frozen=True)
class CellMap:
    """Where each value of an imported record came from, so problems name the sheet and cell.

    It stands in for a YAML source map: the same validation and checks as a
    hand-written record, with `tracker.xlsx: Tracker!E7: status: ...` for a place.
    """

    file: Path
    cells: dict[tuple, str]  # key path -> cell name

    def locate(self, path: tuple) -> tuple[None, None]:
        return None, None

    def cell(self, path: tuple) -> str | None:
        path = tuple(path)
        while path and path not in self.cells:
            path = path[:-1]
        return self.cells.get(path)

    def diagnostic(self, message: str, path: tuple = (), *, warn: bool = False) -> Diagnostic:
        key = ".".join(str(p) for p in path[2:3]) if len(path) > 2 and path[0] == "entries" else ""
        return Diagnostic(Level.WARNING if warn else Level.ERROR, message, file=self.file, cell=self.cell(path),
                          key=key)


def council_labels(project: Project, records: CouncilRecords, review: str = "") -> LabelLookup:
    """The wording papers of this council use (its labels, then its style's), for headings and statuses."""
    style = resolve_style(project, records)
    council = records.council.model
    return LabelLookup((council.labels, *style.labels), {"council": council.display_short_name, "review": review})


def normal(text: object) -> str:
    """Text compared the way a reader would: letter case and runs of spaces do not count."""
    return " ".join(str(text).split()).casefold()


def record_name(stem: str, when) -> str:
    """`play-2013-01` and 2013-04-02 -> `play-2013-04`: the name with the new month (or the month added)."""
    return f"{re.sub(r'-[0-9]{4}-[0-9]{2}(-[0-9]{2})?$', '', stem)}-{when:%Y-%m}"
