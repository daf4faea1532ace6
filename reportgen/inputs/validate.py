"""Turn plain YAML data into typed models, with messages a person can act on.

Pydantic's errors are translated into `file:line:column: key.path: what is
wrong (expected ...; did you mean ...?)`, one diagnostic per problem.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportgen.errors import Diagnostic, did_you_mean, one_of
from reportgen.inputs.yamlload import Document

M = TypeVar("M", bound=BaseModel)


def validate(doc: Document, model: type[M], language: str | None = None) -> tuple[M | None, list[Diagnostic]]:
    """The model built from `doc`, or None and the reasons it could not be; `language` (cy, en): the language of
    a bilingual council's text to read (`{cy: ..., en: ...}`)."""
    if not isinstance(doc.data, dict):
        kind = "nothing" if doc.data is None else type(doc.data).__name__.replace("str", "text")
        return None, [doc.source.diagnostic(f"expected a mapping of fields ({model.__name__}), found {kind}")]
    try:
        return model.model_validate(doc.data, context={"language": language}), []
    except ValidationError as exc:
        return None, [_diagnostic(doc, model, err) for err in exc.errors(include_url=False)]


def _diagnostic(doc: Document, model: type[BaseModel], err: dict) -> Diagnostic:
    loc, _ = _resolve(model, err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        parent = _resolve(model, err["loc"][:-1])[1]
        known = list(parent.model_fields) if _is_model(parent) else []
        message = f"unknown field '{loc[-1]}'{did_you_mean(str(loc[-1]), known)}"
        message += "; put fields of your own under 'extra:'" if "extra" in known else ""
        return doc.source.diagnostic(message, loc)
    if kind == "missing":
        parent = _resolve(model, err["loc"][:-1])[1]
        field = parent.model_fields.get(loc[-1]) if _is_model(parent) else None
        description = field.description if field else ""
        message = f"missing required field '{loc[-1]}'" + (f": {description}" if description else "")
        return doc.source.diagnostic(message, loc)
    if kind in ("enum", "literal_error"):
        choices = _choices(err)
        message = f"expected one of {one_of(choices)}; got {_show(value)}{did_you_mean(str(value), choices)}"
        return doc.source.diagnostic(message, loc)
    if kind.startswith("date") or kind.startswith("datetime"):
        message = f"expected a date written YYYY-MM-DD, e.g. 2013-01-21; got {_got(value)}"
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            message += ", which is not a day in the calendar"
        elif kind == "date_from_number":
            message += ", a number, not a date (write the day, e.g. 2013-01-21)"
        return doc.source.diagnostic(message, loc)
    if kind == "string_pattern_mismatch" and "a-z0-9" in str(err.get("ctx", {}).get("pattern", "")):
        return doc.source.diagnostic(
            f"expected a short identifier of lowercase letters, digits and hyphens; got {_show(value)}", loc
        )
    if kind == "union_tag_not_found":
        # The `type:` line of an appendix is missing (or misspelt, which pydantic never gets to report).
        choices = list(_union_members(_resolve(model, err["loc"])[1]))
        message = f"missing required field 'type': expected one of {one_of(choices)}"
        if isinstance(value, dict):
            near = [k for k in value if did_you_mean("type", [k])]
            message += f"; found '{near[0]}' (a typo for 'type'?)" if near else ""
        return doc.source.diagnostic(message, loc)
    if kind in PLAIN_MESSAGES:
        ctx = err.get("ctx", {})
        return doc.source.diagnostic(PLAIN_MESSAGES[kind].format(got=_got(value), **ctx), loc)
    if kind == "union_tag_invalid":
        choices = _choices(err)
        tag = err.get("ctx", {}).get("tag", value)
        if isinstance(value, dict) and value.get("type") is None:  # `type:` with nothing after it
            return doc.source.diagnostic(f"expected a type, one of {one_of(choices)}; got {_got(None)}", loc)
        return doc.source.diagnostic(
            f"unknown type {_show(tag)}; expected one of {one_of(choices)}{did_you_mean(str(tag), choices)}", loc
        )
    message = err["msg"][0].lower() + err["msg"][1:]
    message = message.replace("input should be", "expected").replace("value error, ", "")
    if kind not in ("value_error",) and value is not None and not isinstance(value, (dict, list)):
        message += f"; got {_show(value)}"
    return doc.source.diagnostic(message, loc)


# Pydantic's wording for the commonest mistakes, said in terms of what an
# officer typed in YAML (a mapping, a list, text) instead of Python types.
PLAIN_MESSAGES = {
    "model_type": "expected a mapping of fields ({class_name}); got {got}",
    "dict_type": "expected a mapping of fields (`name: value` lines); got {got}",
    "list_type": "expected a list (one `- item` line per item); got {got}",
    "string_type": "expected text; got {got}",
    "int_parsing": "expected a whole number; got {got}",
    "int_type": "expected a whole number; got {got}",
    "string_too_short": "expected at least {min_length} character(s) of text; got {got}",
    "string_too_long": "text is too long: at most {max_length} characters; got {got}",
    "too_short": "expected at least {min_length} item(s); got {actual_length}",
}


def _got(value: Any) -> str:
    """What was written, in YAML terms."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    return _show(value)


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"


def _resolve(model: type[BaseModel], loc: tuple) -> tuple[tuple, Any]:
    """The path without the steps pydantic adds for discriminated unions, and its type."""
    clean: list = []
    annotation: Any = model
    for step in loc:
        annotation = _unwrap(annotation)
        members = _union_members(annotation)
        if members and isinstance(step, str) and step in members:
            annotation = members[step]
            continue
        clean.append(step)
        annotation = _step(annotation, step)
    return tuple(clean), _unwrap(annotation)


def _union_members(annotation: Any) -> dict[str, type[BaseModel]]:
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return {}
    members = {}
    for option in typing.get_args(annotation):
        if _is_model(option) and "type" in option.model_fields:
            for tag in typing.get_args(option.model_fields["type"].annotation):
                members[tag] = option
    return members


def _choices(err: dict) -> list[str]:
    ctx = err.get("ctx", {})
    raw = ctx.get("expected") or ctx.get("expected_tags") or ""
    return [c.strip().strip("'") for c in raw.replace(" or ", ",").split(",") if c.strip()]


def _step(annotation: Any, step: Any) -> Any:
    if _is_model(annotation) and isinstance(step, str) and step in annotation.model_fields:
        return annotation.model_fields[step].annotation
    if typing.get_origin(annotation) in (list, dict):
        return typing.get_args(annotation)[-1]
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional, Annotated and discriminated unions down to one model, when there is one."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
