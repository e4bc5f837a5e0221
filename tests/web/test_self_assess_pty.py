"""``evidencekit self-assess`` driven end to end in a pseudo-terminal, 100 columns wide, as a
person would type: a design answered in words ("before and after"), a stop with Ctrl+C in the
middle of an evaluation, and a second run that carries on where it stopped and ends with the
PDF report."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import yaml

import evidencekit

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """A command in a pseudo-terminal of a given size; ``expect`` reads until a text shows."""

    def __init__(self, args: list[str], cwd: Path, columns: int = 100) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
                                     env=env, start_new_session=True)
        os.close(slave)
        self.seen = ""
        self.pos = 0

    def read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536).decode("utf-8", errors="replace")
        except OSError:
            return False
        self.seen += ANSI.sub("", chunk).replace("\r\n", "\n")
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60.0) -> str:
        """Wait for ``text`` after what was already matched; returns the output up to it."""
        end = time.monotonic() + timeout
        while text not in self.seen[self.pos:]:
            if time.monotonic() > end or (not self.read(0.2) and self.proc.poll() is not None):
                raise AssertionError(f"waited for {text!r}; the end of the output was:\n"
                                     + self.seen[-3000:])
        at = self.seen.index(text, self.pos) + len(text)
        before, self.pos = self.seen[self.pos:at], at
        return before

    def next_prompt(self, timeout: float = 60.0) -> str:
        """Wait until the command waits for input (its output ends with ': ' and stays
        quiet); returns the output since the last match."""
        end = time.monotonic() + timeout
        while True:
            if self.seen.endswith(": ") and len(self.seen) > self.pos and not self.read(0.4):
                break
            if time.monotonic() > end:
                raise AssertionError("no prompt; the end of the output was:\n"
                                     + self.seen[-3000:])
            if not self.read(0.2) and self.proc.poll() is not None:
                raise AssertionError("the command ended:\n" + self.seen[-3000:])
        before, self.pos = self.seen[self.pos:], len(self.seen)
        return before

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\r").encode("utf-8"))

    def answer(self, prompt: str, line: str) -> str:
        out = self.expect(prompt)
        self.send(line)
        return out

    def interrupt(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)

    def finish(self, timeout: float = 120.0) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self.read(0.2)
        while self.read(0.1):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=5)


def _command() -> list[str]:
    return [sys.executable, "-m", "evidencekit", "self-assess", "--out", "mine.yaml"]


def test_word_answers_a_stop_and_carrying_on_in_a_terminal(tmp_path: Path) -> None:
    t = Terminal(_command(), tmp_path)
    t.answer("Programme name:", "Reading Buddies")
    for _ in range(3):
        t.answer("(optional):", "")
    t.answer("The problem or need you address (optional):", "Children read below their age")
    t.answer("activities) (separate several with ';') (optional):", "Reading with volunteers")
    t.answer("(intended outcomes) (separate several with ';') (optional):", "Better reading")
    t.answer("Why the activities should lead to those changes (optional):", "Practice helps")
    t.answer("(optional):", "")
    t.answer("(optional):", "")
    t.answer("Cost per participant (optional):", "£450")
    t.expect("currency symbol was left out")
    t.answer("Currency (optional):", "pounds")
    t.expect("→ GBP")
    t.answer("(optional):", "")
    for _ in range(3):
        t.answer("(yes / no / not sure) [not sure]:", "")
    t.answer("(optional):", "")
    t.answer("(yes / no / not sure) [not sure]:", "")
    t.answer("Type a to add an evaluation; press Enter when done:", "a")
    t.answer("A short name for this evaluation:", "Survey 2023")
    t.answer("How was it done? (1-5, or its words):", "a survey")  # not a choice
    t.expect("Error: Choose one of: 1 Before and after; 2 After only;")
    t.answer("How was it done? (1-5, or its words):", "before and after")
    t.expect("→ Before and after")
    for _ in range(2):
        t.answer("(optional):", "")
    t.answer("(yes / no / not sure) [not sure]:", "")
    t.answer("(optional):", "")
    t.answer("(yes / no / not sure) [not sure]:", "")
    t.answer("What was measured:", "Reading age (months)")
    t.answer("What kind of measure is it? (1-2, or its words) [1]:", "a score")
    t.expect("→ A score or measurement")
    t.answer("Which direction is good? (1-2, or its words) [1]:", "")
    t.answer("(optional):", "")
    t.answer("How will you give the results? (1-2, or its words) [1]:", "")
    t.answer("Before: people analysed:", "80")  # the before-and-after numbers are asked
    t.answer("Before: average:", "96.5")
    t.answer("Before: standard deviation (SD):", "11")
    t.expect("After: people analysed:")
    time.sleep(0.5)
    t.interrupt()  # stopped in the middle of the evaluation
    t.finish()
    first = t.seen
    assert (tmp_path / "mine.yaml").exists()  # what was answered is in the file already
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    assert doc["costs"] == {"per_participant": 450, "currency": "GBP"}
    assert "evaluations" not in doc  # the unfinished evaluation is never written half-done

    t = Terminal(_command(), tmp_path)
    menu = t.expect("Which part? (1-7; Enter: 5, where you left off)")
    assert "✓ 1. About your programme — 1 of 4 answered" in menu
    assert "5. Evaluations — none yet; one being typed" in menu
    t.send("")
    asked = t.answer("with it? (yes / no) [yes]:", "")
    assert "You were in the middle of 'Survey 2023' (Before and after" in asked
    skipped = t.expect("After: people analysed:")  # straight to the next question
    assert "Programme name" not in skipped and "Before: average" not in skipped
    t.send("80")
    t.answer("After: average:", "104")
    t.answer("After: standard deviation (SD):", "10.5")
    t.answer("Correlation between before and after (optional):", "0.6")
    t.answer("to change or remove it; press Enter when done:", "1")
    t.answer("Enter to keep it as it is:", "c")
    t.answer("A short name for this evaluation [Survey 2023]:", "Reading survey 2023")
    for _ in range(60):  # keep every other answer (Enter) up to the list again
        if "press Enter when done" in t.next_prompt():
            break
        t.send("")
    t.send("")
    while "Write the report as a PDF" not in t.next_prompt(timeout=120):
        t.send("")  # the framework's questions: not sure (Enter) for each
    result = t.seen[t.seen.rindex("Wrote mine.yaml."):]
    t.send("yes")
    t.expect("Wrote mine.pdf and mine.html.", timeout=180)
    assert t.finish() == 0
    assert "Verified level: 2" in result
    assert (tmp_path / "mine.pdf").read_bytes().startswith(b"%PDF-")
    doc = yaml.safe_load((tmp_path / "mine.yaml").read_text(encoding="utf-8"))
    [ev] = doc["evaluations"]  # changed, not deleted and added again
    assert ev["title"] == "Reading survey 2023" and ev["design"] == "pre_post"
    assert ev["outcomes"][0]["summary"]["pre"] == {"n": 80, "mean": 96.5, "sd": 11}
    assert ev["outcomes"][0]["summary"]["post"] == {"n": 80, "mean": 104, "sd": 10.5}
    assert evidencekit.assess(tmp_path / "mine.yaml").level == 2
    # Prompts and notes wrap between words inside the 100 columns (what the person typed
    # after a prompt is the terminal's to wrap). The two runs are two screens of lines: the
    # first may end on its last prompt (when the pty drops the "Aborted!" after it), and
    # that line is not the second run's first.
    for line in (first + "\n" + t.seen).splitlines():
        shown = line.rsplit(": ", 1)[0] + ": " if line.endswith(tuple(TYPED)) else line
        assert len(shown) <= 100, line


TYPED = ("Reading with volunteers", "Children read below their age", "Reading survey 2023")
