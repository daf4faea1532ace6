"""Cache, state and local files (issue 17): a build record that cannot lie, links never followed, limits kept.

Each test is one thing found by the second hostile round, or by the round of
state and fault cases after it, and checks what a user sees: the exit code,
the message, and the output folder (unchanged, or correct). Papers are
rendered in worker processes, so faults inside a worker are installed in
every process of a real `python -m reportgen` (`run_subprocess(patch=...)`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import sqlite3
import stat
import sys

import pytest

from hostile import Fixture, add_council, make_project, pdf_text, run_in_process, run_subprocess

PAPER = "tiny/2013-01-21-scrutiny-update"
MANIFEST = ".reportgen-manifest.sqlite"


@pytest.fixture
def cli(monkeypatch, capsys):
    """`reportgen ARGS` in this process, from the folder given: (exit code, stdout, stderr)."""

    def run(*args, cwd):
        return run_in_process([str(a) for a in args], cwd, monkeypatch, capsys)

    return run


def edit_title(project, new: str = "Munro update, revised") -> None:
    paper = project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text().replace("title: Munro update", f"title: {new}"))


def done_line(err: str) -> str:
    return re.search(r"^Done: .*$", err, re.M).group().rsplit(" in ", 1)[0]


# --- the build record --------------------------------------------------------------------------


def test_a_copied_project_is_judged_by_its_own_files(tmp_path, cli):
    """`cp -a` of a built project, then an edit in the copy: the copy's paper is rebuilt, and named as the copy's."""
    fixture = make_project(tmp_path)
    assert cli("-C", fixture.project, "build", cwd=fixture.project)[0] == 0
    original = (fixture.project / "output" / f"{PAPER}.pdf").read_bytes()
    copy = tmp_path / "copy"
    shutil.copytree(fixture.project, copy, symlinks=True)
    edit_title(copy)
    code, out, err = cli("-C", copy, "build", cwd=copy)
    assert code == 0, err
    assert done_line(err) == "Done: 1 written, 0 unchanged, 0 failed"
    assert out.splitlines() == [f"output/{PAPER}.pdf"]  # not ../project/output/...
    assert "Munroupdate,revised" in pdf_text(copy / "output" / f"{PAPER}.pdf")
    assert (fixture.project / "output" / f"{PAPER}.pdf").read_bytes() == original
    code, out, err = cli("-C", copy, "build", cwd=copy)  # relative paths: the copy's record holds for the copy
    assert done_line(err) == "Done: 0 written, 1 unchanged, 0 failed"


def test_C_from_another_folder_writes_into_the_project(tmp_path, cli):
    fixture = make_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, out, err = cli("-C", fixture.project, "build", cwd=elsewhere)
    assert code == 0, err
    assert (fixture.project / "output" / f"{PAPER}.pdf").is_file()
    assert (fixture.project / "output" / MANIFEST).is_file()
    assert list(elsewhere.iterdir()) == []


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Fixture:
    """A project built once (PDF), to copy: each damage test starts from its own copy."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build

    fixture = make_project(tmp_path_factory.mktemp("built"))
    assert build(Project.at(fixture.project), out_dir=fixture.out_dir, jobs=1).ok
    return fixture


def copy_of(fixture: Fixture, tmp_path) -> Fixture:
    copy = Fixture(tmp_path / "project", tmp_path / "out", fixture.secret)
    shutil.copytree(fixture.project, copy.project)
    shutil.copytree(fixture.out_dir, copy.out_dir)
    return copy


def _empty(path):
    path.write_bytes(b"")


def _not_a_database(path):
    path.write_bytes(b"this is not a database" * 100)


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign(path):
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('a shopping list')")


def _bad_json(path):
    with sqlite3.connect(path) as db:
        db.execute("UPDATE outputs SET inputs = '{\"councils/tiny/papers/update.yaml\": '")


def _row_outside(path):
    with sqlite3.connect(path) as db:
        db.execute("UPDATE outputs SET output = '../../victim.pdf'")


def _older(path):
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 1")


def _link(path):
    victim = path.parent.parent / "victim.sqlite"
    shutil.copy(path, victim)
    path.unlink()
    path.symlink_to(victim)


