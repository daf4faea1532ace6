"""The `reportgen` command: parse options, call one library function, print through the console, exit.

Exit codes are `console.ExitCode`: 0 ok, 1 problems in the inputs or the
build, 2 usage, 3 internal error, 4 deadline missed or at risk, 130/143
interrupted.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from reportgen import __version__
from reportgen.cli import console
from reportgen.cli.console import ExitCode
from reportgen.errors import ReportgenError

app = typer.Typer(
    help="Council committee papers from YAML progress records and house styles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no type labels such as <bool> beside flags
)

# Typer labels an argument with its Python type ("<list[str]>") even when it has
# a metavar; an officer reading --help needs only the metavar.
typer.core.TyperArgument.display_type_rich = (
    lambda self, ctx: None if self.metavar else typer.core.TyperArgument.display_type(self, ctx))

INTERRUPTED = "Interrupted; finished papers were kept and no paper was left half-written."


@dataclass
class Settings:
    """The options given before the command, handed to every command through Typer's context."""

    project: Path = Path(".")
    debug: bool = False


_settings = Settings()  # what main() needs after the app has returned (e.g. --debug for a crash)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, e.g. 2013-01-21; got '{value}'") from None


def _version(value: bool) -> None:
    if value:
        console.out(f"reportgen {__version__}")
        raise typer.Exit()


ProjectOption = Annotated[Path, typer.Option(
    "--project", "-C", metavar="DIR", help="Project folder holding councils/ and templates/.", show_default=False)]
CouncilsArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="COUNCIL", help="Council folders to use; all when none are named.", show_default=False)]
CouncilArg = Annotated[str, typer.Argument(metavar="COUNCIL", help="The council folder, e.g. haringey.",
                                           show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print results and diagnostics as JSON on stdout.")]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
TodayOption = Annotated[Optional[str], typer.Option(
    "--today", metavar="DATE", help="Take DATE (YYYY-MM-DD) as today; default: today in the UK.", show_default=False)]
WithinOption = Annotated[int, typer.Option("--within", min=0, metavar="DAYS",
                                           help="Meetings held within DAYS days, or with a deadline by then.")]
def _value(flag: str, metavar: str, help: str, **options):
    """An option that takes a value and has no default worth showing."""
    return typer.Option(flag, metavar=metavar, help=help, show_default=False, **options)


CommitteeOption = Annotated[Optional[str], _value("--committee", "ID", "Committee id, when more than one meets "
                                                                       "that day.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when all is well (exit code 0), "
                                                                 "so a scheduler mails only problems.")]
OutOption = Annotated[Optional[Path], _value("--out", "DIR", "Output folder; default: output/ in the project folder.")]
JobsOption = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", min=1, metavar="N", help="Papers rendered at once (default: the machine's cores).",
    show_default=False)]


class Format(str, Enum):
    PDF = "pdf"
    HTML = "html"
    BOTH = "both"

    @property
    def formats(self) -> tuple[str, ...]:
        return ("pdf", "html") if self is Format.BOTH else (self.value,)


FormatOption = Annotated[Format, typer.Option("--format", metavar="pdf|html|both",
                                              help="PDF, the accessible HTML twin, or both.")]


@app.callback()
def _root(
    ctx: typer.Context,
    project: ProjectOption = Path("."),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print reportgen's version and exit.")] = False,
) -> None:
    _settings.project, _settings.debug = project, debug
    ctx.obj = _settings


def _project(ctx: typer.Context):
    from reportgen.inputs.project import Project

    return Project.at(ctx.obj.project)


def _out_dir(out: Path | None) -> Path:
    """--out as typed (relative to the working folder), or output/ in the project (-C) when not given."""
    if out is None:
        return _settings.project.resolve() / "output"
    return out if out.is_absolute() else Path.cwd() / out


@app.command()
def validate(ctx: typer.Context, councils: CouncilsArg = None, as_json: JsonOption = False,
             strict: StrictOption = False) -> None:
    """Check councils' records, meetings calendars, publication registers and styles without rendering anything."""
    from reportgen.meetings.checks import check_project

    started = time.perf_counter()
    checked = check_project(_project(ctx), councils, strict=strict)
    inputs = checked.inputs
    if as_json:
        console.validation_json(inputs)
    else:
        console.validation(inputs, strict=strict, seconds=time.perf_counter() - started,
                           calendars=sum(1 for c in checked.calendars if c.calendar is not None))
    raise typer.Exit(ExitCode.OK if not inputs.errors and not inputs.failed else ExitCode.PROBLEMS)


@app.command()
def build(
    ctx: typer.Context,
    councils: CouncilsArg = None,
    paper: Annotated[Optional[str], typer.Option("--paper", metavar="ID", help="Build only the paper with this id.",
                                                 show_default=False)] = None,
    out: OutOption = None,
    fmt: FormatOption = Format.PDF,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even what has not changed.")] = False,
    jobs: JobsOption = None,
    due: Annotated[bool, typer.Option(
        "--due", help="Check everything as validate does, then build only the papers upcoming meetings need.")] = False,
    today: TodayOption = None,
    within: WithinOption = 28,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Remove outputs no paper produces any more (never a published file).")] = False,
    as_json: JsonOption = False,
    strict: StrictOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build papers into the output folder (every council when none is named); only what changed."""
    from reportgen.pipeline.build import build as run_build

    project = _project(ctx)
    options = dict(out_dir=_out_dir(out), paper_id=paper, strict=strict, formats=fmt.formats, force=force, jobs=jobs,
                   prune=prune)
    needed = None
    with console.Progress(enabled=not (as_json or quiet)) as progress:
        if due:
            from reportgen.meetings.calendar import london_today
            from reportgen.meetings.scheduling import build_due

            report, needed = build_due(project, councils, today=_date(today) or london_today(), within=within,
                                       on_outcome=progress.update, **options)
        else:
            report = run_build(project, councils, on_outcome=progress.update, **options)
    if as_json:
        console.build_json(report, **({"nothing_due": needed == 0} if due else {}))
    else:
        console.build_report(report, quiet=quiet, note=None if needed != 0 else
                             f"No meeting within {within} days needs a paper; nothing to build.")
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.PROBLEMS)


@app.command()
def publish(
    ctx: typer.Context,
    council: CouncilArg,
    paper: Annotated[Optional[str], typer.Argument(
        metavar="PAPER", help="The paper id (its file name under papers/); leave out with --pack.",
        show_default=False)] = None,
    pack: Annotated[Optional[str], _value("--pack", "DATE", "Record the agenda pack of the meeting on DATE "
                                          "(YYYY-MM-DD) instead of a paper; with --supplement, its next supplement.")
                    ] = None,
    committee: CommitteeOption = None,
    supplement: Annotated[bool, typer.Option(
        "--supplement", help="With --pack: the supplement built by `pack --supplement`.")] = False,
    on: Annotated[Optional[str], _value("--on", "DATE", "Publication (or withdrawal) date, YYYY-MM-DD: not in the "
                                        "future, not before the previous version's; default: today in the UK.")] = None,
    by: Annotated[Optional[str], _value("--by", "NAME", "Who publishes; default: git config user.name, else your "
                                        "user name.")] = None,
    withdraw: Annotated[Optional[int], _value("--withdraw", "REVISION", "Mark this published revision (0 = the "
                                              "original; with --pack the supplement, 0 = the pack) withdrawn; needs "
                                              "--reason. The entry is kept.", min=0)] = None,
    reason: Annotated[Optional[str], _value("--reason", "TEXT", "Why it is withdrawn.")] = None,
    out: OutOption = None,
) -> None:
    """Record a built paper or agenda pack in the council's register (published.yaml, published/)."""
    from reportgen.meetings.calendar import london_today
    from reportgen.meetings.publication import publish as run_publish, publish_pack, withdraw as run_withdraw

    if (paper is None) == (pack is None):
        raise typer.BadParameter("name a PAPER, or give --pack DATE for an agenda pack", param_hint="PAPER")
    if (supplement or committee) and pack is None:
        raise typer.BadParameter("goes with --pack DATE", param_hint="--supplement/--committee")
    project = _project(ctx)
    today = london_today()
    if withdraw is not None:
        if not reason or not reason.strip():
            raise typer.BadParameter("say why with --reason TEXT", param_hint="--withdraw")
        for entry in run_withdraw(project, council, paper, withdraw, reason.strip(), on=_date(on) or today,
                                  today=today, by=by, pack=_date(pack), committee=committee):
            console.out(f"withdrawn: {council}/{entry.file}")
        raise typer.Exit(ExitCode.OK)
    if reason is not None:
        raise typer.BadParameter("--reason goes with --withdraw REVISION", param_hint="--reason")
    if pack is not None:
        done = [publish_pack(project, _out_dir(out), council, _date(pack), committee, supplement=supplement,
                             on=_date(on) or today, today=today, by=by)]
    else:
        done = run_publish(project, _out_dir(out), council, paper, on=_date(on) or today, today=today, by=by)
    for item in done:
        label = ("agenda pack" if pack else "original") if item.revision == 0 else \
            f"{'supplement' if pack else 'revision'} {item.revision}"
        state = "already published" if item.already else "published"
        console.out(f"{state} ({label}): {console.relative(item.output)}")
    raise typer.Exit(ExitCode.OK)


@app.command()
def published(ctx: typer.Context, councils: CouncilsArg = None, as_json: JsonOption = False) -> None:
    """List the councils' publication registers: every version published, withdrawn or no longer in papers/."""
    from reportgen.meetings.publication import listing

    found = listing(_project(ctx), councils)
    (console.register_json if as_json else console.register)(found)
    raise typer.Exit(ExitCode.PROBLEMS if found.errors else ExitCode.OK)


@app.command()
def schedule(
    ctx: typer.Context,
    councils: CouncilsArg = None,
    at: Annotated[list[str], typer.Option("--at", metavar="HH:MM",
                                          help="Time of day (UK time) to run; repeat for several.")] = ["06:00"],
    within: WithinOption = 28,
    out: OutOption = None,
    fmt: FormatOption = Format.BOTH,
    jobs: JobsOption = None,
    quiet: QuietOption = False,
) -> None:
    """Stay in the foreground and build what meetings need, daily at the times given (for hosts with no scheduler)."""
    from reportgen.meetings.calendar import london_today
    from reportgen.meetings.scheduling import build_due, run_forever

    try:
        times = [dt.datetime.strptime(t, "%H:%M").time() for t in at]
    except ValueError:
        raise typer.BadParameter("expected times such as 06:00 or 18:30", param_hint="--at") from None
    project = _project(ctx)

    def once() -> None:
        try:
            report, needed = build_due(project, councils, today=london_today(), within=within, out_dir=_out_dir(out),
                                       formats=fmt.formats, jobs=jobs)
        except ReportgenError as exc:  # one bad run must not stop the schedule
            console.err(f"run failed: {exc}")
            return
        console.build_report(report, quiet=quiet, note=None if needed else "nothing due")

    console.timestamps()
    try:
        run_forever(once, times, console.err)
    finally:
        console.timestamps(False)


@app.command("councils")
def list_councils(ctx: typer.Context) -> None:
    """List councils with their house styles and papers."""
    from reportgen.inputs.records import council_summaries

    console.councils(council_summaries(_project(ctx)))


@app.command("styles")
def list_styles(ctx: typer.Context) -> None:
    """List house styles with their one-line descriptions."""
    from reportgen.inputs.styles import describe_styles

    console.styles(describe_styles(_project(ctx)))


@app.command("new-council")
def new_council(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG",
                                        help="Folder name under councils/: lowercase letters, digits, hyphens.")],
    name: Annotated[str, typer.Option("--name", metavar="NAME",
                                      help="The council's full name, e.g. \"North Downs District Council\".")],
    style: Annotated[str, typer.Option("--style", metavar="STYLE", help="House style; `reportgen styles` lists them.")],
    nation: Annotated[str, typer.Option("--nation", metavar="NATION", help="England or Wales.")] = "England",
) -> None:
    """Create councils/SLUG with a starter paper that validates and builds at once."""
    from reportgen.scaffold import new_council as scaffold

    created = scaffold(_project(ctx), slug, name=name, style=style, nation=nation)
    for path in created.files:
        console.out(console.relative(path))
    console.err(f"Created council '{slug}'. Edit its files, then run: reportgen build {slug}")


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(metavar="FILE", help="PDF files to check.", exists=True,
                                                dir_okay=False, show_default=False)],
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Layout warnings (page breaks, thin pages, small "
                                                            "text) count as problems too.")] = False,
) -> None:
    """Run the machine accessibility checks (PDF/UA-1 validator and structure checks) and the layout proof on PDFs."""
    from reportgen.pdf.gate import check_file

    reports = {str(f): check_file(f) for f in files}
    if as_json:
        console.emit_json({n: r.as_dict() for n, r in reports.items()})
    else:
        console.check_reports(reports, strict=strict)
    ok = all(r.passed and not r.layout_failed(strict) for r in reports.values())
    raise typer.Exit(ExitCode.OK if ok else ExitCode.PROBLEMS)


