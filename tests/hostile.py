"""Helpers for the hostile-input tests (issue 5): a fresh project, the CLI, and leak detectors.

Not a test module: test_corpus.py, test_escapes.py and test_failures.py import it.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from conftest import TINY, copy_tiny

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
TOKEN = "RG-SECRET-4d1c7e0b"
BASE_PAPER = TINY / "councils/tiny/papers/update.yaml"


@dataclass
class Fixture:
    """A project in tmp_path/project, an output folder, and a secret folder outside the project."""

    project: Path
    out_dir: Path
    secret: Path

    def subst(self, text: str) -> str:
        for key, value in (("{project}", str(self.project)), ("{out}", str(self.out_dir)),
                           ("{secret_url}", self.secret.as_uri()), ("{secret}", str(self.secret))):
            text = text.replace(key, value)
        return text


def make_project(tmp_path: Path, overlay: Path | None = None) -> Fixture:
    """Templates (base, haringey), the Munro reference, the tiny council, a secret folder; then `overlay`'s files."""
    project, secret = tmp_path / "project", tmp_path / "secret"
    fixture = Fixture(project, tmp_path / "out", secret)
    copy_tiny(project, styles=("base", "haringey"))
    secret.mkdir()
    (secret / "secret.txt").write_text(f"{TOKEN}\n")
    (secret / "secret.css").write_text(f'body::after {{ content: "{TOKEN}" }}\n')
    (secret / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text x="0" y="20">{TOKEN}</text></svg>\n')
    if overlay is not None and overlay.is_dir():
        for source in overlay.rglob("*"):
            if source.is_file():
                target = project / source.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                data = source.read_bytes()
                if b"{secret" in data or b"{project}" in data:
                    data = fixture.subst(data.decode()).encode()
                target.write_bytes(data)
    return fixture


def add_council(fixture: Fixture, slug: str) -> Path:
    """Another copy of the tiny council under a new name; its folder."""
    folder = fixture.project / "councils" / slug
    shutil.copytree(TINY / "councils/tiny", folder)
    return folder


# --- running the CLI ----------------------------------------------------------


def run_in_process(args: list[str], cwd: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """`reportgen ARGS` through the real entry point (`reportgen.cli.app.main`), exit code included."""
    from conftest import invoke

    capsys.readouterr()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(cwd.parent))  # where a crash log would go
    result = invoke(args, monkeypatch, capsys)
    return result.code, result.out, result.err


def run_subprocess(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """`python -m reportgen ARGS` in a real process (crash logs, if any, go beside cwd)."""
    env = {**os.environ, "TMPDIR": str(cwd.parent), **kwargs.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "reportgen", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


# --- looking inside what was built ----------------------------------------------


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(document: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(document)
    return parser.tags


def rendered_html(project: Path, names: list[str] | None = None) -> dict[str, str]:
    """Each buildable paper's HTML by `council/paper`, made by the library functions the build uses."""
    from reportgen.pipeline.gather import gather
    from reportgen.inputs.project import Project
    from reportgen.render.html import render_html
    from reportgen.errors import BuildError

    inputs = gather(Project.at(project), names)
    documents = {}
    for council, view in inputs.papers():
        try:
            documents[f"{council.slug}/{view.id}"] = render_html(view, council.style)
        except BuildError:
            pass
    return documents


def pdf_text(pdf: Path) -> str:
    """The PDF's text as a reader's copy-and-paste would give it, without whitespace."""
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return "".join("".join((page.extract_text() or "").split()) for page in doc.pages)


def pdf_link_uris(pdf: Path) -> list[str]:
    import pikepdf

    uris = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A")
                if action is not None and "/URI" in action:
                    uris.append(str(action.URI))
    return uris


def pdf_leaks(pdf: Path, token: str = TOKEN) -> list[str]:
    """Where `token` occurs in a PDF: raw bytes, any decompressed stream, attachments, or the text."""
    import pikepdf

    needle = token.encode()
    found = []
    data = pdf.read_bytes()
    if needle in data:
        found.append("raw bytes")
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    content = obj.read_bytes()
                except pikepdf.PdfError:
                    content = obj.read_raw_bytes()
                    try:
                        content = zlib.decompress(content)
                    except zlib.error:
                        pass
                if needle in content:
                    found.append(f"stream {obj.objgen}")
            elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)) and needle in repr(obj).encode():
                found.append(f"object {obj.objgen}")
        for name, spec in doc.attachments.items():
            if needle in name.encode() or needle in spec.get_file().read_bytes():
                found.append(f"attachment {name}")
    if token in pdf_text(pdf):
        found.append("text")
    return found
