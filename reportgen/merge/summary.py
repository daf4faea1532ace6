"""A progress record in numbers: recommendations per progress status and per Government response, overdue targets."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.inputs.labels import label_key
from reportgen.inputs.models import ProgressStatus, ResponseStatus
from reportgen.merge.rows import ProgressRow

NO_UPDATE = "no_update"  # label of recommendations with no progress entry
NOT_YET_PUBLISHED = "not_yet_published"  # label of responses published after the record's as_at


@dataclass(frozen=True)
class StatusCount:
    """How many recommendations have one status; `key` is the status's label name, `rag` its council rating."""

    key: str
    count: int
    rag: str | None = None


@dataclass(frozen=True)
class StatusSummary:
    """The counts a summary block prints, in status order; every status is listed, zeros too."""

    total: int
    statuses: list[StatusCount]
    government: list[StatusCount]
    overdue: list[ProgressRow]


def summarise(rows: list[ProgressRow], rag: dict[ProgressStatus, object]) -> StatusSummary:
    """Counts over `rows` (one per recommendation); `rag` is the council's rating of each progress status."""
    def rating(status: ProgressStatus) -> str | None:
        value = rag.get(status)
        return getattr(value, "value", value)

    statuses = [StatusCount(label_key(s), sum(1 for r in rows if r.entry and r.entry.status is s),
                            rating(s)) for s in ProgressStatus]
    missing = sum(1 for r in rows if r.entry is None)
    if missing:
        statuses.append(StatusCount(NO_UPDATE, missing))
    government = [StatusCount(label_key(s),
                              sum(1 for r in rows if r.government and r.government.status is s)) for s in ResponseStatus]
    unpublished = sum(1 for r in rows if r.government is None)
    if unpublished:
        government.append(StatusCount(NOT_YET_PUBLISHED, unpublished))
    return StatusSummary(len(rows), statuses, government, [r for r in rows if r.overdue])
