"""The typed records an officer writes, documented field by field.

These models are the schema: validation messages, the template variable
reference in docs/ and the starter files all come from them. Every model
refuses unknown keys (typos are errors); fields a model does not know belong
under `extra:`, where templates can read them.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from reportgen import confine

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MARKDOWN = "markdown"
"""Marks a Markdown field, for the checks of inputs/text.py."""
Markdown = Annotated[str, StringConstraints(max_length=100_000), MARKDOWN]
Extra = dict[str, Any]


def _date_as_written(value: Any) -> Any:
    """A date must be written as one: pydantic would read `0` or `1700000000` as seconds since 1970."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise PydanticCustomError("date_from_number", "a number is not a date")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("date_from_number", "a number is not a date")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_as_written)]

EXTRA_DESCRIPTION = "Fields the core model does not know, for templates to use (`extra.name`)."


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# --- the council ---------------------------------------------------------


class Committee(Record):
    """A committee, panel or board that receives papers."""

    id: Slug = Field(description="Short identifier used by papers, e.g. `cyp-scrutiny`.")
    name: Text = Field(description="Full name as printed, e.g. \"Children and Young People's Scrutiny Panel\".")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class Officer(Record):
    """A council officer named on papers."""

    id: Slug = Field(description="Short identifier used by papers and progress entries.")
    name: Text = Field(description="Name as printed.")
    role: Text = Field(description="Job title, e.g. \"Head of Safeguarding\".")
    phone: Text | None = Field(default=None, description="Telephone number as printed.")
    email: Text | None = Field(default=None, description="Email address.")
    organisation: Text | None = Field(default=None, description="Organisation, when not the council itself.")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


PLACEHOLDER_ALT = {"image", "picture", "photo", "logo", "chart", "graph", "figure", "diagram", "img", "alt", "todo"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


class Image(Record):
    """An image from the council's own folder, with the text a screen reader reads instead."""

    file: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Path inside the council folder, e.g. `images/logo.png` (no `..`, no absolute paths, no URLs)."
    )
    alt: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = Field(
        description="What the image shows, for people who cannot see it (required; not a file name)."
    )
    caption: Text | None = Field(default=None, description="Caption printed under the image.")

    @field_validator("file")
    @classmethod
    def _inside_the_council_folder(cls, value: str) -> str:
        confine.relative_path(value, "image")
        if not value.lower().endswith(IMAGE_SUFFIXES):
            raise ValueError(f"expected an image file ({', '.join(IMAGE_SUFFIXES)})")
        return value

    @field_validator("alt")
    @classmethod
    def _meaningful_alt(cls, value: str) -> str:
        lowered = value.lower().rstrip(".")
        if not lowered:
            raise ValueError("alt text is required: describe what the image shows")
        if lowered in PLACEHOLDER_ALT or lowered.endswith(IMAGE_SUFFIXES):
            raise ValueError(f"'{value}' is a placeholder, not a description: say what the image shows")
        return value


class Nation(str, Enum):
    ENGLAND = "England"
    WALES = "Wales"


class Council(Record):
    """`councils/<slug>/council.yaml`: who the council is and how its papers look."""

    name: Text = Field(description="Full name, e.g. \"Haringey Council\"; printed in the running header.")
    short_name: Text | None = Field(
        default=None, description="Name used in column headings such as \"Haringey response\"; defaults to `name`."
    )
    style: Slug = Field(description="House style: a folder under `templates/`.")
    nation: Nation = Field(description="`England` or `Wales`: decides publication law and bank holidays.")
    language: Literal["en-GB", "cy"] = Field(default="en-GB", description="Language of the papers (`en-GB` or `cy`).")
    committees: list[Committee] = Field(min_length=1, description="Committees that receive papers.")
    officers: list[Officer] = Field(default_factory=list, description="Officers named on papers.")
    logo: Image | None = Field(default=None, description="The council's logo, for styles that print one.")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name


# --- the shared reference data ------------------------------------------


class ResponseStatus(str, Enum):
    ACCEPTED = "accepted"
    ACCEPTED_IN_PRINCIPLE = "accepted in principle"
    FURTHER_CONSIDERATION = "further consideration"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]


class ResponseUpdate(Record):
    """A dated development in the Government's response."""

    date: Date = Field(description="When this happened (YYYY-MM-DD).")
    text: Markdown = Field(description="What happened (Markdown).")


