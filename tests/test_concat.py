"""The PDF merger on its own: bytes in, bytes out; one structure tree, the caller's bookmarks, page labels."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from conftest import outline_of
from reportgen.pdf.concat import Bookmark, Source, concat

ATTACHMENTS = Path(__file__).resolve().parent / "fixtures/attachments"


def with_pdfua_claim(path: Path) -> bytes:
    with pikepdf.open(path) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
            xmp["pdfuaid:part"] = "1"
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


@pytest.fixture(scope="module")
def sources() -> list[Source]:
    survey = with_pdfua_claim(ATTACHMENTS / "chromium.pdf")
    minutes = (ATTACHMENTS / "libreoffice.pdf").read_bytes()
    return [Source(survey, "Survey"), Source(minutes, "Minutes"), Source(survey, "Scan", tagged=False)]


OUTLINE = [Bookmark("Item 1", 0, (0,)), Bookmark("Item 2", 1, (Bookmark("The minutes", 1, (1,)),)), Bookmark("Scan", 2)]


def test_pages_parts_and_the_callers_bookmarks(sources):
    merged = concat(sources, OUTLINE)
    assert (merged.pages, merged.starts) == (3, (0, 1, 2))
    with pikepdf.open(io.BytesIO(merged.pdf)) as pdf:
        assert outline_of(pdf) == [
            ("Item 1", 1, []),  # the survey has no bookmarks of its own
            ("Item 2", 2, [("The minutes", 2, [("Minutes of the previous meeting", 2, [
                ("Actions agreed", 2, []), ("Attendance", 2, [])])])]),
            ("Scan", 3, []),
        ]
        assert [page.label for page in pdf.pages] == ["1", "2", "3"]
        tree = pdf.Root.StructTreeRoot
        (document,) = list(tree.K)
        assert [(str(p.S), str(p.T)) for p in document.K] == [("/Part", "Survey"), ("/Part", "Minutes")]
        parents = [page.obj.get("/StructParents") for page in pdf.pages]
        assert parents[2] is None and parents[0] != parents[1]  # the untagged copy points into no tree
        assert {str(k): str(v) for k, v in tree.RoleMap.items()} == {"/Standard": "/P"}  # identities left out
        ids = [bytes(k) for k in list(tree.IDTree.Names)[::2]]
        assert ids and all(i.startswith(b"p0-node") for i in ids)
        with pdf.open_metadata() as xmp:
            assert "pdfuaid:part" not in xmp  # an untagged source: no PDF/UA claim


def test_all_tagged_keeps_the_claim_and_the_same_input_gives_the_same_bytes(sources):
    tagged = sources[:2]
    first, second = concat(tagged, [0, 1]), concat(tagged, [0, 1])
    assert first.pdf == second.pdf
    with pikepdf.open(io.BytesIO(first.pdf)) as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        assert [t for t, _, _ in outline_of(pdf)] == ["Minutes of the previous meeting"]


def test_nothing_to_merge_is_refused():
    with pytest.raises(ValueError, match="nothing to merge"):
        concat([], [])
