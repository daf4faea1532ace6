"""docs/template-variables.md is generated from the code and must stay equal to it."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from reportgen.inputs import models
from reportgen.pipeline.gather import gather
from reportgen.inputs.project import Project
from reportgen.render.html import CONTEXT_VARIABLES, context
from reportgen.render.schema_docs import UNDESCRIBED, blocks, generate, reachable_types

COMMITTED = ROOT / "docs/template-variables.md"


def test_committed_reference_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == generate(), (
        "docs/template-variables.md is out of date: run `make docs` and commit the result")


def test_nothing_undescribed():
    assert "UNDESCRIBED" not in generate(), UNDESCRIBED


@pytest.mark.samples
def test_documented_variables_are_exactly_the_context(sample_project):
    (council, view), *_ = gather(Project.at(sample_project), ["haringey"]).papers()
    assert list(context(view, council.style)) == list(CONTEXT_VARIABLES)


def test_every_model_field_has_a_description():
    roots = [annotation for annotation, _ in CONTEXT_VARIABLES.values()]
    for cls in reachable_types(roots):
        if isinstance(cls, type) and issubclass(cls, models.BaseModel):
            for name, info in cls.model_fields.items():
                assert info.description, f"{cls.__name__}.{name} has no description"


def test_house_styles_guide_lists_every_base_block():
    guide = (ROOT / "docs/house-styles.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_]+)` \|", guide, flags=re.M)
    base_blocks = blocks(ROOT / "templates/base/paper.html")
    assert [b for b in listed if b in base_blocks] == base_blocks


def test_type_names_read_well():
    text = generate()
    assert "| `lead_officers` | list of [Officer](#officer) |" in text
    assert "| `summary` | Markdown or none | optional |" in text
    assert "| `style` | identifier | required |" in text
