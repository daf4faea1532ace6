"""Printed wording (statuses, headings, markers) as data: the council's, then the style's, then the built-in.

Templates call `label('government_response')`; a council's `labels:` in
council.yaml wins over its style's `labels:` in style.yaml (a child style's
over its parent's), which wins over the built-in wording below. A later
language catalogue goes last, after the built-in wording, without templates changing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from reportgen.errors import did_you_mean

PLACEHOLDERS = {"council": "the council's short name", "review": "the review's short title"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

LabelText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _label(default: str, what: str) -> object:
    return Field(default=default, description=what)


class Labels(BaseModel):
    """`labels:` in council.yaml or style.yaml: wording printed in papers, each defaulting to the value shown.

    A label may contain `{council}` (the council's short name) and `{review}`
    (the review's short title).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    recommendation: LabelText = _label("Recommendation", "The recommendation, as a heading.")
    rationale: LabelText = _label("Rationale", "The review's reasoning, e.g. \"{review}'s argument\".")
    government_response: LabelText = _label("Government response", "The Government's response.")
    timescale: LabelText = _label("Timescale", "When the Government said it would act.")
    council_response: LabelText = _label("{council} response", "The council's response.")
    timeline: LabelText = _label("Timeline", "The council's timeline.")
    lead_officers: LabelText = _label("Lead officers", "The lead officers, as a heading.")
    status: LabelText = _label("Progress", "The council's progress status, as a heading.")
    lead: LabelText = _label("Lead", "Before the lead officers' names in a table cell (\"Lead: ...\").")
    target: LabelText = _label("Target", "Before a target date (\"Target: ...\").")
    overdue: LabelText = _label("Overdue", "The marker on a target date passed by the record's `as_at`.")
    no_update: LabelText = _label("No update given.", "In place of a council response the record does not give.")
    not_yet_published: LabelText = _label(
        "Not yet published.", "In place of a Government response published after the record's `as_at`.")
    accepted: LabelText = _label("Accepted", "Government response status `accepted`.")
    accepted_in_principle: LabelText = _label(
        "Accepted in principle", "Government response status `accepted in principle`.")
    further_consideration: LabelText = _label(
        "Further consideration", "Government response status `further consideration`.")
    rejected: LabelText = _label("Rejected", "Government response status `rejected`.")
    not_started: LabelText = _label("Not started", "Progress status `not started`.")
    in_progress: LabelText = _label("In progress", "Progress status `in progress`.")
    ongoing: LabelText = _label("Ongoing", "Progress status `ongoing`.")
    complete: LabelText = _label("Complete", "Progress status `complete`.")
    not_applicable: LabelText = _label("Not applicable", "Progress status `not applicable`.")

    @field_validator("*")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {{{name}}}{did_you_mean(name, PLACEHOLDERS)}; a label may use "
                                 + " and ".join(f"{{{p}}} ({what})" for p, what in PLACEHOLDERS.items()))
        return value


def label_key(key: object) -> str:
    """The label name for a key or a status (`accepted in principle` -> `accepted_in_principle`)."""
    text = key.value if isinstance(key, Enum) else str(key)
    return text.replace(" ", "_")


@dataclass(frozen=True)
class LabelLookup:
    """`label(key, review=...)` in templates: the first layer that sets the label, else the built-in wording."""

    layers: tuple[Labels, ...]  # the council's first, then each style's, child before parent
    values: dict[str, str] = field(default_factory=dict)  # placeholder values

    def __call__(self, key: object, **values: str) -> str:
        name = label_key(key)
        if name not in Labels.model_fields:
            raise ValueError(f"no label '{name}'{did_you_mean(name, Labels.model_fields)}; "
                             "the labels are listed in docs/template-variables.md (Labels)")
        text = next((getattr(layer, name) for layer in self.layers if name in layer.model_fields_set),
                    Labels.model_fields[name].default)
        filled = {**self.values, **{k: str(v) for k, v in values.items()}}
        return _PLACEHOLDER.sub(lambda m: filled.get(m[1], m[0]), text)
