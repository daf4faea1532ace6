"""The preview's pages, from its own Jinja templates: the paper list, a paper, its status, a problem's file."""

from __future__ import annotations

from pathlib import Path

import jinja2

from reportgen.confine import Roots
from reportgen.errors import display_path
from reportgen.preview.state import PaperState

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_SOURCE_BYTES = 2_000_000  # a record or template larger than this is not shown line by line


class Pages:
    """Renders each page; every value is escaped (records are not trusted more than here)."""

    def __init__(self):
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                      undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def _render(self, template: str, **variables) -> str:
        return self.env.get_template(template).render(**variables)

    def papers(self, session) -> str:
        return self._render("papers.html", council=session.slug, papers=list(session.papers.values()))

    def paper(self, session, state: PaperState) -> str:
        return self._render("paper.html", council=session.slug, state=state, single=session.only is not None)

    def status(self, state: PaperState) -> str:
        """The parts of a paper's page that change: the page's script swaps them in after each event."""
        return self._render("status.html", state=state)

    def waiting(self, state: PaperState, what: str) -> str:
        return self._render("waiting.html", state=state, what=what)

    def source(self, session, state: PaperState, number: int) -> str | None:
        """The file that the page's problem `number` names, its line marked; None when there is none to show."""
        shown = [*state.all_problems, *state.warnings]
        if number >= len(shown) or shown[number].file is None:
            return None
        problem = shown[number]
        project = session.project
        found = Roots([project.councils_dir, project.templates_dir]).find(problem.file)
        if found is None or not found.is_file() or found.stat().st_size > MAX_SOURCE_BYTES:
            return None
        lines = found.read_text(encoding="utf-8", errors="replace").splitlines()
        return self._render("source.html", council=session.slug, state=state, problem=problem,
                            name=display_path(problem.file), lines=lines)
