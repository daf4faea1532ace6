"""The template variable reference, generated so that it cannot drift from the code.

    python -m reportgen.render.schema_docs > docs/template-variables.md     (or: make docs)

It documents, from the code itself: the variables `render.context()` gives
every template (`render.CONTEXT_VARIABLES`), every record type reachable from
them with each field's type and description (the pydantic models'
`description`s; the merged views' field notes below), the filters, the blocks
of `templates/base/paper.html` and the styles in the project.
tests/test_schema_docs.py fails when the committed file differs from the output.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import sys
import types
import typing
from enum import Enum
from pathlib import Path

import jinja2
from jinja2 import nodes
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from reportgen import merge
from reportgen.merge import rows
from reportgen.inputs import models
from reportgen.render.html import CONTEXT_VARIABLES, environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The merged views are dataclasses without pydantic descriptions; their
# fields are described here. A field missing from this table is printed with
# UNDESCRIBED, which tests/test_schema_docs.py refuses, so a new field cannot
# go undocumented.
VIEW_FIELDS: dict[str, str] = {
    "SectionView.number": "Section number, from 1.",
    "SectionView.title": "Heading, without its number.",
    "SectionView.body": "Text of the section (Markdown; render with `|md`).",
    "SectionView.paragraphs": "Numbered paragraphs (Markdown each); number them `{{ section.number }}.{{ loop.index }}`.",
    "SectionView.recommendations": "The recommendations this section quotes, resolved from the paper's `review`.",
    "SectionView.figures": "Images or charts shown after the text, checked to lie inside the council folder.",
    "SectionView.extra": "The section's `extra:` fields.",
    "FigureView.src": "The image's file URL, for `<img src>`.",
    "FigureView.alt": "Text alternative: always print it as `alt`.",
    "FigureView.caption": "Caption, when there is one.",
    "FigureView.exempt": "Exempt version: the figure's `exempt:` marking (paragraph, reason); none when not exempt.",
    "FigureView.withheld": "Public version: the exempt figure left out (print `parts/withheld.html`); no src or alt.",
    "SectionView.exempt": "Exempt version: the section's `exempt:` marking (paragraph, reason).",
    "SectionView.withheld": "Public version: the exempt section left out (no title or text; print its notice).",
    "AppendixView.withheld": "Public version: the exempt appendix left out (type `withheld`; print its notice).",
    "ProgressRow.withheld": "Public version: the exempt progress entry left out (no `entry`; print its notice).",
    "Withheld.kind": "`section`, `appendix`, `figure`, `response` or `attachment`: the label `withheld_<kind>` names it.",
    "Withheld.number": "The section's, appendix's, recommendation's or agenda item's number.",
    "Withheld.paragraph": "The paragraph of Schedule 12A the part falls under.",
    "Withheld.part": "The Part of Schedule 12A: 1 (England) or 4 (Wales).",
    "Withheld.texts": "The part's own words, for the leak check; never print them.",
    "Withheld.images": "The part's image files, for the leak check; never print them.",
    "AppendixView.number": "Appendix number, from 1.",
    "AppendixView.type": "`progress`, `recommendations`, `list` or `text`: picks `appendix/<type>.html`.",
    "AppendixView.title": "Appendix title, without \"Appendix N\".",
    "AppendixView.record": "The appendix as written in the paper: a ProgressAppendix, RecommendationsAppendix, "
                           "ListAppendix or TextAppendix (e.g. `appendix.record.items` for a list).",
    "AppendixView.reference": "The review (progress and recommendations appendices).",
    "AppendixView.progress": "The progress record (progress appendices).",
    "AppendixView.rows": "One row per recommendation of the review, in order (progress appendices).",
    "AppendixView.themes": "The review's recommendations grouped by theme (recommendations appendices).",
    "AppendixView.groups": "The rows under headings, in print order (progress appendices): the paper's own `groups:` "
                           "when it declares them, else the review's themes. `appendix.record.groups` says which.",
    "SectionView.blocks": "Blocks computed from progress records after the section's text (`changes`, `summary`): "
                          "render each with `blocks/<type>.html`.",
    "AppendixView.block": "The computed block of a `changes` or `summary` appendix.",
    "BlockView.type": "`changes` or `summary`: picks `blocks/<type>.html`.",
    "BlockView.record": "The block as written in the paper (a ChangesBlock or SummaryBlock).",
    "BlockView.reference": "The review the records report on.",
    "BlockView.progress": "The (current) progress record.",
    "BlockView.previous": "`changes`: the earlier record (`from`).",
    "BlockView.since_meeting": "`changes`: the date of the meeting the earlier record went to, when known.",
    "BlockView.changes": "`changes`: one RecommendationChange per recommendation, in the review's order; "
                         "`block.changed` and `block.unchanged` split them.",
    "BlockView.summary": "`summary`: the counts (a StatusSummary); `status_chart(block.summary)` draws its chart.",
    "RecommendationChange.recommendation": "The recommendation.",
    "RecommendationChange.before": "Its entry in the earlier record, if any.",
    "RecommendationChange.after": "Its entry in the later record, if any.",
    "RecommendationChange.response": "`added`, `changed`, `unchanged`, `removed` or `none`; also `status_changed`, "
                                     "`target` (`new`/`moved`/`removed`), `timeline_changed`, `leads_changed`.",
    "RecommendationChange.words": "How a changed response's words changed (a WordChange).",
    "RecommendationChange.government_updates": "The Government's updates dated between the two records' `as_at`.",
    "RecommendationChange.government_before": "The Government's response status as at the earlier record.",
    "RecommendationChange.government_after": "The Government's response status as at the later record.",
    "WordChange.edits": "The first places where words changed, each an Edit (`before` -> `after`).",
    "WordChange.more": "How many more places changed.",
    "WordChange.words_before": "Words in the earlier response.",
    "WordChange.words_after": "Words in the later response.",
    "WordChange.rewritten": "True when most of the text is new: say so rather than list edits.",
    "Edit.before": "The words replaced or removed (empty for an addition).",
    "Edit.after": "The words added (empty for a removal).",
    "StatusSummary.total": "Recommendations counted.",
    "StatusSummary.statuses": "A StatusCount per progress status, in order, zeros too (and `no_update`).",
    "StatusSummary.government": "A StatusCount per Government response status (and `not_yet_published`).",
    "StatusSummary.overdue": "The rows whose target date had passed by the record's `as_at`.",
    "StatusCount.key": "The status's label name: print `label(item.key)`.",
    "StatusCount.count": "How many recommendations have it.",
    "StatusCount.rag": "The council's RAG rating of the status (`red`, `amber`, `green`), or none.",
    "Chart.src": "The chart as a `data:` URL, for `<img src>`.",
    "Chart.alt": "Its text alternative: the same numbers as the table.",
    "Chart.width": "Width in CSS px.",
    "Chart.height": "Height in CSS px.",
    "BodyView.type": "`matrix`: picks `body/<type>.html`.",
    "BodyView.record": "The body as written in the paper (a MatrixBody).",
    "BodyView.reference": "The review the progress record reports on.",
    "BodyView.progress": "The progress record.",
    "BodyView.parts": "The parts to show for each recommendation, in order; each is `parts/<name>.html` and "
                      "`label(name)` is its heading.",
    "BodyView.groups": "The rows under headings, in print order: the paper's own `groups:`, else the review's themes.",
    "BodyView.rows": "Every row printed, in print order (`omit:` and recommendations in no group left out).",
    "RowGroup.title": "Heading as printed: the group's title, or the theme's.",
    "RowGroup.rows": "Its rows, in the declared order (or the review's order, for a theme).",
    "RowGroup.theme": "The review's theme, when the rows are grouped by the review's themes; none for a paper's own group.",
    "ProgressRow.language": "The review's language (`en-GB`): mark its words with it, `{{ row.recommendation.title|lang(row.language) }}`.",
    "ProgressRow.recommendation": "The recommendation.",
    "ProgressRow.government": "The Government's response as it stood on the record's `as_at`: updates dated later "
                              "are left out and the status is the one in force then; none when the response was "
                              "published after `as_at`.",
    "ProgressRow.entry": "The council's progress entry; none when the record gives none (print \"No update given\").",
    "ProgressRow.lead_officer": "The entry's first lead officer, resolved (kept for one-lead templates).",
    "ProgressRow.lead_officers": "The entry's lead officers, resolved, in order (`lead_officer` or "
                                "`lead_officers`); empty when none is named.",
    "ProgressRow.overdue": "True when the entry's `target_date` had passed by the record's `as_at` and its status "
                           "is neither `complete` nor `not applicable`: print a visible \"overdue\" marker.",
    "ThemeGroup.theme": "The theme.",
    "ThemeGroup.recommendations": "Its recommendations, in order.",
}

UNDESCRIBED = "UNDESCRIBED: add a description to VIEW_FIELDS in reportgen/schema_docs.py"

# Variables that exist only inside some templates, set by base/paper.html's loops.
LOOP_VARIABLES: list[tuple[str, object, str]] = [
    ("section", merge.SectionView, "In `section.html`: the section being rendered (one of `sections`)."),
    ("appendix", merge.AppendixView, "In `appendix/<type>.html`: the appendix being rendered (one of `appendices`)."),
    ("row", rows.ProgressRow, "In `parts/<name>.html`, and in the loops of `appendix/progress.html` and "
                              "`body/matrix.html`: the recommendation being rendered."),
]

# Clearer wording for filters whose docstrings speak to Python readers.
FILTER_NOTES: dict[str, str] = {
    "long_date": "A date as \"21 January 2013\" in the paper's language (\"21 Ionawr 2013\"); empty for none.",
    "month_year": "A date's month and year, \"January 2013\" (\"Ionawr 2013\"); empty for none.",
    "weekday": "A date's day of the week, \"Monday\" (\"Dydd Llun\"); empty for none.",
    "lang": "`text|lang(row.language)`: the text in a `<span lang>` (`lang(..., block=true)`: a `<div lang>`, for "
            "Markdown's paragraphs) when its language is not the paper's; unchanged otherwise.",
    "md": "Markdown text to safe HTML (paragraphs, lists, emphasis, links); empty for none. "
          "`md(headings=3)` also turns `# Heading` lines into headings from `<h3>` down, for text "
          "placed under an `<h2>` (a summary, a section's body).",
    "md_inline": "As `md`, without the wrapping `<p>` when the text is one paragraph (for `<li>`, `<td>`).",
}

# Read-only properties templates may use, with what they give.
PROPERTIES: dict[type, dict[str, str]] = {
    models.Council: {"display_short_name": "`short_name`, or `name` when there is none."},
    models.Paper: {"issue_date": "`prepared`, or the meeting date: the paper's date."},
    models.ProgressEntry: {"leads": "The lead officers' ids in order, whichever of `lead_officer` or `lead_officers` "
                                    "was used."},
    models.ResponseStatus: {"label": "The value with a capital, e.g. \"Accepted in principle\"."},
    models.ProgressStatus: {"label": "The value with a capital, e.g. \"In progress\"."},
}


# --- types -----------------------------------------------------------------


def _is_documented_type(annotation: object) -> bool:
    return isinstance(annotation, type) and (
        issubclass(annotation, (BaseModel, Enum)) or dataclasses.is_dataclass(annotation)
    )


def _anchor(cls: type) -> str:
    return cls.__name__.lower()


def _scalar_from_constraints(metadata: list) -> str:
    for item in metadata:
        if getattr(item, "pattern", None):
            return "identifier"
        if getattr(item, "max_length", None) == 100_000:
            return "Markdown"
    return "text"


def type_text(annotation: object, metadata: tuple | list = ()) -> str:
    """A reader's name for a type, with links to documented types."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0], list(metadata) + list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        text = " or ".join(type_text(a, metadata) for a in options)
        return f"{text} or none" if len(options) < len(args) else text
    if origin is collections.abc.Callable:
        return "function returning text"
    if origin is typing.Literal:
        return " or ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {type_text(args[0])}" if args else "list"
    if origin is tuple:
        return f"list of {type_text(args[0])}" if args else "list"
    if origin is dict:
        return "mapping" if args and args[1] is typing.Any else f"mapping of {type_text(args[0])} to {type_text(args[1])}"
    if annotation is dict:
        return "mapping"
    if annotation is str:
        return _scalar_from_constraints(list(metadata))
    if annotation is int:
        return "number"
    if annotation is bool:
        return "`true` or `false`"
    if annotation is dt.date:
        return "date"
    if annotation is typing.Any:
        return "any"
    if annotation is Path:
        return "path"
    if _is_documented_type(annotation):
        return f"[{annotation.__name__}](#{_anchor(annotation)})"
    return getattr(annotation, "__name__", str(annotation))


