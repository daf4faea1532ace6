"""`reportgen new-council`: a council folder with a starter paper that builds at once.

    check slug, name, style, nation -> write the files into a hidden temporary folder
      -> validate them with the same models a build uses -> rename into place

Nothing is left behind when a check fails, and an existing council folder is
never touched. The starter files carry comments so that an officer can edit
them without reading the docs first.
"""

from __future__ import annotations

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
from reportgen.inputs.records import Reading, read_references

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
      What the council has done on recommendation {rec.number}, and what comes next.
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
