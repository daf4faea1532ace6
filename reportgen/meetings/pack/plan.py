"""The agenda pack's plan: the meeting, its papers and its attachments, all read and checked before anything is built.

Each attachment is taken in here (`reportgen.pdf.intake`): opened, sanitised
of active content, classified and, where that makes it conform, repaired; so
every problem with the meeting, its papers and its attachments is reported
at once, with `file:line` in meetings.yaml, before a single page is rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from reportgen.confine import Roots
from reportgen.errors import Diagnostic, InputError, did_you_mean, display_path, error, one_of
from reportgen.inputs.project import Project
from reportgen.merge.bilingual import by_record
from reportgen.inputs.exempt import Exempt, paragraph_problem
from reportgen.inputs.register import PublishedPack, Register, read_register
from reportgen.merge.exempt import Withheld, withheld
from reportgen.inputs.styles import Style
from reportgen.meetings.calendar import CouncilCalendar, ScheduledMeeting, read_calendar
from reportgen.pdf.intake import Intake, Unreadable, take_in
from reportgen.pipeline.gather import Inputs, gather
from reportgen.render import catalogue as messages
from reportgen.pipeline.render import exempt_target
from reportgen.render.html import long_date

PACK_NAME = "agenda-pack"


@dataclass(frozen=True)
class PackAttachment:
    title: str
    file: str  # as written in meetings.yaml, relative to the council folder
    path: Path
    intake: Intake
    exempt: Exempt | None = None  # in the exempt pack only

    @property
    def tagged(self) -> bool:
        return self.intake.tagged


@dataclass(frozen=True)
class PackItem:
    number: str
    title: str
    paper: str | None  # paper id
    paper_title: str | None
    attachments: tuple[PackAttachment, ...]
    late_reason: str | None = None  # in a supplement: why it missed the published pack
    exempt: tuple[int, ...] = ()  # the paragraphs of Schedule 12A its exempt parts (paper, attachments) fall under
    withheld: tuple[Withheld, ...] = ()  # its exempt attachments, as the public pack leaves them out
    paper_withheld: tuple[Withheld, ...] = ()  # its paper's exempt parts (the public version leaves them out)


@dataclass(frozen=True)
class PackPlan:
    project: Project
    calendar: CouncilCalendar
    meeting: ScheduledMeeting
    style: Style
    items: tuple[PackItem, ...]
    prepared: dt.date
    diagnostics: tuple[Diagnostic, ...]
    inputs: Inputs  # the council as gathered for the plan; its papers are built from it
    supplement: int = 0  # 0 for the agenda pack, N for Supplement N
    published: PublishedPack | None = None  # the register's entry, when this very pack was published

    @property
    def words(self) -> messages.Catalogue:
        """The catalogue of the council's language: the pack's fixed wording and dates."""
        return messages.catalogue(self.style.layers[-1].folder, self.calendar.council.language)

    @property
    def title(self) -> str:
        values = {"number": self.supplement, "committee": self.meeting.committee.name,
                  "date": self.words.long_date(self.meeting.date)}
        return self.words.gettext(messages.SUPPLEMENT_TITLE if self.supplement else messages.PACK_TITLE) % values

    @property
    def what(self) -> str:
        """`agenda pack` or `supplement N`, for messages."""
        return f"supplement {self.supplement}" if self.supplement else "agenda pack"

    @property
    def paper_ids(self) -> list[str]:
        return [item.paper for item in self.items if item.paper is not None]

    @property
    def attachment_files(self) -> list[str]:
        return [a.file for item in self.items for a in item.attachments]

    def page_label(self, page: int) -> str:
        """What is printed at the top of page `page` (1-based): its own numbering for a supplement."""
        message = messages.SUPPLEMENT_PAGE if self.supplement else messages.PACK_PAGE
        return self.words.gettext(message) % {"number": self.supplement, "page": page}

    @property
    def has_exempt(self) -> bool:
        """Whether the meeting has exempt items: then there is an exempt pack beside the public one."""
        return any(item.exempt for item in self.items)

    def exempt_target(self, out_dir: Path) -> Path:
        """`<council>/exempt/<pack name>-exempt.pdf`: members only, never published."""
        return exempt_target(self.target(out_dir))

    def target(self, out_dir: Path) -> Path:
        name = f"{self.meeting.date.isoformat()}-{self.meeting.committee.id}-{PACK_NAME}"
        return out_dir / self.calendar.slug / (f"{name}-supplement-{self.supplement}.pdf" if self.supplement
                                               else f"{name}.pdf")


def find_meeting(calendar: CouncilCalendar, date: dt.date, committee: str | None) -> ScheduledMeeting:
    """The meeting on `date` (of `committee`); an InputError that lists the choices otherwise."""
    meetings = calendar.on(date, committee)
    listed = [f"{m.date.isoformat()} {m.committee.id}" for m in calendar.meetings]
    if committee is not None and not calendar.on(date):
        committee = None  # the date is what is wrong; say so below
    if committee is not None and not meetings:
        that_day = [m.committee.id for m in calendar.on(date)]
        raise InputError([error(f"no meeting of '{committee}' on {date.isoformat()}"
                                f"{did_you_mean(committee, that_day)}; that day: {one_of(that_day)}")])
    if not meetings:
        raise InputError([error(f"no meeting of {calendar.slug} on {date.isoformat()} in meetings.yaml; "
                                f"meetings: {', '.join(listed) or '(none)'}")])
    if len(meetings) > 1:
        raise InputError([error(f"{len(meetings)} meetings of {calendar.slug} on {date.isoformat()}; "
                                f"choose one with --committee: {one_of(m.committee.id for m in meetings)}")])
    return meetings[0]


def plan_pack(project: Project, slug: str, date: dt.date, committee: str | None = None, *,
              strict: bool = False, supplement: bool = False) -> PackPlan:
    """Read and check the meeting, its papers and its attachments; InputError with every problem found.

    With `supplement`, the plan is the next supplement to the published pack:
    only the items (papers, attachments) no published pack or supplement held.
    """
    project.select([slug])
    calendar, problems = read_calendar(project, slug)
    if calendar is None:
        raise InputError(problems)
    meeting = find_meeting(calendar, date, committee)
    diagnostics = [d for d in problems if d.is_error or _about_meeting(d, meeting)]
    register, problems = read_register(calendar.folder)
    diagnostics += problems
    number, late = _supplement(register or Register(calendar.folder), meeting, supplement)
    inputs = gather(project, [slug], strict=strict)
    diagnostics += inputs.diagnostics
    council = inputs.councils.get(slug)
    views = by_record(council.papers) if council else {}
    source = calendar.calendar.source
    where = ("meetings", meeting.index, "items")
    if PACK_NAME in views:
        diagnostics.append(error(f"a paper named '{PACK_NAME}' would share its file name with the agenda pack; "
                                 "rename the paper", file=views[PACK_NAME].source_files[0]))
    lang, nation = calendar.council.language, calendar.council.nation.value

    items: list[PackItem] = []
    for j, scheduled in enumerate(meeting.items):
        item = scheduled.item
        if late is not None and j not in late:
            continue
        if late is not None and item.late_reason is None:
            diagnostics.append(source.diagnostic(
                f"item {item.item} was not in the published agenda pack, so it goes in supplement {number}, which "
                "must say why it is late: add `late_reason:` to the item", where + (j,)))
        view = views.get(item.paper) if item.paper and (late is None or late[j][0]) else None
        if item.paper and scheduled.paper_file is None:
            diagnostics.append(source.diagnostic(
                f"item {item.item}: there is no papers/{item.paper}.yaml yet, and the pack needs every paper; "
                "write it, or take `paper:` off the item to list it without one", where + (j, "paper")))
        elif item.paper is None and item.needs_paper and not item.attachments:
            diagnostics.append(source.diagnostic(
                f"item {item.item} has no paper yet; it is listed on the front sheet without a page",
                where + (j,), warn=True))
        attachments = []
        for k, attachment in enumerate(item.attachments):
            if late is not None and k not in late[j][1]:
                continue
            problems = _Problems(source, where + (j, "attachments", k, "file"), diagnostics)
            taken = _take_attachment(calendar, attachment.file, attachment.title, lang, problems)
            problem = paragraph_problem(attachment.exempt, nation) if attachment.exempt else None
            if problem:
                diagnostics.append(source.diagnostic(problem, where + (j, "attachments", k, "exempt", "paragraph")))
            if taken is not None:
                attachments.append(replace(taken, exempt=attachment.exempt))
        paper = item.paper if late is None or late[j][0] else None
        paper_withheld = view.public.withheld if view is not None and paper and view.public else ()
        withheld_attachments = tuple(withheld("attachment", item.item, a.exempt, nation, (a.title,))
                                     for a in attachments if a.exempt)
        paragraphs = tuple(sorted({w.paragraph for w in paper_withheld + withheld_attachments}))
        items.append(PackItem(item.item, item.title, paper, view.paper.title if view else None,
                              tuple(attachments), item.late_reason if late is not None else None, paragraphs,
                              withheld_attachments, paper_withheld))

    if any(d.is_error or strict for d in diagnostics) or council is None:
        if not any(d.is_error for d in diagnostics):  # --strict: warnings count
            diagnostics.append(error("not built: warnings count as errors with --strict"))
        raise InputError(diagnostics)
    ids = [i.paper for i in items if i.paper]
    dates = [v.paper.issue_date for v in views.values() if v.id in ids]
    published = next((p for p in register.packs_of(meeting.date, meeting.committee.id) if p.supplement == number),
                     None) if register else None
    return PackPlan(project, calendar, meeting, council.style, tuple(items), max(dates, default=meeting.date),
                    tuple(diagnostics), inputs, number, published)


def _supplement(register: Register, meeting: ScheduledMeeting,
                wanted: bool) -> tuple[int, dict[int, tuple[bool, set[int]]] | None]:
    """The next supplement's number and, per item index, (its paper is new, its new attachments); None: the pack."""
    published = register.packs_of(meeting.date, meeting.committee.id)
    if not wanted:
        return 0, None
    if not any(p.supplement == 0 for p in published):
        raise InputError([error(
            f"no agenda pack of {meeting.committee.id} on {meeting.date} is recorded as published, so there is "
            f"nothing to supplement; build the agenda pack (without --supplement) and publish it with "
            f"`reportgen publish {meeting.council_slug} --pack {meeting.date}`")])
    papers = {paper for p in published for paper in p.papers}
    files = {file for p in published for file in p.attachments}
    late = {}
    for j, scheduled in enumerate(meeting.items):
        item = scheduled.item
        new_paper = item.paper is not None and item.paper not in papers
        new_files = {k for k, a in enumerate(item.attachments) if a.file not in files}
        if new_paper or new_files:
            late[j] = (new_paper, new_files)
    number = max(p.supplement for p in published) + 1
    if not late:
        raise InputError([error(
            f"nothing for supplement {number}: every paper and attachment on the agenda of {meeting.committee.id} "
            f"on {meeting.date} was in its published agenda pack or a supplement")])
    return number, late


