"""Read a tracker spreadsheet (.xlsx or .csv) into a grid of values, refusing what cannot be read safely.

Refused, each with what to do: macro-enabled workbooks, password-protected
(encrypted) ones, old .xls files and anything that is not a spreadsheet. A
formula is read as the value Excel or LibreOffice saved with it; one with no
saved value is reported by the importer at its cell. A merged cell's value
counts for every row it spans.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import InputError, error
from reportgen.tracker.sheet import FORMAT, IDENTITY_KEYS, IDENTITY_SHEET, SHEET

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of encrypted workbooks and old .xls files
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Grid:
    """One sheet's values, row by row from row 1; what the file says it is; cells whose formula has no value."""

    file: Path
    sheet: str | None  # None for a CSV file
    rows: list[list[Any]]
    identity: dict[str, str] = field(default_factory=dict)  # ours: council, review, record, as_at, headings
    no_value: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of formulas saved without a value

    def value(self, row: int, column: int) -> Any:
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else []
        return cells[column - 1] if 0 < column <= len(cells) else None

    @property
    def ours(self) -> bool:
        return self.identity.get("format") == FORMAT


def _refuse(path: Path, message: str) -> InputError:
    return InputError([error(message, file=path)])


def read_grid(path: Path, sheet: str | None = None) -> Grid:
    """The tracker's sheet (ours, or `sheet`, or the first) as a Grid; InputError for a file that cannot be used."""
    suffix = path.suffix.lower()
    if suffix in MACRO_SUFFIXES:
        raise _refuse(path, "this is a macro-enabled workbook, which reportgen does not open; save it as an "
                            "Excel Workbook (.xlsx) and import that")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _refuse(path, f"cannot read the file: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise _refuse(path, f"the file is {len(data) // 1_000_000} MB; a tracker is at most {MAX_BYTES // 1_000_000} MB")
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED in data:
            raise _refuse(path, "this workbook is password-protected (encrypted); remove the password (Excel: File > "
                                "Info > Protect Workbook > Encrypt with Password, and clear it) and save it again")
        raise _refuse(path, "this is an old-format Excel file (.xls); save it as an Excel Workbook (.xlsx)")
    if suffix == ".csv":
        return _read_csv(path, data)
    if suffix != ".xlsx":
        raise _refuse(path, f"expected a tracker saved as .xlsx or .csv; got a '{suffix or 'no'}' file")
    return _read_xlsx(path, data, sheet)


def _read_csv(path: Path, data: bytes) -> Grid:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(path, "the CSV file is not UTF-8; save it again as \"CSV UTF-8\" (Excel) or with the "
                            "character set Unicode (UTF-8) (LibreOffice)") from None
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    grid = Grid(path, None, [[cell if cell != "" else None for cell in row] for row in rows])
    first = rows[0] if rows else []
    if first and first[0] == FORMAT:
        grid.identity = {"format": FORMAT} | dict(cell.split("=", 1) for cell in first[1:] if "=" in cell)
    return grid


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Grid:
    from openpyxl import load_workbook  # here: only import and export need openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(n.lower().endswith("vbaproject.bin") for n in archive.namelist()):
                raise _refuse(path, "this workbook holds macros, which reportgen does not open; save it as an "
                                    "Excel Workbook (.xlsx) without macros and import that")
        values = load_workbook(io.BytesIO(data), data_only=True)
        formulas = load_workbook(io.BytesIO(data), data_only=False)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _refuse(path, f"cannot read this as an Excel workbook ({type(exc).__name__}: {exc}); open it in "
                            "Excel or LibreOffice and save it again as .xlsx") from None
    identity = {}
    if IDENTITY_SHEET in values.sheetnames:
        for key, value, *_ in values[IDENTITY_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if isinstance(key, str) and value is not None:
                identity[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if identity.get("format") == FORMAT and sheet is None:
        sheet = SHEET if SHEET in values.sheetnames else None
    names = [n for n in values.sheetnames if n != IDENTITY_SHEET]
    if sheet is not None and sheet not in values.sheetnames:
        raise _refuse(path, f"no sheet '{sheet}' in this workbook; its sheets: {', '.join(names)}")
    name = sheet or names[0]
    ws, wf = values[name], formulas[name]
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:  # a merged cell's value belongs to each row it spans
        top = ws.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            while len(rows) < row:
                rows.append([])
            while len(rows[row - 1]) < merged.min_col:
                rows[row - 1].append(None)
            rows[row - 1][merged.min_col - 1] = top
    no_value = {(c.row, c.column) for line in wf.iter_rows() for c in line
                if c.data_type == "f" and ws.cell(c.row, c.column).value is None}
    return Grid(path, name, rows, identity if identity.get("format") == FORMAT else identity, no_value)
