"""Regenerating papers before meetings without anyone remembering to.

The primary design is a one-shot, idempotent command (`reportgen build --due`)
that an OS scheduler starts: it recomputes what upcoming meetings need each
time, and the manifest makes a run with nothing to do cost almost nothing, so
a missed run simply catches up at the next one. `reportgen schedule` is for
hosts with no scheduler: it runs the same one-shot in the foreground at the
times given (UK time), once at start-up to catch up, then on the clock.
"""

from __future__ import annotations

import datetime as dt
import time as clock
from typing import Callable

from reportgen.inputs.project import Project

LONDON = "Europe/London"


def papers_due(project: Project, names: list[str] | None, today: dt.date, within: int) -> dict[str, set[str]]:
    """Paper ids per council that meetings within `within` days need."""
    from reportgen.meetings.calendar import due_report

    needed = due_report(project, names, today=today, within=within).papers_needed()
    return {slug: set(ids) for slug, ids in needed.items() if ids}


def build_due(project: Project, names: list[str] | None, *, today: dt.date, within: int, **options):
    """Build what upcoming meetings need (`options` as for `build`); None when nothing is due."""
    from reportgen.pipeline.build import build

    only = papers_due(project, names, today, within)
    if not only:
        return None
    return build(project, sorted(only), only=only, **options)


def run_forever(run_once: Callable[[], None], times: list[dt.time], log: Callable[[str], None]) -> None:
    """Call `run_once` now, then every day at each of `times` (UK time) until interrupted."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=LONDON)
    for at in times:
        # coalesce: runs missed while the host slept become one run; no grace limit, so it still happens.
        scheduler.add_job(run_once, CronTrigger(hour=at.hour, minute=at.minute, timezone=LONDON),
                          coalesce=True, misfire_grace_time=None, max_instances=1)
    log(f"{clock.strftime('%Y-%m-%d %H:%M')} catching up before the first scheduled run")
    run_once()
    log("scheduled daily at " + ", ".join(t.strftime("%H:%M") for t in times) + f" ({LONDON}); Ctrl-C to stop")
    scheduler.start()
