"""All that reportgen prints: diagnostics, results, summaries, progress, JSON, and the exit codes.

Diagnostics and progress go to stderr, results (paths written, tables asked
for) to stdout, so `reportgen build > written.txt` keeps only the paths.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
from enum import IntEnum
from pathlib import Path
from typing import Iterable

from reportgen.errors import Diagnostic, ordered, printable


class ExitCode(IntEnum):
    """What a reportgen process ends with; README's table of exit codes is checked against this."""

    OK = 0
    PROBLEMS = 1  # a problem in the inputs or the build: the message says what to change
    USAGE = 2  # the command line itself was wrong
    INTERNAL = 3  # a bug in reportgen: the traceback is saved to a file
    DEADLINE = 4  # `due`: a publication deadline is missed or at risk
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM

    @staticmethod
    def worst(*codes: ExitCode) -> ExitCode:
        """The code to exit with when several apply: internal error, then deadline, then problems."""
        order = [ExitCode.INTERNAL, ExitCode.DEADLINE, ExitCode.PROBLEMS]
        return next((c for c in order if c in codes), ExitCode.OK)


_timestamps = False


def timestamps(on: bool = True) -> None:
    """Start every line printed from now on with the date and time (for `reportgen schedule`'s log)."""
    global _timestamps
    _timestamps = on


def stamped(text: str) -> str:
    if not _timestamps:
        return text
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return "\n".join(f"{now} {line}" for line in text.split("\n"))


def out(text: str = "") -> None:
    """A result, on stdout."""
    print(stamped(text), flush=True)


def err(text: str = "") -> None:
    """A diagnostic or summary, on stderr."""
    print(stamped(text), file=sys.stderr, flush=True)


def emit_json(document: object) -> None:
    out(json.dumps(document, indent=2))