@app.command()
def doctor(ctx: typer.Context) -> None:
    """Check Python packages, system libraries (Pango, HarfBuzz) and shipped fonts."""
    from reportgen.doctor import run_checks

    checks = run_checks(Path(ctx.obj.project).resolve() / "templates")
    console.doctor(checks)
    raise typer.Exit(ExitCode.PROBLEMS if any(c.required and not c.ok for c in checks) else ExitCode.OK)


@app.command()
def due(
    ctx: typer.Context,
    councils: CouncilsArg = None,
    today: TodayOption = None,
    within: WithinOption = 28,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Publication status of upcoming meetings' papers; exit 4 when a deadline is missed or at risk."""
    from reportgen.meetings.calendar import london_today
    from reportgen.meetings.due import due_report

    report = due_report(_project(ctx), councils, today=_date(today) or london_today(), within=within)
    code = ExitCode.worst(ExitCode.DEADLINE if report.alert else ExitCode.OK,
                          ExitCode.PROBLEMS if report.errors else ExitCode.OK)
    if as_json:
        console.emit_json(report.as_dict())
    elif not (quiet and code == ExitCode.OK):
        console.due(report)
    raise typer.Exit(code)


@app.command()
def pack(
    ctx: typer.Context,
    council: CouncilArg,
    meeting: Annotated[str, typer.Option("--meeting", metavar="DATE",
                                         help="Date of the meeting (YYYY-MM-DD), as in meetings.yaml.",
                                         show_default=False)],
    committee: CommitteeOption = None,
    out: OutOption = None,
    strict: StrictOption = False,
    supplement: Annotated[bool, typer.Option(
        "--supplement", help="The next supplement to the published pack: only the items it did not hold, each "
                             "with its `late_reason:`.")] = False,
) -> None:
    """One PDF for a meeting: agenda front sheet, every paper in item order, attachments; tagged."""
    from reportgen.meetings.pack import build_pack

    report = build_pack(_project(ctx), council, _date(meeting), committee, out_dir=_out_dir(out), strict=strict,
                        supplement=supplement)
    console.pack(report, council)
    raise typer.Exit(ExitCode.OK)


@app.command()
def preview(
    ctx: typer.Context,
    council: CouncilArg,
    paper: Annotated[Optional[str], typer.Option("--paper", metavar="ID", show_default=False,
                                                 help="Preview this paper; without it, a list of the council's papers.")] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, metavar="N",
                                      help="Port to serve on; 0 for any free one.")] = 8000,
    host: Annotated[Optional[str], typer.Option(
        "--host", metavar="ADDRESS", show_default=False,
        help="Address to serve on (default 127.0.0.1, this machine only); another is reachable by others.")] = None,
    write: Annotated[bool, typer.Option("--write", help="Also write the outputs to the output folder.")] = False,
    out: OutOption = Path("output"),
) -> None:
    """Serve a live preview of a paper (HTML twin and PDF) that follows its files as they are saved."""
    from reportgen.preview.server import LOOPBACK, serve

    address = host or LOOPBACK[0]
    folder = _out_dir(out) if write else None
    serve(_project(ctx), council, paper=paper, host=address, port=port, public=host is not None,
          write_to=folder,
          on_ready=lambda shown: console.preview_ready(shown.url, shown.session.folder, write,
                                                       address if address not in LOOPBACK else None),
          notify=console.preview_notice)


