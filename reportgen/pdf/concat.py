"""The PDF merger: PDFs one after another in one tagged PDF (structure trees, bookmarks, links, page labels).

It knows nothing of what it merges: the first PDF gives the result its
metadata, language, title and PDF/UA claim; every tagged PDF's structure tree
becomes a `Part` (titled by the caller) of one `Document`, renumbered into
one parent tree, with element ids, named destinations and links renamed per
PDF so they cannot clash, and custom role-map or class-map names that two
PDFs define differently renamed in the later one. Bookmarks are nested as the
caller says. An untagged PDF's pages go in without structure, and the result
then drops its PDF/UA claim.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from reportgen.pdf.structtree import RoleMap, attributes, class_names, is_element, kids, parent_tree, walk
from reportgen.pdf.trees import leaves


@dataclass(frozen=True)
class Source:
    """One PDF to merge."""

    data: bytes
    title: str  # the title of its Part in the structure tree
    tagged: bool = True  # False: its pages go in without structure


@dataclass(frozen=True)
class Bookmark:
    """A bookmark of the caller's, pointing at the first page of `source` (an index into the sources).

    `children` are nested bookmarks, or source indexes standing for that
    source's own bookmarks.
    """

    title: str
    source: int
    children: tuple[Bookmark | int, ...] = ()


@dataclass(frozen=True)
class Merged:
    pdf: bytes
    pages: int
    starts: tuple[int, ...]  # the 0-based page where each source starts


def concat(sources: list[Source], outline: list[Bookmark | int]) -> Merged:
    """Merge `sources` in order, with `outline` as the bookmarks; the same bytes for the same input."""
    if not sources:
        raise ValueError("nothing to merge")
    with pikepdf.open(io.BytesIO(sources[0].data)) as first:
        merger = _Merger(first)
        own = [merger.add_first(sources[0])]
        for number, source in enumerate(sources[1:], 1):
            with pikepdf.open(io.BytesIO(source.data)) as pdf:
                own.append(merger.add(pdf, source, number))
        merger.outline = [item for entry in outline for item in merger.bookmarks(entry, own)]
        return merger.finish(drop_pdfua=any(not s.tagged for s in sources))


class _Merger:
    """The PDF being built (the first source, opened) and what the others add to it."""

    def __init__(self, first):
        self.pdf = first
        self.lang = str(first.Root.get("/Lang", ""))
        self.parent_tree: dict[int, object] = {}
        self.next_key = 0
        self.maps: dict[str, dict[str, object]] = {"/RoleMap": {}, "/ClassMap": {}}
        self.ids: dict[bytes, object] = {}
        self.dests: dict[bytes, object] = {}
        self.starts: list[int] = []
        self.outline: list = []
        self.document = first.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
        self.versions = [first.pdf_version]

    def add_first(self, source: Source) -> list:
        """The first PDF is already in place: take its structure, destinations and bookmarks."""
        pdf = self.pdf
        self.starts.append(0)
        pages = list(pdf.pages)
        for page in pages:
            _rename_links(page, "p0-")
        root = pdf.Root.get("/StructTreeRoot")
        if source.tagged and isinstance(root, Dictionary):
            self._take_tree(root, pages, "p0-", source.title, 0, lang=self.lang)
        else:
            _unlink_structure(pages)
        positions = _positions(pages)
        self._take_dests(pdf, "p0-", 0, positions)
        return self._own_outline(pdf, positions, 0)

    def add(self, source_pdf, source: Source, number: int) -> list:
        """Append a PDF's pages and structure; its own bookmarks, pointing into the merged PDF."""
        pdf = self.pdf
        start = len(pdf.pages)
        self.starts.append(start)
        self.versions.append(source_pdf.pdf_version)
        prefix = f"p{number}-"
        source_pages = list(source_pdf.pages)
        with warnings.catch_warnings():  # named destinations are carried over by _take_dests, renamed
            warnings.simplefilter("ignore", getattr(pikepdf.exceptions, "PageCopyWarning", UserWarning))
            pdf.pages.extend(source_pages)
        pages = list(pdf.pages)[start:]
        for page in pages:
            _rename_links(page, prefix)
        root = source_pdf.Root.get("/StructTreeRoot")
        if source.tagged and isinstance(root, Dictionary):
            lang = str(source_pdf.Root.get("/Lang", ""))
            self._take_tree(pdf.copy_foreign(root), pages, prefix, source.title, number, lang=lang)
        else:
            _unlink_structure(pages)
        positions = _positions(source_pages)
        self._take_dests(source_pdf, prefix, start, positions)
        return self._own_outline(source_pdf, positions, start)

    # -- structure --

    def _take_tree(self, root, pages, prefix: str, title: str, number: int, *, lang: str) -> None:
        """Make the top element(s) of `root` Parts of the one Document, renumbering StructParents."""
        offset = self.next_key
        highest = -1
        for key, value in parent_tree(root).items():
            self.parent_tree[key + offset] = value
            highest = max(highest, key)
        next_key = root.get("/ParentTreeNextKey")
        if isinstance(next_key, int):
            highest = max(highest, int(next_key) - 1)
        seen: set = set()
        for page in pages:
            _shift_struct_parents(page.obj, offset, seen)
        self.next_key = offset + highest + 1
        tops = [top for top in kids(root) if is_element(top)]
        elements = [element for top in tops for element in walk(top)]
        self._merge_maps(root, elements, number)
        role_map = RoleMap.of(root)
        for top in tops:
            if role_map.standard(str(top.S)) == "/Document":
                top.S = Name.Part
            top.P = self.document
            top.T = String(title)
            if lang and lang != self.lang:
                top.Lang = String(lang)
            self.document.K.append(top)
        for element in elements:
            self._rename_ids(element, prefix)

    def _merge_maps(self, root, elements: list, number: int) -> None:
        """Take the role and class maps; a custom name another PDF already defines differently is renamed here."""
        for key in ("/RoleMap", "/ClassMap"):
            mapping = root.get(key)
            if not isinstance(mapping, Dictionary):
                continue
            merged = self.maps[key]
            entries = {str(name): value for name, value in mapping.items()
                       if not (key == "/RoleMap" and value == Name(name))}  # /Table -> /Table means nothing
            renamed = {name: f"{name}-{number}" for name, value in entries.items()
                       if name in merged and repr(merged[name]) != repr(value)}
            for name, value in entries.items():
                if key == "/RoleMap" and isinstance(value, Name) and str(value) in renamed:
                    value = Name(renamed[str(value)])
                merged[renamed.get(name, name)] = value
            if renamed:
                _rename_in_elements(elements, key, renamed)

    def _rename_ids(self, element, prefix: str) -> None:
        """Element ids must be unique: prefix them, and the table headers that point at them."""
        if "/ID" in element:
            new = prefix.encode() + bytes(element.ID)
            element.ID = String(new)
            self.ids[new] = element
        for attrs in attributes(element):
            headers = attrs.get("/Headers")
            if isinstance(headers, Array):
                attrs.Headers = Array([String(prefix.encode() + bytes(h)) for h in headers if isinstance(h, String)])

    # -- destinations and bookmarks --

    def _take_dests(self, source, prefix: str, start: int, positions: dict) -> None:
        for name, dest in _named_dests(source).items():
            explicit = self._explicit(dest, positions, start)
            if explicit is not None:
                self.dests[prefix.encode() + name] = explicit

    def _explicit(self, dest, positions: dict, start: int):
        """A destination as [page, /XYZ ...] in the merged PDF; None when it points nowhere known."""
        if isinstance(dest, Dictionary):
            dest = dest.get("/D")
        if not isinstance(dest, Array) or len(dest) == 0:
            return None
        target = dest[0]
        index = positions.get(target.objgen) if isinstance(target, pikepdf.Object) and target.is_indirect else None
        if index is None:
            return None
        return Array([self.pdf.pages[start + index].obj, *list(dest)[1:]])

    def _own_outline(self, source, positions: dict, start: int) -> list:
        """The source's bookmarks, pointing at its pages in the merged PDF."""
        names = _named_dests(source)

        def convert(items) -> list:
            converted = []
            for item in items:
                dest = item.destination
                if dest is None and item.action is not None and item.action.get("/S") == Name.GoTo:
                    dest = item.action.get("/D")
                if isinstance(dest, (String, Name, str)):
                    dest = names.get(_name_bytes(dest))
                explicit = self._explicit(dest, positions, start) if dest is not None else None
                children = convert(item.children)
                if explicit is None and not children:
                    continue
                new = pikepdf.OutlineItem(str(item.title), explicit if explicit is not None else start)
                new.children.extend(children)
                converted.append(new)
            return converted

        with source.open_outline() as outline:
            return convert(outline.root)

    def bookmarks(self, entry: Bookmark | int, own: list[list]) -> list:
        """The outline items for one entry of the caller's outline."""
        if isinstance(entry, int):
            return own[entry]
        item = pikepdf.OutlineItem(entry.title, Array([self.pdf.pages[self.starts[entry.source]].obj,
                                                       Name.XYZ, None, None, None]))
        item.children.extend(child for c in entry.children for child in self.bookmarks(c, own))
        return [item]

    # -- the finished PDF --

    def finish(self, *, drop_pdfua: bool) -> Merged:
        pdf = self.pdf
        tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([self.document])))
        self.document.P = tree
        nums = Array()
        for key in sorted(self.parent_tree):
            nums.extend([key, self.parent_tree[key]])
        tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
        tree.ParentTreeNextKey = self.next_key
        for key, merged in self.maps.items():
            if merged:
                tree[key] = Dictionary({name: merged[name] for name in sorted(merged)})
        if self.ids:
            tree.IDTree = _flat_name_tree(pdf, self.ids)
        pdf.Root.StructTreeRoot = tree

        pdf.Root.Names = Dictionary(Dests=_flat_name_tree(pdf, self.dests))
        for key in ("/Dests", "/Outlines"):
            if key in pdf.Root:
                del pdf.Root[key]
        with pdf.open_outline() as outline:
            outline.root.extend(self.outline)
        pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
        pdf.Root.PageMode = Name.UseOutlines
        if drop_pdfua:
            _drop_pdfua_claim(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 min_version=max(self.versions, key=_version_key))
        return Merged(out.getvalue(), len(pdf.pages), tuple(self.starts))


