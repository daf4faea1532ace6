"""A paper states the Government's response as it stood on its record's as_at, and flags overdue targets."""

import pytest

from model_project import build_one, check, edit, model_project, pdf_text, row_of, table_rows, where

PAPER = "councils/riverside/papers/asat-update.yaml"
RECORD = "councils/riverside/progress/fr-2022-02.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = model_project(tmp_path_factory.mktemp("asat") / "project")
    path = build_one(project, tmp_path_factory.mktemp("out"), "asat-update")
    return pdf_text(path), table_rows(path)


@pytest.fixture
def project(tmp_path):
    return model_project(tmp_path / "project")


def test_updates_after_as_at_are_left_out(built):
    text, rows = built
    fr1 = row_of(rows, r"recommendation 1:")
    assert "Funding for the first hubs was announced" in fr1  # September 2021: before 15 February 2022
    assert "Hub guidance" not in text  # May 2022: after the record's as_at


def test_status_change_after_as_at_is_left_out(built):
    text, rows = built
    fr2 = row_of(rows, r"recommendation 2:")
    assert "Consider further" in fr2  # the status before March 2022, in the council's wording
    assert "agreed to fund mediation" not in text and "Accept " not in fr2


def test_overdue_target_is_marked_in_the_paper(built):
    _, rows = built
    assert "Overdue" in row_of(rows, r"recommendation 4:")
    for settled in (r"recommendation 3:", r"recommendation 5:", r"recommendation 1:"):
        assert "Overdue" not in row_of(rows, settled)


def test_overdue_target_is_a_warning_naming_both_dates(project):
    inputs = check(project)
    (warning,) = [d for d in inputs.warnings if "overdue" in d.message]
    assert where(warning, project) == f"{RECORD}:19: entries.FR4.target_date"
    assert "2022-01-31" in warning.message and "2022-02-15" in warning.message
    assert not inputs.errors


def test_record_after_the_meeting_is_a_warning_with_both_dates(project):
    edit(project / RECORD, "as_at: 2022-02-15", "as_at: 2022-05-02")
    (warning,) = [d for d in check(project).warnings if "after the meeting" in d.message]
    assert where(warning, project) == f"{PAPER}:14: appendices[0].progress"
    assert "2022-05-02" in warning.message and "2022-04-07" in warning.message


def test_record_older_than_the_previous_meeting_is_a_warning_with_both_dates(project):
    edit(project / RECORD, "as_at: 2022-02-15", "as_at: 2022-01-10")
    (warning,) = [d for d in check(project).warnings if "previous meeting" in d.message]
    assert where(warning, project) == f"{PAPER}:14: appendices[0].progress"
    assert "2022-01-10" in warning.message and "2022-01-20" in warning.message


def test_no_response_printed_before_it_was_published(project, tmp_path):
    edit(project / RECORD, "as_at: 2022-02-15", "as_at: 2021-05-01")
    html = build_one(project, tmp_path / "out", "asat-update", fmt="html").read_text(encoding="utf-8")
    assert "Not yet published" in html and "The Government will fund hubs" not in html


def test_a_progress_appendix_prints_the_papers_groups_in_order(project, tmp_path):
    edit(project / PAPER, "    progress: fr-2022-02\n", "    progress: fr-2022-02\n    groups:\n"
         "      - title: Staff first\n        recommendations: [FR5, FR4]\n"
         "      - title: Then families\n        recommendations: [FR2, FR1, FR3]\n")
    html = build_one(project, tmp_path / "out", "asat-update", fmt="html").read_text(encoding="utf-8")
    order = ["<h3>Staff first</h3>", '-rec-FR5"', '-rec-FR4"', "<h3>Then families</h3>",
             '-rec-FR2"', '-rec-FR1"', '-rec-FR3"']
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions) and html.count("<table class=\"progress-table\"") == 2
