"""Every way out of the project (issue 5, item 4): the secret file's contents appear in no output.

A secret folder outside the project holds a text file, a stylesheet and an
SVG, each carrying one unique token. Each council in one project tries one
route to it: Markdown in records, images named in records, council templates
(<img>, <link rel=attachment>, <link rel=stylesheet>, <object>, <embed>,
<iframe>, inline SVG, <base>, <style>@import), council stylesheets (url(),
@import, @font-face, content:), symbolic links, `../` paths, absolute paths,
file:// and http(s):// URLs. One real `reportgen build` runs them all; then
the token is looked for in every file written (raw bytes, every decompressed
PDF stream, attachments, extracted text), in the HTML each paper renders to,
and in everything printed. A route that names a resource outside must also
fail its own paper with a message naming that resource.
"""

from __future__ import annotations

import re
import shutil

import pytest

from hostile import (
    BASE_PAPER, TOKEN, Fixture, add_council, make_project, pdf_leaks, pdf_link_uris, rendered_html,
    run_subprocess,
)

REFUSED = "(only files of the style and the council may be used)"


def cover(html: str) -> str:
    return f'{{% extends "base/paper.html" %}}\n{{% block cover %}}{html}{{% endblock %}}\n'


def with_figure(file: str) -> str:
    return BASE_PAPER.read_text().replace(
        "    recommendations: [R2]",
        f"    recommendations: [R2]\n    figures:\n      - file: {file}\n        alt: Assessments completed each month",
    )


