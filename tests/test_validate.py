"""Every validation problem is reported at file:line with the key path and what was expected."""

from pathlib import Path

from reportgen.inputs.models import Council, Paper, Progress
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import parse_yaml

PAPER = """\
title: A paper
meeting:
  committee: cyp
  date: {date}
sections:
  - title: One
    body: Text
"""


def problems(text: str, model=Paper) -> list[str]:
    doc = parse_yaml(text.encode(), Path("p.yaml"))
    value, found = validate(doc, model)
    assert value is None
    return [str(d) for d in found]


def test_valid_paper_converts_text_to_types():
    doc = parse_yaml(PAPER.format(date="2013-01-21").encode(), Path("p.yaml"))
    paper, found = validate(doc, Paper)
    assert found == []
    assert paper.meeting.date.isoformat() == "2013-01-21"
    assert paper.wards == ["All"]


def test_bad_date():
    assert problems(PAPER.format(date="21/01/2013")) == [
        "p.yaml:4:3: meeting.date: expected a date written YYYY-MM-DD, e.g. 2013-01-21; got '21/01/2013'"
    ]


def test_unknown_field_suggests_the_nearest_name():
    text = PAPER.format(date="2013-01-21") + "report_typ: for information\n"
    assert problems(text) == [
        "p.yaml:8:1: report_typ: unknown field 'report_typ' (did you mean 'report_type'?); "
        "put fields of your own under 'extra:'"
    ]


def test_unknown_field_inside_an_appendix():
    text = PAPER.format(date="2013-01-21") + "appendices:\n  - type: progress\n    title: T\n    progres: x\n"
    found = problems(text)
    assert "p.yaml:11:5: appendices[0].progres: unknown field 'progres' (did you mean 'progress'?)" in found
    assert any("appendices[0].progress: missing required field 'progress'" in f for f in found)


def test_unknown_appendix_type():
    text = PAPER.format(date="2013-01-21") + "appendices:\n  - type: lst\n    title: T\n"
    assert problems(text) == [
        "p.yaml:9:5: appendices[0]: unknown type 'lst'; expected one of 'changes', 'list', 'progress', "
        "'recommendations', 'summary', 'text' (did you mean 'list'?)"
    ]


def test_enum_value_with_suggestion():
    text = "name: X\nstyle: haringey\nnation: england\ncommittees:\n  - id: c\n    name: C\n"
    assert problems(text, Council) == [
        "p.yaml:3:1: nation: expected one of 'England', 'Wales'; got 'england' (did you mean 'England'?)"
    ]


def test_missing_required_field_says_what_it_is():
    found = problems("meeting:\n  committee: cyp\n  date: 2013-01-21\nsections:\n  - title: One\n")
    assert found == ["p.yaml:1:1: title: missing required field 'title': Title of the paper."]


def test_all_problems_in_one_run():
    text = "title: T\nmeeting:\n  committee: Bad Id\n  date: soon\nsections: 3\nwards: []\n"
    found = problems(text)
    assert len(found) == 4
    assert found[0].startswith("p.yaml:3:3: meeting.committee: expected a short identifier")


def test_progress_status_enum():
    text = "reference: munro-2011\nas_at: 2012-12-28\nentries:\n  R1:\n    response: x\n    status: done\n"
    (msg,) = problems(text, Progress)
    assert msg.startswith("p.yaml:6:5: entries.R1.status: expected one of 'complete', 'in progress'")


def test_a_list_where_a_mapping_is_expected():
    assert problems("- a\n- b\n") == ["p.yaml:1:1: expected a mapping of fields (Paper), found list"]
