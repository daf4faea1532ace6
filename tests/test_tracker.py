"""Tracker export and import (issue 18): round trips, a tracker edited as a colleague would, refusals."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from reportgen.errors import InputError
from reportgen.inputs.models import Progress
from reportgen.inputs.project import Project
from reportgen.inputs.records import read_council
from reportgen.tracker.export import export_tracker
from reportgen.tracker.importing import import_tracker
from tracker_project import COUNCIL, progress_file, tracker_project, with_cached_value

APRIL = dt.date(2013, 3, 28)


@pytest.fixture
def project(tmp_path):
    return Project.at(tracker_project(tmp_path / "project"))


def records(project):
    found, problems = read_council(project, COUNCIL)
    assert found is not None, problems
    return found.progress


def exported(project, tmp_path, suffix=".xlsx", record="play-2013-01"):
    target = tmp_path / f"tracker{suffix}"
    export_tracker(project, COUNCIL, record, target)
    return target


def failure(call) -> list[str]:
    with pytest.raises(InputError) as caught:
        call()
    return [str(d) for d in caught.value.diagnostics]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_unchanged_gives_the_same_record(project, tmp_path, suffix):
    original = records(project)["play-2013-01"]
    imported = import_tracker(project, COUNCIL, exported(project, tmp_path, suffix), APRIL, "again")
    assert imported.record == original.model.model_copy(update={"as_at": APRIL})
    assert imported.changed == [] and sorted(imported.unchanged) == ["P1", "P2", "P3", "P4", "P5"]
    assert records(project)["again"].model == imported.record
    text = progress_file(project.root, "again").read_text()
    assert "  # Youth workers\n  P4:" in text, "comments above entries are kept"
    assert "budget_code: YS-104" in text, "extra fields the tracker does not show are kept"


def test_the_workbook_is_laid_out_for_colleagues(project, tmp_path):
    book = openpyxl.load_workbook(exported(project, tmp_path))
    sheet = book["Tracker"]
    assert [c.value for c in sheet[1]] == ["Ref", "Group", "Recommendation", "Government response",
                                           "Eastbrook response", "Timeline", "Target date", "Lead officers",
                                           "Progress", "Exempt"]
    assert [c.value for c in sheet["A"]][1:] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert sheet["D3"].value == "Further consideration", "the Government's response as at the record's date"
    assert sheet.freeze_panes == "B2" and sheet.protection.sheet
    assert sheet["C2"].protection.locked and not sheet["E2"].protection.locked
    assert sheet["C2"].fill.start_color.rgb.endswith("E7E9EE") and sheet["E2"].alignment.wrap_text
    assert book["reportgen"].sheet_state == "hidden"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists == {"I2:I7": "reportgen!$C$1:$C$5", "H2:H7": "reportgen!$D$1:$D$3"}
    assert [book["reportgen"].cell(i, 3).value for i in range(1, 6)] == [
        "Not started", "In progress", "Ongoing", "Complete", "Not applicable"]
    assert exported(project, tmp_path).read_bytes() == exported(project, tmp_path).read_bytes(), "deterministic"


def test_a_tracker_filled_in_as_colleagues_do(project, tmp_path):
    path = exported(project, tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Tracker"]
    sheet["E2"] = sheet["E2"].value + "  \n"  # trailing spaces and a new line: unchanged
    sheet["E3"] = "Four schools now open their grounds on Saturdays."
    sheet["I3"] = "complete "
    sheet["G6"] = dt.datetime(2013, 6, 30)  # an Excel date
    sheet["H6"] = "Lena Ortiz; sam-reid"
    sheet["E7"] = "Caseloads are reviewed each quarter."
    sheet["I7"] = "Ongoing"
    sheet["F7"] = 2014  # a number where text is expected
    sheet.insert_rows(5)  # a blank row
    sheet.merge_cells("H3:H4")  # one lead for two rows
    book.save(path)
    imported = import_tracker(project, COUNCIL, path, APRIL)
    assert imported.path.name == "play-2013-03.yaml"
    record = imported.record
    before = records(project)["play-2013-01"].model.entries
    assert record.entries["P1"] == before["P1"], "unchanged text is kept byte for byte"
    assert record.entries["P2"].status.value == "complete"
    assert record.entries["P2"].response == "Four schools now open their grounds on Saturdays."
    assert record.entries["P3"].leads == ["sam-reid", "lena-ortiz"], "the merged cell counts for both rows"
    assert record.entries["P5"].target_date == dt.date(2013, 6, 30) and record.entries["P5"].leads == ["lena-ortiz", "sam-reid"]
    assert record.entries["P6"].timeline == "2014" and record.entries["P6"].status.value == "ongoing"
    assert sorted(imported.changed) == ["P2", "P3", "P5", "P6"]


def test_bad_cells_are_reported_at_their_sheet_and_cell_and_nothing_is_written(project, tmp_path):
    path = exported(project, tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["Tracker"]
    sheet["I7"] = "Nearly done"
    sheet["I7"].value = "Nearly done"
    sheet["E7"] = "Started."
    sheet["H2"] = "Joe Blakey"
    sheet["A4"] = "P9"
    sheet["G3"] = "soon"
    book.save(path)
    messages = failure(lambda: import_tracker(project, COUNCIL, path, APRIL))
    assert f"{path.name}: Tracker!I7: status: expected one of 'complete', 'in progress', 'not applicable', " \
           "'not started', 'ongoing'; got 'Nearly done'" in " ".join(m.replace(str(path.parent) + "/", "")
                                                                      for m in messages)
    joined = "\n".join(messages)
    assert "Tracker!H2: lead_officers: no officer 'Joe Blakey' in council.yaml (did you mean 'Joe Blake'?)" in joined
    assert "Tracker!A4: recommendation: no recommendation 'P9' in the review 'Play Review'" in joined
    assert "Tracker!G3: target_date: expected a date written YYYY-MM-DD" in joined
    assert not progress_file(project.root, "play-2013-03").exists()


def test_a_formula_uses_its_saved_value_and_one_without_is_an_error(project, tmp_path):
    path = exported(project, tmp_path)
    with_cached_value(path, "F2", '"By "&amp;"June 2013"', "By June 2013")
    assert import_tracker(project, COUNCIL, path, APRIL).record.entries["P1"].timeline == "By June 2013"
    book = openpyxl.load_workbook(path)
    book["Tracker"]["F3"] = '="By "&"May"'  # openpyxl saves no value with it
    book.save(path)
    assert any("Tracker!F3: timeline: this formula has no saved value" in m
               for m in failure(lambda: import_tracker(project, COUNCIL, path, APRIL, "other")))


def test_trackers_of_another_council_or_record_are_refused(project, tmp_path):
    path = exported(project, tmp_path)
    book = openpyxl.load_workbook(path)
    book["reportgen"]["B2"] = "westbrook"
    book.save(path)
    assert "this tracker is of the council 'westbrook', not 'eastbrook'" in failure(
        lambda: import_tracker(project, COUNCIL, path, APRIL))[0]
    csv_path = exported(project, tmp_path, ".csv")
    csv_path.write_bytes(csv_path.read_bytes().replace(b"record=play-2013-01", b"record=play-2012-10"))
    assert "exported from the record 'play-2012-10', which eastbrook does not have" in failure(
        lambda: import_tracker(project, COUNCIL, csv_path, APRIL))[0]
    csv_path = exported(project, tmp_path, ".csv")
    assert "--as-at 2013-01-01 is not after the record" in failure(
        lambda: import_tracker(project, COUNCIL, csv_path, dt.date(2013, 1, 1)))[0]


def test_macro_enabled_encrypted_and_old_files_are_refused(project, tmp_path):
    macro = tmp_path / "tracker.xlsm"
    macro.write_bytes(exported(project, tmp_path).read_bytes())
    assert "macro-enabled workbook" in failure(lambda: import_tracker(project, COUNCIL, macro, APRIL))[0]
    # An encrypted workbook is a compound file holding an EncryptedPackage stream (MS-OFFCRYPTO).
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le"))
    assert "password-protected (encrypted)" in failure(lambda: import_tracker(project, COUNCIL, encrypted, APRIL))[0]
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "old-format Excel file" in failure(lambda: import_tracker(project, COUNCIL, old, APRIL))[0]


def test_a_council_layout_imports_its_own_sheet(project, tmp_path):
    (project.root / "councils" / COUNCIL / "tracker.yaml").write_text(
        "reference: play-review\nsheet: Actions\nheader_row: 2\ncolumns:\n  recommendation: Rec No.\n"
        "  response: Update\n  status: RAG status\n  lead_officers: Owner\nstatuses:\n  Done: complete\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Eastbrook actions tracker"])
    sheet.append(["Owner", "RAG status", "Update", "Rec No."])
    sheet.append(["Joe Blake", "Done", "All gaps are filled.", 1])
    sheet.append(["Sam Reid", "in progress", "Caseloads are under review.", "6"])
    path = tmp_path / "ours.xlsx"
    book.save(path)
    imported = import_tracker(project, COUNCIL, path, APRIL)
    entries = imported.record.entries
    assert entries["P1"].status.value == "complete" and entries["P1"].response == "All gaps are filled."
    assert entries["P1"].timeline == "By March 2013", "fields the layout has no column for are kept"
    assert entries["P6"].leads == ["sam-reid"] and entries["P6"].status.value == "in progress"
    assert entries["P4"] == records(project)["play-2013-01"].model.entries["P4"], "rows it lacks are kept"


def test_cli_round_trip_and_exit_codes(project, tmp_path, run_cli):
    result = run_cli("-C", project.root, "export", COUNCIL, "--progress", "play-2013-01", "--to", tmp_path / "t.csv")
    assert result.code == 0, result.err
    result = run_cli("-C", project.root, "import", COUNCIL, tmp_path / "t.csv", "--as-at", "2013-03-28")
    assert result.code == 0, result.err
    assert result.out.strip().endswith("play-2013-03.yaml") and "0 changed, 5 unchanged" in result.err
    result = run_cli("-C", project.root, "import", COUNCIL, tmp_path / "t.csv", "--as-at", "2013-03-28")
    assert result.code == 1 and "play-2013-03.yaml already exists" in result.err and "Traceback" not in result.err
    assert isinstance(records(project)["play-2013-03"].model, Progress)
