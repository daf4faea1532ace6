"""`reportgen import`: a filled-in tracker (ours, or a council's own layout) into a new progress record.

    read the spreadsheet -> check it is this council's, review's and record's -> read each row's cells
      -> validate as a hand-written record (problems at their sheet and cell) -> write YAML, or nothing

A row whose cells say what the earlier record says keeps the earlier entry
exactly (its text byte for byte, its `extra:`); recommendations the tracker
has no row for keep theirs too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import Diagnostic, InputError, did_you_mean, error, one_of
from reportgen.inputs.models import Progress, ProgressEntry, ProgressStatus, Reference
from reportgen.inputs.project import Project
from reportgen.inputs.records import CouncilRecords, Loaded, Reading, read_council, read_references
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import Document
from reportgen.merge.rows import is_overdue
from reportgen.pipeline.output import write_atomic
from reportgen.tracker.layout import LAYOUT_FILE, TrackerLayout
from reportgen.tracker.read import Grid, read_grid
from reportgen.tracker.sheet import COUNCIL_FIELDS, CellMap, cell_name, council_labels, normal, record_name
from reportgen.tracker.yamlwrite import checked, entry_comments, progress_yaml

_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Imported:
    """What an import wrote, and how the record moved from the one before."""

    path: Path
    record: Progress
    base: str | None
    changed: list[str]
    unchanged: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Plan:
    """What the tracker is of and where its columns are."""

    review: str
    base: Loaded[Progress] | None
    header_row: int
    headings: dict[str, str]  # field -> heading as exported or mapped
    words: dict[str, ProgressStatus] = field(default_factory=dict)


def import_tracker(project: Project, council: str, path: Path, as_at: dt.date, new_id: str | None = None,
                   *, strict: bool = False) -> Imported:
    """Read `path` into `progress/<new_id>.yaml`; InputError with every problem, and nothing written, otherwise."""
    slug, = project.select([council])
    records, problems = read_council(project, slug)
    if records is None:
        raise InputError(problems)
    references, problems = read_references(project)
    layout = _layout(records)
    grid = read_grid(path, None if layout is None else layout.sheet)
    plan = _plan(grid, records, layout, slug, as_at)
    if plan.review not in references:
        raise InputError([error(f"no review '{plan.review}' in councils/_reference/{did_you_mean(plan.review, references)}",
                                file=path)])
    reference = references[plan.review].model
    name = new_id or _new_name(plan, as_at)
    target = records.folder / "progress" / f"{name}.yaml"
    if name in records.progress or target.exists():
        raise InputError([error(f"progress/{name}.yaml already exists; name the new record with --progress ID "
                                "(nothing was written)", file=path)])
    rows = _Rows(grid, records, reference, plan, council_labels(project, records, reference.short_title))
    data, cells = rows.read()
    document = Document({"reference": plan.review, "as_at": as_at.isoformat(), "entries": data},
                        CellMap(path, cells))
    record, problems = validate(document, Progress)
    found = rows.problems + problems
    if record is not None:
        found += [document.source.diagnostic(f"the target date {entry.target_date} has passed by {as_at} and the "
                                             f"status is '{entry.status.value}': the paper will mark it overdue",
                                             ("entries", rec_id, "target_date"), warn=True)
                  for rec_id, entry in record.entries.items() if is_overdue(entry, as_at)]
    if record is None or any(d.is_error or strict for d in found):
        raise InputError(found)
    base = plan.base.model if plan.base else None
    order = [r.id for r in reference.recommendations]
    comments = entry_comments(plan.base.source.file.read_text(encoding="utf-8"), plan.base.source) if plan.base else {}
    header = [f"{records.council.model.display_short_name}'s progress on the {reference.short_title} "
              f"recommendations, as at {as_at.isoformat()}:",
              f"imported from {path.name} by reportgen import" + (f" (the record before: {plan.base.name})."
                                                                   if plan.base else ".")]
    text = checked(progress_yaml(record, order, header, comments), target, record)
    write_atomic(target, text.encode("utf-8"))
    same = [i for i in record.entries if base and base.entries.get(i) == record.entries[i]]
    return Imported(target, record, plan.base.name if plan.base else None,
                    [i for i in order if i in record.entries and i not in same], same, found)


def _layout(records: CouncilRecords) -> TrackerLayout | None:
    path = records.folder / LAYOUT_FILE
    if not path.is_file():
        return None
    reading = Reading()
    loaded = reading.read(path, TrackerLayout)
    if loaded is None:
        raise InputError(reading.diagnostics)
    return loaded.model


def _plan(grid: Grid, records: CouncilRecords, layout: TrackerLayout | None, slug: str, as_at: dt.date) -> _Plan:
    """Check the tracker is of this council, review and record; say where its columns are."""
    if not grid.ours:
        if layout is None:
            raise InputError([error(
                f"this is not a tracker exported by reportgen (it has no '{'reportgen'}' identity), and "
                f"{slug} has no {LAYOUT_FILE} describing its own layout; export one with `reportgen export`, "
                f"or describe your spreadsheet's columns in councils/{slug}/{LAYOUT_FILE} (docs/tracker.md)",
                file=grid.file)])
        earlier = [r for r in records.progress.values() if r.model.reference == layout.reference
                   and r.model.as_at < as_at]
        base = max(earlier, key=lambda r: (r.model.as_at, r.name), default=None)
        headings = {k: v for k, v in layout.columns.model_dump().items() if v}
        words = {normal(k): v for k, v in layout.statuses.items()}
        return _Plan(layout.reference, base, layout.header_row, headings, words)
    identity = grid.identity
    problems = []
    if identity.get("council") != slug:
        problems.append(f"this tracker is of the council '{identity.get('council')}', not '{slug}': import it into "
                        f"its own council, or export a tracker for '{slug}'")
    base = records.progress.get(identity.get("record", ""))
    if not problems and base is None:
        problems.append(f"this tracker was exported from the record '{identity.get('record')}', which {slug} does "
                        f"not have; records: {one_of(records.progress)}")
    elif not problems:
        if base.model.reference != identity.get("review"):
            problems.append(f"this tracker is of the review '{identity.get('review')}', but '{base.name}' reports on "
                            f"'{base.model.reference}': export a new tracker from the record")
        elif base.model.as_at.isoformat() != identity.get("as_at"):
            problems.append(f"this tracker was exported from '{base.name}' as at {identity.get('as_at')}, but that "
                            f"record is now as at {base.model.as_at}: export a new tracker from it")
        elif as_at <= base.model.as_at:
            problems.append(f"--as-at {as_at} is not after the record this tracker was exported from "
                            f"('{base.name}', as at {base.model.as_at}); give the date of the new progress")
    if problems:
        raise InputError([error(p, file=grid.file) for p in problems])
    headings = {key.split(":", 1)[1]: value for key, value in identity.items() if key.startswith("heading:")}
    return _Plan(base.model.reference, base, 2 if grid.sheet is None else 1, headings)


def _new_name(plan: _Plan, as_at: dt.date) -> str:
    """The earlier record's name with the new month (`play-2013-01` -> `play-2013-04`), else `<review>-<yyyy-mm>`."""
    return record_name(plan.base.name if plan.base else plan.review, as_at)


