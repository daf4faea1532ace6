"""HTML to a checked PDF: render (with break passes) -> strict check -> repair -> "(continued)" -> gate and proof.

Papers, the agenda pack's front sheet and anything later that turns HTML into
a PDF come through here, so the strict rule, the repairs, the page-break
passes, the proof and the gate's message are written once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import BuildError
from reportgen.render.linebreaks import with_break_opportunities

LABEL_FONT = Path("fonts/LiberationSans-Regular.ttf")  # in the base style: the "(continued)" labels' type
HTML_LANG = re.compile(r"<html[^>]*\slang=\"([^\"]+)\"", re.I)


@dataclass(frozen=True)
class Produced:
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()
    findings: tuple = ()  # the proof's findings (pdf/proof.py)
    passes: int = 0  # layout passes beyond the first
    labels: int = 0  # "(continued)" labels drawn


@dataclass
class _Proofed:
    pdf: bytes
    findings: list = field(default_factory=list)
    labels: int = 0


def render_repaired(html: str, *, base_url: Path, allowed_roots: list[Path], date: dt.date,
                    strict: bool = False, about: str = "", max_passes: int | None = None) -> Produced:
    """Render and repair; under --strict any WeasyPrint warning fails it (`about` names what, for the message).

    The layout is reviewed and laid out again where rows or blocks break badly
    (pdf/breaks.py; `max_passes=0` for one pass only), continuations are
    labelled, and the proof's findings come with the result; `require_proof`
    decides whether they fail it.
    """
    from reportgen.pdf.breaks import BreakPasses
    from reportgen.pdf.engine import render_pdf  # here, so validate and --help never load WeasyPrint

    found = HTML_LANG.search(html[:2000])
    passes = BreakPasses(lang=found.group(1) if found else "en")
    if max_passes is not None:
        passes.max_passes = max_passes
    rendered = render_pdf(
        with_break_opportunities(html), base_url=base_url, allowed_roots=allowed_roots,
        date_epoch=calendar.timegm(date.timetuple()),
        compressed=False,  # the repair saves it compressed
        hooks=passes,
    )
    if strict and rendered.warnings:
        raise BuildError(strict_failure(rendered.warnings, about))
    proofed = _label_and_prove(rendered.pdf, rendered.inspected, _label_font(allowed_roots))
    return Produced(proofed.pdf, rendered.pages, tuple(rendered.warnings), tuple(proofed.findings),
                    passes.passes, proofed.labels)


def _label_and_prove(pdf: bytes, layout, font: Path | None) -> _Proofed:
    from reportgen.pdf import continued, proof
    from reportgen.pdf.repair import repair
    from reportgen.pdf.stamp import draw_marks

    paper = layout.paper
    labels = continued.labels(paper, font) if font is not None else []
    marks = [mark for label in labels for mark in label.marks()]
    pdf = repair(pdf, art_boxes=[(p.content.x0, p.content.top, p.content.x1, p.content.bottom) for p in paper.pages],
                 then=(lambda repaired: draw_marks(repaired, marks, font)) if marks else None)
    for label in labels:
        paper.pages[label.page].runs.extend(label.runs(font))
    return _Proofed(pdf, proof.prove(paper), len(labels))


def _label_font(roots: list[Path]) -> Path | None:
    """The base style's regular font, which the labels are set in (None: no labels, and the proof says so)."""
    return next((root / LABEL_FONT for root in roots if (root / LABEL_FONT).is_file()), None)


STRICT = "WeasyPrint warned"
RECORDED = "it was built with warnings"


def strict_failure(warnings, about: str = "", who: str = STRICT) -> str:
    """What --strict says of warnings: WeasyPrint's at the render, or (`who=RECORDED`) those an unchanged
    paper was built with (WeasyPrint's and the proof's)."""
    return f"{who}{about} (--strict): " + "; ".join(warnings)


def require_pass(pdf: bytes, *, what: str = "the PDF", kept: str = "the last good paper") -> None:
    """The gate: a PDF that fails the machine checks is a BuildError saying what was kept instead."""
    from reportgen.pdf.gate import check_pdf

    report = check_pdf(pdf)
    if not report.passed:
        raise BuildError(f"{what} failed its machine checks, so {kept} was kept: {report.findings_text()}")


def require_proof(produced: Produced, *, strict: bool = False, what: str = "the paper",
                  kept: str = "the last good paper") -> tuple[str, ...]:
    """The proof: lost text (or, under --strict, any finding) is a BuildError; else the findings as warnings."""
    from reportgen.pdf.proof import errors

    failing = errors(list(produced.findings), strict)
    if failing:
        shown = "; ".join(f.text() for f in failing[:5]) + ("; ..." if len(failing) > 5 else "")
        raise BuildError(f"{what} failed its proof{' (--strict)' if strict else ''}, so {kept} was kept: {shown}")
    return tuple(f.text() for f in produced.findings)


def produce_pdf(html: str, *, base_url: Path, allowed_roots: list[Path], date: dt.date,
                strict: bool = False) -> Produced:
    """A paper's PDF: rendered, repaired, labelled, through the proof and the gate."""
    produced = render_repaired(html, base_url=base_url, allowed_roots=allowed_roots, date=date, strict=strict)
    proof_warnings = require_proof(produced, strict=strict)  # first: it says which page and which words
    require_pass(produced.pdf)
    return Produced(produced.pdf, produced.pages, produced.warnings + proof_warnings, produced.findings,
                    produced.passes, produced.labels)
