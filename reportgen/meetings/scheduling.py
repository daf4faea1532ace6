"""Regenerating papers before meetings without anyone remembering to.

The primary design is a one-shot, idempotent command (`reportgen build --due`)
that an OS scheduler starts: it recomputes what upcoming meetings need each
time, and the manifest makes a run with nothing to do cost almost nothing, so
a missed run simply catches up at the next one. `reportgen schedule` is for
hosts with no scheduler: it runs the same one-shot in the foreground at the
times given (UK time), once at start-up to catch up, then on the clock; every
line it prints starts with the time (reportgen.cli.console.timestamps).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from reportgen.inputs.project import Project

LONDON = "Europe/London"


def build_due(project: Project, names: list[str] | None, *, today: dt.date, within: int, **options):
    """Check everything as `validate` does, then build what upcoming meetings need (`options` as for `build`).

    Returns the build report, whose diagnostics are every problem the check
    found (so a scheduled run fails on them), and how many papers were due:
    0 means there was nothing to build, and the report has no outcomes.
    """
    from reportgen.meetings.checks import check_project
    from reportgen.meetings.due import due_report
    from reportgen.pipeline.build import BuildReport, build

    checked = check_project(project, names, strict=options.get("strict", False))
    needed = due_report(project, names, today=today, within=within, inputs=checked.inputs).papers_needed()
    # A council with errors is not built at all, as in a plain build (check_project left it out).
    only = {slug: set(ids) for slug, ids in needed.items() if ids}
    report = build(project, sorted(only), only=only, inputs=checked.inputs, **options) if only else None
    return report or BuildReport(checked.inputs), sum(len(ids) for ids in needed.values())


def run_forever(run_once: Callable[[], None], times: list[dt.time], log: Callable[[str], None]) -> None:
    """Call `run_once` now, then every day at each of `times` (UK time) until interrupted."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=LONDON)
    for at in times:
        # coalesce: runs missed while the host slept become one run; no grace limit, so it still happens.
        scheduler.add_job(run_once, CronTrigger(hour=at.hour, minute=at.minute, timezone=LONDON),
                          coalesce=True, misfire_grace_time=None, max_instances=1)
    log("catching up before the first scheduled run")
    run_once()
    log("scheduled daily at " + ", ".join(t.strftime("%H:%M") for t in times) + f" ({LONDON}); Ctrl-C to stop")
    scheduler.start()
