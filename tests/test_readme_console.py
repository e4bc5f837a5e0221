"""Every ``$ evidencekit …`` command in a ```console block of README.md (and docs/*.md) that can
run offline prints, today, the lines the block shows after it.

The commands run once each, in one temporary copy of examples/ (the repository's root as the
working folder, as the README implies; ``examples/`` itself for the commands that name
``access-project-rows.yaml`` bare), with ``SOURCE_DATE_EPOCH=0``. ``batch`` runs as a real
process (it starts worker processes; its stdout and stderr are read as one stream, in the
order a terminal shows them); every other command through click's CliRunner, its stdout lines
followed by its stderr lines (each command shown prints to one of them). The comparison is
exact, line by line, with these normalisations and no others:

- ``scored 3/13 (0 failed), 9/s, about 1 s left`` progress lines (stderr, timing-dependent)
  are dropped from the real output;
- a shown line that is only ``...`` or ``…`` (any indentation) stands for zero or more lines;
  the shown lines between such gaps must appear in order and contiguously, and a block that
  does not start (end) with a gap must match the output's first (last) lines;
- a command followed by ``# a.b[0].c`` prints JSON, and the block shows the value at that path
  of it (compared as parsed JSON).

Commands that cannot run here are in NOT_RUN with the reason; every command the blocks show
must be in RUNS or NOT_RUN, so a new or changed command fails the test until it is classified.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rubrics.test_rubric_docs import _console

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

#: A command line that runs evidencekit (possibly after ``mkfifo x;``).
EVIDENCEKIT = re.compile(r"(^|; )(\.venv/bin/)?evidencekit ")
PROGRESS = re.compile(r"^scored \d+/\d+ \(\d+ failed\), .* left$")
GAP = {"...", "…"}


def _blocks(text: str) -> Iterator[str]:
    """Each ```console block's text, dedented, ending with its closing fence line."""
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        if lines[at].strip() == "```console":
            indent = len(lines[at]) - len(lines[at].lstrip())
            end = next(i for i in range(at + 1, len(lines)) if lines[i].strip() == "```")
            body = [line[indent:] for line in lines[at + 1:end]]
            yield "\n".join([*body, "```"]) + "\n"
            at = end
        at += 1


def _shown() -> tuple[dict[str, list[str]], set[str]]:
    """Every evidencekit command of every console block -> the lines shown after it (its
    first block), and the commands shown more than once."""
    shown: dict[str, list[str]] = {}
    twice: set[str] = set()
    for page in PAGES:
        for block in _blocks(page.read_text(encoding="utf-8")):
            for line in block.splitlines():
                if line.startswith("$ ") and EVIDENCEKIT.search(line[2:]):
                    command = line[2:]
                    if command in shown:
                        twice.add(command)
                    else:
                        shown[command] = _console(block, command)
    return shown, twice


SHOWN, TWICE = _shown()


@dataclass(frozen=True)
class Run:
    """How to run a shown command: its working folder (relative to the temporary root)."""

    cwd: str = "."
    process: bool = False  # a real process (batch: worker processes), stdout+stderr merged


#: The commands the test runs (the key is the command as shown, after ``$ ``).
RUNS: dict[str, Run] = {
    ".venv/bin/evidencekit assess examples/goodgym.yaml": Run(),
    ".venv/bin/evidencekit analyse examples/goodgym.yaml": Run(),
    ".venv/bin/evidencekit analyse examples/story-friends-cluster-trial.yaml": Run(),
    ".venv/bin/evidencekit assess examples/goodgym.yaml --format json   "
    "# analysis.evaluations[0].outcomes[0].deciding": Run(),
    "evidencekit assess examples/goodgym.yaml --rubric all": Run(),
    "evidencekit assess examples/diabetes-peer-support.yaml --rubric rob2": Run(),
    "evidencekit assess examples/home-start.yaml --rubric all": Run(),
    "evidencekit assess examples/home-start.yaml --rubric grade": Run(),
    ".venv/bin/evidencekit analyse examples/access-project-rows.yaml": Run(),
    ".venv/bin/evidencekit power --n-per-group 100": Run(),
    ".venv/bin/evidencekit power --mdes 0.3 --format json": Run(),
    ".venv/bin/evidencekit power --clusters 40 --cluster-size 25 --icc 0.2": Run(),
    ".venv/bin/evidencekit batch examples --out round-1 --workers 2": Run(process=True),
    "evidencekit batch examples --out local --workers 2 --no-portfolio 2>/dev/null":
        Run(process=True),
    ".venv/bin/evidencekit batch examples/round.csv --out round-1 --workers 2":
        Run(process=True),
    "evidencekit assess examples/code-club.yaml --set alpha=nan": Run(),
    "mkfifo pipe.yaml; evidencekit assess pipe.yaml": Run(),
    "evidencekit assess /dev/zero": Run(),
    # ``round`` is made by the fixture: one application and evil.yaml -> /etc/shadow.
    "evidencekit batch round --out out": Run(process=True),
    "evidencekit batch round --out afile/sub": Run(process=True),
    # ``blocked/scores.xlsx`` is a folder, made by the fixture.
    "evidencekit batch examples --out blocked --no-portfolio": Run(process=True),
}

