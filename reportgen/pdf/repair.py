"""Repair what WeasyPrint 70 gets wrong in a tagged PDF, with pikepdf.

Three upstream gaps, each fixed here and proven by tests that read the
structure tree:

- a box split across pages is one structure element per page (#2902/#2903):
  pieces that came from the same HTML element (labelled by pdf.py) are joined
  into one, so a table spanning ten pages is one Table, and the heading row
  WeasyPrint repeats on each page is kept once and marked as an artifact;
- header cells carry no /Scope (#2508): a heading-row cell gets Column, a
  header cell in a row of data cells gets Row;
- a data cell names every row header of its row in /Headers, so in a row of
  label/value pairs each value is read with every label: it keeps only the
  labels to its left up to the previous value, as HTML's header scan does;
- an element's `lang` is not carried into the tree: it is set as the
  element's /Lang (English quoted in a Welsh paper, each language of a
  bilingual one), from the label the engine's tracing gives each element;
- running headers and page numbers are left as content (#1836): they are
  marked as pagination artifacts and leave the structure tree;
- a list item's paragraphs (`<li><p>`, a "loose" Markdown list) sit straight
  under LI, which PDF/UA forbids: they are moved into an LBody;
- in shaped scripts (Devanagari, Bengali, Gurmukhi) one cluster of characters
  can be drawn as several glyphs, and WeasyPrint gives all the characters to
  one glyph and maps the others to nothing, an empty ToUnicode entry PDF/UA
  forbids: those glyphs are mapped to U+2060 WORD JOINER, which is invisible
  and ignored by search and copy, so the text read out stays the same.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name

from reportgen.pdf.engine import LANG_SEPARATOR, TITLE_SEPARATOR
from reportgen.pdf.structtree import (StructTree, attribute, is_element, kids, parent_tree, read_tree,
                                     set_attribute, walk)

SOURCE_KEY = Name("/T")  # written by the engine's structure tracing: "rg:N", then "|title" for a named element


def _key(element) -> str:
    return str(element.get(SOURCE_KEY, ""))



class _Repair:
    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        # ParentTree: page StructParents -> array (MCID -> element); annotations -> element.
        self.parent_tree = parent_tree(self.root)
        self.replaced: dict[tuple, Dictionary] = {}  # objgen of a removed element -> survivor
        self.header_ids: dict[str, str] = {}  # removed TH /ID -> surviving TH /ID
        self.to_artifact: dict[int, set[int]] = defaultdict(set)  # page index -> MCIDs

    # -- joining split elements --

    def join(self, parent) -> None:
        """Join consecutive children that are pieces of one HTML element (the walk then goes below)."""
        children = kids(parent)
        merged: list = []
        for kid in children:
            previous = merged[-1] if merged and is_element(merged[-1]) else None
            if is_element(kid) and previous is not None and _key(kid) and _key(kid) == _key(previous):
                self.absorb(previous, kid)
            else:
                merged.append(kid)
        if len(merged) != len(children):
            parent.K = Array(merged)

    def absorb(self, survivor, piece) -> None:
        """Move `piece` (the same HTML element on a later page) into `survivor`.

        Children that are themselves pieces of one of the survivor's children
        (the cells of a row split across pages) are joined recursively; a
        heading row seen again is WeasyPrint's repeat and is dropped.
        """
        survivor_page = survivor.get("/Pg")
        piece_page = piece.get("/Pg")
        by_key = {_key(k): k for k in kids(survivor) if is_element(k) and _key(k)}
        moved = []
        for kid in kids(piece):
            match = by_key.get(_key(kid)) if is_element(kid) and _key(kid) else None
            if match is not None and str(kid.S) == "/THead":
                self.drop_repeated_header(match, kid)
                continue
            if match is not None:
                self.absorb(match, kid)
                continue
            if isinstance(kid, int) and piece_page is not None and (
                survivor_page is None or piece_page.objgen != survivor_page.objgen
            ):
                # A bare MCID means "on this element's page": say which page.
                kid = self.pdf.make_indirect(Dictionary(Type=Name.MCR, Pg=piece_page, MCID=kid))
            elif is_element(kid):
                kid.P = survivor
            moved.append(kid)
        survivor.K = Array(kids(survivor) + moved)
        if "/ID" in piece and "/ID" in survivor:
            self.header_ids[str(piece.ID)] = str(survivor.ID)
        self.replaced[piece.objgen] = survivor

    def drop_repeated_header(self, first, repeat) -> None:
        """Map the repeat's header ids to the first heading row's; its content becomes an artifact."""
        first_cells = {str(c.get(SOURCE_KEY)): c for c in walk(first) if str(c.get("/S")) == "/TH"}
        for cell in walk(repeat):
            if str(cell.get("/S")) == "/TH" and "/ID" in cell:
                original = first_cells.get(str(cell.get(SOURCE_KEY)))
                if original is not None and "/ID" in original:
                    self.header_ids[str(cell.ID)] = str(original.ID)
            self.artifact_content_of(cell)

    def artifact_content_of(self, element) -> None:
        page = element.get("/Pg")
        for kid in kids(element):
            if isinstance(kid, int) and page is not None:
                self.to_artifact[self.page_index[page.objgen]].add(kid)
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                self.to_artifact[self.page_index[kid.Pg.objgen]].add(int(kid.MCID))

    # -- cell headers --

    def fix_headers(self, tree: StructTree) -> None:
        """Data cells point at the header cells that survived the joining, and only at those that govern them."""
        for node in tree.of_type("/TD"):
            headers = attribute(node, "/Headers")
            if isinstance(headers, Array):
                ids = list(dict.fromkeys(self.header_ids.get(str(h), str(h)) for h in headers))
                kept = governing_headers(tree, node, ids)
                set_attribute(node, "/Headers", Array([pikepdf.String(i) for i in kept]), "/Table")

    # -- running headers and footers --

    def find_unlinked_content(self) -> None:
        """Content whose element is not in the tree: WeasyPrint's page margin boxes."""
        linked = {e.objgen for e in read_tree(self.root).elements}
        for page in self.pdf.pages:
            index = page.get("/StructParents")
            if index is None or int(index) not in self.parent_tree:
                continue
            mapping = self.parent_tree[int(index)]
            for mcid, element in enumerate(mapping):
                if is_element(element) and element.objgen not in linked:
                    self.to_artifact[self.page_index[page.objgen]].add(mcid)

    def rewrite_content(self) -> None:
        for page_number, mcids in self.to_artifact.items():
            page = self.pdf.pages[page_number]
            contents = page.obj.Contents
            stream = contents[0] if isinstance(contents, Array) and len(contents) == 1 else contents
            if isinstance(stream, Array):
                raise RuntimeError("pages with several content streams are not expected from WeasyPrint")
            data = stream.read_bytes()
            pattern = re.compile(rb"/[A-Za-z0-9]+\s*<</MCID (\d+)>>\s*BDC")

            def to_artifact(match: re.Match) -> bytes:
                if int(match.group(1)) in mcids:
                    return b"/Artifact\n<</Type /Pagination>>\nBDC"
                return match.group(0)

            stream.write(pattern.sub(to_artifact, data))  # compressed again on save
            mapping = self.parent_tree[int(page.obj.StructParents)]
            for mcid in mcids:
                if mcid < len(mapping):
                    mapping[mcid] = None

    def update_parent_tree(self, tree: StructTree) -> None:
        """Survivors in the ParentTree; each element's source label turned into its /Lang and title.

        `tree` is read after the joining: the elements added since (list bodies) carry no label."""
        for key, value in self.parent_tree.items():
            if isinstance(value, Array):
                for i, element in enumerate(value):
                    if is_element(element) and element.objgen in self.replaced:
                        value[i] = self.survivor(element)
            elif is_element(value) and value.objgen in self.replaced:
                self.parent_tree[key] = self.survivor(value)
        nums = Array()
        for key in sorted(self.parent_tree):
            nums.append(key)
            nums.append(self.parent_tree[key])
        self.root.ParentTree.Nums = nums
        for element in tree.elements:
            if SOURCE_KEY in element:
                label, _, title = str(element[SOURCE_KEY]).partition(TITLE_SEPARATOR)
                language = label.partition(LANG_SEPARATOR)[2]
                if language:  # the HTML element's lang, which WeasyPrint does not carry over
                    element[Name.Lang] = pikepdf.String(language)
                if title:
                    element[SOURCE_KEY] = pikepdf.String(title)
                else:
                    del element[SOURCE_KEY]

    def survivor(self, element):
        while element.objgen in self.replaced:
            element = self.replaced[element.objgen]
        return element

    def run(self) -> None:
        self.find_unlinked_content()
        for top in kids(self.root):
            if is_element(top):
                for element in walk(top):  # reads an element's children after join() changed them
                    self.join(element)
        tree = read_tree(self.root)
        self.fix_headers(tree)
        scope_header_cells(tree)
        put_list_content_in_bodies(self.pdf, tree)
        self.rewrite_content()
        self.update_parent_tree(tree)


