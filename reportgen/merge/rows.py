"""Progress rows as a paper states them: the Government's response as at the record's date, overdue targets, groups.

A paper reports progress "as at" its record's `as_at`, so it must not state
anything the reference records as happening later: later dated updates, a
later change of status, or a response published after that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportgen.inputs.models import (
    GovernmentResponse, Officer, Progress, ProgressEntry, ProgressStatus, Recommendation, Reference, Theme,
)
from reportgen.merge.exempt import Withheld, entry_texts, withheld

SETTLED = (ProgressStatus.COMPLETE, ProgressStatus.NOT_APPLICABLE)


@dataclass(frozen=True)
class ProgressRow:
    """One row of the progress table: a recommendation and both responses."""

    recommendation: Recommendation
    government: GovernmentResponse | None
    entry: ProgressEntry | None
    lead_officer: Officer | None
    overdue: bool = False
    lead_officers: list[Officer] = field(default_factory=list)
    language: str = "en-GB"  # the review's: the recommendation's and the Government's words are in it
    withheld: Withheld | None = None  # in a public version: the exempt entry left out, for its notice


@dataclass(frozen=True)
class RowGroup:
    """Rows printed under one heading: a group the paper declares, or one of the review's themes."""

    title: str
    rows: list[ProgressRow]
    theme: Theme | None = None


def response_as_at(reference: Reference, response: GovernmentResponse, as_at: dt.date) -> GovernmentResponse | None:
    """The response as it stood on `as_at`; None when it was published later."""
    if reference.response_published is not None and reference.response_published > as_at:
        return None
    known = [u for u in response.updates if u.date <= as_at]
    status = response.status
    for update in sorted(known, key=lambda u: u.date):
        status = update.status or status
    return response.model_copy(update={"updates": known, "status": status})


def is_overdue(entry: ProgressEntry | None, as_at: dt.date) -> bool:
    """A target date passed by `as_at` on an entry that is neither complete nor not applicable."""
    return (entry is not None and entry.target_date is not None and entry.target_date < as_at
            and entry.status not in SETTLED)


def progress_rows(reference: Reference, progress: Progress, officers: dict[str, Officer],
                  public_for: str | None = None) -> list[ProgressRow]:
    """One row per recommendation of the review, in the review's order, as at the record's date.

    With `public_for` (the council's nation), a row whose entry is exempt has no entry, only its notice.
    """
    rows = []
    for rec in reference.recommendations:
        entry = progress.entries.get(rec.id)
        if public_for and entry is not None and entry.exempt:
            notice = withheld("response", rec.number, entry.exempt, public_for, entry_texts(entry))
            rows.append(ProgressRow(rec, response_as_at(reference, rec.government_response, progress.as_at),
                                    None, None, withheld=notice))
            continue
        leads = [officers[o] for o in entry.leads if o in officers] if entry else []
        government = response_as_at(reference, rec.government_response, progress.as_at)
        rows.append(ProgressRow(rec, government, entry, leads[0] if leads else None,
                                is_overdue(entry, progress.as_at), leads, reference.language))
    return rows


def themed(reference: Reference, rows: list[ProgressRow]) -> list[RowGroup]:
    """The rows under the review's own themes, in the review's order; empty themes left out."""
    groups = [RowGroup(t.title, [r for r in rows if r.recommendation.theme == t.id], t) for t in reference.themes]
    return [g for g in groups if g.rows]
