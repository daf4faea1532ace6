"""Incremental builds: only what changed is rendered, and nothing unchanged is rewritten."""

import os
import shutil

import pytest

from conftest import TINY
from reportgen.pipeline.build import build
from reportgen.inputs.project import Project


@pytest.fixture
def project(tiny_project):
    """Two small councils in the base style: `tiny`, and `second`, a copy of it."""
    shutil.copytree(TINY / "councils/tiny", tiny_project / "councils/second")
    return tiny_project


def run(project, out, **options):
    report = build(Project.at(project), out_dir=out, jobs=1, **options)
    assert report.ok, [o.message for o in report.outcomes]
    return {o.council: o for o in report.outcomes}


def stamps(out):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.pdf")}


def test_nothing_changed_nothing_rendered_or_rewritten(project, tmp_path):
    out = tmp_path / "out"
    first = run(project, out)
    assert all(o.rendered and o.status == "written" for o in first.values())
    before = stamps(out)
    os.utime(project / "councils/tiny/papers/update.yaml")  # touched, not changed
    again = run(project, out)
    assert not any(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}
    assert stamps(out) == before


def test_editing_one_record_rebuilds_only_its_papers(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    paper = project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text().replace("since the last report", "since the previous report"))
    again = run(project, out)
    assert again["tiny"].rendered and again["tiny"].status == "written"
    assert not again["second"].rendered


def test_editing_shared_reference_data_rebuilds_every_paper_that_uses_it(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    reference = project / "councils/_reference/munro-2011.yaml"
    reference.write_text(reference.read_text() + "\n# reviewed\n")
    again = run(project, out)
    assert all(o.rendered for o in again.values())
    assert {o.status for o in again.values()} == {"unchanged"}  # same bytes: nothing rewritten


def test_editing_a_shared_style_rebuilds_every_paper_using_it(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    css = project / "templates/base/style.css"
    css.write_text(css.read_text() + "\nh2 { letter-spacing: 0.01em; }\n")
    again = run(project, out)
    assert all(o.rendered and o.status == "written" for o in again.values())


def test_a_new_council_override_file_is_noticed(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    (project / "councils/second/templates").mkdir()
    (project / "councils/second/templates/style.css").write_text(":root { --header-fill: #dddddd; }\n")
    again = run(project, out)
    assert again["second"].rendered and again["second"].status == "written"
    assert not again["tiny"].rendered


def test_a_damaged_output_is_rebuilt(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
    (pdf,) = (out / "tiny").glob("*.pdf")
    pdf.write_bytes(b"not a pdf")
    again = run(project, out)
    assert again["tiny"].status == "written"
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_force_renders_everything(project, tmp_path):
    out = tmp_path / "out"
    run(project, out)
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


def test_a_damaged_manifest_is_a_clear_error_not_a_crash(project, tmp_path, run_cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".reportgen-manifest.sqlite").write_bytes(b"this is not a database" * 100)
    result = run_cli("-C", project, "build", "--out", out, cwd=project)
    assert result.code == 1
    assert "could not be used (file is not a database)" in result.err
    assert "delete it and build again" in result.err and "Traceback" not in result.err
