"""Helpers for the tracker tests (issue 18): the fixture project tests/fixtures/tracker/, with the shipped templates.

Not a test module: tests/test_tracker*.py import it. Never the repository's councils/.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "tracker"
COUNCIL = "eastbrook"


def tracker_project(dest: Path) -> Path:
    shutil.copytree(FIXTURE / "councils", dest / "councils")
    shutil.copytree(HERE.parent / "templates", dest / "templates")
    return dest


def progress_file(project: Path, name: str) -> Path:
    return project / "councils" / COUNCIL / "progress" / f"{name}.yaml"


def with_cached_value(path: Path, cell: str, formula: str, value: str) -> None:
    """Give cell `cell` of the first sheet the formula `formula` and the saved value `value`, as Excel would."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    start = xml.index(f'<c r="{cell}"')
    end = xml.index("</c>", start) + len("</c>") if xml.index(">", start) != xml.index("/>", start) + 1 \
        else xml.index("/>", start) + 2
    style = xml[start:end].split('s="')[1].split('"')[0] if 's="' in xml[start:end] else "0"
    xml = xml[:start] + f'<c r="{cell}" s="{style}" t="str"><f>{formula}</f><v>{value}</v></c>' + xml[end:]
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, data in parts.items():
            target.writestr(filename, data)
