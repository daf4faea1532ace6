"""Every `reportgen` command the README and docs/meetings.md show parses: run with `--help`, it exits 0.

A renamed option or command then fails here instead of in an officer's
scheduler. Commands are taken from code blocks (shell, systemd, cron and
PowerShell lines) and from inline code; synopsis brackets are dropped.
"""

import re
import shlex

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs/meetings.md"]
# `reportgen ARGS` after a path, a prompt or a space; ARGS end where the shell line does.
INVOCATION = re.compile(r"(?:^|[\s/\\`'])reportgen(?:\.exe)?[ \t]+((?:\\\||[^|;&#`\n{}])+)")
POWERSHELL_ARGUMENT = re.compile(r"-Argument '([^']+)'")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def documented_commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        blocks = FENCE.findall(text)
        spans = re.findall(r"`([^`\n]+)`", FENCE.sub("", text))
        for chunk in [*blocks, *spans]:
            if "reportgen.exe" in chunk:
                found += [(doc.name, args) for args in POWERSHELL_ARGUMENT.findall(chunk)]
            for line in chunk.splitlines():
                if line.lstrip().startswith(("```", "$build", "$check", "$action")):
                    continue
                found += [(doc.name, m.group(1)) for m in INVOCATION.finditer(line)]
    # A command, not the root's own options (--version) or a placeholder (COMMAND --help).
    return sorted({(doc, args.strip()) for doc, args in found if re.match(r"[a-z]", args.strip())})


def arguments(text: str) -> list[str]:
    """Shell words of a documented command, without synopsis brackets and `\\|` escapes."""
    words = shlex.split(text.replace("\\|", "|").replace("[", " ").replace("]", " "))
    return [w for w in words if w not in ("...", "|")]


COMMANDS = documented_commands()


def test_the_docs_show_the_commands_an_officer_runs():
    shown = {" ".join(arguments(args)[:2]) for _, args in COMMANDS}
    for command in ("build --due", "due", "publish COUNCIL", "published", "validate", "schedule", "pack COUNCIL"):
        assert any(s.startswith(command) for s in shown), command
    scheduled = [args for doc, args in COMMANDS if doc == "meetings.md" and "--due" in args]
    assert any("--format both" in args for args in scheduled)


@pytest.mark.parametrize(("doc", "command"), COMMANDS)
def test_each_documented_command_parses(run_cli, doc, command):
    result = run_cli(*arguments(command), "--help")
    assert result.code == 0, f"{doc}: `reportgen {command}`: {result.err}"
    assert result.out.startswith("Usage:")
