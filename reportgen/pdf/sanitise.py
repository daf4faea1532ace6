"""Active content taken out of a PDF: scripts, actions that run or send things, embedded files, rich media.

A council must never republish a third party's active content, so an
attachment loses everything here before it goes into a pack; web links
(URI actions) and links within the document stay. What was removed is
returned in words, for the pack's report.
"""

from __future__ import annotations

from collections import Counter

import pikepdf
from pikepdf import Array, Dictionary, Name

from reportgen.pdf.structtree import kids, structure_of
from reportgen.pdf.trees import leaves

# Actions that run code, start programs, send or load data, or open embedded files (ISO 32000-1, 12.6.4).
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a /Launch action (starts a program or opens a file)",
    "/SubmitForm": "a /SubmitForm action (sends form data)",
    "/ImportData": "an /ImportData action (loads form data from a file)",
    "/GoToE": "a /GoToE action (opens an embedded file)",
    "/Rendition": "a /Rendition action (plays media, may run JavaScript)",
    "/RichMediaExecute": "a /RichMediaExecute action",
}
# Annotations that carry files or media players.
ACTIVE_ANNOTATIONS = {
    "/FileAttachment": "an embedded file (file attachment annotation)",
    "/RichMedia": "rich media (an embedded player)",
    "/Screen": "a media player (screen annotation)",
    "/Movie": "a movie",
    "/Sound": "a sound",
    "/3D": "a 3D model",
}
ACTION_KEYS = ("/A", "/Next", "/OpenAction")
SAFE_URI_SCHEMES = ("http:", "https:", "mailto:", "tel:", "ftp:")


def sanitise(pdf: pikepdf.Pdf) -> list[str]:
    """Remove every piece of active content from an open PDF, in place; what was removed, in words."""
    removed: Counter[str] = Counter()
    _catalog(pdf, removed)
    gone = _annotations(pdf, removed)
    for obj in pdf.objects:
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            _actions(obj, removed, set())
    if gone:
        _unlink_structure(pdf, gone)
    return [f"{what} ({count})" if count > 1 else what for what, count in sorted(removed.items())]


def _catalog(pdf: pikepdf.Pdf, removed: Counter) -> None:
    root = pdf.Root
    action = root.get("/OpenAction")
    if action is not None:
        kind = action.get("/S") if isinstance(action, Dictionary) else None
        removed["an /OpenAction (" + (ACTIVE_ACTIONS.get(str(kind), "go to a page") if kind != Name.URI
                                      else "open a web address") + ")"] += 1
        del root["/OpenAction"]
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        if "/JavaScript" in names:
            removed["document-level JavaScript"] += 1
            del names["/JavaScript"]
        if "/EmbeddedFiles" in names:
            for name in _file_names(names.EmbeddedFiles):
                removed[f"an embedded file '{name}'"] += 1
            del names["/EmbeddedFiles"]
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary) and "/XFA" in form:
        removed["an XFA form (scriptable)"] += 1
        del form["/XFA"]
    for key, what in (("/Collection", "a portfolio (embedded files)"), ("/AF", "associated (embedded) files")):
        if key in root:
            removed[what] += 1
            del root[key]


def _annotations(pdf: pikepdf.Pdf, removed: Counter) -> set:
    """Remove annotations that carry files or media; the object numbers of those removed."""
    gone = set()
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not isinstance(annots, Array):
            continue
        kept = []
        for annot in annots:
            what = ACTIVE_ANNOTATIONS.get(str(annot.get("/Subtype"))) if isinstance(annot, Dictionary) else None
            if what is None:
                kept.append(annot)
                continue
            removed[what] += 1
            if annot.is_indirect:
                gone.add(annot.objgen)
        if len(kept) != len(annots):
            page.obj.Annots = Array(kept)
    return gone


def _actions(obj, removed: Counter, seen: set) -> None:
    """Remove additional actions (/AA) and active actions from one object and the direct objects in it."""
    if "/AA" in obj:
        removed["additional actions (/AA: scripts run on opening, closing, focus ...)"] += 1
        del obj["/AA"]
    for key in ACTION_KEYS:
        action = obj.get(key)
        if isinstance(action, Dictionary) and _is_active(action):
            for what in _chain(action):  # an action's /Next actions go with it
                removed[what] += 1
            del obj[key]
    if obj.get("/S") == Name.JavaScript or "/JS" in obj:
        for key in ("/JS", "/S"):
            if key in obj:
                del obj[key]
    for value in (obj.values() if isinstance(obj, Dictionary) else obj.stream_dict.values()):
        if isinstance(value, Dictionary) and not value.is_indirect and id(value) not in seen:
            seen.add(id(value))
            _actions(value, removed, seen)
        elif isinstance(value, Array) and not value.is_indirect:
            for item in value:
                if isinstance(item, Dictionary) and not item.is_indirect:
                    _actions(item, removed, seen)


def _chain(action: Dictionary) -> list[str]:
    """The active actions of an action and those it leads on to (/Next), in words."""
    found, seen = [], set()
    while isinstance(action, Dictionary) and not (action.is_indirect and action.objgen in seen):
        if action.is_indirect:
            seen.add(action.objgen)
        if _is_active(action):
            scheme = str(action.get("/URI", "")).split(":")[0][:20]
            found.append(ACTIVE_ACTIONS.get(str(action.get("/S")), f"a link to a '{scheme}:' address"))
        following = action.get("/Next")
        action = following[0] if isinstance(following, Array) and len(following) else following
    return found


def _is_active(action: Dictionary) -> bool:
    kind = str(action.get("/S"))
    if kind in ACTIVE_ACTIONS:
        return True
    if kind == "/URI":  # a web link stays, unless its address is a script
        uri = str(action.get("/URI", "")).strip().lower()
        return ":" in uri.split("/")[0] and not uri.startswith(SAFE_URI_SCHEMES)
    return False


def _file_names(tree) -> list[str]:
    """The names in an /EmbeddedFiles name tree."""
    return sorted(str(name) for name, _ in leaves(tree, "/Names"))


def _unlink_structure(pdf: pikepdf.Pdf, gone: set) -> None:
    """Structure elements must not point at removed annotations."""
    tree = structure_of(pdf)
    if tree is None:
        return
    for element in tree.elements:
        children = kids(element)
        kept = [k for k in children if not (isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR
                                            and isinstance(k.get("/Obj"), Dictionary) and k.Obj.objgen in gone)]
        if len(kept) != len(children):
            element.K = Array(kept)
