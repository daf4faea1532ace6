"""Where a project keeps things: councils, shared reference data, house styles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import InputError, did_you_mean, error, one_of

REFERENCE_FOLDER = "_reference"


@dataclass(frozen=True)
class Project:
    """A reportgen project folder: `councils/` and `templates/` side by side."""

    root: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        project = cls(root)
        if not project.councils_dir.is_dir():
            raise InputError([error(
                f"no 'councils' folder in {root}; run reportgen from a project folder or pass --project",
            )])
        return project

    @property
    def councils_dir(self) -> Path:
        return self.root / "councils"

    @property
    def reference_dir(self) -> Path:
        return self.councils_dir / REFERENCE_FOLDER

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def council_dir(self, slug: str) -> Path:
        return self.councils_dir / slug

    def council_slugs(self) -> list[str]:
        """Every council folder: one that holds a council.yaml."""
        return sorted(
            p.name for p in self.councils_dir.iterdir()
            if p.is_dir() and not p.name.startswith(("_", ".")) and (p / "council.yaml").is_file()
        )

    def select(self, names: list[str] | None) -> list[str]:
        """The councils named, all of them when none is; unknown names are an error."""
        known = self.council_slugs()
        if not names:
            return known
        problems = [
            error(f"no council '{n}'{did_you_mean(n, known)}; councils here: {one_of(known)}")
            for n in names if n not in known
        ]
        if problems:
            raise InputError(problems)
        return list(dict.fromkeys(names))

    def style_names(self) -> list[str]:
        if not self.templates_dir.is_dir():
            return []
        return sorted(p.name for p in self.templates_dir.iterdir() if (p / "style.yaml").is_file())
