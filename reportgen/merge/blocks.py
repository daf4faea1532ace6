"""Blocks reportgen computes for a paper from its progress records: `changes` and `summary`, in sections or appendices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportgen.inputs.models import ChangesBlock, Paper, Progress, Reference, SummaryBlock
from reportgen.inputs.records import CouncilRecords, Loaded
from reportgen.merge.changes import RecommendationChange, changes
from reportgen.merge.exempt import exempt_ids, public_record
from reportgen.merge.rows import progress_rows
from reportgen.merge.summary import StatusSummary, summarise


@dataclass(frozen=True)
class BlockView:
    """A computed block; `type` picks the template `blocks/<type>.html`."""

    type: str
    record: ChangesBlock | SummaryBlock
    reference: Reference
    progress: Progress
    previous: Progress | None = None
    since_meeting: dt.date | None = None
    changes: list[RecommendationChange] = field(default_factory=list)
    summary: StatusSummary | None = None

    @property
    def changed(self) -> list[RecommendationChange]:
        """The recommendations with something to report, in order."""
        return [c for c in self.changes if c.changed]

    @property
    def unchanged(self) -> list[RecommendationChange]:
        return [c for c in self.changes if not c.changed]


def record_names(paper: Paper) -> list[str]:
    """Every progress record a paper's blocks read (sections first, then appendices)."""
    blocks = [b for s in paper.sections for b in s.blocks]
    blocks += [a for a in paper.appendices if isinstance(a, (ChangesBlock, SummaryBlock))]
    names = []
    for block in blocks:
        names += [block.from_, block.progress] if isinstance(block, ChangesBlock) else [block.progress]
    return names


def block_view(merger, loaded: Loaded[Paper], block: ChangesBlock | SummaryBlock, path: tuple,
               checked_progress: dict[str, Reference | None]) -> BlockView | None:
    """The block merged with its records; None (with the problems reported) when it cannot be."""
    current = merger.find_record(loaded, block.progress, path + ("progress",))
    reference = checked_progress.get(block.progress) if current else None
    if reference is None:
        return None
    merger.check_record_date(loaded, block.progress, path + ("progress",))
    if isinstance(block, SummaryBlock):
        omitted = {rec_id for i, rec_id in enumerate(block.omit)
                   if merger.recommendation(loaded, reference, rec_id, path + ("omit", i))}
        if merger.public:  # the public version counts no exempt entry
            omitted |= exempt_ids(current.model)
        officers = {o.id: o for o in merger.records.council.model.officers}
        rows = [r for r in progress_rows(reference, current.model, officers) if r.recommendation.id not in omitted]
        record = public_record(current.model) if merger.public else current.model
        return BlockView("summary", block, reference, record,
                         summary=summarise(rows, merger.records.council.model.rag))
    previous = merger.find_record(loaded, block.from_, path + ("from",))
    if previous is None:
        return None
    if previous.model.reference != current.model.reference:
        merger.problem(loaded, f"'{block.from_}' reports on the review '{previous.model.reference}' and "
                       f"'{block.progress}' on '{current.model.reference}': compare two records of one review",
                       path + ("from",))
        return None
    if previous.model.as_at >= current.model.as_at:
        merger.problem(loaded, f"'{block.from_}' is as at {previous.model.as_at}, not before '{block.progress}' "
                       f"as at {current.model.as_at}: `from` is the earlier record (swap them?)", path + ("from",))
        return None
    since = since_meeting(merger.records, loaded.model, block.from_)
    before, after, hidden = previous.model, current.model, set()
    if merger.public:  # an entry exempt in either record is in neither, nor in the changes listed
        hidden = exempt_ids(before) | exempt_ids(after)
        before, after = public_record(before, hidden), public_record(after, hidden)
    found = [c for c in changes(reference, before, after) if c.recommendation.id not in hidden]
    return BlockView("changes", block, reference, after, previous=before, since_meeting=since, changes=found)


def since_meeting(records: CouncilRecords, paper: Paper, earlier: str) -> dt.date | None:
    """The meeting the earlier record went to: the latest paper using it, else the committee's previous meeting."""
    before = paper.meeting.date if paper.meeting else paper.issue_date
    dates = [p.model.meeting.date for p in records.papers.values()
             if p.model.meeting and p.model.meeting.date < before and earlier in _progress_names(p.model)]
    if dates:
        return max(dates)
    previous = records.meeting_dates(paper.meeting.committee, before=before) if paper.meeting else []
    return previous[-1] if previous else None


def _progress_names(paper: Paper) -> set[str]:
    uses = [a.progress for a in paper.appendices if hasattr(a, "progress")]
    return set(uses + ([paper.body.progress] if paper.body else []) + record_names(paper))
