"""Marking papers as published, so that no later build silently replaces them.

Once a paper is published (open to inspection before its meeting), the law
treats it as fixed: a change is issued as a revision with a note of what
changed, and the published version stays available. `publish` records the
exact bytes that went out; `build` then refuses to overwrite them and writes
each revision to a new `-revN` file instead (see build.output_target).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import InputError, error, quote, warning
from reportgen.pipeline.manifest import Manifest, Publication, file_hash
from reportgen.pipeline.output import build_lock

REVISION_SUFFIX = re.compile(r"-rev(\d+)$")


@dataclass(frozen=True)
class Published:
    council: str
    paper: str
    fmt: str
    output: Path
    revision: int


def publish(out_dir: Path, council: str, paper: str, on: dt.date, *, root: Path) -> list[Published]:
    """Record the built outputs of one paper as published on `on`; InputError when there is nothing fit to publish.

    `root` is the project folder, which the manifest's input paths are relative to.
    """
    done = []
    with build_lock(out_dir), Manifest(out_dir, root) as manifest:
        entries = {fmt: entry for (pid, fmt), entry in manifest.entries(council).items() if pid == paper}
        if not entries:
            raise InputError([*(warning(notice) for notice in manifest.notices), error(
                f"no built paper {quote(paper)} for council {quote(council)} in {out_dir}; "
                f"build it first (reportgen build {council} --paper {paper})")])
        problems = []
        for fmt, entry in sorted(entries.items()):
            if not manifest.still_current(entry, fmt):
                problems.append(error(f"{entry.output.name} is out of date or was changed by hand; "
                                      f"build it again before publishing", file=entry.output))
        if problems:
            raise InputError(problems)
        for fmt, entry in sorted(entries.items()):
            match = REVISION_SUFFIX.search(entry.output.stem)
            revision = int(match.group(1)) if match else 0
            latest = manifest.published(council, paper, fmt)
            if latest is not None and latest.revision == revision and latest.output_hash == entry.output_hash:
                done.append(Published(council, paper, fmt, entry.output, revision))  # already published
                continue
            manifest.publish(council, paper, fmt,
                             Publication(revision, entry.output, file_hash(entry.output), on.isoformat()))
            done.append(Published(council, paper, fmt, entry.output, revision))
    return done
