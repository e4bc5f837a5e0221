"""Files that are not what they claim to be, and places that cannot be written (issue #12
items 1, 3, 4, 5 and "Smaller"): a submission that is a FIFO or a device, one that grows
while it is read, a UTF-8 byte-order mark and the hash shown for it, links in a round's
folder that lead out of it, an .xlsx manifest with a DTD or a zip bomb, NUL bytes in a CSV
manifest, NaN in JSON, WeasyPrint's temporary font folders, a full disk, a read-only or
file-shaped output folder, Ctrl-C in the middle of a round. Each ends in one sentence (exit
2, or 130 for Ctrl-C), nothing outside is read, nothing is left half-written."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from evidencekit.batch import BatchOptions, run_batch
from evidencekit.batch.store import ResultStore, atomic_write_text
from evidencekit.errors import InputError
from evidencekit.load import load_submission
from evidencekit.load.document import read_bytes

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXAMPLE = EXAMPLES / "code-club.yaml"
SECRET = "SECRET-LINE-root:$6$notareal"


def _cli(*args: str, cwd: Path, timeout: float = 120, **kw: object
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evidencekit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          check=False, **kw)  # type: ignore[call-overload]


def _one_sentence(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode == 2, proc.stderr
    err = "\n".join(ln for ln in proc.stderr.strip().splitlines()
                    if not ln.startswith("scored "))  # batch progress lines
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- submission files that are not regular files ------------------------------------------
def test_a_fifo_or_a_device_as_submission_is_named_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    err = _one_sentence(_cli("assess", str(fifo), cwd=tmp_path, timeout=60),
                        "expected a submission file, found a named pipe (FIFO)")
    assert err.startswith(str(fifo))
    # /dev/zero never ends: once read whole (unbounded memory), now refused at once
    _one_sentence(_cli("assess", "/dev/zero", cwd=tmp_path, timeout=60), "found a device")
    with pytest.raises(InputError, match="found a device"):
        load_submission("/dev/null")
    with pytest.raises(InputError, match="a folder"):
        load_submission(tmp_path)


def test_a_file_that_grows_while_it_is_read_is_refused_not_read_without_end(
        tmp_path: Path) -> None:
    path = tmp_path / "grows.yaml"
    path.write_bytes(b"programme: {name: x}\n")
    stop = threading.Event()

    def grow() -> None:
        with path.open("ab") as f:
            while not stop.is_set():
                f.write(b"#" * 65536 + b"\n")
                f.flush()

    writer = threading.Thread(target=grow, daemon=True)
    writer.start()
    try:
        deadline = time.monotonic() + 20
        while path.stat().st_size < (1 << 20) and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(InputError) as info:
            read_bytes(path, max_bytes=1 << 20)
    finally:
        stop.set()
        writer.join()
    assert "expected a submission of at most 1 MB" in str(info.value)


def test_input_sha256_is_the_hash_of_the_files_bytes_even_with_a_bom(tmp_path: Path) -> None:
    """``sha256sum`` and every place the hash is shown agree, a UTF-8 byte-order mark
    included (it used to be the hash of the decoded text)."""
    apps = tmp_path / "apps"
    apps.mkdir()
    raw = b"\xef\xbb\xbf" + EXAMPLE.read_bytes().replace(b"\n", b"\r\n")
    (apps / "bom.yaml").write_bytes(raw)
    expected = hashlib.sha256(raw).hexdigest()
    assert load_submission(apps / "bom.yaml").sha256 == expected
    out = tmp_path / "out"
    run_batch(apps, out, BatchOptions(workers=1, progress=False, portfolio=False,
                                      html=True))
    assert _rows(out / "scores.csv")[0]["input_sha256"] == expected
    assert expected in (out / "reports" / "bom.html").read_text(encoding="utf-8")


# -- a round's folder ---------------------------------------------------------------------
def test_links_out_of_a_rounds_folder_fifos_and_devices_are_errors_never_read(
        tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    apps = tmp_path / "round"
    (apps / "good").mkdir(parents=True)
    (apps / "good" / "submission.yaml").write_bytes(EXAMPLE.read_bytes())
    (apps / "evil.yaml").symlink_to(secret)                   # a link out of the round
    (apps / "zero.yaml").symlink_to("/dev/zero")              # a link to a device
    os.mkfifo(apps / "pipe.yaml")                             # would block a worker
    (apps / "outside").symlink_to(EXAMPLES, target_is_directory=True)  # a folder link
    (apps / "inside.yaml").symlink_to("good/submission.yaml")  # stays inside: followed
    out = tmp_path / "out"
    summary = run_batch(apps, out, BatchOptions(workers=1, progress=False))
    assert (summary.scored, summary.failed) == (2, 4)
    errors = {e["application_id"]: e["message"] for e in _rows(out / "errors.csv")}
    link_out = "found a symbolic link to something outside the round's folder"
    assert link_out in errors["evil"] and link_out in errors["zero"]
    assert link_out in errors["outside"]
    assert "found a FIFO (named pipe)" in errors["pipe"]
    assert sorted(r["application_id"] for r in _rows(out / "scores.csv")) == ["good",
                                                                               "inside"]
    for f in out.rglob("*"):
        if f.is_file():
            assert SECRET.encode() not in f.read_bytes(), f


# -- manifests ----------------------------------------------------------------------------
def _manifest(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _rewrite_sheet(src: Path, dst: Path, edit: object) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data)  # type: ignore[operator]
            zout.writestr(info.filename, data)
    return dst


def test_an_xlsx_manifest_is_read_safely_all_rows_and_no_dtd(tmp_path: Path) -> None:
    for name in ("code-club.yaml", "goodgym.yaml"):
        (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    good = _manifest(tmp_path / "m.xlsx", [["application_id", "path", "amount", "theme"],
                                           ["cc", "code-club.yaml", 5000, "@SUM(1,1)"],
                                           [None, None, None, None],
                                           ["gg", "goodgym.yaml", 12.5, "sport"]])
    summary = run_batch(good, tmp_path / "o", BatchOptions(workers=1, progress=False,
                                                           portfolio=False))
    assert summary.scored == 2
    by_id = {r["application_id"]: r for r in _rows(tmp_path / "o" / "scores.csv")}
    assert by_id["cc"]["amount"] == "5000" and by_id["gg"]["amount"] == "12.5"
    assert by_id["cc"]["theme"] == "'@SUM(1,1)"  # carried, and inert
    # An entity bomb / external entity in the manifest: refused before anything expands
    # (openpyxl expanded internal entities and accepted the file).
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    dtd = _rewrite_sheet(good, tmp_path / "dtd.xlsx", lambda d: bomb + d)
    _one_sentence(_cli("batch", str(dtd), "--out", "o2", cwd=tmp_path),
                  "dtd.xlsx", "without DTDs or entity declarations", "found a <!DOCTYPE>")
    # A zip bomb: 600 MiB of sheet XML in a 600 KB file, refused on the declared size
    # (written a MiB at a time: the test itself must not hold 600 MiB).
    zbomb = tmp_path / "zbomb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(zbomb, "w",
                                                       zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with zout.open(info.filename, "w", force_zip64=False) as fh:
                fh.write(head + b"<sheetData>")
                blank = b" " * (1 << 20)
                for _ in range(600):
                    fh.write(blank)
                fh.write(tail)
    assert zbomb.stat().st_size < 2 << 20
    _one_sentence(_limited_cli(["batch", str(zbomb), "--out", "o3"], tmp_path),
                  "zbomb.xlsx", "at most 512 MiB decompressed", "found 600 MiB")


def _limited_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "evidencekit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=limit)


def test_a_csv_manifest_with_a_nul_in_a_path_or_too_big_is_one_sentence(
        tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_bytes(b"application_id,path\ncc,code\x00club.yaml\n")
    _one_sentence(_cli("batch", "m.csv", "--out", "o", cwd=tmp_path),
                  "m.csv, line 2, path: expected a file path without control characters, "
                  "found the control character U+0000.")
    # (a NUL in a funder's own column is carried, shown escaped: test_hostile_exports.py)
    with (tmp_path / "big.csv").open("wb") as f:
        f.write(b"application_id,path\n")
        for _ in range(17):
            f.write(b"a,b\n" * (1 << 20))
    _one_sentence(_cli("batch", "big.csv", "--out", "o", cwd=tmp_path),
                  "expected a manifest of at most 64 MB")


# -- JSON -----------------------------------------------------------------------------------
def test_every_json_writer_is_strict() -> None:
    """No module calls json.dump/json.dumps itself: all JSON goes through
    evidencekit.jsontext.dumps, which never writes NaN or Infinity."""
    offenders = []
    for path in sorted((REPO / "evidencekit").rglob("*.py")):
        if path.name == "jsontext.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("dump", "dumps")
                    and isinstance(node.value, ast.Name) and node.value.id == "json"):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_stored_results_with_nan_are_strict_json(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.save({"application_id": "a", "row": {"effect": math.nan, "ci": [math.inf, 1.0]}})
    store.close()
    (journal,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    text = journal.read_text(encoding="utf-8")

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    assert json.loads(text, parse_constant=refuse)["row"] == {"effect": None,
                                                               "ci": [None, 1.0]}


def test_json_output_of_the_cli_and_the_demo_are_strict(tmp_path: Path) -> None:
    from evidencekit import jsontext

    assert jsontext.dumps([math.nan, -math.inf]) == "[null, null]"
    proc = _cli("assess", str(EXAMPLE), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(c))


# -- output that cannot be written -----------------------------------------------------------
def test_a_file_size_limit_or_an_unwritable_output_is_one_sentence(tmp_path: Path) -> None:
    """A full disk is simulated by RLIMIT_FSIZE (Python ignores SIGXFSZ, so a write past
    it fails with EFBIG, as ENOSPC would): one sentence naming the file, nothing
    half-written left behind."""
    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "evidencekit", "batch", str(EXAMPLES),
                           "--out", str(out), "--workers", "1", "--no-portfolio"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False, preexec_fn=small_files)
    _one_sentence(proc, "found a file-size limit (the file would be larger than allowed)")
    assert not [f for f in out.rglob("*.tmp")]
    # an output "folder" that is a file, or below one
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    _one_sentence(_cli("batch", str(EXAMPLE.parent), "--out", "afile/sub", cwd=tmp_path),
                  "afile/sub: expected a place the file can be written to, found a file where a "
                  "folder is needed on the way.")
    proc = _cli("assess", str(EXAMPLE), "--pdf", "afile/x.pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr


def test_atomic_writes_leave_the_old_file_when_the_disk_is_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    target = tmp_path / "scores.csv"
    target.write_text("old\n", encoding="utf-8")
    real_replace = os.replace

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(InputError, match="found no space left on the disk"):
        atomic_write_text(target, "new\n")
    monkeypatch.setattr(os, "replace", real_replace)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


# -- PDFs -------------------------------------------------------------------------------------
def test_no_temporary_font_folders_are_left_behind(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's ``weasyprint-*`` font folders used to stay in TMPDIR (about 75 MB per
    2,000 PDFs); each render now removes its own."""
    import tempfile

    from evidencekit.report import render_pdf

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    from evidencekit.api import assess

    sub = load_submission(EXAMPLE)
    result = assess(sub)
    for i in range(3):
        render_pdf(result, tmp_path / f"r{i}.pdf", submission=sub)
    assert (tmp_path / "r2.pdf").read_bytes().startswith(b"%PDF")
    assert list(tmp.iterdir()) == []


