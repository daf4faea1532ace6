#!/usr/bin/env python3
"""reportgen's benchmark (issue 7): reportgen against WeasyPrint alone, on a synthetic corpus.

    make bench                   # the full run (under 10 minutes on a 2-core machine)
    .venv/bin/python bench/run.py --quick    # a smaller run, for a first look

It generates a deterministic corpus in a temporary folder (bench/corpus.py),
measures each figure as the median of several runs, prints a table and (full
runs) writes bench/results.json. How each figure is taken:

- help_s: wall time of `reportgen --help` (a fresh process).
- due_10000_s: wall time of `reportgen due --within 36500` (a fresh process)
  for one council whose meetings.yaml lists 10,000 meetings, one each working
  weekday, the first on the day given as `--today`: every meeting's
  deadlines and working days left, and the whole table printed.
- validate_150_s: wall time of `reportgen validate` over 150 councils whose
  records are those of the 40-page paper.
- noop_rebuild_150_s: wall time of `reportgen build` over 150 councils when
  nothing changed. To keep the set-up short, these councils hold the `tiny`
  variant of the paper (a few pages: the same files and the same style to
  hash, less text in them), built once with `--jobs 2` first.
- overhead_ratio and untagged_naive_ratio_40 are taken on the first council of
  the batch whose paper lays out well in one pass (the issue's ratios are for
  papers that need no extra layout pass; their cost is second_pass_ratio's).
  Which councils needed how many extra passes is in the details.
- overhead_ratio: fresh processes both: `reportgen build COUNCIL --paper ID
  --force` (tagged, repaired, checked, written, manifest updated) against a
  `python -c` that imports WeasyPrint and writes the same HTML (made by
  reportgen beforehand) as the same kind of PDF (`pdf_variant="pdf/ua-1"`).
  Wall times, ratio per pair (order alternated), median of the ratios. The
  ratio against an untagged WeasyPrint PDF is shown too, and the in-process
  ratio (CPU time of what `build.build()` does for the paper, its worker's
  part run in the same process, against
  `HTML(...).write_pdf()` in one process after all imports: the per-paper
  cost a batch pays, without start-up).
- untagged_naive_ratio_40 / _600: what a user who hand-builds a Jinja +
  WeasyPrint pipeline compares against. Fresh processes both: `reportgen
  build COUNCIL --paper ID --force` (tagged, break passes, repaired,
  proofed, gated, written) against the plain `weasyprint` command on the
  same HTML with the naive stylesheets of bench/naive/ (the shipped base and
  Haringey stylesheets as they were at commit 2b723c8: automatic table
  layout, no break rules), untagged. Pairs alternated, median of the wall
  time ratios (5 pairs at 38 pages, 3 at 594; 3 and 1 with --quick).
- batch_speedup: 20 papers of 20 councils: a shell loop of 20 `reportgen
  build COUNCIL --paper ID --force` processes against one `reportgen build
  --jobs 2 --force`; loop time / pool time per pair, median.
- tagged_ratio_40 / _600: in one process with reportgen's rendering set-up
  (reportgen.pdf.engine's hooks), one layout, then `write_pdf` untagged and tagged
  alternately; ratio (layout + tagged write) / (layout + untagged write) of
  CPU times (medians), as the layout is shared.
- second_pass_ratio: in one process after all imports, the 40-page paper's
  HTML through pipeline/produce.render_repaired (render, break passes,
  repair, "(continued)" labels, proof) against the same with the break
  passes off (one layout pass, labels and proof still done); CPU times,
  alternated, median of the ratios. The paper needs extra passes (how many
  is shown). no_pass_ratio: what a paper that breaks well pays, the single
  pass plus the first review of its layout (timed in the same runs), over
  the single pass.
- rss_mib_40 / _600, minflt_per_paper_40: a fresh process that does what a
  build worker does for one paper (gather, then render.render_paper: render,
  repair, check, write). Peak RSS from os.wait4 (ru_maxrss of that process);
  minor faults and system time are those of render_paper and the write (getrusage
  before and after), so start-up and imports are not counted.
- preview_html_s / preview_pdf_s: `reportgen preview` of the Haringey
  sample: from saving its progress file to the updated HTML twin served, and
  to the updated PDF served; the PDF's target is the paper's own build time
  (measured in the same process) + 0.3 s. See bench/preview.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import preview  # noqa: E402

PAPER = corpus.PAPER_ID
KEYS = ("untagged_naive_ratio_40", "untagged_naive_ratio_600", "overhead_ratio", "batch_speedup", "noop_rebuild_150_s", "validate_150_s", "help_s", "due_10000_s",
        "tagged_ratio_40", "tagged_ratio_600", "rss_mib_40", "rss_mib_600", "minflt_per_paper_40", "second_pass_ratio",
        "no_pass_ratio", "preview_html_s", "preview_pdf_s")
TARGETS = {
    "untagged_naive_ratio_40": ("<=", 1.00), "untagged_naive_ratio_600": ("<=", 1.00),
    "overhead_ratio": ("<=", 1.05), "batch_speedup": (">=", 2.3), "noop_rebuild_150_s": ("<=", 0.5),
    "validate_150_s": ("<=", 1.0), "help_s": ("<=", 0.25), "due_10000_s": ("<=", 2.0), "tagged_ratio_40": None,
    "tagged_ratio_600": ("<=", 1.10),
    "rss_mib_40": ("<=", 150), "rss_mib_600": ("<=", 400), "minflt_per_paper_40": ("<", 20_000),
    "second_pass_ratio": ("<=", 1.6), "no_pass_ratio": ("<=", 1.05),
    "preview_html_s": ("<=", 0.5),
    "preview_pdf_s": ("<=", None),  # the paper's build time + 0.3 s: known once measured (bench/preview.py)
}
PREVIEW_PDF_MARGIN_S = 0.3


@dataclass
class Sample:
    """One finished process: wall time and its own resource usage."""

    wall: float
    user: float
    sys: float
    maxrss_mib: float
    minflt: int
    code: int
    out: str
    err: str

    @property
    def cpu(self) -> float:
        return self.user + self.sys


def reportgen_command() -> list[str]:
    script = Path(sys.executable).parent / "reportgen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reportgen"]


def run(cmd: list[str], *, cwd: Path | None = None, check: bool = True) -> Sample:
    """Run one process to its end; its rusage comes from wait4, so only that process is counted."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        sample = Sample(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, usage.ru_minflt, code,
                        out.read().decode(errors="replace"), err.read().decode(errors="replace"))
    if check and code != 0:
        raise SystemExit(f"benchmark step failed ({code}): {' '.join(map(str, cmd))}\n{sample.err[-3000:]}")
    return sample


