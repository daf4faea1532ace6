"""Publishing papers: what `reportgen publish` adds to a council's register, withdraws, and `published` lists.

Once a paper is published (open to inspection before its meeting), the law
treats it as fixed: a change is issued as a revision with a note of what
changed, and the published version stays available. `publish` copies the
exact files that went out into `councils/<slug>/published/` and appends an
entry to `published.yaml` (reportgen.inputs.register); every later build
restores them and refuses to overwrite them (reportgen.pipeline.published).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import Diagnostic, InputError, error, quote, warning
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.inputs.register import (
    PublishedFile, PublishedPack, Register, Withdrawal, check_register, dump_register, read_register,
)
from reportgen.pipeline.gather import gather, select_paper
from reportgen.pipeline.manifest import Manifest
from reportgen.pipeline.output import build_lock, write_atomic
from reportgen.pipeline.published import FORMATS, output_target, relative_inputs


@dataclass(frozen=True)
class Published:
    """One file of a paper as `publish` left it."""

    council: str
    paper: str
    fmt: str
    output: Path
    revision: int
    already: bool = False  # it was published before, exactly as it is


def who(by: str | None, root: Path) -> str:
    """`--by`, else `git config user.name`, else the operating-system user."""
    if by and by.strip():
        return by.strip()
    try:
        name = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return "unknown"


def publish(project: Project, out_dir: Path, council: str, paper: str, *, on: dt.date, today: dt.date,
            by: str | None = None) -> list[Published]:
    """Record the built outputs of one paper as published on `on`; InputError when there is nothing fit to publish."""
    _not_future(on, today, "made public")
    inputs = gather(project, [council])
    if council in inputs.failed:
        raise InputError(inputs.errors or [error(f"council '{council}' has errors; run `reportgen validate`")])
    select_paper(inputs, paper)
    (view,) = inputs.councils[council].papers
    register = inputs.councils[council].register
    done: list[Published] = []
    new: list[PublishedFile] = []
    person = who(by, project.root)
    with build_lock(out_dir), Manifest(out_dir, project.root) as manifest:
        built = {fmt: e for fmt in FORMATS if (e := manifest.get(council, paper, fmt)) is not None}
        if not built:
            raise InputError([*(warning(notice) for notice in manifest.notices), error(
                f"no built paper {quote(paper)} for council {quote(council)} in {out_dir}; "
                f"build it first (reportgen build {council} --paper {paper})")])
        problems = []
        for fmt, entry in sorted(built.items()):
            target = output_target(register, out_dir, council, view, fmt)
            if not manifest.still_current(entry, fmt) or entry.output != target.path:
                problems.append(error(f"{target.path.name} is out of date or was changed by hand; "
                                      f"build it again before publishing", file=target.path))
            elif target.published is not None:
                done.append(Published(council, paper, fmt, target.path, target.revision, already=True))
            else:
                earlier = [e.published_on for e in register.of(paper) if e.revision < target.revision]
                if earlier and on < max(earlier):
                    problems.append(error(
                        f"--on {on} is before {max(earlier)}, when the previous version of '{paper}' was "
                        f"published; a revision is published after the version it revises"))
                    break  # the same for every format
                new.append(PublishedFile(
                    paper=paper, format=fmt, revision=target.revision, file=target.path.name,
                    sha256=entry.output_hash, inputs=relative_inputs(project.root, entry.inputs), published_on=on,
                    recorded_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), by=person))
                done.append(Published(council, paper, fmt, target.path, target.revision))
        if problems:
            raise InputError(problems)
        for entry in new:
            write_atomic(register.copy_of(entry), (out_dir / council / entry.file).read_bytes())
        if new:
            _write_register(register, view.council.name, entries=[*register.entries, *new])
    return done


def publish_pack(project: Project, out_dir: Path, council: str, meeting: dt.date, committee: str | None = None, *,
                 supplement: bool = False, on: dt.date, today: dt.date, by: str | None = None) -> Published:
    """Record a meeting's agenda pack (or its next supplement), as built in `out_dir`, as published on `on`."""
    from reportgen.meetings.pack import build_pack

    _not_future(on, today, "made public")
    built = build_pack(project, council, meeting, committee, out_dir=out_dir, supplement=supplement)
    plan, target = built.plan, built.target
    if built.status == "written":
        raise InputError([error(f"the {plan.what} in {out_dir} was out of date, so it was built again; check "
                                f"{target.name}, put that one on the website, then publish again", file=target)])
    if plan.published is not None:
        return Published(council, Path(target).stem, "pdf", target, plan.supplement, already=True)
    register = _read(project, council)
    earlier = [p.published_on for p in register.packs_of(plan.meeting.date, plan.meeting.committee.id)]
    if earlier and on < max(earlier):
        raise InputError([error(f"--on {on} is before {max(earlier)}, when the previous pack or supplement of this "
                                f"meeting was published; a supplement is published after the pack it supplements")])
    data = target.read_bytes()
    entry = PublishedPack(
        meeting=plan.meeting.date, committee=plan.meeting.committee.id, supplement=plan.supplement, file=target.name,
        sha256=hashlib.sha256(data).hexdigest(), papers=plan.paper_ids, attachments=plan.attachment_files,
        published_on=on, recorded_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), by=who(by, project.root))
    write_atomic(register.copy_of(entry), data)
    _write_register(register, plan.calendar.council.name, packs=[*register.packs, entry])
    return Published(council, target.stem, "pdf", target, plan.supplement)


