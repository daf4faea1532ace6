"""The leak check: proof that no exempt part reached a public file, read back from the file's own bytes.

The render model is the guarantee (the public template never receives an
exempt part); this check is its proof, run on every public version before
it is written. It reads what a reader or a search engine would: the PDF's
text as decoded through its fonts' ToUnicode maps, page by page and across
page breaks; its metadata and XMP; its bookmarks; the alt and actual text of
its structure tree; annotation contents; attachment names; every other
string in the file; the public HTML's text and attribute values; and the
pixels of every image, against the exempt figures' pixels. A raw byte
search would miss text in a font's encoding and images re-encoded.

Text is compared as "keys": Unicode-normalised (NFKC), case-folded, with
every character that is not a letter or a digit removed, so line and page
breaks, hyphenation, soft hyphens and typographic quotes do not hide a
match. An exempt text is searched for by every run of WINDOW consecutive
words in it, so a sentence copied in part is found too; a text shorter than
that (a title) whole, from SHORT_KEY letters and digits.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pikepdf

from reportgen.errors import BuildError
from reportgen.merge.exempt import Withheld
from reportgen.render.markdown import to_html

WINDOW = 8  # words: eight exempt words in a row in a public file are a copy, not a coincidence
SHORT_KEY = 12  # a text of fewer words (a title) is searched for whole, from this many letters and digits
_TAG = re.compile(r"<[^>]+>")
_DATA_URI = re.compile(r"data:image/[a-z+.-]+;base64,([A-Za-z0-9+/=]+)")


def key(text: str) -> str:
    """Text as compared: normalised, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@dataclass(frozen=True)
class Needle:
    """One phrase of an exempt part to search for, and the part it belongs to (for the message)."""

    key: str
    shown: str
    part: str


def needles(withheld: tuple[Withheld, ...]) -> list[Needle]:
    """Every run of WINDOW words of every exempt part's texts (Markdown rendered to its words first)."""
    found: dict[str, Needle] = {}
    for part in withheld:
        where = f"{part.kind} {part.number}"
        for text in part.texts:
            words = _html.unescape(_TAG.sub(" ", str(to_html(text)))).split()
            runs = [" ".join(words[i:i + WINDOW]) for i in range(max(1, len(words) - WINDOW + 1))]
            for run in runs:
                if len(key(run)) >= SHORT_KEY:
                    found.setdefault(key(run), Needle(key(run), run, where))
    return list(found.values())


def pixel_hash(image) -> str:
    """The hash of an image's decoded pixels (as RGB), whatever its file format or PDF encoding."""
    rgb = image.convert("RGB")
    return hashlib.sha256(f"{rgb.size}".encode() + rgb.tobytes()).hexdigest()


def figure_hashes(withheld: tuple[Withheld, ...]) -> dict[str, str]:
    """Pixel hash -> the exempt part, for each exempt raster image (an SVG has no pixels: its words are checked)."""
    from PIL import Image

    hashes = {}
    for part in withheld:
        for path in part.images:
            if Path(path).suffix.lower() == ".svg" or not Path(path).is_file():
                continue
            with Image.open(path) as image:
                hashes[pixel_hash(image)] = f"{part.kind} {part.number} ({Path(path).name})"
    return hashes


MIN_STREAM = 64  # bytes: content streams shorter than this ("q", "Q") are in every page, not a page's own


