"""The agenda pack: one tagged PDF with a meeting's front sheet, its papers and their attachments.

    meetings.yaml -> the meeting and its items -> every paper and attachment read and checked  [plan]
      -> each paper built through `build.build` (only when changed) -> front sheet (pack.html)
      -> merged with pikepdf: pages, structure trees, bookmarks, links, page labels
      -> "Pack page N" stamped on every page as a pagination artifact
      -> the machine-check gate (pdfcheck) -> written atomically

The pack is made of the very PDFs `build` publishes, so a paper reads the same
in the pack as on its own. Each paper's structure tree becomes a `Part` of
one `Document`; each keeps its own bookmarks under one for its agenda item.

An attachment that is not a tagged PDF is still put in (officers often get
partners' reports only as scans), with a warning: screen readers cannot read
it, so the pack then makes no PDF/UA claim and fails the checks. The gate is
then run on the pack without such attachments, so every other problem still
stops the pack.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import io
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path


from reportgen import __version__
from reportgen.errors import BuildError, Diagnostic, InputError, did_you_mean, display_path, error, one_of
from reportgen.meetings.calendar import CouncilCalendar, ScheduledMeeting, read_calendar
from reportgen.inputs.meetings import CommitteeMeeting
from reportgen.inputs.models import Committee, Council
from reportgen.pipeline.output import build_lock, describe_write_error, write_atomic
from reportgen.inputs.project import Project
from reportgen.pipeline.produce import render_repaired, require_pass
from reportgen.render.html import long_date, render_template
from reportgen.inputs.styles import Style
from reportgen.pdf.structtree import is_element, kids, walk

PACK_TEMPLATE = "pack.html"
PACK_NAME = "agenda-pack"
STAMP_FONT = Path("base/fonts/LiberationSans-Regular.ttf")  # under templates/
MAX_FRONT_SHEET_PASSES = 4


# --- what the front sheet template sees ---------------------------------------------


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


PACK_CONTEXT_VARIABLES: dict[str, tuple[object, str]] = {
    "title": (str, "The pack's title, \"Agenda pack: <committee>, <date>\"; the PDF's title."),
    "council": (Council, "The council, from `council.yaml`."),
    "committee": (Committee, "The committee that meets."),
    "meeting": (CommitteeMeeting, "The meeting from `meetings.yaml`: `date`, `venue`, `items` ..."),
    "time": (str, "The start time as printed, e.g. `18:30`."),
    "items": (list[AgendaEntry], "The agenda items in order: `number`, `title`, `page` (none when the item "
                                 "has nothing in the pack), `paper_title`, `attachments` (`title`, `page`)."),
    "prepared": (dt.date, "The pack's date: the latest `prepared` date of its papers, or the meeting date."),
    "style": (str, "The house style's name."),
    "stylesheets": (list[str], "URLs of the stylesheets in cascade order: base, style(s), council."),
    "generator": (str, "`reportgen <version>`, for the PDF's metadata."),
}


# --- the plan: everything read and checked before anything is written --------------


@dataclass(frozen=True)
class PackAttachment:
    title: str
    path: Path
    data: bytes
    tagged: bool


@dataclass(frozen=True)
class PackItem:
    number: str
    title: str
    paper: str | None  # paper id
    paper_title: str | None
    attachments: tuple[PackAttachment, ...]


@dataclass(frozen=True)
class PackPlan:
    project: Project
    calendar: CouncilCalendar
    meeting: ScheduledMeeting
    style: Style
    items: tuple[PackItem, ...]
    prepared: dt.date
    diagnostics: tuple[Diagnostic, ...]

    @property
    def title(self) -> str:
        return f"Agenda pack: {self.meeting.committee.name}, {long_date(self.meeting.date)}"

    def target(self, out_dir: Path) -> Path:
        return out_dir / self.calendar.slug / f"{self.meeting.date.isoformat()}-{self.meeting.committee.id}-{PACK_NAME}.pdf"


@dataclass
class PackReport:
    """What `build_pack` did."""

    target: Path
    status: str  # "written" or "unchanged"
    pages: int
    papers: list[str] = field(default_factory=list)  # "<paper id>: written|unchanged"
    attachments: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # machine-check findings accepted (untagged attachments)
    seconds: float = 0.0


def find_meeting(calendar: CouncilCalendar, date: dt.date, committee: str | None) -> ScheduledMeeting:
    """The meeting on `date` (of `committee`); an InputError that lists the choices otherwise."""
    meetings = calendar.on(date, committee)
    listed = [f"{m.date.isoformat()} {m.committee.id}" for m in calendar.meetings]
    if committee is not None and not calendar.on(date):
        committee = None  # the date is what is wrong; say so below
    if committee is not None and not meetings:
        that_day = [m.committee.id for m in calendar.on(date)]
        raise InputError([error(f"no meeting of '{committee}' on {date.isoformat()}"
                                f"{did_you_mean(committee, that_day)}; that day: {one_of(that_day)}")])
    if not meetings:
        raise InputError([error(f"no meeting of {calendar.slug} on {date.isoformat()} in meetings.yaml; "
                                f"meetings: {', '.join(listed) or '(none)'}")])
    if len(meetings) > 1:
        raise InputError([error(f"{len(meetings)} meetings of {calendar.slug} on {date.isoformat()}; "
                                f"choose one with --committee: {one_of(m.committee.id for m in meetings)}")])
    return meetings[0]


def plan_pack(project: Project, slug: str, date: dt.date, committee: str | None = None, *,
              strict: bool = False) -> PackPlan:
    """Read and check the meeting, its papers and its attachments; InputError with every problem found."""
    from reportgen.pipeline.gather import gather

    project.select([slug])
    calendar, problems = read_calendar(project, slug)
    if calendar is None:
        raise InputError(problems)
    meeting = find_meeting(calendar, date, committee)
    diagnostics = [d for d in problems if d.is_error or _about_meeting(d, meeting)]
    inputs = gather(project, [slug], strict=strict)
    diagnostics += inputs.diagnostics
    council = inputs.councils.get(slug)
    views = {v.id: v for v in council.papers} if council else {}
    source = calendar.calendar.source
    where = ("meetings", meeting.index, "items")
    if PACK_NAME in views:
        diagnostics.append(error(f"a paper named '{PACK_NAME}' would share its file name with the agenda pack; "
                                 "rename the paper", file=views[PACK_NAME].source_files[0]))

    items: list[PackItem] = []
    for j, scheduled in enumerate(meeting.items):
        item = scheduled.item
        view = views.get(item.paper) if item.paper else None
        if item.paper and scheduled.paper_file is None:
            diagnostics.append(source.diagnostic(
                f"item {item.item}: there is no papers/{item.paper}.yaml yet, and the pack needs every paper; "
                "write it, or take `paper:` off the item to list it without one", where + (j, "paper")))
        elif item.paper is None and item.needs_paper and not item.attachments:
            diagnostics.append(source.diagnostic(
                f"item {item.item} has no paper yet; it is listed on the front sheet without a page",
                where + (j,), warn=True))
        attachments = []
        for k, attachment in enumerate(item.attachments):
            read = _read_attachment(calendar, attachment.file, attachment.title, diagnostics, source,
                                    where + (j, "attachments", k, "file"))
            if read is not None:
                attachments.append(read)
        items.append(PackItem(item.item, item.title, item.paper, view.paper.title if view else None,
                              tuple(attachments)))

    if any(d.is_error or strict for d in diagnostics) or council is None:
        if not any(d.is_error for d in diagnostics):  # --strict: warnings count
            diagnostics.append(error("not built: warnings count as errors with --strict"))
        raise InputError(diagnostics)
    dates = [v.paper.prepared or v.paper.meeting.date for v in views.values() if v.id in meeting.paper_ids]
    return PackPlan(project, calendar, meeting, council.style, tuple(items), max(dates, default=meeting.date),
                    tuple(diagnostics))


def _about_meeting(d: Diagnostic, meeting: ScheduledMeeting) -> bool:
    """A warning about meetings.yaml that concerns this meeting (others are `due`'s business)."""
    here = f"meetings[{meeting.index}]"
    return not d.key or d.key == here or d.key.startswith((here + ".", "publication"))


def _read_attachment(calendar: CouncilCalendar, file: str, title: str, diagnostics: list[Diagnostic],
                     source, at: tuple) -> PackAttachment | None:
    """An attachment's bytes, refused unless it is a readable PDF really inside the council folder."""
    import pikepdf

    folder = calendar.folder.resolve()
    path = (folder / file).resolve()
    problem = lambda message, warn=False: diagnostics.append(source.diagnostic(message, at, warn=warn))  # noqa: E731
    if not path.is_relative_to(folder):
        problem(f"'{file}' leads outside the council folder (a link?); copy the PDF into the council folder")
        return None
    if not path.is_file():
        problem(f"no file '{file}' in {calendar.folder.name}/")
        return None
    try:
        data = path.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            tagged = _is_tagged(pdf)
            pages = len(pdf.pages)
            form = pdf.Root.get("/AcroForm")
            fields = len(form.get("/Fields") or []) if isinstance(form, pikepdf.Dictionary) else 0
    except pikepdf.PasswordError:
        problem(f"'{file}' is password-protected; ask for a copy without a password")
        return None
    except (pikepdf.PdfError, OSError) as exc:
        problem(f"'{file}' is not a readable PDF ({exc})")
        return None
    if pages == 0:
        problem(f"'{file}' has no pages")
        return None
    if fields:
        problem(f"'{file}' has {fields} form field(s); they will not work in the pack (print the form to PDF "
                "first if its filled-in values matter)", warn=True)
    if not tagged:
        problem(f"'{file}' is not a tagged PDF: screen readers cannot read it, so the pack will fail the "
                "PDF/UA checks and will not claim PDF/UA; ask its author for an accessible (tagged) PDF", warn=True)
    else:
        from reportgen.pdf.gate import check_pdf

        report = check_pdf(data)
        if not report.passed:
            problem(f"'{file}' fails the machine accessibility checks, so the pack would too: "
                    + report.findings_text(limit=5)
                    + f" (see `reportgen check {display_path(path)}`)")
            return None
    return PackAttachment(title, path, data, tagged)


def _is_tagged(pdf) -> bool:
    import pikepdf

    mark = pdf.Root.get("/MarkInfo")
    return "/StructTreeRoot" in pdf.Root and isinstance(mark, pikepdf.Dictionary) and bool(mark.get("/Marked", False))


# --- building -------------------------------------------------------------------------


def build_pack(project: Project, slug: str, date: dt.date, committee: str | None = None, *,
               out_dir: Path, strict: bool = False) -> PackReport:
    """Build (or leave unchanged) the agenda pack of one meeting; InputError or BuildError on failure."""
    from reportgen.pipeline.build import build

    started = time.perf_counter()
    plan = plan_pack(project, slug, date, committee, strict=strict)
    out_dir = Path(out_dir)
    report = PackReport(plan.target(out_dir), "unchanged", 0, diagnostics=list(plan.diagnostics))

    papers: dict[str, bytes] = {}
    for item in plan.items:
        if item.paper is None:
            continue
        built = build(project, [slug], out_dir=out_dir, paper_id=item.paper, strict=strict)
        outcome = next((o for o in built.outcomes if o.paper == item.paper), None)
        if outcome is None or outcome.status == "failed":
            reason = outcome.message if outcome else "; ".join(str(d) for d in built.inputs.errors)
            raise BuildError(f"paper '{item.paper}' (item {item.number}) could not be built, so neither could "
                             f"the pack: {reason}")
        pdf_file = next(f for f in outcome.files if f.suffix == ".pdf")
        papers[item.paper] = pdf_file.read_bytes()
        report.papers.append(f"{item.paper}: {outcome.status}")

    parts = _parts(plan, papers)
    front = _front_sheet(plan, parts, strict=strict)
    pack, pages = assemble(front, parts, plan)
    accepted = [p for p in parts if not p.tagged]
    gate_pdf = pack if not accepted else assemble(front, [p for p in parts if p.tagged], plan)[0]

    from reportgen.pdf.gate import check_pdf

    require_pass(gate_pdf, what="the agenda pack", kept="the last good pack (if any)")
    if accepted:
        report.findings = [f"[{f.rule}] {f.message}" for f in check_pdf(pack).findings]
    with build_lock(out_dir):
        try:
            changed = write_atomic(report.target, pack)
        except OSError as exc:
            raise BuildError(describe_write_error(report.target, exc)) from None
    report.status = "written" if changed else "unchanged"
    report.pages = pages
    report.attachments = sum(len(i.attachments) for i in plan.items)
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class _Part:
    """One PDF put into the pack after the front sheet: a paper or an attachment."""

    kind: str  # "paper" or "attachment"
    item: int  # index into plan.items
    title: str
    data: bytes
    pages: int
    tagged: bool = True


def _parts(plan: PackPlan, papers: dict[str, bytes]) -> list[_Part]:
    import pikepdf

    def count(data: bytes) -> int:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)

    parts = []
    for index, item in enumerate(plan.items):
        if item.paper is not None:
            data = papers[item.paper]
            parts.append(_Part("paper", index, item.paper_title or item.title, data, count(data)))
        for attachment in item.attachments:
            parts.append(_Part("attachment", index, attachment.title, attachment.data, count(attachment.data),
                               attachment.tagged))
    return parts


