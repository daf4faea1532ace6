"""Printed wording (statuses, headings, markers) as data: the council's labels, then its style's, then base's.

Templates call `label('government_response')`. The wording is looked up in
the council's `labels:` (council.yaml), then in each style's `labels:`
(style.yaml), the style's before its parent's, down to the root style
(`templates/base/style.yaml`), whose labels are the built-in wording and name
every label there is. A later language catalogue goes after the root style
without templates changing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Iterable, Mapping

from pydantic import AfterValidator, StringConstraints

from reportgen.errors import did_you_mean

PLACEHOLDERS = {
    "council": "the council's short name", "review": "the review's short title",
    # the wording of exempt parts (docs/exempt.md)
    "part": "the part withheld", "paragraph": "its paragraph of Schedule 12A",
    "schedule_part": "the Part of Schedule 12A", "number": "the part's number",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _known_placeholders(value: str) -> str:
    for name in _PLACEHOLDER.findall(value):
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}}{did_you_mean(name, PLACEHOLDERS)}; a label may use "
                             + " and ".join(f"{{{p}}} ({what})" for p, what in PLACEHOLDERS.items()))
    return value


LabelName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
LabelText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                      AfterValidator(_known_placeholders)]
Labels = dict[LabelName, LabelText]

LABELS_DESCRIPTION = ("Printed wording to change, by label name (e.g. `accepted: Accept`); may use `{council}` and "
                      "`{review}`. The names and the built-in wording are the `labels:` of `templates/base/style.yaml`.")


def label_key(key: object) -> str:
    """The label name for a key or a status (`accepted in principle` -> `accepted_in_principle`)."""
    text = key.value if isinstance(key, Enum) else str(key)
    return text.replace(" ", "_")


def unknown(labels: Mapping[str, str], known: Iterable[str], root: str) -> list[tuple[str, str]]:
    """(name, message) for each label in `labels` that the root style does not define."""
    known = list(known)
    return [(name, f"no label '{name}'{did_you_mean(name, known)}; the labels are those of "
                   f"templates/{root}/style.yaml: {', '.join(known)}")
            for name in labels if name not in known]


@dataclass(frozen=True)
class LabelLookup:
    """`label(key, review=...)` in templates: the first layer that sets the label."""

    layers: tuple[Mapping[str, str], ...]  # the council's, then each style's, child before parent, root last
    values: dict[str, str] = field(default_factory=dict)  # placeholder values

    def __call__(self, key: object, **values: str) -> str:
        name = label_key(key)
        text = next((layer[name] for layer in self.layers if name in layer), None)
        if text is None:
            known = {n for layer in self.layers for n in layer}
            raise ValueError(f"no label '{name}'{did_you_mean(name, known)}; "
                             "the labels are those of templates/base/style.yaml")
        filled = {**self.values, **{k: str(v) for k, v in values.items()}}
        return _PLACEHOLDER.sub(lambda m: filled.get(m[1], m[0]), text)
