"""Path confinement (reportgen/confine.py): inside, outside, links, nested roots; and that every escape route goes through it."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from reportgen import confine
from reportgen.confine import Roots, leads_out, local_path, relative_path

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"


@pytest.fixture
def tree(tmp_path):
    """council/ (with images/a.svg and templates/), a folder outside it with secret.svg, and real paths of both."""
    council, outside = tmp_path / "council", tmp_path / "outside"
    (council / "images").mkdir(parents=True)
    (council / "templates").mkdir()
    (council / "images/a.svg").write_text("<svg/>")
    outside.mkdir()
    (outside / "secret.svg").write_text("<svg/>")
    return council, outside


def test_a_file_inside_is_found_at_its_real_path(tree):
    council, _ = tree
    assert Roots([council]).find(council / "images/a.svg") == (council / "images/a.svg").resolve()


def test_a_file_outside_is_refused(tree):
    council, outside = tree
    assert Roots([council]).find(outside / "secret.svg") is None


def test_dotdot_that_climbs_out_is_refused_and_one_that_stays_in_is_not(tree):
    council, _ = tree
    assert Roots([council]).find(council / "images/../../outside/secret.svg") is None
    assert Roots([council]).find(council / "images/../images/a.svg") == (council / "images/a.svg").resolve()


def test_a_link_that_leads_out_is_refused_and_says_where_it_leads(tree):
    council, outside = tree
    (council / "images/chart.svg").symlink_to(outside / "secret.svg")
    assert Roots([council]).find(council / "images/chart.svg") is None
    assert leads_out(council / "images/chart.svg", council) == (outside / "secret.svg").resolve()


def test_a_link_that_stays_inside_is_followed(tree):
    council, _ = tree
    (council / "images/alias.svg").symlink_to(council / "images/a.svg")
    assert Roots([council]).find(council / "images/alias.svg") == (council / "images/a.svg").resolve()
    assert leads_out(council / "images/alias.svg", council) is None


def test_a_root_that_is_itself_a_link_keeps_working(tree, tmp_path):
    council, _ = tree
    (tmp_path / "linked").symlink_to(council)
    assert Roots([tmp_path / "linked"]).find(tmp_path / "linked/images/a.svg") == (council / "images/a.svg").resolve()


def test_a_nested_root_linked_out_of_its_outer_root_is_not_trusted(tree):
    council, outside = tree
    (council / "templates").rmdir()
    (council / "templates").symlink_to(outside)
    roots = Roots([council / "templates", council])
    assert roots.find(council / "templates/secret.svg") is None
    assert roots.find(outside / "secret.svg") is None
    assert roots.find(council / "images/a.svg") is not None
    # The same folder on its own, not nested in another root, is trusted: the rule is about nesting.
    assert Roots([council / "templates"]).find(council / "templates/secret.svg") == (outside / "secret.svg").resolve()


def test_a_nested_root_that_really_lies_inside_is_trusted(tree):
    council, _ = tree
    (council / "templates/style.css").write_text("h1 {}")
    roots = Roots([council / "templates", council])
    assert roots.find(council / "templates/style.css") == (council / "templates/style.css").resolve()


def test_nesting_is_judged_through_every_outer_root(tree):
    """A root two levels down must really lie inside both roots above it, even when the middle one is linked out."""
    council, outside = tree
    (outside / "inner").mkdir()
    (outside / "inner/secret.txt").write_text("x")
    (council / "templates").rmdir()
    (council / "templates").symlink_to(outside)
    roots = Roots([council, council / "templates", council / "templates/inner"])
    assert roots.find(council / "templates/inner/secret.txt") is None


def test_a_dangling_link_is_judged_by_where_it_points(tree):
    council, outside = tree
    (council / "images/gone.svg").symlink_to(outside / "missing.svg")
    (council / "images/soon.svg").symlink_to(council / "images/missing.svg")
    assert Roots([council]).find(council / "images/gone.svg") is None
    assert leads_out(council / "images/gone.svg", council) == (outside / "missing.svg").resolve()
    assert Roots([council]).find(council / "images/soon.svg") == (council / "images/missing.svg").resolve()


def test_a_path_that_does_not_exist_is_judged_by_where_it_would_be(tree):
    council, outside = tree
    assert Roots([council]).find(council / "images/none.svg") == (council / "images/none.svg").resolve()
    assert Roots([council]).find(outside / "none.svg") is None


def test_urls_only_local_files_inside_are_found(tree):
    council, outside = tree
    roots = Roots([council])
    assert roots.find_url((council / "images/a.svg").as_uri()) == (council / "images/a.svg").resolve()
    assert roots.find_url((council / "images/a%20b.svg").as_uri()) is not None
    assert roots.find_url((outside / "secret.svg").as_uri()) is None
    assert roots.find_url(f"file://localhost{council / 'images/a.svg'}") is not None
    for url in (f"file://elsewhere{council / 'images/a.svg'}", "https://example.invalid/a.svg",
                "http://127.0.0.1:9/a.svg", "data:image/svg+xml,<svg/>", ""):
        assert roots.find_url(url) is None, url
    assert local_path("file:///a/b/../c%20d.svg") == Path("/a/c d.svg")


@pytest.mark.parametrize(("value", "message"), [
    ("images/../../secret.svg", "'..' is not allowed: the image must be inside the council folder"),
    ("..\\secret.svg", "'..' is not allowed"),
    ("/etc/passwd", "a path inside the council folder is expected, not an absolute path"),
    ("\\\\server\\share.svg", "not an absolute path"),
    ("C:secret.svg", "not an absolute path"),
    ("file:///etc/passwd", "a file in the council folder is expected, not a URL"),
    ("https://example.invalid/a.svg", "not a URL"),
    ("data:image/png;base64,AAAA", "not a URL"),
])
def test_written_paths_that_leave_the_council_folder_are_refused(value, message):
    with pytest.raises(ValueError, match=message.replace("\\", "\\\\").replace("(", r"\(")):
        relative_path(value, "image")


def test_written_paths_that_stay_inside_pass_unchanged():
    assert relative_path("images/chart..v2.svg", "image") == "images/chart..v2.svg"


def test_no_other_module_judges_paths_itself():
    """Confinement has one implementation: no other module compares real paths or resolves links to do it."""
    forbidden = {"is_relative_to", "realpath", "commonpath", "abspath", "samefile"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "confine.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in forbidden:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.attr}")
    assert found == []


# --- every escape route of test_escapes.py is refused by this module -----------------


@pytest.fixture
def refusals(monkeypatch):
    """Every refusal confine makes in this process: (what was refused, the folders it was judged against)."""
    seen: list[tuple[str, tuple[Path, ...]]] = []

    def spy(method):
        def judged(self, target):
            result = method(self, target)
            if result is None:
                seen.append((str(target), self.folders))
            return result
        return judged

    def written(value, noun):
        try:
            return relative_path(value, noun)
        except ValueError:
            seen.append((value, ()))
            raise

    monkeypatch.setattr(Roots, "find", spy(Roots.find))
    monkeypatch.setattr(Roots, "find_url", spy(Roots.find_url))
    monkeypatch.setattr(confine, "relative_path", written)
    return seen


def test_every_escape_route_is_refused_by_the_confinement_module(tmp_path, refusals, monkeypatch):
    from hostile import make_project
    from test_escapes import ROUTES, _write, cover

    from reportgen.inputs.project import Project
    from reportgen.pipeline import workers
    from reportgen.pipeline.build import build

    # Papers render in worker processes; here in this one, where the spy sees every refusal.
    monkeypatch.setattr(workers, "run", lambda function, items, jobs: ((item, function(item)) for item in items))

    fixture = make_project(tmp_path)
    routes = {slug: files for slug, (files, (outcome, _)) in ROUTES.items() if outcome != "written"}
    # the routes test_escapes.py tries in tests of their own
    routes["template-file"] = {"templates/paper.html": cover('<h1>{{ paper.title }}</h1>{% include "leak.html" %}'),
                               "templates/leak.html": ("link", "secret.txt")}
    shutil.copytree(fixture.project / "councils/tiny/papers", fixture.secret / "papers")
    routes["papers-folder"] = {"papers": ("link", "papers")}
    for slug, files in routes.items():
        _write(fixture, slug, files)
    shutil.rmtree(fixture.project / "councils/tiny")
    report = build(Project.at(fixture.project), None, out_dir=fixture.out_dir, jobs=1)

    assert not list(fixture.out_dir.rglob("*.pdf"))
    assert sorted(report.inputs.failed + [o.council for o in report.outcomes if o.status == "failed"]) == sorted(routes)
    for slug, files in routes.items():
        folder = Path(os.path.abspath(fixture.project / "councils" / slug))
        written = fixture.subst(str(files))

        def about_this_council(refusal):
            target, folders = refusal
            if not folders:  # a path written in a record
                return target in written
            return any(f == folder or f.is_relative_to(folder) for f in folders) or target.startswith(str(folder))

        assert any(about_this_council(r) for r in refusals), slug