def _entries(plan: PackPlan, parts: list[_Part], front_pages: int) -> list[AgendaEntry]:
    starts: dict[int, int] = {}
    attachments: dict[int, list[AgendaAttachment]] = {}
    page = front_pages + 1
    for part in parts:
        starts.setdefault(part.item, page)
        if part.kind == "attachment":
            attachments.setdefault(part.item, []).append(AgendaAttachment(part.title, page))
        page += part.pages
    return [AgendaEntry(item.number, item.title, starts.get(i), item.paper_title, attachments.get(i, []))
            for i, item in enumerate(plan.items)]


def pack_context(plan: PackPlan, entries: list[AgendaEntry]) -> dict:
    """The variables pack.html sees (PACK_CONTEXT_VARIABLES)."""
    return {
        "title": plan.title,
        "council": plan.calendar.council,
        "committee": plan.meeting.committee,
        "meeting": plan.meeting.meeting,
        "time": plan.meeting.meeting.time.strftime("%H:%M"),
        "items": entries,
        "prepared": plan.prepared,
        "style": plan.style.name,
        "stylesheets": [p.as_uri() for p in plan.style.stylesheets],
        "generator": f"reportgen {__version__}",
    }


def render_front_html(plan: PackPlan, entries: list[AgendaEntry]) -> str:
    return render_template(plan.style, PACK_TEMPLATE, pack_context(plan, entries),
                           variables_help='docs/meetings.md, "Agenda packs",')


