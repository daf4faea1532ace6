"""The statutory-cycle tests' own project: Fenby (tests/fixtures/cycle) in the base style.

Fenby has one meeting, Monday 21 January 2013, with two papers (budget,
parks). The law's deadline is Friday 11 January 2013; the council's own
(7 working days before) is Thursday 10 January 2013.

Not a test module: test_due_status.py, test_publication.py and test_validate_cycle.py import it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = HERE / "fixtures" / "cycle"
COUNCIL = "fenby"
MEETING = dt.date(2013, 1, 21)
DEADLINE = dt.date(2013, 1, 11)


def make_cycle_project(dest: Path) -> Path:
    """A project at `dest`: the repository's base style and the Fenby council, free to change."""
    shutil.copytree(ROOT / "templates" / "base", dest / "templates" / "base")
    shutil.copytree(FIXTURE / "councils", dest / "councils")
    return dest


def council_dir(project: Path) -> Path:
    return project / "councils" / COUNCIL


def paper_name(paper: str, revision: int = 0, fmt: str = "pdf") -> str:
    return f"{MEETING.isoformat()}-scrutiny-{paper}" + (f"-rev{revision}" if revision else "") + f".{fmt}"


def record(project: Path, paper: str, on: dt.date, revision: int = 0, withdrawn: dt.date | None = None) -> None:
    """Add a register entry as `reportgen publish` writes it (for `due`, which reads only the register)."""
    from reportgen.inputs.register import PublishedFile, Withdrawal, dump_register, read_register

    register, problems = read_register(council_dir(project))
    assert register is not None, problems
    data = f"{paper} revision {revision}".encode()
    entry = PublishedFile(
        paper=paper, format="pdf", revision=revision, file=paper_name(paper, revision),
        sha256=hashlib.sha256(data).hexdigest(), inputs={}, published_on=on,
        recorded_at=dt.datetime.combine(on, dt.time(9), tzinfo=dt.timezone.utc), by="Sam Hale",
        withdrawn=Withdrawal(on=withdrawn, reason="published in error", by="Sam Hale") if withdrawn else None)
    copy = register.copy_of(entry)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    register.path.write_text(dump_register([*register.entries, entry], "Fenby District Council"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
