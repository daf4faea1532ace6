"""The typed records an officer writes, documented field by field.

These models are the schema: validation messages, the template variable
reference in docs/ and the starter files all come from them. Every model
refuses unknown keys (typos are errors); fields a model does not know belong
under `extra:`, where templates can read them.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator  # noqa: F401

from reportgen import confine
from reportgen.inputs.fields import (  # noqa: F401 - the base types are part of the schema's vocabulary
    BILINGUAL, EXTRA_DESCRIPTION, MARKDOWN, Date, Extra, Markdown, RecommendationId, Record, Slug, Text,
)
from reportgen.inputs.exempt import EXEMPT_DESCRIPTION, Exempt
from reportgen.inputs.labels import LABELS_DESCRIPTION, Labels
from reportgen.inputs.tracking import BLOCKS_DESCRIPTION, Block, ChangesBlock, Rag, SummaryBlock


# --- the council ---------------------------------------------------------


# The council's progress statuses: progress entries take one, council.yaml's `rag:` rates them.
class ProgressStatus(str, Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    ONGOING = "ongoing"
    COMPLETE = "complete"
    NOT_APPLICABLE = "not applicable"

    @property
    def label(self) -> str:
        return self.value[0].upper() + self.value[1:]


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
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)

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
    bilingual: Literal["separate", "parallel"] | None = Field(default=None, description=(
        "Every paper in Welsh and in English, text given as `{cy: ..., en: ...}` (docs/welsh.md): `separate`, as "
        "two papers, `<name>-cy` and `<name>-en`, each naming the other; `parallel`, as one paper with the two "
        "side by side (block by block inside table cells). `language` is the one printed first."))
    committees: list[Committee] = Field(min_length=1, description="Committees that receive papers.")
    officers: list[Officer] = Field(default_factory=list, description="Officers named on papers.")
    logo: Image | None = Field(default=None, description="The council's logo, for styles that print one.")
    labels: Labels = Field(default_factory=dict, description=LABELS_DESCRIPTION + " Wins over the style's.")
    rag: dict[ProgressStatus, Rag] = Field(default_factory=dict, description=(
        "The council's red/amber/green rating of each progress status, e.g. `complete: green`, `not started: "
        "red`; status badges and the summary chart take its colours. Statuses left out are not rated."))
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

    date: Date = Field(description="When this happened (YYYY-MM-DD); a paper as at an earlier date leaves it out.")
    text: Markdown = Field(description="What happened (Markdown).")
    status: ResponseStatus | None = Field(
        default=None, description="The response's status from this date on, when this update changed it."
    )


class GovernmentResponse(Record):
    """The Government's published response to one recommendation."""

    status: ResponseStatus = Field(
        description="`accepted`, `accepted in principle`, `further consideration` or `rejected`, as first "
                    "published; a later change is an update with its own `status`."
    )
    summary: Markdown = Field(description="What the Government said it would do (Markdown).")
    timescale: Text | None = Field(
        default=None, description="When the Government said it would act, as printed, e.g. \"By the end of 2012\"."
    )
    updates: list[ResponseUpdate] = Field(default_factory=list, description="Later developments, oldest first.")


class Theme(Record):
    """A group of recommendations, e.g. a chapter of the review."""

    id: Slug = Field(description="Short identifier used by recommendations.")
    title: Text = Field(description="Heading as printed.")


