"""Shared fixtures: the real sample project, small copies of it, and a CLI runner."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PAPER = ROOT / "councils/haringey/papers/munro-progress.yaml"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


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


def require_axe() -> None:
    """Skip (fail on CI) when headless Chromium or axe-core is missing."""
    if not (CHROMIUM and AXE.is_file()):
        if os.environ.get("CI"):
            pytest.fail("CI needs chromium and node_modules/axe-core: run `make setup`")
        pytest.skip("chromium or axe-core missing: run `make setup` as root to install them")


def axe_violations(html: str, name: str, tmp_path: Path) -> list:
    """axe-core's violations for a page, run in headless Chromium: [{id, help, nodes}]."""
    runner = (
        f"<script>{AXE.read_text(encoding='utf-8')}</script><script>"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}}}}).then(r => {{"
        "const pre = document.createElement('pre'); pre.id = 'axe-results';"
        "pre.textContent = JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})));"
        "document.body.appendChild(pre); });</script>"
    )
    probe = tmp_path / name
    probe.write_text(html.replace("</body>", runner + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=30000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', result.stdout, re.S)
    assert found, f"axe did not report: {result.stderr[-500:]}"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
