"""Property-based tests (issue 5): generated YAML, data and text never crash reportgen or smuggle markup in.

Whatever an officer or a template pack types, the loader, the validator, the
Markdown renderer and the Jinja render either succeed or raise the errors the
CLI reports cleanly (InputError, BuildError); a <script> never survives.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import make_project, tags_of
from reportgen.inputs import models
from reportgen.errors import BuildError, InputError
from reportgen.render.markdown import to_html, to_inline_html
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import Document, SourceMap, parse_yaml

PATH = Path("councils/x/papers/p.yaml")
MODELS = sorted((c for c in vars(models).values()
                 if isinstance(c, type) and issubclass(c, models.Record) and c is not models.Record),
                key=lambda c: c.__name__)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOCATED = re.compile(r"^councils/x/papers/p\.yaml(:\d+(:\d+)?)?: ")

# Pieces of YAML and of hostile text, so that generated documents look like
# what people (and attackers) actually write, not only random characters.
YAML_PIECES = [
    "title", "meeting", "sections", "date", "- ", ": ", ":", "\n", "\n  ", "\n    ", "  ", "\t", "[", "]", "{", "}",
    ", ", "&a ", "*a", "!!python/object:os.system ", "!tag ", "<<: ", "? ", "'", '"', "|\n  ", ">-\n  ", "#", "---\n",
    "...\n", "~", "null", "yes", "No", "5.10", "2013-01-21", "2013-02-30", "0x1F", "\\", "%YAML 1.1\n", "\x00",
    "\x01", "\x85", "\u2028", "\ufeff", "é", "R1", "entries",
]
TEXT_PIECES = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//x>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "[x](javascript:alert(1))", "[x](file:///etc/passwd)", "![i](file:///etc/passwd)", "[x](../../secret)",
    "[x](https://example.org)", "<a href='javascript:x'>a</a>", "<style>*{}</style>", "<link rel=attachment href=x>",
    "{{ 7*7 }}", "{% include 'x' %}", "&lt;script&gt;", "&#60;script&#62;", "`", "```\n", "\n", "\n\n", "    ",
    "- ", "1. ", "> ", "# ", "*", "_", "<", ">", '"', "'", "](", "[", ")", "<!--", "-->", "</p>", "\x00", "\u202e",
    "java\tscript:", "<", "script", ">",
]
yaml_text = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(YAML_PIECES + list("abc \n")), max_size=40).map("".join))
hostile_text = st.one_of(st.text(max_size=120), st.lists(st.sampled_from(TEXT_PIECES + list("ab ")), max_size=25).map("".join))
scalars = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["2013-01-21", "R1", "scrutiny", "text", "1", ""]))
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)


def check_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        assert LOCATED.match(str(d)), str(d)  # every problem says which file, and where when it can


def load_and_validate(raw: bytes) -> None:
    try:
        doc = parse_yaml(raw, PATH)
    except InputError as exc:
        assert exc.diagnostics
        check_diagnostics(exc.diagnostics)
        return
    for model in MODELS:
        value, problems = validate(doc, model)
        assert (value is None) == bool(problems)
        check_diagnostics(problems)


@FAST
@given(yaml_text)
def test_generated_yaml_text(text):
    load_and_validate(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=200))
def test_generated_bytes(raw):
    load_and_validate(raw)


@FAST
@given(structures)
def test_generated_structures(data):
    """Any tree of text, lists and mappings, written out as YAML, read back and validated."""
    text = yaml.safe_dump(data, allow_unicode=True)
    load_and_validate(text.encode("utf-8", "surrogatepass"))
    # Straight to the validator as well, with no source positions at all.
    for model in MODELS:
        _, problems = validate(Document(data, SourceMap(PATH, {})), model)
        check_diagnostics(problems)


@functools.lru_cache(maxsize=None)
def _valid_paper() -> dict:
    from hostile import BASE_PAPER

    return parse_yaml(BASE_PAPER.read_bytes(), PATH).data


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


def _replace(data, path, value):
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replace(data[path[0]], path[1:], value)
    return copy


@FAST
@given(st.data())
def test_mutated_valid_paper(data):
    """A valid paper with one value anywhere replaced by anything: a located message, never a crash."""
    paper = _valid_paper()
    paths = [p for p in _paths(paper) if p]
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(paper, path, data.draw(structures))
    text = yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False)
    load_and_validate(text.encode("utf-8", "surrogatepass"))


# NEL, LS and PS are line breaks to YAML 1.1, and PyYAML writes them unescaped,
# so they cannot round-trip through PyYAML whatever reportgen does.
YAML_LINE_BREAKS = "\x85\u2028\u2029"
plain_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=YAML_LINE_BREAKS),
                     max_size=20)


@FAST
@given(st.dictionaries(plain_text, plain_text, max_size=5))
def test_text_round_trips(data):
    """The failsafe reader keeps every string exactly as written: no YAML 1.1 surprises ('No', '5.10', '~')."""
    doc = parse_yaml(yaml.safe_dump(data, allow_unicode=True).encode(), PATH)
    assert doc.data == data


SAFE_SCHEMES = ("https:", "http:", "mailto:", "#")


def assert_safe_html(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<style" not in lowered and "<img" not in lowered
    for name, attrs in tags_of(html):
        assert name not in ("script", "style", "img", "iframe", "object", "embed", "svg", "base", "meta"), name
        assert not [a for a in attrs if a.startswith("on")], (name, attrs)
        if "href" in attrs and name == "a":
            assert attrs["href"].lower().startswith(SAFE_SCHEMES), attrs["href"]


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_markdown_is_always_safe(text):
    assert_safe_html(str(to_html(text)))
    assert_safe_html(str(to_inline_html(text)))
    assert_safe_html(str(to_html(text, headings=3)))


@pytest.fixture(scope="module")
def sample_view(tmp_path_factory):
    """The tiny council's paper, merged, with its style: what render_html is given."""
    from reportgen.pipeline.gather import gather
    from reportgen.inputs.project import Project

    fixture = make_project(tmp_path_factory.mktemp("props"))
    inputs = gather(Project.at(fixture.project))
    assert not inputs.errors
    ((council, view),) = inputs.papers()
    return council.style, view


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=hostile_text, body=hostile_text, other=hostile_text)
def test_rendered_paper_is_always_safe(sample_view, title, body, other):
    """Every text field replaced by generated text: the page is rendered or BuildError, and stays inert."""
    from reportgen.render.html import render_html

    style, view = sample_view
    paper = view.paper.model_copy(update={
        "title": title, "summary": body, "wards": [other], "report_from": other,
        "recommendations": [body, other],
        "background_documents": [models.BackgroundDocument.model_construct(title=title, location=other)],
    })
    council = view.council.model_copy(update={"name": other})
    committee = view.committee.model_copy(update={"name": title})
    officer = view.authorised_by.model_copy(update={"name": title, "role": other})
    sections = [dataclasses.replace(s, title=title, body=body, paragraphs=[other, body]) for s in view.sections]
    appendices = [dataclasses.replace(a, title=other, record=a.record.model_copy(update={"body": body}))
                  for a in view.appendices]
    hostile = dataclasses.replace(view, paper=paper, council=council, committee=committee, authorised_by=officer,
                                  sections=sections, appendices=appendices)
    try:
        html = render_html(hostile, style)
    except BuildError:
        return
    tags = tags_of(html)
    scripts = [name for name, _ in tags if name in ("script", "iframe", "object", "embed", "img", "svg", "base")]
    assert scripts == []
    links = [attrs for name, attrs in tags if name == "link"]
    assert all(a.get("rel") == "stylesheet" and a["href"].startswith("file://") for a in links)
    assert [n for n, _ in tags].count("style") == 0
    for name, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (name, attrs)
        if name == "a" and "href" in attrs:
            assert attrs["href"].lower().startswith(SAFE_SCHEMES), attrs["href"]


# -- the nesting check's quick filter (inputs/text.py) --------------------------------------------------------

_MARKDOWN_PIECES = st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", ">", "> ", "  ", "    ", "\t", "\n", "\r",
                                    "\r\n", "text", "-", "2013.", " - ", "`", "\\", "***", "\n\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_MARKDOWN_PIECES, max_size=80).map("".join))
def test_the_quick_filter_never_lets_text_nested_too_deeply_past(text):
    """Only text the filter passes is parsed for its depth: so whatever nests past the limit must pass it."""
    from reportgen.inputs.text import MAX_MARKDOWN_DEPTH, _may_nest_deeply, markdown_depth

    if markdown_depth(text) > MAX_MARKDOWN_DEPTH:
        assert _may_nest_deeply(text)


def test_prose_full_of_hyphens_and_numbered_years_is_not_parsed_for_depth():
    from reportgen.inputs.text import _may_nest_deeply

    prose = "In 2012 - 2013. the board met 1. in May, 2. in June - and -- again -- in July. " * 20
    assert not _may_nest_deeply(prose)
    assert _may_nest_deeply("\n".join("  " * level + "- item" for level in range(13)))
    assert _may_nest_deeply(">" * 13 + " quoted")
