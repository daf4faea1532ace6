"""Colour contrast of a house style's stylesheets (WCAG 2.2 AA, success criterion 1.4.3).

Every rule that sets a text colour is checked against the background it sets,
or the page background when it sets none; every rule that sets a background
is checked against the text colour it inherits. Text needs 4.5:1, large text
(18pt, or 14pt bold) 3:1. Custom properties (`var(--accent)`) are resolved
across the cascade, so a council that changes one colour is checked too.
The summary chart's bar colours (`--rag-*`) are graphics: 3:1 against the
page (success criterion 1.4.11); the chart is drawn with the colours this
module reads from the cascade.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tinycss2
import tinycss2.color4

from reportgen.errors import Diagnostic, error

NORMAL, LARGE = 4.5, 3.0
NON_TEXT = 3.0  # graphics such as a chart's bars (1.4.11)
# The summary chart's bar colours: the council's RAG ratings, and unrated statuses.
CHART_COLOURS = ("--rag-red", "--rag-amber", "--rag-green", "--rag-none")
WHITE = (1.0, 1.0, 1.0)
BLACK = (0.0, 0.0, 0.0)
ROOT_SELECTORS = {":root", "html", "body", "html, body", ":root, html"}


@dataclass(frozen=True)
class Rule:
    file: Path
    line: int
    selector: str
    declarations: dict[str, tuple[list, int]]  # name -> (value tokens, line)


def _rules(path: Path) -> list[Rule]:
    sheet = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    rules = []
    for node in sheet:
        if node.type == "qualified-rule":
            rules.append(_rule(path, node, tinycss2.serialize(node.prelude).strip()))
        elif node.type == "at-rule" and node.lower_at_keyword in ("page", "media") and node.content:
            # Margin boxes of @page, and rules under @media, carry colours too.
            for inner in tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True):
                if inner.type == "qualified-rule":
                    rules.append(_rule(path, inner, tinycss2.serialize(inner.prelude).strip()))
                elif inner.type == "at-rule" and inner.content:
                    rules.append(_rule(path, inner, f"@page @{inner.lower_at_keyword}"))
    return rules


def _rule(path: Path, node, selector: str) -> Rule:
    declarations = {}
    content = node.content or []
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            declarations[item.lower_name if not item.name.startswith("--") else item.name] = (item.value, item.source_line)
    return Rule(path, node.source_line, " ".join(selector.split()), declarations)


def _resolve(tokens: list, variables: dict[str, list], depth: int = 0) -> list:
    out = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var" and depth < 10:
            args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
            name = args[0].value if args and args[0].type == "ident" else ""
            fallback = [t for t in token.arguments[token.arguments.index(args[0]) + 1:]] if args else []
            fallback = fallback[1:] if fallback and fallback[0].type == "literal" and fallback[0].value == "," else []
            out += _resolve(variables.get(name, fallback), variables, depth + 1)
        else:
            out.append(token)
    return out


def _colour(tokens: list, variables: dict[str, list]) -> tuple[tuple[float, float, float], float] | None:
    resolved = [t for t in _resolve(tokens, variables) if t.type not in ("whitespace", "comment")]
    if not resolved:
        return None
    if len(resolved) > 1:  # a `background` shorthand: take its colour if it has one
        for token in resolved:
            parsed = tinycss2.color4.parse_color(token)
            if parsed is not None and not isinstance(parsed, str):
                return _rgb(parsed)
        return None
    parsed = tinycss2.color4.parse_color(resolved[0])
    if parsed is None or isinstance(parsed, str):  # unknown, or currentColor
        return None
    return _rgb(parsed)


def _rgb(colour) -> tuple[tuple[float, float, float], float]:
    srgb = colour.to("srgb")
    r, g, b = (min(max(c, 0.0), 1.0) for c in srgb.coordinates)
    return (r, g, b), colour.alpha


def _over(colour: tuple[tuple[float, float, float], float], under: tuple[float, float, float]):
    rgb, alpha = colour
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip(rgb, under))


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _is_large(rule: Rule) -> bool:
    size = rule.declarations.get("font-size")
    if not size:
        return False
    dims = [t for t in size[0] if t.type == "dimension"]
    if not dims:
        return False
    points = dims[0].value * {"pt": 1, "px": 0.75, "rem": 12, "em": 12}.get(dims[0].lower_unit, 0)
    weight = tinycss2.serialize(rule.declarations.get("font-weight", ([], 0))[0]).strip()
    return points >= 18 or (points >= 14 and weight in ("bold", "700", "800", "900"))


@dataclass(frozen=True)
class Cascade:
    """A cascade of stylesheets read once: its rules, custom properties and page colours."""

    rules: list[Rule]
    variables: dict[str, list]
    declared: dict[str, Rule]  # the rule that last sets each custom property
    page_text: tuple[float, float, float]
    page_background: tuple[float, float, float]


def cascade(stylesheets: list[Path]) -> Cascade:
    rules = [rule for path in stylesheets for rule in _rules(path)]
    variables: dict[str, list] = {}
    declared: dict[str, Rule] = {}
    page_text, page_background = BLACK, WHITE
    for rule in rules:
        for name, (value, _) in rule.declarations.items():
            if name.startswith("--"):
                variables[name] = value
                declared[name] = rule
    for rule in rules:
        if rule.selector in ROOT_SELECTORS:
            if "color" in rule.declarations:
                found = _colour(rule.declarations["color"][0], variables)
                page_text = _over(found, WHITE) if found else page_text
            for name in ("background-color", "background"):
                if name in rule.declarations:
                    found = _colour(rule.declarations[name][0], variables)
                    page_background = _over(found, WHITE) if found else page_background
    return Cascade(rules, variables, declared, page_text, page_background)


def chart_colours(stylesheets: list[Path]) -> dict[str, str]:
    """The chart's colours (CHART_COLOURS) as the cascade sets them, `#rrggbb`; the text colour where unset."""
    styles = cascade(stylesheets)
    found = {name: _colour(styles.variables.get(name, []), styles.variables) for name in CHART_COLOURS}
    return {name: _hex(_over(colour, styles.page_background) if colour else styles.page_text)
            for name, colour in found.items()} | {"text": _hex(styles.page_text),
                                                   "background": _hex(styles.page_background)}


