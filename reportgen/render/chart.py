"""The status summary's bar chart, drawn by reportgen as SVG from the counts: no JavaScript, no screenshot.

The chart is an image with a text alternative (the same numbers as the table
beside it), in the colours the house style's stylesheets set for the
council's RAG ratings (`--rag-*`, contrast-checked in inputs/contrast.py).
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from reportgen.inputs.contrast import chart_colours
from reportgen.merge.summary import StatusSummary

FONT = 12  # px
ROW = 24  # px per bar
BAR = 15  # px bar thickness
BAR_SPACE = 260  # px for the longest bar
CHAR = 0.58  # px per px of font size: a generous average width of Report Sans characters


@dataclass(frozen=True)
class Chart:
    """An SVG chart as a `data:` URL for `<img src>`, with its text alternative and size in CSS px."""

    src: str
    alt: str
    width: int
    height: int


def bar_chart_svg(bars: list[tuple[str, int, str]], text_colour: str, background: str) -> tuple[str, int, int]:
    """(SVG, width, height) of horizontal bars: (label, count, colour) each, a label left and the count after."""
    label_width = int(max((len(label) for label, _, _ in bars), default=0) * FONT * CHAR) + 12
    longest = max((count for _, count, _ in bars), default=0) or 1
    width = label_width + BAR_SPACE + 40
    height = ROW * len(bars) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Report Sans, Liberation Sans, Arial, sans-serif" '
             f'font-size="{FONT}">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="{background}"/>']
    for i, (label, count, colour) in enumerate(bars):
        top = 4 + i * ROW
        middle = top + ROW / 2 + FONT * 0.35
        length = round(BAR_SPACE * count / longest, 1)
        parts.append(f'<text x="{label_width - 8}" y="{middle:g}" text-anchor="end" fill="{text_colour}">'
                     f'{escape(label)}</text>')
        if count:
            parts.append(f'<rect x="{label_width}" y="{top + (ROW - BAR) / 2:g}" width="{length:g}" height="{BAR}" '
                         f'fill="{colour}"/>')
        parts.append(f'<text x="{label_width + length + 6:g}" y="{middle:g}" fill="{text_colour}">{count}</text>')
    parts.append(f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 2}" stroke="{text_colour}" '
                 f'stroke-width="1"/>')
    parts.append("</svg>")
    return "\n".join(parts), width, height


@functools.lru_cache(maxsize=32)
def _colours(stylesheets: tuple[Path, ...]) -> dict[str, str]:
    return chart_colours(list(stylesheets))


def status_chart(stylesheets: list[Path], label: Callable[..., str]) -> Callable[[StatusSummary], Chart]:
    """The template function `status_chart(summary)` for one paper: its labels, its style's colours."""
    colours = _colours(tuple(stylesheets))

    def chart(summary: StatusSummary) -> Chart:
        bars = [(label(item.key).rstrip("."), item.count, colours[f"--rag-{item.rag or 'none'}"]) for item in summary.statuses]
        svg, width, height = bar_chart_svg(bars, colours["text"], colours["background"])
        alt = f"{label('chart')}: " + "; ".join(f"{name}: {count}" for name, count, _ in bars) + "."
        return Chart("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
                     alt, width, height)

    return chart