def page_fingerprints(pdf: bytes) -> set[str]:
    """The hashes of every page's decoded content streams: a page copied into another PDF (and stamped there,
    which adds streams of its own) keeps them."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {f for page in doc.pages for f in _page_fingerprints(page)}


def _page_fingerprints(page) -> list[str]:
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    data = [s.read_bytes() for s in streams]
    return [hashlib.sha256(d).hexdigest() for d in data if len(d) >= MIN_STREAM]


def require_no_leak(withheld: tuple[Withheld, ...], *, what: str, **files) -> None:
    """A BuildError naming where each leak is, when `find_leaks` finds any: then nothing is written."""
    leaks = find_leaks(withheld, **files)
    if leaks:
        shown = "; ".join(leaks[:5]) + ("; ..." if len(leaks) > 5 else "")
        raise BuildError(f"exempt information found in {what}, so nothing of it was written: {shown}. Take the "
                         "exempt words out of the public parts (or mark those parts exempt too); if the records "
                         "do not repeat them, report it: a template printed them")


def find_leaks(withheld: tuple[Withheld, ...], *, pdf: bytes | None = None, html: bytes | None = None,
               exempt_pages: dict[str, str] | None = None) -> list[str]:
    """Where each exempt phrase, image or page turns up in the public PDF and HTML; empty when none does.

    `exempt_pages` maps page fingerprints (`page_fingerprints`) of exempt attachments to their titles.
    """
    search = _Search(needles(withheld))
    images = figure_hashes(withheld)
    if pdf is not None:
        _search_pdf(pdf, search, images, exempt_pages or {})
    if html is not None:
        _search_html(html.decode("utf-8", "replace"), search, images)
    return list(dict.fromkeys(search.leaks))


@dataclass
class _Search:
    needles: list[Needle]
    leaks: list[str] = field(default_factory=list)

    def text(self, text: str, where: str) -> bool:
        """Report each needle found in `text` as in `where`; whether any was."""
        return self.keyed(key(text), where)

    def keyed(self, keyed: str, where: str) -> bool:
        """Report the first run of each exempt part found in `keyed` (one copied sentence holds many)."""
        hits = {}
        for n in self.needles:
            if n.key in keyed:
                hits.setdefault(n.part, n)
        self.leaks += [f"{where}: text of the exempt {n.part} (“{_short(n.shown)}”)" for n in hits.values()]
        return bool(hits)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _search_pdf(pdf: bytes, search: _Search, images: dict[str, str], exempt_pages: dict[str, str]) -> None:
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            pages.append(_readings(page.chars))
    found = set()
    for number, (whole, _) in enumerate(pages, 1):
        search.keyed(whole, f"the public PDF's text, page {number}")
        found |= {n.key for n in search.needles if n.key in whole}
    # Across a break the running header and footer (artifacts) come between the two halves: leave them out.
    across = _Search([n for n in search.needles if n.key not in found])
    across.keyed("|".join("".join(p[1][i] for p in pages) for i in range(2)), "the public PDF's text, across a "
                 "page break")
    search.leaks += across.leaks
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        _search_objects(doc, search)
        checked: set = set()
        for number, page in enumerate(doc.pages, 1):
            title = next((exempt_pages[f] for f in _page_fingerprints(page) if f in exempt_pages), None)
            if title:
                search.leaks.append(f"the public PDF's page {number}: a page of the exempt attachment “{title}”")
            for name, image in _page_images(page):
                if image.objgen in checked:
                    continue
                checked.add(image.objgen)
                part = images.get(_image_hash(image))
                if part:
                    search.leaks.append(f"the public PDF's page {number}: image {name} has the pixels of the "
                                        f"exempt {part}")


def _readings(chars: list[dict]) -> tuple[str, tuple[str, str]]:
    """A page's text keyed two ways, all of it (for the page) and without artifacts (for joining pages).

    The two ways: in the order the page draws its characters (a table cell's lines stay together, where a
    reading line by line interleaves the cells of a row), and line by line from the top (text drawn out of
    order, e.g. stamped over the page afterwards, in the order a reader sees it).
    """
    def read(chosen):
        lines = sorted(chosen, key=lambda c: (round(c["top"] / 2), c["x0"]))
        return key("".join(c["text"] for c in chosen)), key("".join(c["text"] for c in lines))

    content = [c for c in chars if c.get("tag") != "Artifact"]
    return "|".join(read(chars)), read(content)


def _search_objects(doc: pikepdf.Pdf, search: _Search) -> None:
    """Metadata, XMP, bookmarks, structure (alt text), annotations, attachments: each named; then every string."""
    for name, value in doc.docinfo.items():
        search.text(str(value), f"the public PDF's metadata ({name})")
    if "/Metadata" in doc.Root:
        search.text(doc.Root.Metadata.read_bytes().decode("utf-8", "replace"), "the public PDF's XMP metadata")
    with doc.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            search.text(item.title or "", "the public PDF's bookmarks")
            stack += list(item.children)
    for number, page in enumerate(doc.pages, 1):
        for annot in page.obj.get("/Annots", []):
            for entry in ("/Contents", "/TU", "/T", "/RC"):
                if entry in annot:
                    search.text(str(annot[entry]), f"the public PDF's page {number}: annotation {entry[1:]}")
    for name, spec in doc.attachments.items():
        search.text(f"{name} {spec.description or ''} {spec.filename or ''}", "the public PDF's attachment names")
    strings: dict[str, list[str]] = {"/Alt": [], "/ActualText": [], "/E": [], "other": []}
    for obj in doc.objects:
        _strings(obj, strings, depth=0)
    for entry in ("/Alt", "/ActualText", "/E"):
        search.text(" | ".join(strings[entry]), f"the public PDF's {entry[1:]} text (structure tree)")
    search.text(" | ".join(strings["other"]), "a string in the public PDF")


def _strings(obj, found: dict[str, list[str]], depth: int, at: str = "other") -> None:
    """Every string in an object, filed under the dictionary key it was found at (alt text, actual text...)."""
    if depth > 40:
        return
    if isinstance(obj, pikepdf.String):
        found[at if at in found else "other"].append(str(obj))
    elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        if obj.is_indirect and depth:
            return  # reached on its own from doc.objects
        for name in obj.keys():
            _strings(obj[name], found, depth + 1, name)
    elif isinstance(obj, pikepdf.Array):
        if obj.is_indirect and depth:
            return
        for item in obj:
            _strings(item, found, depth + 1, at)


def _page_images(page) -> list[tuple[str, pikepdf.Object]]:
    """The page's image XObjects, those inside its form XObjects too."""
    found, stack, visited = [], [page.obj.get("/Resources")], set()
    while stack:
        resources = stack.pop()
        if not isinstance(resources, pikepdf.Dictionary) or "/XObject" not in resources:
            continue
        for name, xobject in resources.XObject.items():
            if xobject.objgen in visited:
                continue
            visited.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image":
                found.append((name, xobject))
            elif xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))
    return found


def _image_hash(xobject) -> str | None:
    try:
        return pixel_hash(pikepdf.PdfImage(xobject).as_pil_image())
    except Exception:  # noqa: BLE001 - an image pikepdf cannot decode has no pixels to compare; its words are checked
        return None


class _HtmlText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value) for name, value in attrs if value]

    def handle_data(self, data):
        self.text.append(data)


def _search_html(html: str, search: _Search, images: dict[str, str]) -> None:
    parser = _HtmlText()
    parser.feed(html)
    search.text(" ".join(parser.text), "the public HTML's text")
    for tag, name, value in parser.attributes:
        if not value.startswith("data:"):
            search.text(value, f"the public HTML's <{tag} {name}>")
    from PIL import Image

    for encoded in _DATA_URI.findall(html):
        try:
            with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
                part = images.get(pixel_hash(image))
        except Exception:  # noqa: BLE001 - SVG or undecodable: no pixels to compare
            continue
        if part:
            search.leaks.append(f"the public HTML: an embedded image has the pixels of the exempt {part}")
