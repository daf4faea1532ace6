"""The accessible HTML twin: self-contained, valid, reflowing on a phone, clean under axe-core with every rule."""

import base64
import json
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from chromium import AXE, AXE_ALL_RULES, CHROMIUM, Chromium
from conftest import ROOT, copy_project, needs
from reportgen.errors import BuildError
from reportgen.inputs.project import Project
from reportgen.pipeline.build import build
from reportgen.render.htmltwin import render_standalone

SAMPLES = ("barnet", "glanmor", "gwynant", "hampshire", "haringey", "irwell", "northmoor")
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
WIDTHS = (1280, 390, 320)  # a desktop, a phone, and 1280 px at 400 % zoom
NARROW = (390, 320)
samples = pytest.mark.samples  # reads the sample councils' twins



@pytest.fixture(scope="module")
def twins(built_samples):
    """(council, paper) -> the HTML twin of every sample paper, from the run's one build."""
    paths = built_samples.files("html")
    assert {council for council, _ in paths} == set(SAMPLES)
    return paths


def twin(twins, council, paper=None):
    return next(p for (c, i), p in sorted(twins.items()) if c == council and paper in (None, i)).read_text("utf-8")


@samples
def test_twin_sits_beside_the_pdf_with_the_same_name(built_samples):
    names = sorted(p.name for p in (built_samples.out / "northmoor").iterdir())
    assert names == ["2012-10-15-childrens-scrutiny-munro-update.html", "2012-10-15-childrens-scrutiny-munro-update.pdf"]


@samples
def test_twins_are_self_contained(twins):
    for path in twins.values():
        html = path.read_text(encoding="utf-8")
        assert "<link" not in html
        assert not re.search(r"""(src|href)=["'](file:|/|\.\./)""", html)
        assert not re.search(r"""src=["']https?:""", html)
        assert "@font-face" not in html
        for url in re.findall(r"url\(([^)]*)\)", html):
            assert url.strip() in ("none",), url


@samples
def test_print_only_css_stays_out_of_the_twin(twins):
    for path in twins.values():
        html = path.read_text(encoding="utf-8")
        assert "running(" not in html and "element(" not in html and "@page" not in html, path.name
        assert "@media (max-width: 40rem)" in html  # the screen layout is in


@samples
def test_twins_have_language_landmarks_skip_link_and_table_headers(twins):
    for path in twins.values():
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html lang="(en-GB|cy)">', html)
        assert '<a class="skip-link" href="#content">' in html and '<main id="content">' in html
        assert html.count("<h1") == 1
        if "<table class=\"progress-table\"" in html:
            assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row"' in html


@samples
def test_images_are_embedded_with_their_alt_text(twins):
    html = twin(twins, "northmoor")
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="Bar chart of social work assessments' in html


@samples
def test_cover_gives_each_label_and_value_a_row_of_their_own(twins):
    for council in SAMPLES:
        cover = twin(twins, council).split("</header>", 2)[1]  # the first header is the page banner
        rows = re.findall(r"<tr>(.*?)</tr>", cover, re.S)
        assert rows or council == "irwell", council  # Irwell's papers have a title, no cover sheet
        for row in rows:
            assert row.count("<th") == 1 and row.count("<td") == 1, (council, row)


@samples
def test_empty_fields_say_so(twins):
    html = twin(twins, "haringey", "munro-progress")  # no agenda item number yet
    assert re.search(r'<th scope="row">Item number:</th>\s*<td>Not given</td>', html)
    northmoor = twin(twins, "northmoor")  # R8 has no progress entry
    card = re.split(r"recommendation(?: |&nbsp;)8:</span>", northmoor, maxsplit=1)[1].split("</dl>", 1)[0]
    assert re.search(r'<dt>Timeline</dt>\s*<dd class="timeline"><p class="not-given">Not given</p>', card)
    for path in twins.values():  # no cell or field left blank for a screen reader to pass over in silence
        html = path.read_text(encoding="utf-8")
        blank = [m.group(0) for m in re.finditer(r"<(td|dd)\b[^>]*>(.*?)</\1>", html, re.S)
                 if not re.sub(r"<[^>]+>", "", m.group(2)).strip()]
        assert blank == [], (path.name, blank[:3])