def _front_sheet(plan: PackPlan, parts: list[_Part], *, strict: bool = False) -> bytes:
    """The front sheet, rendered until the page numbers it lists allow for its own length."""
    folder = plan.calendar.folder
    front_pages = 1
    for _ in range(MAX_FRONT_SHEET_PASSES):
        html = render_front_html(plan, _entries(plan, parts, front_pages))
        produced = render_repaired(html, base_url=folder, allowed_roots=[*plan.style.asset_roots, folder],
                                   date=plan.prepared, strict=strict, about=" about the front sheet")
        if produced.pages == front_pages:
            return produced.pdf
        front_pages = produced.pages
    raise BuildError("the front sheet's length kept changing with its page numbers; shorten pack.html")


def _epoch(day: dt.date) -> int:
    return _calendar.timegm(day.timetuple())


# --- merging --------------------------------------------------------------------------


def assemble(front: bytes, parts: list[_Part], plan: PackPlan) -> tuple[bytes, int]:
    """The pack PDF, and its page count."""
    import pikepdf

    with pikepdf.open(io.BytesIO(front)) as pack:
        merger = _Merger(pack)
        merger.add_front()
        items: dict[int, list] = {}
        starts: dict[int, int] = {}
        for number, part in enumerate(parts, 1):
            with pikepdf.open(io.BytesIO(part.data)) as source:
                start = len(pack.pages)
                starts.setdefault(part.item, start)
                outline = merger.add(source, part.tagged, f"p{number}-", part.title)
                if part.kind == "attachment":
                    outline = [merger.bookmark(part.title, start, outline)]
                items.setdefault(part.item, []).extend(outline)
        for index, item in enumerate(plan.items):
            if index in starts:
                merger.top_outline.append(merger.bookmark(f"Item {item.number}: {item.title}", starts[index],
                                                          items[index]))
        return merger.finish(plan, drop_pdfua=any(not p.tagged for p in parts))


