"""A round survives anything one application does (issue 12 item 3): a worker killed at any
point, the parent killed at any point, a poison application that kills every worker it
meets, control characters and odd code points in names, colliding ids and report names,
devices and FIFOs given as input. Nothing is lost: every application ends scored or with an
error naming its cause, and ``--resume`` finishes a killed round with the same tables."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit.batch import BatchOptions, pool, run_batch
from evidencekit.batch.inputs import discover

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REPO = EXAMPLES.parent


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _round(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = yaml.safe_load((EXAMPLES / "goodgym.yaml").read_text(encoding="utf-8"))
    for i in range(n):
        doc["programme"]["name"] = f"Programme {i:02d}"
        (folder / f"app{i:02d}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return folder


def _slow(seconds: float, poison: str | None = None, log: Path | None = None) -> Any:
    real = pool.score

    def score(app: Any, spec: Any, prev: Any) -> Any:
        if log is not None:
            with log.open("a", encoding="utf-8") as f:
                f.write(app.id + "\n")
        if app.id == poison:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(seconds)
        return real(app, spec, prev)

    return score


def test_a_poison_application_is_recorded_and_never_repeated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps = _round(tmp_path / "apps", 8)
    log = tmp_path / "calls.log"
    monkeypatch.setattr(pool, "score", _slow(0.0, poison="app03", log=log))
    out = tmp_path / "out"
    summary = run_batch(apps, out, BatchOptions(workers=2, chunk_size=3, progress=False,
                                                portfolio=False))
    assert (summary.scored, summary.failed) == (7, 1)
    errors = _rows(out / "errors.csv")
    assert [e["application_id"] for e in errors] == ["app03"]
    assert "died twice (killed by signal SIGKILL" in errors[0]["message"]
    assert log.read_text().split().count("app03") == 2  # once more on its own, then final
    assert len(_rows(out / "scores.csv")) == 7
    # --resume does not try it again while the file is unchanged...
    log.unlink()
    again = run_batch(apps, out, BatchOptions(workers=2, resume=True, progress=False,
                                              portfolio=False))
    assert (again.scored, again.failed, again.reused) == (7, 1, 8)
    assert "app03" not in log.read_text().split()
    # ...and does once it changes.
    (apps / "app03.yaml").write_text((apps / "app03.yaml").read_text() + "\n",
                                     encoding="utf-8")
    run_batch(apps, out, BatchOptions(workers=2, resume=True, progress=False, portfolio=False))
    assert log.read_text().split().count("app03") == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_workers_killed_at_random_points_lose_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    import multiprocessing

    apps = _round(tmp_path / "apps", 12)
    clean = tmp_path / "clean"
    run_batch(apps, clean, BatchOptions(workers=1, progress=False, portfolio=False))
    monkeypatch.setattr(pool, "score", _slow(0.05))
    rng = random.Random(seed)
    killed: list[int] = []

    def killer() -> None:  # one worker killed (kill -9) at a random moment
        deadline = time.monotonic() + 30  # once the pool is up (slow on a loaded machine)
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.3))
        children = multiprocessing.active_children()
        if children:
            victim = rng.choice(children)
            if victim.pid is not None:
                os.kill(victim.pid, signal.SIGKILL)
                killed.append(victim.pid)

    thread = threading.Thread(target=killer)
    thread.start()
    out = tmp_path / "out"
    summary = run_batch(apps, out, BatchOptions(workers=2, chunk_size=2, progress=False,
                                                portfolio=False))
    thread.join()
    assert killed
    assert (summary.scored, summary.failed) == (12, 0)  # the killed one was scored again
    assert (out / "scores.csv").read_bytes() == (clean / "scores.csv").read_bytes()
    assert not multiprocessing.active_children()


_PARENT = """
import sys, time
from evidencekit.batch import pool
from evidencekit.cli import main
real = pool.score
def slow(app, spec, prev):
    time.sleep(0.15)
    return real(app, spec, prev)
