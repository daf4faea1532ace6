"""bench/corpus.py makes a deterministic project that validates, with no two papers alike."""

import shutil
import sys

from conftest import ROOT, SAMPLES

sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from reportgen.pipeline.gather import gather  # noqa: E402
from reportgen.inputs.project import Project  # noqa: E402


def make_project(dest, councils, variant):
    """The benchmark's project, with the fixture copy of the reference data (bench/ would copy councils/'s)."""
    shutil.copytree(SAMPLES / "councils/_reference", dest / "councils/_reference")
    return corpus.make_project(dest, councils, variant)


def test_tiny_corpus_validates(tmp_path):
    project = make_project(tmp_path / "p", 3, "tiny")
    inputs = gather(Project.at(project))
    assert not inputs.diagnostics, [str(d) for d in inputs.diagnostics]
    assert sorted(inputs.councils) == corpus.slugs(3)
    assert [p.id for _, p in inputs.papers()] == [corpus.PAPER_ID] * 3
    (_, view) = inputs.papers()[0]
    assert len(view.sections) == 5 and len(view.appendices) == 1 and len(view.appendices[0].rows) == 15


def test_corpus_is_deterministic_and_papers_differ(tmp_path):
    first = make_project(tmp_path / "a", 2, "40")
    again = make_project(tmp_path / "b", 2, "40")
    files = sorted(p.relative_to(first) for p in (first / "councils").rglob("*.yaml") if "_reference" not in p.parts)
    assert files and files == sorted(p.relative_to(again) for p in (again / "councils").rglob("*.yaml")
                                     if "_reference" not in p.parts)
    for name in files:
        assert (first / name).read_bytes() == (again / name).read_bytes()
    one, two = (first / "councils" / s / "progress" for s in corpus.slugs(2))
    assert [p.name for p in one.iterdir()] != [] and next(one.iterdir()).read_text() != next(two.iterdir()).read_text()


def test_variants_scale_the_text():
    tiny = corpus.council_files(1, corpus.VARIANTS["tiny"])
    big = corpus.council_files(1, corpus.VARIANTS["40"])
    large = corpus.council_files(1, corpus.VARIANTS["600"])
    words = lambda files: sum(len(t.split()) for t in files.values())  # noqa: E731
    assert words(tiny) * 5 < words(big) < words(large) / 5
    assert len([n for n in large if n.startswith("progress/")]) == 20


def test_the_benchmark_reports_every_figure_users_compare():
    """`make bench` writes these keys to bench/results.json, each with its target (or none) in the table."""
    import run

    required = {"untagged_naive_ratio_40", "untagged_naive_ratio_600", "overhead_ratio", "second_pass_ratio",
                "rss_mib_600", "batch_speedup", "noop_rebuild_150_s", "validate_150_s", "help_s", "due_10000_s",
                "preview_html_s", "preview_pdf_s"}
    assert required <= set(run.KEYS) and set(run.KEYS) == set(run.TARGETS)
    assert sorted((run.HERE / "naive").rglob("style.css")) == [run.HERE / "naive/base/style.css",
                                                               run.HERE / "naive/haringey/style.css"]
