"""The suite reads only its own fixture projects, so a council a user adds to councils/ never turns it red."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HERE, ROOT, TINY, TINY_MEETINGS

ROOT_NAMES = {"ROOT"}  # how test modules name the repository root (conftest.ROOT)
NEVER_READ = "# never read"  # marks the one line that names councils/ to guard it (conftest's audit hook)
READS = {"open", "read_text", "read_bytes", "iterdir", "glob", "rglob", "exists", "is_file", "is_dir"}


def _is_councils(node: ast.AST) -> bool:
    """A constant path, or an f-string path, that starts with councils/."""
    if isinstance(node, ast.JoinedStr):
        node = node.values[0] if node.values else node
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split("/")[0] == "councils"


def _names_root(node: ast.AST) -> bool:
    """ROOT, or a path built from this file's location up to the repository (Path(__file__).parent.parent)."""
    text = ast.unparse(node)
    return (isinstance(node, ast.Name) and node.id in ROOT_NAMES) or (
        "__file__" in text and text.count(".parent") >= 2) or text.endswith("HERE.parent")


def _root_use_is_harmless(node: ast.Name, parent: ast.AST | None) -> bool:
    """ROOT joined with a constant path that is not councils/, or only turned into text."""
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Div) and parent.left is node:
        return isinstance(parent.right, (ast.Constant, ast.JoinedStr)) and not _is_councils(parent.right)
    if isinstance(parent, ast.Call) and node in parent.args:
        return ast.unparse(parent.func).split(".")[-1] in ("str", "relative_to", "fspath")
    return False


def councils_reads(source: str, name: str) -> list[str]:
    """Every place a test module reaches the repository's councils/ folder, as 'name:line: code'."""
    lines = source.splitlines()
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: dict[int, str] = {}
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if not line or NEVER_READ in lines[line - 1]:
            continue
        bad = False
        if isinstance(node, ast.Name) and node.id in ROOT_NAMES and isinstance(node.ctx, ast.Load):
            bad = not _root_use_is_harmless(node, parents.get(node))  # Project.at(ROOT), "-C", ROOT, ROOT.rglob ...
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            bad = _is_councils(node.right) and _names_root(node.left)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "at" and ast.unparse(target) == "Project":  # Project.at() or Project.at(".")
                bad = not node.args or isinstance(node.args[0], ast.Constant)
            elif node.func.attr in READS:  # Path("councils/...").read_text() reads from the working folder
                bad = bool(isinstance(target, ast.Call) and ast.unparse(target.func) == "Path" and target.args
                           and _is_councils(target.args[0]))
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "open" and node.args:
            bad = _is_councils(node.args[0])
        if bad:
            found[line] = f"{name}:{line}: {lines[line - 1].strip()}"
    return [found[line] for line in sorted(found)]


def test_no_test_module_reads_the_repository_councils():
    modules = [p for p in HERE.rglob("*.py") if "fixtures" not in p.relative_to(HERE).parts]
    assert len(modules) > 20
    found = [hit for path in modules for hit in councils_reads(path.read_text(encoding="utf-8"),
                                                               path.relative_to(ROOT).as_posix())]
    assert found == [], "tests must use the projects under tests/fixtures/, not councils/:\n" + "\n".join(found)


def test_the_check_finds_each_way_of_reaching_councils():
    source = '''\
from pathlib import Path
from conftest import ROOT
HERE = Path(__file__).resolve().parent
a = ROOT / "councils/haringey/papers/x.yaml"
b = Project.at(ROOT)
c = run_cli("-C", ROOT, "validate")
d = list(ROOT.rglob("*.yaml"))
e = Path(__file__).resolve().parent.parent / "councils"
f = HERE.parent / "councils" / "_reference"
g = Project.at(".")
h = Path("councils/northmoor/council.yaml").read_text()
i = open("councils/x.yaml")
j = ROOT / f"councils/{slug}/council.yaml"
k = [ROOT / top for top in ("templates", "councils")]
l = ROOT / "councils"  # never read
ok = [ROOT / "templates", ROOT / f"templates/{style}", ROOT / "docs/meetings.md", tmp_path / "councils/tiny",
      Path("councils/x/p.yaml"), Project.at(project), HERE / "fixtures", str(ROOT), path.relative_to(ROOT)]
'''
    found = [int(hit.split(":")[1]) for hit in councils_reads(source, "example.py")]
    assert found == list(range(4, 15))