def _referenced(annotation: object) -> list[type]:
    """Documented types named inside an annotation, in order."""
    if _is_documented_type(annotation):
        return [annotation]
    found: list[type] = []
    for arg in typing.get_args(annotation):
        found += [t for t in _referenced(arg) if t not in found]
    return found


def _fields(cls: type) -> list[tuple[str, object, list, str, str]]:
    """(name, annotation, metadata, required/default text, description) per field."""
    if issubclass(cls, BaseModel):
        rows = []
        for name, info in cls.model_fields.items():
            rows.append((info.alias or name, info.annotation, list(info.metadata), _default_text(info), info.description or ""))
        return rows
    hints = typing.get_type_hints(cls, include_extras=True)
    rows = []
    for f in dataclasses.fields(cls):
        text = VIEW_FIELDS.get(f"{cls.__name__}.{f.name}", UNDESCRIBED)
        rows.append((f.name, hints[f.name], [], "", text))
    return rows


def _default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()
        return "optional" if value in ({}, []) or isinstance(value, BaseModel) else f"default `{_yaml(value)}`"
    if info.default is None:
        return "optional"
    return f"default `{_yaml(info.default)}`"


def _yaml(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return str(value)


def reachable_types(roots: list[object]) -> list[type]:
    """Every documented type reachable from the roots, breadth first, in order met."""
    queue = [t for root in roots for t in _referenced(root)]
    seen: list[type] = []
    while queue:
        cls = queue.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        if issubclass(cls, Enum):
            continue
        for _, annotation, _, _, _ in _fields(cls):
            queue += [t for t in _referenced(annotation) if t not in seen]
    return seen


# --- templates ---------------------------------------------------------------


def blocks(template: Path) -> list[str]:
    """The names of the blocks a template defines, in order."""
    tree = jinja2.Environment().parse(template.read_text(encoding="utf-8"))
    return [b.name for b in tree.find_all(nodes.Block)]


def includes(template: Path) -> list[str]:
    tree = jinja2.Environment().parse(template.read_text(encoding="utf-8"))
    found = []
    for node in tree.find_all(nodes.Include):
        target = node.template
        if isinstance(target, nodes.Const):
            found.append(f"`{target.value}`")
        elif isinstance(target, nodes.Concat):
            parts = [n.value if isinstance(n, nodes.Const) else "<type>" for n in target.nodes]
            found.append(f"`{''.join(parts)}`")
        else:
            found.append("(computed)")
    return list(dict.fromkeys(found))


def _styles(templates: Path) -> list[tuple[str, str, str, list[str], list[str]]]:
    import yaml

    rows = []
    for folder in sorted(p for p in templates.iterdir() if (p / "style.yaml").is_file()):
        config = yaml.safe_load((folder / "style.yaml").read_text(encoding="utf-8")) or {}
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                       if p.is_file() and p.suffix in (".html", ".css") and "fonts" not in p.parts)
        paper = folder / "paper.html"
        rows.append((folder.name, str(config.get("description", "")), str(config.get("extends", "base") or "-"),
                     files, blocks(paper) if paper.is_file() else []))
    return rows


