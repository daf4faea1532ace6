"""Shared fixtures: the tests' own projects (tests/fixtures/), the sample papers built once, and a CLI runner.

The suite never reads the repository's councils/ folder: that is where users
keep their own councils, and `reportgen validate` checks those, not the tests.
Projects are assembled from tests/fixtures/ plus the repository's templates/
(the house styles are what is being tested), and a guard below refuses any
read of councils/ while the tests run.
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from reportgen.pipeline.build import BuildReport

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent  # the repository: its templates/ and docs/ are used, never its councils/
FIXTURES = HERE / "fixtures"
SAMPLES = FIXTURES / "samples"  # a copy of the sample councils and the Munro reference data
TINY = FIXTURES / "tiny"  # one small council in the base style: a two-page paper, quick to build
SAMPLE_PAPER = SAMPLES / "councils/haringey/papers/munro-progress.yaml"
# A meetings.yaml for the tiny council: its paper as an item of one meeting (format with the date).
TINY_MEETINGS = """\
meetings:
  - committee: scrutiny
    date: {date}
    time: "10:00"
    venue: Council Chamber
    items:
      - item: "4"
        title: Munro update
        paper: update
"""
SAMPLE_FIXTURES = frozenset({"sample_project", "built_samples", "haringey_pdf", "rebuilt_haringey", "small_project"})

_REPOSITORY_COUNCILS = str(ROOT / "councils")  # never read: the guard below refuses it


def _refuse_repository_councils(event: str, args: tuple) -> None:
    """Audit hook: reading the repository's councils/ fails the test that does it."""
    if event not in ("open", "os.listdir", "os.scandir") or not args or not isinstance(args[0], (str, bytes, Path)):
        return
    path = os.path.normpath(os.fsdecode(args[0]))
    # Only absolute paths: a relative one may be relative to a folder's descriptor (shutil.rmtree), not to
    # the working folder; reportgen resolves the project folder, so its reads are absolute.
    if path == _REPOSITORY_COUNCILS or path.startswith(_REPOSITORY_COUNCILS + os.sep):
        raise PermissionError(f"a test read {path}: tests use their own projects under tests/fixtures/, "
                              "never the repository's councils/ (where users keep their councils)")


sys.addaudithook(_refuse_repository_councils)


def pytest_collection_modifyitems(config, items):
    """A test that uses the sample councils must say so with @pytest.mark.samples."""
    unmarked = [item.nodeid for item in items
                if SAMPLE_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("samples")]
    if unmarked:
        raise pytest.UsageError("these tests use the sample councils but are not marked @pytest.mark.samples: "
                                + ", ".join(unmarked))


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


def needs(tools_present: bool, what: str) -> None:
    """Skip outside CI when a validator is not installed; in CI it must be."""
    if not tools_present:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {what}: run `make setup`")
        pytest.skip(f"{what} missing: run `make setup` (as root it installs the system packages too)")


def copy_project(dest: Path, councils: tuple[str, ...] = ("northmoor",), *, source: Path = SAMPLES,
                 styles: tuple[str, ...] | None = None, reviews: tuple[str, ...] | None = None) -> Path:
    """A project at `dest`: the repository's house styles and the fixture reference data (all, or the
    styles and reviews named), and the councils named, copied from the fixture project `source`."""
    # Never the optional Chinese font pack, even where it is installed: the tests' papers do without it.
    no_pack = shutil.ignore_patterns("NotoSansSC-*")
    if styles is None:
        shutil.copytree(ROOT / "templates", dest / "templates", ignore=no_pack)
    for style in styles or ():
        shutil.copytree(ROOT / "templates" / style, dest / "templates" / style, ignore=no_pack)
    references = SAMPLES / "councils/_reference"
    shutil.copytree(references, dest / "councils/_reference",
                    ignore=None if reviews is None else lambda folder, names: [
                        n for n in names if n.removesuffix(".yaml") not in reviews])
    for slug in councils:
        shutil.copytree(source / "councils" / slug, dest / "councils" / slug)
    return dest


