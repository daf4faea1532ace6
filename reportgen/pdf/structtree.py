"""The one reader of tagged PDFs' structure trees: elements, attributes, classes, role map, cycles.

Every module that looks at a structure tree (the repair, the gate, the
merger, the attachment intake) reads it through here, because other
producers write what WeasyPrint never does: attributes (/A) and classes (/C)
as an array with revision numbers (Chromium, LibreOffice), role maps with
identity entries (/Table -> /Table) and custom types, and, in broken files,
cycles. A cycle is reported as a problem of the file, never followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from pikepdf import Array, Dictionary, Name

from reportgen.pdf.trees import leaves

# ISO 32000-1 (PDF 1.7, the base of PDF/UA-1), 14.8.4: the standard structure types.
STANDARD_TYPES = frozenset(
    "/" + name for name in (
        "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private "
        "P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot "
        "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP "
        "Figure Formula Form"
    ).split()
)


def kids(element) -> list:
    """An element's /K entries as a list: elements, marked-content ids, MCR and OBJR dictionaries."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def _key(obj):
    """What identifies an element: its object number; a direct object cannot be reached twice."""
    return obj.objgen if obj.is_indirect else None


def walk(element) -> Iterator:
    """The element and every structure element below it, in document order, each once.

    A child is read only after its parent has been handed out, so a caller may
    change an element's /K before the walk goes below it. An element met again
    (a cycle, or one shared by two parents) is not followed again.
    """
    for node, _ in _walk_with_pages(element):
        yield node


def _walk_with_pages(element) -> Iterator[tuple]:
    """walk(), with the page each element's content is on (its /Pg, or the nearest ancestor's)."""
    seen: set = set()
    stack = [(element, None)]
    while stack:
        node, inherited = stack.pop()
        key = _key(node)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        page = node.get("/Pg")
        page = page if isinstance(page, Dictionary) else inherited
        yield node, page
        stack.extend((kid, page) for kid in reversed(kids(node)) if is_element(kid))


def marked_content(element) -> list[tuple]:
    """(page, MCID) of the marked content of the element and its descendants, in document order."""
    found = []
    for node, page in _walk_with_pages(element):
        for kid in kids(node):
            if isinstance(kid, int) and page is not None:
                found.append((page, int(kid)))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR and isinstance(kid.get("/MCID"), int):
                kid_page = kid.get("/Pg")
                if isinstance(kid_page, Dictionary) or page is not None:
                    found.append((kid_page if isinstance(kid_page, Dictionary) else page, int(kid.MCID)))
    return found


def _dictionaries(value) -> list[Dictionary]:
    """A dictionary, or the dictionaries of an array that may hold revision numbers between them."""
    if isinstance(value, Dictionary):
        return [value]
    if isinstance(value, Array):
        return [v for v in value if isinstance(v, Dictionary)]
    return []


def attributes(element) -> list[Dictionary]:
    """The attribute objects of an element's /A: one dictionary, or an array (revision numbers skipped)."""
    return _dictionaries(element.get("/A"))


def attribute(element, key: str, owner: str | None = None):
    """The value of attribute `key` (of `owner`, e.g. "/Table", when given) in the element's /A; None if absent."""
    for attrs in attributes(element):
        if key in attrs and (owner is None or attrs.get("/O") == Name(owner)):
            return attrs[key]
    return None


def set_attribute(element, key: str, value, owner: str) -> None:
    """Set attribute `key` of `owner` in the element's /A, whichever form /A has (dictionary or array)."""
    for attrs in attributes(element):
        if attrs.get("/O") == Name(owner):
            attrs[key] = value
            return
    new = Dictionary({"/O": Name(owner), key: value})
    current = element.get("/A")
    if isinstance(current, Array):
        current.append(new)
    elif isinstance(current, Dictionary):
        element.A = Array([current, new])
    else:
        element.A = new


def class_names(element) -> list[str]:
    """The class names of an element's /C: one name, or an array (revision numbers skipped)."""
    value = element.get("/C")
    if isinstance(value, Name):
        return [str(value)]
    if isinstance(value, Array):
        return [str(v) for v in value if isinstance(v, Name)]
    return []


