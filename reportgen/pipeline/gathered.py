"""What the read-and-check stage hands on: each council's style, merged papers and register, and every problem.

Kept apart from the stage itself (pipeline/gather.py), so a build that finds
nothing changed never loads the readers and checkers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reportgen.errors import Diagnostic

if TYPE_CHECKING:
    from reportgen.inputs.register import Register
    from reportgen.inputs.styles import Style
    from reportgen.merge import PaperView


@dataclass(frozen=True)
class CouncilInputs:
    slug: str
    style: Style
    papers: list[PaperView]
    register: Register  # what the council has published (councils/<slug>/published.yaml)


@dataclass
class Inputs:
    """Everything read and checked for a run, before anything is rendered."""

    councils: dict[str, CouncilInputs] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def papers(self) -> list[tuple[CouncilInputs, PaperView]]:
        return [(c, p) for c in self.councils.values() for p in c.papers]
