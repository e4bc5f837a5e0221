"""Each case of issue #11's "What was seen" gives the SPEC's amended answer (SPEC §3, 2026-12).

Summaries, published statistics and row-level data, through the public API and the CLI's
JSON; golden values from tests/reference/amend.R (amend.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from evidencekit import analyse, assess

REFERENCE = Path(__file__).resolve().parent / "reference"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
with (REFERENCE / "amend.json").open(encoding="utf-8") as _fh:
    G: dict[str, Any] = json.load(_fh)

TOC = {"problem": "A problem.", "activities": ["An activity"], "outcomes": ["An outcome"],
       "rationale": "A rationale."}


def submission(*evaluations: dict[str, Any]) -> dict[str, Any]:
    return {"schema": "evidencekit/submission@1",
            "programme": {"name": "Test", "organisation": "Test org"},
            "theory_of_change": TOC, "evaluations": list(evaluations)}


def rct(outcome: dict[str, Any], design: str = "rct", **extra: Any) -> dict[str, Any]:
    return {"id": "e1", "design": design, "independent": True, "site": "Leeds", **extra,
            "outcomes": [{"name": "Outcome", "primary": True, **outcome}]}


def only_outcome(doc: dict[str, Any] | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(analyse(doc).to_dict()))
    out: dict[str, Any] = data["evaluations"][0]["outcomes"][0]
    return out


def approx(x: float, rel: float = 1e-9) -> Any:
    return pytest.approx(x, rel=rel, abs=1e-13)


def codes(o: dict[str, Any]) -> list[str]:
    return [n["code"] for n in o["notes"]]


# -- Welch decides --------------------------------------------------------------------------


def test_welch_decides_unequal_groups() -> None:
    ref = G["welch_example"]
    doc = submission(rct({"summary": {"treatment": {"n": 20, "mean": 62, "sd": 30},
                                      "control": {"n": 500, "mean": 54, "sd": 5}}},
                         assigned={"treatment": 20, "control": 500}))
    o = only_outcome(doc)
    assert (o["test"], o["significant"]) == ("welch_t", False)
    assert o["p_value"] == approx(ref["p_value_welch"], 1e-7)  # 0.248 (Student: 4.4e-6)
    md = o["effects"]["mean_difference"]
    assert md["p_value_student"] == approx(ref["p_value_student"], 1e-6)
    assert md["ci"] == [approx(v, 1e-7) for v in ref["ci_welch"]]
    assert assess(doc).level == 2  # was 3 when Student's test decided


# -- Fisher's exact test, Newcombe, NNT/NNH ----------------------------------------------------


def binary(t: tuple[int, int], c: tuple[int, int], direction: str = "lower_is_better"
           ) -> dict[str, Any]:
    return submission(rct({"kind": "binary", "direction": direction, "summary": {
        "treatment": {"n": t[1], "events": t[0]}, "control": {"n": c[1], "events": c[0]}}},
        assigned={"treatment": t[1], "control": c[1]}))


def test_sparse_table_uses_fisher() -> None:
    o = only_outcome(binary((0, 130), (7, 136)))
    assert o["test"] == "fisher_exact" and o["significant"] is True
    assert o["p_value"] == approx(G["fisher"]["rows"][0]["p_fisher"], 1e-10)  # 0.0146
    lor = o["effects"]["log_odds_ratio"]
    assert lor["test"] == "fisher_exact" and lor["p_value_wald"] == pytest.approx(0.0639, 1e-3)
    assert "fisher_exact" in codes(o)


def test_large_table_keeps_wald() -> None:
    o = only_outcome(binary((40, 200), (20, 200)))
    assert o["test"] == "log_odds_ratio_z"
    assert "fisher_exact" not in codes(o)


def test_no_events_in_either_group_has_a_real_interval() -> None:
    o = only_outcome(binary((0, 118), (0, 105)))
    rd = o["effects"]["risk_difference"]
    assert rd["estimate"] == 0 and rd["ci_method"] == "newcombe_hybrid_score"
    ref = next(r for r in G["newcombe"]["rows"] if r["n_t"] == 118)
    assert rd["ci"] == [approx(ref["lower"], 1e-12), approx(ref["upper"], 1e-12)]
    nnt = o["effects"]["nnt"]
    assert nnt["estimate"] is None and nnt["label"] is None and nnt["through_infinity"]


def test_harm_is_labelled_nnh_with_altmans_interval() -> None:
    o = only_outcome(binary((40, 200), (20, 200)))  # more events, lower is better
    nnt = o["effects"]["nnt"]
    assert (nnt["label"], nnt["estimate"]) == ("NNH", approx(G["nnh"]["nnh"]))
    assert nnt["ci"] == [approx(v, 1e-12) for v in G["nnh"]["ci"]]
    assert nnt["ci_method"] == "altman_nnt" and o["favourable"] is False
    good = only_outcome(binary((0, 130), (7, 136)))["effects"]["nnt"]
    assert good["label"] == "NNT" and good["ci"] == [approx(v, 1e-12) for v in G["nnt"]["ci"]]


def test_nnt_through_infinity() -> None:
    ref = G["nn_infinity"]
    nnt = only_outcome(binary((12, 40), (20, 40), "higher_is_better"))["effects"]["nnt"]
    assert nnt["label"] == "NNH" and nnt["through_infinity"] and nnt["ci"] is None
    assert nnt["nnt_limit"] == approx(ref["nnt_limit"], 1e-12)
    assert nnt["nnh_limit"] == approx(ref["nnh_limit"], 1e-12)


# -- fewer than 2 clusters per arm --------------------------------------------------------


ONE_CLUSTER = {"assigned": {"treatment": 300, "control": 300},
               "clusters": {"treatment": 1, "control": 1}, "icc": 0.02}


@pytest.mark.parametrize("outcome", [
    {"summary": {"treatment": {"n": 300, "mean": 55, "sd": 10},
                 "control": {"n": 300, "mean": 50, "sd": 10}}},
    {"reported": {"hedges_g": 0.5, "se": 0.0822, "n_treatment": 300, "n_control": 300,
                  "cluster_adjusted": False}},
    {"reported": {"hedges_g": 0.5, "se": 0.0822, "n_treatment": 300, "n_control": 300,
                  "cluster_adjusted": True}},
    {"kind": "binary", "summary": {"treatment": {"n": 300, "events": 150},
                                   "control": {"n": 300, "events": 100}}},
], ids=["summary", "reported-uncorrected", "reported-corrected", "binary"])
def test_one_cluster_per_arm_has_no_test(outcome: dict[str, Any]) -> None:
    doc = submission(rct(outcome, "cluster_rct", **ONE_CLUSTER))
    o = only_outcome(doc)
    assert o["p_value"] is None and o["test"] is None and o["significant"] is None
    assert "single_cluster_arm" in codes(o)
    assert o["clustering"]["method"].startswith("no valid test")
    assert o["headline"]["ci"] is None
    result = assess(doc)
    assert result.level == 2  # was 3 (p = 0.024 on 598 df)


def test_two_clusters_per_arm_are_tested() -> None:
    doc = submission(rct({"summary": {"treatment": {"n": 300, "mean": 55, "sd": 10},
                                      "control": {"n": 300, "mean": 50, "sd": 10}}},
                         "cluster_rct", assigned={"treatment": 300, "control": 300},
                         clusters={"treatment": 2, "control": 2}, icc=0.02))
    o = only_outcome(doc)
    assert o["test"] == "wwc_cluster_corrected" and o["p_value"] is not None


def write(folder: Path, doc: dict[str, Any], *csvs: str) -> Path:
    for name in csvs:
        shutil.copy(REFERENCE / name, folder / name)
    path = folder / "submission.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_rows_one_cluster_per_arm_binary(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("school,arm,y\n" + "".join(
        f"{s},{a},{(i * 7 + len(s)) % 3 == 0:d}\n" for i in range(40)
        for s, a in (("a", "T"), ("b", "C"))), encoding="utf-8")
    doc = submission(rct({"kind": "binary", "data": "d.csv", "columns": {
        "outcome": "y", "group": "arm", "treatment": "T", "cluster": "school"}},
        "cluster_rct"))
    o = only_outcome(write(tmp_path, doc))
    assert o["problems"] == [] and o["p_value"] is None
    assert "single_cluster_arm" in codes(o)
    assert o["groups"]["treatment"]["n"] == 40 and o["effects"]["risk_difference"]["ci"]


# -- clustered binary outcome that separates ------------------------------------------------


SEPARATION = {"kind": "binary", "data": "amend_separation.csv",
              "columns": {"outcome": "event", "group": "arm", "treatment": "T",
                          "cluster": "school"}}


def test_clustered_binary_separation_keeps_the_2x2_and_uses_wwc(tmp_path: Path) -> None:
    ref = G["separation"]
    doc = submission(rct(SEPARATION, "cluster_rct"))
    o = only_outcome(write(tmp_path, doc, "amend_separation.csv"))
    assert o["problems"] == []
    assert o["groups"]["treatment"] == {"n": ref["n_t"], "events": 0, "proportion": 0.0}
    assert o["groups"]["control"]["events"] == ref["events_c"]
    assert o["test"] == "wwc_cluster_corrected"
    assert o["p_value"] == approx(ref["p_value"], 1e-9)
    assert o["clustering"]["icc"] == approx(ref["icc"], 1e-9)
    assert o["clustering"]["icc_source"] == "estimated"
    assert "separation" in o["clustering"]["method"]
    assert o["effects"]["cox_index"]["estimate"] == approx(ref["cox_index"])
    assert o["effects"]["risk_difference"]["ci"] == [approx(v) for v in ref["rd_ci"]]
    assert "separation" in codes(o)
    # Without the cluster column the same file gives the 2×2 results, tested by Fisher.
    plain = {**SEPARATION, "columns": {k: v for k, v in SEPARATION["columns"].items()
                                       if k != "cluster"}}
    o2 = only_outcome(write(tmp_path, submission(rct(plain)), "amend_separation.csv"))
    assert o2["test"] == "log_odds_ratio_z" or o2["test"] == "fisher_exact"
    assert o2["effects"]["cox_index"]["estimate"] == o["effects"]["cox_index"]["estimate"]


# -- DiD is the outcome's effect once baseline is not satisfied (SPEC 3.4) ----------------


def test_did_decides_sign_and_significance_when_baseline_needs_adjustment() -> None:
    # Post: treatment ahead by 1 point (g ≈ +0.10); pre: ahead by 2 (g ≈ +0.20, adjustment
    # required); g_did ≈ −0.10 is unfavourable, though the raw difference is favourable.
    doc = submission(rct({"summary": {
        "treatment": {"n": 200, "mean": 51, "sd": 10, "pre_mean": 52, "pre_sd": 10},
        "control": {"n": 200, "mean": 50, "sd": 10, "pre_mean": 50, "pre_sd": 10}}},
        assigned={"treatment": 200, "control": 200}))
    o = only_outcome(doc)
    assert o["baseline"]["verdict"] == "adjustment_required"
    assert o["effects"]["mean_difference"]["estimate"] > 0
    did = o["effects"]["did_hedges_g"]
    assert did["estimate"] < 0 and o["favourable"] is False
    assert (o["test"], o["p_value"]) == ("difference_in_differences", did["p_value"])
    assert o["headline"]["measure"] == "did_hedges_g" and o["adjusted_for_pretest"] is True


# -- g_ANCOVA's SE ----------------------------------------------------------------------


def test_row_level_ancova_headline_se_has_the_g_squared_term(tmp_path: Path) -> None:
    ref = G["ancova_g_se"]
    doc = submission(rct({"data": "rows_trial.csv", "columns": {
        "outcome": "post", "group": "arm", "treatment": "tutored", "pretest": "pre"}},
        "comparison_group"))
    o = only_outcome(write(tmp_path, doc, "rows_trial.csv"))
    assert o["headline"]["measure"] == "ancova_hedges_g"
    assert o["headline"]["estimate"] == approx(ref["g"])
    assert o["headline"]["se"] == approx(ref["se"])
    assert o["headline"]["se"] != approx(ref["se_without_term"], 1e-6)
    assert o["effects"]["ancova"]["se_hedges_g"] == approx(ref["se"])


# -- every p and interval names its test and method ---------------------------------------


def _check_named(o: dict[str, Any], where: str) -> None:
    from evidencekit.analysis.outcome import CI_METHODS
    from evidencekit.registry import TESTS

    if o["p_value"] is not None:
        assert o["test"] in TESTS, where
    for key, e in o["effects"].items():
        if e.get("p_value") is not None:
            assert e["test"] in TESTS, (where, key)
        if e.get("ci") is not None:
            assert e["ci_method"] in CI_METHODS, (where, key)
    h = o["headline"]
    if h is not None and h["ci"] is not None:
        assert h["ci_method"] in CI_METHODS, (where, "headline")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_p_and_interval_is_named_in_the_examples(path: Path) -> None:
    data = json.loads(json.dumps(analyse(path).to_dict()))
    for e in data["evaluations"]:
        for o in e["outcomes"]:
            _check_named(o, f"{path.name}: {o['name']}")


def test_every_p_and_interval_is_named_in_the_amendment_cases(tmp_path: Path) -> None:
    docs = [binary((0, 130), (7, 136)), binary((40, 200), (20, 200)),
            submission(rct(SEPARATION, "cluster_rct"))]
    for i, doc in enumerate(docs):
        (tmp_path / str(i)).mkdir()
        o = only_outcome(write(tmp_path / str(i), doc, "amend_separation.csv"))
        _check_named(o, str(i))


# -- a reported mean difference without what g needs; labels in cluster designs ------------


@pytest.mark.parametrize(("extra", "code", "cohens_d", "names"), [
    ({"sd": 10}, "no_n", 0.28, ("n_treatment", "n_control")),
    ({"n_treatment": 200, "n_control": 200}, "no_sd", None, ("'sd'",)),
    ({}, "no_sd", None, ("'sd'", "n_treatment", "n_control")),
])
def test_reported_mean_difference_says_what_is_missing(
        extra: dict[str, Any], code: str, cohens_d: float | None, names: tuple[str, ...]) -> None:
    o = only_outcome(submission(rct({"reported": {"mean_difference": 2.8,
                                                  "ci": [0.87, 4.73], **extra}})))
    assert o["headline"] is None and "hedges_g" not in o["effects"]
    assert codes(o) == [code]
    text = o["notes"][0]["text"]
    assert all(name in text for name in names)
    if code == "no_n":
        assert "No standard deviation" not in text and "has a standard deviation" in text
    if cohens_d is None:
        assert "cohens_d" not in o["effects"]
    else:
        assert o["effects"]["cohens_d"]["estimate"] == approx(cohens_d)
    # the test of the mean difference itself is unaffected (Cochrane: SE from the 95% CI)
    assert o["p_value"] == approx(0.004461774473423643, 1e-6) and o["test"] == "normal_z"


def test_cluster_design_labels_statistics_that_ignore_clustering() -> None:
    o = only_outcome(submission(rct(
        {"summary": {"treatment": {"n": 300, "mean": 52, "sd": 10},
                     "control": {"n": 300, "mean": 50, "sd": 10}}},
        design="cluster_rct", assigned={"treatment": 300, "control": 300},
        clusters={"treatment": 10, "control": 10}, icc=0.1)))
    md = o["effects"]["mean_difference"]
    # Welch's p ignores the clustering; the outcome's p is the WWC-corrected one.
    assert md["test"] == "welch_t" and md["p_value"] < 0.05 and md["ignores_clustering"] is True
    assert o["test"] == "wwc_cluster_corrected" and o["p_value"] > 0.2
    assert o["significant"] is False
    for key in ("hedges_g", "cohens_d", "glass_delta"):   # SE/CI or noncentral CI
        assert o["effects"][key]["ignores_clustering"] is True
    # an individually randomised trial has no such label
    o2 = only_outcome(submission(rct({"summary": {"treatment": {"n": 300, "mean": 52, "sd": 10},
                                                  "control": {"n": 300, "mean": 50, "sd": 10}}})))
    assert all("ignores_clustering" not in e for e in o2["effects"].values())
