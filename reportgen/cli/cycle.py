"""The monthly cycle's commands: `new-paper`, `export`, `import` and `diff`, registered on the one `app`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from reportgen.cli import console
from reportgen.cli.app import CouncilArg, JsonOption, StrictOption, _date, _project, app


@app.command("new-paper")
def new_paper(
    ctx: typer.Context,
    council: CouncilArg,
    source: Annotated[str, typer.Option("--from", metavar="PAPER", help="The paper to roll forward (its id).",
                                        show_default=False)],
    meeting: Annotated[str, typer.Option("--meeting", metavar="DATE", help="Date of the next meeting (YYYY-MM-DD).",
                                         show_default=False)],
    item: Annotated[Optional[str], typer.Option("--item", metavar="NUMBER", help=(
        "Agenda item number; required when the meeting is in meetings.yaml (the paper is added to it)."),
        show_default=False)] = None,
    committee: Annotated[Optional[str], typer.Option("--committee", metavar="ID", help=(
        "Committee id; default: the old paper's."), show_default=False)] = None,
    as_at: Annotated[Optional[str], typer.Option("--as-at", metavar="DATE", help=(
        "Date of the new progress record, when one is copied; default: today."), show_default=False)] = None,
    paper: Annotated[Optional[str], typer.Option("--paper", metavar="ID", help="Id of the new paper.",
                                                 show_default=False)] = None,
) -> None:
    """Next meeting's paper from the last one, with a new progress record; it validates and builds at once."""
    from reportgen.scaffold import new_paper as roll

    created = roll(_project(ctx), council, source, _date(meeting), item=item, committee=committee,
                   as_at=_date(as_at), paper_id=paper)
    for path in created.files:
        console.out(console.relative(path))
    console.err(f"Rolled '{source}' forward. Replace each TODO, then run: reportgen build {council}")


@app.command()
def export(
    ctx: typer.Context,
    council: CouncilArg,
    progress: Annotated[str, typer.Option("--progress", metavar="ID", help="The progress record to export.",
                                          show_default=False)],
    to: Annotated[Path, typer.Option("--to", metavar="FILE", help="The tracker to write: .xlsx or .csv.",
                                     show_default=False)],
    paper: Annotated[Optional[str], typer.Option("--paper", metavar="ID", help=(
        "Order the rows as this paper's groups; default: the review's order."), show_default=False)] = None,
) -> None:
    """Write a progress record as a tracker spreadsheet for colleagues to fill in."""
    from reportgen.tracker.export import export_tracker

    exported = export_tracker(_project(ctx), council, progress, to, paper)
    console.out(console.relative(exported.path))
    console.err(f"Exported {console.plural(exported.rows, 'recommendation')} of '{progress}'.")


@app.command("import")
def import_(
    ctx: typer.Context,
    council: CouncilArg,
    tracker: Annotated[Path, typer.Argument(metavar="TRACKER", help="The filled-in tracker (.xlsx or .csv).",
                                            exists=True, dir_okay=False, show_default=False)],
    as_at: Annotated[str, typer.Option("--as-at", metavar="DATE", help="The date the progress was brought up to "
                                                                       "date (YYYY-MM-DD).", show_default=False)],
    progress: Annotated[Optional[str], typer.Option("--progress", metavar="ID", help=(
        "Id of the new record; default: the earlier one's with the new month."), show_default=False)] = None,
    strict: StrictOption = False,
) -> None:
    """Read a filled-in tracker into a new progress record; nothing is written when it has errors."""
    from reportgen.tracker.importing import import_tracker

    imported = import_tracker(_project(ctx), council, tracker, _date(as_at), progress, strict=strict)
    console.tracker_import(imported)


@app.command()
def diff(
    ctx: typer.Context,
    council: CouncilArg,
    old: Annotated[str, typer.Option("--from", metavar="OLD", help="The earlier progress record.",
                                     show_default=False)],
    new: Annotated[str, typer.Option("--to", metavar="NEW", help="The later progress record.", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """What changed between two progress records: statuses, responses, targets, the Government's updates."""
    from reportgen.tracker.diff import diff_records

    found = diff_records(_project(ctx), council, old, new)
    if as_json:
        console.emit_json(found.as_dict())
    else:
        for line in found.lines:
            console.out(line)