class Recommendation(Record):
    """One recommendation of the review."""

    id: RecommendationId = Field(
        description="Identifier used by progress entries, e.g. `R1`."
    )
    number: int = Field(ge=1, description="Number as printed, e.g. 1.")
    title: Text = Field(description="One-line summary used in tables.")
    text: Markdown = Field(description="Full text of the recommendation (Markdown).")
    theme: Slug = Field(description="The `themes` entry this recommendation belongs to.")
    rationale: Markdown | None = Field(
        default=None, description="The review's own reasoning for the recommendation (Markdown), e.g. its argument."
    )
    government_response: GovernmentResponse = Field(description="The Government's response.")
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class Reference(Record):
    """`councils/_reference/<id>.yaml`: a national review shared by every council."""

    title: Text = Field(description="Title of the review, e.g. \"The Munro Review of Child Protection\".")
    short_title: Text = Field(description="Short name used in headings, e.g. \"Munro\".")
    published: Date = Field(description="Date the review was published.")
    response_published: Date | None = Field(default=None, description="Date of the Government's response.")
    themes: list[Theme] = Field(min_length=1, description="Groups of recommendations, in order.")
    recommendations: list[Recommendation] = Field(min_length=1, description="Every recommendation, in order.")
    language: Literal["en-GB", "cy"] = Field(default="en-GB", description=(
        "Language the review and the Government's response are written in; a paper in another language "
        "marks the text it quotes from them with it (for screen readers)."))


# --- progress against the review -----------------------------------------


TIMELINE_LIMIT = 1000


class ProgressEntry(Record):
    """The council's progress on one recommendation."""

    response: Markdown = Field(description="The council's response and progress (Markdown).")
    timeline: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), BILINGUAL] | None = Field(
        default=None,
        description=f"Timeline as printed, e.g. \"By December 2012\"; at most {TIMELINE_LIMIT} characters "
                    "(the detail belongs in `response`).",
    )
    target_date: Date | None = Field(
        default=None, description="Target date, when there is one (YYYY-MM-DD); marked overdue once it has passed."
    )
    lead_officer: Slug | None = Field(default=None, description="Officer id from council.yaml (one lead).")
    lead_officers: list[Slug] = Field(
        default_factory=list, description="Officer ids from council.yaml, for joint leads, printed in this order."
    )
    status: ProgressStatus = Field(
        default=ProgressStatus.IN_PROGRESS,
        description="`not started`, `in progress`, `ongoing`, `complete` or `not applicable`.",
    )
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)

    @field_validator("timeline")
    @classmethod
    def _timeline_fits_its_cell(cls, value: str | None) -> str | None:
        if value is not None and len(value) > TIMELINE_LIMIT:
            raise ValueError(f"the timeline is {len(value)} characters; at most {TIMELINE_LIMIT} fit its column: "
                             "keep dates and milestones here and put the detail in `response`")
        return value

    @model_validator(mode="after")
    def _one_way_to_name_leads(self) -> ProgressEntry:
        if self.lead_officer and self.lead_officers:
            raise ValueError("give either `lead_officer: id` (one lead) or `lead_officers: [id, ...]`, not both")
        return self

    @property
    def leads(self) -> list[str]:
        """Officer ids of the leads, in order, whichever form was used."""
        return [self.lead_officer] if self.lead_officer else list(self.lead_officers)


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
    blocks: list[Block] = Field(default_factory=list, description=BLOCKS_DESCRIPTION)
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)
    extra: Extra = Field(default_factory=dict, description=EXTRA_DESCRIPTION)


class Group(Record):
    """Recommendations a paper prints together under a heading of its own."""

    title: Text = Field(description="Heading as printed, e.g. \"Theme 1: Valuing professional expertise\".")
    recommendations: list[RecommendationId] = Field(
        min_length=1, description="Recommendation ids of the review, in the order to print them."
    )


class GroupedRows(Record):
    """What progress appendices and matrix bodies share: the record, and how its rows are grouped."""

    progress: Slug = Field(description="A progress record: a file name under `progress/`, without `.yaml`.")
    groups: list[Group] = Field(default_factory=list, description=(
        "The paper's own groups, in the order to print; each recommendation in at most one. Without `groups:`, "
        "the review's own themes and order."))
    omit: list[RecommendationId] = Field(default_factory=list, description=(
        "Recommendation ids deliberately left out; any other one missing from every group is a warning."))


class ProgressAppendix(GroupedRows):
    """The Recommendation / Government response / council response / Timeline table."""

    type: Literal["progress"] = Field(description="`progress`.")
    title: Text = Field(description="Appendix title, without \"Appendix N\".")
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)


