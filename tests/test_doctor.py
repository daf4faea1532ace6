"""`reportgen doctor`: every requirement, Pango and HarfBuzz with their versions, and what to do when one is wrong."""

import re
import shutil
from importlib import metadata

from packaging.requirements import Requirement

from conftest import ROOT
from hostile import run_subprocess
from reportgen import doctor
from reportgen.dependencies import Dependency, dependencies


def test_doctor_names_every_requirement_and_the_system_libraries_without_importing_weasyprint(tmp_path):
    shutil.copytree(ROOT / "templates", tmp_path / "project/templates")
    result = run_subprocess(["-C", tmp_path / "project", "doctor"], cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for dep in dependencies():
        assert re.search(rf"^ok +{re.escape(dep.name)}: {re.escape(metadata.version(dep.name))}\b", out, re.M), dep.name
    assert re.search(r"^ok +weasyprint: 70\.0 \(pinned\)$", out, re.M)
    assert re.search(r"^ok +Pango: 1\.\d+\.\d+$", out, re.M)
    assert re.search(r"^ok +HarfBuzz: \d+\.\d+\.\d+$", out, re.M)
    assert re.search(r"^ok +font base/fonts/\S+\.ttf: shipped$", out, re.M)
    assert out.rstrip().endswith("All required dependencies found.")
    # -X importtime lists every module imported: WeasyPrint is not one (its import fails when Pango is missing).
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "reportgen.doctor" in imported
    assert not {m for m in imported if m.split(".")[0] == "weasyprint"}


def test_a_version_the_project_does_not_accept_fails_with_the_fix(run_cli, monkeypatch, tmp_path):
    wrong = Dependency(Requirement("pikepdf==10.18.0"), "10.17.0", pinned=True)
    missing = Dependency(Requirement("nh3==0.3.8"), None, pinned=True)
    monkeypatch.setattr(doctor, "dependencies", lambda: (wrong, missing))
    result = run_cli("-C", tmp_path, "doctor")
    assert result.code == 1
    assert "FAIL pikepdf: 10.17.0 (pinned)\n     fix: run `make setup`, which installs requirements.lock" in result.out
    assert "reportgen needs pikepdf==10.18.0" in result.out
    assert "FAIL nh3: not installed\n" in result.out
    assert result.out.rstrip().endswith("2 required dependency problem(s).")


def test_reportgen_not_installed_is_a_problem_with_the_fix(run_cli, monkeypatch, tmp_path):
    def not_installed():
        raise metadata.PackageNotFoundError("reportgen")

    monkeypatch.setattr(doctor, "dependencies", not_installed)
    result = run_cli("-C", tmp_path, "doctor")
    assert result.code == 1
    assert "FAIL reportgen: not installed, so its requirements cannot be read\n     fix: run `make setup`" in result.out


def test_a_missing_font_fails_and_says_how_to_fix_it(run_cli, tiny_project):
    (tiny_project / "templates/base/fonts/LiberationSans-Bold.ttf").unlink()
    result = run_cli("-C", tiny_project, "doctor")
    assert result.code == 1
    fonts = tiny_project / "templates/base/fonts"
    assert (f"FAIL font base/fonts/LiberationSans-Bold.ttf: missing\n"
            f"     fix: restore LiberationSans-Bold.ttf into {fonts}") in result.out
    assert result.out.rstrip().endswith("1 required dependency problem(s).")
