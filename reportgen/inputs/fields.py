"""The base types every record is built from: frozen models that refuse unknown keys, ids, text, Markdown and dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

LANGUAGES = {"cy": "Welsh", "en": "English"}
"""The languages a bilingual council's text is given in: `{cy: ..., en: ...}`."""


def _in_language(value: Any, info: ValidationInfo) -> Any:
    """A text given as `{cy: ..., en: ...}` becomes the language being read (records.py reads a bilingual
    council once per language); a council that is not bilingual may not give one."""
    if not isinstance(value, dict) or not value or not set(value) <= set(LANGUAGES):
        return value
    language = (info.context or {}).get("language")
    if language is None:
        raise PydanticCustomError("not_bilingual", "a text in two languages ({cy: ..., en: ...}) needs "
                                  "`bilingual: separate` in council.yaml; give one text instead")
    if language not in value:
        given = " and ".join(LANGUAGES[k] for k in value)
        raise PydanticCustomError("one_language", "given in {given} only; the council's papers are bilingual, so "
                                  "add `{missing}:` with the {name} text", {
                                      "given": given, "missing": language, "name": LANGUAGES[language]})
    return value[language]


BILINGUAL = BeforeValidator(_in_language)
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), BILINGUAL]
MARKDOWN = "markdown"
"""Marks a Markdown field, for the checks of inputs/text.py."""
Markdown = Annotated[str, StringConstraints(max_length=100_000), MARKDOWN, BILINGUAL]
RecommendationId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")]
Extra = dict[str, Any]


def _date_as_written(value: Any) -> Any:
    """A date must be written as one: pydantic would read `0` or `1700000000` as seconds since 1970."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise PydanticCustomError("date_from_number", "a number is not a date")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("date_from_number", "a number is not a date")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_as_written)]

EXTRA_DESCRIPTION = "Fields the core model does not know, for templates to use (`extra.name`)."


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)
