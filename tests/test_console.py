"""The command line's surface: help text, version, exit codes, progress lines and plain messages."""

import re
from pathlib import Path

import pytest

from reportgen import __version__
from reportgen.cli.app import app
from reportgen.cli.console import ExitCode, Progress
from reportgen.pipeline.build import PaperOutcome

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_plain_metavars(run_cli, command):
    result = run_cli(*([command] if command else []), "--help")
    assert result.code == 0
    assert "Usage:" in result.out
    for programmer_type in ("<bool>", "%Y", "<str>", "<path>", "<int", "list["):
        assert programmer_type not in result.out, f"{command or 'reportgen'} --help shows {programmer_type}"


def test_version(run_cli):
    result = run_cli("--version")
    assert result.code == 0 and result.out.strip() == f"reportgen {__version__}"


def test_readme_exit_code_table_matches_the_enumeration():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| code | meaning |"):]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table.split("\n\n")[0], flags=re.M)}
    assert documented == {int(code) for code in ExitCode}


def test_exit_code_precedence():
    assert ExitCode.worst(ExitCode.PROBLEMS, ExitCode.DEADLINE) is ExitCode.DEADLINE
    assert ExitCode.worst(ExitCode.DEADLINE, ExitCode.INTERNAL, ExitCode.PROBLEMS) is ExitCode.INTERNAL
    assert ExitCode.worst(ExitCode.OK, ExitCode.PROBLEMS) is ExitCode.PROBLEMS
    assert ExitCode.worst(ExitCode.OK) is ExitCode.OK


def test_progress_in_a_log_names_the_format(tmp_path):
    class Log:
        lines: list[str] = []

        def write(self, text):
            self.lines.append(text)

        def flush(self):
            pass

        def isatty(self):
            return False

    log = Log()
    with Progress(stream=log) as progress:
        progress.update(PaperOutcome("haringey", "munro", "written", (tmp_path / "a.pdf",)), 1, 2)
        progress.update(PaperOutcome("haringey", "munro", "written", (tmp_path / "a.html",)), 2, 2)
    text = "".join(log.lines)
    assert "[1/2] haringey/munro (PDF): written" in text
    assert "[2/2] haringey/munro (HTML): written" in text


def test_check_on_a_file_that_is_not_a_pdf(run_cli, tmp_path):
    text = tmp_path / "minutes.docx"
    text.write_bytes(b"PK\x03\x04 a word document")
    result = run_cli("check", text)
    assert result.code == 1
    assert result.err.strip() == (f"{text}: this is not a PDF file (it has no %PDF- header); "
                                  "`reportgen check` checks PDF files, such as the papers in output/")
    assert "BytesIO" not in result.err + result.out and "Traceback" not in result.err


def test_a_damaged_pdf_is_a_finding_in_plain_words(run_cli, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    result = run_cli("check", broken)
    assert result.code == 1
    assert "not a readable PDF" in result.out and "BytesIO" not in result.out
