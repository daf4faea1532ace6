"""The messages the shipped templates print: what the catalogue (templates/base/locale) must translate.

Two sources: the `_("...")` calls of every template (Jinja's Babel extractor) and the `labels:` of
every style.yaml (`extract_labels`, a Babel extraction method, so `pybabel extract -F babel.cfg`
writes them into messages.pot with their YAML comments as notes for the translator).
`make messages` refreshes messages.pot and merges it into each language's .po.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import IO, Iterator

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from reportgen.render.catalogue import CODE_MESSAGES, DOMAIN, catalogue, catalogue_path

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)  # a fixed header date: the files change only with the messages


def extract_labels(fileobj: IO[bytes], keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extraction method: each label of a style.yaml, with the comment on its line for the translator."""
    lines = fileobj.read().decode("utf-8").splitlines()
    document = yaml.safe_load("\n".join(lines)) or {}
    labels = document.get("labels") or {} if isinstance(document, dict) else {}
    for name, text in labels.items():
        number = next((i for i, line in enumerate(lines, 1) if line.lstrip().startswith(f"{name}:")), 0)
        note = lines[number - 1].partition(" #")[2].strip() if number else ""
        yield number, None, str(text), [f"label {name}" + (f": {note}" if note else "")]


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
METHODS = [("**/locale/**", "ignore"), ("**.html", "jinja2"), ("**/style.yaml", f"{__name__}:extract_labels")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}


def template_messages(templates: Path) -> dict[str, list[str]]:
    """Every message of the templates under `templates`, and the code's, -> where it is used (file:line)."""
    return {text: [f"{file}:{line}" for file, line in places] for text, (places, _) in _extract(templates).items()}


def _extract(templates: Path) -> dict[str, tuple[list[tuple[str, int]], list[str]]]:
    """message -> ([(file, line)], notes for the translator)."""
    found: dict[str, tuple[list[tuple[str, int]], list[str]]] = {
        text: ([("../../reportgen/render/catalogue.py", 0)], []) for text in CODE_MESSAGES}
    for filename, line, message, comments, _context in extract_from_dir(str(templates), METHODS, OPTIONS):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                places, notes = found.setdefault(text, ([], []))
                places.append((filename, line))
                notes.extend(c for c in comments if c not in notes)
    return found


def untranslated(templates: Path, language: str) -> list[str]:
    """What is wrong with `language`'s catalogue: each template message with no translation, or one whose
    placeholders (`%(date)s`, `{council}`) differ from the English."""
    words = catalogue(templates / "base", language)
    problems = []
    for text, places in sorted(template_messages(templates).items()):
        if text not in words.messages:
            problems.append(f"{places[0]}: {text!r} has no {language} translation in {catalogue_path(templates / 'base', language)} "
                            "(run `make messages`, then translate it)")
        elif sorted(_PLACEHOLDER.findall(text)) != sorted(_PLACEHOLDER.findall(words.messages[text])):
            problems.append(f"{places[0]}: the {language} translation of {text!r} changes its placeholders")
    return problems


def bare_text(source: str) -> list[str]:
    """Words a template prints outside `_()`: wording the catalogue cannot translate."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<!DOCTYPE[^>]*>|<[^>]*>|&[a-z]+;", " ", source, flags=re.S)
    return re.findall(r"[A-Za-z][A-Za-z'’]+(?:[ \t]+[A-Za-z][A-Za-z'’]+)*", source)


def refresh(templates: Path) -> list[Path]:
    """Write locale/messages.pot under the root style from the templates, and merge it into each .po."""
    locale = templates / "base" / "locale"
    template = Catalog(project="reportgen", creation_date=EPOCH, fuzzy=False)
    for text, (places, notes) in sorted(_extract(templates).items()):
        template.add(text, locations=sorted(set(places)), auto_comments=notes)
    written = [_write(locale / f"{DOMAIN}.pot", template)]
    for po_path in sorted(locale.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as fp:
            po = read_po(fp, locale=po_path.parts[-3])
        po.update(template, update_header_comment=False, update_creation_date=False)
        written.append(_write(po_path, po))
    return written


def _write(path: Path, catalogue: Catalog) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        # Files without line numbers: editing a template changes them only when its messages change.
        write_po(fp, catalogue, width=100, sort_output=True, ignore_obsolete=True, include_previous=True,
                 include_lineno=False)
    return path


if __name__ == "__main__":  # make messages
    for written in refresh(Path(sys.argv[1] if len(sys.argv) > 1 else "templates")):
        print(written)