def governing_headers(tree: StructTree, cell, header_ids: list[str]) -> list[str]:
    """Of a data cell's header ids, those that govern it: every column header, and of its own row's
    header cells only the block nearest on its left (HTML's scan passes over data cells until it
    meets header cells; those past the next data cell label that cell instead)."""
    row = tree.parent(cell)
    cells = [k for k in kids(row) if is_element(k) and tree.type(k) in ("/TH", "/TD")] if is_element(row) else []
    position = next((i for i, c in enumerate(cells) if c.objgen == cell.objgen), None)
    if position is None:
        return header_ids
    block: list[str] = []
    for other in reversed(cells[:position]):
        if tree.type(other) == "/TH":
            block.append(str(other.get("/ID", "")))
        elif block:
            break
    in_row = {str(c.get("/ID", "")) for c in cells if tree.type(c) == "/TH"}
    return [h for h in header_ids if h not in in_row or h in block]


def scope_header_cells(tree: StructTree) -> int:
    """Header cells without /Scope get one: Column in a heading row, Row beside data cells; how many."""
    count = 0
    for cell in tree.of_type("/TH"):
        if attribute(cell, "/Scope") is not None:
            continue
        row = tree.parent(cell)
        group = tree.parent(row) if is_element(row) else None
        in_head = is_element(group) and tree.type(group) == "/THead"
        beside_data = is_element(row) and any(is_element(c) and tree.type(c) == "/TD" for c in kids(row))
        set_attribute(cell, "/Scope", Name.Row if beside_data and not in_head else Name.Column, "/Table")
        count += 1
    return count


