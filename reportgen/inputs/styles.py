"""House styles: folders of templates, CSS and assets, found in a fixed order.

A council's templates are searched first, then its style's, then each parent
style's up to `base` (as MkDocs does with a theme's custom_dir). Each layer
is also reachable by name, so an override can extend the file it replaces:
`{% extends "base/paper.html" %}`, or from a council, `{% extends "haringey/paper.html" %}`.
Stylesheets cascade the other way: base, then the style, then the council.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from reportgen.confine import leads_out
from reportgen.errors import Diagnostic, InputError, did_you_mean, error, one_of
from reportgen.inputs.fonts import installed_pack_stylesheets
from reportgen.inputs.labels import LABELS_DESCRIPTION, Labels, unknown
from reportgen.inputs.models import Record, Slug, Text
from reportgen.inputs.project import Project
from reportgen.inputs.records import CouncilRecords, Loaded, Reading

STYLESHEET = "style.css"
# Rules for one output only: page boxes and running elements (print), or the
# HTML twin's reflowing layout (screen). Each follows its layer's style.css.
FORMAT_STYLESHEETS = {"pdf": "print.css", "html": "screen.css"}
COUNCIL_LAYER = "council"
STYLE_FILE_SUFFIXES = (".html", ".css")
MAX_STYLE_FILE_BYTES = 2 * 1024 * 1024
"""A template or stylesheet file may be at most this big; checked before it is read (validate and build)."""


class StyleConfig(Record):
    """`templates/<style>/style.yaml`: a house style's description and parent."""

    description: Text = Field(description="One line shown by `reportgen styles`.")
    extends: Slug | None = Field(default="base", description="The style this one builds on; `base` by default.")
    labels: Labels = Field(default_factory=dict, description=LABELS_DESCRIPTION + " Wins over the parent's.")


@dataclass(frozen=True)
class Layer:
    name: str
    folder: Path


@dataclass(frozen=True)
class Style:
    """A resolved house style for one council."""

    name: str
    description: str
    layers: tuple[Layer, ...]  # search order: council, style, parents ..., base
    labels: tuple[Labels, ...] = ()  # each style's `labels:`, the style's before its parents', the root's last
    font_packs: tuple[Path, ...] = ()  # stylesheets of the optional font packs installed: the PDF's, after base's

    @property
    def search_path(self) -> list[Path]:
        return [layer.folder for layer in self.layers if layer.folder.is_dir()]

    @property
    def stylesheets(self) -> list[Path]:
        """The PDF's stylesheets, in cascade order."""
        return self.stylesheets_for("pdf")

    def stylesheets_for(self, output_format: str) -> list[Path]:
        """Base first, council last; in each layer its style.css, then its sheet for this output."""
        names = (STYLESHEET, FORMAT_STYLESHEETS[output_format])
        sheets = [[layer.folder / name for name in names if (layer.folder / name).is_file()]
                  for layer in reversed(self.layers)]
        packs = list(self.font_packs) if output_format == "pdf" else []
        return [*sheets[0], *packs, *(sheet for layer in sheets[1:] for sheet in layer)] if sheets else packs

    @property
    def asset_roots(self) -> list[Path]:
        return self.search_path


def read_style_config(project: Project, name: str) -> tuple[StyleConfig | None, list[Diagnostic]]:
    loaded, problems = _read_style_yaml(project, name)
    return (loaded.model if loaded else None), problems


# style.yaml files already read in this process, by path and content: councils share styles, so
# checking 150 councils parses each style's file once, not 150 times.
_READ: dict[tuple[str, bytes], tuple[Loaded[StyleConfig] | None, tuple[Diagnostic, ...]]] = {}