@samples
def test_email_links_say_whom_they_reach(twins):
    html = twin(twins, "hampshire")
    assert ('<a href="mailto:martin.ashdown@hants.example" title="Email Martin Ashdown">'
            'martin.ashdown@hants.example</a>') in html
    for path in twins.values():
        for link in re.findall(r'<a href="mailto:[^"]*"[^>]*>', path.read_text(encoding="utf-8")):
            assert re.search(r'title="(Email|E-bostio) ', link), link  # E-bostio: Gwynant's Welsh


@samples
def test_a_heading_in_the_summary_is_a_heading(tmp_path):
    project = copy_project(tmp_path / "p")
    paper = project / "councils/northmoor/papers/munro-update.yaml"
    text = paper.read_text(encoding="utf-8")
    assert "\nsections:\n" in text and "\nsummary:" not in text
    summary = "summary: |\n  ## What has changed\n\n  The panel asked for an update.\n"
    paper.write_text(text.replace("\nsections:\n", f"\n{summary}sections:\n", 1), encoding="utf-8")
    report = build(Project.at(project), ["northmoor"], out_dir=tmp_path / "out", formats=("html",), jobs=1)
    assert report.ok, report.outcomes[0].message
    html = report.outcomes[0].files[0].read_text(encoding="utf-8")
    summary = html.split('<section class="summary">', 1)[1].split("</section>", 1)[0]
    assert summary.startswith("\n<h2>Summary</h2>\n<h3>What has changed</h3>")


@samples
def test_nu_html_checker_finds_no_errors_or_warnings(twins):
    java = shutil.which("java")
    needs(bool(java and VNU.is_file()), "java (Debian default-jre-headless) and node_modules/vnu-jar")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--also-check-css", "--format", "json", *map(str, twins.values())],
        capture_output=True, text=True, timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages] == []


# --- inlining, by parsing the HTML ---------------------------------------------------


@pytest.fixture
def twin_inputs(tmp_path):
    """A style folder with a stylesheet, a council folder with an image, and a secret outside both."""
    style, council, secret = tmp_path / "style", tmp_path / "council", tmp_path / "secret"
    for folder in (style, council / "images", secret):
        folder.mkdir(parents=True)
    (style / "style.css").write_text("@font-face { font-family: X; src: url(x.ttf) }\nh1 { color: #123456 }\n")
    (council / "images/chart.svg").write_text("<svg/>")
    (secret / "secret.svg").write_text("<svg>RG-SECRET</svg>")
    inputs = (SimpleNamespace(council_folder=council), SimpleNamespace(asset_roots=[style]))
    return style, council, secret, inputs


def test_twin_inlines_images_and_stylesheets_whatever_the_attribute_order(twin_inputs):
    style, council, _, inputs = twin_inputs
    chart = (council / "images/chart.svg").as_uri()
    page = ('<html><head>\n<link href="{css}" rel="stylesheet">\n<link rel="stylesheet" href="{css}"/>\n</head>\n'
            '<body><p>Text &amp; more</p>\n<img alt="Chart &quot;A&quot; &amp; B" src="{chart}">\n'
            '<img src="{chart}" alt="Chart B" />\n<IMG SRC="{chart}" ALT="Chart C" width=10></body></html>'
            ).format(css=(style / "style.css").as_uri(), chart=chart)
    twin = render_standalone(page, *inputs)
    data = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    assert twin.count("<style>\n\nh1 { color: #123456 }\n\n</style>") == 2  # the @font-face rule removed
    assert f'<img alt="Chart &quot;A&quot; &amp; B" src="{data}">' in twin
    assert f'<img src="{data}" alt="Chart B" />' in twin
    assert f'<img src="{data}" alt="Chart C" width="10">' in twin
    assert "file:" not in twin and "<link" not in twin and "@font-face" not in twin
    assert "<p>Text &amp; more</p>" in twin


