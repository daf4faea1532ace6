"""The accessible HTML twin: self-contained, structured, and clean under axe-core."""

import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

pytestmark = pytest.mark.samples
AXE = ROOT / "node_modules/axe-core/axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def twins(built_samples):
    paths = list(built_samples.files("html").values())
    assert len(paths) >= 5
    return paths


def test_twin_sits_beside_the_pdf_with_the_same_name(built_samples):
    names = sorted(p.name for p in (built_samples.out / "northmoor").iterdir())
    assert names == ["2012-10-15-childrens-scrutiny-munro-update.html", "2012-10-15-childrens-scrutiny-munro-update.pdf"]


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


def _axe(path, tmp_path):
    runner = (
        f"<script>{AXE.read_text(encoding='utf-8')}</script><script>"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}}}}).then(r => {{"
        "const pre = document.createElement('pre'); pre.id = 'axe-results';"
        "pre.textContent = JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})));"
        "document.body.appendChild(pre); });</script>"
    )
    probe = tmp_path / path.name
    probe.write_text(path.read_text(encoding="utf-8").replace("</body>", runner + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=30000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', result.stdout, re.S)
    assert found, f"axe did not report: {result.stderr[-500:]}"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def test_axe_core_finds_no_violations(twins, tmp_path):
    if not (CHROMIUM and AXE.is_file()):
        if os.environ.get("CI"):
            pytest.fail("CI needs chromium and node_modules/axe-core: run `make setup`")
        pytest.skip("chromium or axe-core missing: run `make setup` as root to install them")
    for path in twins:
        assert _axe(path, tmp_path) == [], path.name