# slug -> (what to write, expected outcome). Outcomes: ("failed", fragment of the
# build failure), ("invalid", fragment of an input error), ("written", None).
ROUTES: dict[str, tuple[dict, tuple[str, str | None]]] = {
    # council templates
    "tpl-img-relative": ({"templates/paper.html": cover('<img alt="x" src="../../../secret/secret.svg">')},
                         ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-img-absolute": ({"templates/paper.html": cover('<img alt="x" src="{secret}/secret.svg">')},
                         ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-img-file-url": ({"templates/paper.html": cover('<img alt="x" src="{secret_url}/secret.svg">')},
                         ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-img-http": ({"templates/paper.html": cover('<img alt="x" src="http://127.0.0.1:9/secret.svg">')},
                     ("failed", "refused http://127.0.0.1:9/secret.svg " + REFUSED)),
    "tpl-img-https": ({"templates/paper.html": cover('<img alt="x" src="https://example.invalid/secret.svg">')},
                      ("failed", "refused https://example.invalid/secret.svg " + REFUSED)),
    "tpl-attachment": ({"templates/paper.html": cover('<link rel="attachment" href="{secret_url}/secret.txt">')},
                       ("failed", "refused {secret_url}/secret.txt " + REFUSED)),
    "tpl-attachment-anchor": ({"templates/paper.html": cover('<a rel="attachment" href="../../../secret/secret.txt">x</a>')},
                              ("failed", "refused {secret_url}/secret.txt " + REFUSED)),
    "tpl-stylesheet": ({"templates/paper.html": cover('<link rel="stylesheet" href="{secret_url}/secret.css">')},
                       ("failed", "refused {secret_url}/secret.css " + REFUSED)),
    "tpl-object": ({"templates/paper.html": cover('<object data="{secret_url}/secret.svg" type="image/svg+xml"></object>')},
                   ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-embed": ({"templates/paper.html": cover('<embed src="{secret_url}/secret.svg" type="image/svg+xml">')},
                  ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-iframe": ({"templates/paper.html": cover('<h1>{{ paper.title }}</h1><iframe src="{secret_url}/secret.txt"></iframe>')},
                   ("written", None)),  # WeasyPrint does not load iframes at all
    "tpl-inline-svg": ({"templates/paper.html": cover(
        '<svg width="10" height="10"><image href="{secret_url}/secret.svg" width="10" height="10"/></svg>')},
        ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "tpl-base-href": ({"templates/paper.html": cover('<base href="{secret_url}/"><link rel="stylesheet" href="secret.css">')},
                      ("failed", "refused {secret_url}/secret.css " + REFUSED)),
    "tpl-style-import": ({"templates/paper.html": cover('<style>@import url("{secret_url}/secret.css");</style>')},
                         ("failed", "refused {secret_url}/secret.css " + REFUSED)),
    "tpl-other-council": ({"templates/paper.html": cover('<img alt="x" src="../victim/private.svg">')},
                          ("failed", "refused file://{project}/councils/victim/private.svg " + REFUSED)),
    # council stylesheets
    "css-url-relative": ({"templates/style.css": "body { background: url(../../../../secret/secret.svg) }"},
                         ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "css-url-absolute": ({"templates/style.css": 'body { background: url("{secret}/secret.svg") }'},
                         ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "css-url-file": ({"templates/style.css": "body { background: url({secret_url}/secret.svg) }"},
                     ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "css-import-relative": ({"templates/style.css": '@import "../../../../secret/secret.css";'},
                            ("failed", "refused {secret_url}/secret.css " + REFUSED)),
    "css-import-file": ({"templates/style.css": '@import url("{secret_url}/secret.css");'},
                        ("failed", "refused {secret_url}/secret.css " + REFUSED)),
    "css-font-face": ({"templates/style.css":
                       "@font-face { font-family: X; src: url({secret_url}/secret.txt) } body { font-family: X }"},
                      ("failed", "refused {secret_url}/secret.txt " + REFUSED)),
    "css-content-url": ({"templates/style.css": "h2::before { content: url({secret_url}/secret.svg) }"},
                        ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    "css-https": ({"templates/style.css": '@import url("https://example.invalid/x.css");'},
                  ("failed", "refused https://example.invalid/x.css " + REFUSED)),
    # an SVG inside the council folder that reaches out
    "svg-reaches-out": ({"papers/update.yaml": with_figure("images/chart.svg"),
                         "images/chart.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                             '<image href="{secret_url}/secret.svg" width="10" height="10"/></svg>'},
                        ("failed", "refused {secret_url}/secret.svg " + REFUSED)),
    # images named in records
    "fig-dotdot": ({"papers/update.yaml": with_figure("images/../../../../secret/secret.svg")},
                   ("invalid", "sections[0].figures[0].file: '..' is not allowed")),
    "fig-absolute": ({"papers/update.yaml": with_figure("{secret}/secret.svg")},
                     ("invalid", "sections[0].figures[0].file: a path inside the council folder is expected")),
    "fig-file-url": ({"papers/update.yaml": with_figure("{secret_url}/secret.svg")},
                     ("invalid", "sections[0].figures[0].file: a file in the council folder is expected, not a URL")),
    "fig-https": ({"papers/update.yaml": with_figure("https://example.invalid/secret.svg")},
                  ("invalid", "sections[0].figures[0].file: a file in the council folder is expected, not a URL")),
    # Markdown in records
    "md-links": ({"papers/update.yaml": BASE_PAPER.read_text().replace(
        "    body: Progress since the last report.",
        "    body: >-\n      [a]({secret_url}/secret.txt) [b](../../../secret/secret.txt) [c]({secret}/secret.txt)\n"
        "      ![d]({secret_url}/secret.svg) [e](javascript:alert(1)) <{secret_url}/secret.txt>\n"
        '      <img src="{secret_url}/secret.svg"> <link rel="attachment" href="{secret_url}/secret.txt">')},
        ("written", None)),
    # symbolic links
    "link-stylesheet": ({"templates/style.css": ("link", "secret.css")},
                        ("failed", "refused file://{project}/councils/link-stylesheet/templates/style.css, "
                                   "a symbolic link to {secret}/secret.css " + REFUSED)),
    "link-templates-folder": ({"templates": ("link", "")},
                              ("invalid", "templates: the council's templates folder is a symbolic link to a folder "
                                          "outside the council")),
    "link-figure": ({"papers/update.yaml": with_figure("images/chart.svg"), "images/chart.svg": ("link", "secret.svg")},
                    ("invalid", "sections[0].figures[0].file: 'images/chart.svg' leads outside the council folder")),
    "link-logo": ({"council.yaml": (BASE_PAPER.parent.parent / "council.yaml").read_text()
                   + "logo:\n  file: images/logo.svg\n  alt: The council's crest\n",
                   "images/logo.svg": ("link", "secret.svg")},
                  ("invalid", "logo: 'images/logo.svg' leads outside the council folder")),
    "link-record": ({"papers/leak.yaml": ("link", "paper.yaml")},
                    ("invalid", "this file is a symbolic link to {secret}/paper.yaml, outside its folder")),
}


def _write(fixture: Fixture, slug: str, files: dict) -> None:
    folder = add_council(fixture, slug)
    for rel, content in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):  # ("link", name in the secret folder)
            if target.is_dir():
                shutil.rmtree(target)
            target.symlink_to(fixture.secret / content[1])
        else:
            target.write_text(fixture.subst(content))


@pytest.fixture(scope="module")
def escape_run(tmp_path_factory):
    """One project with a council per route, built once by a real `reportgen build`."""
    fixture = make_project(tmp_path_factory.mktemp("escapes"))
    (fixture.secret / "style.css").write_text(f'body::after {{ content: "{TOKEN}" }}\n')
    (fixture.secret / "paper.yaml").write_text(BASE_PAPER.read_text().replace("Munro update", TOKEN))
    victim = add_council(fixture, "victim")
    (victim / "private.svg").write_text((fixture.secret / "secret.svg").read_text())
    # A council folder that is itself a link to elsewhere must keep working.
    elsewhere = fixture.project.parent / "elsewhere"
    shutil.copytree(BASE_PAPER.parent.parent, elsewhere / "linked-council")
    (elsewhere / "linked-council/templates").mkdir()
    (elsewhere / "linked-council/templates/style.css").write_text("h2 { color: #00467f }\n")
    (fixture.project / "councils/linked-council").symlink_to(elsewhere / "linked-council")
    for slug, (files, _) in ROUTES.items():
        _write(fixture, slug, files)
    done = run_subprocess(["-C", fixture.project, "build", "--out", fixture.out_dir], fixture.project)
    failures = dict(re.findall(r"^(\S+)/update: build failed: (.*)$", done.stderr, re.M))
    return fixture, done, failures


@pytest.mark.parametrize("slug", list(ROUTES))
def test_route_is_closed(slug, escape_run):
    fixture, done, failures = escape_run
    outcome, fragment = ROUTES[slug][1]
    pdf = fixture.out_dir / slug / "2013-01-21-scrutiny-update.pdf"
    if outcome == "failed":
        assert slug in failures, done.stderr
        assert fixture.subst(fragment) in failures[slug]
        assert not pdf.exists()
    elif outcome == "invalid":
        lines = [line for line in done.stderr.splitlines() if line.startswith(f"councils/{slug}/")]
        assert any(fixture.subst(fragment) in line for line in lines), done.stderr
        assert not pdf.exists()
    else:
        assert slug not in failures and pdf.is_file(), done.stderr
        assert pdf_leaks(pdf) == []
        assert not [u for u in pdf_link_uris(pdf) if not u.startswith(("https:", "http:", "mailto:"))]


def test_the_run_itself(escape_run):
    fixture, done, failures = escape_run
    assert done.returncode == 1  # some papers were refused
    assert "Traceback" not in done.stdout + done.stderr
    for good in ("tiny", "victim", "linked-council", "tpl-iframe", "md-links"):
        assert (fixture.out_dir / good / "2013-01-21-scrutiny-update.pdf").is_file(), (good, done.stderr)


def test_secret_is_in_no_output(escape_run):
    fixture, done, _ = escape_run
    assert TOKEN not in done.stdout + done.stderr
    written = [p for p in fixture.out_dir.rglob("*") if p.is_file()]
    assert len([p for p in written if p.suffix == ".pdf"]) >= 5
    for path in written:
        assert TOKEN.encode() not in path.read_bytes(), path
        if path.suffix == ".pdf":
            assert pdf_leaks(path) == [], path


def test_secret_is_in_no_rendered_html(escape_run):
    fixture, _, _ = escape_run
    documents = rendered_html(fixture.project)
    assert len(documents) >= 25
    for name, document in documents.items():
        assert TOKEN not in document, name


@pytest.mark.parametrize("route", ["template-file", "templates-folder"])
def test_template_symlinks_are_refused(route, tmp_path):
    fixture = make_project(tmp_path)
    templates = fixture.project / "councils/tiny/templates"
    if route == "template-file":
        templates.mkdir()
        (templates / "paper.html").write_text(cover('<h1>{{ paper.title }}</h1>{% include "leak.html" %}'))
        (templates / "leak.html").symlink_to(fixture.secret / "secret.txt")
    else:
        (fixture.secret / "paper.html").write_text(cover("<h1>{{ paper.title }}</h1>{% include 'secret.txt' %}"))
        templates.symlink_to(fixture.secret)
    assert all(TOKEN not in html for html in rendered_html(fixture.project).values())
    done = run_subprocess(["-C", fixture.project, "build", "--out", fixture.out_dir], fixture.project)
    assert TOKEN not in done.stdout + done.stderr
    for pdf in fixture.out_dir.rglob("*.pdf"):
        assert pdf_leaks(pdf) == []
    assert done.returncode == 1 and "symbolic link" in done.stderr


def test_the_detector_finds_a_planted_token(tmp_path):
    """The leak detector itself works: a token in the text and in an attachment (data: URLs are allowed) is found."""
    from reportgen.pipeline.build import build
    from reportgen.inputs.project import Project

    fixture = make_project(tmp_path)
    paper = fixture.project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text().replace("Nothing further.", f"Planted {TOKEN}"))
    (fixture.project / "councils/tiny/templates").mkdir()
    (fixture.project / "councils/tiny/templates/paper.html").write_text(
        '{% extends "base/paper.html" %}\n{% block cover %}{{ super() }}'
        f'<link rel="attachment" title="planted" href="data:text/plain,{TOKEN}">{{% endblock %}}\n')
    report = build(Project.at(fixture.project), ["tiny"], out_dir=fixture.out_dir)
    assert report.ok, [o.message for o in report.outcomes]
    (pdf,) = fixture.out_dir.rglob("*.pdf")
    found = pdf_leaks(pdf)
    assert "text" in found and any(f.startswith(("attachment", "stream")) for f in found), found


def test_a_linked_papers_folder_is_refused(tmp_path):
    fixture = make_project(tmp_path)
    papers = fixture.project / "councils/tiny/papers"
    outside = fixture.secret / "papers"
    papers.rename(outside)
    papers.symlink_to(outside)
    done = run_subprocess(["-C", fixture.project, "validate"], fixture.project)
    assert done.returncode == 1
    assert "councils/tiny/papers: this folder is a symbolic link to" in done.stderr
    assert "records must be real files in the council's folder" in done.stderr
