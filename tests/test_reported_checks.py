"""Consistency checks of reported numbers appear as quality notes, in JSON and in batch
scores (evidencekit.analysis.checks; methods in evidencekit.stats.consistency)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from evidencekit import analyse, assess
from evidencekit.batch import BatchOptions, run_batch

FIXTURE = Path(__file__).parent / "fixtures" / "reported_checks.yaml"


def _notes(result: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in result.evaluations:
        for o in e.outcomes:
            out[o.name] = [f"{n.code}: {n.text}" for n in o.notes]
    return out


def test_each_check_names_the_recomputed_value() -> None:
    notes = _notes(analyse(FIXTURE))
    [gross] = [n for n in notes["Score t"] if n.startswith("p_gross")]
    assert "p = 0.001 does not match t(100) = 1: recomputed two-sided p = 0.3197" in gross
    [ci] = [n for n in notes["Employment"] if n.startswith("ci_not_centred")]
    assert "geometric centre is 2.2913" in ci and "without the log transformation" in ci
    assert not any(n.startswith("ci_not_centred") for n in notes["Score md"])
    grim = [n for n in notes["Wellbeing"] if n.startswith("grim")]
    assert any("mean 5.19 is impossible for 28 people" in n and "5.18 or 5.21" in n
               for n in grim)
    assert any("SD 1.88 is impossible with mean 3.5 for 6 people" in n and "1.87" in n
               for n in grim)


def test_flags_are_quality_notes_in_assess_json(cli: Any) -> None:
    result = assess(FIXTURE)
    assert any("statcheck" in q for q in result.quality_notes)  # the primary outcome
    r = cli("assess", str(FIXTURE), "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    codes = {n["code"] for e in data["analysis"]["evaluations"] for o in e["outcomes"]
             for n in o["notes"]}
    assert {"p_gross_inconsistency", "ci_not_centred", "grim_impossible_mean",
            "grimmer_impossible_sd"} <= codes


def test_consistent_numbers_raise_no_flag(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    text = (text.replace("p_value: 0.001", "p_value: 0.32")
                .replace("odds_ratio: 2.5, ci: [1.5, 3.5]", "odds_ratio: 2.5, ci: [1.39, 4.5]")
                .replace("mean: 5.19", "mean: 5.18").replace("sd: 1.88", "sd: 1.87"))
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    notes = _notes(analyse(tmp_path / "s.yaml"))
    flagged = [n for ns in notes.values() for n in ns
               if n.split(":")[0] in ("p_inconsistent", "p_gross_inconsistency",
                                      "ci_not_centred", "grim_impossible_mean",
                                      "grimmer_impossible_sd")]
    assert flagged == []


def test_batch_scores_count_the_flags(tmp_path: Path) -> None:
    src = tmp_path / "apps"
    src.mkdir()
    shutil.copy(FIXTURE, src / "checks.yaml")
    shutil.copy(Path(__file__).parent.parent / "examples" / "goodgym.yaml", src / "good.yaml")
    run_batch(src, tmp_path / "out", BatchOptions(workers=1, progress=False))
    with (tmp_path / "out" / "scores.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["application_id"]: r for r in csv.DictReader(f)}
    assert rows["checks"]["reporting_flags"] == "4"
    assert rows["good"]["reporting_flags"] == "0"


def test_p_value_only_beside_a_test_statistic(cli: Any, tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "reported: {mean_difference: 2.5, ci: [1.5, 3.5], sd: 4}",
        "reported: {mean_difference: 2.5, ci: [1.5, 3.5], sd: 4, p_value: 0.01}")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    r = cli("analyse", str(tmp_path / "s.yaml"))
    assert r.exit_code == 2
    assert "'p_value' only beside 't' or 'z' or 'f'" in r.stderr
