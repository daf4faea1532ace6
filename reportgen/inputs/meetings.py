"""`meetings.yaml`: a council's meetings, their agenda items and its own publication rules."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from reportgen import confine
from reportgen.inputs.models import EXTRA_DESCRIPTION, Date, Extra, Record, Slug, Text
from reportgen.inputs.exempt import EXEMPT_DESCRIPTION, Exempt

ItemNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


class Publication(Record):
    """`publication:` in meetings.yaml: the council's own deadline rules, on top of the law.

    The statutory deadline (5 clear days in England, 3 in Wales) always applies
    and is not set here; see docs/meetings.md.
    """

    working_days_before: int | None = Field(
        default=None, ge=1, le=60,
        description="The council's internal deadline: papers are due this many working days before the "
                    "meeting (the meeting day itself not counted), e.g. 7. Leave out when the council sets none.",
    )
    closure_days: list[Date] = Field(
        default_factory=list,
        description="Days the council offices are closed besides weekends and bank holidays (YYYY-MM-DD), "
                    "e.g. 2012-12-24; they are not working days and do not count as clear days.",
    )


class Attachment(Record):
    """An external PDF (a partner's report, minutes) put into the agenda pack after the item's paper."""

    file: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="A PDF inside the council folder, e.g. `attachments/lscb-summary.pdf` "
                    "(no `..`, no absolute paths, no URLs). It should be a tagged PDF: an untagged one is "
                    "still put in the pack, with a warning, but makes the pack fail the PDF/UA checks.",
    )
    title: Text = Field(description="Title as listed on the agenda front sheet and in the pack's bookmarks.")
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION + " In the exempt pack only.")

    @field_validator("file")
    @classmethod
    def _a_pdf_inside_the_council_folder(cls, value: str) -> str:
        confine.relative_path(value, "attachment")
        if not value.lower().endswith(".pdf"):
            raise ValueError("expected a PDF file (.pdf)")
        return value


class AgendaItem(Record):
    """One item on a meeting's agenda."""

    item: ItemNumber = Field(description="Item number as printed, e.g. \"5.10\" (kept as text).")
    title: Text = Field(description="Item title as printed on the agenda.")
    paper: Slug | None = Field(
        default=None,
        description="The paper for this item: a file name under `papers/`, without `.yaml`. "
                    "Leave out while the paper is not written yet; `due` then lists it as missing.",
    )
    needs_paper: bool = Field(
        default=True,
        description="`false` for items that never have a report (apologies, declarations of interest); "
                    "`due` then does not wait for a paper.",
    )
    attachments: list[Attachment] = Field(
        default_factory=list,
        description="External PDFs that follow the item's paper in the agenda pack (`reportgen pack`), in order.",
    )
    late_reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Why the item missed the published agenda pack; required when it goes out in a supplement "
                    "(`reportgen pack --supplement`), whose front sheet prints it.",
    )
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class CommitteeMeeting(Record):
    """One meeting in the council's calendar."""

    committee: Slug = Field(description="Committee id from council.yaml.")
    date: Date = Field(description="Date of the meeting (YYYY-MM-DD).")
    time: dt.time = Field(description="Start time, 24-hour HH:MM in UK time (Europe/London), e.g. \"10:30\".")
    venue: Text = Field(description="Where the meeting is held, as printed on the agenda.")
    items: list[AgendaItem] = Field(default_factory=list, description="The agenda items, in agenda order.")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)

    @field_validator("time", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        if isinstance(value, dt.time):
            return value
        match = _CLOCK.match(str(value).strip()) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"expected a time written HH:MM (24-hour, UK time), e.g. 10:30 or 18:00; got {value!r}")
        return dt.time(int(match[1]), int(match[2]))

    def starts_at(self) -> dt.datetime:
        """Date and time of the meeting as an aware datetime in Europe/London."""
        from zoneinfo import ZoneInfo

        return dt.datetime.combine(self.date, self.time, tzinfo=ZoneInfo("Europe/London"))


class MeetingsCalendar(Record):
    """`councils/<slug>/meetings.yaml`: the council's meetings and its publication rules."""

    publication: Publication = Field(
        default_factory=Publication, description="The council's own deadline rules and office closure days."
    )
    meetings: list[CommitteeMeeting] = Field(default_factory=list, description="The meetings, in any order.")