class _Merger:
    """Puts PDFs one after another into one tagged PDF, the first (the front sheet) giving the metadata."""

    def __init__(self, front):
        import pikepdf

        self.pikepdf = pikepdf
        self.pack = front
        self.lang = str(front.Root.get("/Lang", ""))
        self.parent_tree: dict[int, object] = {}
        self.next_key = 0
        self.maps: dict[str, dict[str, object]] = {"/RoleMap": {}, "/ClassMap": {}}
        self.ids: dict[bytes, object] = {}
        self.dests: dict[bytes, object] = {}
        self.top_outline: list = []
        self.document = None
        self.versions = [front.pdf_version]

    # -- the front sheet, already in the pack --

    def add_front(self) -> None:
        Dictionary, Name, Array = self.pikepdf.Dictionary, self.pikepdf.Name, self.pikepdf.Array
        pack = self.pack
        old_root = pack.Root.StructTreeRoot
        self.document = pack.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
        for page in pack.pages:
            self._rename_links(page, "p0-")
        self._take_tree(pack, old_root, list(pack.pages), "p0-", "Agenda", lang=self.lang)
        positions = _positions(pack.pages)
        self.top_outline = self._outline(pack, positions, 0)
        self._take_dests(pack, "p0-", 0, positions)

    # -- each paper and attachment --

    def add(self, source, tagged: bool, prefix: str, title: str) -> list:
        """Append `source`'s pages and structure; its bookmarks, ready to go under its item's."""
        pack = self.pack
        start = len(pack.pages)
        self.versions.append(source.pdf_version)
        source_pages = list(source.pages)
        with warnings.catch_warnings():  # named destinations are carried over by _take_dests, renamed
            warnings.simplefilter("ignore", getattr(self.pikepdf.exceptions, "PageCopyWarning", UserWarning))
            pack.pages.extend(source_pages)
        pages = list(pack.pages)[start:]
        for page in pages:
            self._rename_links(page, prefix)
        if tagged:
            root = pack.copy_foreign(source.Root.StructTreeRoot)
            lang = str(source.Root.get("/Lang", ""))
            self._take_tree(pack, root, pages, prefix, title, lang=lang)
        else:
            for page in pages:  # no structure to point into
                if "/StructParents" in page.obj:
                    del page.obj["/StructParents"]
                for annot in page.obj.get("/Annots") or []:
                    if "/StructParent" in annot:
                        del annot["/StructParent"]
        positions = _positions(source_pages)
        self._take_dests(source, prefix, start, positions)
        return self._outline(source, positions, start)

    def _take_tree(self, pack, root, pages, prefix: str, title: str, *, lang: str) -> None:
        """Make the document element(s) of `root` Parts of the pack's Document, renumbering StructParents."""
        Name, Array, String = self.pikepdf.Name, self.pikepdf.Array, self.pikepdf.String
        offset = self.next_key
        highest = -1
        for key, value in _number_tree(root.get("/ParentTree")):
            self.parent_tree[key + offset] = value
            highest = max(highest, key)
        next_key = root.get("/ParentTreeNextKey")
        if next_key is not None:
            highest = max(highest, int(next_key) - 1)
        seen: set = set()
        for page in pages:
            _shift_struct_parents(page.obj, offset, seen, self.pikepdf)
        self.next_key = offset + highest + 1
        for key, merged in self.maps.items():  # role and class maps of other producers (Word writes a RoleMap)
            for name, value in (root.get(key) or {}).items():
                if name in merged and repr(merged[name]) != repr(value):
                    raise BuildError(f"'{title}' defines {name} in its {key[1:]} differently from another part "
                                     "of the pack; the pack cannot hold both")
                merged[name] = value
        for top in kids(root):
            if not is_element(top):
                continue
            top.S = Name.Part if str(top.S) == "/Document" else top.S
            top.P = self.document
            top.T = String(title)
            if lang and lang != self.lang:
                top.Lang = String(lang)
            for element in walk(top):
                self._rename_ids(element, prefix)
            self.document.K.append(top)

    def _rename_ids(self, element, prefix: str) -> None:
        """Element ids must be unique in the pack: prefix them, and the table headers that point at them."""
        String, Array = self.pikepdf.String, self.pikepdf.Array
        if "/ID" in element:
            new = prefix.encode() + bytes(element.ID)
            element.ID = String(new)
            self.ids[new] = element
        attributes = element.get("/A")
        for attribute in (attributes if isinstance(attributes, Array) else [attributes]):
            if isinstance(attribute, self.pikepdf.Dictionary) and "/Headers" in attribute:
                attribute.Headers = Array([String(prefix.encode() + bytes(h)) for h in attribute.Headers])

    def _rename_links(self, page, prefix: str) -> None:
        """Links to a named destination in the same PDF: the name is prefixed like the destinations."""
        String, Name = self.pikepdf.String, self.pikepdf.Name
        for annot in page.obj.get("/Annots") or []:
            if annot.get("/Subtype") != Name.Link:
                continue
            dest = annot.get("/Dest")
            if isinstance(dest, (String, Name)):
                annot.Dest = String(prefix.encode() + _name_bytes(dest))
            action = annot.get("/A")
            if isinstance(action, self.pikepdf.Dictionary) and action.get("/S") == Name.GoTo \
                    and isinstance(action.get("/D"), (String, Name)):
                action.D = String(prefix.encode() + _name_bytes(action.D))

    def _take_dests(self, source, prefix: str, start: int, positions: dict) -> None:
        for name, dest in _named_dests(source).items():
            explicit = self._explicit(dest, positions, start)
            if explicit is not None:
                self.dests[prefix.encode() + name] = explicit

    def _explicit(self, dest, positions: dict, start: int):
        """A destination as [page, /XYZ ...] in the pack; None when it points nowhere we know."""
        Array, Dictionary = self.pikepdf.Array, self.pikepdf.Dictionary
        if isinstance(dest, Dictionary):
            dest = dest.get("/D")
        if not isinstance(dest, Array) or len(dest) == 0:
            return None
        target = dest[0]
        index = positions.get(target.objgen) if target.is_indirect else None
        if index is None:
            return None
        return Array([self.pack.pages[start + index].obj, *list(dest)[1:]])

    def _outline(self, source, positions: dict, start: int) -> list:
        """The source's bookmarks, pointing at its pages in the pack."""
        names = _named_dests(source)
        OutlineItem = self.pikepdf.OutlineItem

        def convert(items) -> list:
            converted = []
            for item in items:
                dest = item.destination
                if dest is None and item.action is not None and item.action.get("/S") == self.pikepdf.Name.GoTo:
                    dest = item.action.get("/D")
                if isinstance(dest, (self.pikepdf.String, self.pikepdf.Name, str)):
                    dest = names.get(_name_bytes(dest))
                explicit = self._explicit(dest, positions, start) if dest is not None else None
                children = convert(item.children)
                if explicit is None and not children:
                    continue
                new = OutlineItem(str(item.title), explicit if explicit is not None else start)
                new.children.extend(children)
                converted.append(new)
            return converted

        with source.open_outline() as outline:
            return convert(outline.root)

    def bookmark(self, title: str, page: int, children: list):
        item = self.pikepdf.OutlineItem(title, self.pikepdf.Array(
            [self.pack.pages[page].obj, self.pikepdf.Name.XYZ, None, None, None]))
        item.children.extend(children)
        return item

    # -- the finished pack --

    def finish(self, plan: PackPlan, *, drop_pdfua: bool) -> tuple[bytes, int]:
        pikepdf = self.pikepdf
        Dictionary, Name, Array = pikepdf.Dictionary, pikepdf.Name, pikepdf.Array
        pack = self.pack
        tree = Dictionary(Type=Name.StructTreeRoot, K=Array([self.document]))
        tree = pack.make_indirect(tree)
        self.document.P = tree
        nums = Array()
        for key in sorted(self.parent_tree):
            nums.extend([key, self.parent_tree[key]])
        tree.ParentTree = pack.make_indirect(Dictionary(Nums=nums))
        tree.ParentTreeNextKey = self.next_key
        for key, merged in self.maps.items():
            if merged:
                tree[key] = Dictionary({name: merged[name] for name in sorted(merged)})
        if self.ids:
            tree.IDTree = _flat_name_tree(pack, self.ids)
        pack.Root.StructTreeRoot = tree

        pack.Root.Names = Dictionary(Dests=_flat_name_tree(pack, self.dests))
        if "/Dests" in pack.Root:
            del pack.Root["/Dests"]
        if "/Outlines" in pack.Root:
            del pack.Root["/Outlines"]
        with pack.open_outline() as outline:
            outline.root.extend(self.top_outline)
        pack.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
        pack.Root.PageMode = Name.UseOutlines
        if drop_pdfua:
            _drop_pdfua_claim(pack)
        _stamp(pack, plan)
        out = io.BytesIO()
        pack.save(out, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate,
                  min_version=max(self.versions, key=_version_key))
        return out.getvalue(), len(pack.pages)


