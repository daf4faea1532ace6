"""One check of everything a build or an agenda pack needs: records, registers, calendars, and their agreement.

`reportgen validate` and `reportgen build --due` both call `check_project`, so
they report the same problems: each council's records and publication
register (pipeline.gather), its meetings.yaml (meetings.calendar), and what
only the two together show: a paper whose own meeting disagrees with the
agenda that lists it, and an attachment whose file is not there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportgen.errors import Diagnostic, did_you_mean
from reportgen.inputs.exempt import paragraph_problem
from reportgen.inputs.project import Project
from reportgen.merge.bilingual import by_record
from reportgen.meetings.calendar import MEETINGS_FILE, CouncilCalendar, read_calendar
from reportgen.pipeline.gather import Inputs, gather

ATTACHMENT_SUFFIX = ".pdf"


@dataclass
class Checked:
    """Everything read and checked: the inputs a build uses (with every problem found) and the calendars."""

    inputs: Inputs
    calendars: list[CouncilCalendar]


def check_project(project: Project, names: list[str] | None = None, *, strict: bool = False) -> Checked:
    """Read and check the councils named (all when none are); a council with a calendar error counts as failed."""
    inputs = gather(project, names, strict=strict)
    calendars = []
    for slug in project.select(names):
        if not (project.council_dir(slug) / MEETINGS_FILE).is_file():
            continue  # optional: only `due`, which needs one, says it is missing
        calendar, problems = read_calendar(project, slug)
        if calendar is not None:
            calendars.append(calendar)
            council = inputs.councils.get(slug)
            problems += calendar_problems(calendar, by_record(council.papers) if council else {})
        inputs.diagnostics += problems
        if any(d.is_error or strict for d in problems) and slug not in inputs.failed:
            inputs.councils.pop(slug, None)
            inputs.failed.append(slug)
    return Checked(inputs, calendars)


def calendar_problems(calendar: CouncilCalendar, valid: dict) -> list[Diagnostic]:
    """What the calendar and the papers (`valid`: paper id -> PaperView) say differently, and missing attachments."""
    return _papers_disagree(calendar, valid) + _missing_attachments(calendar) + _exempt_attachments(calendar)


def _papers_disagree(calendar: CouncilCalendar, valid: dict) -> list[Diagnostic]:
    """A paper whose own `meeting:` names another meeting or item number than the agenda listing it.

    A paper listed under two meetings (deferred from one to the other) is fine
    as long as one of them is the meeting the paper names.
    """
    problems = []
    source = calendar.calendar.source if calendar.calendar else None
    listed: dict[str, set[tuple[str, dt.date]]] = {}
    for m in calendar.meetings:
        for paper_id in m.paper_ids:
            listed.setdefault(paper_id, set()).add((m.committee.id, m.date))
    for m in calendar.meetings:
        for j, scheduled in enumerate(m.items):
            view = valid.get(scheduled.item.paper or "")
            if view is None or source is None:
                continue
            own = view.paper.meeting
            at = ("meetings", m.index, "items", j, "paper")
            if own is None:  # a paper for no particular meeting may be put on any agenda
                continue
            paper_file = f"papers/{view.source_files[1].name}"
            if (own.committee, own.date) != (m.committee.id, m.date):
                if (own.committee, own.date) not in listed[scheduled.item.paper]:
                    problems.append(source.diagnostic(
                        f"paper '{view.id}' says it goes to {own.committee} on {own.date} ({paper_file}, "
                        f"`meeting:`), but is listed here for {m.committee.id} on {m.date}; it would be printed "
                        f"with the wrong meeting: correct one of them", at))
            elif own.item is not None and own.item != scheduled.item.item:
                problems.append(source.diagnostic(
                    f"paper '{view.id}' gives item number '{own.item}' ({paper_file}, `meeting.item`), but the "
                    f"agenda has it as item '{scheduled.item.item}'; correct one of them", at))
    return problems


def _missing_attachments(calendar: CouncilCalendar) -> list[Diagnostic]:
    if calendar.calendar is None:
        return []
    source, folder = calendar.calendar.source, calendar.folder
    problems, known = [], None
    for m in calendar.meetings:
        for j, scheduled in enumerate(m.items):
            for k, attachment in enumerate(scheduled.item.attachments):
                if (folder / attachment.file).is_file():
                    continue
                if known is None:  # listed only when something is missing
                    known = sorted(p.relative_to(folder).as_posix() for p in folder.rglob(f"*{ATTACHMENT_SUFFIX}")
                                   if p.is_file() and p.relative_to(folder).parts[0] != "published")
                problems.append(source.diagnostic(
                    f"attachment {attachment.file} does not exist{did_you_mean(attachment.file, known)}; put the "
                    f"PDF there, or take the attachment out until it arrives",
                    ("meetings", m.index, "items", j, "attachments", k, "file")))
    return problems


def _exempt_attachments(calendar: CouncilCalendar) -> list[Diagnostic]:
    """An exempt attachment's paragraph that the council's nation cannot use (docs/exempt.md)."""
    if calendar.calendar is None:
        return []
    nation, problems = calendar.council.nation.value, []
    for m in calendar.meetings:
        for j, scheduled in enumerate(m.items):
            for k, attachment in enumerate(scheduled.item.attachments):
                problem = paragraph_problem(attachment.exempt, nation) if attachment.exempt else None
                if problem:
                    problems.append(calendar.calendar.source.diagnostic(
                        problem, ("meetings", m.index, "items", j, "attachments", k, "exempt", "paragraph")))
    return problems
