"""Batch scoring (issue 5): isolation, nothing lost, resume, determinism, manifests, Dask."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidencekit.batch import BatchOptions, run_batch
from evidencekit.batch import runner as runner_mod
from evidencekit.batch.store import safe_name
from evidencekit.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSTILE = """\
programme:
  name: "<script>alert(1)</script>{{ 7*7 }}"
evaluations:
  - id: x
    design: rct
    outcomes:
      - name: y
        data: ../../etc/passwd.csv
        columns: {outcome: a, group: b, treatment: c}
"""


@pytest.fixture()
def applications(tmp_path: Path) -> Path:
    """Four good examples, one malformed file, one hostile one, one in its own folder."""
    src = tmp_path / "apps"
    src.mkdir()
    for name in ("goodgym", "code-club", "shared-lives"):
        shutil.copy(EXAMPLES / f"{name}.yaml", src / f"{name}.yaml")
    (src / "nested").mkdir()
    shutil.copy(EXAMPLES / "city-year.yaml", src / "nested" / "submission.yaml")
    (src / "broken.yaml").write_text("programme: {name: [unclosed\n", encoding="utf-8")
    (src / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    return src


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_one_bad_application_never_stops_the_others(applications: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch(applications, out, BatchOptions(workers=1, progress=False))
    assert (summary.total, summary.scored, summary.failed) == (6, 4, 2)
    assert summary.exit_code == 3
    scores = _rows(out / "scores.csv")
    assert {r["application_id"] for r in scores} == {"goodgym", "code-club", "shared-lives",
                                                    "nested"}
    levels = {r["application_id"]: (r["level"], r["claimed_level"], r["overclaim_gap"])
              for r in scores}
    assert levels["goodgym"] == ("3", "4", "1")
    assert levels["shared-lives"] == ("5", "5", "0")
    assert levels["nested"] == ("2", "3", "1")  # a submission alone in a folder: the folder
    assert [r["rank"] for r in scores] == ["1", "2", "3", "4"]
    assert scores[0]["application_id"] == "shared-lives"
    assert scores[0]["gate:nesta.L3.comparison"] == "verified"
    errors = _rows(out / "errors.csv")
    by_id = {r["application_id"]: r for r in errors}
    assert set(by_id) == {"broken", "hostile"}
    assert by_id["broken"]["line"] == "2"  # PyYAML reports the end of the flow mapping
    assert "expected valid YAML" in by_id["broken"]["message"]
    assert by_id["hostile"]["key"] == "evaluations[0].outcomes[0].data"
    assert "a path inside the submission's folder" in by_id["hostile"]["message"]
    assert (out / "scores.xlsx").stat().st_size > 0


def test_cli_exit_codes(applications: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    mixed = runner.invoke(main, ["batch", str(applications), "--out", str(tmp_path / "a"),
                                 "--workers", "1"])
    assert mixed.exit_code == 3, mixed.output
    assert "Scored 4 of 6 applications; 2 could not be assessed" in mixed.output
    for bad in ("broken.yaml", "hostile.yaml"):
        (applications / bad).unlink()
    clean = runner.invoke(main, ["batch", str(applications), "--out", str(tmp_path / "b"),
                                 "--workers", "1"])
    assert clean.exit_code == 0, clean.output
    missing = runner.invoke(main, ["batch", str(tmp_path / "nope"), "--out",
                                   str(tmp_path / "c")])
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.output


def test_scores_are_byte_identical_whatever_the_worker_count(applications: Path,
                                                             tmp_path: Path) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    run_batch(applications, one, BatchOptions(workers=1, progress=False))
    run_batch(applications, two, BatchOptions(workers=2, chunk_size=1, progress=False))
    assert (one / "scores.csv").read_bytes() == (two / "scores.csv").read_bytes()
    assert (one / "errors.csv").read_bytes() == (two / "errors.csv").read_bytes()


def test_resume_skips_unchanged_and_rescores_changed(applications: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_batch(applications, out, BatchOptions(workers=1, progress=False))
    assert first.reused == 0
    before = (out / "scores.csv").read_bytes()
    again = run_batch(applications, out, BatchOptions(workers=1, resume=True, progress=False))
    assert again.reused == 4  # every good application; failed ones are tried again
    assert (out / "scores.csv").read_bytes() == before
    text = (applications / "goodgym.yaml").read_text(encoding="utf-8")
    (applications / "goodgym.yaml").write_text(
        text.replace("GoodGym coach visits", "GoodGym coach visits (revised)"), encoding="utf-8")
    third = run_batch(applications, out, BatchOptions(workers=1, resume=True, progress=False))
    assert third.reused == 3
    names = {r["application_id"]: r["programme"] for r in _rows(out / "scores.csv")}
    assert names["goodgym"] == "GoodGym coach visits (revised)"


def test_interrupted_run_leaves_complete_files_and_keeps_done_work(
        applications: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real = runner_mod.score_chunk
    calls = {"n": 0}

    def flaky(apps, spec, previous):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(apps, spec, previous)

    monkeypatch.setattr(runner_mod, "score_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_batch(applications, out, BatchOptions(workers=1, chunk_size=1, progress=False))
    # Complete tables for what was done, and no temporary files left behind.
    assert len(_rows(out / "scores.csv")) + len(_rows(out / "errors.csv")) >= 1
    assert not list(out.rglob("*.tmp"))
    monkeypatch.setattr(runner_mod, "score_chunk", real)
    resumed = run_batch(applications, out, BatchOptions(workers=1, resume=True, progress=False))
    assert resumed.reused >= 1
    assert resumed.scored == 4


def test_manifest_carries_funder_columns(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    folder.mkdir()
    shutil.copy(EXAMPLES / "goodgym.yaml", folder / "a.yaml")
    shutil.copy(EXAMPLES / "code-club.yaml", folder / "b.yaml")
    manifest = folder / "manifest.csv"
    manifest.write_text("application_id,path,amount_requested,theme\n"
                        "APP-1,a.yaml,25000,loneliness\nAPP-2,b.yaml,8000,skills\n",
                        encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(manifest, out, BatchOptions(workers=1, progress=False))
    assert summary.exit_code == 0
    rows = {r["application_id"]: r for r in _rows(out / "scores.csv")}
    assert rows["APP-1"]["amount_requested"] == "25000"
    assert rows["APP-2"]["theme"] == "skills"


def test_manifest_problems_are_plain(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,file\nA,a.yaml\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(manifest), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{manifest}, line 1: expected the columns application_id and path, "
        "found columns 'id', 'file'.")
    manifest.write_text("application_id,path\nA,a.yaml\nA,b.yaml\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(manifest), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "line 3, application_id: expected a unique id, found 'A', already on line 2" \
        in result.output


def test_plain_progress_lines_when_not_a_terminal(applications: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run_batch(applications, tmp_path / "out", BatchOptions(workers=1, progress=None))
    err = capsys.readouterr().err
    assert "scored 6/6 (2 failed)" in err
    run_batch(applications, tmp_path / "quiet", BatchOptions(workers=1, progress=False))
    assert capsys.readouterr().err == ""


def test_safe_names_cannot_escape_the_output_folder() -> None:
    for hostile in ("../../etc/passwd", "/abs/path", "..", ".hidden", "a\\b", "x" * 500):
        name = safe_name(hostile)
        assert "/" not in name and "\\" not in name
        assert not name.startswith(".")
        assert len(name) <= 120


def test_dask_cluster_gives_the_same_scores(applications: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the optional Dask extra")
    local = tmp_path / "local"
    run_batch(applications, local, BatchOptions(workers=1, progress=False))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = tmp_path / "dask"
        summary = run_batch(applications, remote,
                            BatchOptions(dask_scheduler=cluster.scheduler_address,
                                         progress=False))
    assert summary.failed == 2
    assert (local / "scores.csv").read_bytes() == (remote / "scores.csv").read_bytes()
    assert (local / "errors.csv").read_bytes() == (remote / "errors.csv").read_bytes()


def test_portfolio_report_shows_the_round(applications: Path, tmp_path: Path) -> None:
    hostile = applications / "evil.yaml"
    hostile.write_text((EXAMPLES / "code-club.yaml").read_text(encoding="utf-8").replace(
        "name: Code Club", 'name: "<img src=\'file:///etc/passwd\'>{{ 7*7 }}"', 1),
        encoding="utf-8")
    out = tmp_path / "out"
    summary = run_batch(applications, out, BatchOptions(workers=1, progress=False))
    assert "portfolio.html" in summary.files and "portfolio.pdf" in summary.files
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "5 of 5 applications assessed" not in html  # 5 of 7: two failed
    assert "5 of 7 applications assessed" in html
    assert "<strong>2</strong> of 5 applications claim a higher level" in html
    assert "&lt;img src=&#39;file:///etc/passwd&#39;&gt;{{ 7*7 }}" in html
    assert "<img src='file" not in html and ">49<" not in html
    ranked = [r["application_id"] for r in _rows(out / "scores.csv")]
    assert html.index(ranked[0]) < html.index(ranked[-1])  # the ranked table, in rank order
    assert (out / "portfolio.pdf").read_bytes().startswith(b"%PDF-")