def test_twin_refuses_an_image_outside_the_style_and_the_council(twin_inputs):
    _, council, secret, inputs = twin_inputs
    (council / "images/link.svg").symlink_to(secret / "secret.svg")
    for url in ((secret / "secret.svg").as_uri(), (council / "images/link.svg").as_uri(),
                (council / "images/missing.svg").as_uri(), "https://example.invalid/a.svg"):
        with pytest.raises(BuildError, match="the HTML twin may only use files of the style and the council; "
                                             f"refused {re.escape(url)}"):
            render_standalone(f'<html><head></head><body><img alt="x" src="{url}"></body></html>', *inputs)


def test_twin_refuses_a_council_templates_folder_linked_out_of_the_council(twin_inputs):
    """The nested-root rule, as for the PDF: a council's templates/ is trusted only if it really lies inside the council."""
    style, council, secret, _ = twin_inputs
    (council / "templates").symlink_to(secret)
    inputs = (SimpleNamespace(council_folder=council), SimpleNamespace(asset_roots=[council / "templates", style]))
    url = (council / "templates/secret.svg").as_uri()
    with pytest.raises(BuildError, match=f"refused {re.escape(url)}"):
        render_standalone(f'<html><head></head><body><img src="{url}" alt="x"></body></html>', *inputs)


def test_twin_leaves_tags_in_comments_scripts_and_text_alone(twin_inputs):
    _, _, secret, inputs = twin_inputs
    outside = (secret / "secret.svg").as_uri()
    page = (f'<html><head><script>var s = \'<img src="{outside}">\';</script></head>\n'
            f'<body><!-- <img src="{outside}"> --><p>&lt;img src="{outside}"&gt;</p></body></html>')
    assert render_standalone(page, *inputs) == page


# -- in a browser: one Chromium, each twin opened once and looked at in three widths --

REFLOW = """(() => {
  const page = document.scrollingElement, problems = [];
  if (page.scrollWidth > page.clientWidth)
    problems.push(`the page is ${page.scrollWidth} px wide in a ${page.clientWidth} px window`);
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || !el.getClientRects().length) continue;
    const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible')
      problems.push(`${name} scrolls or clips sideways (${el.scrollWidth} px in ${el.clientWidth} px)`);
    const box = el.getBoundingClientRect();
    if (box.right > 0 && (box.right > page.clientWidth + 1 || box.left < -1))  // the skip link waits off-screen
      problems.push(`${name} sticks out of the window (${Math.round(box.left)} to ${Math.round(box.right)} px)`);
  }
  return problems;
})()"""

# Characters in a line of running text: a paragraph's length over its lines (the last counted as half).
MEASURE = """(() => {
  const out = [];
  for (const p of document.querySelectorAll('main p, main li')) {
    if (p.closest('table, .progress-cards') || p.querySelector('p')) continue;
    const style = getComputedStyle(p);
    const lines = Math.round(p.getBoundingClientRect().height / parseFloat(style.lineHeight));
    if (lines >= 3) out.push(p.textContent.trim().length / (lines - 0.5));
  }
  return out;
})()"""

# Roles that hold text in a way a screen reader can name: anything else is anonymous text.
TEXT_HOLDERS = {"paragraph", "heading", "cell", "rowheader", "columnheader", "listitem", "term", "definition",
                "link", "caption", "Figcaption", "LabelText"}
INLINE = {"generic", "strong", "emphasis", "none", "subscript", "superscript", "code", "mark", "time"}