def _text(value: Any) -> str | None:
    """A cell as text: numbers without a needless `.0`, dates written out, trailing spaces and blank edges gone."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = f"{value.day} {value:%B %Y}"
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip()
    return text or None


@dataclass
class _Rows:
    """Reads the tracker's rows into entry data, with each value's cell and every problem met."""

    grid: Grid
    records: CouncilRecords
    reference: Reference
    plan: _Plan
    label: Any
    problems: list[Diagnostic] = field(default_factory=list)

    def problem(self, row: int, column: int, key: str, message: str) -> None:
        self.problems.append(error(message, file=self.grid.file, cell=cell_name(self.grid.sheet, row, column),
                                   key=key))

    def columns(self) -> dict[str, int]:
        header = self.plan.header_row
        found = {normal(_text(v) or ""): i for i, v in enumerate(self.grid.rows[header - 1]
                                                               if len(self.grid.rows) >= header else [], 1)}
        columns = {}
        for name in ("recommendation", *COUNCIL_FIELDS):
            heading = self.plan.headings.get(name)
            if heading and normal(heading) in found:
                columns[name] = found[normal(heading)]
            elif name in ("recommendation", "response", "status"):
                heading = heading or name
                where = f"{self.grid.sheet}!{header}:{header}" if self.grid.sheet else f"row {header}"
                self.problems.append(error(f"no column headed '{heading}' in the heading row; headings found: "
                                           f"{one_of(h for h in found if h)}", file=self.grid.file, cell=where))
        return columns

    def read(self) -> tuple[dict[str, dict], dict[tuple, str]]:
        columns = self.columns()
        if self.problems:
            raise InputError(self.problems)
        data: dict[str, dict] = {}
        cells: dict[tuple, str] = {}
        seen: dict[str, int] = {}
        base = self.plan.base.model.entries if self.plan.base else {}
        for row in range(self.plan.header_row + 1, len(self.grid.rows) + 1):
            values = {name: self.cell(row, column, name) for name, column in columns.items()}
            if all(v is None for v in values.values()):
                continue  # a blank row
            rec_id = self.recommendation(row, columns["recommendation"], values["recommendation"])
            if rec_id is None:
                continue
            if rec_id in seen:
                self.problem(row, columns["recommendation"], "recommendation",
                             f"'{rec_id}' already has a row (row {seen[rec_id]}); give each recommendation one row")
                continue
            seen[rec_id] = row
            for name, column in columns.items():
                for key in ("lead_officer", "lead_officers") if name == "lead_officers" else (name,):
                    cells[("entries", rec_id, key)] = cell_name(self.grid.sheet, row, column)
            cells[("entries", rec_id)] = cell_name(self.grid.sheet, row, columns["recommendation"])
            entry = self.entry(row, columns, values, base.get(rec_id))
            if entry is not None:
                data[rec_id] = entry
        for rec_id, entry in base.items():  # recommendations with no row keep their entries
            if rec_id not in seen:
                data[rec_id] = _dumped(entry)
        return data, cells

    def cell(self, row: int, column: int, name: str) -> Any:
        if (row, column) in self.grid.no_value:
            self.problem(row, column, name, "this formula has no saved value: open the file in Excel or "
                                            "LibreOffice, let it calculate, and save it again")
            return None
        value = self.grid.value(row, column)
        return value if name == "target_date" and isinstance(value, (dt.date, dt.datetime)) else _text(value)

    def recommendation(self, row: int, column: int, value: str | None) -> str | None:
        recs = self.reference.recommendations
        by_id = {normal(r.id): r.id for r in recs}
        if value is not None and normal(value) in by_id:
            return by_id[normal(value)]
        number = _NUMBER.search(value or "")
        found = [r.id for r in recs if number and r.number == int(number[1])]
        if value is not None and len(found) == 1:
            return found[0]
        ids = [r.id for r in recs]
        self.problem(row, column, "recommendation",
                     f"no recommendation '{value or ''}' in the review '{self.reference.short_title}'"
                     f"{did_you_mean(value or '', ids)}; expected an id or number, {ids[0]} to {ids[-1]}")
        return None

    def entry(self, row: int, columns: dict[str, int], values: dict[str, Any], before: ProgressEntry | None):
        """The entry's data: the earlier entry when nothing changed, else its fields with the cells' values."""
        given = {name: values.get(name) for name in COUNCIL_FIELDS if name in columns}
        if all(v is None for v in given.values()):
            return None
        data = _dumped(before) if before else {}
        if given.get("response") is None:
            self.problem(row, columns["response"], "response", "the response is empty; write the council's "
                                                               "response, or clear the row's other cells")
        elif not (before and before.response.split() == given["response"].split()):
            data["response"] = given["response"] + ("\n" if "\n" in given["response"] else "")
        if "timeline" in given:
            _set(data, "timeline", given["timeline"])
        if "target_date" in given:
            _set(data, "target_date", self.date(row, columns["target_date"], given["target_date"]))
        if "lead_officers" in given:
            leads = self.officers(row, columns["lead_officers"], given["lead_officers"])
            if not (before and before.leads == leads):
                data.pop("lead_officer", None)
                data.pop("lead_officers", None)
                if leads:
                    data.update({"lead_officer": leads[0]} if len(leads) == 1 else {"lead_officers": leads})
        if "status" in given:
            data["status"] = self.status(given["status"])
        return data

    def date(self, row: int, column: int, value: Any) -> str | None:
        if value is None or isinstance(value, (dt.date, dt.datetime)):
            return value.date().isoformat() if isinstance(value, dt.datetime) else (value.isoformat() if value else None)
        day_first = _DAY_FIRST.fullmatch(value)
        if day_first:
            try:
                return dt.date(int(day_first[3]), int(day_first[2]), int(day_first[1])).isoformat()
            except ValueError:
                pass
        if re.fullmatch(r"\d+", value):
            self.problem(row, column, "target_date", f"expected a date; got the number {value}: format the cell "
                                                     "as a date (e.g. 31/03/2013)")
            return None
        return value  # validation says what is wrong with it

    def officers(self, row: int, column: int, value: str | None) -> list[str]:
        officers = self.records.council.model.officers
        known = {normal(o.id): o.id for o in officers} | {normal(o.name): o.id for o in officers}
        leads = []
        for name in [n.strip() for n in re.split(r"[;\n]", value or "") if n.strip()]:
            if normal(name) in known:
                leads.append(known[normal(name)])
            else:
                self.problem(row, column, "lead_officers",
                             f"no officer '{name}' in council.yaml{did_you_mean(name, [o.name for o in officers])}; "
                             f"officers: {one_of(o.name for o in officers)}")
        return leads

    def status(self, value: str | None) -> str | None:
        words = {normal(s.value): s for s in ProgressStatus} | {normal(self.label(s)): s for s in ProgressStatus}
        words |= self.plan.words
        found = words.get(normal(value)) if value is not None else None
        return found.value if found else value  # validation names the choices


def _dumped(entry: ProgressEntry) -> dict:
    return entry.model_dump(mode="json", exclude_defaults=True, by_alias=True)


def _set(data: dict, key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