KILLED_MID_RENDER = """
import os, signal
from evidencekit.report import pdf
with pdf._font_folder() as config:
    print(config._folder, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does, mid-render
"""


def test_font_folder_of_a_killed_render_is_removed_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed with SIGKILL in the middle of a render cannot clean up: its font
    folder used to stay in TMPDIR for good. The next process to render removes it, and never
    the folder of a process still alive."""
    import tempfile

    from evidencekit.api import assess
    from evidencekit.report import pdf, render_pdf

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_RENDER], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "TMPDIR": str(tmp)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    orphan = Path(killed.stdout.strip())
    assert orphan.parent == tmp and orphan.is_dir()
    (orphan / "font.ttf").write_bytes(b"x" * 1000)
    alive = tmp / f"{pdf.FONT_FOLDER}{os.getpid()}-busy"
    alive.mkdir()
    unrelated = tmp / f"{pdf.FONT_FOLDER}notapid-x"
    unrelated.mkdir()
    monkeypatch.setattr(pdf, "_swept", False)
    sub = load_submission(EXAMPLE)
    render_pdf(assess(sub), tmp_path / "r.pdf", submission=sub)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp.iterdir()) == sorted([alive.name, unrelated.name])


# -- Ctrl-C -------------------------------------------------------------------------------------
def test_ctrl_c_in_the_middle_of_a_round_leaves_complete_files_and_no_workers(
        tmp_path: Path) -> None:
    """SIGINT to the whole process group (what a terminal's Ctrl-C does) at a point where
    applications are being scored: exit 130 with one sentence, no temporary files, every
    table complete for what was scored, no worker left running; --resume then finishes."""
    out = tmp_path / "out"
    args = [sys.executable, "-m", "evidencekit", "batch", str(EXAMPLES), "--out", str(out),
            "--workers", "2", "--no-portfolio"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    results = out / ".evidencekit-batch" / "results"

    def stored() -> int:  # applications scored so far (a journal of JSON lines)
        return sum(p.read_bytes().count(b"\n") for p in results.glob("*")
                   if p.is_file()) if results.is_dir() else 0

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if stored() >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the round finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("scored ")]
    assert lines == ["Interrupted; every file written so far is complete."], err
    time.sleep(0.5)
    alive = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert alive.stdout.split() == []
    assert not [f for f in out.rglob("*.tmp")]
    scored = _rows(out / "scores.csv")
    n_examples = len(list(EXAMPLES.glob("*.yaml")))
    assert 2 <= len(scored) < n_examples
    again = subprocess.run([*args, "--resume"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert len(_rows(out / "scores.csv")) == n_examples


def test_manifest_columns_named_like_score_columns_are_renamed_not_lost(
        tmp_path: Path) -> None:
    """A funder's column called ``level`` or ``programme`` was silently dropped (the scores
    table has its own); it is carried as ``level (manifest)``."""
    (tmp_path / "code-club.yaml").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "m.csv").write_text("application_id,path,level,programme,amount\n"
                                    "cc,code-club.yaml,high,Round 3,5000\n", encoding="utf-8")
    run_batch(tmp_path / "m.csv", tmp_path / "o", BatchOptions(workers=1, progress=False,
                                                               portfolio=False))
    row = _rows(tmp_path / "o" / "scores.csv")[0]
    assert (row["level (manifest)"], row["programme (manifest)"], row["amount"]) == (
        "high", "Round 3", "5000")
    assert row["programme"] == "Code Club" and row["level"].isdigit()


# -- damaged data files --------------------------------------------------------------------
DATA_SUBMISSION = """schema: evidencekit/submission@1
programme: {{name: Damaged}}
evaluations:
  - id: trial
    design: rct
    outcomes:
      - name: score
        data: {data}
        columns: {{outcome: score, group: arm, treatment: tutored}}
