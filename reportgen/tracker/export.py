"""`reportgen export`: last month's progress record as a tracker spreadsheet for service leads to fill in.

One row per recommendation, in the review's order or the paper's groups: the
review's columns locked and shaded, the council's columns open, a drop-down
list for the status and the lead officer, and a hidden sheet saying which
council, review and record the tracker is of (in a CSV file, its first row).
Same record, same bytes: nothing in the file depends on the clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import InputError, did_you_mean, error, one_of
from reportgen.inputs.models import ProgressStatus
from reportgen.inputs.project import Project
from reportgen.inputs.records import read_council, read_references
from reportgen.merge import merge_council
from reportgen.merge.rows import ProgressRow, RowGroup, progress_rows, themed
from reportgen.pipeline.output import write_atomic
from reportgen.tracker.sheet import COLUMNS, FORMAT, IDENTITY_SHEET, SHEET, council_labels

EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in one cell
SHADE = "E7E9EE"


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int


def export_tracker(project: Project, council: str, progress: str, target: Path, paper: str | None = None) -> Exported:
    """Write the tracker of `progress` to `target` (.xlsx or .csv); InputError when the request cannot be met."""
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError([error(f"--to {target.name}: expected a file name ending .xlsx or .csv")])
    slug, = project.select([council])
    records, problems = read_council(project, slug)
    if records is None:
        raise InputError(problems)
    references, _ = read_references(project)
    if progress not in records.progress:
        raise InputError([error(f"no progress record '{progress}' in {slug}/progress/"
                                f"{did_you_mean(progress, records.progress)}; records: {one_of(records.progress)}")])
    record = records.progress[progress].model
    if record.reference not in references:
        raise InputError([error(f"no review '{record.reference}' in councils/_reference/",
                                file=records.progress[progress].source.file)])
    reference = references[record.reference].model
    label = council_labels(project, records, reference.short_title)
    officers = {o.id: o for o in records.council.model.officers}
    groups = _paper_groups(records, references, paper, progress) if paper else \
        themed(reference, progress_rows(reference, record, officers))
    identity = {"council": slug, "review": record.reference, "record": progress, "as_at": record.as_at.isoformat()}
    headings = [label(c.label) for c in COLUMNS]
    lines = [_line(group, row, label) for group in groups for row in group.rows]
    too_long = [line[0] for line in lines if len(line[4]) > EXCEL_CELL_LIMIT]
    if too_long:
        raise InputError([error(f"the response to {', '.join(too_long)} is longer than the {EXCEL_CELL_LIMIT:,} "
                                "characters a spreadsheet cell holds; shorten it in the record",
                                file=records.progress[progress].source.file)])
    identity |= {f"heading:{c.field}": h for c, h in zip(COLUMNS, headings)}  # import finds columns by these
    data = _csv(identity, headings, lines) if suffix == ".csv" else \
        _xlsx(identity, headings, lines, [label(s) for s in ProgressStatus], [o.name for o in officers.values()],
              dt.datetime.combine(record.as_at, dt.time()))
    write_atomic(target, data)
    return Exported(target, len(lines))


def _paper_groups(records, references, paper: str, progress: str) -> list[RowGroup]:
    """The rows as the paper prints `progress`: its groups, its order, its omissions."""
    views, _ = merge_council(records, references)
    view = next((v for v in views if v.id == paper), None)
    if view is None:
        raise InputError([error(f"no paper '{paper}' that validates in {records.slug}/papers/"
                                f"{did_you_mean(paper, records.papers)}; papers: {one_of(records.papers)}")])
    uses = [a.groups for a in view.appendices if a.progress is not None and a.record.progress == progress
            and a.groups] + ([view.body.groups] if view.body and view.body.record.progress == progress else [])
    if not uses:
        raise InputError([error(f"the paper '{paper}' prints no progress table of '{progress}'; leave out --paper "
                                "for the review's own order")])
    return uses[0]


def _line(group: RowGroup, row: ProgressRow, label) -> list:
    """One row's cells, in COLUMNS order."""
    rec, entry = row.recommendation, row.entry
    government = label(row.government.status) if row.government else label("not_yet_published")
    return [rec.id, group.title, f"{rec.number}. {rec.title}", government,
            entry.response.rstrip("\n") if entry else "",
            (entry.timeline or "") if entry else "",
            entry.target_date if entry and entry.target_date else "",
            "; ".join(o.name for o in row.lead_officers),
            label(entry.status) if entry else "",
            label("exempt_paragraph", paragraph=entry.exempt.paragraph) if entry and entry.exempt else ""]


def _csv(identity: dict[str, str], headings: list[str], lines: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([FORMAT] + [f"{k}={v}" for k, v in identity.items()])
    writer.writerow(headings)
    for line in lines:
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in line])
    return buffer.getvalue().encode("utf-8-sig")  # the byte-order mark tells Excel it is UTF-8


def _xlsx(identity: dict[str, str], headings: list[str], lines: list[list], statuses: list[str],
          officers: list[str], when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(headings)
    for line in lines:
        sheet.append([v if v != "" else None for v in line])
    shade = PatternFill("solid", start_color=SHADE, end_color=SHADE)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        head = sheet.cell(1, index)
        head.font, head.alignment, head.fill = Font(bold=True), wrap, shade
        for row in range(2, len(lines) + 2):
            cell = sheet.cell(row, index)
            cell.alignment = wrap
            if column.reference:
                cell.fill = shade
            else:
                cell.protection = Protection(locked=False)
            if column.field == "target_date":
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "B2"
    # Locked without a password: the reference columns cannot be typed over by mistake.
    sheet.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "formatCells", "autoFilter", "sort"):
        setattr(sheet.protection, allowed, False)
    lists = book.create_sheet(IDENTITY_SHEET)
    lists.sheet_state = "hidden"
    for key, value in [("format", FORMAT), *identity.items()]:
        lists.append([key, value])
    for i, name in enumerate(statuses, 1):
        lists.cell(i, 3, name)
    for i, name in enumerate(officers, 1):
        lists.cell(i, 4, name)
    last = len(lines) + 1
    fields = [c.field for c in COLUMNS]
    status = DataValidation(type="list", formula1=f"{IDENTITY_SHEET}!$C$1:$C${len(statuses)}", allow_blank=True,
                            showErrorMessage=True, errorTitle="Status",
                            error="Choose a status from the list.")
    status.add(f"{get_column_letter(fields.index('status') + 1)}2:{get_column_letter(fields.index('status') + 1)}{last}")
    sheet.add_data_validation(status)
    if officers:  # a suggestion only: joint leads are typed "Name; Name"
        lead = DataValidation(type="list", formula1=f"{IDENTITY_SHEET}!$D$1:$D${len(officers)}", allow_blank=True,
                              showErrorMessage=False)
        column = get_column_letter(fields.index("lead_officers") + 1)
        lead.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(lead)
    return _saved(book, when)


def _saved(book, when: dt.datetime) -> bytes:
    """The workbook's bytes with the record's date for every timestamp, so the same record gives the same file."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.creator = "reportgen"
    book.properties.created = book.properties.modified = when
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), source.read(info),
                            compress_type=zipfile.ZIP_DEFLATED)
    return fixed.getvalue()