def helper(mode: str, *args) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--helper", mode, *map(str, args)]


def median(values) -> float:
    return statistics.median(values)


# -- helpers: run in a child process (`run.py --helper MODE ...`) ------------------------------------


def _gather_one(project: Path, council: str):
    from reportgen.pipeline.gather import gather
    from reportgen.inputs.project import Project

    inputs = gather(Project.at(project), [council])
    assert not inputs.errors, [str(d) for d in inputs.errors]
    return inputs


def helper_html(project: str, council: str, dest: str) -> None:
    """The paper's HTML as reportgen renders it, and its base folder, for WeasyPrint alone."""
    from reportgen.render.html import render_html

    ((c, view),) = _gather_one(Path(project), council).papers()
    Path(dest).write_text(render_html(view, c.style), encoding="utf-8")
    print(json.dumps({"base": str(view.council_folder)}))


RAW = """
import sys, weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
options = {"pdf_variant": "pdf/ua-1"} if sys.argv[4] == "tagged" else {}
weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], **options)
"""


def helper_worker(project: str, council: str, out_dir: str) -> None:
    """What a build worker does for one paper, after the imports its fork server preloads; then the write."""
    import resource

    import weasyprint  # noqa: F401  (the fork server's preload)
    from reportgen.pipeline import build
    from reportgen.pdf import engine as pdf
    from reportgen.pdf import gate as pdfcheck  # noqa: F401
    from reportgen.pdf import repair as pdfrepair  # noqa: F401
    from reportgen.pipeline.output import write_atomic
    from reportgen.pipeline.render import render_paper

    pdf.preload()
    inputs = _gather_one(Path(project), council)
    out = Path(out_dir)
    (job,) = build.plan(inputs, Path(project).resolve(), out, ("pdf",))
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = render_paper(job)
    if result.failure is None:
        write_atomic(job.outputs[0].target, result.data["pdf"])
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "status": "failed" if result.failure else "written", "message": result.failure, "pages": result.pages,
        "wall": time.perf_counter() - started, "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime, "minflt": after.ru_minflt - before.ru_minflt,
    }))


