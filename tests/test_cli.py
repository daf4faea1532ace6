"""The command line: exit codes, messages, and nothing lost when a build fails."""

import json

from conftest import ROOT


def test_validate_the_samples_is_clean(run_cli):
    result = run_cli("-C", ROOT, "validate", "haringey")
    assert result.code == 0
    assert "Checked 1 council(s), " in result.err and "paper(s): no errors" in result.err


def test_councils_lists_styles_and_papers(run_cli):
    result = run_cli("-C", ROOT, "councils")
    line = next(l for l in result.out.splitlines() if l.startswith("haringey\t"))
    assert "style: haringey" in line and "papers: munro-progress" in line


def test_broken_yaml_gives_file_line_and_exit_1(run_cli, small_project):
    paper = small_project / "councils/northmoor/papers/munro-update.yaml"
    paper.write_text(paper.read_text() + "sections: [unclosed\n")
    result = run_cli("-C", small_project, "validate", cwd=small_project)
    assert result.code == 1
    assert "councils/northmoor/papers/munro-update.yaml:" in result.err
    assert "duplicate key 'sections'" in result.err or "invalid YAML" in result.err
    assert "Traceback" not in result.err + result.out


def test_unknown_recommendation_id_is_an_error_with_suggestion(run_cli, small_project):
    progress = small_project / "councils/northmoor/progress/munro-2012-10.yaml"
    progress.write_text(progress.read_text().replace("\n  R1:\n", "\n  R01:\n", 1))
    result = run_cli("-C", small_project, "validate", cwd=small_project)
    assert result.code == 1
    assert ("entries.R01: no recommendation 'R01' in the review 'Munro' (did you mean 'R1'?); "
            "expected one of R1 to R15") in result.err


def test_missing_recommendations_are_a_warning_naming_them(run_cli):
    result = run_cli("-C", ROOT, "validate", "northmoor")
    assert result.code == 0
    assert "warning: no progress given for recommendations R8, R9, R15" in result.err


def test_strict_turns_warnings_into_failure(run_cli):
    assert run_cli("-C", ROOT, "validate", "northmoor", "--strict").code == 1


def test_validate_json(run_cli):
    result = run_cli("-C", ROOT, "validate", "northmoor", "--json")
    data = json.loads(result.out)
    assert data["ok"] is True and data["papers"] == 1
    assert data["diagnostics"][0]["level"] == "warning"
    assert data["diagnostics"][0]["file"].endswith("munro-2012-10.yaml")


def test_unknown_council_suggests(run_cli):
    result = run_cli("-C", ROOT, "validate", "haringy")
    assert result.code == 1
    assert "no council 'haringy' (did you mean 'haringey'?)" in result.err


def test_usage_error_exits_2(run_cli):
    assert run_cli("build", "--no-such-option").code == 2


def test_internal_error_exits_3_and_saves_traceback(run_cli, monkeypatch):
    from reportgen.pipeline import gather

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(gather, "gather", explode)
    result = run_cli("-C", ROOT, "validate")
    assert result.code == 3
    assert "this is a bug" in result.err and "RuntimeError: boom" in result.err
    assert "Traceback" not in result.err
    log = result.err.split("saved to ")[1].split(";")[0]
    assert "RuntimeError: boom" in open(log).read()


def test_build_then_failed_build_keeps_the_last_good_paper(run_cli, small_project, tmp_path):
    out = tmp_path / "out"
    first = run_cli("-C", small_project, "build", "--out", out)
    assert first.code == 0, first.err
    (pdf,) = (out / "northmoor").glob("*.pdf")
    good = pdf.read_bytes()
    # Break the style: the paper cannot render, so the old PDF must stay as it was.
    (small_project / "templates/haringey/cover.html").write_text("{{ no_such_variable }}")
    second = run_cli("-C", small_project, "build", "--out", out)
    assert second.code == 1
    assert "northmoor/munro-update: build failed:" in second.err
    assert "'no_such_variable' is undefined" in second.err
    assert pdf.read_bytes() == good
    assert sorted(p.name for p in (out / "northmoor").iterdir()) == [pdf.name]


def test_paper_option_and_unknown_paper(run_cli, small_project, tmp_path):
    result = run_cli("-C", small_project, "build", "--paper", "munro-updat", "--out", tmp_path)
    assert result.code == 1
    assert "no paper 'munro-updat' (did you mean 'munro-update'?)" in result.err


def test_rebuild_reports_unchanged(run_cli, small_project, tmp_path):
    run_cli("-C", small_project, "build", "--out", tmp_path)
    again = run_cli("-C", small_project, "build", "--out", tmp_path)
    assert again.code == 0
    assert "0 written, 1 unchanged, 0 failed" in again.err
