"""The live preview's latency, for bench/run.py: from saving a progress file to the updated HTML served and PDF ready.

On a copy of the Haringey sample (its templates, reference data and council
folder), in one helper process:

- build_s: wall time of `build.build()` of the paper (PDF, --force, one
  process, after a first build has warmed it up): the paper's build time,
  which the PDF latency is held against.
- then `reportgen preview haringey --paper munro-progress` runs in that
  process (its server, watcher and PDF process, as the command starts
  them); once its first HTML twin and PDF are made and one edit has gone
  through, each repetition rewrites one sentence of the progress file and
  times, from just before the write: the `html` event on the server's event
  stream and the fetch of the twin holding the new sentence (preview_html_s),
  then the `pdf` event and the fetch of the new PDF (preview_pdf_s), as the
  page's script does.
"""

from __future__ import annotations

import http.client
import json
import queue
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNCIL, PAPER = "haringey", "munro-progress"
PROGRESS = "councils/haringey/progress/munro-2013-01.yaml"
SENTENCE = "Haringey held a series of consultation sessions"
WAIT_S = 300  # a step that takes longer than this has hung


def make_project(dest: Path) -> Path:
    """The Haringey sample on its own: the repository's councils/ is never written to."""
    shutil.copytree(ROOT / "templates", dest / "templates")
    for folder in ("_reference", COUNCIL):
        shutil.copytree(ROOT / "councils" / folder, dest / "councils" / folder)
    return dest


class Stream:
    """The preview's event stream, read in a thread: (kind, data) pairs in a queue."""

    def __init__(self, port: int):
        self.events: queue.Queue = queue.Queue()
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", "/events")
        self.response = connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind = None
        for raw in self.response:
            line = raw.decode("utf-8")
            if line.startswith("event: "):
                kind = line[7:].strip()
            elif line.startswith("data: "):
                self.events.put((kind, json.loads(line[6:])))

    def wait(self, kind: str, key: str, after: int) -> None:
        """Until an event `kind` for the paper whose `key` generation is past `after`."""
        deadline = time.monotonic() + WAIT_S
        while True:
            got, data = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            if got == kind and data["paper"] == PAPER and data[key] > after:
                return


def fetch(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (path, response.status)
        return body
    finally:
        connection.close()


def measure(project: Path, reps: int) -> dict:
    """Build time, then the preview's HTML and PDF latencies (lists of seconds) and the paper's pages."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build
    from reportgen.preview.server import Preview

    loaded = Project.at(project)
    with tempfile.TemporaryDirectory() as out:
        builds = []
        for _ in range(reps + 1):
            started = time.perf_counter()
            report = build(loaded, [COUNCIL], out_dir=Path(out), paper_id=PAPER, force=True, jobs=1)
            builds.append(time.perf_counter() - started)
            assert report.ok, [o.message for o in report.outcomes]
    progress = project / PROGRESS
    original = progress.read_text(encoding="utf-8")
    html, pdf = [], []
    with tempfile.TemporaryDirectory() as folder, Preview(loaded, COUNCIL, folder=Path(folder), paper=PAPER) as shown:
        threading.Thread(target=shown.serve_forever, daemon=True).start()
        stream = Stream(shown.port)
        state = shown.session.papers[PAPER]
        deadline = time.monotonic() + WAIT_S
        while not (state.pdf_generation and shown.session.idle()):  # the first twin and PDF: start-up, not timed
            assert time.monotonic() < deadline, "the preview's first PDF did not come"
            time.sleep(0.05)
        for rep in range(reps + 1):  # the first edit warms the path up and is not counted
            words = f"{SENTENCE} (edit {rep})"
            seen_html, seen_pdf = state.html_generation, state.pdf_generation
            started = time.perf_counter()
            progress.write_text(original.replace(SENTENCE, words, 1), encoding="utf-8")
            stream.wait("html", "html", seen_html)
            assert words.encode() in fetch(shown.port, f"/paper/{PAPER}/html")
            html_s = time.perf_counter() - started
            stream.wait("pdf", "pdf", seen_pdf)
            assert fetch(shown.port, f"/paper/{PAPER}/pdf").startswith(b"%PDF-")
            if rep:
                html.append(html_s)
                pdf.append(time.perf_counter() - started)
        pages = state.pages
    progress.write_text(original, encoding="utf-8")
    return {"build_s": builds[1:], "html_s": html, "pdf_s": pdf, "pages": pages,
            "build_median_s": statistics.median(builds[1:])}
