"""What changed between two progress records of one review, recommendation by recommendation.

Pure functions of the review and the two records: the paper's `changes`
block and `reportgen diff` both use them, so they always agree.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from reportgen.inputs.models import (
    Progress, ProgressEntry, ProgressStatus, Recommendation, Reference, ResponseStatus, ResponseUpdate,
)
from reportgen.merge.rows import response_as_at

PHRASE_WORDS = 12  # a quoted phrase longer than this is cut, with an ellipsis
PHRASES = 3  # at most this many changed places are quoted
REWRITTEN = 0.4  # below this share of words kept, a response is "rewritten", not itemised


@dataclass(frozen=True)
class Edit:
    """One place where the words changed: `before` replaced by `after`; either is empty for a plain addition or removal."""

    before: str
    after: str


@dataclass(frozen=True)
class WordChange:
    """A readable word-level summary of how a response's text changed."""

    edits: list[Edit]  # the first few, in reading order
    more: int  # places changed beyond those quoted
    words_before: int
    words_after: int
    rewritten: bool


@dataclass(frozen=True)
class RecommendationChange:
    """How one recommendation moved between the two records."""

    recommendation: Recommendation
    before: ProgressEntry | None
    after: ProgressEntry | None
    response: str  # "added", "changed", "unchanged", "removed" or "none"
    words: WordChange | None = None
    government_updates: list[ResponseUpdate] = field(default_factory=list)
    government_before: ResponseStatus | None = None
    government_after: ResponseStatus | None = None

    @property
    def status_before(self) -> ProgressStatus | None:
        return self.before.status if self.before else None

    @property
    def status_after(self) -> ProgressStatus | None:
        return self.after.status if self.after else None

    @property
    def status_changed(self) -> bool:
        return self.before is not None and self.after is not None and self.status_before != self.status_after

    @property
    def target(self) -> str | None:
        """"new", "moved" or "removed" when the target date changed; None when it did not."""
        old = self.before.target_date if self.before else None
        new = self.after.target_date if self.after else None
        if old == new:
            return None
        return "new" if old is None else ("removed" if new is None else "moved")

    @property
    def timeline_changed(self) -> bool:
        return bool(self.before and self.after and self.before.timeline != self.after.timeline)

    @property
    def leads_changed(self) -> bool:
        return bool(self.before and self.after and self.before.leads != self.after.leads)

    @property
    def government_status_changed(self) -> bool:
        return self.government_before != self.government_after

    @property
    def changed(self) -> bool:
        """Anything at all to report for this recommendation."""
        return (self.response not in ("unchanged", "none") or self.status_changed or self.target is not None
                or self.timeline_changed or self.leads_changed or bool(self.government_updates)
                or self.government_status_changed)


def word_change(before: str, after: str) -> WordChange:
    """Where the words changed; whitespace and line breaks do not count as changes."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    edits = [Edit(_phrase(old[i1:i2]), _phrase(new[j1:j2]))
             for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    kept = sum(block.size for block in matcher.get_matching_blocks())
    rewritten = kept < REWRITTEN * max(len(old), len(new), 1)
    return WordChange(edits[:PHRASES], max(len(edits) - PHRASES, 0), len(old), len(new), rewritten)


def _phrase(words: list[str]) -> str:
    return " ".join(words) if len(words) <= PHRASE_WORDS else " ".join(words[:PHRASE_WORDS]) + " …"


def _same_text(a: str, b: str) -> bool:
    return a.split() == b.split()


def recommendation_change(reference: Reference, rec: Recommendation, old: Progress, new: Progress) -> RecommendationChange:
    before, after = old.entries.get(rec.id), new.entries.get(rec.id)
    words = None
    if before is None and after is None:
        response = "none"
    elif before is None:
        response = "added"
    elif after is None:
        response = "removed"
    elif _same_text(before.response, after.response):
        response = "unchanged"
    else:
        response, words = "changed", word_change(before.response, after.response)
    then = response_as_at(reference, rec.government_response, old.as_at)
    now = response_as_at(reference, rec.government_response, new.as_at)
    updates = [u for u in (now.updates if now else []) if u.date > old.as_at]
    return RecommendationChange(rec, before, after, response, words, updates,
                                then.status if then else None, now.status if now else None)


def changes(reference: Reference, old: Progress, new: Progress, omit: tuple[str, ...] = ()) -> list[RecommendationChange]:
    """One change per recommendation of the review, in the review's order (`omit` left out)."""
    return [recommendation_change(reference, rec, old, new) for rec in reference.recommendations if rec.id not in omit]
