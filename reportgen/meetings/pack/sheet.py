"""The agenda pack's front sheet: what `pack.html` sees, rendered until the pages it lists allow for its own length."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from reportgen import __version__
from reportgen.errors import BuildError
from reportgen.inputs.exempt import schedule_part
from reportgen.inputs.labels import LabelLookup
from reportgen.inputs.meetings import CommitteeMeeting
from reportgen.inputs.models import Committee, Council
from reportgen.merge.exempt import Withheld
from reportgen.meetings.pack.plan import PackPlan
from reportgen.pipeline.produce import render_repaired
from reportgen.render.html import render_template

PACK_TEMPLATE = "pack.html"
MAX_FRONT_SHEET_PASSES = 4


@dataclass(frozen=True)
class AgendaAttachment:
    """An attachment as listed on the front sheet."""

    title: str
    page: int  # the pack page it starts on


@dataclass(frozen=True)
class AgendaEntry:
    """One agenda item as listed on the front sheet."""

    number: str
    title: str
    page: int | None  # the pack page where the item's paper (or first attachment) starts; None: nothing in the pack
    paper_title: str | None  # the paper's own title, when it has one
    attachments: list[AgendaAttachment]
    late_reason: str | None = None  # in a supplement: why the item missed the published pack
    exempt: tuple[int, ...] = ()  # paragraphs of Schedule 12A of the item's exempt parts
    withheld: tuple[Withheld, ...] = ()  # the public pack: the item's exempt attachments, left out


@dataclass(frozen=True)
class Placed:
    """A paper or attachment as the front sheet needs it: its item, and how many pages it takes."""

    item: int  # index into plan.items
    kind: str  # "paper" or "attachment"
    title: str
    pages: int


PACK_CONTEXT_VARIABLES: dict[str, tuple[object, str]] = {
    "title": (str, "The pack's title, \"Agenda pack: <committee>, <date>\"; the PDF's title."),
    "council": (Council, "The council, from `council.yaml`."),
    "committee": (Committee, "The committee that meets."),
    "meeting": (CommitteeMeeting, "The meeting from `meetings.yaml`: `date`, `venue`, `items` ..."),
    "time": (str, "The start time as printed, e.g. `18:30`."),
    "items": (list[AgendaEntry], "The agenda items in order: `number`, `title`, `page` (none when the item "
                                 "has nothing in the pack), `paper_title`, `attachments` (`title`, `page`), "
                                 "`late_reason` (in a supplement: why the item is late)."),
    "supplement": (int, "0 for the agenda pack; N for Supplement N, which holds only the late items."),
    "version": (str, "`full` when no item is exempt; else `public` (exempt attachments left out, listed by "
                     "`items[].withheld`) or `exempt` (every item, those with `items[].exempt` paragraphs last)."),
    "label": (Callable[[str], str], "Printed wording, as in papers: the council's `labels:`, the style's, base's."),
    "schedule_part": (int, "The Part of Schedule 12A for the council's nation: 1 (England) or 4 (Wales)."),
    "prepared": (dt.date, "The pack's date: the latest `prepared` date of its papers, or the meeting date."),
    "language": (str, "The council's language (`en-GB`, `cy`): `_()` and the date filters print in it."),
    "style": (str, "The house style's name."),
    "stylesheets": (list[str], "URLs of the PDF's stylesheets in cascade order, base, style(s), council: "
                               "each layer's `style.css`, then its `print.css`."),
    "generator": (str, "`reportgen <version>`, for the PDF's metadata."),
}


def entries(plan: PackPlan, placed: list[Placed], front_pages: int, version: str = "full") -> list[AgendaEntry]:
    """The agenda items with the pack pages they start on, the front sheet taking `front_pages`; in the
    exempt pack the exempt ("Part B") items last, as the pack holds them."""
    starts: dict[int, int] = {}
    attachments: dict[int, list[AgendaAttachment]] = {}
    page = front_pages + 1
    for part in placed:
        starts.setdefault(part.item, page)
        if part.kind == "attachment":
            attachments.setdefault(part.item, []).append(AgendaAttachment(part.title, page))
        page += part.pages
    return [AgendaEntry(item.number, item.title, starts.get(i), item.paper_title, attachments.get(i, []),
                        item.late_reason, item.exempt, item.withheld if version == "public" else ())
            for i, item in ordered(plan, version)]


def ordered(plan: PackPlan, version: str) -> list[tuple[int, object]]:
    """(index, item) in the order the pack holds them: agenda order; the exempt pack's exempt items last."""
    items = list(enumerate(plan.items))
    return sorted(items, key=lambda pair: bool(pair[1].exempt)) if version == "exempt" else items


def pack_context(plan: PackPlan, items: list[AgendaEntry], version: str = "full") -> dict:
    """The variables pack.html sees (PACK_CONTEXT_VARIABLES)."""
    council = plan.calendar.council
    return {
        "title": plan.title,
        "council": plan.calendar.council,
        "committee": plan.meeting.committee,
        "meeting": plan.meeting.meeting,
        "time": plan.meeting.meeting.time.strftime("%H:%M"),
        "items": items,
        "supplement": plan.supplement,
        "version": version,
        "label": LabelLookup((council.labels, *plan.style.labels), {"council": council.display_short_name}),
        "schedule_part": schedule_part(council.nation.value),
        "prepared": plan.prepared,
        "language": plan.calendar.council.language,
        "style": plan.style.name,
        "stylesheets": [p.as_uri() for p in plan.style.stylesheets],
        "generator": f"reportgen {__version__}",
    }


def render_front_html(plan: PackPlan, items: list[AgendaEntry], version: str = "full") -> str:
    """pack.html rendered; a template problem is a BuildError located in the template, as for papers."""
    return render_template(plan.style, PACK_TEMPLATE, pack_context(plan, items, version),
                           variables_help='docs/meetings.md, "Agenda packs",')


def front_sheet(plan: PackPlan, placed: list[Placed], *, strict: bool = False, version: str = "full") -> bytes:
    """The front sheet as a repaired tagged PDF, rendered until the page numbers it lists allow for its own length."""
    folder = plan.calendar.folder
    front_pages = 1
    for _ in range(MAX_FRONT_SHEET_PASSES):
        html = render_front_html(plan, entries(plan, placed, front_pages, version), version)
        produced = render_repaired(html, base_url=folder, allowed_roots=[*plan.style.asset_roots, folder],
                                   date=plan.prepared, strict=strict, about=" about the front sheet")
        if produced.pages == front_pages:
            return produced.pdf
        front_pages = produced.pages
    raise BuildError("the front sheet's length kept changing with its page numbers; shorten pack.html")