_FILES = "its input file is not given in the text, only described"
#: The commands the test does not run, and why.
NOT_RUN: dict[str, str] = {
    ".venv/bin/evidencekit assess examples/goodgym.yaml --format json":
        "the JSON is elided inside lines ('...,' within objects), not by whole lines",
    ".venv/bin/evidencekit serve": "starts a web server (a random port) and waits for Ctrl+C",
    "evidencekit self-assess --out my-programme.yaml":
        "an interactive questionnaire: the answers typed and most of its questions are elided",
    "evidencekit analyse access-project-rows.yaml --format json --dask-scheduler "
    "tcp://127.0.0.1:8799 > dask.json": "needs a running Dask scheduler",
    "evidencekit analyse access-project-rows.yaml --format json > local.json && cmp local.json "
    "dask.json && echo IDENTICAL": "compares with dask.json, written by a Dask cluster",
    "evidencekit assess access-project-rows.yaml --format json --dask-scheduler "
    "tcp://127.0.0.1:8799 > dask.json": "needs a running Dask scheduler",
    "evidencekit assess access-project-rows.yaml --format json > local.json && cmp local.json "
    "dask.json && echo IDENTICAL": "compares with dask.json, written by a Dask cluster",
    "evidencekit analyse access-project-rows.yaml --dask-scheduler tcp://127.0.0.1:1":
        "waits about 30 s for the connection to time out",
    "evidencekit batch examples --out round-1 --dask-scheduler tcp://127.0.0.1:8786 "
    "--no-portfolio": "needs a running Dask scheduler and workers",
    "evidencekit assess bad.yaml": _FILES,
    "evidencekit assess n.yaml": _FILES,
    "evidencekit assess deep.json": _FILES,
    "evidencekit assess many.yaml        # 100,000 unknown keys": _FILES,
    "evidencekit analyse links.yaml": _FILES,
    "evidencekit analyse big.yaml          # a 205 KB .xlsx holding one 200 MiB string": _FILES,
    "evidencekit analyse xxe.yaml          # an external entity in the sheet's XML": _FILES,
    "evidencekit analyse clusters.yaml     # 3,000,000 schools in a 60 MB CSV": _FILES,
    "evidencekit analyse chunk_big.yaml   # a 57 KB Parquet file: one row group of 586 MiB":
        _FILES,
    "evidencekit analyse lying.yaml     # the footer says 1,000 bytes; the page holds 586 MiB":
        _FILES,
    "evidencekit analyse footer_claim.yaml   # the last 8 bytes claim a 2 GiB footer": _FILES,
    "evidencekit analyse deep.yaml        # a struct nested 200 deep": _FILES,
    "evidencekit analyse line.yaml        # one 300 MiB line in an unmapped 'notes' column":
        _FILES,
    "evidencekit assess bad.yaml --rubric rob2": _FILES + " (the block above shows a part)",
    "evidencekit batch examples --out full/out           # a 200 KB tmpfs":
        "needs a full file system (a small tmpfs mount)",
    "evidencekit batch round --out ro/out                 # a read-only mount":
        "needs a read-only mount",
    "evidencekit rubric validate local_fund.yaml":
        "docs/rubrics.md: run on its worked example by tests/rubrics/test_rubric_docs.py",
    "evidencekit assess examples/goodgym.yaml --rubric local_fund.yaml":
        "docs/rubrics.md: run on its worked example by tests/rubrics/test_rubric_docs.py",
    "evidencekit rubric validate broken.yaml":
        "docs/rubrics.md: run on its worked example's mistakes by "
        "tests/rubrics/test_rubric_docs.py",
}

#: Shell commands (not evidencekit) whose output is checked too, after the runs above: each
#: -> the evidencekit command before it in its block (``cat out/errors.csv`` is shown twice).
SHELL_PDF = "pdftotext -f 1 -l 1 -layout round-1/portfolio.pdf - | sed -n 8,14p"
SHELL: dict[str, str] = {
    "cat out/errors.csv": "evidencekit batch round --out out",
    "ls blocked": "evidencekit batch examples --out blocked --no-portfolio",
    SHELL_PDF: ".venv/bin/evidencekit batch examples/round.csv --out round-1 --workers 2",
}


