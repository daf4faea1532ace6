"""A deterministic synthetic project for the benchmark: N councils, each with its own paper.

Each council is a copy of the sample project's shape: the real `templates/`
and `councils/_reference/` of this repository, plus a generated
`council.yaml`, progress record(s) and one paper like the Haringey sample
(cover, five sections, recommendations and a landscape progress appendix of
the 15 Munro recommendations). The text is pseudo-random prose from a
generator seeded by the council's name, so the same call always writes the
same files and no two councils' papers are alike.

Variants (`VARIANTS`): `tiny` (a few pages; for tests), `small` (about 6
pages; to seed a large corpus's manifest quickly), `40` (about 40 pages:
150-400 words in each council-response cell, the issue's realistic paper),
`600` (about 600 pages: the appendix 20 times over, each with its own
progress record and fresh text) and `quick-large` (4 appendices, about 125
pages, for `bench/run.py --quick`).

Council responses are prose only, as they were when the figures in the
README were measured. (Loose Markdown lists, `<li><p>`, once failed the
PDF/UA gate because WeasyPrint 70 tags them LI > P; pdfrepair now moves the
content into an LBody.)

    python bench/corpus.py DEST --councils 3 --variant 40
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "munro-2011"
PAPER_ID = "progress-report"
RECOMMENDATIONS = [f"R{i}" for i in range(1, 16)]  # the ids in councils/_reference/munro-2011.yaml


@dataclass(frozen=True)
class Variant:
    appendices: int  # progress appendices in the paper (one progress record each)
    cell_words: tuple[int, int]  # words in each council-response cell
    section_paragraphs: tuple[int, int]  # paragraphs in each of the five sections
    paragraph_words: tuple[int, int]


VARIANTS = {
    "tiny": Variant(1, (10, 25), (1, 1), (15, 30)),
    "small": Variant(1, (25, 60), (1, 2), (30, 60)),
    "40": Variant(1, (150, 400), (8, 10), (90, 130)),
    "600": Variant(20, (150, 400), (8, 10), (90, 130)),
    "quick-large": Variant(4, (150, 400), (8, 10), (90, 130)),  # about 125 pages: `bench/run.py --quick`
}

WORDS = """
safeguarding children families practitioners social workers assessment assessments partners agencies
board council service services team teams manager managers managers' support early help referral
referrals review reviews practice guidance statutory local authority authorities health police schools
education inspection framework outcomes quality assurance audit audits case cases chronology plan plans
conference conferences core group strategy meeting meetings visit visits timescale timescales week weeks
month months quarter year years budget staff staffing workforce training development supervision
learning culture improvement performance data report reports information sharing multi-agency protocol
protocols threshold thresholds need needs risk risks harm neglect domestic abuse exploitation missing
young people parent parents carer carers voice wishes feelings evidence approach approaches model
models pilot pilots evaluation consultation response responses recommendation recommendations progress
action actions priority priorities lead leads officer officers director directors assistant head heads
principal panel scrutiny committee members member cabinet portfolio holder partnership partnerships
commissioning commissioned provider providers contract contracts capacity demand caseload caseloads
vacancy vacancies recruitment retention agency locum newly qualified experienced senior frontline
help helped helps helping put putting agreed agreeing continue continued continues continuing develop
developed developing deliver delivered delivering review reviewed reviewing improve improved improving
monitor monitored monitoring report reported reporting ensure ensured ensuring consider considered
considering introduce introduced introducing establish established establishing strengthen strengthened
which that where when while because although since until unless whether both each every several many
most more fewer some any all other further new current recent previous next final first second third
clear clearer consistent timely effective effectively appropriate appropriately regular regularly
local national regional borough-wide citywide county-wide shared joint single whole integrated
the the the the of of of of and and and and to to to in in in for for with with on on by by from
as as at at is are was were be been has have had will would should could may must can not
""".split()

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
STATUSES = ["in progress", "ongoing", "complete", "not started", "in progress", "in progress", "ongoing"]
FIRST = ["Joanna", "Daniel", "Ruth", "Marcus", "Priya", "Tom", "Aled", "Carys", "Nadia", "Owen", "Helen", "Samir"]
LAST = ["Pryce", "Okafor", "Castell", "Hale", "Nandakumar", "Beresford", "Morgan", "Evans", "Shah", "Reid"]
ROLES = ["Assistant Director, Children and Families", "Head of Safeguarding", "Principal Policy Officer",
         "Head of First Response", "LSCB Business Manager", "Head of Workforce Development"]
SECTION_TITLES = ["Describe the issue under consideration", "Background information",
                  "Progress of implementation", "Next steps", "Use of appendices"]


class _Text:
    """Seeded prose: sentences of plausible council words, paragraphs of sentences."""

    def __init__(self, seed: str):
        self.rng = random.Random(seed)

    def sentence(self, words: int) -> str:
        picked = [self.rng.choice(WORDS) for _ in range(words)]
        if words > 10 and self.rng.random() < 0.4:
            picked[self.rng.randrange(4, words - 3)] += ","
        if self.rng.random() < 0.08:
            i = self.rng.randrange(words)
            picked[i] = f"*{picked[i].rstrip(',')}*"
        text = " ".join(picked)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, words: int) -> str:
        sentences = []
        while words > 0:
            n = min(words, self.rng.randint(8, 22))
            if 0 < words - n < 4:
                n = words
            sentences.append(self.sentence(n))
            words -= n
        return " ".join(sentences)

    def prose(self, words: int, paragraph: tuple[int, int] = (40, 110)) -> list[str]:
        """About `words` words in paragraphs."""
        blocks = []
        while words > 0:
            n = min(words, self.rng.randint(*paragraph))
            if 0 < words - n < 20:
                n = words
            blocks.append(self.paragraph(n))
            words -= n
        return blocks


def _block(text_blocks: list[str], indent: int) -> str:
    """A YAML literal block scalar (`|`) of Markdown paragraphs, wrapped at about 100 columns."""
    pad = " " * indent
    lines = ["|"]
    for i, block in enumerate(text_blocks):
        if i:
            lines.append("")
        for line in block.split("\n"):
            lines.extend(pad + part for part in _wrap(line, 100 - indent))
    return "\n".join(lines)


def _wrap(line: str, width: int) -> list[str]:
    out, current = [], ""
    prefix = "  " if line.startswith("- ") else ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = prefix + word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return out


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def council_files(index: int, variant: Variant, seed: int = 2013) -> dict[str, str]:
    """The files of council number `index`, relative to its folder: name -> YAML text."""
    slug = f"bench-{index:03d}"
    text = _Text(f"{seed}:{slug}")
    rng = text.rng
    name = f"Bench Council {index:03d}"
    officers = []
    for i in range(6):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        officers.append((f"officer-{i + 1}", f"{first} {last}", ROLES[i]))
    officer_ids = [o[0] for o in officers]
    council = [
        f"# Synthetic council for the benchmark (generated by bench/corpus.py, seed {seed}).",
        f"name: {name}",
        f"short_name: Bench {index:03d}",
        "style: haringey",
        "nation: England",
        "committees:",
        "  - id: cyp-scrutiny",
        "    name: \"Children and Young People's Scrutiny Panel\"",
        "officers:",
    ]
    for oid, oname, role in officers:
        council += [f"  - id: {oid}", f"    name: {oname}", f"    role: {role}",
                    f"    phone: 020 8489 {rng.randint(1000, 9999)}",
                    f"    email: {oid}@bench-{index:03d}.example"]
    files = {"council.yaml": "\n".join(council) + "\n"}

    year = 2012 + index % 3
    month = 1 + index % 12
    meeting = f"{year + 1}-{month:02d}-{10 + index % 18:02d}"
    progress_names = [f"munro-{year}-{k + 1:02d}" for k in range(variant.appendices)]
    for k, progress in enumerate(progress_names):
        lines = [f"# {name}: progress on each Munro recommendation (synthetic).",
                 f"reference: {REFERENCE}", f"as_at: {year}-{month:02d}-{1 + k % 28:02d}", "", "entries:"]
        low, high = variant.cell_words
        # Stratified, so every paper of a variant has about the same length (and page count),
        # skewed towards the long end as real progress updates are; shuffled across the rows.
        fractions = [((i + rng.random()) / len(RECOMMENDATIONS)) ** 0.5 for i in range(len(RECOMMENDATIONS))]
        rng.shuffle(fractions)
        for rec, fraction in zip(RECOMMENDATIONS, fractions):
            words = round(low + (high - low) * fraction)
            # Targets fall after the record's date: an overdue one is a validation warning.
            target = f"{year + 1 + rng.randint(0, 1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            lines += [
                f"  {rec}:",
                f"    response: {_block(text.prose(words), 6)}",
                f"    timeline: {MONTHS[rng.randrange(12)]} – {MONTHS[rng.randrange(12)]} {year + 1}",
                f"    target_date: {target}",
                f"    lead_officer: {rng.choice(officer_ids)}",
                f"    status: {rng.choice(STATUSES)}",
                "",
            ]
        files[f"progress/{progress}.yaml"] = "\n".join(lines)

    title = f"Progress report on the implementation of the Munro Report ({name})"
    paper = [
        f"# {name}: paper to the Children and Young People's Scrutiny Panel (synthetic).",
        f"title: {_quote(title)}",
        "meeting:",
        "  committee: cyp-scrutiny",
        f"  date: {meeting}",
        f"  item: \"{rng.randint(1, 9)}.{rng.randint(1, 20)}\"",
        f"authorised_by: {officer_ids[0]}",
        "lead_officers:",
        f"  - {officer_ids[1]}",
        f"  - {officer_ids[2]}",
        "wards:",
        "  - All",
        "report_type: for information",
        f"prepared: {meeting[:8]}0{1 + index % 9}",
        "",
        "sections:",
    ]
    for title_text in SECTION_TITLES:
        paragraphs = [text.paragraph(rng.randint(*variant.paragraph_words))
                      for _ in range(rng.randint(*variant.section_paragraphs))]
        if title_text == "Use of appendices":
            paragraphs = ["\n".join(f"- Appendix {k + 1} – Munro recommendations – progress on implementation"
                                     for k in range(variant.appendices))]
        paper += [f"  - title: {title_text}", f"    body: {_block(paragraphs, 6)}", ""]
    paper += ["recommendations:", f"  - {_block([text.paragraph(rng.randint(25, 45))], 4)}", "", "appendices:"]
    for k, progress in enumerate(progress_names):
        suffix = f" (part {k + 1})" if len(progress_names) > 1 else ""
        paper += ["  - type: progress",
                  f"    title: Munro recommendations – progress on implementation{suffix}",
                  f"    progress: {progress}"]
    files[f"papers/{PAPER_ID}.yaml"] = "\n".join(paper) + "\n"
    return files


def make_project(dest: Path, councils: int, variant: str = "40", *, seed: int = 2013, first: int = 1) -> Path:
    """Write a project with `councils` generated councils under `dest`; returns `dest`.

    The templates and reference data are copied from this repository, so the
    benchmark measures the real house styles. Councils already present (from
    an earlier call) are left as they are, so corpora of different variants
    can share one project folder.
    """
    dest = Path(dest)
    if not (dest / "templates").exists():
        shutil.copytree(ROOT / "templates", dest / "templates")
    if not (dest / "councils/_reference").exists():
        shutil.copytree(ROOT / "councils/_reference", dest / "councils/_reference")
    spec = VARIANTS[variant]
    for index in range(first, first + councils):
        folder = dest / "councils" / f"bench-{index:03d}"
        for name, text in council_files(index, spec, seed).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return dest


def meetings_file(count: int, first_day: dt.date, item: str = "1") -> str:
    """meetings.yaml for a council of the corpus: `count` meetings, one each working weekday from `first_day`.

    One line per meeting (flow style), so 10,000 meetings stay under the
    1 MB a record may be; the first ten list the council's paper as agenda item `item`
    (the number its paper gives, or `due` reports the two as disagreeing).
    """
    lines = ["# Synthetic meetings calendar (generated by bench/corpus.py).", "publication:",
             "  working_days_before: 7", "meetings:"]
    day = first_day
    while len(lines) - 4 < count:
        if day.weekday() < 5:
            items = (f', items: [{{item: "{item}", title: Progress report, paper: {PAPER_ID}}}]'
                     if len(lines) - 4 < 10 else "")
            lines.append(f'  - {{committee: cyp-scrutiny, date: {day.isoformat()}, time: "18:30", '
                         f'venue: Civic Centre{items}}}')
        day += dt.timedelta(days=1)
    return "\n".join(lines) + "\n"


def slugs(councils: int, first: int = 1) -> list[str]:
    return [f"bench-{i:03d}" for i in range(first, first + councils)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--councils", type=int, default=1)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="40")
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args()
    make_project(args.dest, args.councils, args.variant, seed=args.seed)
    print(args.dest)


if __name__ == "__main__":
    main()