@dataclass
class RoleMap:
    """A structure tree's /RoleMap: custom types mapped, perhaps in steps, to standard ones."""

    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, tree_root) -> RoleMap:
        mapping = tree_root.get("/RoleMap") if tree_root is not None else None
        if not isinstance(mapping, Dictionary):
            return cls()
        return cls({str(k): str(v) for k, v in mapping.items() if isinstance(v, Name)})

    @property
    def identities(self) -> list[str]:
        """Entries that map a type to itself (LibreOffice writes /Table -> /Table): meaningless, not cycles."""
        return sorted(k for k, v in self.entries.items() if k == v)

    def chain(self, name: str) -> tuple[list[str], bool]:
        """The types `name` maps through, and whether the chain loops back on itself."""
        chain = [name]
        while chain[-1] not in STANDARD_TYPES:
            target = self.entries.get(chain[-1])
            if target is None or target == chain[-1]:
                return chain, False
            if target in chain:
                return chain, True
            chain.append(target)
        return chain, False

    def standard(self, name: str) -> str | None:
        """The standard type `name` stands for; None when it maps to none (unknown, or a cycle)."""
        chain, loops = self.chain(name)
        return chain[-1] if not loops and chain[-1] in STANDARD_TYPES else None

    def cycles(self) -> list[list[str]]:
        """Each loop of the role map once, e.g. [["/A", "/B", "/A"]]."""
        found: dict[frozenset, list[str]] = {}
        for name in sorted(self.entries):
            chain, loops = self.chain(name)
            if loops:
                start = chain.index(self.entries[chain[-1]])
                loop = chain[start:]
                found.setdefault(frozenset(loop), loop + [loop[0]])
        return list(found.values())


@dataclass
class StructTree:
    """A tagged PDF's structure tree as read once: its elements in order, their parents, its problems."""

    root: Dictionary
    role_map: RoleMap
    elements: list = field(default_factory=list)  # every element reachable from the root, each once
    problems: list[str] = field(default_factory=list)  # cycles and shared elements: the file is broken
    _parents: dict = field(default_factory=dict)  # element key -> its parent element (or the root)

    def type(self, element) -> str:
        """The element's standard type through the role map ("/H1"), or its own /S when it maps to none."""
        own = str(element.get("/S"))
        return self.role_map.standard(own) or own

    def parent(self, element):
        """The element the tree walk found `element` under (the root for a top element)."""
        key = _key(element)
        return self._parents.get(key) if key is not None else element.get("/P")

    def ancestors(self, element) -> list:
        """The element's ancestors, nearest first, up to (not including) the root."""
        found, parent = [], self.parent(element)
        while is_element(parent) and len(found) <= len(self.elements):
            found.append(parent)
            parent = self.parent(parent)
        return found

    def of_type(self, *types: str) -> list:
        return [e for e in self.elements if self.type(e) in types]


def _describe(element) -> str:
    number = f" (object {element.objgen[0]})" if element.is_indirect else ""
    return f"a {element.get('/S')} element{number}"


def read_tree(root) -> StructTree:
    """Read a StructTreeRoot once, in document order, noting (never following) cycles and shared elements."""
    tree = StructTree(root, RoleMap.of(root))
    on_path: set = set()
    done: set = set()
    stack: list = [(top, root, False) for top in reversed(kids(root)) if is_element(top)]
    while stack:
        node, parent, leaving = stack.pop()
        key = _key(node)
        if leaving:
            on_path.discard(key)
            done.add(key)
            continue
        if key is not None and key in on_path:
            tree.problems.append(f"the structure tree has a cycle: {_describe(node)} contains itself")
            continue
        if key is not None and key in done:
            tree.problems.append(f"{_describe(node)} is in the structure tree twice (under two parents)")
            continue
        tree.elements.append(node)
        if key is not None:
            tree._parents[key] = parent
            on_path.add(key)
            stack.append((node, parent, True))
        stack.extend((kid, node, False) for kid in reversed(kids(node)) if is_element(kid))
    for loop in tree.role_map.cycles():
        tree.problems.append(f"the role map has a cycle: {' -> '.join(loop)}")
    return tree


def structure_of(pdf) -> StructTree | None:
    """The structure tree of an open PDF; None when it has none."""
    root = pdf.Root.get("/StructTreeRoot")
    return read_tree(root) if isinstance(root, Dictionary) else None


def parent_tree(root) -> dict[int, object]:
    """The /ParentTree number tree flattened: key -> element or array of elements."""
    tree = root.get("/ParentTree") if root is not None else None
    return {int(key): value for key, value in leaves(tree, "/Nums") if isinstance(key, int)}
