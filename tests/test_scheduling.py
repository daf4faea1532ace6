"""`reportgen schedule`: the same one-shot as `build --due`, run by APScheduler on the clock."""

import datetime as dt
import re

import pytest

import reportgen.meetings.scheduling as scheduling
from conftest import TINY_MEETINGS, copy_project


def test_schedule_runs_build_due_at_start_and_registers_daily_runs(tiny_project, tmp_path, run_cli, monkeypatch):
    project = tiny_project
    (project / "councils/tiny/meetings.yaml").write_text(TINY_MEETINGS.format(date="2013-01-21"))
    out = tmp_path / "out"
    monkeypatch.setattr("reportgen.meetings.calendar.london_today", lambda: dt.date(2013, 1, 8))
    registered = []

    class OneShotScheduler:
        """Stands in for BlockingScheduler: records the jobs instead of waiting for the clock."""

        def __init__(self, timezone):
            assert timezone == "Europe/London"

        def add_job(self, job, trigger, **options):
            registered.append((str(trigger), options))

        def start(self):
            pass

    monkeypatch.setattr("apscheduler.schedulers.blocking.BlockingScheduler", OneShotScheduler)
    result = run_cli("-C", project, "schedule", "--at", "06:00", "--at", "18:30", "--out", out, cwd=project)
    assert result.code == 0, result.err
    assert "catching up before the first scheduled run" in result.err
    assert "Done: 2 written" in result.err  # the meeting on 21 January needs its paper (PDF and HTML)
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ")
    assert all(stamp.match(line) for line in (result.err + result.out).splitlines()), result.err
    assert sorted(p.suffix for p in (out / "tiny").iterdir()) == [".html", ".pdf"]
    assert [r[0] for r in registered] == ["cron[hour='6', minute='0']", "cron[hour='18', minute='30']"]
    assert all(r[1]["coalesce"] and r[1]["misfire_grace_time"] is None for r in registered)


@pytest.mark.samples
def test_nothing_due_is_said_and_the_schedule_goes_on(tmp_path):
    project = copy_project(tmp_path / "p", ("northmoor",))
    from reportgen.inputs.project import Project

    report, due = scheduling.build_due(Project.at(project), None, today=dt.date(2020, 1, 1), within=28,
                                       out_dir=tmp_path / "out", formats=("pdf",))
    assert due == 0 and report.outcomes == [] and report.ok
