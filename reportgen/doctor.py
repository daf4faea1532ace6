"""Check the Python and system dependencies, and say what to install when one is missing."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from reportgen.dependencies import Dependency, dependencies
from reportgen.inputs.fonts import PACKS, pack_status


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True
    fix: str = ""


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("Python", ok, sys.version.split()[0], fix="install Python 3.11 or newer")


SETUP = "run `make setup`, which installs requirements.lock (or pip install -e .)"


def _requirements() -> list[Check]:
    """Each requirement reportgen was installed with: present, and at a version it accepts."""
    try:
        found = dependencies()
    except metadata.PackageNotFoundError:
        return [Check("reportgen", False, "not installed, so its requirements cannot be read", fix=SETUP)]
    return [Check(d.name, d.satisfied, _installed_text(d), fix=f"{SETUP}; reportgen needs {d.requirement} "
                  f"(papers are reproducible only with the pinned versions)") for d in found]


def _installed_text(dependency: Dependency) -> str:
    if dependency.version is None:
        return "not installed"
    return f"{dependency.version} (pinned)" if dependency.pinned else dependency.version


def _library(short: str, *files: str) -> ctypes.CDLL | None:
    """A system library, by the file names WeasyPrint tries, else wherever ctypes finds it."""
    for name in files:
        with contextlib.suppress(OSError):
            return ctypes.CDLL(name)
    found = ctypes.util.find_library(short)
    with contextlib.suppress(OSError, TypeError):
        return ctypes.CDLL(found)
    return None


def _version_string(library: ctypes.CDLL, function: str) -> str:
    getter = getattr(library, function)
    getter.restype = ctypes.c_char_p
    return getter().decode()


def _pango() -> Check:
    pango = _library("pango-1.0", "libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll")
    if pango is None:
        return Check("Pango", False, "not found",
                     fix="sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 (macOS: brew install pango)")
    pango.pango_version.restype = ctypes.c_int
    return Check("Pango", pango.pango_version() >= 14400, _version_string(pango, "pango_version_string"),
                 fix="Pango 1.44 or newer is needed")


def _harfbuzz() -> list[Check]:
    harfbuzz = _library("harfbuzz", "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
    subset = _library("harfbuzz-subset", "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                      "libharfbuzz-subset-0.dll")
    return [
        Check("HarfBuzz", harfbuzz is not None,
              _version_string(harfbuzz, "hb_version_string") if harfbuzz else "not found",
              fix="sudo apt-get install libharfbuzz0b (macOS: brew install harfbuzz)"),
        Check("HarfBuzz subset", subset is not None, "found" if subset else "not found", required=False,
              fix="sudo apt-get install libharfbuzz-subset0 (fonts are otherwise subset by the slower fontTools)"),
    ]


def _fonts(templates: Path) -> list[Check]:
    checks = []
    for css in sorted(templates.glob("*/*.css")):
        for url in re.findall(r"url\(([^)]+)\)", css.read_text(encoding="utf-8")):
            path = (css.parent / url.strip("'\" ")).resolve()
            if path.suffix.lower() in (".ttf", ".otf", ".woff", ".woff2"):
                checks.append(Check(f"font {css.parent.name}/{url.strip(chr(34))}", path.is_file(),
                                    "shipped" if path.is_file() else "missing",
                                    fix=f"restore {path.name} into {path.parent}"))
    return checks


def _font_packs(templates: Path) -> list[Check]:
    """Each optional font pack: installed with the pinned sha256, changed, or not installed."""
    checks = []
    for pack in PACKS:
        status = pack_status(templates / "base", pack)
        detail = {"installed": f"installed, sha256 {pack.sha256[:12]}... as pinned",
                  "missing": "not installed (optional)",
                  "changed": f"{status.path.name} is not the pinned file (sha256 differs), so it is not used"}[status.state]
        checks.append(Check(f"font pack {pack.name}", status.installed, detail, required=False,
                            fix=f"run `{pack.install}` to print {pack.name} text"))
    return checks


def _tool(name: str, package: str, why: str) -> Check:
    found = shutil.which(name)
    return Check(name, bool(found), found or "not found", required=False,
                 fix=f"sudo apt-get install {package} ({why})")


def run_checks(templates: Path) -> list[Check]:
    """Every check, without importing WeasyPrint (its import fails outright when a library is missing)."""
    checks = [_python(), *_requirements(), _pango(), *_harfbuzz()]
    checks += _fonts(templates) + _font_packs(templates)
    checks.append(_tool("pdftoppm", "poppler-utils", "to preview pages as PNG"))
    return checks
