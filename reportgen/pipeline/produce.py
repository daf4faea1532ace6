"""HTML to a checked PDF: WeasyPrint render -> strict check -> repair -> machine-check gate.

Papers, the agenda pack's front sheet and anything later that turns HTML into
a PDF come through here, so the strict rule, the repairs and the gate's
message are written once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import BuildError
from reportgen.render.breaks import with_break_opportunities


@dataclass(frozen=True)
class Produced:
    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()


def render_repaired(html: str, *, base_url: Path, allowed_roots: list[Path], date: dt.date,
                    strict: bool = False, about: str = "") -> Produced:
    """Render and repair; under --strict any WeasyPrint warning fails it (`about` names what, for the message)."""
    from reportgen.pdf.engine import render_pdf  # here, so validate and --help never load WeasyPrint
    from reportgen.pdf.repair import repair

    rendered = render_pdf(
        with_break_opportunities(html), base_url=base_url, allowed_roots=allowed_roots,
        date_epoch=calendar.timegm(date.timetuple()),
        compressed=False,  # the repair saves it compressed
    )
    if strict and rendered.warnings:
        raise BuildError(f"WeasyPrint warned{about} (--strict): " + "; ".join(rendered.warnings))
    pdf, _ = repair(rendered.pdf)
    return Produced(pdf, rendered.pages, tuple(rendered.warnings))


def require_pass(pdf: bytes, *, what: str = "the PDF", kept: str = "the last good paper") -> None:
    """The gate: a PDF that fails the machine checks is a BuildError saying what was kept instead."""
    from reportgen.pdf.gate import check_pdf

    report = check_pdf(pdf)
    if not report.passed:
        raise BuildError(f"{what} failed its machine checks, so {kept} was kept: {report.findings_text()}")


def produce_pdf(html: str, *, base_url: Path, allowed_roots: list[Path], date: dt.date,
                strict: bool = False) -> Produced:
    """A paper's PDF: rendered, repaired and through the gate."""
    produced = render_repaired(html, base_url=base_url, allowed_roots=allowed_roots, date=date, strict=strict)
    require_pass(produced.pdf)
    return produced
