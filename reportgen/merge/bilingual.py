"""A bilingual council's papers (`bilingual:` in council.yaml): its two languages' versions paired up.

records.py reads a bilingual council once per language (its council then in that language, each paper
`<name>-cy` or `<name>-en`); each language is merged on its own, and here the versions meet: `separate`
keeps two papers, each naming the other's file; `parallel` makes one paper holding the other language's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from reportgen.merge import PaperView


@dataclass(frozen=True)
class BilingualView(PaperView):
    """A bilingual council's paper: the id meetings.yaml names, and its other language."""

    record: str = ""  # papers/<record>.yaml: the id meetings.yaml names (`id` less a version's `-cy`)
    versions: tuple[tuple[str, str], ...] = ()  # `separate`: the other versions, (language, file stem)
    parallel: PaperView | None = None  # `parallel`: the same paper in the other language


def by_record(papers: list[PaperView]) -> dict[str, PaperView]:
    """Paper id as meetings.yaml names it -> the paper (a bilingual paper's first language: the one a pack takes)."""
    found: dict[str, PaperView] = {}
    for view in papers:
        found.setdefault(view.record if isinstance(view, BilingualView) else view.id, view)
    return found


def pair_versions(versions: list[list[PaperView]], layout: str | None = None) -> list[PaperView]:
    """A bilingual council's papers (a list per language, first language first); a council's one list as it is."""
    if len(versions) < 2:
        return versions[0] if versions else []
    record = {view.id: view.id.removesuffix(f"-{view.council.language.split('-')[0]}")
              for papers in versions for view in papers}
    if layout == "parallel":
        others = {record[view.id]: view for view in versions[1]}
        return [_bilingual(view, id=record[view.id], record=record[view.id], parallel=others[record[view.id]])
                for view in versions[0] if record[view.id] in others]
    return [_bilingual(view, record=record[view.id],
                       versions=tuple((other.council.language, other.stem) for group in versions for other in group
                                      if other.id != view.id and record[other.id] == record[view.id]))
            for papers in versions for view in papers]


def _bilingual(view: PaperView, **changes) -> BilingualView:
    return BilingualView(**{**{f.name: getattr(view, f.name) for f in fields(view)}, **changes})