def helper_tagging(project: str, council: str, reps: str) -> None:
    """One layout, then write_pdf untagged and tagged in turn; CPU seconds of each."""
    import weasyprint

    from reportgen.pdf import engine as pdf
    from reportgen.render.html import render_html

    ((c, view),) = _gather_one(Path(project), council).papers()
    html = render_html(view, c.style)
    # reportgen's rendering set-up: whatever render_pdf installs and how it calls WeasyPrint.
    getattr(pdf, "install_hooks", pdf._trace_structure_sources)()
    call = getattr(pdf, "call_on_fresh_stack", lambda function, *a, **k: function(*a, **k))
    fetcher = pdf._fetcher_class()([*c.style.asset_roots, view.council_folder])
    clock = time.process_time
    started = clock()
    document = call(weasyprint.HTML(string=html, base_url=view.council_folder.as_uri() + "/",
                                    url_fetcher=fetcher).render)
    layout = clock() - started
    times: dict[str, list[float]] = {"untagged": [], "tagged": []}
    for rep in range(int(reps)):
        order = ("untagged", "tagged") if rep % 2 == 0 else ("tagged", "untagged")
        for kind in order:
            options = {"pdf_variant": pdf.PDF_VARIANT} if kind == "tagged" else {}
            started = clock()
            call(document.write_pdf, **options)
            times[kind].append(clock() - started)
    print(json.dumps({"pages": len(document.pages), "layout": layout, **times}))


def helper_inprocess(project: str, council: str, out_dir: str, reps: str) -> None:
    """In one process, after every import: reportgen's build() of one paper against WeasyPrint alone.

    WeasyPrint alone runs as it ships: reportgen's pydyf cache is taken out
    for its turns, and it is called at the depth a plain script would call it.
    """
    import pydyf
    import weasyprint

    from reportgen.pipeline import build

    from reportgen.pdf import engine as pdf
    from reportgen.inputs.project import Project
    from reportgen.pipeline.manifest import Entry, Manifest, file_hash
    from reportgen.pipeline.output import write_atomic
    from reportgen.pipeline.render import render_paper
    from reportgen.render.html import render_html

    ((c, view),) = _gather_one(Path(project), council).papers()
    html = render_html(view, c.style)
    base_url = view.council_folder.as_uri() + "/"
    pdf.install_hooks()
    cached = pydyf.PDF.__dict__["page_references"]
    stock = getattr(cached, "original", cached)

    def reportgen_once():  # what build() does for one paper, with the worker's part in this process
        pydyf.PDF.page_references = cached
        inputs = _gather_one(Path(project), council)
        root = Path(project).resolve()
        with Manifest(Path(out_dir), root) as manifest:
            (job,) = build.plan(inputs, root, Path(out_dir), ("pdf",))
            result = render_paper(job)
            assert result.failure is None, result.failure
            write_atomic(job.outputs[0].target, result.data["pdf"])
            manifest.record(job.council.slug, job.view.id, "pdf", Entry(
                job.outputs[0].target, job.outputs[0].inputs_hash, job.inputs, file_hash(job.outputs[0].target)))

    def weasyprint_once():
        pydyf.PDF.page_references = stock
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant=pdf.PDF_VARIANT)

    reportgen_once()
    weasyprint_once()
    times: dict[str, list[float]] = {"reportgen": [], "weasyprint": []}
    for rep in range(int(reps)):
        order = (reportgen_once, weasyprint_once) if rep % 2 == 0 else (weasyprint_once, reportgen_once)
        for function in order:
            started = time.process_time()
            function()
            times["reportgen" if function is reportgen_once else "weasyprint"].append(time.process_time() - started)
    pydyf.PDF.page_references = cached
    print(json.dumps(times))


def helper_preview(project: str, reps: str) -> None:
    """`reportgen preview`'s latencies on the Haringey sample (bench/preview.py)."""
    print(json.dumps(preview.measure(Path(project), int(reps))))


