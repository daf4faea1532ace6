"""Incremental builds: only what changed is rendered, and nothing unchanged is rewritten."""

import os

import pytest

from conftest import copy_project
from reportgen.build import build
from reportgen.project import Project


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "p", ("northmoor", "glanmor"))


def run(project, out, **options):
    report = build(Project.at(project), out_dir=out, jobs=1, **options)
    assert report.ok, [o.message for o in report.outcomes]
    return {o.council: o for o in report.outcomes}


def stamps(out):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.pdf")}


def test_nothing_changed_nothing_rendered_or_rewritten(project, tmp_path):
    out = tmp_path / "out"
    first = run(project, out)
    assert all(o.rendered and o.status == "written" for o in first.values())
    before = stamps(out)
    os.utime(project / "councils/northmoor/papers/munro-update.yaml")  # touched, not changed
    again = run(project, out)
    assert not any(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}
    assert stamps(out) == before


def test_editing_one_record_rebuilds_only_its_papers(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    paper = project / "councils/northmoor/papers/munro-update.yaml"
    paper.write_text(paper.read_text().replace("This report updates", "This report brings up to date"))
    again = run(project, out)
    assert again["northmoor"].rendered and again["northmoor"].status == "written"
    assert not again["glanmor"].rendered


def test_editing_shared_reference_data_rebuilds_every_paper_that_uses_it(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    reference = project / "councils/_reference/munro-2011.yaml"
    reference.write_text(reference.read_text() + "\n# reviewed\n")
    again = run(project, out)
    assert all(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}  # same bytes: nothing rewritten


def test_editing_a_shared_style_rebuilds_every_paper_using_it(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    css = project / "templates/haringey/style.css"
    css.write_text(css.read_text() + "\nh2 { letter-spacing: 0.01em; }\n")
    again = run(project, out)
    assert all(o.rendered and o.status == "written" for o in again.values())


def test_a_new_council_override_file_is_noticed(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    (project / "councils/glanmor/templates").mkdir()
    (project / "councils/glanmor/templates/style.css").write_text(":root { --header-fill: #dddddd; }\n")
    again = run(project, out)
    assert again["glanmor"].rendered and again["glanmor"].status == "written"
    assert not again["northmoor"].rendered


def test_a_damaged_output_is_rebuilt(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    (pdf,) = (out / "northmoor").glob("*.pdf")
    pdf.write_bytes(b"not a pdf")
    again = run(project, out)
    assert again["northmoor"].status == "written"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_force_renders_everything(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    again = run(project, out, force=True)
    assert all(o.rendered for o in again.values())
