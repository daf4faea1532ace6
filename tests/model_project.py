"""Helpers for the data-model tests (issue 13): the fixture project, building it, reading PDFs back.

Not a test module: the tests/test_model_*.py modules import it. The project is
tests/fixtures/model/ with the shipped templates beside it, never councils/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "model"


def model_project(dest: Path) -> Path:
    """A copy of the fixture project with the shipped templates and the fixture's own styles."""
    shutil.copytree(FIXTURE, dest)
    shutil.copytree(ROOT / "templates", dest / "templates", dirs_exist_ok=True)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a fixture file (the piece must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(project: Path, council: str = "riverside"):
    """`reportgen validate` of one council, in-process: the gathered inputs."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.gather import gather

    return gather(Project.at(project), [council])


def where(diagnostic, project: Path) -> str:
    """`file:line: key` of a diagnostic, the file relative to the project."""
    return f"{Path(diagnostic.file).relative_to(project)}:{diagnostic.line}: {diagnostic.key}"


def build_one(project: Path, out: Path, paper: str, council: str = "riverside", fmt: str = "pdf") -> Path:
    """Build one paper through the whole pipeline (gate included); its file."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build

    report = build(Project.at(project), [council], out_dir=out, paper_id=paper, formats=(fmt,), jobs=1)
    assert report.ok, [str(d) for d in report.inputs.errors] + [o.message for o in report.outcomes]
    (path,) = [f for o in report.outcomes for f in o.files]
    return path


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    """The whole PDF's text, whitespace collapsed."""
    with pdfplumber.open(path) as pdf:
        return flat(" ".join(page.extract_text() or "" for page in pdf.pages))


def table_rows(path: Path) -> list[list[str]]:
    """Every row of every ruled table, each cell's text whitespace-collapsed, in page order."""
    rows = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows += [[flat(cell or "") for cell in row] for row in table]
    return rows


def row_of(rows: list[list[str]], pattern: str) -> str:
    """The text of the one table row whose text matches `pattern`."""
    found = [" | ".join(r) for r in rows if re.search(pattern, " | ".join(r))]
    assert len(found) == 1, (pattern, found)
    return found[0]
