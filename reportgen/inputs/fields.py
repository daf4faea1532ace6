"""The base types every record is built from: frozen models that refuse unknown keys, ids, text, Markdown and dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MARKDOWN = "markdown"
"""Marks a Markdown field, for the checks of inputs/text.py."""
Markdown = Annotated[str, StringConstraints(max_length=100_000), MARKDOWN]
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
