"""`reportgen new-council` and `new-paper`: a council folder, or next meeting's paper, that builds at once.

    check slug, name, style, nation -> write the files into a hidden temporary folder
      -> validate them with the same models a build uses -> rename into place

Nothing is left behind when a check fails, and an existing council folder is
never touched. The starter files carry comments so that an officer can edit
them without reading the docs first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Diagnostic, InputError, did_you_mean, error, one_of
from reportgen.meetings.deadlines import WorkingCalendar
from reportgen.inputs.meetings import MeetingsCalendar
from reportgen.inputs.models import Council, Nation, Paper, Progress, Reference
from reportgen.inputs.project import Project
from reportgen.inputs.records import Loaded, Reading, read_council, read_references
from reportgen.merge.placeholders import TODO

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
PAPER_NAME = "first-paper"
OFFICER_ID = "report-author"
COMMITTEE_ID = "scrutiny-committee"
MEETING_LEAD_DAYS = 28  # the starter paper's meeting is four weeks ahead


@dataclass(frozen=True)
class Scaffolded:
    """What `new_council` created."""

    slug: str
    folder: Path
    files: tuple[Path, ...]


def new_council(
    project: Project,
    slug: str,
    *,
    name: str,
    style: str,
    nation: str = Nation.ENGLAND.value,
    today: dt.date | None = None,
) -> Scaffolded:
    """Create `councils/<slug>/` with council.yaml, a starter paper and a progress record.

    Every problem with the arguments is reported at once as an InputError.
    """
    problems = _check(project, slug, name, style, nation)
    if problems:
        raise InputError(problems)
    today = today or dt.date.today()
    reference_id, reference = _latest_reference(project, today)
    files = _starter_files(slug, name.strip(), style, nation, today, reference_id, reference)

    target = project.council_dir(slug)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.new-", dir=project.councils_dir))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _self_check(staging)
        if target.exists():  # created by someone else while we were writing
            raise InputError([error(_exists_message(project, slug))])
        os.rename(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Scaffolded(slug, target, tuple(target / relative for relative in files))


def _check(project: Project, slug: str, name: str, style: str, nation: str) -> list[Diagnostic]:
    problems = []
    if not SLUG_PATTERN.match(slug):
        problems.append(error(
            f"council slug '{slug}' is not valid: use lowercase letters, digits and hyphens, "
            f"starting with a letter or digit, at most 60 characters (e.g. 'north-downs')"))
    elif project.council_dir(slug).exists():
        problems.append(error(_exists_message(project, slug)))
    if not name.strip():
        problems.append(error("--name is empty: give the council's full name, e.g. \"North Downs District Council\""))
    elif len(name.strip()) > 200:
        problems.append(error(f"--name is {len(name.strip())} characters long; at most 200 are allowed"))
    styles = project.style_names()
    if style not in styles:
        problems.append(error(f"unknown house style '{style}'{did_you_mean(style, styles)}; "
                              f"styles available: {one_of(styles)} (see `reportgen styles`)"))
    nations = [n.value for n in Nation]
    if nation not in nations:
        problems.append(error(f"unknown nation '{nation}'{did_you_mean(nation, nations)}; "
                              f"expected one of {one_of(nations)}"))
    return problems


def _exists_message(project: Project, slug: str) -> str:
    return (f"councils/{slug} already exists in {project.root}; choose another slug, "
            f"or edit the files already there")


def _latest_reference(project: Project, today: dt.date) -> tuple[str | None, Reference | None]:
    """The valid review under councils/_reference/ published most recently by `today`, for the progress appendix.

    When none was published by then, the earliest published one.
    """
    references, _ = read_references(project)
    if not references:
        return None, None
    published = sorted(references, key=lambda r: (references[r].model.published, r))
    ref_id = ([r for r in published if references[r].model.published <= today] or published[:1])[-1]
    return ref_id, references[ref_id].model


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _starter_files(slug: str, name: str, style: str, nation: str, today: dt.date,
                   reference_id: str | None, reference: Reference | None) -> dict[str, str]:
    meeting = today + dt.timedelta(days=MEETING_LEAD_DAYS)
    working = WorkingCalendar.of(Nation(nation))
    while not working.is_working_day(meeting):  # committees meet on working days
        meeting += dt.timedelta(days=1)
    progress_name = f"progress-{today:%Y-%m}"
    files = {
        "council.yaml": _council_yaml(slug, name, style, nation),
        f"papers/{PAPER_NAME}.yaml": _paper_yaml(meeting, reference_id, reference, progress_name),
        "meetings.yaml": _meetings_yaml(meeting),
    }
    if reference is not None:
        files[f"progress/{progress_name}.yaml"] = _progress_yaml(today, reference_id, reference)
    return files


def _council_yaml(slug: str, name: str, style: str, nation: str) -> str:
    return f"""\