def _base_labels(base: Path) -> dict[str, str]:
    import yaml

    config = yaml.safe_load((base / "style.yaml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in (config.get("labels") or {}).items()}


# --- the document ------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def generate(templates: Path = TEMPLATES) -> str:
    out: list[str] = []
    add = out.append
    add("# Template variables\n")
    add("<!-- Generated by `python -m reportgen.render.schema_docs` (`make docs`) from reportgen/inputs/models.py, "
        "reportgen/render/html.py and templates/. Do not edit by hand: tests/test_schema_docs.py "
        "fails when this file differs from the generated output. -->\n")
    add("Every template is rendered with the variables below. Jinja runs with `StrictUndefined`: "
        "a name that does not exist is an error, so test optional things with `if` "
        "(`{% if contact %}`) and read `extra` fields with a default "
        "(`paper.extra.get(\"corporate_strategy\", [])`). Text fields marked *Markdown* must be "
        "rendered with the `md` filter (or `md_inline`); everything else is escaped automatically. "
        "See [house-styles.md](house-styles.md) for how to write and override a style.\n")

    add("## Variables every template sees\n")
    add("| Variable | Type | What it is |\n| --- | --- | --- |")
    for name, (annotation, text) in CONTEXT_VARIABLES.items():
        add(f"| `{name}` | {type_text(annotation)} | {_cell(text)} |")
    add("")
    add("## Loop variables\n")
    add("| Variable | Type | Where |\n| --- | --- | --- |")
    for name, annotation, text in LOOP_VARIABLES:
        add(f"| `{name}` | {type_text(annotation)} | {_cell(text)} |")
    add("")

    add("## Filters\n")
    env = environment((), ())
    own = sorted(set(env.filters) - set(jinja2.defaults.DEFAULT_FILTERS))
    add("Jinja's built-in filters (`join`, `upper`, `map`, `selectattr`, `unique` ...) work too.\n")
    add("| Filter | What it does |\n| --- | --- |")
    for name in own:
        doc = FILTER_NOTES.get(name) or ((env.filters[name].__doc__ or "").strip().splitlines() or [
            "UNDESCRIBED: give the filter's function a docstring, or add it to FILTER_NOTES"])[0]
        add(f"| `{name}` | {_cell(doc)} |")
    add("")

    base = templates / "base"
    add("## Labels\n")
    add("What `label(name)` prints unless the council's or the style's `labels:` says otherwise: the `labels:` "
        "of `templates/base/style.yaml`, which name every label there is, in the paper's language through the "
        "message catalogue (a style's labels too; a council's are printed as written; docs/welsh.md). Statuses "
        "are looked up by their value with `_` for spaces (`label(row.government.status)`).\n")
    add("| Label | Built-in wording |\n| --- | --- |")
    for name, text in _base_labels(base).items():
        add(f"| `{name}` | {_cell(text)} |")
    add("")
    add("## Blocks of `base/paper.html`\n")
    add("A style's `paper.html` that starts `{% extends \"base/paper.html\" %}` may replace any of "
        "these; `{{ super() }}` inside a replacement keeps the base's content. In order:\n")
    for name in blocks(base / "paper.html"):
        add(f"- `{name}`")
    add("")
    add("Templates the base includes (a style replaces one by giving a file the same name): "
        + ", ".join(includes(base / "paper.html")) + ".\n")

    add("## Styles in this project\n")
    add("| Style | Extends | Description | Files | Blocks its `paper.html` defines |\n| --- | --- | --- | --- | --- |")
    for name, description, extends, files, style_blocks in _styles(templates):
        add(f"| `{name}` | {extends} | {_cell(description)} | {', '.join(f'`{f}`' for f in files)} | "
            f"{', '.join(f'`{b}`' for b in style_blocks) or '-'} |")
    add("")

    add("## Types\n")
    roots = [annotation for annotation, _ in CONTEXT_VARIABLES.values()]
    roots += [annotation for _, annotation, _ in LOOP_VARIABLES]
    for cls in reachable_types(roots):
        add(f"### {cls.__name__}\n")
        doc = (cls.__doc__ or "").strip()
        if doc and not doc.startswith(cls.__name__ + "("):  # skip dataclasses' generated signature
            add(" ".join(doc.split()) + "\n")
        if issubclass(cls, Enum):
            add("One of: " + ", ".join(f"`{m.value}`" for m in cls) + ".\n")
        else:
            add("| Field | Type | | Description |\n| --- | --- | --- | --- |")
            for name, annotation, metadata, default, text in _fields(cls):
                add(f"| `{name}` | {type_text(annotation, metadata)} | {default} | {_cell(text)} |")
            add("")
        for prop, text in PROPERTIES.get(cls, {}).items():
            add(f"- `{prop}` (read-only): {text}")
        if cls in PROPERTIES:
            add("")
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(generate())


if __name__ == "__main__":
    main()
