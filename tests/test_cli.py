"""The command line: exit codes, messages, and nothing lost when a build fails."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT
from cycle_project import make_cycle_project

samples = pytest.mark.samples


@samples
def test_validate_the_samples_is_clean(run_cli, sample_project):
    result = run_cli("-C", sample_project, "validate", "haringey")
    assert result.code == 0
    assert "Checked 1 council(s), " in result.err and "paper(s): no errors" in result.err


@samples
def test_councils_lists_styles_and_papers(run_cli, sample_project):
    result = run_cli("-C", sample_project, "councils")
    line = next(l for l in result.out.splitlines() if l.startswith("haringey\t"))
    assert "style: haringey" in line and "papers: munro-progress" in line


def test_broken_yaml_gives_file_line_and_exit_1(run_cli, tiny_project):
    paper = tiny_project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text() + "sections: [unclosed\n")
    result = run_cli("-C", tiny_project, "validate", cwd=tiny_project)
    assert result.code == 1
    assert "councils/tiny/papers/update.yaml:" in result.err
    assert "duplicate key 'sections'" in result.err or "invalid YAML" in result.err
    assert "Traceback" not in result.err + result.out


def test_unknown_recommendation_id_is_an_error_with_suggestion(run_cli, tiny_project):
    progress = tiny_project / "councils/tiny/progress/p2013.yaml"
    progress.write_text(progress.read_text().replace("\n  R1:\n", "\n  R01:\n", 1))
    result = run_cli("-C", tiny_project, "validate", cwd=tiny_project)
    assert result.code == 1
    assert ("entries.R01: no recommendation 'R01' in the review 'Munro' (did you mean 'R1'?); "
            "expected one of R1 to R15") in result.err


@samples
def test_missing_recommendations_are_a_warning_naming_them(run_cli, sample_project):
    result = run_cli("-C", sample_project, "validate", "northmoor")
    assert result.code == 0
    assert "warning: no progress given for recommendations R8, R9, R15" in result.err


@samples
def test_strict_turns_warnings_into_failure(run_cli, sample_project):
    assert run_cli("-C", sample_project, "validate", "northmoor", "--strict").code == 1


@samples
def test_validate_json(run_cli, sample_project):
    result = run_cli("-C", sample_project, "validate", "northmoor", "--json")
    data = json.loads(result.out)
    assert data["ok"] is True and data["papers"] == 1
    assert data["diagnostics"][0]["level"] == "warning"
    assert data["diagnostics"][0]["file"].endswith("munro-2012-10.yaml")


@samples
def test_unknown_council_suggests(run_cli, sample_project):
    result = run_cli("-C", sample_project, "validate", "haringy")
    assert result.code == 1
    assert "no council 'haringy' (did you mean 'haringey'?)" in result.err


def test_usage_error_exits_2(run_cli, tiny_project):
    assert run_cli("-C", tiny_project, "build", "--no-such-option").code == 2


def test_internal_error_exits_3_and_saves_traceback(run_cli, monkeypatch, tiny_project):
    from reportgen.meetings import checks

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(checks, "gather", explode)
    result = run_cli("-C", tiny_project, "validate")
    assert result.code == 3
    assert "this is a bug" in result.err and "RuntimeError: boom" in result.err
    assert "Traceback" not in result.err
    log = result.err.split("saved to ")[1].split(";")[0]
    assert "RuntimeError: boom" in open(log).read()


def test_build_then_failed_build_keeps_the_last_good_paper(run_cli, tiny_project, tmp_path):
    out = tmp_path / "out"
    first = run_cli("-C", tiny_project, "build", "--out", out)
    assert first.code == 0, first.err
    (pdf,) = (out / "tiny").glob("*.pdf")
    good = pdf.read_bytes()
    # Break the style: the paper cannot render, so the old PDF must stay as it was.
    (tiny_project / "templates/base/cover.html").write_text("{{ no_such_variable }}")
    second = run_cli("-C", tiny_project, "build", "--out", out)
    assert second.code == 1
    assert "tiny/update: build failed:" in second.err
    assert "'no_such_variable' is undefined" in second.err
    assert pdf.read_bytes() == good
    assert sorted(p.name for p in (out / "tiny").iterdir()) == [pdf.name]


def test_paper_option_and_unknown_paper(run_cli, tiny_project, tmp_path):
    result = run_cli("-C", tiny_project, "build", "--paper", "updat", "--out", tmp_path)
    assert result.code == 1
    assert "no paper 'updat' (did you mean 'update'?)" in result.err


def test_rebuild_reports_unchanged(run_cli, tiny_project, tmp_path):
    run_cli("-C", tiny_project, "build", "--out", tmp_path)
    again = run_cli("-C", tiny_project, "build", "--out", tmp_path)
    assert again.code == 0
    assert "0 written, 1 unchanged, 0 failed" in again.err


# --- options reach the library as given: the pipeline is replaced, no paper is rendered ---


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """The library functions the commands call, replaced by recorders; what each was called with."""
    from reportgen.pipeline import build as pipeline
    from reportgen.pipeline.build import BuildReport, Inputs, PaperOutcome

    recorded: dict[str, list] = {"build": [], "papers_due": []}
    outcomes: list[PaperOutcome] = []

    def fake_build(project, names=None, **options):
        recorded["build"].append((project.root, names, options))
        return BuildReport(Inputs(), list(outcomes), seconds=0.25)

    def fake_due_report(project, names, *, today, within, inputs=None):
        recorded["papers_due"].append((names, today, within))
        needed = {slug: sorted(ids) for slug, ids in recorded.get("due", {}).items()}
        return SimpleNamespace(papers_needed=lambda: needed)

    monkeypatch.setattr(pipeline, "build", fake_build)
    monkeypatch.setattr("reportgen.meetings.due.due_report", fake_due_report)
    recorded["outcomes"] = outcomes
    return recorded


def only_build(calls):
    (call,) = calls["build"]
    return call


def test_build_defaults(run_cli, calls, tiny_project):
    result = run_cli("-C", tiny_project, "build", cwd=tiny_project)
    assert result.code == 0, result.err
    root, names, options = only_build(calls)
    assert (root, names) == (tiny_project.resolve(), None)
    assert options["out_dir"] == tiny_project / "output"
    assert (options["formats"], options["paper_id"], options["force"], options["strict"], options["jobs"],
            options.get("only")) == (("pdf",), None, False, False, None, None)
    assert "Done: 0 written, 0 unchanged, 0 failed in 0.2 s" in result.err


def test_build_options(run_cli, calls, tiny_project, tmp_path):
    result = run_cli("-C", tiny_project, "build", "tiny", "second", "--paper", "update", "--out", "papers",
                     "--format", "both", "--force", "--jobs", "3", "--strict", cwd=tmp_path)
    assert result.code == 0, result.err
    root, names, options = only_build(calls)
    assert names == ["tiny", "second"]
    assert options["out_dir"] == tmp_path / "papers"  # relative to where the command runs, not to -C
    assert (options["formats"], options["paper_id"], options["force"], options["strict"], options["jobs"]) == (
        ("pdf", "html"), "update", True, True, 3)
    run_cli("-C", tiny_project, "build", "--format", "html", "--out", tmp_path / "abs")
    assert calls["build"][-1][2]["formats"] == ("html",)
    assert calls["build"][-1][2]["out_dir"] == tmp_path / "abs"


@pytest.mark.parametrize("args, expected", [
    (["--format", "docx"], ("Invalid value for '--format'", "'docx' is not one of 'pdf', 'html', 'both'")),
    (["--jobs", "0"], ("Invalid value for '--jobs'", "greater than or equal to 1")),
    (["--today", "8/1/2013", "--due"], ("Invalid value", "expected a date as YYYY-MM-DD", "'8/1/2013'")),
    (["--within", "-1", "--due"], ("Invalid value for '--within'", "greater than or equal to 0")),
], ids=["format", "jobs", "today", "within"])
def test_bad_build_options_are_usage_errors(run_cli, calls, tiny_project, args, expected):
    result = run_cli("-C", tiny_project, "build", *args)
    assert result.code == 2
    message = " ".join(result.err.replace("│", " ").split())  # the words, without the box drawn around them
    assert all(part in message for part in expected), message
    assert calls["build"] == [] and calls["papers_due"] == []


def test_build_due_passes_today_and_window_and_builds_only_what_is_needed(run_cli, calls, tiny_project):
    calls["due"] = {"tiny": {"update"}, "alpha": {"x", "y"}}
    result = run_cli("-C", tiny_project, "build", "tiny", "--due", "--today", "2013-01-08", "--within", "10",
                     cwd=tiny_project)
    assert result.code == 0, result.err
    assert calls["papers_due"] == [(["tiny"], dt.date(2013, 1, 8), 10)]
    _, names, options = only_build(calls)
    assert names == ["alpha", "tiny"] and options["only"] == calls["due"]


def test_build_due_with_nothing_needed_builds_nothing(run_cli, calls, tiny_project):
    result = run_cli("-C", tiny_project, "build", "--due", "--today", "2013-01-08", cwd=tiny_project)
    assert result.code == 0
    assert calls["papers_due"] == [(None, dt.date(2013, 1, 8), 28)]
    assert calls["build"] == []
    assert "No meeting within 28 days needs a paper; nothing to build." in result.err


def test_build_json_and_failures(run_cli, calls, tiny_project):
    from reportgen.pipeline.build import PaperOutcome

    calls["outcomes"] += [
        PaperOutcome("tiny", "update", "written", (tiny_project / "out/tiny/a.pdf",), pages=2),
        PaperOutcome("tiny", "other", "failed", message="template error: boom"),
    ]
    result = run_cli("-C", tiny_project, "build", "--json", cwd=tiny_project)
    assert result.code == 1
    data = json.loads(result.out)
    assert (data["ok"], data["seconds"], data["failed_councils"], data["diagnostics"]) == (False, 0.25, [], [])
    assert data["papers"] == [
        {"council": "tiny", "paper": "update", "status": "written", "pages": 2,
         "files": [str(tiny_project / "out/tiny/a.pdf")], "message": None},
        {"council": "tiny", "paper": "other", "status": "failed", "pages": 0, "files": [],
         "message": "template error: boom"},
    ]
    plain = run_cli("-C", tiny_project, "build", cwd=tiny_project)
    assert plain.code == 1
    assert plain.out.splitlines() == [str(Path("out/tiny/a.pdf"))]
    assert "tiny/other: build failed: template error: boom" in plain.err.splitlines()
    assert "Done: 1 written, 0 unchanged, 1 failed in 0.2 s" in plain.err


def test_pack_options(run_cli, monkeypatch, tiny_project, tmp_path):
    from reportgen.meetings import pack

    seen = []

    def fake_build_pack(project, council, date, committee=None, *, out_dir, strict=False, supplement=False):
        seen.append((project.root, council, date, committee, out_dir, strict))
        return pack.PackReport(out_dir / council / "pack.pdf", "written", 3, papers=["update: unchanged"])

    monkeypatch.setattr(pack, "build_pack", fake_build_pack)
    result = run_cli("-C", tiny_project, "pack", "tiny", "--meeting", "2013-01-21", "--committee", "scrutiny",
                     "--out", "o", "--strict", cwd=tmp_path)
    assert result.code == 0, result.err
    assert seen == [(tiny_project.resolve(), "tiny", dt.date(2013, 1, 21), "scrutiny", tmp_path / "o", True)]
    assert result.out.strip() == "o/tiny/pack.pdf"
    assert "tiny/update: unchanged" in result.err
    assert "Done: agenda pack written: 3 pages, 1 paper, 0 attachments; machine checks passed" in result.err
    missing = run_cli("-C", tiny_project, "pack", "tiny")
    assert missing.code == 2 and "--meeting" in missing.err and len(seen) == 1


def test_publish_options(run_cli, monkeypatch, tiny_project, tmp_path):
    from reportgen.meetings import publication

    seen = []

    def fake_publish(project, out_dir, council, paper, *, on, today, by=None):
        seen.append((out_dir, council, paper, on, by))
        return [publication.Published(council, paper, "pdf", out_dir / council / "p-rev1.pdf", 1)]

    monkeypatch.setattr(publication, "publish", fake_publish)
    result = run_cli("-C", tiny_project, "publish", "tiny", "update", "--on", "2013-01-10", "--out", "o",
                     "--by", "Ann Lee", cwd=tmp_path)
    assert result.code == 0, result.err
    assert seen == [(tmp_path / "o", "tiny", "update", dt.date(2013, 1, 10), "Ann Lee")]
    assert result.out.strip() == "published (revision 1): o/tiny/p-rev1.pdf"


def test_schedule_refuses_a_bad_time(run_cli, calls, tiny_project):
    result = run_cli("-C", tiny_project, "schedule", "--at", "6pm")
    assert result.code == 2
    assert "expected times such as 06:00 or 18:30" in result.err
    assert calls["build"] == [] and calls["papers_due"] == []


STARTUP_PROBE = """
import sys
from reportgen.cli.app import main
sys.argv = ["reportgen", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"weasyprint", "pikepdf", "pdfplumber", "pydyf"})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
readers = sorted(set(sys.modules) & {"reportgen.pipeline.gather", "jinja2", "markdown_it"})
print("READERS:" + ",".join(readers), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["validate"], ["due", "--today", "2013-01-07"], ["councils"]])
def test_commands_that_render_nothing_load_no_pdf_library(tmp_path, args):
    """`--help`, `validate`, `due` and `councils` start fast: nothing that renders or reads PDFs is imported."""
    project = make_cycle_project(tmp_path / "project")
    result = subprocess.run([sys.executable, "-c", STARTUP_PROBE, *args], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "HEAVY:\n" in result.stderr, result.stderr[-2000:]


def test_a_build_with_nothing_to_do_reads_no_record_and_loads_no_pdf_library(tmp_path):
    """The scheduled rebuild before a meeting, when nothing changed: the manifest alone answers it."""
    from reportgen.inputs.project import Project
    from reportgen.pipeline.build import build

    project = make_cycle_project(tmp_path / "project")
    assert build(Project.at(project), out_dir=project / "output").ok
    result = subprocess.run([sys.executable, "-c", STARTUP_PROBE, "build"], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "0 written" in result.stderr and " 0 failed" in result.stderr, result.stderr[-2000:]
    assert "HEAVY:\n" in result.stderr and "READERS:\n" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("args, renders", [
    (["build", "haringey", "--paper", "update"], True), (["build", "--force"], True),
    (["-C", "p", "build", "--paper=x"], True), (["build"], False), (["validate", "--force"], False),
    (["--help"], False), ([], False)])
def test_the_workers_are_started_early_only_when_a_build_must_render(args, renders):
    from reportgen.cli.app import _renders

    assert _renders(args) is renders