def _flat_name_tree(pack, entries: dict[bytes, object]):
    """A name tree of one node, keys in byte order as the PDF specification asks."""
    import pikepdf

    names = pikepdf.Array()
    for key in sorted(entries):
        names.extend([pikepdf.String(key), entries[key]])
    return pack.make_indirect(pikepdf.Dictionary(Names=names))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))





def _positions(pages) -> dict[tuple[int, int], int]:
    """Where each page of a PDF is in it: page object -> index."""
    return {page.obj.objgen: i for i, page in enumerate(pages)}


def _name_bytes(value) -> bytes:
    import pikepdf

    if isinstance(value, pikepdf.Name):
        return str(value)[1:].encode()
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def _number_tree(node) -> list[tuple[int, object]]:
    """The entries of a number tree, flattened (WeasyPrint writes one /Nums; other producers nest /Kids)."""
    import pikepdf

    if node is None:
        return []
    entries = []
    nums = node.get("/Nums")
    if nums is not None:
        entries += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids") or []:
        entries += _number_tree(kid)
    return entries if isinstance(node, pikepdf.Dictionary) else []


def _name_tree(node) -> dict[bytes, object]:
    if node is None:
        return {}
    entries = {}
    names = node.get("/Names")
    if names is not None:
        entries.update({_name_bytes(names[i]): names[i + 1] for i in range(0, len(names) - 1, 2)})
    for kid in node.get("/Kids") or []:
        entries.update(_name_tree(kid))
    return entries


