"""House styles: folders of templates, CSS and assets, found in a fixed order.

A council's templates are searched first, then its style's, then each parent
style's up to `base` (as MkDocs does with a theme's custom_dir). Each layer
is also reachable by name, so an override can extend the file it replaces:
`{% extends "base/paper.html" %}`, or from a council, `{% extends "haringey/paper.html" %}`.
Stylesheets cascade the other way: base, then the style, then the council.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.confine import leads_out
from reportgen.errors import Diagnostic, InputError, did_you_mean, error, one_of
from reportgen.inputs.fonts import installed_pack_stylesheets
from reportgen.inputs.models import StyleConfig
from reportgen.inputs.project import Project
from reportgen.inputs.records import CouncilRecords, Reading

STYLESHEET = "style.css"
COUNCIL_LAYER = "council"


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
    font_packs: tuple[Path, ...] = ()  # stylesheets of the optional font packs installed, after the first layer's

    @property
    def search_path(self) -> list[Path]:
        return [layer.folder for layer in self.layers if layer.folder.is_dir()]

    @property
    def stylesheets(self) -> list[Path]:
        sheets = [layer.folder / STYLESHEET for layer in reversed(self.layers) if (layer.folder / STYLESHEET).is_file()]
        return [*sheets[:1], *self.font_packs, *sheets[1:]]

    @property
    def asset_roots(self) -> list[Path]:
        return self.search_path


def read_style_config(project: Project, name: str) -> tuple[StyleConfig | None, list[Diagnostic]]:
    reading = Reading()
    loaded = reading.read(project.templates_dir / name / "style.yaml", StyleConfig)
    return (loaded.model if loaded else None), reading.diagnostics


def resolve_style(project: Project, records: CouncilRecords) -> Style:
    """The council's style with its parents; an unknown or circular style is an InputError."""
    name = records.council.model.style
    available = project.style_names()
    chain: list[Layer] = []
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
        config, problems = read_style_config(project, current)
        if config is None:
            raise InputError(problems)
        description = description or config.description
        chain.append(Layer(current, project.templates_dir / current))
        current = config.extends
    council_templates = records.folder / "templates"
    if council_templates.exists() and leads_out(council_templates, records.folder) is not None:
        raise InputError([error(
            "the council's templates folder is a symbolic link to a folder outside the council; "
            "copy the templates in instead", file=council_templates,
        )])
    packs = installed_pack_stylesheets(chain[-1].folder) if chain[-1].name == "base" else []
    return Style(name, description, (Layer(COUNCIL_LAYER, council_templates), *chain), tuple(packs))


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
