"""The YAML reader keeps what officers typed and refuses hostile documents."""

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.inputs.yamlload import parse_yaml


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


# --- the libyaml fast path gives exactly what the pure-Python reader gives ---

from reportgen.inputs import yamlload  # noqa: E402
from conftest import ROOT  # noqa: E402


def _both(monkeypatch, text: str):
    """(fast path result or None, pure-Python Document or the InputError's messages)."""
    fast = yamlload._read_with_libyaml(text)
    with monkeypatch.context() as m:
        m.setattr(yamlload, "_CParser", None)
        try:
            pure = load(text)
        except InputError as exc:
            pure = [str(d) for d in exc.diagnostics]
    return fast, pure


def test_fast_path_reads_every_record_of_the_repository_as_the_pure_reader_does(monkeypatch):
    assert yamlload._CParser is not None, "PyYAML without libyaml: the fast path is not being tested"
    # the styles' YAML, the fixture projects (copies of the samples) and the corpus; never councils/
    files = [*(ROOT / "templates").rglob("*.yaml"), *(ROOT / "tests").rglob("*.yaml")]
    read_fast = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        fast, pure = _both(monkeypatch, text)
        if fast is not None:
            read_fast += 1
            assert not isinstance(pure, list), path
            assert fast == (pure.data, pure.source.marks), path
    assert read_fast >= len(files) // 2


@pytest.mark.parametrize("text", [
    "a: 5.10\nb: [1, {c: ~, d: 'null'}]\ne:\n- x\n- - y\n  - ''\n",
    "title: Item – é\nbody: |\n  line one\n\n  line two\nfolded: >-\n  a\n  b\n",
    "k: \"esc \\u00e9 \\x41\"\nplain: a\n  b\n",
])
def test_fast_path_matches_the_pure_reader(monkeypatch, text):
    fast, pure = _both(monkeypatch, text)
    assert fast is not None and fast == (pure.data, pure.source.marks)


@pytest.mark.parametrize("text", [
    "a: &x 1\n", "a: *x\n", "a: !!str 1\n", "a: 1\na: 2\n", "? [a]\n: b\n", "a:\tb\n", "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n", "a: |#\n  x\n", "a: " + "[" * 45 + "]" * 45 + "\n", "- \n", "a: [b, c?]\n",
    "a: [unclosed\n",
])
def test_unusual_documents_go_to_the_pure_reader(monkeypatch, text):
    fast, _ = _both(monkeypatch, text)
    assert fast is None


def test_without_libyaml_everything_still_works(monkeypatch):
    monkeypatch.setattr(yamlload, "_CParser", None)
    assert load("item: 5.10\nlist: [a, ~]\n").data == {"item": "5.10", "list": ["a", None]}
    test_duplicate_key_is_an_error()


from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = ["a", "b", ":", ": ", "- ", "\n", "  ", "'", '"', "[", "]", "{", "}", ",", "#", " #c", "&x", "*x", "!",
           "|", ">", "|-", "~", "null", "?", "---", "...", "\\", "é", "–", "\u2028", "\x85", "\r\n", "5.10", "%",
           "\ufeff", "\t", "key: value\n", "  - item\n", "x: |\n  text\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_fast_path_never_disagrees_with_the_pure_reader(text):
    fast = yamlload._read_with_libyaml(text)
    if fast is None:
        return
    saved, yamlload._CParser = yamlload._CParser, None
    try:
        pure = load(text)
    finally:
        yamlload._CParser = saved
    assert fast == (pure.data, pure.source.marks)


# -- long records kept, read, in the user's cache folder ---------------------------------------------------

def _long_record() -> str:
    rows = "".join(f"  - {{id: R{i}, text: 'Recommendation number {i}, in full', status: in progress}}\n"
                   for i in range(600))
    return f"title: A long record\nitems:\n{rows}notes: |\n  the last field\n"


def test_a_long_record_read_again_comes_from_the_cache_the_same_in_every_place(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yamlload._kept_folder.cache_clear()
    try:
        text = _long_record()
        assert len(text) >= yamlload.KEEP_FROM_CHARS
        first = load(text)
        (kept,) = (tmp_path / "cache/reportgen/records").glob("*/*.json")
        monkeypatch.setattr(yamlload, "_read_with_libyaml", lambda text: pytest.fail("read from the text again"))
        again = load(text)
        assert (again.data, again.source.marks) == (first.data, first.source.marks)
        assert list(again.source.marks) == list(first.source.marks)
        assert again.source.locate(("items", 599, "status"))[0] == 602  # file:line in messages as ever
        kept.write_text("{not json", encoding="utf-8")  # a damaged cache is read past, never believed
        monkeypatch.undo()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        damaged = load(text)
        assert (damaged.data, damaged.source.marks) == (first.data, first.source.marks)
    finally:
        yamlload._kept_folder.cache_clear()