DAMAGE = {
    "zero-bytes": (_empty, "it is empty"),
    "not-a-database": (_not_a_database, "file is not a database"),
    "truncated": (_truncated, "it is shorter than its header says: truncated"),
    "foreign-schema": (_foreign, "it is not a reportgen build record"),
    "bad-json-row": (_bad_json, "the row for tiny/update (pdf) holds damaged data"),
    "row-outside": (_row_outside, "a row names a file outside the output folder ('../../victim.pdf')"),
    "older-version": (_older, "it was written by an older reportgen"),
    "symbolic-link": (_link, "it is a symbolic link, which reportgen never makes"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_record_in_doubt_is_set_aside_and_everything_rebuilt(damage, built_once, tmp_path, cli):
    """Never a crash and never a half-trusted record: a one-line notice, a build from scratch, nothing lost."""
    fixture = copy_of(built_once, tmp_path)
    record = fixture.out_dir / MANIFEST
    spoil, reason = DAMAGE[damage]
    spoil(record)
    victim = fixture.out_dir.parent / "victim.sqlite"
    before = victim.read_bytes() if victim.exists() else None
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"notice: the build record {fixture.out_dir / MANIFEST} could not be trusted ({reason}); it was moved to "
        f"{MANIFEST}.damaged and every paper is built again from scratch")
    assert done_line(err) == "Done: 0 written, 1 unchanged, 0 failed"  # rendered again: the same bytes
    assert (fixture.out_dir / f"{MANIFEST}.damaged").exists() or (fixture.out_dir / f"{MANIFEST}.damaged").is_symlink()
    if before is not None:
        assert victim.read_bytes() == before  # nothing written through the link
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, "--json", cwd=fixture.project)
    assert code == 0 and '"notices": []' in out  # the new record is trusted


def test_rows_read_before_a_damaged_one_are_not_trusted_either(tmp_path):
    """A damaged row anywhere means none of the record is used, not the rows before it."""
    from reportgen.pipeline.manifest import Entry, Manifest

    out = tmp_path / "out"
    with Manifest(out, tmp_path) as manifest:
        for council in ("a-first", "b-second"):
            manifest.record(council, "update", "pdf", Entry(out / council / "update.pdf", "h", {"x.yaml": "h"}, "h"))
    with sqlite3.connect(out / MANIFEST) as db:
        db.execute("UPDATE outputs SET warnings = 'not json' WHERE council = 'b-second'")
    with Manifest(out, tmp_path) as manifest:
        assert manifest.get("a-first", "update", "pdf") is None and manifest.entries("a-first") == {}
        assert manifest.notices == [
            f"the build record {out / MANIFEST} could not be trusted (the row for b-second/update (pdf) holds damaged "
            f"data); it was moved to {MANIFEST}.damaged and every paper is built again from scratch"]


def test_publish_after_the_record_was_set_aside_says_so(built_once, tmp_path, cli):
    fixture = copy_of(built_once, tmp_path)
    _bad_json(fixture.out_dir / MANIFEST)
    code, out, err = cli("-C", fixture.project, "publish", "tiny", "update", "--out", fixture.out_dir,
                         cwd=fixture.project)
    assert code == 1 and "Traceback" not in err
    assert err.splitlines() == [
        f"warning: the build record {fixture.out_dir / MANIFEST} could not be trusted (the row for tiny/update (pdf) "
        f"holds damaged data); it was moved to {MANIFEST}.damaged and every paper is built again from scratch",
        f"no built paper 'update' for council 'tiny' in {fixture.out_dir}; build it first "
        f"(reportgen build tiny --paper update)",
    ]


# --- what a build writes -----------------------------------------------------------------------


def test_a_failing_pdf_keeps_both_formats_as_they_were(tmp_path, cli):
    """--format both: the PDF fails, so the new HTML is not written beside the old PDF either."""
    fixture = make_project(tmp_path)
    args = ("-C", fixture.project, "build", "--format", "both", "--out", fixture.out_dir)
    assert cli(*args, cwd=fixture.project)[0] == 0
    before = {fmt: (fixture.out_dir / f"{PAPER}.{fmt}").read_bytes() for fmt in ("pdf", "html")}
    (fixture.project / "councils/tiny/templates").mkdir()
    (fixture.project / "councils/tiny/templates/paper.html").write_text(
        '{% extends "base/paper.html" %}{% block cover %}{{ super() }}<p>Revised</p>'
        '{% if output_format == "pdf" %}<img alt="chart" src="chart.png">{% endif %}{% endblock %}')
    code, out, err = cli(*args, cwd=fixture.project)
    assert code == 1
    assert re.search(r"^tiny/update: build failed: missing file .*/councils/tiny/chart.png$", err, re.M), err
    assert done_line(err) == "Done: 0 written, 0 unchanged, 1 failed"
    assert {fmt: (fixture.out_dir / f"{PAPER}.{fmt}").read_bytes() for fmt in ("pdf", "html")} == before


