"""Repairs that bring another producer's tagged PDF (Chromium, LibreOffice, Word) up to PDF/UA where they can.

The same repairs reportgen applies to its own papers, where the fault is the
same (list item content outside an LBody, header cells without /Scope), plus
what other producers leave out: identity entries in the role map (which
validators read as a cycle), links without a description, a tab order that
does not follow the structure, and bookmarks. A file whose structure tree
has a cycle is beyond repair here.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from reportgen.pdf.repair import put_list_content_in_bodies, scope_header_cells
from reportgen.pdf.structtree import StructTree, kids, marked_content, structure_of
from reportgen.pdf.text import marked_text

HEADING_LEVELS = {f"/H{n}": n for n in range(1, 7)} | {"/H": 1}


def conform(pdf: pikepdf.Pdf) -> list[str]:
    """Repair an open tagged PDF in place; what was repaired, in words (none when beyond repair)."""
    tree = structure_of(pdf)
    if tree is None or tree.problems:
        return []
    done = []
    identities = tree.role_map.identities
    if identities:
        for name in identities:
            del tree.root.RoleMap[name]
        done.append(f"dropped {len(identities)} identity entries from the role map ({', '.join(identities[:3])}"
                    f"{', ...' if len(identities) > 3 else ''} mapped to themselves)")
    counted = [
        (put_list_content_in_bodies(pdf, tree), "put the content of {} list item(s) in an LBody"),
        (scope_header_cells(tree), "gave {} header cell(s) a /Scope"),
    ]
    texts = _Texts(pdf)
    counted += [
        (_describe_links(tree, texts), "described {} link(s) by their text or address"),
        (_tab_order(pdf), "made the tab order of {} page(s) follow the structure"),
        (_bookmarks_from_headings(pdf, tree, texts), "made {} bookmark(s) from its headings"),
    ]
    done += [what.format(count) for count, what in counted if count]
    return done


class _Texts:
    """The text of structure elements, from their marked content (each page read once)."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pages = {page.obj.objgen: page for page in pdf.pages}
        self.index = {objgen: i for i, objgen in enumerate(self.pages)}
        self.cache: dict[tuple, dict[int, str]] = {}

    def content(self, element) -> list[tuple[tuple, int]]:
        """(page objgen, MCID) of the element's content and its descendants', in order."""
        return [(page.objgen, mcid) for page, mcid in marked_content(element) if page.objgen in self.pages]

    def text(self, element) -> str:
        parts = []
        for page, mcid in self.content(element):
            if page not in self.cache:
                self.cache[page] = marked_text(self.pages[page])
            parts.append(self.cache[page].get(mcid, ""))
        return " ".join(" ".join(parts).split())

    def first_page(self, element) -> int | None:
        content = self.content(element)
        return self.index[content[0][0]] if content else None


def _describe_links(tree: StructTree, texts: _Texts) -> int:
    """A link annotation needs /Contents, its alternate description (PDF/UA-1 7.18.5)."""
    count = 0
    for link in tree.of_type("/Link"):
        for kid in kids(link):
            annot = kid.get("/Obj") if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR else None
            if not isinstance(annot, Dictionary) or str(annot.get("/Contents", "")).strip():
                continue
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if isinstance(action, Dictionary) else ""
            description = texts.text(link) or uri
            if description:
                annot.Contents = String(description)
                count += 1
    return count


def _tab_order(pdf: pikepdf.Pdf) -> int:
    """Pages with annotations must say their tab order follows the structure (/Tabs /S, PDF/UA-1 7.18.3)."""
    count = 0
    for page in pdf.pages:
        if page.obj.get("/Annots") and page.obj.get("/Tabs") != Name.S:
            page.obj.Tabs = Name.S
            count += 1
    return count


def _bookmarks_from_headings(pdf: pikepdf.Pdf, tree: StructTree, texts: _Texts) -> int:
    """A PDF with headings and no bookmarks gets one bookmark per heading, nested by level."""
    with pdf.open_outline() as outline:
        if len(outline.root):
            return 0
        headings = [(HEADING_LEVELS[tree.type(e)], e) for e in tree.elements if tree.type(e) in HEADING_LEVELS]
        stack: list[tuple[int, pikepdf.OutlineItem]] = []
        count = 0
        for level, heading in headings:
            title, page = texts.text(heading), texts.first_page(heading)
            if not title or page is None:
                continue
            item = pikepdf.OutlineItem(title, Array([pdf.pages[page].obj, Name.XYZ, None, None, None]))
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))
            count += 1
    return count
