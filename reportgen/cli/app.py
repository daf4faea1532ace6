"""The `reportgen` command: parse options, call the library, map results to output and exit codes.

Exit codes: 0 ok, 1 problems in the inputs or the build, 2 usage, 3 internal error.
Diagnostics go to stderr, results (paths written) to stdout.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback
from enum import Enum
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from reportgen.errors import Diagnostic, ReportgenError, printable

app = typer.Typer(
    help="Council committee papers from YAML progress records and house styles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
INTERRUPTED = "Interrupted; finished papers were kept and no paper was left half-written."


class State:
    project: Path = Path(".")
    debug: bool = False


ProjectOption = Annotated[
    Path, typer.Option("--project", "-C", help="Project folder holding councils/ and templates/.", show_default=False)
]
CouncilsArg = Annotated[Optional[list[str]], typer.Argument(help="Council folders to use; all when none are named.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print results and diagnostics as JSON on stdout.")]
OutOption = Annotated[Optional[Path], typer.Option(
    "--out", help="Output folder; default: output/ in the project folder.", show_default=False)]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
TodayOption = Annotated[Optional[datetime], typer.Option(
    "--today", formats=["%Y-%m-%d"], help="Take this date (YYYY-MM-DD) as today; default: today in the UK.",
    show_default=False)]
WithinOption = Annotated[int, typer.Option("--within", min=0, metavar="DAYS",
                                           help="Meetings held within DAYS days, or with a deadline by then.")]


@app.callback()
def _root(
    project: ProjectOption = Path("."),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    State.project = project
    State.debug = debug


def _project():
    from reportgen.inputs.project import Project

    return Project.at(State.project)


def _out_dir(out: Path | None) -> Path:
    """--out as typed (relative to the working folder), or output/ in the project (-C) when not given."""
    if out is None:
        return State.project.resolve() / "output"
    return out if out.is_absolute() else Path.cwd() / out


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in sorted(diagnostics, key=lambda d: (not d.is_error, str(d.file or ""), d.line or 0)):
        typer.echo(str(d), err=True)


@app.command()
def validate(councils: CouncilsArg = None, as_json: JsonOption = False, strict: StrictOption = False) -> None:
    """Check councils' records, reference data and styles without rendering anything."""
    from reportgen.pipeline.build import gather

    started = time.perf_counter()
    inputs = gather(_project(), councils, strict=strict)
    papers = len(inputs.papers())
    ok = not inputs.errors and not inputs.failed
    if as_json:
        typer.echo(json.dumps({
            "ok": ok, "papers": papers, "failed_councils": inputs.failed,
            "diagnostics": [d.as_dict() for d in inputs.diagnostics],
        }, indent=2))
    else:
        _print_diagnostics(inputs.diagnostics)
        verdict = "no errors" if ok else f"{len(inputs.errors)} error(s)"
        if strict and not ok and not inputs.errors:
            verdict = "warnings count as errors (--strict)"
        typer.echo(f"Checked {len(inputs.councils) + len(inputs.failed)} council(s), {papers} paper(s): "
                   f"{verdict}, {len(inputs.warnings)} warning(s) in {time.perf_counter() - started:.2f} s",
                   err=True)
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)


class Format(str, Enum):
    PDF = "pdf"
    HTML = "html"
    BOTH = "both"


