"""Any PDF read back into the page model, for `reportgen check`: pdfplumber's text, the structure tree's units.

Text comes from pdfplumber (each run of characters with its marked-content
id, so page furniture and "(continued)" labels are told apart as artifacts);
units come from the structure tree: every table row outside a heading row,
every table with a heading row, and every element with a title (/T, which
reportgen writes from a row's or block's data-title). The page area is the
page's /ArtBox when it has one, else the page itself.
"""

from __future__ import annotations

import io
from collections import defaultdict

import pdfplumber
import pikepdf

from reportgen.pdf.glyphs import missing_glyphs
from reportgen.pdf.pagemodel import Box, Page, Paper, Piece, Run, Unit, first_line_title
from reportgen.pdf.structtree import is_element, kids, marked_content, structure_of, walk

CELLS = ("/TD", "/TH")


def read_back(data: bytes) -> Paper:
    """The page model of a PDF held in memory."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        lang = str(pdf.Root.get("/Lang", "") or "en")
        areas = [_area(page) for page in pdf.pages]
        missing = missing_glyphs(pdf)
        units, owners = _units(pdf)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        pages = []
        pieces: dict[tuple[str, int], list[list[Run]]] = {}
        for number, page in enumerate(plumber.pages):
            found = Page(float(page.width), float(page.height), _top_left(areas[number], page),
                         missing_glyphs=missing.get(number, 0))
            for run, mcid in _runs(page):
                found.runs.append(run)
                for key, cell, width in owners.get((number, mcid), ()) if mcid is not None else ():
                    cells = pieces.setdefault((key, number), [[] for _ in range(width)])
                    cells[cell].append(run)
            found.figures = [Box(float(i["x0"]), float(i["top"]), float(i["x1"]), float(i["bottom"]))
                             for i in page.images]
            pages.append(found)
    for (key, number), cells in sorted(pieces.items(), key=lambda item: item[0][1]):
        piece = Piece(number, tuple(tuple(c) for c in cells))
        if piece.extent() is not None:
            units[key].pieces.append(piece)
    for unit in units.values():
        if unit.kind == "row" and not unit.title:
            unit.title = first_line_title(unit)
    return Paper(pages, [u for u in units.values() if u.pieces], lang)


def _units(pdf) -> tuple[dict[str, Unit], dict[tuple[int, int], list[tuple[str, int, int]]]]:
    """The units of the structure tree, and which (unit, cell, cells in it) each (page, MCID) belongs to."""
    tree = structure_of(pdf)
    units: dict[str, Unit] = {}
    owners: dict[tuple[int, int], list] = defaultdict(list)
    if tree is None:
        return units, owners
    pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
    titled = {e.objgen for e in tree.elements if str(e.get("/T", "")).strip()}
    for element in tree.elements:
        kind = tree.type(element)
        title = " ".join(str(element.get("/T", "")).split())
        in_head = any(tree.type(a) in ("/THead", "/TFoot") for a in tree.ancestors(element)[:2])
        if kind == "/TR" and not in_head:
            cells = [k for k in kids(element) if is_element(k) and tree.type(k) in CELLS]
            parts = [(n, c) for n, c in enumerate(cells)] or [(0, element)]
            unit = Unit(f"u{len(units)}", "row", title)
        elif kind == "/Table" and any(is_element(k) and tree.type(k) == "/THead" for k in kids(element)):
            parts, unit = [(0, element)], Unit(f"u{len(units)}", "table", "")
        elif title and kind not in ("/TR", "/Table"):
            holds = any(tree.type(d) == "/TR" or d.objgen in titled for d in list(walk(element))[1:])
            parts, unit = [(0, element)], Unit(f"u{len(units)}", "group" if holds else "block", title)
        else:
            continue
        units[unit.key] = unit
        for cell, part in parts:
            for page, mcid in marked_content(part):
                if page.objgen in pages:
                    owners[(pages[page.objgen], mcid)].append((unit.key, cell, len(parts)))
    return units, owners


def _area(page) -> tuple[float, float, float, float] | None:
    box = page.obj.get("/ArtBox")
    return tuple(float(v) for v in box) if isinstance(box, pikepdf.Array) and len(box) == 4 else None


def _top_left(area, page) -> Box:
    """The page area in points from the shown page's top left (the whole page when no /ArtBox)."""
    x0, bottom_y, _, top_y = (float(v) for v in page.mediabox)
    if area is None or page.rotation:
        return Box(0.0, 0.0, float(page.width), float(page.height))
    ax0, ay0, ax1, ay1 = area
    return Box(min(ax0, ax1) - x0, top_y - max(ay0, ay1), max(ax0, ax1) - x0, top_y - min(ay0, ay1))


def _runs(page) -> list[tuple[Run, int | None]]:
    """The page's characters joined into runs: one font, size and baseline, one marked-content id."""
    top_y = float(page.mediabox[3])
    runs: list[tuple[Run, int | None]] = []
    current: list = []

    def close():
        if current:
            first = current[0]
            baseline = top_y - first["matrix"][5] if first.get("upright", True) else first["bottom"]
            run = Run(min(c["x0"] for c in current), max(c["x1"] for c in current), baseline,
                      float(first["size"]), "".join(c["text"] for c in current),
                      artifact=first.get("tag") == "Artifact")
            runs.append((run, first.get("mcid")))
            current.clear()

    for char in page.chars:
        if current:
            last = current[-1]
            same = (char.get("mcid") == last.get("mcid") and char.get("tag") == last.get("tag")
                    and char["fontname"] == last["fontname"] and abs(char["size"] - last["size"]) < 0.01
                    and abs(char["matrix"][5] - last["matrix"][5]) < 0.1
                    and -0.5 * char["size"] < char["x0"] - last["x1"] < 0.5 * char["size"])
            if not same:
                close()
        current.append(char)
    close()
    return runs