def put_list_content_in_bodies(pdf: pikepdf.Pdf, tree: StructTree) -> int:
    """A list item's content that is neither Lbl nor LBody goes in an LBody, as PDF/UA asks; how many items."""
    count = 0
    for item in tree.of_type("/LI"):
        children, body, changed = [], None, False
        for kid in kids(item):
            kind = tree.type(kid) if is_element(kid) else None
            if kind in ("/Lbl", "/LBody") or kind is None:
                body = kid if kind == "/LBody" else body
                children.append(kid)
                continue
            if body is None:
                body = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array()))
                if "/Pg" in item:
                    body.Pg = item.Pg
                children.append(body)
            body.K = Array(kids(body) + [kid])
            kid.P = body
            changed = True
        if changed:
            item.K = Array(children)
            count += 1
    return count


_EMPTY_DESTINATION = re.compile(rb"(<[0-9A-Fa-f]+>)\s*<>")
WORD_JOINER = b"<2060>"


def map_every_glyph(pdf: pikepdf.Pdf) -> int:
    """ToUnicode entries that map a glyph to no text map it to an invisible word joiner; how many."""
    count = 0
    for font in pdf.objects:
        if not (isinstance(font, Dictionary) and font.get("/Type") == Name.Font and "/ToUnicode" in font):
            continue
        cmap = font.ToUnicode
        if not isinstance(cmap, pikepdf.Stream):
            continue
        data = cmap.read_bytes()
        fixed, found = _EMPTY_DESTINATION.subn(rb"\1 " + WORD_JOINER, data)
        if found:
            cmap.write(fixed)
            count += found
    return count


def repair(pdf_bytes: bytes, art_boxes: list | None = None,
           then: Callable[[pikepdf.Pdf], None] | None = None) -> bytes:
    """The repaired PDF. Untagged PDFs are returned as they are.

    `art_boxes` (x0, top, x1, bottom in points from the page's top left, one per
    page) become each page's /ArtBox: the page area its text belongs in, which
    the proof reads back. `then` does more to the open PDF before it is saved
    (the "(continued)" labels are drawn so: a PDF read and saved once, not twice).
    """
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if "/StructTreeRoot" not in pdf.Root and then is None:
            return pdf_bytes
        if "/StructTreeRoot" in pdf.Root:
            _Repair(pdf).run()
            map_every_glyph(pdf)
        for page, box in zip(pdf.pages, art_boxes or ()):
            x0, y0, _, y1 = (float(v) for v in page.obj.MediaBox)
            height = y1 - y0
            page.obj.ArtBox = Array([round(v, 3) for v in (x0 + box[0], y0 + height - box[3],
                                                           x0 + box[2], y0 + height - box[1])])
        if then is not None:
            then(pdf)
        out = io.BytesIO()
        # A fixed /ID and no generated dates keep the output byte-reproducible.
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