def _about_meeting(d: Diagnostic, meeting: ScheduledMeeting) -> bool:
    """A warning about meetings.yaml that concerns this meeting (others are `due`'s business)."""
    here = f"meetings[{meeting.index}]"
    return not d.key or d.key == here or d.key.startswith((here + ".", "publication"))


@dataclass(frozen=True)
class _Problems:
    """Where an attachment's problems go: diagnostics located at its entry in meetings.yaml."""

    source: object  # the Loaded meetings.yaml
    at: tuple
    diagnostics: list[Diagnostic]

    def __call__(self, message: str, warn: bool = False) -> None:
        self.diagnostics.append(self.source.diagnostic(message, self.at, warn=warn))


def _take_attachment(calendar: CouncilCalendar, file: str, title: str, lang: str,
                     report: _Problems) -> PackAttachment | None:
    """An attachment taken in, or None (with an error reported) when it is outside the council folder or unusable."""
    path = Roots([calendar.folder]).find(calendar.folder / file)
    if path is None:
        report(f"'{file}' leads outside the council folder (a link?); copy the PDF into the council folder")
        return None
    if not path.is_file():
        report(f"no file '{file}' in {calendar.folder.name}/")
        return None
    try:
        intake = take_in(path.read_bytes(), title=title, lang=lang)
    except Unreadable as exc:
        report(f"'{file}' {exc}")
        return None
    except OSError as exc:
        report(f"'{file}' cannot be read ({exc.strerror})")
        return None
    if intake.form_fields:
        report(f"'{file}' has {intake.form_fields} form field(s); they will not work in the pack (print the form to "
               "PDF first if its filled-in values matter)", warn=True)
    if not intake.was_tagged:
        report(f"'{file}' is not a tagged PDF: screen readers cannot read it, so the pack will fail the "
               "PDF/UA checks and will not claim PDF/UA; ask its author for an accessible (tagged) PDF", warn=True)
    elif not intake.tagged:
        report(f"'{file}' is tagged, but fails the machine accessibility checks even after reportgen's repairs: "
               + "; ".join(intake.findings[:5]) + ("; ..." if len(intake.findings) > 5 else "")
               + ". It goes into the pack without its tags, so screen readers cannot read it, and the pack will "
               "fail the PDF/UA checks and will not claim PDF/UA; ask its author for an accessible (tagged) PDF "
               f"(see `reportgen check {display_path(path)}`)", warn=True)
    return PackAttachment(title, file, path, intake)