@app.command()
def build(
    councils: CouncilsArg = None,
    paper: Annotated[Optional[str], typer.Option("--paper", help="Build only the paper with this id.")] = None,
    out: OutOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="PDF, the accessible HTML twin, or both.")] = Format.PDF,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even what has not changed.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1,
                                                help="Papers rendered at once (default: the machine's cores).")] = None,
    due: Annotated[bool, typer.Option("--due", help="Build only the papers that upcoming meetings need.")] = False,
    today: TodayOption = None,
    within: WithinOption = 28,
    as_json: JsonOption = False,
    strict: StrictOption = False,
) -> None:
    """Build papers into the output folder (every council when none is named); only what changed."""
    from reportgen.pipeline.build import FORMATS
    from reportgen.pipeline.build import build as run_build
    from reportgen.cli.progress import Reporter

    project = _project()
    out_dir = _out_dir(out)
    formats = FORMATS if fmt is Format.BOTH else (fmt.value,)
    only = None
    if due:
        from reportgen.meetings.calendar import london_today
        from reportgen.meetings.scheduling import papers_due

        only = papers_due(project, councils, today.date() if today else london_today(), within)
        councils = sorted(only)
        if not councils:
            typer.echo(f"No meeting within {within} days needs a paper; nothing to build.", err=True)
            raise typer.Exit(EXIT_OK)
    with Reporter(enabled=not as_json) as reporter:
        report = run_build(project, councils, out_dir=out_dir, paper_id=paper, strict=strict, formats=formats,
                           force=force, jobs=jobs, only=only, on_outcome=reporter.update)
    if as_json:
        typer.echo(json.dumps({
            "ok": report.ok,
            "seconds": round(report.seconds, 3),
            "failed_councils": report.inputs.failed,
            "notices": report.notices,
            "papers": [
                {"council": o.council, "paper": o.paper, "status": o.status, "pages": o.pages,
                 "files": [str(f) for f in o.files], "message": o.message or None}
                for o in report.outcomes
            ],
            "diagnostics": [d.as_dict() for d in report.inputs.diagnostics],
        }, indent=2))
    else:
        _print_build(report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@app.command()
def publish(
    council: Annotated[str, typer.Argument(help="The council folder, e.g. haringey.", show_default=False)],
    paper: Annotated[str, typer.Argument(help="The paper id (its file name under papers/).", show_default=False)],
    on: Annotated[Optional[datetime], typer.Option("--on", formats=["%Y-%m-%d"],
                                                   help="Publication date; default: today in the UK.")] = None,
    out: OutOption = None,
) -> None:
    """Mark a built paper as published: later changes become revisions, never overwrites."""
    from reportgen.meetings.calendar import london_today
    from reportgen.meetings.publication import publish as run_publish

    project = _project()
    out_dir = _out_dir(out)
    for item in run_publish(out_dir, council, paper, on.date() if on else london_today(), root=project.root):
        label = "original" if item.revision == 0 else f"revision {item.revision}"
        typer.echo(f"published ({label}): {_relative(item.output)}")
    raise typer.Exit(EXIT_OK)


@app.command()
def schedule(
    councils: CouncilsArg = None,
    at: Annotated[list[str], typer.Option("--at", metavar="HH:MM",
                                          help="Time of day (UK time) to run; repeat for several.")] = ["06:00"],
    within: WithinOption = 28,
    out: OutOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="PDF, the accessible HTML twin, or both.")] = Format.BOTH,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Papers rendered at once.")] = None,
) -> None:
    """Stay in the foreground and build what meetings need, daily at the times given (for hosts with no scheduler)."""
    from reportgen.pipeline.build import FORMATS
    from reportgen.meetings.calendar import london_today
    from reportgen.meetings.scheduling import build_due, run_forever

    try:
        times = [datetime.strptime(t, "%H:%M").time() for t in at]
    except ValueError:
        raise typer.BadParameter("expected times such as 06:00 or 18:30", param_hint="--at") from None
    project = _project()
    out_dir = _out_dir(out)
    formats = FORMATS if fmt is Format.BOTH else (fmt.value,)

    def once() -> None:
        try:
            report = build_due(project, councils, today=london_today(), within=within, out_dir=out_dir,
                               formats=formats, jobs=jobs)
        except ReportgenError as exc:  # one bad run must not stop the schedule
            typer.echo(f"run failed: {exc}", err=True)
            return
        if report is None:
            typer.echo("nothing due", err=True)
            return
        _print_build(report)

    run_forever(once, times, lambda line: typer.echo(line, err=True))