def withdraw(project: Project, council: str, paper: str | None, revision: int, reason: str, *, on: dt.date,
             today: dt.date, by: str | None = None, pack: dt.date | None = None,
             committee: str | None = None) -> list[PublishedFile | PublishedPack]:
    """Mark revision `revision` of a paper (every format), or supplement `revision` of the agenda pack of the
    meeting on `pack` (0: the pack itself), withdrawn; the entries and their bytes are kept."""
    _not_future(on, today, "withdrawn")
    slug = project.select([council])[0]
    register = _read(project, slug)
    if pack is None:
        what = f"revision {revision} of '{paper}'"
        found = [e for e in register.in_force() if e.paper == paper and e.revision == revision]
        versions = {e.revision for e in register.in_force() if e.paper == paper}
    else:
        what = f"supplement {revision} of the agenda pack of {pack}" if revision else f"agenda pack of {pack}"
        meeting = [p for p in register.packs if p.meeting == pack and p.in_force() and committee in (None, p.committee)]
        found = [p for p in meeting if p.supplement == revision]
        versions = {p.supplement for p in meeting}
    if not found:
        listed = ", ".join(map(str, sorted(versions))) or "none"
        raise InputError([error(f"no published {what} in force to withdraw (in force: {listed}; "
                                f"`reportgen published {slug}` lists them)", file=register.path)])
    if any(on < e.published_on for e in found):
        raise InputError([error(f"the withdrawal date {on} is before the publication date {found[0].published_on}")])
    withdrawal = Withdrawal(on=on, reason=reason, by=who(by, project.root))
    changed = {id(e): e.model_copy(update={"withdrawn": withdrawal}) for e in found}
    entries = [changed.get(id(e), e) for e in register.entries]
    packs = [changed.get(id(p), p) for p in register.packs]
    for old in found:  # keep the bytes under withdrawn/, so the same name can be published again
        write_atomic(register.copy_of(changed[id(old)]), register.copy_of(old).read_bytes())
    _write_register(register, _council_name(project, slug), entries=entries, packs=packs)
    in_force = {e.file for e in [*entries, *packs] if e.withdrawn is None}
    for old in found:
        if old.file not in in_force:
            register.copy_of(old).unlink(missing_ok=True)
    return list(changed.values())


@dataclass
class RegisterListing:
    """What `reportgen published` shows: each council's register and the papers it still has."""

    councils: list[tuple[str, Register, set[str]]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def listing(project: Project, names: list[str] | None = None) -> RegisterListing:
    """Every council's register (those named, or all), checked."""
    found = RegisterListing()
    for slug in project.select(names):
        folder = project.council_dir(slug)
        register, problems = read_register(folder)
        found.diagnostics += problems
        if register is not None:
            papers = {p.stem for p in yaml_files(folder / "papers")}
            found.diagnostics += [d for d in check_register(register, {}) if d.is_error]
            found.councils.append((slug, register, papers))
    return found


def _not_future(on: dt.date, today: dt.date, what: str) -> None:
    if on > today:
        raise InputError([error(f"--on {on} is in the future (today is {today}); give the day the paper was {what}")])


def _read(project: Project, slug: str) -> Register:
    register, problems = read_register(project.council_dir(slug))
    if register is None or any(d.is_error for d in problems):
        raise InputError(problems)
    return register


def _council_name(project: Project, slug: str) -> str:
    from reportgen.inputs.models import Council
    from reportgen.inputs.records import council_reading

    loaded = council_reading(project.council_dir(slug)).read(project.council_dir(slug) / "council.yaml", Council)
    return loaded.model.name if loaded else slug


def _write_register(register: Register, council_name: str, *, entries: list[PublishedFile] | None = None,
                    packs: list[PublishedPack] | None = None) -> None:
    """published.yaml with `entries` and `packs` (each as it was when not given)."""
    text = dump_register(list(register.entries) if entries is None else entries, council_name,
                         list(register.packs) if packs is None else packs)
    write_atomic(register.path, text.encode("utf-8"))
