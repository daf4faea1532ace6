"""`reportgen preview`: edits reach the page, broken files keep the last good build, nothing leaks or is written."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chromium import AXE, AXE_ALL_RULES, CHROMIUM, Chromium
from conftest import ROOT, copy_tiny, needs
from reportgen.errors import ReportgenError
from reportgen.meetings.publication import publish
from reportgen.inputs.project import Project
from reportgen.pipeline.build import build
from reportgen.preview.server import Preview, preview_folder
from reportgen.preview.work import Coalescing

HANG_S = 30  # polls give up after this: a hang limit, not a timing assertion
PDF_HANG_S = 120  # a PDF on a machine shared with other builds can take a while
COUNCIL, PAPER = "tiny", "update"
PROGRESS = "councils/tiny/progress/p2013.yaml"
PANEL = '<section class="problems"'


def poll(check, what: str, limit: float = HANG_S):
    """Call `check` until it returns something true; fail naming `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {limit:.0f} s waiting for {what}")
        time.sleep(0.05)


def containing(fetch, needle: str):
    """A check for poll(): what `fetch()` returns, once it contains `needle`."""
    def check():
        found = fetch()
        return found if needle in found else None
    return check


def request(port: int, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
    """GET `path` exactly as written (no normalising), optionally with another Host header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_S)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def text(port: int, path: str) -> str:
    status, _, body = request(port, path)
    assert status == 200, (path, status)
    return body.decode("utf-8")


def preview_project(dest: Path) -> Path:
    """The tiny fixture council, its paper given a progress appendix (so a progress record is one of its inputs)."""
    project = copy_tiny(dest)
    paper = project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text(encoding="utf-8")
                     + "  - type: progress\n    title: Progress on the review\n    progress: p2013\n", encoding="utf-8")
    return project


def set_response(project: Path, recommendation: str, words: str) -> None:
    """Rewrite one recommendation's response in the progress record, as an editor saves it."""
    path = project / PROGRESS
    source = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(\n  {recommendation}:\n    response: ).*\n", rf"\g<1>{words}\n", source, count=1),
                    encoding="utf-8")


class Live:
    """A preview of the tiny fixture council, served from a thread, and a reader of its event stream."""

    def __init__(self, project: Path, folder: Path, paper: str | None = PAPER):
        self.project = project
        self.preview = Preview(Project.at(project), COUNCIL, folder=folder, paper=paper).__enter__()
        self.port = self.preview.port
        threading.Thread(target=self.preview.serve_forever, daemon=True).start()
        self.events: list[tuple[str, dict]] = []
        threading.Thread(target=self._read_events, daemon=True).start()
        poll(lambda: self.events_open, "the event stream to open")

    events_open = False

    def _read_events(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port)
        connection.request("GET", "/events")
        stream = io.TextIOWrapper(connection.getresponse(), encoding="utf-8")
        self.events_open = True
        kind = None
        for line in stream:
            if line.startswith("event: "):
                kind = line[7:].strip()
            elif line.startswith("data: "):
                self.events.append((kind, json.loads(line[6:])))

    @property
    def session(self):
        return self.preview.session

    def twin(self) -> str:
        return text(self.port, f"/paper/{PAPER}/html")

    def status(self) -> str:
        return text(self.port, f"/paper/{PAPER}/status")

    def settled(self) -> bool:
        """No HTML twin waits to be made (PDFs may still be on their way)."""
        return self.session.idle(pdf=False)

    def close(self) -> None:
        self.preview.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    project = preview_project(tmp_path_factory.mktemp("preview") / "project")
    # The paper list: PDFs are made once the paper's page is opened (by the PDF test), not for every edit before.
    shown = Live(project, tmp_path_factory.mktemp("preview-out"), paper=None)
    poll(lambda: "Munro update" in shown.twin(), "the first HTML twin")
    yield shown
    shown.close()


def test_the_page_follows_an_edit_through_its_event_stream(live):
    listing = text(live.port, "/")
    assert '<script src="/static/preview.js" defer></script>' in listing
    assert f'<a href="/paper/{PAPER}">Munro update</a>' in listing
    assert 'new EventSource("/events")' in text(live.port, "/static/preview.js")
    before = live.session.papers[PAPER].html_generation

    set_response(live.project, "R1", "Zebra crossings were reviewed with every school.")
    poll(lambda: "Zebra crossings were reviewed" in live.twin(), "the edit in the served HTML twin")
    html_events = poll(lambda: [data for kind, data in live.events if kind == "html" and data["html"] > before],
                       "an html event after the edit")
    assert html_events[-1]["paper"] == PAPER and html_events[-1]["problems"] == 0


def test_a_broken_record_shows_its_problem_over_the_last_good_build(live):
    set_response(live.project, "R2", "Kestrel checks happen monthly.")
    poll(lambda: "Kestrel checks" in live.twin(), "the edit before breaking the file")
    path = live.project / PROGRESS
    good = path.read_text(encoding="utf-8")
    broken = good.replace("status: complete", "status: finished", 1)  # R1's status
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("    status: finished") + 1

    panel = poll(containing(live.status, PANEL), "the problems panel")
    assert re.search(rf"p2013.yaml:{line}:\d+</a>: entries.R1.status: ", panel), panel
    assert "the last good build is shown" in panel
    assert "Kestrel checks" in live.twin()  # still the last good twin
    link = re.search(r'href="(/paper/[^"]+/source/\d+)#L(\d+)"', panel)
    assert link and link.group(2) == str(line)
    source = text(live.port, link.group(1))
    assert f'<li id="L{line}" class="hit"><mark><code>    status: finished</code></mark></li>' in source

    path.write_text(good.replace("Kestrel checks happen monthly.", "Kestrel checks happen weekly."), encoding="utf-8")
    poll(lambda: "Kestrel checks happen weekly" in live.twin(), "the fixed file's text")
    poll(lambda: PANEL not in live.status(), "the panel to go once the file is fixed")


def test_a_burst_of_saves_is_one_render(live):
    poll(live.settled, "the preview to settle")
    renders = live.session.html_renders
    for n in range(1, 6):  # as an editor saving several times in a row
        set_response(live.project, "R3", f"Audit round {n} of five.")
    poll(lambda: "Audit round 5 of five." in live.twin() and live.settled(), "the burst's last text")
    assert live.session.html_renders == renders + 1


def test_style_and_template_edits_show_and_a_template_error_is_located(live):
    stylesheet = live.project / "templates/base/style.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n.probe-rule { color: #123456; }\n",
                          encoding="utf-8")
    poll(lambda: ".probe-rule" in live.twin(), "the stylesheet's new rule in the twin")

    override = live.project / "councils/tiny/templates/paper.html"  # a new council layer: a new override
    override.parent.mkdir()
    override.write_text('{% extends "base/paper.html" %}\n'
                        '{% block revision_notice %}<p>Draft for the panel</p>{% endblock %}\n', encoding="utf-8")
    poll(lambda: "Draft for the panel" in live.twin(), "the council's new template in the twin")

    override.write_text('{% extends "base/paper.html" %}\n{% block revision_notice %}<p>Draft{% endblok %}\n',
                        encoding="utf-8")
    panel = poll(containing(live.status, PANEL), "the template error")
    assert re.search(r'href="/paper/update/source/0#L2">[^<]*/councils/tiny/templates/paper.html:2</a>: '
                     r"template syntax error: ", panel), panel
    assert "Draft for the panel" in live.twin()
    override.unlink()
    poll(lambda: PANEL not in live.status() and "Draft for the panel" not in live.twin(), "the override gone")


def test_the_pdf_follows_with_its_page_count_and_checks(live):
    import pdfplumber

    page = text(live.port, f"/paper/{PAPER}")  # opening the paper's page asks for its PDF
    assert 'id="html-frame"' in page and 'id="pdf-frame"' in page
    set_response(live.project, "R4", "Ospreys nest by the reservoir.")
    poll(lambda: "Ospreys nest" in live.twin(), "the HTML of the edit")
    state = live.session.papers[PAPER]
    poll(lambda: not state.pdf_busy and state.pdf_generation and "Ospreys" in _pdf_text(live), "the edit in the PDF",
         PDF_HANG_S)
    status = live.status()
    assert re.search(rf"{state.pages} pages; machine checks passed", status)
    with pdfplumber.open(io.BytesIO(request(live.port, f"/paper/{PAPER}/pdf")[2])) as pdf:
        assert len(pdf.pages) == state.pages
    assert any(kind == "pdf" and data["paper"] == PAPER for kind, data in live.events)


def _pdf_text(live) -> str:
    import pdfplumber

    status, headers, body = request(live.port, f"/paper/{PAPER}/pdf")
    if status != 200 or headers["Content-Type"] != "application/pdf":
        return ""
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        return " ".join(page.extract_text() or "" for page in pdf.pages)


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd", "/static/%2fetc%2fpasswd", "/static/..%5c..%5cetc%5cpasswd",
    "//etc/passwd", "/paper/update/../../../etc/passwd", "/paper/..%2f..%2fetc/html", "/static/",
    "/static", "/paper/update/source/999", "/paper/nothing/html", "/static/preview.html",
])
def test_nothing_outside_the_preview_is_served(live, path):
    status, _, body = request(live.port, path)
    assert status == 404 and b"root:" not in body


def test_a_request_naming_another_host_is_refused(live):
    assert request(live.port, f"/paper/{PAPER}", host="attacker.example:80")[0] == 403
    assert request(live.port, f"/paper/{PAPER}", host=f"localhost:{live.port}")[0] == 200


def test_in_a_browser_the_page_follows_edits_and_axe_finds_nothing(live):
    needs(bool(CHROMIUM and AXE.is_file()), "chromium and node_modules/axe-core")
    path = live.project / PROGRESS
    good = path.read_text(encoding="utf-8")
    browser = Chromium()
    try:
        page = browser.page(f"http://127.0.0.1:{live.port}/paper/{PAPER}", 1280)
        poll(lambda: page.evaluate("document.getElementById('connection').textContent").startswith("Live:"),
             "the page's script to connect to the event stream")
        set_response(live.project, "R6", "Lapwings returned to the marsh.")
        poll(lambda: "Lapwings returned" in page.evaluate(FRAME_TEXT), "the edit in the page's HTML frame")

        path.write_text(path.read_text(encoding="utf-8").replace("status: complete", "status: finished", 1),
                        encoding="utf-8")
        poll(lambda: page.evaluate("document.querySelectorAll('#problems section.problems li').length") == 1,
             "the problems panel in the page")
        assert "Lapwings returned" in page.evaluate(FRAME_TEXT)  # the last good twin stays
        axe = AXE.read_text(encoding="utf-8") + ";0"
        page.evaluate(axe)
        assert page.evaluate(AXE_ALL_RULES) == []  # the page with its panel, frames and links
        for other in (f"/paper/{PAPER}/source/0", "/"):  # the problem's file, the paper list
            shown = browser.page(f"http://127.0.0.1:{live.port}{other}", 1280)
            shown.evaluate(axe)
            assert shown.evaluate(AXE_ALL_RULES) == [], other
            shown.close()

        path.write_text(good, encoding="utf-8")
        poll(lambda: page.evaluate("document.querySelectorAll('#problems section').length") == 0,
             "the panel to go from the page")
    finally:
        path.write_text(good, encoding="utf-8")
        browser.close()


FRAME_TEXT = "document.getElementById('html-frame').contentDocument?.body?.textContent ?? ''"  # '' while reloading


def test_a_newer_change_supersedes_one_still_waiting():
    started, release, seen = threading.Event(), threading.Event(), []
    state = {"text": "first"}

    def render():
        seen.append(state["text"])
        started.set()
        release.wait(HANG_S)

    worker = Coalescing(render, "test", on_error=lambda exc: seen.append(exc))
    try:
        worker.ask()
        started.wait(HANG_S)
        for text_ in ("second", "third", "fourth"):  # arrive while "first" is rendering
            state["text"] = text_
            worker.ask()
        release.set()
        poll(worker.idle, "the worker to finish")
        assert seen == ["first", "fourth"]
    finally:
        worker.stop()


def test_the_server_will_not_listen_on_every_address_unless_told(live, tmp_path):
    project = Project.at(live.project)
    with pytest.raises(ReportgenError, match="refusing to serve the preview on 0.0.0.0.*--host 0.0.0.0"):
        Preview(project, COUNCIL, folder=tmp_path, host="0.0.0.0")
    with pytest.raises(ReportgenError, match=f"cannot serve on 127.0.0.1 port {live.port}: it is in use"):
        Preview(project, COUNCIL, folder=tmp_path, port=live.port)


def test_with_write_outputs_are_recorded_and_the_register_is_never_touched(tmp_path):
    project = preview_project(tmp_path / "project")
    out = tmp_path / "output"
    with preview_folder(out) as folder:
        shown = Live(project, folder, paper=None)  # the paper list: only HTML twins are made
        try:
            poll(lambda: shown.session.papers[PAPER].html and shown.settled(), "the twin in output/")
        finally:
            shown.close()
    report = build(Project.at(project), [COUNCIL], out_dir=out, formats=("html",))
    assert [o.status for o in report.outcomes] == ["unchanged"]  # the preview recorded what it wrote

    publish(Project.at(project), out, COUNCIL, PAPER, on=dt.date(2013, 1, 14), today=dt.date(2013, 1, 14))
    register = _files(project / "councils/tiny", ("published.yaml", "published"))
    outputs = _files(out, (COUNCIL,))
    set_response(project, "R5", "Otters were counted.")
    for write_to in (out, None):  # with --write and without
        with preview_folder(write_to) as folder:
            shown = Live(project, folder, paper=None)
            try:
                poll(containing(lambda: text(shown.port, "/"), "1 problem"), "the build's refusal")
                assert "was published on 2013-01-14 and has changed since" in shown.status()
            finally:
                shown.close()
    assert _files(project / "councils/tiny", ("published.yaml", "published")) == register
    assert _files(out, (COUNCIL,)) == outputs


def _files(folder: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    """Every file under the names given in `folder`, with its bytes."""
    found = {}
    for name in names:
        top = folder / name
        for path in [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()):
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def test_ctrl_c_stops_it_with_exit_130_and_nothing_in_output(tmp_path):
    project = preview_project(tmp_path / "project")
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "preview", COUNCIL, "--paper", PAPER, "--port", "0"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        url = poll(lambda: process.stdout.readline().strip(), "the address to be printed")
        assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/paper/{PAPER}", url)
        port = int(url.split(":")[2].split("/")[0])
        poll(lambda: "Munro update" in text(port, f"/paper/{PAPER}/html"), "the first twin")
        process.send_signal(signal.SIGINT)
        process.wait(HANG_S)
    finally:
        process.kill()
    errors = process.stderr.read()
    assert process.returncode == 130, errors
    assert "Traceback" not in errors
    assert not (project / "output").exists()
