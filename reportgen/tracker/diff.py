"""`reportgen diff`: what changed between two progress records, as lines an officer reads, in the papers' wording."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.errors import InputError, did_you_mean, error, one_of
from reportgen.inputs.project import Project
from reportgen.inputs.records import read_council, read_references
from reportgen.merge.changes import RecommendationChange, changes
from reportgen.tracker.sheet import council_labels


@dataclass(frozen=True)
class Diff:
    old: str
    new: str
    changes: list[RecommendationChange]
    lines: list[str]

    def as_dict(self) -> dict:
        return {"from": self.old, "to": self.new, "recommendations": [
            {"id": c.recommendation.id, "changed": c.changed, "status_before": _value(c.status_before),
             "status_after": _value(c.status_after), "response": c.response, "target": c.target,
             "edits": [{"before": e.before, "after": e.after} for e in (c.words.edits if c.words else [])],
             "government_updates": [{"date": u.date.isoformat(), "text": u.text} for u in c.government_updates]}
            for c in self.changes]}


def _value(status) -> str | None:
    return status.value if status else None


def diff_records(project: Project, council: str, old: str, new: str) -> Diff:
    """The changes from record `old` to record `new` of one council; InputError when they cannot be compared."""
    slug, = project.select([council])
    records, problems = read_council(project, slug)
    if records is None:
        raise InputError(problems)
    missing = [n for n in (old, new) if n not in records.progress]
    if missing:
        raise InputError([error(f"no progress record '{n}' in {slug}/progress/{did_you_mean(n, records.progress)}; "
                                f"records: {one_of(records.progress)}") for n in missing])
    before, after = records.progress[old].model, records.progress[new].model
    if before.reference != after.reference:
        raise InputError([error(f"'{old}' reports on '{before.reference}' and '{new}' on '{after.reference}': "
                                "compare two records of one review")])
    if before.as_at >= after.as_at:
        raise InputError([error(f"'{old}' is as at {before.as_at}, not before '{new}' as at {after.as_at}: "
                                "--from is the earlier record (swap them?)")])
    references, _ = read_references(project)
    if before.reference not in references:
        raise InputError([error(f"no review '{before.reference}' in councils/_reference/")])
    reference = references[before.reference].model
    found = changes(reference, before, after)
    return Diff(old, new, found, _lines(found, council_labels(project, records, reference.short_title)))


def _lines(found: list[RecommendationChange], label) -> list[str]:
    lines = []
    for change in [c for c in found if c.changed]:
        rec = change.recommendation
        lines.append(f"{rec.id} ({rec.number}. {rec.title})")
        if change.status_changed:
            lines.append(f"  {label('status')}: {label(change.status_before)} → {label(change.status_after)}")
        if change.response in ("added", "removed"):
            lines.append(f"  {label('response_' + change.response)}")
        if change.response == "changed":
            words = change.words
            said = [f"“{e.before}” → “{e.after}”" if e.before and e.after else
                    (f"{label('words_added')} “{e.after}”" if e.after else f"{label('words_removed')} “{e.before}”")
                    for e in words.edits] + ([f"+{words.more} {label('more_changes')}"] if words.more else [])
            detail = f"{label('rewritten')} ({words.words_after} {label('words')})" if words.rewritten else "; ".join(said)
            lines.append(f"  {label('response_changed')}: {detail}")
        if change.target:
            dates = [d.target_date.isoformat() for d in (change.before, change.after) if d and d.target_date]
            lines.append(f"  {label('target_' + change.target)}: {' → '.join(dates)}")
        if change.timeline_changed:
            lines.append(f"  {label('timeline_now')}: {change.after.timeline or '–'}")
        if change.leads_changed:
            lines.append(f"  {label('leads_now')}: {', '.join(change.after.leads) or '–'}")
        if change.government_status_changed and change.government_after:
            lines.append(f"  {label('government_now')}: {label(change.government_after)}")
        lines += [f"  {label('government_update')}, {u.date.isoformat()}: {u.text.strip()}"
                  for u in change.government_updates]
    unchanged = [c.recommendation.id for c in found if not c.changed]
    if unchanged:
        lines.append(f"{label('no_change')}: {', '.join(unchanged)}")
    return lines