def _args(command: str) -> tuple[list[str], bool]:
    """The CLI arguments of a shown command, and whether its stderr is discarded."""
    words = shlex.split(command.split(";")[-1], comments=True)
    quiet = "2>/dev/null" in words
    words = [w for w in words if w != "2>/dev/null"]
    assert words[0] in {"evidencekit", ".venv/bin/evidencekit"}, command
    return words[1:], quiet


def _run(root: Path, command: str, how: Run) -> list[str]:
    args, quiet = _args(command)
    cwd = root / how.cwd
    if how.process:
        done = subprocess.run(
            [sys.executable, "-m", "evidencekit", *args], cwd=cwd, text=True, timeout=300,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else subprocess.STDOUT,
            env={**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONUNBUFFERED": "1"}, check=False)
        lines = done.stdout.splitlines()
    else:
        from evidencekit.cli import main

        with contextlib.chdir(cwd):
            out = CliRunner().invoke(main, args, catch_exceptions=False)
        lines = out.stdout.splitlines() + ([] if quiet else out.stderr.splitlines())
    return [line for line in lines if not PROGRESS.match(line)]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[str]]]:
    """Every command of RUNS and SHELL run once in one temporary copy: command -> lines."""
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "examples", root / "examples")
    (root / "round").mkdir()
    shutil.copy(REPO / "examples" / "code-club.yaml", root / "round")
    (root / "round" / "evil.yaml").symlink_to("/etc/shadow")
    (root / "afile").write_text("a file, not a folder\n", encoding="utf-8")
    os.mkfifo(root / "pipe.yaml")
    (root / "blocked" / "scores.xlsx").mkdir(parents=True)
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        lines = {command: _run(root, command, how) for command, how in RUNS.items()}
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
    lines["cat out/errors.csv"] = (root / "out" / "errors.csv").read_text(
        encoding="utf-8").splitlines()
    lines["ls blocked"] = ["  ".join(sorted(p.name for p in (root / "blocked").iterdir()
                                            if not p.name.startswith(".")))]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout",
                               str(root / "round-1" / "portfolio.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines[SHELL_PDF] = text.splitlines()[7:14]
    yield lines


def _matches(shown: list[str], real: list[str]) -> bool:
    """``shown`` is ``real`` with runs of lines replaced by gap lines (``...``/``…``)."""
    parts: list[list[str]] = [[]]
    for line in shown:
        if line.strip() in GAP:
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) == 1:
        return shown == real
    first, *middle, last = parts
    if real[:len(first)] != first or len(real) < len(first) + len(last):
        return False
    if last and real[len(real) - len(last):] != last:
        return False
    at, end = len(first), len(real) - len(last)
    for part in middle:
        found = next((i for i in range(at, end - len(part) + 1)
                      if real[i:i + len(part)] == part), None)
        if found is None:
            return False
        at = found + len(part)
    return True


def _at(value: Any, path: str) -> Any:
    for key, index in re.findall(r"(\w+)|\[(\d+)\]", path):
        value = value[key] if key else value[int(index)]
    return value


def test_every_command_shown_is_run_or_listed_with_its_reason() -> None:
    assert not set(RUNS) & set(NOT_RUN)
    assert not TWICE & set(RUNS), "a command run must be shown once (which output is it?)"
    assert set(SHOWN) == set(RUNS) | set(NOT_RUN), (
        set(SHOWN) ^ (set(RUNS) | set(NOT_RUN)))
    assert len(RUNS) >= 20


@pytest.mark.parametrize("command", [*RUNS, *SHELL])
def test_the_command_prints_the_lines_shown(command: str, real: dict[str, list[str]]) -> None:
    if command == SHELL_PDF and command not in real:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    shown = SHOWN[command] if command in SHOWN else _shown_shell(command)
    got = real[command]
    if " # " in command and "--format json" in command:
        expected = _at(json.loads("\n".join(got)), command.split(" # ", 1)[1].strip())
        assert json.loads("\n".join(shown)) == expected
        return
    if command in RUNS and not _args(command)[1]:
        assert shown, f"the README shows nothing after {command!r}"
    assert _matches(shown, got), "\n".join(
        ["shown (-) against printed (+):",
         *difflib.unified_diff(shown, got, "shown", "printed", lineterm="")])


def _shown_shell(command: str) -> list[str]:
    for page in PAGES:
        for block in _blocks(page.read_text(encoding="utf-8")):
            if f"$ {command}\n" in block and f"$ {SHELL[command]}\n" in block:
                return _console(block, command)
    raise AssertionError(f"no console block shows {command!r}")
