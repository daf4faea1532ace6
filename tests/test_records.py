"""reportgen.inputs.records: a council's YAML files and the reference data, read into typed records."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLES
from reportgen.inputs.project import Project
from reportgen.inputs.records import read_council, read_references


@pytest.fixture
def project(tiny_project, monkeypatch):
    monkeypatch.chdir(tiny_project)  # messages name files from where reportgen runs
    return tiny_project


def test_a_council_is_read_into_typed_records(project):
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert diagnostics == []
    assert (records.slug, records.folder) == ("tiny", project / "councils/tiny")
    assert records.council.model.committees[0].name == "Scrutiny Panel"
    assert list(records.papers) == ["update"] and list(records.progress) == ["p2013"]
    assert records.papers["update"].model.meeting.date.isoformat() == "2013-01-21"
    assert records.papers["update"].source.file == project / "councils/tiny/papers/update.yaml"


def test_records_are_named_by_file_in_order_and_drafts_are_skipped(project):
    papers = project / "councils/tiny/papers"
    paper = (papers / "update.yaml").read_text()
    (papers / "b-second.yml").write_text(paper)
    (papers / "a-first.yaml").write_text(paper)
    (papers / ".draft.yaml").write_text("not: [valid\n")  # editors' and hidden files are not records
    (papers / "notes.txt").write_text("not a record")
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert diagnostics == []
    assert list(records.papers) == ["a-first", "b-second", "update"]


def test_every_problem_in_every_file_is_reported_at_once(project):
    council = project / "councils/tiny"
    (council / "papers/update.yaml").write_text(
        (council / "papers/update.yaml").read_text().replace("date: 2013-01-21", "date: 21/01/2013")
        .replace("title: Munro update", "title: Munro update\nsumary: x"))
    progress = council / "progress/p2013.yaml"
    progress.write_text(progress.read_text().replace("status: complete", "status: done", 1))
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert records is None
    assert [str(d) for d in diagnostics] == [
        "councils/tiny/papers/update.yaml:3:1: sumary: unknown field 'sumary' (did you mean 'summary'?); "
        "put fields of your own under 'extra:'",
        "councils/tiny/papers/update.yaml:6:3: meeting.date: expected a date written YYYY-MM-DD, e.g. 2013-01-21; "
        "got '21/01/2013'",
        "councils/tiny/progress/p2013.yaml:8:5: entries.R1.status: expected one of 'complete', 'in progress', "
        "'not applicable', 'not started', 'ongoing'; got 'done'",
    ]


def test_no_council_yaml_and_no_progress_folder(project):
    shutil.rmtree(project / "councils/tiny/progress")
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert diagnostics == [] and records.progress == {}
    shutil.move(project / "councils/tiny/council.yaml", project / "council.yaml")
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert records is None
    assert [str(d) for d in diagnostics] == ["councils/tiny/council.yaml: cannot read file: No such file or directory"]


def test_a_records_folder_linked_from_elsewhere_is_refused(project, tmp_path):
    progress = project / "councils/tiny/progress"
    shutil.move(progress, tmp_path / "elsewhere")
    progress.symlink_to(tmp_path / "elsewhere")
    records, diagnostics = read_council(Project.at(project), "tiny")
    assert records is None
    assert [str(d) for d in diagnostics] == [
        f"councils/tiny/progress: this folder is a symbolic link to {tmp_path / 'elsewhere'}; records must be real "
        "files in the council's folder (copy them in instead)"]


def test_reference_files_are_read_by_name_and_a_bad_one_reported(project):
    reference = project / "councils/_reference"
    shutil.copy(SAMPLES / "councils/_reference/munro-2011.yaml", reference / "munro-copy.yaml")
    (reference / "broken.yaml").write_text("title: A review\n")
    references, diagnostics = read_references(Project.at(project))
    assert sorted(references) == ["munro-2011", "munro-copy"]
    assert references["munro-copy"].model.recommendations[14].id == "R15"
    assert {(d.key, d.line) for d in diagnostics} == {
        ("short_title", 1), ("published", 1), ("themes", 1), ("recommendations", 1)}
    assert all(d.file == reference / "broken.yaml" for d in diagnostics)