def test_strict_after_a_plain_build_fails_on_the_warnings_recorded(tmp_path, cli):
    fixture = make_project(tmp_path)
    (fixture.project / "councils/tiny/templates").mkdir()
    (fixture.project / "councils/tiny/templates/style.css").write_text("h1 { colour: red }\n")
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 0
    warning = "Ignored `colour: red ` at 1:6, unknown property."
    assert f"tiny/update: warning: {warning}" in err.splitlines()
    built = (fixture.out_dir / f"{PAPER}.pdf").read_bytes()
    code, out, err = cli("-C", fixture.project, "build", "--strict", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 1
    assert f"tiny/update: build failed: it was built with warnings (--strict): {warning}" in err.split("; ")
    assert done_line(err) == "Done: 0 written, 0 unchanged, 1 failed"
    assert (fixture.out_dir / f"{PAPER}.pdf").read_bytes() == built


def test_adding_the_html_leaves_the_current_pdf_alone(built_once, tmp_path, cli):
    """--format both after a PDF-only build: the HTML is made, the PDF (still current) is not touched."""
    fixture = copy_of(built_once, tmp_path)
    pdf = fixture.out_dir / f"{PAPER}.pdf"
    stamp = pdf.stat().st_mtime_ns
    code, out, err = cli("-C", fixture.project, "build", "--format", "both", "--out", fixture.out_dir,
                         cwd=fixture.project)
    assert code == 0 and done_line(err) == "Done: 1 written, 1 unchanged, 0 failed"
    assert (fixture.out_dir / f"{PAPER}.html").is_file() and pdf.stat().st_mtime_ns == stamp


def test_a_council_folder_in_output_linked_outside_is_not_written_through(tmp_path, cli):
    fixture = make_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    fixture.out_dir.mkdir()
    (fixture.out_dir / "tiny").symlink_to(elsewhere)
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 1
    assert (f"tiny/update: build failed: {fixture.out_dir / 'tiny'} leads to {elsewhere}, outside the output folder "
            f"(a symbolic link?), so nothing was written there; remove it and build again") in err.splitlines()
    assert list(elsewhere.iterdir()) == []


# --- the output folder and its lock ----------------------------------------------------------------


def test_output_folder_that_is_a_dangling_link(tmp_path, cli):
    fixture = make_project(tmp_path)
    fixture.out_dir.symlink_to(tmp_path / "gone")
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 1
    assert err.strip() == (f"cannot use the output folder {fixture.out_dir}: it is a symbolic link to "
                           f"{tmp_path / 'gone'}, which does not exist; create that folder or remove the link")


def test_lock_file_that_is_a_folder(tmp_path, cli):
    fixture = make_project(tmp_path)
    (fixture.out_dir / ".reportgen.lock").mkdir(parents=True)
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 1
    assert err.strip() == (f"cannot use the output folder {fixture.out_dir}: its lock file "
                           f"{fixture.out_dir / '.reportgen.lock'} is a folder, not a file; remove it and try again")


@pytest.mark.parametrize("target", ["missing", "existing", "fifo"])
def test_lock_file_that_is_a_link_or_a_pipe_is_never_opened(target, tmp_path, cli):
    """Nothing is created or changed through a planted link, and a named pipe does not hang the build."""
    fixture = make_project(tmp_path)
    fixture.out_dir.mkdir()
    lock = fixture.out_dir / ".reportgen.lock"
    victim = tmp_path / "victim"
    if target == "existing":
        victim.write_text("someone else's file\n")
    if target == "fifo":
        os.mkfifo(lock)
    else:
        lock.symlink_to(victim)
    code, out, err = cli("-C", fixture.project, "build", "--out", fixture.out_dir, cwd=fixture.project)
    assert code == 1
    problem = ("is not a regular file (a pipe or a device?)" if target == "fifo" else
               "is a symbolic link, which reportgen never makes and will not follow")
    assert err.strip() == f"cannot use the output folder {fixture.out_dir}: its lock file {lock} {problem}; " \
                          "remove it and try again"
    assert victim.exists() == (target == "existing")
    if target == "existing":
        assert victim.read_text() == "someone else's file\n"
    assert not (fixture.out_dir / "tiny").exists()


def test_crash_log_is_never_written_through_a_planted_link(tmp_path, monkeypatch, capsys):
    """Another local user plants /tmp/reportgen-crash-<pid>.log -> a file of ours: it stays as it was."""
    import reportgen.meetings.checks

    fixture = make_project(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    planted = tmp_path / f"reportgen-crash-{os.getpid()}.log"  # run_in_process puts logs in tmp_path
    planted.symlink_to(victim)

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reportgen.meetings.checks, "check_project", explode)  # what `validate` calls
    code, out, err = run_in_process(["-C", fixture.project, "validate"], fixture.project, monkeypatch, capsys)
    assert code == 3
    assert victim.read_text() == "precious\n" and planted.is_symlink()
    log = re.search(r"The traceback was saved to (\S+); please attach it", err).group(1)
    assert os.path.dirname(log) == str(tmp_path) and log != str(planted)
    assert stat.S_IMODE(os.lstat(log).st_mode) == 0o600 and not os.path.islink(log)
    assert "RuntimeError: boom" in open(log).read()


# --- deadlines over many meetings -----------------------------------------------------------------


def test_due_over_ten_thousand_meetings(tmp_path):
    """Linear in the meetings (it was quadratic: 10,000 meetings were killed after 120 s); the runner bounds it."""
    fixture = make_project(tmp_path)
    lines = ["publication:", "  working_days_before: 7", "  closure_days: [2013-12-24, 2013-12-27]", "meetings:"]
    day = dt.date(2013, 1, 21)
    while len(lines) - 4 < 10_000:
        if day.weekday() < 5:
            lines.append(f'  - {{committee: scrutiny, date: {day.isoformat()}, time: "10:00", venue: Hall}}')
        day += dt.timedelta(days=1)
    (fixture.project / "councils/tiny/meetings.yaml").write_text("\n".join(lines) + "\n")
    done = run_subprocess(["due", "--today", "2013-01-01", "--within", "36500", "--json"], fixture.project)
    import json

    report = json.loads(done.stdout)
    assert len(report["meetings"]) == 10_000
    first, last = report["meetings"][0], report["meetings"][-1]
    assert (first["date"], [d["date"] for d in first["deadlines"]]) == ("2013-01-21", ["2013-01-11", "2013-01-10"])
    assert first["deadlines"][0]["working_days_left"] == 8
    assert last["date"] == (day - dt.timedelta(days=1)).isoformat()
    assert last["deadlines"][0]["date"] == _six_working_days_before(day - dt.timedelta(days=1)).isoformat()


def _six_working_days_before(meeting: dt.date) -> dt.date:
    """Counted one day at a time, as a person would (England: 5 clear days, so the 6th working day back)."""
    import holidays

    day, found = meeting, 0
    while found < 6:
        day -= dt.timedelta(days=1)
        found += day.weekday() < 5 and day not in holidays.country_holidays("GB", subdiv="ENG", years=day.year)
    return day


# --- workers: time, memory, death --------------------------------------------------------------------

# Stuck where no alarm reaches it (the alarm blocked, as in a long call into a C library).
STUCK = """
import signal, time
import reportgen.pipeline.workers as workers
workers.TIME_LIMIT_S, workers.KILL_AFTER_S = 2, 1
import reportgen.render.html as html
real_render = html.render_html
def render_html(view, style, output_format="pdf"):
    if view.council_folder.name == "a-stuck":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    return real_render(view, style, output_format)
html.render_html = render_html
"""


def test_a_worker_that_does_not_stop_is_killed(tmp_path):
    fixture = make_project(tmp_path)
    add_council(fixture, "a-stuck")
    done = run_subprocess(["build", "a-stuck", "--out", fixture.out_dir], fixture.project, patch=STUCK)
    assert done.returncode == 1
    assert ("a-stuck/update: build failed: rendering took longer than 2 s, the limit for one paper, so it was "
            "stopped; a template probably loops for too long (see docs/house-styles.md, Limits)"
            ) in done.stderr.splitlines()


LOOP = '{% extends "base/paper.html" %}{% block cover %}{% for i in range(100000) %}{% for j in range(100000) %}' \
       '{% endfor %}{% endfor %}{% endblock %}'

# In every process of the build: the alarm for a-loop fires after 3 s instead of 60 (in its worker, where
# the alarm is set); a-hog's paper asks for all the memory its worker may have (refused by RLIMIT_AS, so
# nothing is really allocated; that the cap is there is checked first); a-dies's worker is killed outright.
FAULTS = """
import os, resource, signal
import reportgen.pipeline.workers as workers
real_attempt = workers._attempt
def attempt(function, item, limit, seconds):
    return real_attempt(function, item, limit, 3 if item.council.slug == "a-loop" else seconds)
workers._attempt = attempt
import reportgen.render.html as html
real_render = html.render_html
def render_html(view, style, output_format="pdf"):
    if view.council_folder.name == "a-hog":
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        assert soft != resource.RLIM_INFINITY, "no memory cap in the worker"
        bytearray(soft)
    if view.council_folder.name == "a-dies":
        os.kill(os.getpid(), signal.SIGKILL)
    return real_render(view, style, output_format)
html.render_html = render_html
"""


@pytest.mark.skipif(sys.platform == "win32", reason="alarms, RLIMIT_AS and SIGKILL are POSIX")
def test_a_paper_out_of_time_or_memory_or_killed_fails_alone(tmp_path):
    """A template that loops for ever held the output lock for ever (a scheduled build then blocked every
    later one); one that ate memory took the machine; a worker's death stopped the batch."""
    from reportgen.pipeline.output import build_lock

    fixture = make_project(tmp_path)
    loop = add_council(fixture, "a-loop")
    (loop / "templates").mkdir()
    (loop / "templates/paper.html").write_text(LOOP)
    add_council(fixture, "a-hog")
    add_council(fixture, "a-dies")
    done = run_subprocess(["build", "--out", fixture.out_dir, "--jobs", "2"], fixture.project, patch=FAULTS)
    assert done.returncode == 1 and "internal error" not in done.stderr
    lines = done.stderr.splitlines()
    assert ("a-loop/update: build failed: rendering took longer than 3 s, the limit for one paper, so it was "
            "stopped; a template probably loops for too long (see docs/house-styles.md, Limits)") in lines
    assert any(re.fullmatch(r"a-hog/update: build failed: rendering needed more than the [\d.]+ GiB of memory a "
                            r"paper may use; a template or stylesheet probably builds something huge "
                            r"\(see docs/house-styles.md, Limits\)", line) for line in lines), done.stderr
    assert ("a-dies/update: build failed: the process rendering this paper was killed by signal 9 before it "
            "finished; if the machine ran out of memory, a template or stylesheet probably builds something huge "
            "(see docs/house-styles.md, Limits)") in lines
    assert re.search(r"^Done: 1 written, 0 unchanged, 3 failed", done.stderr, re.M)
    assert (fixture.out_dir / f"{PAPER}.pdf").is_file()
    with build_lock(fixture.out_dir):  # free again
        pass


def test_templates_that_loop_are_stopped_by_their_own_limit_long_before_the_papers(tmp_path, monkeypatch):
    """A looping template uses processor time: it is stopped after TEMPLATE_LIMIT_S of it, with its own message."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline import workers
    from reportgen.pipeline.build import plan
    from reportgen.pipeline.gather import gather
    from reportgen.pipeline.render import render_paper

    fixture = make_project(tmp_path)
    (fixture.project / "councils/tiny/templates").mkdir()
    (fixture.project / "councils/tiny/templates/paper.html").write_text(LOOP)
    monkeypatch.setattr(workers, "TEMPLATE_LIMIT_S", 1)
    inputs = gather(Project.at(fixture.project), ["tiny"])
    for fmt in ("html", "pdf"):
        (job,) = plan(inputs, fixture.project, fixture.out_dir, (fmt,))
        assert render_paper(job).failure == (
            "the templates took more than 1 s of processor time to write this paper, so they were stopped; a "
            "template probably loops for too long (see docs/house-styles.md, Limits)")


def test_workers_that_exit_or_overrun_fail_their_items_and_the_rest_go_on():
    """The pool itself: a worker that exits, or runs past its time, fails its own item only."""
    import time

    from reportgen.pipeline import workers

    results = dict(workers.run(os._exit, [3, 4], 2))
    assert {code: r.message.split(" before")[0] for code, r in results.items()} == {
        3: "the process rendering this paper stopped (exit code 3)",
        4: "the process rendering this paper stopped (exit code 4)"}
    ((_, late), (_, fine)) = workers.run(time.sleep, [600, 0], 1, seconds=1)
    assert late == workers.Failure(workers.too_long(1)) and fine is None


# Ctrl-C while a worker renders: the build stops at once, and no worker is left behind.
WORKER_PID = """
import os, time
import reportgen.render.html as html
real_render = html.render_html
def render_html(view, style, output_format="pdf"):
    with open(os.environ["RG_WORKER_PIDS"], "a") as out:
        out.write(f"{os.getpid()}\\n")
    time.sleep(600)
html.render_html = render_html
"""


def test_ctrl_c_while_a_worker_renders(tmp_path):
    import subprocess
    import time

    fixture = make_project(tmp_path)
    pids = tmp_path / "pids"
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WORKER_PID)
    env = {**os.environ, "RG_WORKER_PIDS": str(pids), "TMPDIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--out", str(fixture.out_dir)],
                               cwd=fixture.project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        (worker,) = map(int, pids.read_text().split())
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.strip().endswith("Interrupted; finished papers were kept and no paper was left half-written.")
    assert "Traceback" not in err
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