def _named_dests(pdf) -> dict[bytes, object]:
    """Named destinations: the /Names /Dests tree and the older /Dests dictionary."""
    names = pdf.Root.get("/Names")
    found = _name_tree(names.get("/Dests")) if names is not None else {}
    old = pdf.Root.get("/Dests")
    if old is not None:
        found.update({_name_bytes(k[1:]): v for k, v in old.items()})
    return found


def _shift_struct_parents(obj, offset: int, seen: set, pikepdf) -> None:
    """Renumber a page's StructParents, its annotations' StructParent and those of its form XObjects."""
    if offset == 0:
        return
    if "/StructParents" in obj:
        obj.StructParents = int(obj.StructParents) + offset
    for annot in obj.get("/Annots") or []:
        if "/StructParent" in annot and annot.objgen not in seen:
            seen.add(annot.objgen)
            annot.StructParent = int(annot.StructParent) + offset
    _shift_form_struct_parents(obj, offset, seen, pikepdf)


def _shift_form_struct_parents(owner, offset: int, seen: set, pikepdf) -> None:
    """The same for every form XObject `owner` (a page or a form) draws, however deeply nested."""
    resources = owner.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    for xobject in (xobjects or {}).values():
        if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        for key in ("/StructParents", "/StructParent"):
            if key in xobject:
                xobject[key] = int(xobject[key]) + offset
        if xobject.get("/Subtype") == pikepdf.Name.Form:
            _shift_form_struct_parents(xobject, offset, seen, pikepdf)


