"""The proof: layout defects found in the page model, as a proof-reader would mark them.

Two classes. Lost text is always an error (the paper is not written): text
outside the page area, text printed over other text, characters no font has,
text of the paper that is on no page. Break quality is a warning, an error
under --strict: a row or block that starts at a page foot with too little of
itself or ends overleaf with a line, a short one split at all, a continuation
that does not say what it continues, a page nearly empty, text under 9 pt.
The same rules run on a build's layout tree and on any PDF read back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

from reportgen.pdf.pagemodel import Box, Page, Paper, Run, Unit

MIN_START_LINES = 3  # of a split unit's longest cell, on the page where it starts
MIN_CELL_LINES = 2  # of any cell the unit starts there, and of the continuation
SHORT = 1 / 3  # a unit shorter than this share of a page never splits
THIN_PAGE = 0.15  # a page whose text fills less than this share of it
SMALLEST = 9.0  # points
OVERLAP = 0.3  # glyph boxes overlapping by this share of the smaller font size print over each other
EDGE = 0.75  # points a glyph may stray past the page area (rounding, italic overhang)
LEADING = 0.2  # of the font size, above and below a glyph box: a line's share of the page
LABEL_ABOVE, LABEL_BELOW = 64.0, 24.0  # points around a continuation's first line where its label may be

ERROR, WARNING = "error", "warning"
LOST_TEXT = ("outside", "overprint", "missing-glyph", "lost")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    page: int | None  # 1-based
    message: str
    unit: str | None = None
    piece: int | None = None  # which of the unit's pieces the finding is about

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("unit", "piece")}

    def text(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        return f"{where}{self.message} [{self.rule}]"


def prove(paper: Paper) -> list[Finding]:
    """Every defect in the paper, lost text first, then break quality, each in page order."""
    found: list[Finding] = []
    for number, page in enumerate(paper.pages, 1):
        found += _lost_text(number, page)
    found += _missing_from_pages(paper)
    for unit in paper.units:
        found += unit_findings(paper, unit)
    single = len(paper.pages) == 1
    for number, page in enumerate(paper.pages, 1):
        fill = page_fill(page)
        if fill < THIN_PAGE and not single:
            found.append(Finding("thin-page", WARNING, number,
                                 f"the text fills only {fill:.0%} of the page; a page should hold "
                                 f"at least {THIN_PAGE:.0%} (move more onto it or less off the page before)"))
        small = [r for r in page.runs if r.size < SMALLEST - 0.05]
        if small:
            sizes = sorted({round(r.size, 1) for r in small})
            found.append(Finding("small-text", WARNING, number,
                                 f"{len(small)} piece(s) of text at {', '.join(f'{s:g}' for s in sizes)} pt, "
                                 f"e.g. {_quote(small[0].text)}; nothing should be smaller than {SMALLEST:g} pt"))
    return sorted(found, key=lambda f: (f.rule not in LOST_TEXT, f.page or 0))


def errors(findings: list[Finding], strict: bool = False) -> list[Finding]:
    """The findings that fail a build: lost text always, the rest under --strict."""
    return [f for f in findings if f.severity == ERROR or strict]


def _lost_text(number: int, page: Page) -> list[Finding]:
    found = []
    area = page.content
    outside = [r for r in page.runs if not r.artifact and (
        r.x0 < area.x0 - EDGE or r.x1 > area.x1 + EDGE or r.top < area.top - EDGE or r.bottom > area.bottom + EDGE)]
    if outside:
        found.append(Finding("outside", ERROR, number, f"{len(outside)} piece(s) of text outside the page area, "
                                                       f"e.g. {_quote(outside[0].text)}"))
    pairs = overprints(page.runs)
    if pairs:
        a, b = pairs[0]
        found.append(Finding("overprint", ERROR, number, f"text printed over other text ({len(pairs)} place(s)), "
                                                         f"e.g. {_quote(a.text)} over {_quote(b.text)}"))
    if page.missing_glyphs:
        found.append(Finding("missing-glyph", ERROR, number,
                             f"{page.missing_glyphs} character(s) no font has, printed as empty boxes"))
    if page.lost:
        found.append(Finding("lost", ERROR, number, f"text laid out where it cannot be seen (clipped): "
                                                    f"{_quote(' '.join(page.lost))}"))
    return found


def overprints(runs: list[Run]) -> list[tuple[Run, Run]]:
    """Pairs of runs whose glyphs overlap."""
    shown = sorted((r for r in runs if r.text.strip()), key=lambda r: r.top)
    pairs = []
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            if b.top >= a.bottom:
                break
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            down = min(a.bottom, b.bottom) - max(a.top, b.top)
            if across > 1.0 and down > OVERLAP * min(a.size, b.size):
                pairs.append((a, b))
    return pairs


def _missing_from_pages(paper: Paper) -> list[Finding]:
    if paper.source_text is None:
        return []
    shown = Counter(_words(" ".join(r.text for page in paper.pages for r in page.runs)))
    lost = Counter(_words(paper.source_text)) - shown
    if not lost:
        return []
    sample = ", ".join(_quote(w) for w in list(lost)[:5])
    return [Finding("lost", ERROR, None, f"{sum(lost.values())} word(s) of the paper are on no page, e.g. {sample}")]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("\u00ad", "").casefold())


def unit_findings(paper: Paper, unit: Unit) -> list[Finding]:
    """Break-quality findings for one unit."""
    if not unit.split:
        return []
    found = []
    name = describe(unit)
    first, pages = unit.pieces[0], [p.page + 1 for p in unit.pieces]
    if unit.kind in ("row", "block"):
        content = paper.pages[first.page].content.height
        height = unit.height()
        if height < SHORT * content:
            found.append(Finding("short-split", WARNING, pages[0],
                                 f"{name} is split over pages {pages[0]}–{pages[-1]} though it is short "
                                 f"({height / content:.0%} of a page): it should not be split", unit.key, 0))
        weak = weak_start(unit)
        if weak:
            found.append(Finding("weak-start", WARNING, pages[0],
                                 f"{name} starts at the foot of the page with {weak}; it should start with its "
                                 f"title and at least {MIN_START_LINES} lines, or move to the next page", unit.key, 0))
        for index, piece in enumerate(unit.pieces[1:], 1):
            lines = piece.most_lines()
            if lines < MIN_CELL_LINES:
                found.append(Finding("widow", WARNING, pages[index],
                                     f"{name} goes on to this page with only {lines} line(s); a continuation should "
                                     f"carry at least {MIN_CELL_LINES}", unit.key, index))
    for index, piece in enumerate(unit.pieces[1:], 1):
        if not has_label(paper, unit, piece):
            label = f"{unit.title} {paper.continued}".strip()
            found.append(Finding("no-identity", WARNING, pages[index],
                                 f"{name} continues here without saying so (no “{label}” at the top)",
                                 unit.key, index))
    return found


def weak_start(unit: Unit) -> str:
    """What is wrong with the start of a split unit ('' when nothing is)."""
    first = unit.pieces[0]
    columns = unit.columns
    totals = [unit.cell_lines(c) for c in range(columns)]
    on_first = [first.lines(c) if c < len(first.cells) else 0 for c in range(columns)]
    if unit.kind == "row" and totals and totals[0] and not on_first[0]:
        return "none of its title"
    longest = max(range(columns), key=lambda c: totals[c], default=None)
    if longest is not None and on_first[longest] < min(MIN_START_LINES, totals[longest]):
        return f"{on_first[longest]} line(s) of its longest part"
    for c in range(columns):
        if 0 < on_first[c] < min(MIN_CELL_LINES, totals[c]):
            return f"{on_first[c]} line of a part it starts"
    return ""


def has_label(paper: Paper, unit: Unit, piece) -> bool:
    """Whether a continuation shows its unit's title and "(continued)" near its top (as page furniture)."""
    page = paper.pages[piece.page]
    area = piece.extent()
    if area is None or not named_before(unit, piece):
        return True  # nothing of it shows here but its heading row, or its name starts here: nothing to add
    # Across the unit's width on any page: a row's name sits in its first cell, empty here.
    extents = [e for e in (p.extent() for p in unit.pieces) if e is not None]
    x0, x1 = min(e.x0 for e in extents), max(e.x1 for e in extents)
    top = area.top - LABEL_ABOVE
    if not any(not r.artifact and r.bottom <= area.top for r in page.runs):
        top = min(top, page.content.top)  # it opens the page: all above its text is its own (bands, heading rows)
    near = sorted((r for r in page.runs if r.artifact and r.x1 > x0 and r.x0 < x1
                   and top <= r.baseline <= area.top + LABEL_BELOW),
                  key=lambda r: (round(r.baseline), r.x0))
    word = _squash(paper.continued)
    if unit.kind == "table":
        return any(_squash(r.text) == word for r in near)
    text = _squash(" ".join(r.text for r in near))
    return word in text and _squash(unit.title) in text


