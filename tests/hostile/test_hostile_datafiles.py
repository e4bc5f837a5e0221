"""Hostile data paths (issue #12 item 1): nothing is read from outside a submission's folder.

A ``data:`` path is resolved (symbolic links included); it must stay inside the
submission's folder and be a regular file. Links out (to a system file, to another
applicant's folder, to ``/dev/zero``), FIFOs, devices and folders are refused with one
sentence that quotes nothing of what they hold; a link that resolves inside the folder is
read (an unpacked archive may link ``outcomes.csv`` to ``outcomes-2024.csv``: nothing the
applicant did not supply is read).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from evidencekit.load.data import FileRefused, open_inside, sha256_inside

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs, devices")

SECRET = "SECRET-LINE-root:$6$abcdefgh$notarealhash:19000:0:99999:7:::"
SUBMISSION = """schema: evidencekit/submission@1
programme:
  name: {name}
  organisation: Org {name}
evaluations:
  - id: trial
    design: rct
    outcomes:
      - name: score
        data: data/outcomes.csv
        columns: {{outcome: score, group: arm, treatment: tutored}}
"""
REFUSED = ("expected a regular .csv, .xlsx or .parquet file inside the submission's folder, "
           "found ")
LINK_OUT = "a symbolic link to something outside the submission's folder"


def _csv(path: Path) -> None:
    rng = random.Random(1)
    lines = ["arm,score"]
    for i in range(60):
        lines.append(f"{'tutored' if i % 2 else 'comparison'},{rng.gauss(50 + i % 2, 10):.2f}")
    path.write_text("\n".join(lines) + "\n")


def _applicant(round_dir: Path, name: str) -> Path:
    folder = round_dir / name
    (folder / "data").mkdir(parents=True)
    (folder / "submission.yaml").write_text(SUBMISSION.format(name=name))
    return folder


@pytest.fixture()
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir()
    path.write_text(SECRET + "\nsecond line\n")
    return path


def _analyse(folder: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evidencekit", "analyse",
                           str(folder / "submission.yaml")], capture_output=True, text=True,
                          timeout=timeout, cwd=folder.parent)


def _refused(result: subprocess.CompletedProcess[str], found: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert REFUSED + found in lines[0]
    assert "Traceback" not in result.stderr
    assert SECRET[:12] not in result.stderr + result.stdout


def test_link_to_a_file_outside_is_refused_and_quotes_nothing(tmp_path: Path,
                                                              secret: Path) -> None:
    evil = _applicant(tmp_path / "round", "evil")
    (evil / "data" / "outcomes.csv").symlink_to(secret)
    _refused(_analyse(evil), LINK_OUT)


def test_link_to_another_applicants_file_is_refused(tmp_path: Path) -> None:
    good = _applicant(tmp_path / "round", "good")
    _csv(good / "data" / "outcomes.csv")
    sibling = _applicant(tmp_path / "round", "sibling")
    (sibling / "data" / "outcomes.csv").symlink_to("../../good/data/outcomes.csv")
    assert _analyse(good).returncode == 0
    _refused(_analyse(sibling), LINK_OUT)


def test_linked_folder_leading_outside_is_refused(tmp_path: Path, secret: Path) -> None:
    evil = _applicant(tmp_path / "round", "evil")
    (evil / "data").rmdir()
    (evil / "data").symlink_to(secret.parent, target_is_directory=True)
    (secret.parent / "outcomes.csv").write_text(SECRET + "\n")
    _refused(_analyse(evil), LINK_OUT)


def test_link_that_stays_inside_the_folder_is_read(tmp_path: Path) -> None:
    plain = _applicant(tmp_path / "round", "plain")
    _csv(plain / "data" / "outcomes.csv")
    linked = _applicant(tmp_path / "round", "linked")
    _csv(linked / "data" / "outcomes-2024.csv")
    (linked / "data" / "outcomes.csv").symlink_to("outcomes-2024.csv")
    a, b = _analyse(plain), _analyse(linked)
    assert a.returncode == b.returncode == 0, b.stderr
    assert a.stdout.replace("plain", "X") == b.stdout.replace("linked", "X")


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    app = _applicant(tmp_path / "round", "fifo")
    os.mkfifo(app / "data" / "outcomes.csv")
    _refused(_analyse(app, timeout=60), "a named pipe (FIFO)")


def test_dev_zero_is_refused(tmp_path: Path) -> None:
    app = _applicant(tmp_path / "round", "zero")
    (app / "data" / "outcomes.csv").symlink_to("/dev/zero")
    _refused(_analyse(app, timeout=60), LINK_OUT)


def test_device_inside_the_folder_is_refused(tmp_path: Path) -> None:
    app = _applicant(tmp_path / "round", "device")
    try:  # a tar archive unpacked as root can create device nodes
        os.mknod(app / "data" / "outcomes.csv", 0o600 | 0o020000, os.makedev(1, 5))
    except (PermissionError, OSError):
        pytest.skip("creating a device node needs root")
    _refused(_analyse(app, timeout=60), "a device")


def test_folder_is_refused(tmp_path: Path) -> None:
    app = _applicant(tmp_path / "round", "dir")
    (app / "data" / "outcomes.csv").mkdir()
    _refused(_analyse(app), "a folder")


def test_open_inside_checks_the_open_descriptor(tmp_path: Path) -> None:
    """The rule itself: the file opened is the file checked, a regular file inside root."""
    (tmp_path / "a.csv").write_text("x\n1\n")
    with open_inside(tmp_path / "a.csv", tmp_path) as fh:
        assert fh.read() == b"x\n1\n"
    (tmp_path / "sub").mkdir()
    with pytest.raises(FileRefused, match="outside the submission's folder"):
        open_inside(tmp_path / "a.csv", tmp_path / "sub")
    with pytest.raises(FileNotFoundError):
        open_inside(tmp_path / "missing.csv", tmp_path)
    with pytest.raises(FileRefused, match="a folder"):
        open_inside(tmp_path / "sub", tmp_path)
    assert sha256_inside(tmp_path / "a.csv", tmp_path) is not None
    assert sha256_inside(tmp_path / "a.csv", tmp_path / "sub") is None
    os.mkfifo(tmp_path / "p.csv")
    assert sha256_inside(tmp_path / "p.csv", tmp_path) is None  # never blocks on a FIFO


def test_a_batch_round_reads_nothing_from_outside(tmp_path: Path, secret: Path) -> None:
    """The round of the issue: errors.csv, scores and the portfolio hold nothing of the
    linked file, the sibling's link is an error, and the good applicant is scored."""
    round_dir = tmp_path / "round"
    good = _applicant(round_dir, "good")
    _csv(good / "data" / "outcomes.csv")
    (_applicant(round_dir, "evil") / "data" / "outcomes.csv").symlink_to(secret)
    (_applicant(round_dir, "sibling") / "data" / "outcomes.csv").symlink_to(
        "../../good/data/outcomes.csv")
    os.mkfifo(_applicant(round_dir, "fifo") / "data" / "outcomes.csv")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "evidencekit", "batch", str(round_dir),
                             "--out", str(out), "--workers", "1"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert (out / "errors.csv").exists(), result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET[:12].encode() not in path.read_bytes(), path
    errors = (out / "errors.csv").read_text()
    for name in ("evil", "sibling"):
        assert f"{name}/data/outcomes.csv" in errors and LINK_OUT in errors
    assert "a named pipe (FIFO)" in errors
    scores = (out / "scores.csv").read_text()
    assert "good" in scores


def test_messages_quote_only_a_short_sanitised_excerpt(tmp_path: Path) -> None:
    """Header names and cells reach a message cut to 40 characters, escapes shown escaped."""
    app = _applicant(tmp_path / "round", "long")
    (app / "data" / "outcomes.csv").write_text(
        "arm," + "\x1b[2J" + "S" * 5000 + "\n" + "tutored,1\n" * 5 + "comparison,2\n" * 5)
    result = _analyse(app)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr and "S" * 41 not in result.stderr
    assert "\\x1b[2J" in result.stderr
    (app / "data" / "outcomes.csv").write_text(
        "arm,score\n" + "tutored,1\n" * 5 + "comparison," + "\x07" + "9" * 5000 + "x\n")
    result = _analyse(app)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "\x07" not in result.stderr and "9" * 41 not in result.stderr
    assert len(result.stderr) < 600