from reportgen.cli import cycle  # noqa: E402,F401 - registers new-paper, export, import and diff on `app`


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
    console.err(INTERRUPTED)
    sys.exit(ExitCode.TERMINATED if isinstance(interruption, Terminated) else ExitCode.INTERRUPTED)


def _renders(args: list[str]) -> bool:
    """Whether the command line asks for papers to be rendered all but surely: `build` with --force or --paper."""
    return "build" in args and any(a in ("--force", "--paper") or a.startswith("--paper=") for a in args)


def main() -> None:
    """Console entry point: user errors exit 1 without a traceback; bugs exit 3 and save one."""
    signal.signal(signal.SIGTERM, _terminate)
    if _renders(sys.argv[1:]):
        # The workers' fork server imports WeasyPrint (over a second) on another core while Typer sets up
        # and the records are read; a build that may find nothing to do starts it only when it must.
        from reportgen.pipeline.workers import warm_up

        warm_up()
    try:
        app()  # Typer itself turns usage errors into exit code 2
    except ReportgenError as exc:
        console.err(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _exit_interrupted(exc)
    except SystemExit as exc:
        interruption = _interruption(exc) if exc.code == ExitCode.INTERRUPTED else None
        if interruption is not None:
            _exit_interrupted(interruption)
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        console.internal_error(exc, traceback.format_exc(), show=_settings.debug)
        sys.exit(ExitCode.INTERNAL)