def named_before(unit: Unit, piece) -> bool:
    """Whether a row's name (its first cell) showed on an earlier page; a block's always did."""
    if unit.kind != "row":
        return True
    earlier = unit.pieces[:unit.pieces.index(piece)]
    return any(p.cells and p.lines(0) for p in earlier)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00a0", " ")).casefold()


def page_fill(page: Page) -> float:
    """The share of the page area's height covered by its text and pictures."""
    # Each line with its share of leading, so a page of text counts as full.
    spans = [(r.top - LEADING * r.size, r.bottom + LEADING * r.size) for r in page.runs
             if not r.artifact and r.text.strip()]
    spans += [(f.top, f.bottom) for f in page.figures]
    covered, end = 0.0, None
    for top, bottom in sorted(spans):
        top = max(top, page.content.top)
        bottom = min(bottom, page.content.bottom)
        if end is None or top > end:
            covered += max(0.0, bottom - top)
            end = bottom
        elif bottom > end:
            covered += bottom - end
            end = bottom
    return covered / page.content.height if page.content.height > 0 else 1.0


def describe(unit: Unit) -> str:
    if unit.kind == "table":
        return "the table"
    if unit.title:
        return unit.title
    return {"row": "a table row", "block": "a block", "group": "a group"}[unit.kind]


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def summary(findings: list[Finding]) -> str:
    counts = Counter(f.rule for f in findings)
    return ", ".join(f"{n} {rule}" for rule, n in sorted(counts.items())) or "no findings"


__all__ = ["Finding", "prove", "errors", "summary", "page_fill", "overprints", "Box"]