class GovernmentResponse(Record):
    """The Government's published response to one recommendation."""

    status: ResponseStatus = Field(
        description="`accepted`, `accepted in principle`, `further consideration` or `rejected`."
    )
    summary: Markdown = Field(description="What the Government said it would do (Markdown).")
    updates: list[ResponseUpdate] = Field(default_factory=list, description="Later developments, oldest first.")


class Theme(Record):
    """A group of recommendations, e.g. a chapter of the review."""

    id: Slug = Field(description="Short identifier used by recommendations.")
    title: Text = Field(description="Heading as printed.")


class Recommendation(Record):
    """One recommendation of the review."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")] = Field(
        description="Identifier used by progress entries, e.g. `R1`."
    )
    number: int = Field(ge=1, description="Number as printed, e.g. 1.")
    title: Text = Field(description="One-line summary used in tables.")
    text: Markdown = Field(description="Full text of the recommendation (Markdown).")
    theme: Slug = Field(description="The `themes` entry this recommendation belongs to.")
    government_response: GovernmentResponse = Field(description="The Government's response.")


class Reference(Record):
    """`councils/_reference/<id>.yaml`: a national review shared by every council."""

    title: Text = Field(description="Title of the review, e.g. \"The Munro Review of Child Protection\".")
    short_title: Text = Field(description="Short name used in headings, e.g. \"Munro\".")
    published: Date = Field(description="Date the review was published.")
    response_published: Date | None = Field(default=None, description="Date of the Government's response.")
    themes: list[Theme] = Field(min_length=1, description="Groups of recommendations, in order.")
    recommendations: list[Recommendation] = Field(min_length=1, description="Every recommendation, in order.")


# --- progress against the review -----------------------------------------


class ProgressStatus(str, Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    ONGOING = "ongoing"
    COMPLETE = "complete"
    NOT_APPLICABLE = "not applicable"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]


class ProgressEntry(Record):
    """The council's progress on one recommendation."""

    response: Markdown = Field(description="The council's response and progress (Markdown).")
    timeline: Text | None = Field(default=None, description="Timeline as printed, e.g. \"By December 2012\".")
    target_date: Date | None = Field(default=None, description="Target date, when there is one (YYYY-MM-DD).")
    lead_officer: Slug | None = Field(default=None, description="Officer id from council.yaml.")
    status: ProgressStatus = Field(
        default=ProgressStatus.IN_PROGRESS,
        description="`not started`, `in progress`, `ongoing`, `complete` or `not applicable`.",
    )
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class Progress(Record):
    """`councils/<slug>/progress/<name>.yaml`: the council's progress at one date."""

    reference: Slug = Field(description="The review reported on: a file name under `councils/_reference/`.")
    as_at: Date = Field(description="Date the progress was last brought up to date.")
    entries: dict[str, ProgressEntry] = Field(description="Progress per recommendation id, e.g. `R1:`.")


# --- the paper ------------------------------------------------------------


class Meeting(Record):
    """The meeting the paper goes to."""

    committee: Slug = Field(description="Committee id from council.yaml.")
    date: Date = Field(description="Date of the meeting (YYYY-MM-DD).")
    item: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description="Agenda item number as printed, e.g. \"5.10\"; blank until the agenda is set."
    )


class ReportType(str, Enum):
    INFORMATION = "for information"
    DECISION = "for decision"


class Section(Record):
    """A numbered section of the paper."""

    title: Text = Field(description="Heading, without its number.")
    body: Markdown | None = Field(default=None, description="Text of the section (Markdown).")
    paragraphs: list[Markdown] = Field(
        default_factory=list, description="Numbered paragraphs (2.1, 2.2 ...), each Markdown."
    )
    recommendations: list[str] = Field(
        default_factory=list, description="Recommendation ids whose text this section quotes before its paragraphs."
    )
    figures: list[Image] = Field(default_factory=list, description="Images or charts shown after the text.")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class ProgressAppendix(Record):
    """The Recommendation / Government response / council response / Timeline table."""

    type: Literal["progress"] = Field(description="`progress`.")
    title: Text = Field(description="Appendix title, without \"Appendix N\".")
    progress: Slug = Field(description="A progress record: a file name under `progress/`, without `.yaml`.")


