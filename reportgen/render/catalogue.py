"""The message catalogue: the shipped templates' fixed wording in each paper language (gettext, read with Babel).

The English wording is the message id, written in the templates (`{{ _("Report for:") }}`) and in the
root style's `labels:`; each other language is a gettext `.po` file in the root style's folder,
`locale/<language>/LC_MESSAGES/messages.po` (`templates/base/locale/cy/...` for Welsh). The `.po`
file is the only source: it is read with Babel when a paper first needs it (once per process and
file version), so no compiled `.mo` file is kept in git or made by a build step, and the same `.po`
gives the same wording every time. A language without a `.po` file (English) prints the message ids.
Dates use Babel's locale data for the language (Welsh month and day names for `cy`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from babel.dates import format_date
from babel.messages.pofile import PoFileError, read_po

from reportgen.errors import BuildError, display_path

DOMAIN = "messages"

# Messages printed by code rather than by a template: in the catalogue all the same (messages.py lists them).
PAGE_OF = "Page %(page)s of %(pages)s"  # the PDF's page counter; the numbers are CSS counters
CONTINUED = "(continued)"  # drawn over a unit's continuation (pdf/continued.py)
PACK_PAGE = "Pack page %(page)s"  # stamped at the top of an agenda pack's pages
SUPPLEMENT_PAGE = "Supplement %(number)s, page %(page)s"
PACK_TITLE = "Agenda pack: %(committee)s, %(date)s"  # the pack PDF's title
SUPPLEMENT_TITLE = "Supplement %(number)s to the agenda: %(committee)s, %(date)s"
AGENDA_BOOKMARK = "Agenda"  # the pack's bookmark for its front sheet
ITEM_BOOKMARK = "Item %(number)s: %(title)s"
# A bilingual paper names its other version in that version's language, for the reader who wants it.
AVAILABLE_IN = {"cy": "This paper is also available in Welsh:", "en": "This paper is also available in English:"}
CODE_MESSAGES = (PAGE_OF, CONTINUED, PACK_PAGE, SUPPLEMENT_PAGE, PACK_TITLE, SUPPLEMENT_TITLE, AGENDA_BOOKMARK,
                 ITEM_BOOKMARK, *AVAILABLE_IN.values())
MAX_CATALOGUE_BYTES = 2 * 1000 * 1000


def primary(language: str) -> str:
    """The language's primary subtag: `cy` for `cy`, `en` for `en-GB`."""
    return language.split("-")[0].lower()


def catalogue_path(root_style: Path, language: str) -> Path:
    return root_style / "locale" / primary(language) / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Catalogue:
    """One language's wording: `gettext(english)`, and its dates."""

    language: str  # the primary subtag: en, cy
    messages: Mapping[str, str] = field(default_factory=dict)  # English -> this language; translated entries only

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)

    def long_date(self, value: dt.date | None) -> str:
        """21 January 2013; 21 Ionawr 2013."""
        return format_date(value, "d MMMM y", locale=self.language) if value else ""

    def month_year(self, value: dt.date | None) -> str:
        """January 2013; Ionawr 2013."""
        return format_date(value, "LLLL y", locale=self.language) if value else ""

    def weekday(self, value: dt.date | None) -> str:
        """Monday; Dydd Llun."""
        return format_date(value, "EEEE", locale=self.language) if value else ""


def catalogue(root_style: Path | None, language: str) -> Catalogue:
    """The catalogue of `language` for the templates under `root_style` (templates/base); none: English."""
    if root_style is None:
        return Catalogue(primary(language))
    path = catalogue_path(root_style, language)
    try:
        stat = path.stat()
    except OSError:
        return Catalogue(primary(language))
    return _read(path, primary(language), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read(path: Path, language: str, mtime: int, size: int) -> Catalogue:
    if size > MAX_CATALOGUE_BYTES:
        raise BuildError(f"{display_path(path)}: over {MAX_CATALOGUE_BYTES:,} bytes, too big for a message catalogue")
    try:
        with path.open("rb") as fp:
            po = read_po(fp, locale=language, abort_invalid=True)
    except (PoFileError, OSError, ValueError) as exc:
        raise BuildError(f"{display_path(path)}: not a readable gettext catalogue: {exc} "
                         "(check it with `pybabel compile --statistics`)") from None
    # Fuzzy entries are a translator's guess awaiting review: English until confirmed, as gettext does.
    return Catalogue(language, {m.id: m.string for m in po if m.id and isinstance(m.id, str)
                                and m.string and not m.fuzzy})


def page_of(catalogue_: Catalogue) -> tuple[str, str, str]:
    """"Page %(page)s of %(pages)s" split around its numbers, for the PDF's page counter in CSS."""
    text = catalogue_.gettext(PAGE_OF)
    before, _, rest = text.partition("%(page)s")
    between, _, after = rest.partition("%(pages)s")
    return before, between, after
