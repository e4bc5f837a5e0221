"""Row-level outcomes flow through significance, attrition, the rubric and both outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rows_helpers import Cli, copy_reference, evaluation, outcome_spec, write_submission

TOC = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}


def test_assess_from_rows_uses_the_cluster_robust_test(tmp_path: Path, cli: Cli) -> None:
    """Ignoring clustering the ANCOVA is significant (p = 0.018); respecting it (CR2,
    p = 0.075) the causal test fails, so an RCT with a cluster column stays at level 2."""
    import yaml

    copy_reference(tmp_path, "rows_trial.csv")
    columns = {"outcome": "post", "group": "arm", "treatment": "tutored", "pretest": "pre"}
    for cluster, level in ((False, 3), (True, 2)):
        cols = {**columns, "cluster": "school"} if cluster else columns
        sub = write_submission(tmp_path, [evaluation(
            "trial", "rct", outcome_spec("rows_trial.csv", cols),
            assigned={"treatment": 282, "control": 276})])
        doc = yaml.safe_load(sub.read_text(encoding="utf-8"))
        doc["theory_of_change"] = TOC
        sub.write_text(yaml.safe_dump(doc), encoding="utf-8")
        code, out, err = cli("assess", str(sub), "--format", "json")
        assert code == 0, err
        result = json.loads(out)
        assert result["level"] == level
        o = result["analysis"]["evaluations"][0]["outcomes"][0]
        assert o["test"] == ("cr2" if cluster else "ancova")
        # Attrition is computed from the analysed rows: 275 of 282 and 271 of 276.
        assert o["attrition"]["analysed"] == {"treatment": 275, "control": 271}


def test_text_output_and_notes(tmp_path: Path, cli: Cli,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy_reference(tmp_path, "rows_trial.csv")
    sub = write_submission(tmp_path, [evaluation("trial", "cluster_rct", outcome_spec(
        "rows_trial.csv", {"outcome": "post", "group": "arm", "treatment": "tutored",
                           "pretest": "pre", "cluster": "school"}, domain="achievement"),
        icc=0.3, clusters={"treatment": 20, "control": 20})])
    code, out, err = cli("analyse", str(sub))
    assert code == 0, err
    assert "Cluster-robust t-test (CR2)" in out and "ICC 0.11 (estimated), 40 clusters" in out
    code, out, err = cli("analyse", str(sub), "--format", "json")
    o = json.loads(out)["evaluations"][0]["outcomes"][0]
    codes = {n["code"]: n["text"] for n in o["notes"]}
    # 8 missing outcomes and 5 missing pretests (one row lacks both), 2 missing groups.
    assert codes["rows_dropped"] == (
        "Rows with a missing value in a column this analysis needs were left out of it "
        "(listwise): 8 in the treatment group, 4 in the control group and 2 rows with no "
        "group, of 560 rows in rows_trial.csv.")
    assert o["rows_dropped"] == {"treatment": 8, "control": 4, "no_group": 2}
    assert codes["icc_estimated"].startswith("The ICC was estimated from the data (0.113)")
    assert "few_clusters" not in codes  # 20 schools per arm
    assert o["eef_months"] is not None  # achievement domain, standardised headline


def test_summaries_have_no_rows_dropped(tmp_path: Path, cli: Cli) -> None:
    sub = write_submission(tmp_path, [{"id": "s", "design": "rct", "outcomes": [{
        "name": "x", "summary": {"treatment": {"n": 30, "mean": 5, "sd": 1},
                                 "control": {"n": 30, "mean": 4, "sd": 1}}}]}])
    code, out, _ = cli("analyse", str(sub), "--format", "json")
    assert code == 0
    assert json.loads(out)["evaluations"][0]["outcomes"][0]["rows_dropped"] is None


def test_cluster_design_without_a_cluster_column_uses_the_wwc_correction(
        tmp_path: Path, cli: Cli) -> None:
    copy_reference(tmp_path, "rows_trial.csv")
    sub = write_submission(tmp_path, [evaluation("trial", "cluster_rct", outcome_spec(
        "rows_trial.csv", {"outcome": "post", "group": "arm", "treatment": "tutored"}),
        icc=0.1, clusters={"treatment": 20, "control": 20})])
    code, out, _ = cli("analyse", str(sub), "--format", "json")
    assert code == 0
    o = json.loads(out)["evaluations"][0]["outcomes"][0]
    assert o["test"] == "wwc_cluster_corrected"
    assert {"no_cluster_column"} <= {n["code"] for n in o["notes"]}


@pytest.mark.parametrize(("args", "sentence"), [
    ((), "Expected either --n-per-group (to get the MDES) or --mdes (to get the n per group "
         "needed), found neither."),
    (("--n-per-group", "50", "--mdes", "0.3"), "Expected either --n-per-group (to get the "
     "MDES) or --mdes (to get the n per group needed), found both."),
    (("--clusters", "40", "--icc", "0.2"), "Expected --cluster-size and --icc for a cluster "
     "trial, found no --cluster-size."),
    (("--n-per-group", "50", "--icc", "0.2", "--cluster-size", "10"), "--n-per-group: "
     "expected --clusters with --cluster-size for a cluster trial, found --n-per-group "
     "beside the cluster options."),
    (("--clusters", "40", "--cluster-size", "20", "--icc", "1.2"), "--icc: expected an "
     "intraclass correlation from 0 up to (not including) 1, found 1.2."),
    (("--clusters", "3", "--cluster-size", "20", "--icc", "0.1"), "--clusters: expected at "
     "least 4 clusters (2 per arm), found 3."),
    (("--n-per-group", "1"), "--n-per-group: expected at least 2 people per group, found 1."),
    (("--mdes", "0.3", "--alpha", "0"), "--alpha: expected a significance level between 0 "
     "and 1, found 0."),
    (("--mdes", "0.3", "--power", "0.04"), "--power: expected a power between --alpha "
     "(0.05) and 1, found 0.04."),
    (("--mdes", "-0.2"), "--mdes: expected an effect size above 0, found -0.2."),
    (("--mdes", "0.0001"), "--mdes: expected an effect size large enough for a sample within "
     "the search limit (1e9 per group or 2^31 clusters), found 0.0001."),
])
def test_power_usage_errors(cli: Cli, args: tuple[str, ...], sentence: str) -> None:
    code, out, err = cli("power", *args)
    assert (code, out, err) == (2, "", sentence + "\n")


def test_power_text(cli: Cli) -> None:
    assert cli("power", "--n-per-group", "64")[1] == (
        "With 64 per group (two-sided α = 0.05, power 80%), the minimum detectable effect "
        "size is d = 0.499.\n")
    assert cli("power", "--mdes", "0.5")[1] == (
        "To detect d = 0.5 (two-sided α = 0.05, power 80%) you need 64 per group (128 in "
        "all).\n")


def test_post_only_rows(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "d.csv").write_text("score,done\n3,yes\n5,no\n,yes\n7,yes\n", encoding="utf-8")
    sub = write_submission(tmp_path, [evaluation(
        "p", "post_only", outcome_spec("d.csv", {"outcome": "score"}),
        outcome_spec("d.csv", {"outcome": "done"}, name="Done", kind="binary"))])
    code, out, err = cli("analyse", str(sub), "--format", "json")
    assert code == 0, err
    score, done = json.loads(out)["evaluations"][0]["outcomes"]
    assert score["groups"] == {"post": {"n": 3, "mean": 5.0, "sd": 2.0}}
    # Only the mapped column is read, so a row missing it is blank for this analysis.
    assert score["rows_dropped"] == {"all": 0}
    assert done["groups"] == {"post": {"n": 4, "events": 3, "proportion": 0.75}}
    assert score["p_value"] is None and score["favourable"] is None