class RecommendationsAppendix(Record):
    """The full text of the review's recommendations, grouped by theme."""

    type: Literal["recommendations"] = Field(description="`recommendations`.")
    title: Text = Field(description="Appendix title.")
    reference: Slug = Field(description="The review: a file name under `councils/_reference/`.")


class ListAppendix(Record):
    """A numbered list, e.g. performance measures."""

    type: Literal["list"] = Field(description="`list`.")
    title: Text = Field(description="Appendix title.")
    intro: Markdown | None = Field(default=None, description="Text before the list (Markdown).")
    items: list[Markdown] = Field(min_length=1, description="The items (Markdown).")


class TextAppendix(Record):
    """Free text."""

    type: Literal["text"] = Field(description="`text`.")
    title: Text = Field(description="Appendix title.")
    body: Markdown = Field(description="The text (Markdown).")


Appendix = Annotated[
    ProgressAppendix | RecommendationsAppendix | ListAppendix | TextAppendix, Field(discriminator="type")
]


class BackgroundDocument(Record):
    """A background paper under s100D Local Government Act 1972."""

    title: Text = Field(description="Document title.")
    location: Text = Field(description="Where it can be inspected.")


class ImpactAssessment(Record):
    """One impact assessment (equalities, crime and disorder, climate ...)."""

    title: Text = Field(description="What was assessed, e.g. \"Equalities Impact Assessment\".")
    body: Markdown = Field(description="The finding (Markdown).")


class Revision(Record):
    """A change made after the paper was published; the published version is kept."""

    date: Date = Field(description="Date of the revision (YYYY-MM-DD).")
    note: Text = Field(description="What changed, as printed on the revised paper.")


class Paper(Record):
    """`councils/<slug>/papers/<id>.yaml`: one committee paper."""

    title: Text = Field(description="Title of the paper.")
    meeting: Meeting = Field(description="Where and when the paper is considered.")
    reference: Text | None = Field(default=None, description="The council's own report reference, e.g. \"3905\".")
    review: Slug | None = Field(
        default=None, description="The review whose recommendations sections quote: a file under `councils/_reference/`."
    )
    report_from: Text | None = Field(default=None, description="Who the report is from, e.g. a director's title.")
    authorised_by: Slug | None = Field(default=None, description="Officer id of the officer who authorised the report.")
    lead_officers: list[Slug] = Field(default_factory=list, description="Officer ids of the lead officers.")
    contact: Slug | None = Field(default=None, description="Officer id of the contact for enquiries.")
    authors: list[Slug] = Field(default_factory=list, description="Officer ids of the authors (author block).")
    wards: list[Text] = Field(default_factory=lambda: ["All"], description="Wards affected; `[All]` by default.")
    report_type: ReportType = Field(
        default=ReportType.INFORMATION, description="`for information` or `for decision`."
    )
    prepared: Date | None = Field(
        default=None, description="Date the paper was finalised; the PDF's date. Defaults to the meeting date."
    )
    summary: Markdown | None = Field(default=None, description="Summary of the paper (Markdown).")
    sections: list[Section] = Field(min_length=1, description="The numbered sections, in order.")
    recommendations: list[Markdown] = Field(
        default_factory=list, description="Recommendations (or action required) of the panel (Markdown)."
    )
    background_documents: list[BackgroundDocument] = Field(
        default_factory=list, description="Background papers (s100D Local Government Act 1972)."
    )
    impact_assessments: list[ImpactAssessment] = Field(default_factory=list, description="Impact assessments.")
    appendices: list[Appendix] = Field(default_factory=list, description="Appendices, in order.")
    revisions: list[Revision] = Field(
        default_factory=list,
        description="Revisions after publication, oldest first; each one is issued as a new file beside the "
        "published paper (`-rev1`, `-rev2` ...).",
    )
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)

    @field_validator("wards")
    @classmethod
    def _wards_not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("list at least one ward, or `All`")
        return value


class StyleConfig(Record):
    """`templates/<style>/style.yaml`: a house style's description and parent."""

    description: Text = Field(description="One line shown by `reportgen styles`.")
    extends: Slug | None = Field(default="base", description="The style this one builds on; `base` by default.")


# --- the meetings calendar ---------------------------------------------------

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