def _drop_pdfua_claim(pack) -> None:
    """A pack holding an untagged attachment is not PDF/UA: take the claim out of its XMP metadata."""
    import pikepdf

    metadata = pack.Root.get("/Metadata")
    if isinstance(metadata, pikepdf.Stream):
        xml = metadata.read_bytes()
        metadata.write(re.sub(rb'\s*pdfuaid:part="1"', b"", xml))


# --- pack page numbers ------------------------------------------------------------------


STAMP_CSS = """
@font-face {{ font-family: "Pack Sans"; src: url({font}); }}
{pages}
html {{ font-family: "Pack Sans", sans-serif; font-size: 9pt; color: #1a1a1a; }}
body {{ margin: 0; }}
.stamp {{ margin: 0; padding: 16mm 20mm 0 0; text-align: right; line-height: 1; }}
.stamp + .stamp {{ break-before: page; }}
.wide {{ padding-right: 15mm; }}
"""


def stamp_html(sizes: list[tuple[float, float]], font: Path) -> str:
    """HTML with one page per pack page, each its size, reading "Pack page N" at the top right."""
    kinds = sorted(set(sizes))
    pages = "\n".join(f"@page s{i} {{ size: {w:.3f}pt {h:.3f}pt; margin: 0; }}" for i, (w, h) in enumerate(kinds))
    css = STAMP_CSS.format(font=font.as_uri(), pages=pages)
    body = "".join(
        f'<p class="stamp{" wide" if w > h else ""}" style="page: s{kinds.index((w, h))}">Pack page {n}</p>'
        for n, (w, h) in enumerate(sizes, 1)
    )
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Pack page numbers</title>'
            f"<style>{css}</style></head><body>{body}</body></html>")