def helper_passes(project: str, council: str, reps: str) -> None:
    """In one process: produce the paper with the break passes and with one pass only; CPU seconds of each,
    and of the first review of the layout (what a paper that needs no extra pass pays)."""
    from reportgen.pdf import breaks
    from reportgen.pdf import engine as pdf
    from reportgen.pipeline.produce import render_repaired
    from reportgen.render.html import render_html

    reviews: list[float] = []

    class TimedPasses(breaks.BreakPasses):
        def review(self, pages, root_box):
            started = time.process_time()
            changed = super().review(pages, root_box)
            if self.max_passes and not getattr(self, "_timed", False):
                self._timed = True
                reviews.append(time.process_time() - started)
            return changed

    breaks.BreakPasses = TimedPasses  # render_repaired takes it from the module when it runs

    ((c, view),) = _gather_one(Path(project), council).papers()
    html = render_html(view, c.style)
    pdf.install_hooks()
    roots = [*c.style.asset_roots, view.council_folder]

    def once(max_passes):
        started = time.process_time()
        produced = render_repaired(html, base_url=view.council_folder, allowed_roots=roots,
                                   date=view.paper.prepared or view.paper.meeting.date, max_passes=max_passes)
        return time.process_time() - started, produced

    _, first = once(None)
    once(0)
    reviews.clear()
    times: dict[str, list[float]] = {"passes": [], "single": []}
    for rep in range(int(reps)):
        for kind in (("passes", "single") if rep % 2 == 0 else ("single", "passes")):
            times[kind].append(once(None if kind == "passes" else 0)[0])
    print(json.dumps({"pages": first.pages, "extra_passes": first.passes, "labels": first.labels,
                      "first_review": reviews, **times}))


def helper_extra_passes(project: str, *councils: str) -> None:
    """Extra layout passes each council's paper needs, in turn, up to the first that needs none."""
    from reportgen.pdf import engine as pdf
    from reportgen.pipeline.produce import render_repaired
    from reportgen.render.html import render_html

    pdf.install_hooks()
    found: dict[str, int] = {}
    for council in councils:
        ((c, view),) = _gather_one(Path(project), council).papers()
        produced = render_repaired(render_html(view, c.style), base_url=view.council_folder,
                                   allowed_roots=[*c.style.asset_roots, view.council_folder],
                                   date=view.paper.prepared or view.paper.meeting.date)
        found[council] = produced.passes
        if not produced.passes:
            break
    print(json.dumps(found))


HELPERS = {"html": helper_html, "extra_passes": helper_extra_passes, "worker": helper_worker, "tagging": helper_tagging, "inprocess": helper_inprocess,
           "passes": helper_passes, "preview": helper_preview}


