"""Incremental builds: only what changed is rendered, and nothing unchanged is rewritten."""

import os
import shutil

import pytest

from conftest import TINY, copy_tiny
from reportgen.pipeline.build import build
from reportgen.inputs.project import Project


def run(project, out, **options):
    report = build(Project.at(project), out_dir=out, jobs=1, **options)
    assert report.ok, [o.message for o in report.outcomes]
    return {o.council: o for o in report.outcomes}


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """Two small councils in the base style (`tiny`, and `second`, a copy of it), built once for the module;
    the project and the output folder as that build left them are kept under saved/."""
    base = tmp_path_factory.mktemp("manifest")
    project = copy_tiny(base / "project")
    shutil.copytree(TINY / "councils/tiny", project / "councils/second")
    first = run(project, base / "out")
    assert all(o.rendered and o.status == "written" for o in first.values())
    for name in ("project", "out"):
        shutil.copytree(base / name, base / "saved" / name)  # copy2: file times kept
    return base


@pytest.fixture
def built(first_build):
    """(project, output folder) just after the first build, at the paths it was made at: the manifest
    records absolute paths, so each test puts the saved copies back there."""
    for name in ("project", "out"):
        shutil.rmtree(first_build / name)
        shutil.copytree(first_build / "saved" / name, first_build / name)
    return first_build / "project", first_build / "out"


def stamps(out):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.pdf")}


def test_nothing_changed_nothing_rendered_or_rewritten(built):
    project, out = built
    before = stamps(out)
    os.utime(project / "councils/tiny/papers/update.yaml")  # touched, not changed
    again = run(project, out)
    assert not any(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}
    assert stamps(out) == before


def test_editing_one_record_rebuilds_only_its_papers(built):
    project, out = built
    paper = project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text().replace("since the last report", "since the previous report"))
    again = run(project, out)
    assert again["tiny"].rendered and again["tiny"].status == "written"
    assert not again["second"].rendered


def test_editing_shared_reference_data_rebuilds_every_paper_that_uses_it(built):
    project, out = built
    reference = project / "councils/_reference/munro-2011.yaml"
    reference.write_text(reference.read_text() + "\n# reviewed\n")
    again = run(project, out)
    assert all(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}  # same bytes: nothing rewritten


def test_editing_a_shared_style_rebuilds_every_paper_using_it(built):
    project, out = built
    css = project / "templates/base/style.css"
    css.write_text(css.read_text() + "\nh2 { letter-spacing: 0.01em; }\n")
    again = run(project, out)
    assert all(o.rendered and o.status == "written" for o in again.values())


def test_a_new_council_override_file_is_noticed(built):
    project, out = built
    (project / "councils/second/templates").mkdir()
    (project / "councils/second/templates/style.css").write_text(":root { --header-fill: #dddddd; }\n")
    again = run(project, out)
    assert again["second"].rendered and again["second"].status == "written"
    assert not again["tiny"].rendered


def test_a_damaged_output_is_rebuilt(built):
    project, out = built
    (pdf,) = (out / "tiny").glob("*.pdf")
    pdf.write_bytes(b"not a pdf")
    again = run(project, out)
    assert again["tiny"].status == "written"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_force_renders_everything(built):
    project, out = built
    again = run(project, out, force=True)
    assert all(o.rendered for o in again.values())


# --- file hashes are cached by what the file system says of a file ---


def test_file_hash_cache_sees_every_change(tmp_path, monkeypatch):
    import hashlib

    from reportgen.pipeline import manifest

    path = tmp_path / "style.css"
    path.write_bytes(b"a { color: red }")
    old = manifest.RACY_NS
    monkeypatch.setattr(manifest, "RACY_NS", -1)  # cache even a file written just now
    first = manifest.file_hash(path)
    assert first == hashlib.sha256(b"a { color: red }").hexdigest()
    assert manifest.file_hash(str(path)) == first  # served from the cache
    path.write_bytes(b"a { color: tan }")  # same size: the times change
    os.utime(path, ns=(1, 1))
    assert manifest.file_hash(path) == hashlib.sha256(b"a { color: tan }").hexdigest()
    replacement = tmp_path / "new.css"
    replacement.write_bytes(b"b { color: tan }")
    os.utime(replacement, ns=(1, 1))  # same size and times as before: a new inode
    os.replace(replacement, path)
    assert manifest.file_hash(path) == hashlib.sha256(b"b { color: tan }").hexdigest()
    path.unlink()
    assert manifest.file_hash(path) == "missing"
    monkeypatch.setattr(manifest, "RACY_NS", old)


def test_a_file_written_just_now_is_not_cached(tmp_path):
    from reportgen.pipeline import manifest

    path = tmp_path / "paper.yaml"
    path.write_text("title: x\n")
    manifest.file_hash(path)
    assert not any(key[0] == str(path) for key in manifest._HASHES)


def test_a_damaged_manifest_is_a_clear_error_not_a_crash(tiny_project, tmp_path, run_cli):
    project = tiny_project
    out = tmp_path / "out"
    out.mkdir()
    (out / ".reportgen-manifest.sqlite").write_bytes(b"this is not a database" * 100)
    result = run_cli("-C", project, "build", "--out", out, cwd=project)
    assert result.code == 1
    assert "could not be used (file is not a database)" in result.err
    assert "delete it and build again" in result.err and "Traceback" not in result.err
