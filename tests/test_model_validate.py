"""`validate` on the new parts of the data model: groups, optional meeting, joint leads, labels, timelines."""

import pytest

from model_project import check, edit, model_project, where

MATRIX = "councils/riverside/papers/matrix-response.yaml"
RECORD = "councils/riverside/progress/fr-2022-06.yaml"
COUNCIL = "councils/riverside/council.yaml"


@pytest.fixture
def project(tmp_path):
    return model_project(tmp_path / "project")


def problems(project, errors=True):
    inputs = check(project)
    found = inputs.errors if errors else inputs.warnings
    return [(where(d, project), d.message) for d in found]


def test_the_fixture_is_clean(project):
    inputs = check(project)
    assert not inputs.errors
    assert [d.key for d in inputs.warnings] == ["entries.FR4.target_date"]  # the overdue target of the other record


def test_unknown_id_in_a_group_is_an_error_with_its_line(project):
    edit(project / MATRIX, "[FR4, FR2]", "[FR4, FR9]")
    ((at, message),) = problems(project)
    assert at == f"{MATRIX}:9: body.groups[0].recommendations[1]"
    assert message.startswith("no recommendation 'FR9' in the review 'Family Review'") and "FR1 to FR5" in message


def test_an_id_in_two_groups_is_an_error_naming_the_first(project):
    edit(project / MATRIX, "[FR3, FR1]", "[FR3, FR1, FR4]")
    ((at, message),) = problems(project)
    assert at == f"{MATRIX}:11: body.groups[1].recommendations[2]"
    assert message == "'FR4' is already in group 1 ('Our priority 1: people'); list each recommendation once"


def test_a_recommendation_in_no_group_is_a_warning_unless_omitted(project):
    edit(project / MATRIX, "  omit: [FR5]\n", "")
    assert (f"{MATRIX}:7: body.groups", "FR5 is in no group, so the paper leaves it out; add it to a group, "
            "or list it under `omit:`") in problems(project, errors=False)


def test_no_meeting_needs_a_prepared_date(project):
    edit(project / MATRIX, "prepared: 2022-06-30\n", "")
    ((at, message),) = problems(project)
    assert at.startswith(f"{MATRIX}:") and "a paper with no `meeting:` needs `prepared:`" in message


def test_a_paper_with_no_content_says_so(project):
    text = (project / MATRIX).read_text()
    (project / MATRIX).write_text(text[:text.index("body:")])
    ((_, message),) = problems(project)
    assert message == "the paper has no content: give `sections:`, `appendices:` or a `body:`"


def test_joint_leads_are_checked_against_the_council(project):
    edit(project / RECORD, "[priya-nair, ama-osei]", "[priya-nair, ama-osie]")
    ((at, message),) = problems(project)
    assert at == f"{RECORD}:9: entries.FR2.lead_officers[1]"
    assert message.startswith("no officer 'ama-osie' in council.yaml (did you mean 'ama-osei'?)")


def test_one_lead_and_joint_leads_together_is_an_error(project):
    edit(project / RECORD, "    lead_officers: [priya-nair, ama-osei]\n",
         "    lead_officers: [priya-nair, ama-osei]\n    lead_officer: tom-hale\n")
    ((at, message),) = problems(project)
    assert at.startswith(f"{RECORD}:") and "either `lead_officer: id`" in message


def test_an_over_long_timeline_says_where_the_detail_goes(project):
    edit(project / RECORD, "and a note of any month missed and why.", "and more" * 120)
    ((at, message),) = problems(project)
    assert at == f"{RECORD}:12: entries.FR3.timeline"
    assert "at most 1000 fit its column" in message and "put the detail in `response`" in message


def test_an_unknown_label_is_an_error_with_a_suggestion(project):
    edit(project / COUNCIL, "  accepted: Accept", "  acepted: Accept")
    ((at, message),) = problems(project)
    assert at == f"{COUNCIL}:20: labels.acepted" and "did you mean 'accepted'?" in message


def test_an_unknown_placeholder_in_a_style_label_is_an_error(project):
    edit(project / "templates/fixture-matrix/style.yaml", "{review} reasoning", "{reveiw} reasoning")
    ((at, message),) = problems(project)
    assert at == "templates/fixture-matrix/style.yaml:7: labels.rationale"
    assert "unknown placeholder {reveiw} (did you mean 'review'?)" in message


def test_a_part_listed_twice_is_an_error(project):
    edit(project / MATRIX, "timeline, lead_officers]", "timeline, lead_officers, timeline]")
    ((at, message),) = problems(project)
    assert at == f"{MATRIX}:13: body.parts" and "repeated: timeline" in message
