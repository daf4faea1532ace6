"""`councils/<slug>/tracker.yaml`: how a council's own tracker spreadsheet is laid out, for `reportgen import`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from reportgen.inputs.fields import Record, Slug, Text
from reportgen.inputs.models import ProgressStatus

LAYOUT_FILE = "tracker.yaml"
Heading = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TrackerColumns(Record):
    """The heading of the column that holds each field, as typed in the heading row (letter case aside)."""

    recommendation: Heading = Field(description="The recommendation's id (`R1`) or number (`1`, `Rec 1`).")
    response: Heading = Field(description="The council's response and progress.")
    status: Heading = Field(description="The progress status.")
    timeline: Heading | None = Field(default=None, description="The timeline, as printed.")
    target_date: Heading | None = Field(default=None, description="The target date.")
    lead_officers: Heading | None = Field(default=None, description=(
        "The lead officer(s): names or ids from council.yaml, several separated by `;` or on separate lines."))


class TrackerLayout(Record):
    """A council's own tracker: its sheet, its heading row, which column is which, its words for statuses."""

    reference: Slug = Field(description="The review the tracker reports on: a file name under `councils/_reference/`.")
    sheet: Text | None = Field(default=None, description="The sheet's name; the first sheet by default.")
    header_row: int = Field(default=1, ge=1, le=100, description="The row that holds the column headings.")
    columns: TrackerColumns = Field(description="Which column holds which field, by its heading.")
    statuses: dict[Heading, ProgressStatus] = Field(default_factory=dict, description=(
        "The council's own words for statuses, e.g. `Done: complete`; status names and their labels are always "
        "understood."))

    @field_validator("statuses")
    @classmethod
    def _each_word_once(cls, value: dict[str, ProgressStatus]) -> dict[str, ProgressStatus]:
        lowered = [k.casefold() for k in value]
        repeated = sorted({k for k in lowered if lowered.count(k) > 1})
        if repeated:
            raise ValueError(f"each word once (letter case does not count); repeated: {', '.join(repeated)}")
        return value
