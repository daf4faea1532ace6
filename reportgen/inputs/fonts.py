"""The fonts a house style loads with @font-face: which characters they can print, and the optional font packs.

reportgen sets papers only in these fonts (the machine's own are never used),
so a character none of them has would print as an empty box: validation
refuses it instead, naming the character, and a font file that cannot be
read is refused with its stylesheet's line.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import tinycss2

from reportgen.cache import cache_dir, keep
from reportgen.errors import Diagnostic, error

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


@dataclass(frozen=True)
class FontPack:
    """An optional font too large to ship with reportgen, installed on request and checked by its hash."""

    name: str  # the script, as messages name it
    folder: str  # under templates/base/fonts/
    file: str
    sha256: str
    package: str  # the PyPI package it comes from
    install: str  # what to run


PACKS = (
    FontPack("Chinese", "chinese", "NotoSansSC-Regular.otf",
             "faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9", "pylopdf-fonts-zh-cn==0.1.1",
             "make fonts-chinese"),
)
PACK_STYLESHEET = "pack.css"

# Scripts whose characters a pack adds (for the message when the pack is missing).
PACK_SCRIPTS = {"Chinese": ("CJK", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA", "BOPOMOFO", "HANGUL", "FULLWIDTH")}


@dataclass(frozen=True)
class PackStatus:
    pack: FontPack
    path: Path
    state: str  # "installed", "missing" or "changed"

    @property
    def installed(self) -> bool:
        return self.state == "installed"


def pack_status(base_style: Path, pack: FontPack) -> PackStatus:
    path = base_style / "fonts" / pack.folder / pack.file
    if not path.is_file():
        return PackStatus(pack, path, "missing")
    return PackStatus(pack, path, "installed" if _sha256(path) == pack.sha256 else "changed")


def installed_pack_stylesheets(base_style: Path) -> list[Path]:
    """The stylesheets of the optional packs that are installed and unchanged, to follow the base style's."""
    return [s.path.parent / PACK_STYLESHEET for s in (pack_status(base_style, p) for p in PACKS)
            if s.installed and (s.path.parent / PACK_STYLESHEET).is_file()]


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_of(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _sha256_of(path: Path, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FontFace:
    """One font file named by an @font-face rule."""

    stylesheet: Path
    line: int
    path: Path


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)


def font_faces(stylesheets: list[Path]) -> list[FontFace]:
    """The local font files of every @font-face rule, in cascade order."""
    faces = []
    for sheet in stylesheets:
        try:
            text = sheet.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the stylesheet's own problem, reported where stylesheets are read
        for block in _FONT_FACE.finditer(text):  # only these blocks are tokenised: a style sheet is long
            line = text.count("\n", 0, block.start())
            rule = tinycss2.parse_one_rule(block.group(), skip_comments=True)
            for token in rule.content or [] if rule.type == "at-rule" else []:
                url = token.value if token.type == "url" else (
                    token.arguments[0].value if token.type == "function" and token.lower_name == "url"
                    and token.arguments and token.arguments[0].type == "string" else None)
                if url and not url.startswith(("data:", "http:", "https:")):
                    path = (sheet.parent / url.split("#")[0].split("?")[0]).resolve()
                    if path.suffix.lower() in FONT_SUFFIXES:
                        faces.append(FontFace(sheet, line + token.source_line, path))
    return faces


@dataclass(frozen=True)
class Coverage:
    """The characters a style's fonts can print, and its fonts that cannot be read."""

    characters: frozenset[int]
    problems: tuple[Diagnostic, ...]

    def has(self, character: str) -> bool:
        return ord(character) in self.characters or not needs_glyph(character)

    @functools.cached_property
    def ascii_gaps(self) -> frozenset[str]:
        """The ASCII characters it cannot print (usually none: then ASCII text needs no character check)."""
        return frozenset(c for c in map(chr, range(128)) if not self.has(c))


# The one font of reportgen's own fontconfig configuration (pdf/fontconfig.conf),
# which sets what a style without fonts of its own prints: printable ASCII.
FALLBACK_FONT = Path(__file__).resolve().parents[1] / "pdf" / "fallback" / "ReportgenFallback-Regular.ttf"


def coverage(stylesheets: list[Path]) -> Coverage:
    """What the style's fonts, and reportgen's fallback font, can print; the style's fonts that cannot be read."""
    characters: set[int] = set()
    problems = []
    if FALLBACK_FONT.is_file():
        stat = FALLBACK_FONT.stat()
        characters |= _cmap(FALLBACK_FONT, stat.st_mtime_ns, stat.st_size)[0]
    for face in font_faces(stylesheets):
        if not face.path.is_file():
            continue  # a missing file is the fetcher's message, at build time, naming it
        stat = face.path.stat()
        found, problem = _cmap(face.path, stat.st_mtime_ns, stat.st_size)
        if problem:
            problems.append(error(f"the font {face.path.name} cannot be used: {problem}; replace the file with "
                                  "a working copy of the font", file=face.stylesheet, line=face.line))
        characters |= found
    return Coverage(frozenset(characters), tuple(problems))


@functools.lru_cache(maxsize=64)
def _cmap(path: Path, mtime_ns: int, size: int) -> tuple[frozenset[int], str]:
    """The characters of a font file, and what is wrong with it when it cannot be read whole.

    Reading a font's character map takes about 25 ms, so what was read is kept
    in the user's cache folder for the next run.
    """
    cache = _cache_file(path, mtime_ns, size)
    try:
        ranges = json.loads(cache.read_text(encoding="utf-8"))
        return frozenset(c for start, end in ranges for c in range(start, end + 1)), ""
    except (OSError, ValueError, TypeError):
        pass
    characters, problem = _read_cmap(path, size)
    if not problem:
        keep(cache, json.dumps(_ranges(characters)))
    return characters, problem


def _cache_file(path: Path, mtime_ns: int, size: int) -> Path:
    """By the font's content (a few milliseconds to hash), so copies of a style share it."""
    key = _sha256_of(path, mtime_ns, size)[:32]
    return cache_dir("font-characters") / f"{key}.json"


def _ranges(characters: frozenset[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for code in sorted(characters):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return ranges


def _read_cmap(path: Path, size: int) -> tuple[frozenset[int], str]:
    from fontTools.ttLib import TTFont, TTLibError  # here: only a font not read before needs it

    try:
        with TTFont(path, lazy=True) as font:
            # A cut-off or damaged file has tables that run past its end.
            past_end = [tag for tag, entry in font.reader.tables.items() if entry.offset + entry.length > size]
            if past_end:
                return frozenset(), f"it is cut off (its {', '.join(past_end[:3])} table(s) run past the end of the file)"
            if "glyf" not in font and "CFF " not in font and "CFF2" not in font:
                return frozenset(), "it has no glyph outlines"
            cmap = font.getBestCmap()
            if not cmap:
                return frozenset(), "it has no character map"
            damaged = _damaged_outline(font, cmap)
            if damaged:
                return frozenset(), damaged
            return frozenset(cmap), ""
    except (TTLibError, OSError, AssertionError, KeyError, ValueError, IndexError, TypeError, struct.error) as exc:
        return frozenset(), f"it is not a TrueType or OpenType font ({type(exc).__name__}: {exc})"[:200]


def _damaged_outline(font, cmap: dict[int, str]) -> str:
    """What is wrong with the first glyph of a character that cannot be decoded, else ''.

    A damaged outline table still loads, and WeasyPrint then embeds it
    without a word: the text drawn with it is blank or scrambled. (TrueType
    outlines are checked; CFF ones are decoded only when drawn.)
    """
    if "glyf" not in font:
        return ""
    glyphs = font["glyf"]
    for code, name in sorted(cmap.items()):
        try:
            glyph = glyphs[name]
            glyph.expand(glyphs)
            if glyph.numberOfContours > 0:
                glyph.getCoordinates(glyphs)
            elif glyph.numberOfContours < 0 and any(c.glyphName not in glyphs for c in glyph.components):
                raise ValueError("a composite glyph names a glyph the font does not have")
        except Exception as exc:  # noqa: BLE001 - any failure to decode is damage, whatever fontTools raises
            return (f"the outline of its glyph for U+{code:04X} cannot be decoded ({type(exc).__name__}), "
                    "so the file is damaged")
    return ""


# Characters that are never drawn, so no font needs them: line breaks, and
# Unicode's default-ignorable characters (joiners, direction marks).
_NEVER_DRAWN = {"\n", "\r", "\t"}


def needs_glyph(character: str) -> bool:
    if character in _NEVER_DRAWN:
        return False
    category = unicodedata.category(character)
    return category not in ("Cf", "Cc", "Zl", "Zp")


def script_hint(character: str) -> str:
    """', which the optional Chinese font pack adds (...)', when a pack would print it."""
    name = unicodedata.name(character, "")
    for pack in PACKS:
        if any(word in name for word in PACK_SCRIPTS.get(pack.name, ())):
            return f"; {pack.name} needs the optional {pack.name} font pack: run `{pack.install}`"
    return ""