def test_reading_councils_while_the_tests_run_fails_the_test():
    councils = ROOT / "councils"  # never read: refused, as asserted here
    with pytest.raises(PermissionError, match="tests use their own projects under tests/fixtures/"):
        list(councils.iterdir())
    with pytest.raises(PermissionError, match="never the repository's councils/"):
        (councils / "_reference/munro-2011.yaml").read_bytes()


# --- a copy of the repository with councils of a user's own ---------------------------------------


# Sample tests that count every council of their project: the ones a user's council would have broken.
# (Tests parametrized over the councils are covered by the collected ids.)
ENUMERATING = ["test_due_report_for_the_sample_councils", "test_due_command_prints_the_table",
               "test_validate_the_samples_is_clean"]
# A pytest plugin for the copy: the id of every test collected, before -m and -k select some.
LIST_IDS = """\
import os, pytest

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    with open(os.environ["COLLECTED_IDS"], "w") as out:
        out.write("\\n".join(item.nodeid for item in items))
"""


@pytest.fixture(scope="module")
def repository_with_own_councils(tmp_path_factory) -> Path:
    """The repository's files (git ls-files) in a temporary folder, with two councils of a user's own:
    one with a meeting among the samples' dates, one half-written and invalid."""
    if not (shutil.which("git") and shutil.which("tar")):
        pytest.skip("needs git and tar")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True)  # never read: git lists the files
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    repository = str(ROOT)
    names = [n for n in listed.stdout.decode().split("\0") if n and os.path.isfile(os.path.join(repository, n))]
    dest = tmp_path_factory.mktemp("repository") / "copy"
    dest.mkdir()
    (dest.parent / "files").write_text("\0".join(names))
    # tar copies in a process of its own: the copy includes councils/, which this process never reads
    subprocess.run(f"tar -C {shlex.quote(repository)} --null -T files -cf - | tar -C copy -xf -",
                   shell=True, check=True, cwd=dest.parent)
    own = dest / "councils/westfield"
    shutil.copytree(TINY / "councils/tiny", own)
    (own / "meetings.yaml").write_text(TINY_MEETINGS.format(date="2013-01-21"))
    (dest / "councils/half-done").mkdir()
    (dest / "councils/half-done/council.yaml").write_text("name: Half-done Council\nstyle: nope\n")
    (dest.parent / "list_ids.py").write_text(LIST_IDS)
    return dest


def test_a_users_councils_change_no_test(repository_with_own_councils):
    """All of the copy's tests are collected (none named after the user's councils), and the sample tests
    that enumerate councils pass there."""
    copy = repository_with_own_councils
    ids_file = copy.parent / "collected"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), str(copy.parent)]), "COLLECTED_IDS": str(ids_file)}
    # --assert=plain: the same verdicts without rewriting every module's asserts, which is most of the time
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "--assert=plain", "-p", "no:cacheprovider",
                          "-p", "list_ids", "-m", "samples", "-k", " or ".join(ENUMERATING)],
                         cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0 and re.match(r"\d+ passed, \d+ deselected", summary), \
        run.stdout[-3000:] + run.stderr[-2000:]
    ids = ids_file.read_text().splitlines()
    assert "tests/test_isolation.py::test_a_users_councils_change_no_test" in ids
    assert [i for i in ids if "westfield" in i or "half-done" in i] == []
    selected = [i for i in ids if i.split("::")[-1].split("[")[0] in ENUMERATING]
    assert len(selected) >= len(ENUMERATING) and summary.startswith(f"{len(selected)} passed")