pool.score = slow
main(sys.argv[1:])
"""


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return found | {g for c in set(found) for g in _children(c)}


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status and "\nState:\tX" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("seed", [7, 8])
def test_parent_killed_at_random_points_then_resume(tmp_path: Path, seed: int) -> None:
    apps = _round(tmp_path / "apps", 12)
    clean = tmp_path / "clean"
    run_batch(apps, clean, BatchOptions(workers=1, progress=False, portfolio=False))
    out = tmp_path / "out"
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _PARENT, "batch", str(apps), "--out",
                             str(out), "--workers", "2", "--no-portfolio"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out / ".evidencekit-batch" / "results").is_dir() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.5))
    workers = _children(proc.pid)
    proc.kill()
    proc.wait()
    assert workers, "the batch had no workers when it was killed"
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)], "workers outlived their parent"
    resumed = run_batch(apps, out, BatchOptions(workers=2, resume=True, progress=False,
                                                portfolio=False))
    assert (resumed.scored, resumed.failed) == (12, 0)
    assert resumed.reused >= 1
    assert (out / "scores.csv").read_bytes() == (clean / "scores.csv").read_bytes()


def test_colliding_ids_and_report_names_lose_nothing(tmp_path: Path) -> None:
    apps = tmp_path / "apps"
    (apps / "alpha").mkdir(parents=True)
    for rel in ("alpha.yaml", "alpha/submission.yaml", "a.yaml", "a.json", "round.v1.yaml",
                "round.v2.yaml", "Beta.yaml", "beta.yaml"):
        doc = yaml.safe_load((EXAMPLES / "goodgym.yaml").read_text(encoding="utf-8"))
        doc["programme"]["name"] = rel
        text = yaml.safe_dump(doc)
        if rel.endswith(".json"):
            import json

            text = json.dumps(doc)
        (apps / rel).write_text(text, encoding="utf-8")
    found, _ = discover(apps)
    ids = [a.id for a in found]
    assert len(set(ids)) == 8
    assert {"alpha.yaml", "alpha/submission.yaml", "a.yaml", "a.json"} <= set(ids)
    out = tmp_path / "out"
    summary = run_batch(apps, out, BatchOptions(workers=1, html=True, progress=False,
                                                portfolio=False))
    assert summary.scored == 8
    rows = _rows(out / "scores.csv")
    assert sorted(r["programme"] for r in rows) == sorted(
        ["alpha.yaml", "alpha/submission.yaml", "a.yaml", "a.json", "round.v1.yaml",
         "round.v2.yaml", "Beta.yaml", "beta.yaml"])
    reports = list((out / "reports").glob("*.html"))
    assert len({p.name.lower() for p in reports}) == 8


ODD_NAMES = ["bell\a", "nul\x00", "esc\x1b[2J", "vt\v", "x\uffff", "\ufffe", "del\x7f",
             "c1\x9b31m", "lone \ud800 surrogate"]


def test_odd_characters_in_names_never_break_the_round(tmp_path: Path) -> None:
    apps = _round(tmp_path / "apps", len(ODD_NAMES) + 1)
    for i, name in enumerate(ODD_NAMES):
        path = apps / f"app{i:02d}.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["programme"]["name"] = name
        doc["programme"]["organisation"] = name
        path.write_text(yaml.safe_dump(doc, allow_unicode=False), encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(apps, out, BatchOptions(workers=1, progress=False))
    assert summary.scored + summary.failed == len(ODD_NAMES) + 1
    assert summary.scored >= 1
    for f in ("scores.csv", "scores.xlsx", "errors.csv", "portfolio.html", "portfolio.pdf"):
        assert (out / f).stat().st_size > 0, f
    from openpyxl import load_workbook

    load_workbook(out / "scores.xlsx")  # not corrupt
    again = run_batch(apps, out, BatchOptions(workers=1, resume=True, progress=False))
    assert again.scored + again.failed == len(ODD_NAMES) + 1


def test_devices_and_fifos_are_not_called_folders(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from evidencekit.cli import main

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for source, kind in (("/dev/zero", "a device"), (str(fifo), "a FIFO (named pipe)")):
        res = CliRunner().invoke(main, ["batch", source, "--out", str(tmp_path / "o")])
        assert res.exit_code == 2, res.output
        assert f"found {kind}" in res.output
        assert "folder." not in res.output.split("found")[-1]
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"application_id,path\nf,{fifo}\nz,/dev/zero\n", encoding="utf-8")
    start = time.monotonic()
    summary = run_batch(manifest, tmp_path / "o", BatchOptions(workers=2, progress=False,
                                                               portfolio=False))
    assert time.monotonic() - start < 60
    assert summary.failed == 2
    messages = [e["message"] for e in _rows(tmp_path / "o" / "errors.csv")]
    assert any("found a FIFO" in m for m in messages)
    assert any("found a device" in m for m in messages)


