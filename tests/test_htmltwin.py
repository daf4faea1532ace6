"""The accessible HTML twin: self-contained, structured, and clean under axe-core."""

import base64
import re
from types import SimpleNamespace

import pytest

from conftest import ROOT, axe_violations, require_axe
from reportgen.errors import BuildError
from reportgen.pipeline.build import build
from reportgen.inputs.project import Project
from reportgen.render.htmltwin import SCREEN_CSS, render_standalone


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    report = build(Project.at(ROOT), None, out_dir=out, formats=("html",), jobs=1)
    assert report.ok, [o.message for o in report.outcomes if o.status == "failed"]
    paths = [f for o in report.outcomes for f in o.files]
    assert len(paths) >= 5
    return paths


def test_twin_sits_beside_the_pdf_with_the_same_name(tmp_path):
    report = build(Project.at(ROOT), ["northmoor"], out_dir=tmp_path, formats=("pdf", "html"), jobs=1)
    names = sorted(p.name for p in (tmp_path / "northmoor").iterdir())
    assert names == ["2012-10-15-childrens-scrutiny-munro-update.html", "2012-10-15-childrens-scrutiny-munro-update.pdf"]
    assert report.ok


def test_twins_are_self_contained(twins):
    for path in twins:
        html = path.read_text(encoding="utf-8")
        assert "<link" not in html
        assert not re.search(r"""(src|href)=["'](file:|/|\.\./)""", html)
        assert not re.search(r"""src=["']https?:""", html)
        assert "@font-face" not in html
        for url in re.findall(r"url\(([^)]*)\)", html):
            assert url.strip() in ("none",), url


def test_twins_have_language_landmarks_skip_link_and_table_headers(twins):
    for path in twins:
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html lang="(en-GB|cy)">', html)
        assert '<a class="skip-link" href="#content">' in html and '<main id="content">' in html
        assert html.count("<h1") == 1
        if "<table class=\"progress-table\"" in html:
            assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row"' in html


def test_images_are_embedded_with_their_alt_text(twins):
    (northmoor,) = [p for p in twins if p.parent.name == "northmoor"]
    html = northmoor.read_text(encoding="utf-8")
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="Bar chart of social work assessments' in html


def test_axe_core_finds_no_violations(twins, tmp_path):
    require_axe()
    for path in twins:
        assert axe_violations(path.read_text(encoding="utf-8"), path.name, tmp_path) == [], path.name


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
    assert twin.index("<style>" + SCREEN_CSS) < twin.index("</head>") < twin.index("<body>")


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
    assert render_standalone(page, *inputs) == page.replace("</head>", f"<style>{SCREEN_CSS}</style>\n</head>")