# {name}: who the council is and how its papers look.
# Every field is described in docs/template-variables.md; replace the
# placeholder committee and officer with real ones.
name: {_q(name)}
style: {style}          # house style: a folder under templates/ (`reportgen styles` lists them)
nation: {nation}        # England or Wales: decides publication deadlines and bank holidays
language: en-GB
committees:
  - id: {COMMITTEE_ID}
    name: Scrutiny Committee
officers:
  - id: {OFFICER_ID}
    name: Officer Name
    role: Job Title
    phone: 01632 960000
    email: officer.name@{slug}.example
"""


def _meetings_yaml(meeting: dt.date) -> str:
    return f"""\
# Meetings and their agenda: `reportgen due` works out publication deadlines
# from these (docs/meetings.md). Times are UK time (Europe/London), 24-hour.
publication:
  working_days_before: 7        # the council's own deadline for final reports; remove if there is none
  closure_days: []              # days the offices are closed, beyond weekends and bank holidays
meetings:
  - committee: {COMMITTEE_ID}
    date: {meeting.isoformat()}
    time: "18:30"
    venue: To be confirmed
    items:
      - item: "1"
        title: {_q("Progress report")}
        paper: {PAPER_NAME}
"""


def _paper_yaml(meeting: dt.date, reference_id: str | None, reference: Reference | None,
                progress_name: str) -> str:
    review = f"review: {reference_id}\n" if reference_id else ""
    topic = reference.short_title if reference else "the review"
    title = f"Progress on the {reference.short_title} recommendations" if reference else "First paper"
    appendix = ""
    if reference is not None:
        appendix = f"""
appendices:
  - type: progress
    title: Progress against each recommendation
    progress: {progress_name}
"""
    return f"""\
# A starter paper: edit the text, keep the shape. `reportgen build` turns it
# into a PDF; `reportgen validate` checks it without building.
title: {_q(title)}
meeting:
  committee: {COMMITTEE_ID}
  date: {meeting.isoformat()}     # YYYY-MM-DD
  item: "1"
{review}report_from: Job Title
authorised_by: {OFFICER_ID}
lead_officers: [{OFFICER_ID}]
contact: {OFFICER_ID}
authors: [{OFFICER_ID}]
summary: |
  One or two paragraphs saying what this paper is for and what the committee
  is asked to do.

sections:
  - title: Background
    body: |
      Why the committee is receiving this paper. Text is Markdown: *italic*,
      **bold**, and lists:

      - one point;
      - another point.
  - title: Progress
    paragraphs:
      - |
        Each entry under paragraphs is numbered (2.1, 2.2 ...) in styles that
        number paragraphs.
      - |
        Appendix 1 sets out progress against each {topic} recommendation.

recommendations:
  - That the committee notes the progress set out in this report.