def relative(path: Path) -> str:
    """A path as the user would type it from here."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def diagnostics(found: Iterable[Diagnostic]) -> None:
    """Errors first, then warnings, each in file and line order."""
    for d in ordered(found):
        err(str(d))


# --- validate and build -----------------------------------------------------------------


def validation(inputs, *, strict: bool, seconds: float, calendars: int = 0) -> None:
    diagnostics(inputs.diagnostics)
    ok = not inputs.errors and not inputs.failed
    verdict = "no errors" if ok else f"{len(inputs.errors)} error(s)"
    if strict and not ok and not inputs.errors:
        verdict = "warnings count as errors (--strict)"
    err(f"Checked {len(inputs.councils) + len(inputs.failed)} council(s), {calendars} meetings calendar(s), "
        f"{len(inputs.papers())} paper(s): {verdict}, {len(inputs.warnings)} warning(s) in {seconds:.2f} s")


def validation_json(inputs) -> None:
    emit_json({
        "ok": not inputs.errors and not inputs.failed, "papers": len(inputs.papers()),
        "failed_councils": inputs.failed, "diagnostics": [d.as_dict() for d in inputs.diagnostics],
    })


def build_report(report, *, quiet: bool = False, note: str | None = None) -> None:
    """Diagnostics and failures to stderr, paths written to stdout, and the summary line (or `note` instead).

    `quiet`: nothing at all when the build is ok, so a scheduler mails only problems.
    """
    if quiet and report.ok:
        return
    for notice in report.notices:
        err(f"notice: {notice}")
    diagnostics(report.inputs.diagnostics)
    for outcome in report.outcomes:
        if outcome.status == "failed":
            err(f"{outcome.council}/{outcome.paper}: build failed: {outcome.message}")
        else:
            for warning in outcome.warnings:
                err(f"{outcome.council}/{outcome.paper}: warning: {warning}")
            for path in outcome.files:
                out(relative(path))
    for path in report.pruned:
        err(f"removed {relative(path)}: no paper produces it any more")
    for slug in report.inputs.failed:
        err(f"{slug}: not built, its records have errors (listed above)")
    if note is not None:
        err(note)
        return
    restored, removed = report.count("restored"), len(report.pruned)
    counts = [f"{report.count('written')} written", *([f"{restored} restored"] if restored else []),
              f"{report.count('unchanged')} unchanged",
              f"{report.count('failed') + len(report.inputs.failed)} failed", *([f"{removed} removed"] if removed else [])]
    err(f"Done: {', '.join(counts)} in {report.seconds:.1f} s")


def build_json(report, **extra) -> None:
    emit_json({
        "ok": report.ok,
        "seconds": round(report.seconds, 3),
        "failed_councils": report.inputs.failed,
        "notices": report.notices,
        "papers": [
            {"council": o.council, "paper": o.paper, "status": o.status, "pages": o.pages,
             "files": [str(f) for f in o.files], "message": o.message or None}
            for o in report.outcomes
        ],
        "removed": [str(p) for p in report.pruned],
        "diagnostics": [d.as_dict() for d in report.inputs.diagnostics],
        **extra,
    })


class Progress:
    """Each paper's outcome as it finishes: a bar on a terminal, plain lines in logs and schedulers."""

    def __init__(self, enabled: bool = True, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()
        self._bar = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.interactive:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(
                TextColumn("Building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=Console(file=self.stream), transient=True,
            )
            self._bar.start()
        return self

    def update(self, outcome, done: int, total: int) -> None:
        if not self.enabled:
            return
        label = f"{outcome.council}/{outcome.paper}"
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task(label, total=total)
            self._bar.update(self._task, completed=done, total=total, description=label)
        elif outcome.status != "unchanged":
            # In a log the same paper appears once per format, so say which.
            formats = ", ".join(sorted({("exempt " if f.stem.endswith("-exempt") else "") + f.suffix.lstrip(".").upper()
                                        for f in outcome.files})) or "output"
            print(stamped(f"[{done}/{total}] {label} ({formats}): {outcome.status}"), file=self.stream, flush=True)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


# --- meetings -------------------------------------------------------------------------------


def _deadline_cell(deadline) -> str:
    from reportgen.meetings.deadlines import short_date

    if deadline is None:
        return "-"
    left = deadline.working_days_left
    return f"{short_date(deadline.date)} ({left})" if left >= 0 else f"{short_date(deadline.date)} (passed)"


def due_table(report) -> str:
    """The plain-text table `reportgen due` prints: one row per meeting, one line per paper under it."""
    from reportgen.meetings.deadlines import short_date

    lines = [f"Meetings from {short_date(report.today)} to {short_date(report.until)}, and later ones with a deadline by then"]
    if not report.meetings:
        lines.append("No meetings with a deadline in this period.")
        return "\n".join(lines)
    header = ("Status", "Publish by (law)", "Council deadline", "Meeting", "Council", "Committee")
    rows = [
        (
            due.status.value + (" (council)" if due.deciding.kind == "council" else ""),
            _deadline_cell(due.deadline("statutory")),
            _deadline_cell(due.deadline("council")),
            f"{short_date(due.meeting.date)} {due.meeting.meeting.time:%H:%M}",
            due.council.slug,
            due.meeting.committee.id,
        )
        for due in report.meetings
    ]
    table = columns(header, rows)
    lines += ["", table[0]]
    for due, line in zip(report.meetings, table[1:]):
        lines.append(line)
        lines += [f"    {problem}" for problem in due.problems]
    lines += ["", "(n) = working days left before the deadline, not counting today."]
    return "\n".join(lines)


def columns(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Rows of text cells as lines of left-aligned columns, the header first."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]


def due_summary(report) -> str:
    from reportgen.meetings.deadlines import Status

    counts = "; ".join(f"{report.count(s)} {s.value}" for s in reversed(Status) if report.count(s))
    return f"{len(report.meetings)} meeting(s) in {len(report.councils)} council(s)" + (f": {counts}" if counts else "")


def due(report) -> None:
    diagnostics(report.diagnostics)
    out(due_table(report))
    err(due_summary(report) + (f"; {len(report.errors)} input error(s)" if report.errors else ""))


def pack(report, council: str) -> None:
    diagnostics(report.diagnostics)
    for line in report.papers:
        err(f"{council}/{line}")
    for line in report.intake:  # each attachment: how it went in, what was repaired and removed
        err(line)
    out(relative(report.target))
    if report.findings:
        err("The pack holds an untagged attachment (warned above), so it fails these machine checks:")
        for finding in report.findings:
            err(f"  - {finding}")
    verdict = "machine checks failed (untagged attachment)" if report.findings else "machine checks passed"
    what = report.plan.what if report.plan else "agenda pack"
    err(f"Done: {what} {report.status}: {plural(report.pages, 'page')}, "
        f"{plural(len(report.papers), 'paper')}, {plural(report.attachments, 'attachment')}; "
        f"{verdict}; in {report.seconds:.1f} s")


def register_rows(found) -> list[tuple[str, ...]]:
    from reportgen.meetings.deadlines import short_date

    rows = []
    for slug, register, papers in found.councils:
        for e in [*register.entries, *register.packs]:
            if e.withdrawn is not None:
                note = f"withdrawn {short_date(e.withdrawn.on)} by {e.withdrawn.by}: {e.withdrawn.reason}"
            elif hasattr(e, "paper"):
                note = "" if e.paper in papers else "withdrawn from source (no longer under papers/)"
            else:
                note = f"holds {', '.join(e.papers) or 'no papers'}" + (
                    f" and {plural(len(e.attachments), 'attachment')}" if e.attachments else "")
            if hasattr(e, "paper"):
                name, rev, fmt = e.paper, str(e.revision), e.format
            else:
                name = f"supplement {e.supplement}" if e.supplement else "agenda pack"
                rev, fmt = "", "pdf"
            rows.append((slug, name, rev, fmt, short_date(e.published_on), e.by, e.file, note))
    return rows


def register(found) -> None:
    """`reportgen published`: one line per published file."""
    diagnostics(found.diagnostics)
    rows = register_rows(found)
    if rows:
        out("\n".join(columns(("Council", "Paper", "Rev", "Format", "Published", "By", "File", "Note"), rows)))
    in_force = sum(len(register.files_in_force()) for _, register, _ in found.councils)
    err(f"{plural(len(rows), 'published file')} in {plural(len(found.councils), 'register')}: {in_force} in force, "
        f"{len(rows) - in_force} withdrawn")


def register_json(found) -> None:
    emit_json({
        "ok": not found.errors,
        "councils": [
            {"council": slug, "published": [
                {**e.model_dump(mode="json", exclude={"inputs"}), "in_papers": e.paper in papers}
                for e in register.entries], "packs": [p.model_dump(mode="json") for p in register.packs]}
            for slug, register, papers in found.councils
        ],
        "diagnostics": [d.as_dict() for d in found.diagnostics],
    })


# --- the tracker ---------------------------------------------------------------------------


def tracker_import(imported) -> None:
    diagnostics(imported.diagnostics)
    out(relative(imported.path))
    before = f" from '{imported.base}'" if imported.base else ""
    err(f"Imported {len(imported.record.entries)} entries{before}: {len(imported.changed)} changed, "
        f"{len(imported.unchanged)} unchanged")


# --- preview --------------------------------------------------------------------------------


def preview_ready(url: str, folder: Path, written: bool, public_host: str | None) -> None:
    """The address on stdout (for a script to open); where outputs go, on stderr."""
    if public_host is not None:
        err(f"warning: serving on {public_host}, not only this machine: anyone who can reach it on the network "
            "can read the papers being previewed")
    out(url)
    where = f"written to {relative(folder)}" if written else "kept in a temporary folder (--write to write output/)"
    err(f"Previewing at {url}; outputs are {where}. Edit and save: the page follows. Ctrl-C stops.")


def preview_notice(notice) -> None:
    """One line per render: what was updated and how long it took, or what stops it."""
    import time

    label = f"{time.strftime('%H:%M:%S')} {notice.paper}".rstrip()
    if notice.what == "html":
        err(f"{label}: HTML updated in {notice.seconds:.2f} s")
    elif notice.what == "pdf":
        err(f"{label}: PDF updated in {notice.seconds:.1f} s: {plural(notice.pages, 'page')}, machine checks passed")
        for warning in notice.lines:
            err(f"  warning: {warning}")
    else:
        kept = "PDF not updated" if notice.what == "pdf-problems" else "not updated, the last good build is shown"
        err(f"{label}: {kept}:")
        for line in notice.lines:
            err(f"  {line}")


# --- other commands ----------------------------------------------------------------------


def check_reports(reports: dict, strict: bool = False) -> None:
    for name, report in reports.items():
        out(f"{name}: {report.verdict()}")
        out(f"  validator: {report.validator}, {report.rules_checked} rules")
        out("  " + ", ".join(f"{k}: {v}" for k, v in report.facts.items()))
        for finding in report.findings:
            out(f"  - [{finding.rule}] {finding.message}")
        errors = sum(1 for f in report.layout if f.severity == "error")
        verdict = "failed" if report.layout_failed(strict) else "passed"
        out(f"  layout proof {verdict}: {errors} error(s), {len(report.layout) - errors} warning(s)"
            + (" (warnings count, --strict)" if strict and len(report.layout) > errors else ""))
        for finding in report.layout:
            out(f"  - {finding.severity}: {finding.text()}")


def doctor(checks) -> None:
    for check in checks:
        mark = "ok  " if check.ok else ("FAIL" if check.required else "warn")
        line = f"{mark} {check.name}: {check.detail}"
        out(line if check.ok else f"{line}\n     fix: {check.fix}")
    failed = [c for c in checks if c.required and not c.ok]
    out("All required dependencies found." if not failed else f"{len(failed)} required dependency problem(s).")


def councils(summaries) -> None:
    for s in summaries:
        out(f"{s.slug}\t{s.name}\tstyle: {s.style}\tpapers: {', '.join(s.papers) or '(no papers)'}")


def styles(summaries) -> None:
    for s in summaries:
        parent = f" (extends {s.extends})" if s.extends else ""
        out(f"{s.name}\t{s.description}{parent}")
        diagnostics(s.problems)
    err(f"{len(summaries)} style(s) in templates/")


def internal_error(exc: BaseException, trace: str, show: bool = False) -> None:
    """A bug: one line saying so, and where its traceback was saved (printed too when `show`)."""
    if show:
        sys.stderr.write(trace)
    log = _save_crash_log(trace)
    saved = (f"The traceback was saved to {log}; please attach it when reporting." if log else
             "The traceback could not be saved; run again with --debug to see it.")
    err(f"reportgen hit an internal error (this is a bug, not a problem with your files): "
        f"{printable(f'{type(exc).__name__}: {exc}')}\n{saved}")


def _save_crash_log(text: str) -> Path | None:
    """The traceback in a new file of the temporary folder, or None when it cannot be written.

    mkstemp creates the file exclusively with a random name (O_CREAT | O_EXCL,
    mode 0600, never through a link), so another user of a shared /tmp cannot
    plant a link for the log to be written through.
    """
    try:
        fd, name = tempfile.mkstemp(prefix="reportgen-crash-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError:
        return None
    return Path(name)