def copy_tiny(dest: Path, styles: tuple[str, ...] | None = None) -> Path:
    """A project at `dest` with the tiny council and the one review it reports on."""
    return copy_project(dest, ("tiny",), source=TINY, styles=styles, reviews=("munro-2011",))


@pytest.fixture
def small_project(tmp_path) -> Path:
    """A project of its own with the Northmoor sample council, free to change."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def tiny_project(tmp_path) -> Path:
    """A project of its own with the tiny council (tests/fixtures/tiny), free to change."""
    return copy_tiny(tmp_path / "project")


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """Every sample council with the house styles, shared by the whole run: read it, never change it
    (a test that edits files makes its own with copy_project)."""
    councils = tuple(p.name for p in (SAMPLES / "councils").iterdir() if not p.name.startswith(("_", ".")))
    return copy_project(tmp_path_factory.mktemp("samples") / "project", councils)


@dataclass(frozen=True)
class BuiltSamples:
    """Every sample paper built once, as PDF and HTML, into `out`; each PDF's text read once too."""

    project: Path
    out: Path
    report: BuildReport
    _read: dict = field(default_factory=dict)  # (council, paper) -> pages, filled as tests ask
    _open: ExitStack = field(default_factory=ExitStack)

    def files(self, fmt: str) -> dict[tuple[str, str], Path]:
        """(council, paper) -> the built file in that format, for every sample paper."""
        return {(o.council, o.paper): f for o in self.report.outcomes for f in o.files if f.suffix == f".{fmt}"}

    def file(self, council: str, paper: str, fmt: str = "pdf") -> Path:
        return self.files(fmt)[council, paper]

    def pages(self, council: str, paper: str) -> list[tuple[float, float, str, object]]:
        """(width, height, text, pdfplumber page) for each page of a sample PDF: reading text is as slow as
        rendering, so each PDF is read once in a run."""
        if (council, paper) not in self._read:
            import pdfplumber

            pdf = self._open.enter_context(pdfplumber.open(self.file(council, paper)))
            self._read[council, paper] = [(p.width, p.height, p.extract_text() or "", p) for p in pdf.pages]
        return self._read[council, paper]


@pytest.fixture(scope="session")
def built_samples(sample_project, tmp_path_factory):
    """The one build of the sample papers in a run (both formats): every test reading a sample PDF or
    HTML twin reads these files."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build
    from reportgen.pipeline.published import FORMATS

    out = tmp_path_factory.mktemp("samples-out")
    report = build(Project.at(sample_project), None, out_dir=out, formats=FORMATS)
    assert report.ok, [o.message for o in report.outcomes if o.status == "failed"] + report.inputs.failed
    built = BuiltSamples(sample_project, out, report)
    assert built.files("pdf").keys() == built.files("html").keys() == {
        (c.slug, v.id) for c, v in report.inputs.papers()}
    with built._open:
        yield built


@pytest.fixture(scope="session")
def haringey_pdf(built_samples) -> Path:
    """The Haringey sample paper, from the run's one build of the samples."""
    return built_samples.file("haringey", "munro-progress")


@pytest.fixture(scope="session")
def rebuilt_haringey(sample_project, tmp_path_factory) -> Path:
    """Haringey's papers built a second time, into an output folder of their own: for the tests that
    same inputs give the same bytes (papers, and the agenda pack made from them)."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build

    out = tmp_path_factory.mktemp("rebuilt")
    report = build(Project.at(sample_project), ["haringey"], out_dir=out)
    assert report.ok and {o.status for o in report.outcomes} == {"written"}, [o.message for o in report.outcomes]
    return out


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


def rendered(project: Path, output_format: str = "pdf") -> str:
    """The HTML of a project's one paper, as render_html makes it (the project must have no errors)."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.gather import gather
    from reportgen.render.html import render_html

    inputs = gather(Project.at(project))
    assert not inputs.errors, [str(d) for d in inputs.errors]
    ((council, view),) = inputs.papers()
    return render_html(view, council.style, output_format)
