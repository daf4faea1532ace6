"""A published paper is never overwritten: changes become revisions beside it."""

import hashlib

import pytest

from conftest import copy_project
from reportgen.pipeline.build import build
from reportgen.errors import InputError
from reportgen.inputs.project import Project
from reportgen.meetings.publication import publish

PAPER = "councils/northmoor/papers/munro-update.yaml"
NAME = "2012-10-15-childrens-scrutiny-munro-update"


@pytest.fixture
def published(tmp_path):
    import datetime as dt

    project = copy_project(tmp_path / "p")
    out = tmp_path / "out"
    assert build(Project.at(project), out_dir=out, jobs=1).ok
    (item,) = publish(out, "northmoor", "munro-update", dt.date(2012, 10, 5), root=Project.at(project).root)
    assert item.revision == 0 and item.output.name == f"{NAME}.pdf"
    return project, out, hashlib.sha256(item.output.read_bytes()).hexdigest()


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(project, old, new):
    path = project / PAPER
    path.write_text(path.read_text().replace(old, new))


def test_a_change_after_publication_is_refused_and_the_paper_kept(published):
    project, out, original = published
    edit(project, "This report updates", "This report brings up to date")
    report = build(Project.at(project), out_dir=out, jobs=1)
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    assert "was published on 2012-10-05 and has changed since" in outcome.message
    assert "add under `revisions:` in " in outcome.message and outcome.message.endswith(
        f"{PAPER} the date and a note of what changed")
    assert digest(out / f"northmoor/{NAME}.pdf") == original


def test_a_revision_is_written_beside_the_published_paper(published):
    project, out, original = published
    edit(project, "This report updates", "This report brings up to date")
    (project / PAPER).write_text((project / PAPER).read_text()
                                 + "revisions:\n  - date: 2012-10-09\n    note: Wording of section 1 corrected.\n")
    report = build(Project.at(project), out_dir=out, jobs=1)
    assert report.ok
    assert sorted(p.name for p in (out / "northmoor").glob("*.pdf")) == [f"{NAME}-rev1.pdf", f"{NAME}.pdf"]
    assert digest(out / f"northmoor/{NAME}.pdf") == original
    import pdfplumber

    with pdfplumber.open(out / f"northmoor/{NAME}-rev1.pdf") as pdf:
        text = " ".join(pdf.pages[0].extract_text().split())
    assert "Revised version 1, 9 October 2012. Wording of section 1 corrected." in text


def test_publishing_needs_a_current_build(published, tmp_path):
    project, out, _ = published
    with pytest.raises(InputError, match="no built paper 'nope'"):
        import datetime as dt

        publish(out, "northmoor", "nope", dt.date(2012, 10, 5), root=Project.at(project).root)


def test_publish_command(published, run_cli):
    project, out, _ = published
    result = run_cli("-C", project, "publish", "northmoor", "munro-update", "--on", "2012-10-05", "--out", out)
    assert result.code == 0
    assert result.out.strip().startswith("published (original):")


def test_build_due_builds_only_what_meetings_need(tmp_path, run_cli):
    project = copy_project(tmp_path / "p", ("northmoor", "glanmor"))
    out = tmp_path / "out"
    result = run_cli("-C", project, "build", "--due", "--today", "2013-02-01", "--out", out, cwd=project)
    assert result.code == 0, result.err
    assert [p.parent.name for p in out.rglob("*.pdf")] == ["glanmor"]  # northmoor's meeting is long past
    nothing = run_cli("-C", project, "build", "--due", "--today", "2014-01-01", "--out", out, cwd=project)
    assert nothing.code == 0 and "nothing to build" in nothing.err
