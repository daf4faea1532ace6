"""Machine checks for a tagged PDF: the gate every paper passes before it replaces the last good one.

Two layers: the `page` PDF/UA-1 validator (page-validation, pinned), and
reportgen's own reading of the structure tree for what that validator lets
through (a table split into one Table per page, header cells without scope,
page furniture tagged as content, headings that skip a level). Automated
checks find only part of the problems, so the verdict is "machine checks
passed", never "accessible".
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

from reportgen.errors import ReportgenError
from reportgen.pdf.structtree import StructTree, attribute, is_element, kids, parent_tree, structure_of, walk

VALIDATOR = "page-validation"


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str


@dataclass
class CheckReport:
    validator: str = ""
    rules_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    layout: list = field(default_factory=list)  # the proof's findings on the pages read back (check_file only)

    def layout_failed(self, strict: bool = False) -> bool:
        """Lost text in the pages (under --strict, any layout finding)."""
        from reportgen.pdf.proof import errors

        return bool(errors(self.layout, strict))

    @property
    def passed(self) -> bool:
        return not self.findings

    def findings_text(self, limit: int | None = None) -> str:
        """The findings on one line, as every message about a failed gate shows them."""
        shown = self.findings[:limit] if limit else self.findings
        more = "; ..." if limit and len(self.findings) > limit else ""
        return "; ".join(f"[{f.rule}] {f.message}" for f in shown) + more

    def verdict(self) -> str:
        if self.passed:
            return "machine checks passed (automated checks find only part of the problems; review by a person still needed)"
        return f"machine checks failed: {len(self.findings)} problem(s)"

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "verdict": self.verdict(),
            "validator": self.validator,
            "rules_checked": self.rules_checked,
            "findings": [{"rule": f.rule, "message": f.message} for f in self.findings],
            "facts": self.facts,
            "layout": [f.as_dict() for f in self.layout],
        }





def _validate(data: bytes, report: CheckReport) -> None:
    from importlib.metadata import version

    import page

    report.validator = f"{VALIDATOR} {version(VALIDATOR)} (PDF/UA-1)"
    try:
        result = page.validate_pdf_bytes(data, profile=page.ValidationProfile.PDF_UA_1)
    except page.PageError as exc:  # e.g. a cyclic structure tree deeper than its safety limit
        report.findings.append(Finding("validator", f"the PDF/UA-1 validator could not read this file ({exc})"))
        return
    report.rules_checked = result.rules.total
    for failure in result.failures:
        report.findings.append(Finding(failure.rule_id, failure.message))


def _dictionary(value) -> Dictionary:
    return value if isinstance(value, Dictionary) else Dictionary()


def _structure(pdf: pikepdf.Pdf, report: CheckReport) -> None:
    add = lambda rule, message: report.findings.append(Finding(rule, message))  # noqa: E731
    root = pdf.Root
    tree = structure_of(pdf)
    if tree is None or not _dictionary(root.get("/MarkInfo")).get("/Marked", False):
        add("tagged", "the PDF is not tagged: screen readers cannot follow it")
        return
    lang = str(root.get("/Lang", ""))
    report.facts["language"] = lang
    if not lang:
        add("language", "no document language (/Lang)")
    title = str(pdf.docinfo.get("/Title", ""))
    report.facts["title"] = title
    if not title:
        add("title", "no document title")
    if not _dictionary(root.get("/ViewerPreferences")).get("/DisplayDocTitle", False):
        add("title", "the window shows the file name, not the title (DisplayDocTitle)")
    for problem in tree.problems:
        add("structure", problem)

    kinds = [tree.type(e) for e in tree.elements]
    headings = [int(k[2]) for k in kinds if len(k) == 3 and k.startswith("/H") and k[2].isdigit()]
    report.facts["headings"] = len(headings)
    if headings and headings[0] != 1:
        add("headings", f"the first heading is H{headings[0]}, not H1")
    for before, after in zip(headings, headings[1:]):
        if after > before + 1:
            add("headings", f"heading level skips from H{before} to H{after}")
            break

    with pdf.open_outline() as outline:
        bookmarks = _count(outline.root)
    report.facts["bookmarks"] = bookmarks
    if bookmarks < len(headings):
        add("bookmarks", f"{len(headings)} headings but only {bookmarks} bookmarks")

    tables = tree.of_type("/Table")
    report.facts["tables"] = len(tables)
    for number, table in enumerate(tables, 1):
        cells = _own_parts(tree, table)
        headers = [c for c in cells if tree.type(c) == "/TH"]
        if not headers:
            add("tables", f"table {number} has no header cells")
        unscoped = [h for h in headers if attribute(h, "/Scope") is None]
        if unscoped:
            add("tables", f"table {number}: {len(unscoped)} header cell(s) without /Scope")
        heads = [c for c in cells if tree.type(c) == "/THead"]
        if len(heads) > 1:
            add("tables", f"table {number} has its heading row {len(heads)} times; it should be tagged once")
    _split_tables(tables, tree, pdf, add)

    for figure in tree.of_type("/Figure"):
        if not str(figure.get("/Alt", "")).strip():
            add("images", "an image has no alternative text")

    reachable = {e.objgen for e in tree.elements}
    orphans = 0
    for value in parent_tree(tree.root).values():
        for element in (value if isinstance(value, Array) else [value]):
            if is_element(element) and element.objgen not in reachable:
                orphans += 1
    if orphans:
        add("artifacts", f"{orphans} piece(s) of content (running headers, page numbers) are tagged "
                         "but not in the structure tree; they should be artifacts")


def _own_parts(tree: StructTree, table) -> list:
    """A table's elements, without those of a table inside one of its cells (a pasted table in a response)."""
    found, seen = [table], {table.objgen}
    stack = [kid for kid in reversed(kids(table)) if is_element(kid)]
    while stack:  # one walk, not entering an inner table (whose element is still the outer one's part)
        node = stack.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        found.append(node)
        if tree.type(node) != "/Table":
            stack.extend(kid for kid in reversed(kids(node)) if is_element(kid))
    return found


