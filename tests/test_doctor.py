"""`reportgen doctor`: every dependency checked, and what to do about one that is missing or wrong."""

from __future__ import annotations

from importlib import metadata


def test_everything_needed_is_found_here(run_cli, tiny_project):
    result = run_cli("-C", tiny_project, "doctor")
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    checked = {line[5:].split(":")[0] for line in lines if line.startswith("ok   ")}
    assert {"Python", "weasyprint", "pydyf", "pikepdf", "Pango", "font base/fonts/LiberationSans-Regular.ttf"} <= checked
    assert "ok   weasyprint: 70.0" in lines and "ok   pydyf: 0.13.0" in lines
    assert not [line for line in lines if line.startswith("FAIL")]
    assert lines[-1] == "All required dependencies found."


def test_a_missing_font_fails_and_says_how_to_fix_it(run_cli, tiny_project):
    (tiny_project / "templates/base/fonts/LiberationSans-Bold.ttf").unlink()
    result = run_cli("-C", tiny_project, "doctor")
    assert result.code == 1
    fonts = tiny_project / "templates/base/fonts"
    assert (f"FAIL font base/fonts/LiberationSans-Bold.ttf: missing\n"
            f"     fix: restore LiberationSans-Bold.ttf into {fonts}") in result.out
    assert result.out.splitlines()[-1] == "1 required dependency problem(s)."


def test_a_version_other_than_the_pinned_one_fails(run_cli, tiny_project, monkeypatch):
    installed = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "0.12.0" if name == "pydyf" else installed(name))
    result = run_cli("-C", tiny_project, "doctor")
    assert result.code == 1
    assert "FAIL pydyf: 0.12.0\n     fix: pip install pydyf==0.13.0" in result.out
