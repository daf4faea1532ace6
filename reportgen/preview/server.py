"""The preview's web server: its page, the current outputs and an event stream, on 127.0.0.1 unless told otherwise.

Only four kinds of thing are served, each looked up by name, never by a
path from the request: the preview's own static files, the current HTML
twin and PDF of a paper, the page itself, and the lines of a file that a
problem on the page names. Every file is read through reportgen.confine.
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote, unquote, urlsplit

from reportgen.confine import Roots
from reportgen.errors import InputError, ReportgenError, did_you_mean, error, one_of
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.pipeline.output import build_lock, remove_stale_temporaries
from reportgen.pipeline.render import EXEMPT_FOLDER
from reportgen.preview.pages import Pages
from reportgen.preview.session import Notice, Session
from reportgen.preview.work import INTERNAL

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
KEEPALIVE_S = 15  # a comment on the event stream this often, so a closed page is noticed
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-src 'self'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
FRAME_POLICY = "default-src 'none'; style-src 'self'; frame-ancestors 'self'"  # a note shown in a frame
TWIN_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


class Handler(BaseHTTPRequestHandler):
    """One request: routed by its path's parts; anything not routed is 404, never a directory listing."""

    server: PreviewServer
    server_version = "reportgen-preview"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        try:
            self._route()
        except ConnectionError:  # the browser went away mid-answer
            pass
        except Exception as exc:  # noqa: BLE001 - a bug answers 500 with what happened; the server goes on
            self._send(500, f"{INTERNAL}{type(exc).__name__}: {exc}\n".encode("utf-8"))

    do_HEAD = do_GET

    def _route(self) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            return self._send(403, b"Forbidden: this preview answers only to the address it printed.\n")
        path = urlsplit(self.path).path
        parts = [unquote(part) for part in path.split("/")[1:]]
        if any(part in (".", "..") or "/" in part or "\\" in part or "\0" in part for part in parts):
            return self._not_found()
        session, pages = preview.session, preview.pages
        match parts:
            case [""]:
                if session.only is not None:
                    return self._send(303, b"", headers={"Location": f"/paper/{quote(session.only)}"})
                return self._page(pages.papers(session))
            case ["events"]:
                return self._events()
            case ["static", name] if Path(name).suffix in STATIC_TYPES:
                return self._file(STATIC / name, [STATIC], STATIC_TYPES[Path(name).suffix])
            case ["paper", pid, *rest] if pid in session.papers:
                return self._paper(pid, rest)
        self._not_found()

    def _paper(self, pid: str, rest: list[str]) -> None:
        session, pages = self.server.preview.session, self.server.preview.pages
        state = session.papers[pid]
        match rest:
            case []:
                session.want_pdf(pid)
                return self._page(pages.paper(session, state))
            case ["status"]:
                return self._page(pages.status(state))
            case ["html" | "pdf"] if _exempt(state.html if rest == ["html"] else state.pdf, session.folder):
                return self._not_found()  # members only: never served, whatever put it there
            case ["html"]:
                if state.html is None:
                    return self._page(pages.waiting(state, "HTML"), FRAME_POLICY)
                return self._file(state.html, [session.folder], "text/html; charset=utf-8", TWIN_POLICY)
            case ["pdf"]:
                if state.pdf is None:
                    return self._page(pages.waiting(state, "PDF"), FRAME_POLICY)
                return self._file(state.pdf, [session.folder], "application/pdf")
            case ["source", number] if number.isascii() and number.isdigit():
                shown = pages.source(session, state, int(number))
                return self._page(shown) if shown is not None else self._not_found()
        self._not_found()

    def _page(self, html: str, policy: str = PAGE_POLICY) -> None:
        self._send(200, html.encode("utf-8"), "text/html; charset=utf-8", policy)

    def _file(self, path: Path, roots: list[Path], kind: str, policy: str | None = None) -> None:
        found = Roots(roots).find(path)
        if found is None or not found.is_file():
            return self._not_found()
        self._send(200, found.read_bytes(), kind, policy)

    def _not_found(self) -> None:
        self._send(404, b"Not found.\n")

    def _send(self, status: int, body: bytes, kind: str = "text/plain; charset=utf-8", policy: str | None = None,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": kind, "Content-Length": str(len(body)), "Cache-Control": "no-store",
                            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                            **({"Content-Security-Policy": policy} if policy else {}), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: `html`, `pdf` and `status`, each with the paper's summary as JSON."""
        events = self.server.preview.session.events
        seen = events.last
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        chunk = "retry: 1000\n\n"  # reconnect quickly when the preview is restarted
        with contextlib.suppress(ConnectionError):
            while not events.closed:
                self.wfile.write(chunk.encode("utf-8"))
                self.wfile.flush()
                found = events.after(seen, KEEPALIVE_S)
                seen = found[-1][0] if found else seen
                chunk = "".join(f"id: {number}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"
                                for number, kind, data in found) or ": waiting for changes\n\n"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Requests are not logged: the terminal shows what was rendered."""


def _exempt(path: Path | None, folder: Path) -> bool:
    """Whether an output lies in a council's exempt/ folder (`<folder>/<council>/exempt/...`)."""
    if path is None:
        return False
    try:
        parts = Path(path).resolve().relative_to(Path(folder).resolve()).parts
    except ValueError:
        return False
    return len(parts) > 2 and parts[1] == EXEMPT_FOLDER


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # an open event stream must not hold up stopping

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.preview = preview
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)


