"""The records of the monthly cycle in papers: what changed, status summaries, and RAG ratings."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field

from reportgen.inputs.fields import RecommendationId, Record, Slug, Text


class Rag(str, Enum):
    """A red/amber/green rating a council gives a progress status."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class ChangesBlock(Record):
    """What changed between two progress records: statuses, responses, targets, the Government's updates."""

    type: Literal["changes"] = Field(description="`changes`.")
    title: Text | None = Field(default=None, description=(
        "Heading; by default \"Changes since the panel's meeting on <date>\" (the meeting the earlier record "
        "went to)."))
    from_: Slug = Field(alias="from", description="The earlier progress record (a file name under `progress/`).")
    progress: Slug = Field(description="The current progress record, as at a later date.")


class SummaryBlock(Record):
    """Counts per progress status and per Government response status, overdue targets, and a bar chart."""

    type: Literal["summary"] = Field(description="`summary`.")
    title: Text | None = Field(default=None, description="Heading; by default \"Status summary\".")
    progress: Slug = Field(description="The progress record counted.")
    omit: list[RecommendationId] = Field(default_factory=list, description=(
        "Recommendation ids left out of the counts, as the paper's progress table leaves them out."))


Block = Annotated[ChangesBlock | SummaryBlock, Field(discriminator="type")]

BLOCKS_DESCRIPTION = ("Content reportgen computes, after the section's text: `type: changes` (what changed between "
                      "two progress records) or `type: summary` (counts per status, with a chart).")
