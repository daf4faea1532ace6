"""Published agenda packs and supplements: a paper that misses the published pack goes out as "Supplement 1".

Fenby's meeting (Monday 21 January 2013, publish by Friday 11 January) has
its pack published on the 10th; a roads paper added afterwards can then only
go in a supplement, with the reason it is late.
"""

import json

import pikepdf
import pdfplumber
import pytest
import yaml

from cycle_project import COUNCIL, council_dir, make_cycle_project, sha256

PACK = "2013-01-21-scrutiny-agenda-pack.pdf"
SUPPLEMENT = "2013-01-21-scrutiny-agenda-pack-supplement-1.pdf"
REASON = "The contractor's figures arrived on 14 January."


@pytest.fixture
def project(tmp_path):
    return make_cycle_project(tmp_path / "project")


def cli(run_cli, project, *args):
    return run_cli("-C", project, *args, cwd=project)


def add_late_paper(project):
    papers = council_dir(project) / "papers"
    (papers / "roads.yaml").write_text((papers / "parks.yaml").read_text().replace("Parks strategy", "Roads")
                                       .replace('item: "5"', 'item: "6"')
                                       .replace("The draft strategy for the district's parks, for comment.",
                                                "The roads maintenance programme for 2013-14."))
    with (council_dir(project) / "meetings.yaml").open("a") as meetings:
        meetings.write('      - item: "6"\n        title: Roads maintenance\n        paper: roads\n')


def test_a_supplement_without_a_published_pack_is_refused(run_cli, project):
    result = cli(run_cli, project, "pack", COUNCIL, "--meeting", "2013-01-21", "--supplement")
    assert result.code == 1
    assert ("no agenda pack of scrutiny on 2013-01-21 is recorded as published, so there is nothing to supplement"
            in result.err)
    assert not (project / "output").exists()


def test_a_late_paper_goes_out_as_supplement_1_with_its_reason(run_cli, project):
    assert cli(run_cli, project, "pack", COUNCIL, "--meeting", "2013-01-21").code == 0
    published = cli(run_cli, project, "publish", COUNCIL, "--pack", "2013-01-21", "--on", "2013-01-10",
                    "--by", "Sam Hale")
    assert published.code == 0 and published.out.startswith("published (agenda pack):")
    (pack,) = yaml.safe_load((council_dir(project) / "published.yaml").read_text())["packs"]
    assert (pack["papers"], pack["supplement"], pack["file"]) == (["budget", "parks"], 0, PACK)
    assert pack["sha256"] == sha256(council_dir(project) / "published" / PACK)
    assert pack["sha256"] == sha256(project / "output" / COUNCIL / PACK)

    add_late_paper(project)
    (meeting,) = json.loads(cli(run_cli, project, "due", "--today", "2013-01-14", "--json").out)["meetings"]
    items = {i["paper"]: i for i in meeting["items"] if i["paper"]}
    assert items["budget"]["status"] == "published" and not items["budget"]["supplement_only"]
    assert items["roads"]["status"] == "missed" and items["roads"]["supplement_only"]
    assert "so it can only go in a supplement now" in cli(run_cli, project, "due", "--today", "2013-01-14").out

    rebuilt = cli(run_cli, project, "pack", COUNCIL, "--meeting", "2013-01-21")
    assert rebuilt.code == 1 and "was published on 2013-01-10 and would now be different" in rebuilt.err
    assert sha256(project / "output" / COUNCIL / PACK) == pack["sha256"]
    unexplained = cli(run_cli, project, "pack", COUNCIL, "--meeting", "2013-01-21", "--supplement")
    assert unexplained.code == 1
    assert (f"councils/{COUNCIL}/meetings.yaml:20:9: meetings[0].items[3]: item 6 was not in the published "
            f"agenda pack, so it goes in supplement 1, which must say why it is late: add `late_reason:`"
            ) in unexplained.err

    meetings = council_dir(project) / "meetings.yaml"
    meetings.write_text(meetings.read_text() + f'        late_reason: "{REASON}"\n')
    made = cli(run_cli, project, "pack", COUNCIL, "--meeting", "2013-01-21", "--supplement")
    assert made.code == 0, made.err
    assert "Done: supplement 1 written: 2 pages, 1 paper, 0 attachments; machine checks passed" in made.err
    target = project / "output" / COUNCIL / SUPPLEMENT
    with pdfplumber.open(target) as pdf:
        texts = [" ".join(page.extract_text().split()) for page in pdf.pages]
    assert "Supplement 1 to the agenda: Overview and Scrutiny Committee" in texts[0]
    assert f"6 Roads maintenance 2 Why it is late: {REASON}" in texts[0]
    assert "Title: Roads" in texts[1] and not any("Budget" in t or "Parks" in t for t in texts)
    assert [t.split()[3:7] for t in texts] == [["Supplement", "1,", "page", "1"], ["Supplement", "1,", "page", "2"]]
    with pikepdf.open(target) as pdf:
        for page in pdf.pages:
            last = page.obj.Contents[-1].read_bytes()
            assert last.startswith(b"Q\n/Artifact <</Type /Pagination") and b"EMC" in last
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root][1:] == ["Item 6: Roads maintenance"]
        assert str(pdf.docinfo.Title).startswith("Supplement 1 to the agenda")

    done = cli(run_cli, project, "publish", COUNCIL, "--pack", "2013-01-21", "--supplement", "--on", "2013-01-15")
    assert done.code == 0 and done.out.startswith("published (supplement 1):")
    later = json.loads(cli(run_cli, project, "due", "--today", "2013-01-16", "--json").out)
    assert later["meetings"][0]["items"][3]["status"] == "published late" and not later["alert"]
    listed = cli(run_cli, project, "published").out
    assert "supplement 1" in listed and "holds roads" in listed