def _print_build(report) -> None:
    """Diagnostics and failures to stderr, paths written to stdout, and the summary line."""
    for notice in report.notices:
        typer.echo(f"notice: {notice}", err=True)
    _print_diagnostics(report.inputs.diagnostics)
    for outcome in report.outcomes:
        if outcome.status == "failed":
            typer.echo(f"{outcome.council}/{outcome.paper}: build failed: {outcome.message}", err=True)
        else:
            for warning in outcome.warnings:
                typer.echo(f"{outcome.council}/{outcome.paper}: warning: {warning}", err=True)
            for path in outcome.files:
                typer.echo(_relative(path))
    for slug in report.inputs.failed:
        typer.echo(f"{slug}: not built, its records have errors (listed above)", err=True)
    typer.echo(
        f"Done: {report.count('written')} written, {report.count('unchanged')} unchanged, "
        f"{report.count('failed') + len(report.inputs.failed)} failed in {report.seconds:.1f} s",
        err=True,
    )


@app.command("councils")
def list_councils() -> None:
    """List councils with their house styles and papers."""
    from reportgen.inputs.records import yaml_files
    from reportgen.inputs.yamlload import load_yaml

    project = _project()
    for slug in project.council_slugs():
        folder = project.council_dir(slug)
        try:
            data = load_yaml(folder / "council.yaml").data or {}
        except ReportgenError:
            data = {}
        style = data.get("style", "?") if isinstance(data, dict) else "?"
        name = data.get("name", slug) if isinstance(data, dict) else slug
        papers = ", ".join(p.stem for p in yaml_files(folder / "papers")) or "(no papers)"
        typer.echo(f"{slug}\t{name}\tstyle: {style}\tpapers: {papers}")


@app.command("styles")
def list_styles() -> None:
    """List house styles with their one-line descriptions."""
    from reportgen.inputs.project import Project
    from reportgen.inputs.styles import describe_styles

    summaries = describe_styles(Project.at(State.project))
    for s in summaries:
        parent = f" (extends {s.extends})" if s.extends else ""
        typer.echo(f"{s.name}\t{s.description}{parent}")
        _print_diagnostics(list(s.problems))
    typer.echo(f"{len(summaries)} style(s) in templates/", err=True)


@app.command("new-council")
def new_council(
    slug: Annotated[str, typer.Argument(help="Folder name under councils/: lowercase letters, digits, hyphens.")],
    name: Annotated[str, typer.Option("--name", help="The council's full name, e.g. \"North Downs District Council\".")],
    style: Annotated[str, typer.Option("--style", help="House style; `reportgen styles` lists them.")],
    nation: Annotated[str, typer.Option("--nation", help="England or Wales.")] = "England",
) -> None:
    """Create councils/SLUG with a starter paper that validates and builds at once."""
    from reportgen.scaffold import new_council as scaffold

    created = scaffold(_project(), slug, name=name, style=style, nation=nation)
    for path in created.files:
        typer.echo(_relative(path))
    typer.echo(f"Created council '{slug}'. Edit its files, then run: reportgen build {slug}", err=True)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="PDF files to check.", exists=True, dir_okay=False)],
    as_json: JsonOption = False,
) -> None:
    """Run the machine accessibility checks (PDF/UA-1 validator and structure checks) on PDFs."""
    from reportgen.pdf.gate import check_pdf

    reports = {str(f): check_pdf(f.read_bytes()) for f in files}
    if as_json:
        typer.echo(json.dumps({name: r.as_dict() for name, r in reports.items()}, indent=2))
    else:
        for name, report in reports.items():
            typer.echo(f"{name}: {report.verdict()}")
            typer.echo(f"  validator: {report.validator}, {report.rules_checked} rules")
            facts = ", ".join(f"{k}: {v}" for k, v in report.facts.items())
            typer.echo(f"  {facts}")
            for finding in report.findings:
                typer.echo(f"  - [{finding.rule}] {finding.message}")
    raise typer.Exit(EXIT_OK if all(r.passed for r in reports.values()) else EXIT_PROBLEMS)


@app.command()
def doctor() -> None:
    """Check Python packages, system libraries (Pango, HarfBuzz) and shipped fonts."""
    from reportgen.doctor import run_checks

    checks = run_checks(Path(State.project).resolve() / "templates")
    for check in checks:
        mark = "ok  " if check.ok else ("FAIL" if check.required else "warn")
        line = f"{mark} {check.name}: {check.detail}"
        typer.echo(line if check.ok else f"{line}\n     fix: {check.fix}")
    failed = [c for c in checks if c.required and not c.ok]
    typer.echo("All required dependencies found." if not failed else f"{len(failed)} required dependency problem(s).")
    raise typer.Exit(EXIT_PROBLEMS if failed else EXIT_OK)


