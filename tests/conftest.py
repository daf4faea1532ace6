"""Shared fixtures: the real sample project, small copies of it, and a CLI runner."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PAPER = ROOT / "councils/haringey/papers/munro-progress.yaml"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def invoke(args, monkeypatch, capsys) -> CliResult:
    """`reportgen ARGS` in-process through the real entry point (cli.main), exit code included."""
    from reportgen.cli import app as cli

    monkeypatch.setattr(sys, "argv", ["reportgen", *map(str, args)])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `reportgen ARGS` in-process, optionally from another working folder."""

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return invoke(args, monkeypatch, capsys)

    return run


def copy_project(dest: Path, councils: tuple[str, ...] = ("northmoor",)) -> Path:
    """A project with the real templates and reference data and the councils named."""
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copytree(ROOT / "councils/_reference", dest / "councils/_reference")
    for slug in councils:
        shutil.copytree(ROOT / "councils" / slug, dest / "councils" / slug)
    return dest


@pytest.fixture
def small_project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def haringey_pdf(tmp_path_factory) -> Path:
    """The Haringey sample paper, built once for the session."""
    from reportgen.pipeline.build import build
    from reportgen.inputs.project import Project

    out = tmp_path_factory.mktemp("out")
    report = build(Project.at(ROOT), ["haringey"], out_dir=out, paper_id="munro-progress")
    assert report.ok, [o.message for o in report.outcomes]
    (path,) = [f for o in report.outcomes for f in o.files]
    return path


def outline_of(source) -> list:
    """[(title, page number, children)] of a PDF's bookmarks (a path, or an open pikepdf.Pdf)."""
    import pikepdf

    def read(pdf):
        pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages, 1)}
        with pdf.open_outline() as outline:
            def walk(items):
                return [(i.title, pages[i.destination[0].objgen], walk(i.children)) for i in items]

            return walk(outline.root)

    if isinstance(source, pikepdf.Pdf):
        return read(source)
    with pikepdf.open(source) as pdf:
        return read(pdf)
