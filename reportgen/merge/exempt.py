"""The public view of a paper with exempt parts: what is withheld, the notices in its place, and the records without it.

A part marked `exempt:` is left out of the view the public template
receives: the template gets a `Withheld` in its place (the kind of part, its
number and the paragraph of Schedule 12A), which it words as a notice. Each
`Withheld` also carries the part's own text and images, so the leak check
(reportgen/pdf/leak.py) can prove none of it reached a public file.
Anything computed from progress records for a public version (rows, the
changes block, the status summary) is computed from the records with their
exempt entries taken out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.inputs.exempt import Exempt, paragraph_problem, schedule_part
from reportgen.inputs.models import ListAppendix, Progress, ProgressEntry, Section, TextAppendix

KINDS = ("section", "appendix", "figure", "response", "attachment")  # label `withheld_<kind>` names each


@dataclass(frozen=True)
class Withheld:
    """One exempt part: where it was, under which paragraph, and what it held (for the leak check)."""

    kind: str  # one of KINDS
    number: str  # the section's or appendix's number, the recommendation's, the agenda item's
    paragraph: int
    part: int  # the Part of Schedule 12A
    texts: tuple[str, ...] = ()  # the part's own words (Markdown or plain), never printed in public
    images: tuple[Path, ...] = ()  # its image files

    @property
    def label(self) -> str:
        """The label that names the part in its notice, e.g. `withheld_appendix` ("Appendix {number}")."""
        return f"withheld_{self.kind}"


def withheld(kind: str, number: object, exempt: Exempt, nation: str, texts=(), images=()) -> Withheld:
    return Withheld(kind, str(number), exempt.paragraph, schedule_part(nation), tuple(t for t in texts if t),
                    tuple(images))


def nation_problems(paper_or_record, nation: str) -> list[tuple[str, tuple]]:
    """(message, key path) for every `exempt:` paragraph in a paper or progress record that `nation` cannot use."""
    found = []
    for path, exempt in _markings(paper_or_record):
        problem = paragraph_problem(exempt, nation)
        if problem:
            found.append((problem, path + ("exempt", "paragraph")))
    return found


def _markings(record) -> list[tuple[tuple, Exempt]]:
    if isinstance(record, Progress):
        return [(("entries", rec_id), e.exempt) for rec_id, e in record.entries.items() if e.exempt]
    marks = []
    for i, section in enumerate(record.sections):
        if section.exempt:
            marks.append((("sections", i), section.exempt))
        marks += [(("sections", i, "figures", j), f.exempt) for j, f in enumerate(section.figures) if f.exempt]
    marks += [(("appendices", i), a.exempt) for i, a in enumerate(record.appendices) if getattr(a, "exempt", None)]
    return marks


def has_exempt(paper, records: list[Progress]) -> bool:
    """Whether a paper (or a progress record it prints) marks anything exempt: then it has two versions."""
    return bool(_markings(paper)) or any(exempt_ids(r) for r in records)


def section_texts(section: Section) -> list[str]:
    return [section.title, section.body, *section.paragraphs,
            *(t for f in section.figures for t in (f.alt, f.caption))]


def appendix_texts(appendix) -> list[str]:
    """An appendix's own words. Progress and recommendations appendices print shared records, which other,
    public parts may print too, so only their titles are theirs alone."""
    texts = [appendix.title]
    if isinstance(appendix, ListAppendix):
        texts += [appendix.intro, *appendix.items]
    elif isinstance(appendix, TextAppendix):
        texts.append(appendix.body)
    return texts


def entry_texts(entry: ProgressEntry) -> list[str]:
    return [entry.response, entry.timeline]


def exempt_ids(progress: Progress) -> set[str]:
    """The recommendations whose progress entry is exempt."""
    return {rec_id for rec_id, entry in progress.entries.items() if entry.exempt}


def public_record(progress: Progress, also: set[str] = frozenset()) -> Progress:
    """The record as the public may see it: without its exempt entries (and those of `also`)."""
    hidden = exempt_ids(progress) | set(also)
    if not hidden:
        return progress
    return progress.model_copy(update={"entries": {k: v for k, v in progress.entries.items() if k not in hidden}})
