"""The YAML reader keeps what officers typed and refuses hostile documents."""

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.yamlload import parse_yaml


def load(text: str):
    return parse_yaml(text.encode(), Path("paper.yaml"))


def messages(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load(text)
    return [str(d) for d in info.value.diagnostics]


def test_no_yaml_1_1_surprises():
    doc = load("item: 5.10\nward: No\nflag: yes\ntime: 10:30\nzip: 012\nempty:\ntilde: ~\n")
    assert doc.data == {"item": "5.10", "ward": "No", "flag": "yes", "time": "10:30", "zip": "012",
                        "empty": None, "tilde": None}


def test_quoted_null_stays_text():
    assert load("a: 'null'\n").data == {"a": "null"}


def test_source_map_gives_key_lines():
    doc = load("title: x\nmeeting:\n  committee: c\n  date: 2013-01-21\nsections:\n  - title: A\n")
    assert doc.source.locate(("meeting", "date")) == (4, 3)
    assert doc.source.locate(("sections", 0, "title")) == (6, 5)
    # An unknown deeper path falls back to the nearest known parent.
    assert doc.source.locate(("meeting", "date", "nope")) == (4, 3)


def test_syntax_error_has_line_and_column():
    (msg,) = messages("title: x\nmeeting: [unclosed\n")
    assert msg.startswith("paper.yaml:3:1: invalid YAML")


def test_duplicate_key_is_an_error():
    (msg,) = messages("title: a\ntitle: b\n")
    assert msg == "paper.yaml:2:1: title: duplicate key 'title' (first given on line 1); keep one"


def test_aliases_and_anchors_are_refused():
    (msg,) = messages("a: &x [1, 2]\nb: *x\n")
    assert "anchors (&name) are not allowed" in msg and msg.startswith("paper.yaml:1:4:")


def test_tags_are_refused():
    (msg,) = messages("a: !!python/object:os.system x\n")
    assert "tags such as 'tag:yaml.org,2002:python/object:os.system' are not allowed" in msg


def test_binary_and_non_utf8():
    with pytest.raises(InputError, match="binary file"):
        parse_yaml(b"a: \x00\x01", Path("x.yaml"))
    with pytest.raises(InputError, match="not UTF-8") as info:
        parse_yaml(b"a: ok\nb: caf\xe9\n", Path("x.yaml"))
    assert info.value.diagnostics[0].line == 2


def test_size_and_depth_caps():
    with pytest.raises(InputError, match="over the 1,048,576-byte limit"):
        parse_yaml(b"a: " + b"x" * (1024 * 1024), Path("x.yaml"))
    with pytest.raises(InputError, match="nesting is deeper than 40 levels"):
        load("a: " + "[" * 60 + "]" * 60)