EXIT_DEADLINE = 3  # `due`: a deadline is missed or at risk (monitoring alerts on it)


@app.command()
def due(
    councils: CouncilsArg = None,
    today: TodayOption = None,
    within: WithinOption = 28,
    as_json: JsonOption = False,
) -> None:
    """Publication deadlines and status of upcoming meetings; exit 3 when one is missed or at risk."""
    from reportgen.meetings.calendar import due_report, format_due, london_today, summary

    report = due_report(_project(), councils, today=today.date() if today else london_today(), within=within)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_diagnostics(report.diagnostics)
        typer.echo(format_due(report))
        typer.echo(summary(report) + (f"; {len(report.errors)} input error(s)" if report.errors else ""), err=True)
    raise typer.Exit(EXIT_DEADLINE if report.alert else EXIT_PROBLEMS if report.errors else EXIT_OK)


@app.command()
def pack(
    council: Annotated[str, typer.Argument(help="The council folder, e.g. haringey.", show_default=False)],
    meeting: Annotated[datetime, typer.Option(
        "--meeting", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
        help="Date of the meeting, as in meetings.yaml.", show_default=False)],
    committee: Annotated[Optional[str], typer.Option(
        "--committee", help="Committee id, when more than one meets that day.")] = None,
    out: OutOption = None,
    strict: StrictOption = False,
) -> None:
    """One PDF for a meeting: agenda front sheet, every paper in item order, attachments; tagged."""
    from reportgen.meetings.pack import build_pack

    out_dir = _out_dir(out)
    report = build_pack(_project(), council, meeting.date(), committee, out_dir=out_dir, strict=strict)
    _print_diagnostics(report.diagnostics)
    for line in report.papers:
        typer.echo(f"{council}/{line}", err=True)
    typer.echo(_relative(report.target))
    if report.findings:
        typer.echo("The pack holds an untagged attachment (warned above), so it fails these machine checks:", err=True)
        for finding in report.findings:
            typer.echo(f"  - {finding}", err=True)
    verdict = "machine checks failed (untagged attachment)" if report.findings else "machine checks passed"
    count = lambda n, noun: f"{n} {noun}{'' if n == 1 else 's'}"  # noqa: E731
    typer.echo(f"Done: agenda pack {report.status}: {count(report.pages, 'page')}, "
               f"{count(len(report.papers), 'paper')}, {count(report.attachments, 'attachment')}; "
               f"{verdict}; in {report.seconds:.1f} s", err=True)
    raise typer.Exit(EXIT_OK)


def _relative(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class Terminated(KeyboardInterrupt):
    """SIGTERM, unwound like Ctrl-C so temporary files are removed on the way out."""


def _interruption(exc: BaseException) -> KeyboardInterrupt | None:
    """Typer turns Ctrl-C into exit 130; find the KeyboardInterrupt behind a SystemExit."""
    seen = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _terminate(signum, frame) -> None:
    raise Terminated


def _exit_interrupted(interruption: KeyboardInterrupt) -> None:
    typer.echo(INTERRUPTED, err=True)
    sys.exit(128 + signal.SIGTERM if isinstance(interruption, Terminated) else 130)


def main() -> None:
    """Console entry point: user errors exit 1 without a traceback; bugs exit 3 and save one."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()  # Typer itself turns usage errors into exit code 2
    except ReportgenError as exc:
        typer.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _exit_interrupted(exc)
    except SystemExit as exc:
        interruption = _interruption(exc) if exc.code == 130 else None
        if interruption is not None:
            _exit_interrupted(interruption)
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if State.debug:
            traceback.print_exc()
        log = _save_crash_log(traceback.format_exc())
        saved = (f"The traceback was saved to {log}; please attach it when reporting." if log else
                 "The traceback could not be saved; run again with --debug to see it.")
        typer.echo(
            f"reportgen hit an internal error (this is a bug, not a problem with your files): "
            f"{printable(f'{type(exc).__name__}: {exc}')}\n{saved}",
            err=True,
        )
        sys.exit(EXIT_BUG)


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
