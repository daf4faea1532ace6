"""Check the Python and system dependencies, and say what to install when one is missing."""

from __future__ import annotations

import ctypes.util
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


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


def _package(name: str, pinned: str | None = None) -> Check:
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return Check(name, False, "not installed", fix="run `make setup` (or pip install -e .)")
    ok = pinned is None or version == pinned
    return Check(name, ok, version, fix=f"pip install {name}=={pinned} (papers are reproducible only with the pinned version)")


def _pango() -> Check:
    try:
        from weasyprint.text.ffi import pango
    except OSError as exc:
        return Check("Pango", False, f"cannot load: {exc}",
                     fix="sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 (macOS: brew install pango)")
    version = pango.pango_version()
    text = f"{version // 10000}.{version // 100 % 100}.{version % 100}"
    return Check("Pango", version >= 14400, text, fix="Pango 1.44 or newer is needed")


def _harfbuzz_subset() -> Check:
    found = ctypes.util.find_library("harfbuzz-subset")
    return Check(
        "HarfBuzz subset", bool(found), found or "not found", required=False,
        fix="sudo apt-get install libharfbuzz-subset0 (fonts are otherwise subset by the slower fontTools)",
    )


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


def _tool(name: str, package: str, why: str) -> Check:
    found = shutil.which(name)
    return Check(name, bool(found), found or "not found", required=False,
                 fix=f"sudo apt-get install {package} ({why})")


def run_checks(templates: Path) -> list[Check]:
    checks = [_python(), _package("weasyprint", "70.0"), _package("pydyf", "0.13.0"), _package("pikepdf"),
              _package("jinja2"), _package("pydantic")]
    if checks[1].detail != "not installed":
        checks.append(_pango())
    checks.append(_harfbuzz_subset())
    checks += _fonts(templates)
    checks.append(_tool("pdftoppm", "poppler-utils", "to preview pages as PNG"))
    return checks
