"""reportgen's declared requirements and the versions of them installed, read from package metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING

from reportgen import __version__

if TYPE_CHECKING:
    from packaging.requirements import Requirement

DISTRIBUTION = "reportgen"
# `name==version` (or ===), unconditional: read without `packaging`, whose import and
# parser cost every build about 0.1 s of CPU.
_EXACT_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s,;*]+)")


@dataclass(frozen=True)
class Dependency:
    """One requirement of reportgen, and the version installed (None when it is not installed)."""

    requirement: Requirement
    version: str | None
    pinned: bool  # exactly, in pyproject.toml: the papers' bytes depend on it

    @property
    def name(self) -> str:
        return self.requirement.name

    @property
    def satisfied(self) -> bool:
        return self.version is not None and self.requirement.specifier.contains(self.version, prereleases=True)


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def exact_pin(text: str) -> tuple[str, str] | None:
    """(name, version) of a requirement pinned exactly for every platform and extra, like `weasyprint==70.0`."""
    match = _EXACT_PIN.fullmatch(text.strip())
    return (match[1], match[2]) if match else None


def _requires() -> list[str]:
    """The requirement strings in reportgen's installed metadata; PackageNotFoundError when it is not installed."""
    return metadata.requires(DISTRIBUTION) or []


def _wanted(requirement: Requirement, extra: str) -> bool:
    """A runtime requirement (extra ""), or one that only the extra named brings in."""
    marker = requirement.marker
    if marker is None:
        return not extra
    applies = marker.evaluate({"extra": extra})
    return applies and not (extra and marker.evaluate({"extra": ""}))


@lru_cache(maxsize=None)
def dependencies(extra: str = "") -> tuple[Dependency, ...]:
    """The requirements reportgen was installed with (runtime, or an extra's), in pyproject.toml's order.

    Raises metadata.PackageNotFoundError when reportgen is not installed: its requirements are in its metadata.
    """
    from packaging.requirements import Requirement

    found = []
    for text in _requires():
        requirement = Requirement(text)
        if _wanted(requirement, extra):
            found.append(Dependency(requirement, installed_version(requirement.name), exact_pin(text) is not None))
    return tuple(found)


@lru_cache(maxsize=1)
def output_versions() -> dict[str, str]:
    """reportgen's version and those of its exactly pinned requirements: what the output depends on."""
    versions = {DISTRIBUTION: __version__}
    try:
        pins = [pin for pin in map(exact_pin, _requires()) if pin]
    except metadata.PackageNotFoundError:
        # Run from a source tree that was never installed: say so, rather than record no versions at all.
        return versions | {"requirements": "unknown: reportgen is not installed"}
    return versions | {name: installed_version(name) or "missing" for name, _ in pins}
