"""reportgen.pdf.engine's speed fixes change nothing but speed: same bytes, same results, applied only where measured."""

import sys

import pydyf
import pytest
import weasyprint

from reportgen.pdf import engine as pdf

# A few pages of headings, paragraphs and a table that breaks across pages: many structure elements.
HTML = """<!DOCTYPE html><html lang="en-GB"><head><title>Cache test</title>
<meta name="dcterms.created" content="2013-01-08"><meta name="dcterms.modified" content="2013-01-08">
<style>@page { size: A6 }</style></head><body>
""" + "".join(
    f"<h2>Section {i}</h2><p>Paragraph {i} with <em>some</em> text.</p>" for i in range(12)
) + "<table><thead><tr><th>Item</th><th>Value</th></tr></thead><tbody>" + "".join(
    f"<tr><td>Row {i}</td><td>{i * i}</td></tr>" for i in range(60)
) + "</tbody></table></body></html>"


def _original_property():
    current = pydyf.PDF.__dict__["page_references"]
    return current.original if isinstance(current, pdf._CachedPageReferences) else current


@pytest.fixture
def without_cache(monkeypatch):
    """pydyf as it ships: the cache taken out for the test (monkeypatch puts it back)."""
    monkeypatch.setattr(pydyf.PDF, "page_references", _original_property())


def _render(tagged: bool = True) -> bytes:
    options = {"pdf_variant": pdf.PDF_VARIANT} if tagged else {}
    return weasyprint.HTML(string=HTML).write_pdf(**options)


def test_cached_page_references_give_the_same_pdf(without_cache, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1357603200")
    plain, plain_untagged = _render(), _render(tagged=False)
    assert plain == _render()  # the comparison below means something only if rendering is reproducible
    pdf._cache_page_references()
    assert isinstance(pydyf.PDF.__dict__["page_references"], pdf._CachedPageReferences)
    assert _render() == plain
    assert _render(tagged=False) == plain_untagged


def test_cache_follows_the_page_tree(without_cache):
    original = _original_property()
    pdf._cache_page_references()
    document = pydyf.PDF()
    assert document.page_references == original.__get__(document) == ()
    for count in range(1, 4):
        page = pydyf.Dictionary({"Type": "/Page"})
        document.add_page(page)
        assert document.page_references == original.__get__(document)
        assert len(document.page_references) == count
    assert document.page_references[-1] == f"{page.number} 0 R".encode()
    document.pages["Kids"] = pydyf.Array([])  # a replaced page tree is seen too
    assert document.page_references == ()


def test_cache_is_applied_only_to_the_pydyf_versions_measured(without_cache, monkeypatch):
    monkeypatch.setattr(pydyf, "__version__", "0.14.0")
    pdf._cache_page_references()
    assert isinstance(pydyf.PDF.__dict__["page_references"], property)
    monkeypatch.setattr(pydyf, "__version__", "0.13.0")
    pdf._cache_page_references()
    pdf._cache_page_references()  # idempotent
    cached = pydyf.PDF.__dict__["page_references"]
    assert isinstance(cached, pdf._CachedPageReferences) and isinstance(cached.original, property)


def test_call_on_fresh_stack_is_a_plain_call():
    assert pdf.call_on_fresh_stack(divmod, 17, 5) == (3, 2)
    assert pdf.call_on_fresh_stack(dict, a=1) == {"a": 1}
    with pytest.raises(ZeroDivisionError):
        pdf.call_on_fresh_stack(divmod, 1, 0)
    # Deep recursion inside still works, and still stops at the recursion limit.
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)
    assert pdf.call_on_fresh_stack(depth, 500) == 500
    with pytest.raises(RecursionError):
        pdf.call_on_fresh_stack(depth, sys.getrecursionlimit() + 10)


def test_render_pdf_output_is_unchanged_by_the_fixes(monkeypatch, tmp_path):
    """render_pdf (cache + fresh stack) writes the same PDF as with WeasyPrint and pydyf called as they ship."""
    fixed = pdf.render_pdf(HTML, base_url=tmp_path, allowed_roots=[tmp_path], date_epoch=1357603200)
    assert isinstance(pydyf.PDF.__dict__["page_references"], pdf._CachedPageReferences)
    with monkeypatch.context() as plain_way:
        plain_way.setattr(pydyf.PDF, "page_references", _original_property())
        plain_way.setattr(pdf, "_cache_page_references", lambda: None)
        plain_way.setattr(pdf, "_padded_call", pdf._call)
        plain = pdf.render_pdf(HTML, base_url=tmp_path, allowed_roots=[tmp_path], date_epoch=1357603200)
    assert fixed.pdf == plain.pdf and fixed.pages == plain.pages > 3