class RecommendationsAppendix(Record):
    """The full text of the review's recommendations, grouped by theme."""

    type: Literal["recommendations"] = Field(description="`recommendations`.")
    title: Text = Field(description="Appendix title.")
    reference: Slug = Field(description="The review: a file name under `councils/_reference/`.")
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)


class ListAppendix(Record):
    """A numbered list, e.g. performance measures."""

    type: Literal["list"] = Field(description="`list`.")
    title: Text = Field(description="Appendix title.")
    intro: Markdown | None = Field(default=None, description="Text before the list (Markdown).")
    items: list[Markdown] = Field(min_length=1, description="The items (Markdown).")
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)


class TextAppendix(Record):
    """Free text."""

    type: Literal["text"] = Field(description="`text`.")
    title: Text = Field(description="Appendix title.")
    body: Markdown = Field(description="The text (Markdown).")
    exempt: Exempt | None = Field(default=None, description=EXEMPT_DESCRIPTION)


Appendix = Annotated[
    ProgressAppendix | RecommendationsAppendix | ListAppendix | TextAppendix | ChangesBlock | SummaryBlock,
    Field(discriminator="type"),
]


class MatrixPart(str, Enum):
    RECOMMENDATION = "recommendation"
    RATIONALE = "rationale"
    GOVERNMENT_RESPONSE = "government_response"
    TIMESCALE = "timescale"
    COUNCIL_RESPONSE = "council_response"
    TIMELINE = "timeline"
    LEAD_OFFICERS = "lead_officers"
    STATUS = "status"


class MatrixBody(GroupedRows):
    """The paper's main content as a response matrix: the listed parts of every recommendation, by group."""

    type: Literal["matrix"] = Field(description="`matrix`.")
    parts: list[MatrixPart] = Field(
        default_factory=lambda: [MatrixPart.RECOMMENDATION, MatrixPart.RATIONALE, MatrixPart.GOVERNMENT_RESPONSE,
                                 MatrixPart.TIMESCALE, MatrixPart.COUNCIL_RESPONSE, MatrixPart.LEAD_OFFICERS],
        min_length=1,
        description="What to show for each recommendation, in order: `recommendation`, `rationale` (the review's "
                    "reasoning), `government_response`, `timescale` (the Government's), `council_response`, "
                    "`timeline`, `lead_officers`, `status` (the council's progress status).",
    )

    @field_validator("parts")
    @classmethod
    def _each_part_once(cls, value: list[MatrixPart]) -> list[MatrixPart]:
        repeated = sorted({p.value for p in value if value.count(p) > 1})
        if repeated:
            raise ValueError(f"list each part once; repeated: {', '.join(repeated)}")
        return value


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
    meeting: Meeting | None = Field(
        default=None, description="Where and when the paper is considered; leave out for a paper that goes to no "
                                  "particular meeting (then `prepared` is required and no committee is printed)."
    )
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
        default=None, description="Date the paper was finalised; the PDF's date. Defaults to the meeting date; "
                                  "required when there is no `meeting`."
    )
    summary: Markdown | None = Field(default=None, description="Summary of the paper (Markdown).")
    sections: list[Section] = Field(
        default_factory=list,
        description="The numbered sections, in order; may be left out when the paper has appendices or a `body`.",
    )
    body: MatrixBody | None = Field(
        default=None, description="A main content built from a progress record (`type: matrix`), after the sections."
    )
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

    @model_validator(mode="after")
    def _dated_and_not_empty(self) -> Paper:
        if self.meeting is None and self.prepared is None:
            raise ValueError("a paper with no `meeting:` needs `prepared:` (YYYY-MM-DD), the date printed on it "
                             "and in its file name")
        if not (self.sections or self.appendices or self.body):
            raise ValueError("the paper has no content: give `sections:`, `appendices:` or a `body:`")
        return self

    @property
    def issue_date(self) -> dt.date:
        """The paper's date: `prepared`, or the meeting date."""
        return self.prepared or self.meeting.date
