"""Headless Chromium over the DevTools protocol, on a pipe: one browser for many pages and widths, no extra packages."""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]
TIMEOUT = 120  # seconds for one answer; a busy machine is slow, a hung browser is not waited for forever


class Chromium:
    """A browser process; `page(path, width)` opens a file at a window width and returns its session."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="reportgen-chromium-")
        ours_read, theirs_write = os.pipe()
        theirs_read, ours_write = os.pipe()

        def wire():  # the protocol pipe is fd 3 (commands in) and fd 4 (answers out)
            os.dup2(theirs_read, 3)
            os.dup2(theirs_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(theirs_read)
        os.close(theirs_write)
        self.commands = os.fdopen(ours_write, "wb")
        self.answers = ours_read
        self.ids = itertools.count(1)
        self.buffer = b""
        self.events: list[dict] = []

    def _message(self) -> dict:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.answers], [], [], TIMEOUT)
            chunk = os.read(self.answers, 1 << 20) if ready else b""
            if not chunk:
                raise RuntimeError("Chromium stopped answering" if ready else f"Chromium gave no answer in {TIMEOUT} s")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        number = next(self.ids)
        message = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.commands.write(json.dumps(message).encode() + b"\0")
        self.commands.flush()
        while True:
            answer = self._message()
            if answer.get("id") == number:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
            self.events.append(answer)

    def wait_for(self, method: str, session: str) -> None:
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return
            self.events.append(self._message())

    def page(self, path: Path, width: int, height: int = 900) -> "Page":
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session)
        page = Page(self, session, target)
        page.resize(width, height)
        self.send("Page.navigate", session, url=path.as_uri())
        self.wait_for("Page.loadEventFired", session)
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError, ValueError):
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.commands.close()
        os.close(self.answers)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Chromium, session: str, target: str):
        self.browser, self.session, self.target = browser, session, target

    def resize(self, width: int, height: int = 900) -> None:
        """Lay the page out again at this window width; below 800 px as a phone does (the viewport meta tag applies)."""
        self.browser.send("Emulation.setDeviceMetricsOverride", self.session, width=width, height=height,
                          deviceScaleFactor=1, mobile=width < 800)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (a promise is awaited), as JSON."""
        result = self.browser.send("Runtime.evaluate", self.session, expression=expression,
                                   awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description", result))
        return result["result"].get("value")

    def accessibility_tree(self) -> list[dict]:
        """Chromium's accessibility tree, every node (those a screen reader is not given have "ignored")."""
        return self.browser.send("Accessibility.getFullAXTree", self.session)["nodes"]

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)
