"""One list of versions: requirements.lock pins, with hashes, what pyproject.toml asks for and what is installed."""

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT
from reportgen import __version__
from reportgen.dependencies import dependencies, exact_pin, installed_version, output_versions


def read_lock() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {name: (version, hashes)}."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if not text:
            continue
        if text.startswith("--hash="):
            entries[current][1].append(text.removeprefix("--hash="))
            continue
        assert not line[0].isspace() and "==" in text and ";" not in text, f"not an exact pin: {line!r}"
        name, version = text.split("==")
        current = canonicalize_name(name)
        entries[current] = (version, [])
    return entries


LOCK = read_lock()


def pyproject_requirements(build: bool = True) -> list[Requirement]:
    """Runtime and test requirements (with their marker), and build ones, as pyproject.toml declares them."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [*pyproject["project"]["dependencies"],
             *(f'{t}; extra == "test"' for t in pyproject["project"]["optional-dependencies"]["test"]),
             *(pyproject["build-system"]["requires"] if build else [])]
    return [Requirement(t) for t in texts]


def test_the_lock_pins_every_dependency_with_its_hashes():
    assert len(LOCK) > 40
    assert {name for name, (_, hashes) in LOCK.items() if not hashes} == set()
    assert all(h.startswith("sha256:") for _, hashes in LOCK.values() for h in hashes)
    # Build tools too: reportgen is installed without build isolation.
    assert {"setuptools", "wheel", "weasyprint", "fonttools", "pytest"} <= LOCK.keys()


def test_the_lock_satisfies_pyproject():
    """Fails after an edit of pyproject.toml that `make lock` has not followed."""
    unmet = [str(r) for r in pyproject_requirements()
             if canonicalize_name(r.name) not in LOCK or not r.specifier.contains(LOCK[canonicalize_name(r.name)][0])]
    assert unmet == [], "requirements.lock does not satisfy pyproject.toml: run `make lock`"


def test_reportgen_is_installed_from_this_pyproject():
    """Its requirements are read from the installed metadata, which only `make setup` brings up to date."""
    def key(r: Requirement) -> tuple:
        return canonicalize_name(r.name), str(r.specifier), str(r.marker or "")

    installed = {key(Requirement(t)) for t in metadata.requires("reportgen")}
    declared = {key(r) for r in pyproject_requirements(build=False)}
    assert installed == declared, "reportgen was installed from another pyproject.toml: run `make setup`"


def test_every_installed_distribution_is_at_its_locked_version():
    installed = {name: installed_version(name) for name in LOCK}
    wrong = {name: f"{installed[name]} installed, {version} locked" for name, (version, _) in LOCK.items()
             if installed[name] is not None and Version(installed[name]) != Version(version)}
    assert wrong == {}, "the environment is not the locked one: run `make setup`"
    assert installed["weasyprint"] == "70.0"  # the rendering stack is installed, so checked


def test_runtime_and_test_requirements_are_told_apart():
    runtime = {d.name for d in dependencies()}
    test = {d.name for d in dependencies("test")}
    assert {"weasyprint", "pikepdf", "fonttools", "typer", "pdfplumber"} <= runtime  # pdfplumber: `check`
    assert {"pytest", "pytest-xdist", "hypothesis"} == test
    assert not runtime & test


@pytest.mark.parametrize("text, pin", [
    ("weasyprint==70.0", ("weasyprint", "70.0")),
    ("fonttools[woff]==4.68.0", ("fonttools", "4.68.0")),
    ("page-validation===0.11.0", ("page-validation", "0.11.0")),
    ("jinja2<4,>=3.1", None),
    ("pikepdf==10.*", None),
    ("pikepdf==10.18.0,<11", None),
    ('pdfplumber==0.11.10; extra == "test"', None),  # a test tool, not what papers are made with
    ("tzdata", None),
])
def test_exact_pins_are_told_from_ranges_and_conditional_requirements(text, pin):
    assert exact_pin(text) == pin


def test_pinned_means_one_exact_version_as_packaging_reads_it():
    for dep in dependencies():
        specs = list(dep.requirement.specifier)
        assert dep.pinned == (len(specs) == 1 and specs[0].operator == "=="), dep.requirement


def test_the_build_record_holds_the_versions_of_exactly_pinned_requirements():
    versions = output_versions()
    for name in ("weasyprint", "pydyf", "pikepdf", "fonttools", "pyphen", "pillow", "page-validation", "jinja2"):
        assert versions[name] == installed_version(name) == LOCK[name][0]
    assert versions["reportgen"] == __version__
    # Ranges (the CLI's, the scheduler's) and test tools do not make papers differ: no rebuild when they move.
    assert not {"typer", "rich", "apscheduler", "pytest"} & versions.keys()