@dataclass
class Seen:
    """What the browser showed of one twin at one width."""

    reflow: list[str] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)
    roles: Counter = field(default_factory=Counter)
    columnheaders: list[str] = field(default_factory=list)
    anonymous: list[str] = field(default_factory=list)
    measure: list[float] = field(default_factory=list)


def _read_tree(nodes: list[dict]) -> tuple[Counter, list[str], list[str]]:
    """The tree a screen reader gets: role counts, column headers' names, and text not inside a role that names it."""
    by_id = {n["nodeId"]: n for n in nodes}
    roles, columnheaders, anonymous = Counter(), [], []
    for node in nodes:
        if node.get("ignored"):
            continue
        role = node["role"]["value"]
        roles[role] += 1
        if role == "columnheader":
            columnheaders.append(node.get("name", {}).get("value", ""))
        if role != "StaticText":
            continue
        holder, parent = None, node
        while holder is None and parent.get("parentId"):
            parent = by_id[parent["parentId"]]
            if not parent.get("ignored") and parent["role"]["value"] not in INLINE:
                holder = parent["role"]["value"]
        if holder not in TEXT_HOLDERS:
            anonymous.append(f"{node.get('name', {}).get('value', '')[:50]!r} in {holder}")
    return roles, columnheaders, anonymous


@pytest.fixture(scope="module")
def browsed(twins):
    needs(bool(CHROMIUM and AXE.is_file()), "chromium and node_modules/axe-core")
    axe = AXE.read_text(encoding="utf-8")
    browser = Chromium()
    seen: dict[tuple[str, str, int], Seen] = {}
    try:
        for (council, paper), path in sorted(twins.items()):
            page = browser.page(path, WIDTHS[0])
            page.evaluate(axe + ";0")
            for width in WIDTHS:
                page.resize(width)
                result = seen[council, paper, width] = Seen(page.evaluate(REFLOW), page.evaluate(AXE_ALL_RULES))
                result.roles, result.columnheaders, result.anonymous = _read_tree(page.accessibility_tree())
                result.measure = page.evaluate(MEASURE)
            page.close()
    finally:
        browser.close()
    return seen


@samples
def test_axe_core_with_every_rule_finds_nothing_at_any_width(browsed):
    found = {key: s.axe for key, s in browsed.items() if s.axe}
    assert found == {}


@samples
def test_twins_reflow_with_nothing_scrolling_sideways(browsed):
    found = {key: s.reflow for key, s in browsed.items() if s.reflow}
    assert found == {}


@samples
def test_screen_readers_get_tables_lists_and_headings_never_loose_text(browsed, twins):
    for (council, paper, width), s in browsed.items():
        html = twins[council, paper].read_text(encoding="utf-8")
        where = (council, paper, width)
        assert s.anonymous == [], where
        if re.search(r'<header class="cover">.*?<table', html, re.S):  # the cover: row headers and cells
            assert s.roles["table"] and s.roles["rowheader"] and s.roles["cell"], where
        cards, blocks = html.count('class="progress-card"'), html.count('class="matrix-recommendation"')
        if not (cards or 'class="matrix-narrow"' in html):
            continue
        government = "Ymateb y Llywodraeth" if '<html lang="cy">' in html else "Government response"
        if width in NARROW:  # a heading per recommendation, its columns as a list of terms or a labelled block
            assert government not in s.columnheaders, where  # the wide table is not read
            assert s.roles["heading"] >= cards + blocks, where
            assert s.roles["DescriptionList"] == cards and s.roles["term"] == s.roles["definition"] == 3 * cards
            assert s.roles["table"] >= blocks, where
        else:  # the table, with its heading row
            assert government in s.columnheaders and s.roles["DescriptionList"] == 0, where


@samples
def test_running_text_keeps_a_readable_measure_on_a_desktop(browsed):
    for (council, paper, width), s in browsed.items():
        if width == 1280 and s.measure:
            middle = sorted(s.measure)[len(s.measure) // 2]
            assert 55 <= middle <= 80, (council, paper, round(middle))