def _rename_in_elements(elements: list, key: str, renamed: dict[str, str]) -> None:
    """Use the renamed role (/S) or class (/C) names in one PDF's elements."""
    for element in elements:
        if key == "/RoleMap" and str(element.S) in renamed:
            element.S = Name(renamed[str(element.S)])
        elif key == "/ClassMap" and set(class_names(element)) & set(renamed):
            value = element.C
            if isinstance(value, Name):
                element.C = Name(renamed.get(str(value), str(value)))
            else:
                element.C = Array([Name(renamed.get(str(v), str(v))) if isinstance(v, Name) else v for v in value])


def _unlink_structure(pages) -> None:
    """Pages going in without their structure must not point into a parent tree."""
    for page in pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annot in page.obj.get("/Annots") or []:
            if isinstance(annot, Dictionary) and "/StructParent" in annot:
                del annot["/StructParent"]


def _rename_links(page, prefix: str) -> None:
    """Links to a named destination in the same PDF: the name is prefixed like the destinations."""
    for annot in page.obj.get("/Annots") or []:
        if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Link:
            continue
        dest = annot.get("/Dest")
        if isinstance(dest, (String, Name)):
            annot.Dest = String(prefix.encode() + _name_bytes(dest))
        action = annot.get("/A")
        if isinstance(action, Dictionary) and action.get("/S") == Name.GoTo \
                and isinstance(action.get("/D"), (String, Name)):
            action.D = String(prefix.encode() + _name_bytes(action.D))