# -- the measurements ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.tmp = Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
        self.rg = reportgen_command()
        self.started = time.perf_counter()
        self.results: dict[str, float] = {}
        self.details: dict[str, object] = {}
        self.notes: dict[str, str] = {}

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def log(self, text: str) -> None:
        print(f"[{self.elapsed():6.1f} s] {text}", file=sys.stderr, flush=True)

    def project(self, name: str, councils: int, variant: str, first: int = 1) -> Path:
        path = self.tmp / name
        corpus.make_project(path, councils, variant, first=first)
        return path

    def paper_without_passes(self, project: Path, councils: list[str]) -> str:
        """The first council whose paper lays out well in one pass: the untagged and overhead ratios are for
        such papers (the cost of extra passes is second_pass_ratio's)."""
        found = json.loads(run(helper("extra_passes", project, *councils)).out.strip().splitlines()[-1])
        self.details["extra_passes_by_council"] = found
        chosen = next((c for c, n in found.items() if n == 0), None)
        if chosen is None:
            self.notes["untagged_naive_ratio_40"] = f"no paper of {len(councils)} needs no extra pass; {councils[0]} used"
            return councils[0]
        return chosen

    def measure_help(self) -> None:
        runs = [run([*self.rg, "--help"]).wall for _ in range(5 if self.quick else 9)]
        self.results["help_s"] = median(runs)
        self.details["help_s"] = runs

    def measure_validate(self, project: Path, councils: int) -> None:
        runs = []
        for _ in range(3 if self.quick else 5):
            sample = run([*self.rg, "validate"], cwd=project)
            assert f"Checked {councils} council(s)" in sample.err, sample.err
            runs.append(sample.wall)
        self.results["validate_150_s"] = median(runs)
        self.details["validate_150_s"] = runs

    def measure_due(self, project: Path, council: str) -> None:
        first = dt.date(2013, 1, 7)
        folder = project / "councils" / council
        item = re.search(r'^  item: "([^"]+)"', (folder / "papers" / f"{PAPER}.yaml").read_text(), re.M).group(1)
        (folder / "meetings.yaml").write_text(corpus.meetings_file(10_000, first, item))
        runs = []
        for _ in range(3 if self.quick else 5):
            sample = run([*self.rg, "due", council, "--today", first.isoformat(), "--within", "36500"], cwd=project,
                         check=False)
            # exit 4: the first meetings' deadlines have passed (the calendar starts on --today)
            assert sample.code in (0, 3, 4) and "10000 meeting(s) in 1 council(s)" in sample.err, sample.err[-500:]
            assert "input error" not in sample.err, sample.err[-500:]
            runs.append(sample.wall)
        self.results["due_10000_s"] = median(runs)
        self.details["due_10000_s"] = runs

    def measure_noop(self, project: Path, councils: int) -> None:
        out = self.tmp / "out-noop"
        setup = run([*self.rg, "build", "--jobs", "2", "--out", str(out)], cwd=project)
        self.log(f"no-op set-up: built {councils} small papers with --jobs 2 in {setup.wall:.1f} s")
        runs = []
        for _ in range(3 if self.quick else 5):
            sample = run([*self.rg, "build", "--out", str(out)], cwd=project)
            assert f"0 written, {councils} unchanged, 0 failed" in sample.err, sample.err[-500:]
            runs.append(sample.wall)
        self.results["noop_rebuild_150_s"] = median(runs)
        self.details["noop_rebuild_150_s"] = runs
        self.details["noop_setup_s"] = setup.wall

    def measure_overhead(self, project: Path, council: str) -> None:
        html = self.tmp / "paper.html"
        base = json.loads(run(helper("html", project, council, html)).out)["base"]
        base_url = Path(base).as_uri() + "/"
        raw_cmd = [sys.executable, "-c", RAW, str(html), base_url]

        def reportgen_once() -> Sample:
            return self.build_once(project, council, self.tmp / "out-overhead")

        reportgen_once()  # warm the file cache and the .pyc files
        run([*raw_cmd, str(self.tmp / "raw.pdf"), "tagged"])
        pairs = []
        for i in range(3 if self.quick else 5):
            steps = ["reportgen", "tagged", "untagged"]
            if i % 2:
                steps.reverse()
            sample = {}
            for step in steps:
                sample[step] = (reportgen_once() if step == "reportgen"
                                else run([*raw_cmd, str(self.tmp / f"raw-{step}.pdf"), step]))
            pairs.append(sample)
        inprocess = json.loads(run(helper("inprocess", project, council, self.tmp / "out-inprocess",
                                          3 if self.quick else 5)).out.strip().splitlines()[-1])
        ratio = [p["reportgen"].wall / p["tagged"].wall for p in pairs]
        self.results["overhead_ratio"] = median(ratio)
        self.details["overhead"] = {
            "ratio_wall": ratio,
            "ratio_cpu": [p["reportgen"].cpu / p["tagged"].cpu for p in pairs],
            "ratio_vs_untagged_wall": [p["reportgen"].wall / p["untagged"].wall for p in pairs],
            "reportgen_wall": [p["reportgen"].wall for p in pairs],
            "weasyprint_tagged_wall": [p["tagged"].wall for p in pairs],
            "weasyprint_untagged_wall": [p["untagged"].wall for p in pairs],
            "reportgen_cpu": [p["reportgen"].cpu for p in pairs],
            "weasyprint_tagged_cpu": [p["tagged"].cpu for p in pairs],
            "inprocess_cpu": inprocess,
            "ratio_inprocess_cpu": [r / w for r, w in zip(inprocess["reportgen"], inprocess["weasyprint"])],
        }

    def build_once(self, project: Path, council: str, out: Path) -> Sample:
        """A fresh `reportgen build` of the council's bench paper, forced."""
        return run([*self.rg, "build", council, "--paper", PAPER, "--out", str(out), "--force"], cwd=project)

    def measure_naive(self, project: Path, council: str, pairs: int, key: str) -> None:
        """reportgen's build against the plain `weasyprint` command with the naive stylesheets (bench/naive/)."""
        html = self.tmp / f"{key}.html"
        base = json.loads(run(helper("html", project, council, html)).out)["base"]
        naive = self.tmp / "naive"
        if not naive.exists():
            shutil.copytree(HERE / "naive", naive)
            shutil.copytree(HERE.parent / "templates/base/fonts", naive / "base/fonts")  # the 2b723c8 fonts
        links = "".join(f'<link rel="stylesheet" href="{(naive / s / "style.css").as_uri()}">'
                        for s in ("base", "haringey"))
        text = re.sub(r'<link rel="stylesheet" href="[^"]*">', "", html.read_text(encoding="utf-8"))
        html.write_text(text.replace("</head>", links + "</head>", 1), encoding="utf-8")
        weasyprint = [str(Path(sys.executable).parent / "weasyprint"), "--base-url", Path(base).as_uri() + "/",
                      str(html), str(self.tmp / f"{key}.pdf")]
        def reportgen_once() -> Sample:
            return self.build_once(project, council, self.tmp / f"out-{key}")

        reportgen_once()  # warm the file cache and the .pyc files
        run(weasyprint)
        ratios, ours, theirs = [], [], []
        for i in range(pairs):
            got = {}
            for kind in (("reportgen", "weasyprint") if i % 2 == 0 else ("weasyprint", "reportgen")):
                got[kind] = (reportgen_once() if kind == "reportgen" else run(weasyprint)).wall
            ours.append(got["reportgen"])
            theirs.append(got["weasyprint"])
            ratios.append(got["reportgen"] / got["weasyprint"])
        self.results[key] = median(ratios)
        self.details[key] = {"reportgen_wall": ours, "weasyprint_naive_untagged_wall": theirs, "ratios": ratios}

    def worker_runs(self, project: Path, councils: list[str], label: str) -> list[tuple[Sample, dict]]:
        results = []
        for council in councils:
            sample = run(helper("worker", project, council, self.tmp / f"out-{label}"))
            job = json.loads(sample.out.strip().splitlines()[-1])
            assert job["status"] != "failed", job["message"]
            results.append((sample, job))
        return results

    def measure_memory_40(self, project: Path, councils: list[str]) -> None:
        runs = self.worker_runs(project, councils, "memory-40")
        self.results["rss_mib_40"] = median(s.maxrss_mib for s, _ in runs)
        self.results["minflt_per_paper_40"] = median(j["minflt"] for _, j in runs)
        self.details["worker_40"] = [{"maxrss_mib": s.maxrss_mib, "process_minflt": s.minflt, **j} for s, j in runs]

    def measure_tagging_40(self, project: Path, council: str) -> None:
        sample = run(helper("tagging", project, council, 4 if self.quick else 8))
        self.results["tagged_ratio_40"] = self._tagged_ratio(sample, "tagging_40")

    def _tagged_ratio(self, sample: Sample, label: str) -> float:
        data = json.loads(sample.out.strip().splitlines()[-1])
        tagged, untagged = median(data["tagged"]), median(data["untagged"])
        self.details[label] = data
        return (data["layout"] + tagged) / (data["layout"] + untagged)

    def measure_passes(self, project: Path, council: str) -> None:
        data = json.loads(run(helper("passes", project, council, 3 if self.quick else 5)).out.strip().splitlines()[-1])
        self.results["second_pass_ratio"] = median(p / s for p, s in zip(data["passes"], data["single"]))
        self.results["no_pass_ratio"] = median((s + r) / s for s, r in zip(data["single"], data["first_review"]))
        self.details["passes"] = data

    def measure_large(self, project: Path, council: str, reps: int) -> None:
        """The 600-page paper: the worker (memory) and the tagging run side by side (both measured in CPU/rusage)."""
        with tempfile.TemporaryFile() as out_w, tempfile.TemporaryFile() as out_t:
            worker = subprocess.Popen(helper("worker", project, council, self.tmp / "out-600"), stdout=out_w,
                                      stderr=subprocess.STDOUT)
            tagging = subprocess.Popen(helper("tagging", project, council, reps), stdout=out_t,
                                       stderr=subprocess.STDOUT)
            samples = {}
            for name, process, stream in (("worker", worker, out_w), ("tagging", tagging, out_t)):
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = code = os.waitstatus_to_exitcode(status)
                stream.seek(0)
                text = stream.read().decode(errors="replace")
                if code != 0:
                    raise SystemExit(f"600-page {name} run failed:\n{text[-3000:]}")
                samples[name] = Sample(0, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024,
                                       usage.ru_minflt, code, text, "")
        job = json.loads(samples["worker"].out.strip().splitlines()[-1])
        assert job["status"] != "failed", job["message"]
        self.results["rss_mib_600"] = samples["worker"].maxrss_mib
        self.details["worker_600"] = {"maxrss_mib": samples["worker"].maxrss_mib, **job}
        self.results["tagged_ratio_600"] = self._tagged_ratio(samples["tagging"], "tagging_600")

    def measure_batch(self, project: Path, councils: list[str], pairs: int) -> None:
        loop_script = " ".join(
            ["for c in", *councils, "; do", *map(_sh, self.rg), 'build "$c" --paper', PAPER,
             "--out", _sh(str(self.tmp / "out-loop")), "--force >/dev/null 2>&1 || exit 1; done"])
        pool_cmd = [*self.rg, "build", "--jobs", "2", "--out", str(self.tmp / "out-pool"), "--force"]
        ratios, loops, pools = [], [], []
        for i in range(pairs):
            if i and self.elapsed() + (loops[-1] + pools[-1]) > self.args.budget:
                self.log(f"batch: stopping after {i} pair(s) to stay within the {self.args.budget:.0f} s budget")
                break
            order = ("loop", "pool") if i % 2 == 0 else ("pool", "loop")
            got = {}
            for kind in order:
                got[kind] = (run(["bash", "-c", loop_script], cwd=project) if kind == "loop"
                             else run(pool_cmd, cwd=project)).wall
            loops.append(got["loop"])
            pools.append(got["pool"])
            ratios.append(got["loop"] / got["pool"])
            self.log(f"batch pair {i + 1}: loop {got['loop']:.1f} s, --jobs 2 {got['pool']:.1f} s")
        self.results["batch_speedup"] = median(ratios)
        self.details["batch"] = {"papers": len(councils), "loop_s": loops, "jobs2_s": pools, "ratios": ratios}

    def measure_preview(self) -> None:
        project = preview.make_project(self.tmp / "preview")
        data = json.loads(run(helper("preview", project, 3 if self.quick else 5)).out.strip().splitlines()[-1])
        self.results["preview_html_s"] = median(data["html_s"])
        self.results["preview_pdf_s"] = median(data["pdf_s"])
        self.details["preview"] = data

    def run_all(self) -> dict:
        quick = self.quick
        n_big = 40 if quick else 150
        n_batch = 6 if quick else 20
        large_variant = "quick-large" if quick else "600"
        self.log(f"corpus in {self.tmp}")
        batch_project = self.project("batch", n_batch, "40")
        validate_project = self.project("validate", n_big, "40")
        noop_project = self.project("noop", n_big, "tiny")
        large_project = self.project("large", 1, large_variant, first=600)
        self.log("corpus written")
        self.measure_help()
        self.log(f"help: {self.results['help_s']:.3f} s")
        self.measure_validate(validate_project, n_big)
        self.log(f"validate: {self.results['validate_150_s']:.2f} s")
        self.measure_due(self.project("due", 1, "tiny", first=900), "bench-900")
        self.log(f"due over 10,000 meetings: {self.results['due_10000_s']:.2f} s")
        self.measure_noop(noop_project, n_big)
        self.log(f"no-op rebuild: {self.results['noop_rebuild_150_s']:.2f} s")
        plain = self.paper_without_passes(batch_project, corpus.slugs(n_batch))
        self.log(f"{plain}'s paper needs no extra layout pass (extra passes: {self.details['extra_passes_by_council']})")
        self.measure_naive(batch_project, plain, 3 if quick else 5, "untagged_naive_ratio_40")
        self.log(f"against naive untagged WeasyPrint, 38 pages: {self.results['untagged_naive_ratio_40']:.3f}x")
        self.measure_overhead(batch_project, plain)
        self.log(f"overhead: {self.results['overhead_ratio']:.3f}x")
        self.measure_tagging_40(batch_project, "bench-001")
        self.measure_memory_40(batch_project, corpus.slugs(2 if quick else 3))
        self.log(f"40 pages: tagged {self.results['tagged_ratio_40']:.3f}x, rss {self.results['rss_mib_40']:.0f} MiB, "
                 f"minflt {self.results['minflt_per_paper_40']:.0f}")
        self.measure_passes(batch_project, "bench-001")
        self.log(f"break passes: {self.results['second_pass_ratio']:.3f}x with "
                 f"{self.details['passes']['extra_passes']} extra pass(es), "
                 f"{self.results['no_pass_ratio']:.3f}x for a paper that needs none")
        self.measure_large(large_project, "bench-600", 2)
        self.log(f"large: tagged {self.results['tagged_ratio_600']:.3f}x, rss {self.results['rss_mib_600']:.0f} MiB")
        self.measure_naive(large_project, "bench-600", 1 if quick else 3, "untagged_naive_ratio_600")
        self.log(f"against naive untagged WeasyPrint, large: {self.results['untagged_naive_ratio_600']:.3f}x")
        self.measure_preview()
        self.log(f"preview: HTML {self.results['preview_html_s']:.3f} s, PDF {self.results['preview_pdf_s']:.2f} s "
                 f"(build {self.details['preview']['build_median_s']:.2f} s)")
        self.measure_batch(batch_project, corpus.slugs(n_batch), 1 if quick else 3)
        self.log(f"batch: {self.results['batch_speedup']:.2f}x")
        return self.results

    def cleanup(self) -> None:
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def machine() -> dict:
    model = "unknown"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1).strip() if found else platform.processor() or "unknown"
    except OSError:
        model = platform.processor() or "unknown"
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "system": f"{platform.system()} {platform.release()}",
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def table(results: dict, details: dict, quick: bool) -> str:
    rows = [("figure", "value", "target", "met")]
    units = {"untagged_naive_ratio_40": "x", "untagged_naive_ratio_600": "x", "overhead_ratio": "x", "batch_speedup": "x", "tagged_ratio_40": "x", "tagged_ratio_600": "x",
             "second_pass_ratio": "x", "no_pass_ratio": "x",
             "rss_mib_40": " MiB", "rss_mib_600": " MiB", "minflt_per_paper_40": ""}
    for key in KEYS:
        value = results[key]
        unit = units.get(key, " s")
        text = f"{value:,.0f}{unit}" if key.startswith(("rss", "minflt")) else f"{value:.3f}{unit}"
        target = TARGETS[key]
        if target is None:
            rows.append((key, text, "-", "-"))
            continue
        op, limit = target
        if key == "preview_pdf_s":
            limit = round(details["preview"]["build_median_s"] + PREVIEW_PDF_MARGIN_S, 3)
        ok = {"<=": value <= limit, ">=": value >= limit, "<": value < limit}[op]
        rows.append((key, text, f"{op} {limit:,}", "yes" if ok else "NO"))
    w40, w600 = details.get("worker_40"), details.get("worker_600")
    if w40 and w600:
        pages40 = median(w["pages"] for w in w40)
        per_page = (results["rss_mib_600"] - results["rss_mib_40"]) / max(1, w600["pages"] - pages40)
        rows.append(("rss per page beyond 40", f"{per_page:.3f} MiB", "<= 1 MiB", "yes" if per_page <= 1 else "NO"))
        rows.append(("pages (40 / large)", f"{pages40:.0f} / {w600['pages']}", "", ""))
        rows.append(("worker sys time per paper (40)", f"{median(w['sys'] for w in w40):.3f} s", "", ""))
    overhead = details.get("overhead")
    if overhead:
        rows.append(("overhead, CPU time", f"{median(overhead['ratio_cpu']):.3f}x", "", ""))
        rows.append(("overhead in-process (after imports), CPU", f"{median(overhead['ratio_inprocess_cpu']):.3f}x",
                     "", ""))
        rows.append(("overhead vs untagged WeasyPrint", f"{median(overhead['ratio_vs_untagged_wall']):.3f}x", "", ""))
        rows.append(("reportgen build / WeasyPrint alone",
                     f"{median(overhead['reportgen_wall']):.2f} s / {median(overhead['weasyprint_tagged_wall']):.2f} s",
                     "", ""))
    batch = details.get("batch")
    if batch:
        rows.append((f"batch: loop / --jobs 2 ({batch['papers']} papers)",
                     f"{median(batch['loop_s']):.1f} s / {median(batch['jobs2_s']):.1f} s", "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if quick:
        lines.append("(quick run: 40 councils instead of 150, 6 papers in the batch, a ~125-page paper for the "
                     "600-page figures)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="reportgen's benchmark (issue 7)")
    parser.add_argument("--quick", action="store_true", help="a smaller run (a few minutes); results not written")
    parser.add_argument("--out", type=Path, help="where to write the results (default: bench/results.json, "
                                                 "full runs only)")
    parser.add_argument("--details", type=Path, help="also write every run's figures here (JSON)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and outputs")
    parser.add_argument("--budget", type=float, default=540.0,
                        help="seconds; the batch pairs stop early to stay within it (default 540)")
    parser.add_argument("--helper", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.helper:
        HELPERS[args.helper[0]](*args.helper[1:])
        return
    bench = Bench(args)
    try:
        results = bench.run_all()
    finally:
        bench.cleanup()
    report = {key: round(results[key], 4) for key in KEYS}
    report["machine"] = machine()
    from reportgen.dependencies import output_versions

    report["versions"] = output_versions()
    print(table(results, bench.details, args.quick))
    for key, note in bench.notes.items():
        print(f"note: {key}: {note}")
    print(f"\nmachine: {report['machine']}\nversions: {report['versions']}\ntotal time: {bench.elapsed():.0f} s")
    out = args.out or (None if args.quick else HERE / "results.json")
    if out:
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    if args.details:
        args.details.write_text(json.dumps(bench.details, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