def _page_box(page) -> tuple[float, float, float, float, int]:
    """(x0, y0, width, height, rotate) of what a viewer shows of the page."""
    box = [float(v) for v in (page.obj.get("/CropBox") or page.obj.MediaBox)]
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return x0, y0, width, height, rotate


def _placement(x0: float, y0: float, w: float, h: float, rotate: int) -> list[float]:
    """The matrix that puts a drawing made upright on the shown page onto the page's own coordinates."""
    if rotate == 90:
        return [0, 1, -1, 0, x0 + w, y0]
    if rotate == 180:
        return [-1, 0, 0, -1, x0 + w, y0 + h]
    if rotate == 270:
        return [0, -1, 1, 0, x0, y0 + h]
    return [1, 0, 0, 1, x0, y0]


def _stamp(pack, plan: PackPlan) -> None:
    """Draw "Pack page N" on every page, marked as a pagination artifact, in a content stream of its own."""
    import pikepdf

    from reportgen.pdf.engine import render_pdf

    boxes = [_page_box(page) for page in pack.pages]
    sizes = [(round(h, 3), round(w, 3)) if r in (90, 270) else (round(w, 3), round(h, 3))
             for (_, _, w, h, r) in boxes]
    font = plan.project.templates_dir / STAMP_FONT
    rendered = render_pdf(stamp_html(sizes, font), base_url=font.parent, allowed_roots=[font.parent],
                          date_epoch=_epoch(plan.prepared), tagged=False)
    if rendered.pages != len(sizes):
        raise BuildError(f"the pack page numbers came out on {rendered.pages} pages, not {len(sizes)}")
    with pikepdf.open(io.BytesIO(rendered.pdf)) as stamps:
        forms = [pack.copy_foreign(page.as_form_xobject()) for page in stamps.pages]
    opening = pack.make_stream(b"q\n")
    for page, form, box in zip(pack.pages, forms, boxes):
        name = _free_name(page, "/PackPage")
        page.add_resource(form, pikepdf.Name.XObject, name)
        matrix = " ".join(_number(v) for v in _placement(*box))
        page.contents_add(opening, prepend=True)
        page.contents_add(pack.make_stream(
            f"Q\n/Artifact <</Type /Pagination /Subtype /Header>> BDC\nq {matrix} cm {name} Do Q\nEMC\n".encode()))


def _free_name(page, base: str) -> str:
    """A resource name the page does not use yet (fixed, not random, so the bytes are reproducible)."""
    resources = page.obj.get("/Resources")
    used = set((resources.get("/XObject") or {}).keys()) if resources is not None else set()
    name, n = base, 1
    while name in used:
        name, n = f"{base}{n}", n + 1
    return name


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
