"""The publication register: what was published lives with the council's records, and no build overwrites it.

One project is built and published once for the module (Fenby, both papers,
PDF only, published on Thursday 10 January 2013); each test works on a copy
of it whose build cache (the manifest in output/) is deleted, since the
register must make the cache worthless to lose.
"""

import datetime as dt
import json
import shutil

import pytest
import yaml

from cycle_project import COUNCIL, council_dir, make_cycle_project, paper_name, sha256
from reportgen.inputs.project import Project
from reportgen.meetings.publication import publish
from reportgen.pipeline.build import build
from reportgen.pipeline.manifest import MANIFEST_NAME

D = dt.date
BUDGET = f"councils/{COUNCIL}/papers/budget.yaml"


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    root = make_cycle_project(tmp_path_factory.mktemp("golden") / "project")
    out = root / "output"
    assert build(Project.at(root), out_dir=out, jobs=1).ok
    for paper in ("budget", "parks"):
        (item,) = publish(Project.at(root), out, COUNCIL, paper, on=D(2013, 1, 10), today=D(2013, 1, 10),
                          by="Sam Hale")
        assert (item.revision, item.output.name) == (0, paper_name(paper))
    return root


@pytest.fixture
def project(golden, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(golden, root)
    (root / "output" / MANIFEST_NAME).unlink()
    return root


def cli(run_cli, project, *args):
    return run_cli("-C", project, *args, cwd=project)


def entries(project):
    return yaml.safe_load((council_dir(project) / "published.yaml").read_text())["papers"]


def edit(project, old, new, path=BUDGET):
    file = project / path
    file.write_text(file.read_text().replace(old, new))


def test_the_register_records_what_went_out(golden):
    (budget, _) = entries(golden)
    assert {k: budget[k] for k in ("paper", "format", "revision", "file", "published_on", "by")} == {
        "paper": "budget", "format": "pdf", "revision": 0, "file": paper_name("budget"),
        "published_on": D(2013, 1, 10), "by": "Sam Hale"}
    copy = council_dir(golden) / "published" / paper_name("budget")
    assert budget["sha256"] == sha256(copy) == sha256(golden / "output" / COUNCIL / paper_name("budget"))
    assert budget["inputs"][BUDGET] == sha256(golden / BUDGET)
    assert f"councils/{COUNCIL}/council.yaml" in budget["inputs"] and "templates/base/paper.html" in budget["inputs"]
    assert dt.datetime.fromisoformat(budget["recorded_at"]).tzinfo is not None


def test_with_output_deleted_a_build_restores_the_published_bytes_without_rendering(run_cli, project):
    shutil.rmtree(project / "output")  # what `make clean` does
    result = cli(run_cli, project, "build")
    assert result.code == 0, result.err
    assert "Done: 0 written, 2 restored, 0 unchanged, 0 failed" in result.err
    for paper in ("budget", "parks"):
        published = council_dir(project) / "published" / paper_name(paper)
        assert sha256(project / "output" / COUNCIL / paper_name(paper)) == sha256(published)
    again = cli(run_cli, project, "build")
    assert "Done: 0 written, 2 unchanged, 0 failed" in again.err


def test_a_published_file_changed_in_output_is_put_back(project):
    target = project / "output" / COUNCIL / paper_name("parks")
    target.write_bytes(b"not the published paper")
    report = build(Project.at(project), out_dir=project / "output", jobs=1)
    assert report.ok and {o.paper: o.status for o in report.outcomes}["parks"] == "restored"
    assert sha256(target) == sha256(council_dir(project) / "published" / paper_name("parks"))


def test_a_changed_published_paper_is_refused_naming_the_input_and_the_revision_to_add(run_cli, project):
    published = council_dir(project) / "published" / paper_name("budget")
    before = sha256(published)
    shutil.rmtree(project / "output")
    edit(project, "Spending is within budget", "Spending is well within budget")
    result = cli(run_cli, project, "build")
    assert result.code == 1
    assert (f"{COUNCIL}/budget: build failed: {paper_name('budget')} was published on 2013-01-10 and has changed "
            f"since; the published file was kept as it was. Changed input(s): {BUDGET} (changed).") in result.err
    assert f"To issue a revised version, add to {BUDGET}:\n\nrevisions:\n  - date: " in result.err
    assert "    note: What changed" in result.err
    assert sha256(project / "output" / COUNCIL / paper_name("budget")) == before == sha256(published)


def test_a_revision_is_written_beside_and_published_after_the_original(run_cli, project):
    edit(project, "Spending is within budget", "Spending is well within budget")
    (project / BUDGET).write_text((project / BUDGET).read_text()
                                  + "revisions:\n  - date: 2013-01-14\n    note: Spending figure corrected.\n")
    built = cli(run_cli, project, "build")
    assert built.code == 0, built.err
    assert f"output/{COUNCIL}/{paper_name('budget', 1)}" in built.out
    import pdfplumber

    with pdfplumber.open(project / "output" / COUNCIL / paper_name("budget", 1)) as pdf:
        assert "Revised version 1, 14 January 2013. Spending figure corrected." in " ".join(
            pdf.pages[0].extract_text().split())
    early = cli(run_cli, project, "publish", COUNCIL, "budget", "--on", "2013-01-09", "--by", "Sam Hale")
    assert early.code == 1
    assert "--on 2013-01-09 is before 2013-01-10, when the previous version of 'budget' was published" in early.err
    future = cli(run_cli, project, "publish", COUNCIL, "budget", "--on", "2999-01-01")
    assert future.code == 1 and "--on 2999-01-01 is in the future" in future.err
    done = cli(run_cli, project, "publish", COUNCIL, "budget", "--on", "2013-01-14", "--by", "Sam Hale")
    assert done.code == 0 and done.out.startswith(f"published (revision 1): output/{COUNCIL}/")
    assert [(e["paper"], e["revision"]) for e in entries(project)] == [("budget", 0), ("parks", 0), ("budget", 1)]
    assert (council_dir(project) / "published" / paper_name("budget", 1)).is_file()
    same = cli(run_cli, project, "publish", COUNCIL, "budget", "--on", "2013-01-14")
    assert same.out.startswith("already published (revision 1)") and len(entries(project)) == 3


def test_withdrawing_is_recorded_and_listed_never_deleted(run_cli, project):
    refused = cli(run_cli, project, "publish", COUNCIL, "parks", "--withdraw", "0")
    assert refused.code == 2 and "--reason" in refused.err
    unknown = cli(run_cli, project, "publish", COUNCIL, "parks", "--withdraw", "3", "--reason", "x")
    assert unknown.code == 1 and "no published revision 3 of 'parks' in force" in unknown.err
    result = cli(run_cli, project, "publish", COUNCIL, "parks", "--withdraw", "0", "--reason",
                 "Published in error: the draft", "--by", "Ann Lee", "--on", "2013-01-11")
    assert result.code == 0, result.err
    parks = entries(project)[1]
    assert parks["withdrawn"] == {"on": D(2013, 1, 11), "reason": "Published in error: the draft", "by": "Ann Lee"}
    kept = council_dir(project) / "published/withdrawn" / f"{parks['sha256'][:12]}-{paper_name('parks')}"
    assert sha256(kept) == parks["sha256"]
    assert not (council_dir(project) / "published" / paper_name("parks")).exists()
    listed = cli(run_cli, project, "published")
    assert listed.code == 0
    lines = listed.out.splitlines()
    assert lines[0].split() == ["Council", "Paper", "Rev", "Format", "Published", "By", "File", "Note"]
    assert lines[1].split()[:2] == [COUNCIL, "budget"] and lines[1].rstrip().endswith(paper_name("budget"))
    assert "withdrawn Fri 11 Jan 2013 by Ann Lee: Published in error: the draft" in lines[2]
    assert "2 published files in 1 register: 1 in force, 1 withdrawn" in listed.err


def test_prune_removes_what_no_paper_produces_but_never_a_published_file(run_cli, project):
    cli(run_cli, project, "build")  # the manifest is back: the fast path has something to report
    stale = project / "output" / COUNCIL / paper_name("old-title")  # a renamed paper's leftover
    stale.write_bytes(b"%PDF-1.7 withdrawn paper")
    (council_dir(project) / "papers/budget.yaml").unlink()
    meetings = council_dir(project) / "meetings.yaml"
    meetings.write_text(meetings.read_text().replace("        paper: budget\n", ""))
    fast = cli(run_cli, project, "build", "--json")
    assert [p["paper"] for p in json.loads(fast.out)["papers"]] == ["parks"]
    text = cli(run_cli, project, "build")
    assert "budget" not in text.out + text.err
    pruned = cli(run_cli, project, "build", "--prune")
    assert pruned.code == 0, pruned.err
    assert f"removed output/{COUNCIL}/{paper_name('old-title')}: no paper produces it any more" in pruned.err
    assert not stale.exists()
    assert (project / "output" / COUNCIL / paper_name("budget")).is_file()  # published: stays
    listed = cli(run_cli, project, "published")
    assert "withdrawn from source (no longer under papers/)" in listed.out.splitlines()[1]
    validated = cli(run_cli, project, "validate")
    assert validated.code == 0 and "paper 'budget' is no longer under papers/" in validated.err


def test_a_missing_published_copy_is_a_located_error(run_cli, project):
    (council_dir(project) / "published" / paper_name("parks")).unlink()
    result = cli(run_cli, project, "validate")
    assert result.code == 1
    assert (f"councils/{COUNCIL}/published.yaml:") in result.err
    assert f"papers[1].file: the published copy published/{paper_name('parks')} is missing" in result.err