background_documents: []
impact_assessments:
  - title: Equalities Impact Assessment
    body: No impact.
{appendix}"""


def _progress_yaml(today: dt.date, reference_id: str, reference: Reference) -> str:
    entries = "".join(f"""\
  {rec.id}:
    response: |
      {TODO}: what the council has done on recommendation {rec.number}, and what comes next.
    timeline: To be agreed
    lead_officer: {OFFICER_ID}
    status: not started
""" for rec in reference.recommendations)
    return f"""\
# Progress against the {reference.short_title} recommendations. Statuses:
# not started, in progress, ongoing, complete, not applicable.
reference: {reference_id}
as_at: {today.isoformat()}
entries:
{entries}"""


def _self_check(folder: Path) -> None:
    """The starter files must validate; if they do not, that is a bug in this module."""
    reading = Reading()
    reading.read(folder / "council.yaml", Council)
    reading.read_folder(folder / "papers", Paper)
    reading.read_folder(folder / "progress", Progress)
    reading.read(folder / "meetings.yaml", MeetingsCalendar)
    if reading.failed:
        raise RuntimeError("the starter files did not validate: "
                           + "; ".join(str(d) for d in reading.diagnostics if d.is_error))


# --- new-paper: next meeting's paper, rolled forward from the last one -------------------------


def new_paper(project: Project, council: str, source: str, meeting: dt.date, *, item: str | None = None,
              committee: str | None = None, as_at: dt.date | None = None, paper_id: str | None = None,
              today: dt.date | None = None) -> Scaffolded:
    """`papers/<new>.yaml` from paper `source` for the meeting on `meeting`, with its progress record.

    The paper points at the newest record of its review dated after its old
    one (a tracker imported since), or at a copy of the old record as at
    `as_at` (default: today, at the latest the meeting day). It is added to
    the meeting's agenda in meetings.yaml when the meeting is there. Every
    file is checked, together, before any is written.
    """
    from reportgen.pipeline.output import write_atomic
    from reportgen.tracker.sheet import record_name

    slug, = project.select([council])
    records, problems = read_council(project, slug)
    if records is None:
        raise InputError(problems)
    if source not in records.papers:
        raise InputError([error(f"no paper '{source}' in {slug}/papers/{did_you_mean(source, records.papers)}; "
                                f"papers: {one_of(records.papers)}")])
    old = records.papers[source]
    committee = committee or (old.model.meeting.committee if old.model.meeting else None)
    if committee is None:
        raise InputError([error(f"'{source}' goes to no meeting: say which committee with --committee")])
    calendar = Reading().read(records.folder / "meetings.yaml", MeetingsCalendar) \
        if (records.folder / "meetings.yaml").is_file() else None
    listed = [i for i, m in enumerate(calendar.model.meetings) if m.committee == committee and m.date == meeting] \
        if calendar else []
    if listed and not item:
        raise InputError([error(f"the meeting of '{committee}' on {meeting} is in meetings.yaml: give the paper's "
                                "agenda item number with --item")])
    if listed and any(i.item == item and i.paper for i in calendar.model.meetings[listed[0]].items):
        raise InputError([error(f"item {item} of the meeting on {meeting} already has a paper in meetings.yaml; "
                                "choose another --item")])
    used = [n for n in _records_of(old.model) if n in records.progress]
    if not used:
        raise InputError([error(f"'{source}' prints no progress record, so there is nothing to roll forward")])
    current = max((records.progress[n] for n in used), key=lambda r: r.model.as_at)
    newer = [r for r in records.progress.values() if r.model.reference == current.model.reference
             and current.model.as_at < r.model.as_at <= meeting]
    files: dict[Path, str] = {}
    if newer:  # a tracker was imported since: the paper reports it
        record = max(newer, key=lambda r: (r.model.as_at, r.name)).name
    else:
        dated = as_at or min(today or dt.date.today(), meeting)
        if dated <= current.model.as_at:
            raise InputError([error(f"the new record's date {dated} is not after '{current.name}' "
                                    f"({current.model.as_at}); give --as-at")])
        record = record_name(current.name, dated)
        files[records.folder / "progress" / f"{record}.yaml"] = _copied_record(current, dated, meeting)
    name = paper_id or record_name(source, meeting)
    if name in records.papers or (records.folder / "papers" / f"{name}.yaml").exists():
        raise InputError([error(f"papers/{name}.yaml already exists; name the new paper with --paper ID")])
    prepared = old.model.prepared and meeting - ((old.model.meeting.date if old.model.meeting else
                                                  old.model.issue_date) - old.model.prepared)
    files[records.folder / "papers" / f"{name}.yaml"] = _rolled_paper(
        old, current.name, record, meeting, committee, item if item else (None if listed else "To be confirmed"),
        prepared)
    if listed:
        files[calendar.source.file] = _with_item(calendar, listed[0], item, old.model.title, name)
    _check_together(project, slug, files)
    for path, text in files.items():
        write_atomic(path, text.encode("utf-8"))
    return Scaffolded(slug, records.folder, tuple(files))


def _records_of(paper: Paper) -> list[str]:
    from reportgen.merge.blocks import record_names

    uses = [a.progress for a in paper.appendices if getattr(a, "progress", None) and a.type == "progress"]
    return uses + ([paper.body.progress] if paper.body else []) + record_names(paper)


def _lines_after(lines: list[str], start: int) -> int:
    """The index after the block that starts at line index `start`: the lines indented more than it."""
    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].lstrip().startswith("#")
                                or indent(lines[end]) > indent(lines[start])):
        end += 1
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _set_value(lines: list[str], line: int, value: str) -> None:
    """Replace the scalar after `key:` on 1-based `line`, keeping any comment after it."""
    text = lines[line - 1]
    match = re.match(r"^(\s*(?:-\s+)?[\w-]+:\s*)(\"[^\"]*\"|'[^']*'|[^#]*?)(\s*(#.*)?)$", text)
    lines[line - 1] = f"{match[1]}{value}{match[3]}"


def _rolled_paper(old, record: str, new_record: str, meeting: dt.date, committee: str, item: str | None,
                  prepared: dt.date | None) -> str:
    """The old paper's text with the new meeting, dates and records; a changes and summary section if it had none."""
    lines = old.source.file.read_text(encoding="utf-8").split("\n")
    marks, paper = old.source.marks, old.model
    edits: list[tuple[int, str]] = []  # (1-based line, new value)
    if paper.meeting:
        edits += [(marks[("meeting", "date")][0], meeting.isoformat()),
                  (marks[("meeting", "committee")][0], committee)]
        if paper.meeting.item is not None or ("meeting", "item") in marks:
            edits.append((marks[("meeting", "item")][0], json.dumps(item) if item else '""'))
    if prepared and ("prepared",) in marks:
        edits.append((marks[("prepared",)][0], prepared.isoformat()))
    for path, (line, _) in marks.items():
        if len(path) > 1 and path[-1] in ("progress", "from"):
            value = _at(paper.model_dump(by_alias=True), path)
            if value == record:
                edits.append((line, record if path[-1] == "from" else new_record))
    for line, value in edits:
        _set_value(lines, line, value)
    inserts: list[tuple[int, list[str]]] = []
    if paper.meeting and paper.meeting.item is None and ("meeting", "item") not in marks and item:
        date_line = marks[("meeting", "date")][0]
        indent = lines[date_line - 1][: len(lines[date_line - 1]) - len(lines[date_line - 1].lstrip())]
        inserts.append((date_line, [f"{indent}item: {json.dumps(item)}"]))
    if ("revisions",) in marks:  # the old paper's revisions are not this paper's
        start = marks[("revisions",)][0] - 1
        del lines[start:_lines_after(lines, start)]
    if not any(b.type == "changes" for b in _blocks(paper)):
        section = [f"- title: What has changed since the last meeting",
                   f"  body: |",
                   f"    {TODO}: a sentence or two on what the panel should note since its last meeting.",
                   f"  blocks:",
                   f"    - type: changes", f"      from: {record}", f"      progress: {new_record}",
                   f"    - type: summary", f"      progress: {new_record}"]
        if ("sections", 0) in marks:
            line = marks[("sections", 0)][0]
            indent = " " * (marks[("sections", 0)][1] - 3)
            inserts.append((line - 1, [indent + s for s in section]))
        else:
            lines += ["sections:"] + ["  " + s for s in section]
    for at, new in sorted(inserts, reverse=True):
        lines[at:at] = new
    header = [f"# Rolled forward from {old.name} by reportgen new-paper for the meeting on {meeting}.",
              f"# {TODO} before it goes out: check each section still holds, and replace every {TODO} (validate "
              "warns of them)."]
    return "\n".join(header + lines)