"""


def _analyse(folder: Path, data: str) -> subprocess.CompletedProcess[str]:
    (folder / "submission.yaml").write_text(DATA_SUBMISSION.format(data=data),
                                            encoding="utf-8")
    return _cli("analyse", "submission.yaml", cwd=folder)


def test_damaged_parquet_pages_and_list_columns_are_one_sentence(tmp_path: Path) -> None:
    """A data page pyarrow cannot decode (a damaged file, or one rewritten while it is read)
    and a mapped column of lists were internal errors (OSError, ArrowNotImplementedError)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 20_000
    arm = ["tutored" if i % 2 else "control" for i in range(n)]
    pq.write_table(pa.table({"arm": arm, "score": [50 + i / 1000 for i in range(n)]}),
                   tmp_path / "damaged.parquet", compression="snappy")
    raw = bytearray((tmp_path / "damaged.parquet").read_bytes())
    for i in range(100, 4000):
        raw[i] = (raw[i] * 7 + 13) % 256
    (tmp_path / "damaged.parquet").write_bytes(bytes(raw))
    _one_sentence(_analyse(tmp_path, "damaged.parquet"),
                  "expected a Parquet file pyarrow can read, found a damaged or unsupported one")
    pq.write_table(pa.table({"arm": ["tutored", "control"] * 5,
                             "score": pa.array([[1.0]] * 10, type=pa.list_(pa.float64()))}),
                   tmp_path / "lists.parquet")
    _one_sentence(_analyse(tmp_path, "lists.parquet"), "column 'score': expected a number, "
                  "found lists or records, not single values (type list<element: double>)")


def test_damaged_xlsx_and_csv_are_one_sentence(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["arm", "score"])
    for i in range(2000):
        ws.append(["tutored" if i % 2 else "control", 50 + i % 7])
    wb.save(tmp_path / "ok.xlsx")
    raw = bytearray((tmp_path / "ok.xlsx").read_bytes())
    for i in range(2000, 6000):  # inside the deflated sheet
        raw[i] ^= 0x5A
    (tmp_path / "damaged.xlsx").write_bytes(bytes(raw))
    _one_sentence(_analyse(tmp_path, "damaged.xlsx"), "damaged.xlsx")
    (tmp_path / "nul.csv").write_bytes(b"arm,score\n" + b"tutored,5\x000\ncontrol,4\n" * 50)
    proc = _analyse(tmp_path, "nul.csv")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