def _read_style_yaml(project: Project, name: str) -> tuple[Loaded[StyleConfig] | None, list[Diagnostic]]:
    path = project.templates_dir / name / "style.yaml"
    try:
        key = (str(path), hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        key = None  # missing or unreadable: reading says so
    if key not in _READ:
        reading = Reading()
        loaded = reading.read(path, StyleConfig)
        if key is None:
            return loaded, reading.diagnostics
        _READ[key] = (loaded, tuple(reading.diagnostics))
    loaded, diagnostics = _READ[key]
    return loaded, list(diagnostics)


def resolve_style(project: Project, records: CouncilRecords) -> Style:
    """The council's style with its parents; an unknown or circular style is an InputError."""
    name = records.council.model.style
    available = project.style_names()
    chain: list[Layer] = []
    configs: list[Loaded[StyleConfig]] = []
    description = ""
    current: str | None = name
    while current is not None:
        if current not in available:
            where = records.council.source if current == name else None
            message = (f"unknown house style '{current}'{did_you_mean(current, available)}; "
                       f"styles available: {one_of(available)}")
            if where is not None:
                raise InputError([where.diagnostic(message, ("style",))])
            raise InputError([error(f"style '{chain[-1].name}' extends {message[8:]}",
                                    file=chain[-1].folder / "style.yaml")])
        if any(layer.name == current for layer in chain):
            raise InputError([error(f"style '{current}' extends itself through {' -> '.join(l.name for l in chain)}",
                                    file=project.templates_dir / current / "style.yaml")])
        loaded, problems = _read_style_yaml(project, current)
        if loaded is None:
            raise InputError(problems)
        description = description or loaded.model.description
        configs.append(loaded)
        chain.append(Layer(current, project.templates_dir / current))
        current = loaded.model.extends
    council_templates = records.folder / "templates"
    if council_templates.exists() and leads_out(council_templates, records.folder) is not None:
        raise InputError([error(
            "the council's templates folder is a symbolic link to a folder outside the council; "
            "copy the templates in instead", file=council_templates,
        )])
    _check_labels(records, configs, chain[-1].name)
    labels = tuple(c.model.labels for c in configs)
    packs = installed_pack_stylesheets(chain[-1].folder) if chain[-1].name == "base" else []
    return Style(name, description, (Layer(COUNCIL_LAYER, council_templates), *chain), labels, tuple(packs))


def _check_labels(records: CouncilRecords, configs: list[Loaded[StyleConfig]], root: str) -> None:
    """Every label a council or style sets must be one the root style defines."""
    known = configs[-1].model.labels
    owners = [(records.council.source, records.council.model.labels)]
    owners += [(c.source, c.model.labels) for c in configs[:-1]]
    problems = [source.diagnostic(message, ("labels", name))
                for source, labels in owners for name, message in unknown(labels, known, root)]
    if problems:
        raise InputError(problems)


def oversized_files(layer: Layer) -> list[Diagnostic]:
    """An error for each template or stylesheet of a style layer over MAX_STYLE_FILE_BYTES (nothing is read)."""
    if not layer.folder.is_dir():
        return []
    return [error(too_big(path.stat().st_size), file=path) for path in sorted(layer.folder.rglob("*"))
            if path.suffix in STYLE_FILE_SUFFIXES and path.is_file() and path.stat().st_size > MAX_STYLE_FILE_BYTES]


def too_big(size: int) -> str:
    return (f"file is {size:,} bytes, over the {MAX_STYLE_FILE_BYTES:,}-byte limit for a template or stylesheet; "
            "split it up, or move big images and fonts into files of their own")


@dataclass(frozen=True)
class StyleSummary:
    """One line of `reportgen styles`."""

    name: str
    description: str
    extends: str | None
    problems: tuple[Diagnostic, ...] = ()


def describe_styles(project: Project) -> list[StyleSummary]:
    """Every style under templates/ with its description; a broken style.yaml is listed with its problems."""
    summaries = []
    for name in project.style_names():
        config, problems = read_style_config(project, name)
        if config is None:
            summaries.append(StyleSummary(name, "(style.yaml has errors)", None, tuple(problems)))
        else:
            summaries.append(StyleSummary(name, config.description, config.extends))
    return summaries