def _at(data, path: tuple):
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _blocks(paper: Paper) -> list:
    return [b for s in paper.sections for b in s.blocks] + [a for a in paper.appendices
                                                             if a.type in ("changes", "summary")]


def _copied_record(current, as_at: dt.date, meeting: dt.date) -> str:
    lines = current.source.file.read_text(encoding="utf-8").split("\n")
    _set_value(lines, current.source.marks[("as_at",)][0], as_at.isoformat())
    header = [f"# Copied from {current.name} by reportgen new-paper for the meeting on {meeting}: bring each entry up "
              "to date,", "# here or with a tracker (reportgen export, then reportgen import)."]
    return "\n".join(header + lines)


def _with_item(calendar, index: int, item: str, title: str, paper: str) -> str:
    """meetings.yaml with the paper added as item `item` of meeting `index`, after its last item."""
    lines = calendar.source.file.read_text(encoding="utf-8").split("\n")
    marks = calendar.source.marks
    meeting_line = marks[("meetings", index)][0]
    indent = " " * (marks[("meetings", index)][1] - 1)
    entry = [f"- item: {json.dumps(item)}", f"  title: {json.dumps(title, ensure_ascii=False)}", f"  paper: {paper}"]
    items = [path for path in marks if path[:3] == ("meetings", index, "items") and len(path) == 4]
    if items:
        last = marks[max(items, key=lambda p: p[3])][0] - 1
        end = _lines_after(lines, last)
        dash = " " * (marks[max(items, key=lambda p: p[3])][1] - 3)
        lines[end:end] = [dash + e for e in entry]
    else:
        end = _lines_after(lines, meeting_line - 1)
        lines[end:end] = [f"{indent}items:"] + [f"{indent}  {e}" for e in entry]
    return "\n".join(lines)


def _check_together(project: Project, slug: str, files: dict[Path, str]) -> None:
    """Every new or changed file must validate, and the council must merge, before anything is written."""
    from reportgen.inputs.yamlload import parse_yaml
    from reportgen.inputs.validate import validate
    from reportgen.merge import merge_council

    records, _ = read_council(project, slug)
    problems: list[Diagnostic] = []
    papers, progress = dict(records.papers), dict(records.progress)
    for path, text in files.items():
        model = {"papers": Paper, "progress": Progress}.get(path.parent.name, MeetingsCalendar)
        document = parse_yaml(text.encode("utf-8"), path)
        value, found = validate(document, model)
        problems += found
        if value is not None and model is Paper:
            papers[path.stem] = Loaded(path.stem, value, document.source)
        elif value is not None and model is Progress:
            progress[path.stem] = Loaded(path.stem, value, document.source)
    if not problems:
        references, _ = read_references(project)
        merged = dataclasses.replace(records, papers=papers, progress=progress)
        _, found = merge_council(merged, references)
        problems += [d for d in found if d.is_error]
    if any(d.is_error for d in problems):
        raise InputError([d for d in problems if d.is_error])