def _split_tables(tables, tree: StructTree, pdf, add) -> None:
    """A table continued on the next page as a new Table with the same columns (WeasyPrint #2903).

    The sign: a Table that opens its page (nothing but its own ancestors
    comes before it there) right after a Table with as many header columns
    ended on the page before.
    """
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    elements = tree.elements
    order = {e.objgen: i for i, e in enumerate(elements)}

    def opens_page(table, page):
        above = {a.objgen for a in tree.ancestors(table)}
        return all(e.objgen in above or page_of(e) != page for e in elements[: order[table.objgen]])

    def page_of(element):
        pg = element.get("/Pg")
        return pages.get(pg.objgen) if pg is not None else None

    def columns(table):
        head = next((c for c in walk(table) if tree.type(c) == "/THead"), None)
        return len([c for c in walk(head) if tree.type(c) == "/TH"]) if head is not None else None

    for first, second in zip(tables, tables[1:]):
        a, b = page_of(first), page_of(second)
        last_page_of_first = max((page_of(e) or 0) for e in walk(first))
        if a is not None and b is not None and b == last_page_of_first + 1 and columns(first) \
                and columns(first) == columns(second) and opens_page(second, b):
            add("tables", f"the table on page {a + 1} continues on page {b + 1} as a separate table; "
                          "a table should be one Table however many pages it spans")


def _count(items) -> int:
    return sum(1 + _count(item.children) for item in items)


def qpdf_message(exc: Exception) -> str:
    """qpdf's message without the in-memory stream it names ("<_io.BytesIO object at 0x…>"): only what is wrong."""
    return re.sub(r"(stream )?<_io\.BytesIO object at 0x[0-9a-f]+>:?\s*", "", str(exc))[:200]


def check_file(path: Path, layout: bool = True) -> CheckReport:
    """Check a PDF file, its pages' layout too (read back); a file that is not a PDF is the user's mistake."""
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise ReportgenError(f"{path}: this is not a PDF file (it has no %PDF- header); "
                             "`reportgen check` checks PDF files, such as the papers in output/")
    report = check_pdf(data)
    if layout and not any(f.rule == "file" for f in report.findings):
        from reportgen.pdf.proof import prove
        from reportgen.pdf.readback import read_back

        report.layout = prove(read_back(data))
    return report


def check_pdf(data: bytes) -> CheckReport:
    """Run every machine check on a PDF held in memory."""
    report = CheckReport()
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            report.facts["pages"] = len(pdf.pages)
            _structure(pdf, report)
    except pikepdf.PasswordError:
        report.findings.append(Finding("file", "the PDF is password-protected, so it cannot be checked"))
        return report
    except pikepdf.PdfError as exc:
        report.findings.append(Finding("file", f"not a readable PDF: {qpdf_message(exc)}"))
        return report
    _validate(data, report)
    return report
