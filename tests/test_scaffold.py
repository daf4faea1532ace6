"""`reportgen new-council`: a starter council that validates and builds at once, in every style."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pdfplumber
import pytest

from conftest import ROOT, SAMPLES
from reportgen.pipeline.build import build
from reportgen.pipeline.gather import gather
from reportgen.errors import InputError
from reportgen.inputs.project import Project
from reportgen.scaffold import new_council

TODAY = dt.date(2013, 3, 1)


def empty_project(root):
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(SAMPLES / "councils/_reference", root / "councils/_reference")
    return Project.at(root)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    """One new council per style, built together once."""
    project = empty_project(tmp_path_factory.mktemp("scaffold") / "project")
    created = {
        style: new_council(project, f"new-{style}", name=f"New {style.title()} Council", style=style, today=TODAY)
        for style in project.style_names()
    }
    report = build(project, None, out_dir=project.root / "out")
    return project, created, report


def test_files_created(scaffolded):
    project, created, _ = scaffolded
    hampshire = created["hampshire"]
    assert hampshire.folder == project.councils_dir / "new-hampshire"
    assert sorted(p.relative_to(hampshire.folder).as_posix() for p in hampshire.files) == [
        "council.yaml", "meetings.yaml", "papers/first-paper.yaml", "progress/progress-2013-03.yaml"]
    assert all(p.is_file() for p in hampshire.files)
    assert "style: hampshire" in (hampshire.folder / "council.yaml").read_text()
    assert not [p for p in project.councils_dir.iterdir() if p.name.startswith(".")], "no staging folder left"


def test_every_style_validates_and_builds_warning_only_of_its_placeholders(scaffolded):
    project, created, report = scaffolded
    assert report.ok, [o.message for o in report.outcomes] + [str(d) for d in report.inputs.diagnostics]
    # Every recommendation has an entry; what only the officer knows is a placeholder, warned about once a file.
    assert all(not d.is_error and "placeholder text" in d.message for d in report.inputs.diagnostics)
    assert sorted({Path(d.file).name for d in report.inputs.diagnostics}) == [
        "council.yaml", "first-paper.yaml", "progress-2013-03.yaml"]
    assert sorted(o.council for o in report.outcomes) == sorted(f"new-{s}" for s in created)
    for outcome in report.outcomes:
        with pdfplumber.open(outcome.files[0]) as pdf:
            first = " ".join(pdf.pages[0].extract_text().split())
            assert "Progress on the Munro recommendations" in first
            assert any(p.width > p.height for p in pdf.pages), "the progress appendix is landscape"


def test_meeting_is_four_weeks_ahead(scaffolded):
    project, _, _ = scaffolded
    (_, view), *_ = gather(project, ["new-barnet"]).papers()
    # Four weeks ahead, moved to the next working day: 29 March 2013 was Good Friday, 1 April Easter Monday.
    assert view.paper.meeting.date == dt.date(2013, 4, 2)


def test_wales_and_quoting(tmp_path):
    project = empty_project(tmp_path / "project")
    new_council(project, "cwm-glas", name='Cyngor "Cwm Glas": Council', style="haringey", nation="Wales", today=TODAY)
    inputs = gather(project, ["cwm-glas"])
    assert not inputs.errors
    (_, view), = inputs.papers()
    assert view.council.nation.value == "Wales"
    assert view.council.name == 'Cyngor "Cwm Glas": Council'


def test_without_reference_data_the_paper_has_no_progress_appendix(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "councils").mkdir()
    project = Project.at(root)
    created = new_council(project, "solo", name="Solo Council", style="base", today=TODAY)
    assert [p.name for p in created.files] == ["council.yaml", "first-paper.yaml", "meetings.yaml"]
    inputs = gather(project, ["solo"])
    assert not inputs.errors
    (_, view), = inputs.papers()
    assert view.appendices == [] and view.review is None


def test_every_problem_reported_at_once_and_nothing_written(tmp_path):
    project = empty_project(tmp_path / "project")
    with pytest.raises(InputError) as caught:
        new_council(project, "Bad_Slug", name=" ", style="hampshir", nation="Scotland")
    messages = [d.message for d in caught.value.diagnostics]
    assert len(messages) == 4
    assert messages[0].startswith("council slug 'Bad_Slug' is not valid: use lowercase letters")
    assert messages[1].startswith("--name is empty")
    assert messages[2].startswith("unknown house style 'hampshir' (did you mean 'hampshire'?); styles available: ")
    assert all(f"'{s}'" in messages[2] for s in project.style_names())
    assert messages[3] == "unknown nation 'Scotland'; expected one of 'England', 'Wales'"
    assert [p.name for p in project.councils_dir.iterdir()] == ["_reference"]


def test_refuses_an_existing_council(tmp_path):
    project = empty_project(tmp_path / "project")
    new_council(project, "east", name="East Council", style="barnet", today=TODAY)
    before = (project.councils_dir / "east/council.yaml").read_text()
    with pytest.raises(InputError) as caught:
        new_council(project, "east", name="Another", style="hampshire")
    assert "councils/east already exists" in str(caught.value)
    assert (project.councils_dir / "east/council.yaml").read_text() == before


def test_cli(run_cli, tmp_path):
    project = empty_project(tmp_path / "project")
    result = run_cli("-C", project.root, "new-council", "north-downs", "--name", "North Downs District Council",
                     "--style", "hampshire", cwd=project.root)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "councils/north-downs/council.yaml"
    assert "Created council 'north-downs'" in result.err

    result = run_cli("-C", project.root, "new-council", "north-downs", "--name", "X", "--style", "nope")
    assert result.code == 1
    assert "already exists" in result.err and "unknown house style 'nope'" in result.err
    assert "Traceback" not in result.err


def test_the_starter_calendar_is_due_cleanly(scaffolded):
    from reportgen.meetings.due import due_report

    project, created, _ = scaffolded
    report = due_report(project, ["new-hampshire"], today=TODAY, within=60)
    assert report.diagnostics == []
    (meeting,) = report.meetings
    assert meeting.meeting.date.weekday() < 5 and meeting.ready
