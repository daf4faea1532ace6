"""Render a merged paper to HTML with its house style's Jinja templates.

Templates run in Jinja's sandbox with autoescape on for every file and
undefined variables failing, because a council's templates are not trusted
more than its records.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup, escape
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from reportgen import __version__
from reportgen.cache import code_folder
from reportgen.confine import Roots
from reportgen.errors import BuildError, display_path, quote
from reportgen.render.catalogue import AVAILABLE_IN, Catalogue, catalogue, page_of, primary
from reportgen.render.chart import Chart, status_chart
from reportgen.render.columns import with_content_widths
from reportgen.render.markdown import to_html, to_inline_html
from reportgen.render.sandbox import PaperSandbox, limited_filter
from reportgen.merge.bilingual import BilingualView
from reportgen.merge import AppendixView, BodyView, FigureView, PaperView, SectionView
from reportgen.merge.exempt import Withheld
from reportgen.merge.summary import StatusSummary
from reportgen.inputs.exempt import schedule_part
from reportgen.inputs.labels import LabelLookup
from reportgen.inputs.models import Committee, Council, Meeting, Officer, Paper, Reference
from reportgen.inputs.styles import MAX_STYLE_FILE_BYTES, Style, too_big

ENTRY_TEMPLATE = "paper.html"


def long_date(value: dt.date | None) -> str:
    """21 January 2013, in English (messages and file names; a paper's templates use the `long_date` filter)."""
    return f"{value.day} {value:%B %Y}" if value else ""


def paper_catalogue(context: jinja2.runtime.Context) -> Catalogue:
    """The catalogue of the language being rendered, from the environment's root style."""
    if "language" not in context:
        # Jinja imports a template's macros without the importer's variables unless told to.
        raise jinja2.TemplateError("_() or a date filter in macros imported without the paper's variables; "
                                   "import them `with context` ({% from \"base/macros.html\" import email_link "
                                   "with context %})")
    return catalogue(context.environment.root_style, context["language"])


@jinja2.pass_context
def _gettext(context, message: str) -> str:
    return paper_catalogue(context).gettext(message)


@jinja2.pass_context
def _ngettext(context, singular: str, plural: str, count: int) -> str:
    # The shipped templates give singular and plural as two messages (Welsh has six plural forms);
    # this serves a council template's {% trans count=n %} with the English rule.
    return paper_catalogue(context).gettext(singular if count == 1 else plural)


@jinja2.pass_context
def _page_of(context) -> tuple[str, str, str]:
    """The words before, between and after the numbers of "Page 2 of 5" (print.css draws the numbers)."""
    return page_of(paper_catalogue(context))


@jinja2.pass_context
def in_language(context, value, language: str | None, block: bool = False) -> Markup:
    """Text in `language` marked as such (`<span lang>`, or `<div lang>` with `block=true` for Markdown's
    paragraphs) when that is not the paper's language; unchanged otherwise."""
    html = escape(value)
    if not language or primary(language) == primary(context["language"]):
        return html
    tag = "div" if block else "span"
    return Markup('<{0} lang="{1}">{2}</{0}>').format(tag, language, html)


@jinja2.pass_context
def lang_of(context, language: str | None) -> Markup:
    """` lang="en-GB"` for an element whose text is in `language`, when that is not the paper's language;
    nothing otherwise (`<p{{ lang_of(row.language) }}>`)."""
    if not language or primary(language) == primary(context["language"]):
        return Markup("")
    return Markup(' lang="{0}"').format(language)


def _date_filter(method: str):
    @jinja2.pass_context
    def formatted(context, value: dt.date | None) -> str:
        return getattr(paper_catalogue(context), method)(value)
    formatted.__name__ = method
    return formatted


def _officer_line(officer) -> str:
    """An officer as "Name – Role"; empty for none."""
    return f"{officer.name} – {officer.role}" if officer else ""


MAX_HTML_BYTES = 20 * 1000 * 1000
"""The HTML a paper renders to may be at most this big (20 MB)."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses a template outside its folder (a symlink out), or too big to read."""

    def get_source(self, environment, template):
        for folder in self.searchpath:
            candidate = Path(folder, *split_template_path(template))
            if candidate.is_file():
                if candidate.stat().st_size > MAX_STYLE_FILE_BYTES:
                    raise BuildError(f"{display_path(candidate)}: {too_big(candidate.stat().st_size)}")
                break
        source, filename, uptodate = super().get_source(environment, template)
        if Roots(self.searchpath).find(filename) is None:
            raise BuildError(f"template '{template}' is a symbolic link to a file outside the council's "
                             "templates folder; copy the file in instead")
        return source, filename, uptodate


def environment(search_path: tuple[Path, ...], prefixes: tuple[tuple[str, Path], ...]) -> SandboxedEnvironment:
    loader = jinja2.ChoiceLoader([
        ConfinedLoader([str(p) for p in search_path]),
        jinja2.PrefixLoader({name: ConfinedLoader(str(folder)) for name, folder in prefixes}),
    ])
    env = PaperSandbox(
        loader=loader,
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.pop("lipsum", None)  # placeholder text of any length: no use in a paper
    # One environment serves every language: gettext reads the language from the render's context.
    env.root_style = prefixes[-1][1] if prefixes else None  # the root style (base): its locale/ holds the catalogues
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.globals.update(page_of=_page_of, lang_of=lang_of)
    env.filters.update(md=to_html, md_inline=to_inline_html, officer_line=_officer_line, lang=in_language,
                       **{name: _date_filter(name) for name in ("long_date", "month_year", "weekday")})
    env.filters.update({name: limited_filter(name, f) for name, f in env.filters.items()})
    return env


@functools.lru_cache(maxsize=1)
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Templates compiled once and kept in the user's cache folder, so a fresh worker does not compile them
    again (about 0.2 s a paper). Jinja checks each against its template's source; the folder's name holds
    what else the compiled code depends on (Jinja, Python, this environment's code). None when it cannot
    be made: templates are then compiled each time."""
    here = Path(__file__).resolve().parent
    folder = code_folder("templates", jinja2.__version__.encode(), repr(sys.version_info[:2]).encode(),
                         (here / "html.py").read_bytes(), (here / "sandbox.py").read_bytes())
    if folder is None:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def style_environment(style: Style) -> SandboxedEnvironment:
    """The style's one Jinja environment in this process, shared by papers, packs and anything later.

    Jinja notices a changed template by itself, but not a template added to a
    folder earlier in the search path (a council's new override), so the
    folders' file lists are part of the key.
    """
    search_path = tuple(style.search_path)
    return _cached_environment(
        search_path,
        tuple((layer.name, layer.folder) for layer in style.layers if layer.folder.is_dir()),
        tuple(_template_names(folder) for folder in search_path),
    )


def _template_names(folder: Path) -> tuple[str, ...]:
    try:
        return tuple(sorted(os.path.relpath(os.path.join(root, name), folder)
                            for root, _, names in os.walk(folder) for name in names))
    except OSError:
        return ()


@functools.lru_cache(maxsize=64)
def _cached_environment(search_path: tuple[Path, ...], prefixes: tuple[tuple[str, Path], ...],
                        listing: tuple[tuple[str, ...], ...]) -> SandboxedEnvironment:
    return environment(search_path, prefixes)


# What each variable of `context()` is: its type and one line for template
# authors. docs/template-variables.md is generated from this and from the
# models (python -m reportgen.render.schema_docs); a test keeps it equal to context().
CONTEXT_VARIABLES: dict[str, tuple[object, str]] = {
    "council": (Council, "The council, from `council.yaml`."),
    "paper": (Paper, "The paper, from `papers/<id>.yaml`."),
    "meeting": (Meeting | None, "The meeting the paper goes to (`paper.meeting`); none for a paper that goes to "
                                "no particular meeting: print no committee or meeting date then."),
    "committee": (Committee | None, "The committee named by `meeting.committee`, resolved; none without a meeting."),
    "authorised_by": (Officer | None, "The officer named by `paper.authorised_by`, resolved."),
    "lead_officers": (list[Officer], "The officers named by `paper.lead_officers`, resolved."),
    "contact": (Officer | None, "The officer named by `paper.contact`, resolved."),
    "authors": (list[Officer], "The officers named by `paper.authors`, resolved."),
    "review": (Reference | None, "The review named by `paper.review`, when there is one."),
    "logo": (FigureView | None, "The council's logo (`council.logo`), checked to lie inside the council folder."),
    "sections": (list[SectionView], "The paper's sections, numbered, with quoted recommendations resolved."),
    "body": (BodyView | None, "The paper's main content built from a progress record (`paper.body`), rendered by "
                              "`body/<type>.html` after the sections; none when the paper has no `body`."),
    "appendices": (list[AppendixView], "The paper's appendices, numbered, with their data merged in."),
    "version": (str, "`full` for a paper with nothing exempt; for one with exempt parts, `public` (they are left "
                     "out: sections, appendices, figures and rows have `withheld`, the notice's particulars) or "
                     "`exempt` (complete; exempt parts have `exempt`, their paragraph and reason)."),
    "withheld": (list[Withheld], "The paper's exempt parts (public and exempt versions): kind, number, paragraph."),
    "schedule_part": (int, "The Part of Schedule 12A for the council's nation: 1 (England) or 4 (Wales)."),
    "prepared": (dt.date, "The paper's date: `paper.prepared`, or the meeting date."),
    "label": (Callable[[str], str], "`label('government_response')`: printed wording, the council's `labels:` "
                                    "first, then the style's, then base's built-in wording (see [Labels](#labels)). Takes a status too "
                                    "(`label(row.government.status)`); `{review}` in a label is the paper's review "
                                    "unless given: `label('rationale', review=appendix.reference.short_title)`."),
    "status_chart": (Callable[[StatusSummary], Chart], "`status_chart(block.summary)`: the summary's bar chart, "
                                                       "drawn by reportgen as SVG in the style's `--rag-*` colours, "
                                                       "with `.src` (for `<img src>`), `.alt`, `.width`, `.height`."),
    "language": (str, "The language this paper is printed in (`en-GB`, `cy`): the `lang` of its `<html>`. "
                      "`_(\"Report for:\")` prints fixed wording in it from the message catalogue "
                      "(docs/welsh.md); the date filters use it too."),
    "versions": (list[dict], "A bilingual paper's other versions (`bilingual: separate`): each with `language`, "
                             "`file` (its file name, in this paper's format) and `notice` (\"This paper is also "
                             "available in Welsh:\", in that language); empty otherwise."),
    "parallel": (dict | None, "`bilingual: parallel`: the variables of the same paper in the other language "
                              "(`parallel.sections`, `parallel.label`, `parallel.language` ...), for templates "
                              "that set the two side by side; none otherwise."),
    "id_suffix": (str, "Added to `id` attributes, so the other language's copy of an element has an id of "
                       "its own: empty, or `-en` in the English half of a parallel paper."),
    "style": (str, "The house style's name, e.g. `hampshire`."),
    "stylesheets": (list[str], "URLs of the stylesheets in cascade order, base, style(s), council: each "
                               "layer's `style.css`, then its `print.css` (PDF) or `screen.css` (HTML)."),
    "generator": (str, "`reportgen <version>`, for the PDF's metadata."),
    "output_format": (str, "`pdf` when rendering the PDF, `html` for the HTML version: test it for "
                           "markup only one of them needs."),
}


def context(view: PaperView, style: Style, output_format: str = "pdf") -> dict:
    """The variables every template sees (documented in docs/house-styles.md)."""
    paper = view.paper
    language = view.council.language  # a bilingual council's version's language (inputs/records.py)
    bilingual = view if isinstance(view, BilingualView) else None
    lookup = labels(view, style, language)
    root = style.layers[-1].folder
    return {
        "council": view.council,
        "paper": paper,
        "meeting": paper.meeting,
        "committee": view.committee,
        "authorised_by": view.authorised_by,
        "lead_officers": view.lead_officers,
        "contact": view.contact,
        "authors": view.authors,
        "review": view.review,
        "logo": view.logo,
        "sections": view.sections,
        "body": view.body,
        "appendices": view.appendices,
        "version": version_of(view),
        "withheld": list(view.public.withheld if view.public else view.withheld),
        "schedule_part": schedule_part(view.council.nation.value),
        "prepared": paper.issue_date,
        "label": lookup,
        "status_chart": status_chart(style.stylesheets, lookup),
        "language": language,
        "versions": [{"language": other, "file": f"{stem}.{output_format}",
                      "notice": catalogue(root, other).gettext(AVAILABLE_IN[primary(other)])}
                     for other, stem in (bilingual.versions if bilingual else ())],
        "parallel": context(bilingual.parallel, style, output_format) if bilingual and bilingual.parallel else None,
        "id_suffix": "",
        "style": style.name,
        "stylesheets": [p.as_uri() for p in style.stylesheets_for(output_format)],
        "generator": f"reportgen {__version__}",
        "output_format": output_format,
    }


def version_of(view: PaperView) -> str:
    """`full` (nothing exempt), `public` or `exempt`: which version of the paper a view renders."""
    if view.version == "public":
        return "public"
    return "exempt" if view.public is not None else "full"


def labels(view: PaperView, style: Style, language: str) -> LabelLookup:
    """The paper's `label()`: the council's labels, then each style's (root last) through the catalogue of
    `language`; `{council}` and `{review}` filled in for this paper."""
    reviews = [view.review, view.body.reference if view.body else None, *(a.reference for a in view.appendices)]
    review = next((r for r in reviews if r is not None), None)
    values = {"council": view.council.display_short_name, "review": review.short_title if review else ""}
    # The styles' wording is the catalogue's English; a council writes its labels in its own language.
    words = catalogue(style.layers[-1].folder, language)
    translated = tuple({name: words.gettext(text) for name, text in layer.items()} for layer in style.labels)
    return LabelLookup((view.council.labels, *translated), values)


def render_html(view: PaperView, style: Style, output_format: str = "pdf") -> str:
    """The paper as one HTML document; template problems become BuildError."""
    return with_content_widths(render_template(style, ENTRY_TEMPLATE, context(view, style, output_format)))


def render_template(style: Style, name: str, variables: dict,
                    variables_help: str = "docs/house-styles.md") -> str:
    """Render one of the style's templates; every template problem becomes a located BuildError."""
    env = style_environment(style)
    try:
        return _limited_render(env.get_template(name), variables)
    except jinja2.TemplateNotFound as exc:
        raise BuildError(f"template '{exc.name}' not found in style '{style.name}' "
                         f"(searched {', '.join(str(p) for p in style.search_path)})") from None
    except jinja2.TemplateSyntaxError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else exc.name
        raise BuildError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise BuildError(f"{_template_location(exc)}template error: {exc.message}; "
                         f"see {variables_help} for the variables templates can use") from None
    except jinja2.exceptions.SecurityError as exc:
        raise BuildError(f"{_template_location(exc)}template tried something unsafe: {exc}") from None
    except jinja2.TemplateError as exc:
        raise BuildError(f"{_template_location(exc)}template error: {exc}") from None
    except RecursionError as exc:
        raise BuildError(f"{_template_location(exc)}template error: maximum recursion depth exceeded") from None
    except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError, IndexError) as exc:
        raise BuildError(f"{_template_location(exc)}template error: {exc}") from None


def _limited_render(template: jinja2.Template, variables: dict) -> str:
    """The template's output, stopped as soon as it passes MAX_HTML_BYTES."""
    chunks, size = [], 0
    for chunk in template.generate(variables):
        try:
            size += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8"))
        except UnicodeEncodeError as exc:  # records cannot hold one (yamlload refuses it); a template's "\ud800" can
            raise BuildError(f"the paper's text holds {quote(exc.object[exc.start:exc.end])}, half of a UTF-16 "
                             "surrogate pair and not a character; a template probably writes it with a \\u escape") \
                from None
        if size > MAX_HTML_BYTES:
            raise BuildError(f"the paper's HTML is over {MAX_HTML_BYTES:,} bytes, the limit for one paper; a template "
                             "probably repeats something far too often (see docs/house-styles.md, Limits)")
        chunks.append(chunk)
    return "".join(chunks)


def _template_location(exc: BaseException) -> str:
    """'file.html:12: ' for the innermost template frame of a rendering error."""
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".j2")):
            where = f"{display_path(Path(filename))}:{tb.tb_lineno}: "
        tb = tb.tb_next
    return where