def _flat_name_tree(pdf, entries: dict[bytes, object]):
    """A name tree of one node, keys in byte order as the PDF specification asks."""
    names = Array()
    for key in sorted(entries):
        names.extend([String(key), entries[key]])
    return pdf.make_indirect(Dictionary(Names=names))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def _positions(pages) -> dict[tuple[int, int], int]:
    """Where each page of a PDF is in it: page object -> index."""
    return {page.obj.objgen: i for i, page in enumerate(pages)}


def _name_bytes(value) -> bytes:
    if isinstance(value, Name):
        return str(value)[1:].encode()
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def _named_dests(pdf) -> dict[bytes, object]:
    """Named destinations: the /Names /Dests tree and the older /Dests dictionary."""
    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, Dictionary) else None
    found = {_name_bytes(name): dest for name, dest in leaves(tree, "/Names")}
    old = pdf.Root.get("/Dests")
    if isinstance(old, Dictionary):
        found.update({_name_bytes(k[1:]): v for k, v in old.items()})
    return found


def _shift_struct_parents(obj, offset: int, seen: set) -> None:
    """Renumber a page's StructParents, its annotations' StructParent and those of its form XObjects."""
    if offset == 0:
        return
    if "/StructParents" in obj:
        obj.StructParents = int(obj.StructParents) + offset
    for annot in obj.get("/Annots") or []:
        if isinstance(annot, Dictionary) and "/StructParent" in annot and annot.objgen not in seen:
            seen.add(annot.objgen)
            annot.StructParent = int(annot.StructParent) + offset
    _shift_form_struct_parents(obj, offset, seen)


def _shift_form_struct_parents(owner, offset: int, seen: set) -> None:
    """The same for every form XObject `owner` (a page or a form) draws, however deeply nested."""
    resources = owner.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    for xobject in (xobjects.values() if isinstance(xobjects, Dictionary) else []):
        if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        for key in ("/StructParents", "/StructParent"):
            if key in xobject:
                xobject[key] = int(xobject[key]) + offset
        if xobject.get("/Subtype") == Name.Form:
            _shift_form_struct_parents(xobject, offset, seen)


def _drop_pdfua_claim(pdf) -> None:
    """A PDF holding untagged pages is not PDF/UA: take the claim out of its XMP metadata."""
    metadata = pdf.Root.get("/Metadata")
    if isinstance(metadata, pikepdf.Stream):
        xml = metadata.read_bytes()
        # the claim as an attribute (WeasyPrint) or as an element (pikepdf, Word)
        xml = re.sub(rb'\s*pdfuaid:part=["\'][^"\']*["\']', b"", xml)
        metadata.write(re.sub(rb"\s*<pdfuaid:part\b[^>]*>[^<]*</pdfuaid:part>", b"", xml))