def _chart_problems(styles: Cascade) -> list[Diagnostic]:
    """Bars are graphics: each chart colour needs 3:1 against the page (WCAG 2.2 AA, 1.4.11)."""
    problems = []
    for name in CHART_COLOURS:
        colour = _colour(styles.variables.get(name, []), styles.variables)
        if colour is None:
            continue
        rgb = _over(colour, styles.page_background)
        found = ratio(rgb, styles.page_background)
        if found + 1e-9 < NON_TEXT:
            rule = styles.declared[name]
            problems.append(error(
                f"{name}: chart and badge colour {_hex(rgb)} on the page background {_hex(styles.page_background)} "
                f"has contrast {found:.2f}:1; a bar needs at least {NON_TEXT:g}:1 (WCAG 2.2 AA, 1.4.11): "
                f"choose a darker colour", file=rule.file, line=rule.declarations[name][1]))
    return problems


def check_stylesheets(stylesheets: list[Path]) -> list[Diagnostic]:
    """Contrast problems in a cascade of stylesheets, each placed at file:line."""
    styles = cascade(stylesheets)
    rules, variables, page_background, page_text = (styles.rules, styles.variables, styles.page_background,
                                                    styles.page_text)
    problems = []
    for rule in rules:
        text = rule.declarations.get("color")
        back = rule.declarations.get("background-color") or rule.declarations.get("background")
        if not text and not back:
            continue
        background = _over(_colour(back[0], variables), page_background) if back and _colour(back[0], variables) \
            else page_background
        foreground = _colour(text[0], variables) if text else None
        foreground = _over(foreground, background) if foreground else page_text
        needed = LARGE if _is_large(rule) else NORMAL
        found = ratio(foreground, background)
        if found + 1e-9 < needed:
            line = (text or back)[1]
            problems.append(error(
                f"{rule.selector}: text colour {_hex(foreground)} on background {_hex(background)} has contrast "
                f"{found:.2f}:1; at least {needed:g}:1 is needed (WCAG 2.2 AA, 1.4.3)",
                file=rule.file, line=line,
            ))
    return problems + _chart_problems(styles)
