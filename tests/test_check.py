"""`reportgen check`: the machine accessibility checks on PDFs made elsewhere, or by reportgen."""

from __future__ import annotations

import json

import pikepdf
import pytest

PASSED = "machine checks passed (automated checks find only part of the problems; review by a person still needed)"


@pytest.mark.samples
def test_a_built_paper_passes(run_cli, haringey_pdf, tmp_path):
    result = run_cli("check", haringey_pdf, cwd=tmp_path)
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    assert lines[0] == f"{haringey_pdf}: {PASSED}"
    assert lines[1].startswith("  validator: page-validation") and lines[1].endswith(" rules")
    assert "language: en-GB" in lines[2] and "title: Progress report on the implementation" in lines[2]
    data = json.loads(run_cli("check", haringey_pdf, "--json").out)
    assert data[str(haringey_pdf)]["passed"] is True and data[str(haringey_pdf)]["findings"] == []


@pytest.mark.samples
def test_an_untagged_pdf_fails_with_what_is_wrong(run_cli, haringey_pdf, tmp_path):
    untagged = tmp_path / "untagged.pdf"
    with pikepdf.open(haringey_pdf) as pdf:
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/MarkInfo"]
        pdf.save(untagged)
    result = run_cli("check", haringey_pdf, untagged, cwd=tmp_path)
    assert result.code == 1
    assert f"{haringey_pdf}: {PASSED}" in result.out  # each file gets its own verdict
    report = result.out[result.out.index(f"{untagged}: "):]
    assert report.startswith(f"{untagged}: machine checks failed: ")
    assert "\n  - [" in report and "Traceback" not in result.out + result.err


def test_a_file_that_is_not_a_pdf_fails(run_cli, tmp_path):
    text = tmp_path / "minutes.txt"
    text.write_text("Minutes of the meeting\n")
    result = run_cli("check", text, cwd=tmp_path)
    assert result.code == 1
    assert str(text) in result.out + result.err and "Traceback" not in result.out + result.err


def test_a_missing_file_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("check", tmp_path / "nowhere.pdf", cwd=tmp_path)
    assert result.code == 2
    assert "nowhere.pdf" in result.err and "does not exist" in result.err
