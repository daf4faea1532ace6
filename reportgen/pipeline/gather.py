"""The read-and-check stage: every council's records read, validated and merged, before anything renders."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import Diagnostic, InputError, did_you_mean, error, one_of, quote
from reportgen.inputs.contrast import check_stylesheets
from reportgen.inputs.fonts import Coverage, coverage
from reportgen.inputs.project import Project
from reportgen.inputs.records import Loaded, read_council_versions, read_references
from reportgen.inputs.register import Register, check_register, read_register
from reportgen.inputs.text import check_record
from reportgen.inputs.styles import Style, oversized_files, resolve_style
from reportgen.merge import PaperView, check_reference, merge_council
from reportgen.merge.bilingual import pair_versions
from reportgen.pipeline.gathered import CouncilInputs, Inputs


def gather(project: Project, names: list[str] | None = None, *, strict: bool = False) -> Inputs:
    """Read, validate and merge the councils named (all when none are)."""
    slugs = project.select(names)
    inputs = Inputs()
    references, problems = read_references(project)
    inputs.diagnostics += problems
    for loaded in references.values():
        inputs.diagnostics += check_reference(loaded)
    reference_failed = any(d.is_error for d in inputs.diagnostics)
    contrast_checked: dict[tuple[Path, ...], list[Diagnostic]] = {}  # councils often share a style
    size_checked: dict[Path, list[Diagnostic]] = {}
    fonts_of: dict[tuple[Path, ...], Coverage] = {}
    checked_references: set[tuple[str, frozenset[int]]] = set()
    for slug in slugs:
        council_problems: list[Diagnostic] = []
        versions, problems = read_council_versions(project, slug)
        council_problems += problems
        records = versions[0] if versions else None
        if records is not None:
            try:
                style = resolve_style(project, records)
            except InputError as exc:
                council_problems += exc.diagnostics
            else:
                for layer in style.layers:  # files too big to read are refused before anything reads them
                    if layer.folder not in size_checked:
                        size_checked[layer.folder] = oversized_files(layer)
                    council_problems += size_checked[layer.folder]
                key = tuple(dict.fromkeys(style.stylesheets + style.stylesheets_for("html")))  # PDF and twin
                if key not in contrast_checked:
                    fonts = coverage(style.stylesheets)  # the PDF's: the twin uses the reader's fonts
                    contrast_checked[key] = [*check_stylesheets(list(key)), *fonts.problems]
                    fonts_of[key] = fonts
                council_problems += contrast_checked[key]
                merged = []
                for version in versions:  # a bilingual council's two languages, each read and merged
                    council_problems += _text_problems(version, references, fonts_of[key], checked_references)
                    papers, problems = merge_council(version, references)
                    council_problems += [p for p in problems if p not in council_problems]
                    merged.append(papers)
                papers = pair_versions(merged, records.council.model.bilingual)
                register, problems = read_register(records.folder)
                all_papers = {name: p for version in versions for name, p in version.papers.items()}
                council_problems += problems + (check_register(register, all_papers) if register else [])
                if not records.papers and not any(d.is_error for d in council_problems):
                    council_problems.append(records.council.source.diagnostic(
                        "this council has no papers yet: add one under papers/", warn=True))
                if not any(d.is_error for d in council_problems):
                    inputs.councils[slug] = CouncilInputs(slug, style, papers, register)
        inputs.diagnostics += council_problems
        bad = reference_failed or any(d.is_error or strict for d in council_problems)
        if bad:
            inputs.councils.pop(slug, None)
            inputs.failed.append(slug)
    return inputs


def _text_problems(records, references: dict[str, Loaded], fonts: Coverage,
                   checked_references: set[tuple[str, frozenset[int]]]) -> list[Diagnostic]:
    """The text checks of a council's records, and of each review its papers quote (once per set of fonts)."""
    problems = []
    for loaded in [records.council, *records.papers.values(), *records.progress.values()]:
        problems += check_record(loaded, fonts)
    used = {p.model.review for p in records.papers.values()} | {p.model.reference for p in records.progress.values()}
    for name in sorted(r for r in used if r in references):
        if (name, fonts.characters) not in checked_references:
            checked_references.add((name, fonts.characters))
            problems += check_record(references[name], fonts)
    return problems


def select_paper(inputs: Inputs, paper_id: str) -> None:
    """Keep only the paper named; an unknown id is an InputError."""
    known = sorted({p.id for _, p in inputs.papers()})
    if paper_id not in known and not inputs.failed:
        raise InputError([error(f"no paper {quote(paper_id)}{did_you_mean(paper_id, known)}; "
                                f"papers: {one_of(known)}")])
    for council in inputs.councils.values():
        council.papers[:] = [p for p in council.papers if p.id == paper_id]