class Preview:
    """A session and the server showing it, started and stopped together."""

    def __init__(self, project: Project, slug: str, *, folder: Path, paper: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, public: bool = False,
                 notify: Callable[[Notice], None] = lambda notice: None):
        if host not in LOOPBACK and not public:
            raise ReportgenError(f"refusing to serve the preview on {host}: anyone who can reach this machine "
                                 f"could read it; to do so anyway, name the address with --host {host}")
        self.project, self.host = project, host
        self.pages = Pages()
        self._serving = False
        try:  # first, so that a port in use is said before anything starts
            self.server = PreviewServer((host, port), self)
        except OSError as exc:
            reason = "it is in use (another preview?)" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ReportgenError(f"cannot serve on {host} port {port}: {reason}; pass --port with another number, "
                                 "or --port 0 for any free port") from None
        self.session = Session(project, slug, folder=folder, paper=paper, notify=notify)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        page = f"/paper/{quote(self.session.only)}" if self.session.only else "/"
        return f"http://{host}:{self.port}{page}"

    def host_allowed(self, header: str | None) -> bool:
        """On a loopback address, only requests that name it (a web page's DNS rebinding names another)."""
        if self.host not in LOOPBACK or header is None:
            return True
        return header in {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def __enter__(self) -> Preview:
        self.session.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def serve_forever(self) -> None:
        self._serving = True
        self.server.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self.session.close()
        if self._serving:  # shutdown() waits for serve_forever() to end, forever if it never began
            self.server.shutdown()
        self.server.server_close()


def check_paper(project: Project, slug: str, paper: str | None) -> None:
    """The council exists and has the paper named; an InputError that suggests the nearest otherwise."""
    project.select([slug])
    known = [path.stem for path in yaml_files(project.council_dir(slug) / "papers")]
    if paper is not None and paper not in known:
        raise InputError([error(f"no paper '{paper}' in council '{slug}'{did_you_mean(paper, known)}; "
                                f"papers: {one_of(known)}")])


@contextlib.contextmanager
def preview_folder(write_to: Path | None) -> Iterator[Path]:
    """Where the session's outputs go: `write_to` (held as a build holds it), else a folder removed at the end."""
    with contextlib.ExitStack() as stack:
        folder = write_to or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reportgen-preview-")))
        stack.enter_context(build_lock(folder))
        remove_stale_temporaries(folder)
        yield folder


def serve(project: Project, slug: str, *, paper: str | None, host: str, port: int, public: bool,
          write_to: Path | None, on_ready: Callable[[Preview], None], notify: Callable[[Notice], None]) -> None:
    """Run the preview until interrupted (Ctrl-C raises KeyboardInterrupt here, after everything is stopped)."""
    check_paper(project, slug, paper)
    with preview_folder(write_to) as folder, Preview(project, slug, folder=folder, paper=paper, host=host,
                                                     port=port, public=public, notify=notify) as preview:
        on_ready(preview)
        preview.serve_forever()
