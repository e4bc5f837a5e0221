"""Row-level analysis against R (tests/reference/rows.R → rows.json, printed in rows.out).

Each submission below points at the CSV files rows.R wrote, so R and evidencekit read the
same decimal text. Tolerances are relative 1e-9 unless a comment says why not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rows_helpers import Cli, copy_reference, evaluation, outcome_spec, write_submission

Analyse = Callable[[Path], dict[str, Any]]
REL = 1e-9

TRIAL = {"outcome": "post", "group": "arm", "treatment": "tutored"}


def approx(x: float, rel: float = REL) -> Any:
    return pytest.approx(x, rel=rel, abs=1e-13)


def amend_golden() -> dict[str, Any]:
    """Values printed by tests/reference/amend.R (the 2026-12 SPEC amendments)."""
    with (Path(__file__).parents[1] / "reference" / "amend.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture(scope="module")
def trial_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("trial")
    copy_reference(folder, "rows_trial.csv", "rows_prepost.csv")
    sub = write_submission(folder, [
        evaluation("unadjusted", "rct", outcome_spec("rows_trial.csv", TRIAL)),
        evaluation("ancova", "comparison_group",
                   outcome_spec("rows_trial.csv", {**TRIAL, "pretest": "pre"})),
        evaluation("covariates", "rct",
                   outcome_spec("rows_trial.csv", {**TRIAL, "pretest": "pre"},
                                covariates=["age", "fsm"])),
        evaluation("clustered", "cluster_rct",
                   outcome_spec("rows_trial.csv", {**TRIAL, "pretest": "pre",
                                                   "cluster": "school"})),
        evaluation("clustered_unadjusted", "cluster_rct",
                   outcome_spec("rows_trial.csv", {**TRIAL, "cluster": "school"})),
        evaluation("binary", "cluster_rct",
                   outcome_spec("rows_trial.csv", {"outcome": "passed", "group": "arm",
                                                   "treatment": "tutored",
                                                   "pretest": "passed_pre",
                                                   "cluster": "school"}, kind="binary")),
        evaluation("binary_unadjusted", "cluster_rct",
                   outcome_spec("rows_trial.csv", {"outcome": "passed", "group": "arm",
                                                   "treatment": "tutored",
                                                   "cluster": "school"}, kind="binary")),
        evaluation("binary_logistic", "rct",
                   outcome_spec("rows_trial.csv", {"outcome": "passed", "group": "arm",
                                                   "treatment": "tutored",
                                                   "pretest": "passed_pre"}, kind="binary")),
        evaluation("prepost", "pre_post",
                   outcome_spec("rows_prepost.csv", {"pre": "before", "post": "after"}),
                   outcome_spec("rows_prepost.csv", {"pre": "in_work_before",
                                                     "post": "in_work_after"},
                                name="In work", kind="binary", primary=False)),
    ])
    code, out, err = Cli()("analyse", str(sub), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    return {e["id"]: e["outcomes"] for e in data["evaluations"]}


def test_two_group_unadjusted_matches_t_test_and_metafor(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: t.test(post ~ arm, var.equal = TRUE), t.test() (Welch), escalc("SMD") on rows
    # complete on post and arm (rows.R section 1a).
    ref = rows_golden["unadjusted"]
    o = trial_results["unadjusted"][0]
    for arm in ("treatment", "control"):
        assert o["groups"][arm]["n"] == ref["groups"][arm]["n"]
        assert o["groups"][arm]["mean"] == approx(ref["groups"][arm]["mean"])
        assert o["groups"][arm]["sd"] == approx(ref["groups"][arm]["sd"])
    md = o["effects"]["mean_difference"]
    assert md["estimate"] == approx(ref["mean_difference"])
    # Welch decides (SPEC 3.3, amended 2026-12); Student's p is reported beside it.
    assert md["p_value"] == approx(ref["p_value_welch"])
    assert md["p_value_student"] == approx(ref["p_value"])
    assert md["p_value_welch"] == approx(ref["p_value_welch"])
    assert (md["test"], md["ci_method"]) == ("welch_t", "welch_t")
    welch = amend_golden()["rows_welch"]
    assert md["ci"] == [approx(welch["ci"][0]), approx(welch["ci"][1])]
    assert md["df"] == approx(welch["df"])
    assert md["se"] == approx(welch["se"])
    assert o["effects"]["hedges_g"]["estimate"] == approx(ref["hedges_g"])
    assert o["effects"]["hedges_g"]["se"] ** 2 == approx(ref["var_g"])
    assert o["test"] == "welch_t" and o["p_value"] == approx(ref["p_value_welch"])
    # Listwise deletion: 8 missing outcomes (5 treatment, 3 control) and 2 missing groups.
    assert o["rows_dropped"] == ref["dropped"] == {"treatment": 5, "control": 3, "no_group": 2}
    assert any(n["code"] == "rows_dropped" for n in o["notes"])


def test_ancova_matches_lm(trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: summary(lm(post ~ treat + pre)) on rows complete on post, arm, pre (rows.R 1b);
    # g_ancova = J·b/S_pooled (SPEC 3.4); did: escalc SMD post − pre, WWC variance with the
    # pooled within-group pre-post correlation.
    ref = rows_golden["ancova"]
    o = trial_results["ancova"][0]
    anc = o["effects"]["ancova"]
    assert anc["estimate"] == approx(ref["estimate"])  # 1.54013824849644
    assert anc["se"] == approx(ref["se"])  # 0.649666669163974
    assert anc["p_value"] == approx(ref["p_value"])  # 0.0181046044158652
    assert anc["df"] == ref["df"] == 543
    assert anc["hedges_g"] == approx(ref["hedges_g_ancova"])
    assert o["baseline"]["hedges_g"] == approx(ref["baseline_g"])
    assert o["baseline"]["verdict"] == "satisfied"
    assert o["effects"]["did_hedges_g"]["estimate"] == approx(ref["did_g"])
    assert o["effects"]["did_hedges_g"]["se"] == approx(ref["did_se"])
    assert o["effects"]["hedges_g"]["estimate"] == approx(ref["post_g"])
    assert (o["test"], o["adjusted_for_pretest"]) == ("ancova", True)
    assert o["p_value"] == approx(ref["p_value"])
    assert o["headline"]["measure"] == "ancova_hedges_g"
    assert o["headline"]["estimate"] == approx(ref["hedges_g_ancova"])


def test_ancova_with_covariates_matches_lm(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: summary(lm(post ~ treat + pre + age + fsm)) (rows.R 1c).
    ref = rows_golden["ancova_covariates"]
    o = trial_results["covariates"][0]
    anc = o["effects"]["ancova"]
    assert anc["estimate"] == approx(ref["estimate"])  # 1.42134177697607
    assert anc["se"] == approx(ref["se"])  # 0.637632938664718
    assert anc["p_value"] == approx(ref["p_value"])  # 0.0262200330492718
    assert o["groups"]["treatment"]["n"] == ref["groups"]["treatment"]["n"]
    assert o["groups"]["control"]["n"] == ref["groups"]["control"]["n"]


def test_cluster_robust_matches_clubsandwich(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: clubSandwich::coef_test(lm(post ~ treat + pre), vcov = "CR2", cluster = school,
    # test = "Satterthwaite"): SE 0.838891213872169, df 36.1602542338798,
    # p 0.0746029655539833; ICC from anova(lm(post ~ arm + factor(school))) (rows.R 1d).
    ref = rows_golden["cluster"]
    o = trial_results["clustered"][0]
    anc = o["effects"]["ancova"]
    assert anc["se_cluster_robust"] == approx(ref["ancova"]["se"])
    assert anc["df_cluster_robust"] == approx(ref["ancova"]["df"])
    assert anc["p_value_cluster_robust"] == approx(ref["ancova"]["p_value"])
    assert o["test"] == "cr2"
    assert o["p_value"] == approx(ref["ancova"]["p_value"])
    assert o["significant"] is False  # 0.075: not significant once clustering is respected
    cl = o["clustering"]
    assert cl["icc"] == approx(ref["icc_ancova_rows"]["icc"])  # 0.112995121737258
    assert cl["clusters"] == 40 and cl["icc_source"] == "estimated"
    assert "CR2" in cl["method"] and "Satterthwaite" in cl["method"]
    # Hedges (2007): g_T = g·√(1 − 2(n−1)ρ/(N−2)), beside the unadjusted g.
    n_total = o["groups"]["treatment"]["n"] + o["groups"]["control"]["n"]
    n_bar = n_total / 40
    rho = ref["icc_ancova_rows"]["icc"]
    g = o["headline"]["estimate"]
    assert cl["hedges_g_cluster_adjusted"] == approx(
        g * (1 - 2 * (n_bar - 1) * rho / (n_total - 2)) ** 0.5)
    # The headline interval is widened to the cluster-robust test: it contains 0.
    assert o["headline"]["ci"][0] < 0 < o["headline"]["ci"][1]


def test_cluster_robust_unadjusted_matches_clubsandwich(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: coef_test(lm(post ~ treat), vcov = "CR2", cluster = school) on rows complete on
    # post and arm; ICC on the same rows (rows.R 1d).
    ref = rows_golden["cluster"]
    o = trial_results["clustered_unadjusted"][0]
    md = o["effects"]["mean_difference"]
    assert md["se_cluster_robust"] == approx(ref["unadjusted"]["se"])
    assert md["df_cluster_robust"] == approx(ref["unadjusted"]["df"])
    assert o["p_value"] == approx(ref["unadjusted"]["p_value"])
    assert md["se_student"] == approx(ref["ols_se_unadjusted"])
    assert o["clustering"]["icc"] == approx(ref["icc_unadjusted_rows"]["icc"])
    assert (o["test"], o["adjusted_for_pretest"]) == ("cr2", False)


def test_binary_logistic_matches_glm(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: glm(y ~ treat + x, binomial, control = glm.control(epsilon = 1e-15)) with y =
    # passed (yes/no), x = passed_pre (Yes/No) (rows.R 1e); escalc("OR") for the raw log OR.
    ref = rows_golden["binary"]
    o = trial_results["binary_logistic"][0]
    assert o["groups"]["treatment"]["events"] == ref["events"]["treatment"]
    assert o["groups"]["control"]["events"] == ref["events"]["control"]
    assert o["groups"]["treatment"]["n"] == ref["n"]["treatment"]
    assert o["effects"]["log_odds_ratio"]["estimate"] == approx(ref["log_odds_ratio"])
    assert o["effects"]["log_odds_ratio"]["se"] ** 2 == approx(ref["var_log_or"])
    lg = o["effects"]["logistic"]
    assert lg["estimate"] == approx(ref["logistic"]["estimate"], 1e-8)
    assert lg["se"] == approx(ref["logistic"]["se"], 1e-8)
    assert lg["p_value"] == approx(ref["logistic"]["p_value"], 1e-8)
    assert (o["test"], o["adjusted_for_pretest"]) == ("logistic", True)
    assert o["headline"]["measure"] == "cox_index"
    assert o["headline"]["estimate"] == approx(ref["logistic"]["estimate"] / 1.65, 1e-8)
    # Baseline Cox index from the yes/no pretest counts (SPEC 3.8).
    pt, pc = ref["pre_events"]["treatment"], ref["pre_events"]["control"]
    nt, nc = ref["n"]["treatment"], ref["n"]["control"]
    import math

    cox = math.log(pt * (nc - pc) / ((nt - pt) * pc)) / 1.65
    assert o["baseline"]["hedges_g"] == approx(cox)
    assert o["baseline"]["measure"] == "cox_index"


def test_binary_cluster_robust(trial_results: dict[str, Any],
                               rows_golden: dict[str, Any]) -> None:
    ref = rows_golden["binary"]
    # Adjusted model (weights vary within schools): CR2 as clubSandwich computes it for glm
    # fits, working-model weights inside the adjustment matrices (SPEC 3.9, amended
    # 2026-12). The whitened working model used before gave SE 0.238020 (rows.R
    # whitened_cr2); clubSandwich 0.2380125. Both are pinned so the difference is visible.
    o = trial_results["binary"][0]
    lg = o["effects"]["logistic"]
    assert lg["se_cluster_robust"] == approx(ref["logistic_cr2"]["se"], 1e-8)
    assert lg["df_cluster_robust"] == approx(ref["logistic_cr2"]["df"], 1e-8)
    assert o["p_value"] == approx(ref["logistic_cr2"]["p_value"], 1e-8)
    assert lg["se_cluster_robust"] != approx(ref["logistic_cr2_whitened"]["se"], 1e-6)
    assert o["test"] == "cr2"
    assert "working-model weights" in o["clustering"]["method"]
    # Treatment only, schools within arms: the weights are constant within clusters, so
    # clubSandwich's glm CR2 is matched exactly.
    o = trial_results["binary_unadjusted"][0]
    lor = o["effects"]["log_odds_ratio"]
    assert lor["estimate"] == approx(ref["unadjusted_cr2"]["estimate"], 1e-8)
    assert lor["se_cluster_robust"] == approx(ref["unadjusted_cr2"]["se"], 1e-8)
    assert lor["df_cluster_robust"] == approx(ref["unadjusted_cr2"]["df"], 1e-8)
    assert o["p_value"] == approx(ref["unadjusted_cr2"]["p_value"], 1e-8)


def test_pre_post_rows_match_paired_t_test(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: t.test(after, before, paired = TRUE) on rows_prepost.csv, complete pairs (rows.R 2).
    ref = rows_golden["prepost"]
    o = trial_results["prepost"][0]
    mc = o["effects"]["mean_change"]
    assert mc["estimate"] == approx(ref["mean_change"])
    assert mc["p_value"] == approx(ref["p_value"])  # 5.3167163044988e-05
    assert mc["ci"] == [approx(ref["ci"][0]), approx(ref["ci"][1])]
    assert o["effects"]["d_z"]["estimate"] == approx(ref["d_z"])  # 0.573840546601572
    assert o["effects"]["d_av"]["estimate"] == approx(ref["d_av"])
    assert o["groups"]["pre"]["n"] == ref["n"] == 58
    assert o["groups"]["pre"]["sd"] == approx(ref["sd_pre"])
    assert o["rows_dropped"] == {"all": ref["dropped"]}
    assert o["test"] == "paired_t"


def test_binary_pre_post_is_exact_mcnemar(
        trial_results: dict[str, Any], rows_golden: dict[str, Any]) -> None:
    # R: binom.test(b, b + c) on the discordant pairs (TRUE/true and FALSE/false values).
    ref = rows_golden["prepost"]["mcnemar"]
    o = trial_results["prepost"][1]
    ch = o["effects"]["change_in_proportion"]
    assert ch["estimate"] == approx(ref["p_after"] - ref["p_before"])
    assert o["p_value"] == approx(ref["p_value"])  # 0.0427739452570677
    assert (ch["changed_to_yes"], ch["changed_to_no"]) == (ref["b"], ref["c"])
    assert o["test"] == "mcnemar"


def test_pooling_matches_metafor(tmp_path: Path, analyse_json: Analyse, cli: Cli,
                                 rows_golden: dict[str, Any]) -> None:
    # R: escalc("SMD") per trial of rows_pool.csv, rma(method = "DL") and "FE" (rows.R 3).
    copy_reference(tmp_path, "rows_pool.csv")
    sub = write_submission(tmp_path, [
        evaluation(f"trial-{k}", "rct",
                   outcome_spec("rows_pool.csv", {"outcome": f"score_{k}", "group": f"arm_{k}",
                                                  "treatment": "T"}), site=f"Site {k}")
        for k in "abc"])
    data = analyse_json(sub)
    ref = rows_golden["pooling"]
    for e, yi, vi in zip(data["evaluations"], ref["yi"], ref["vi"], strict=True):
        h = e["outcomes"][0]["headline"]
        assert h["estimate"] == approx(yi)
        assert h["se"] ** 2 == approx(vi)
        # Blank cells below a shorter trial are blank rows, not dropped rows.
        assert e["outcomes"][0]["rows_dropped"] == {"treatment": 0, "control": 0,
                                                    "no_group": 0}
    pooled = data["pooled"]
    assert pooled["random"]["estimate"] == approx(ref["estimate"])  # 0.1782
    assert pooled["random"]["se"] == approx(ref["se"])
    assert pooled["tau2"] == approx(ref["tau2"])  # 0.1371
    assert pooled["i2"] == approx(ref["i2"])  # 68.52 (%)
    assert pooled["q"] == approx(ref["q"])
    assert pooled["fixed"]["estimate"] == approx(ref["fixed"])
    code, out, _ = cli("analyse", str(sub))
    assert code == 0
    assert "I² = 69%" in out and "τ² = 0.137" in out


def test_power_command_matches_pwr(cli: Cli, rows_golden: dict[str, Any]) -> None:
    # R: pwr.t.test(n = 100, power = .8)$d; pwr.t.test(n = 40, sig.level = .01, power = .9)$d;
    # pwr.t.test(d = .3, power = .8)$n (uniroot tolerance ~1e-4 in pwr, so 1e-4 here);
    # Bloom's MDES evaluated in R (rows.R 4).
    ref = rows_golden["power"]

    def run(*args: str) -> dict[str, Any]:
        code, out, err = cli("power", *args, "--format", "json")
        assert code == 0, err
        data: dict[str, Any] = json.loads(out)
        return data

    assert run("--n-per-group", "100")["mdes"] == pytest.approx(ref["mdes_n100"], abs=1e-4)
    assert run("--n-per-group", "40", "--alpha", "0.01", "--power", "0.9")["mdes"] == \
        pytest.approx(ref["mdes_n40_a01_p90"], abs=1e-4)
    n = run("--mdes", "0.3")
    assert n["n_per_group"] == 176  # ceil(175.38)
    assert n["n_per_group_exact"] == pytest.approx(ref["n_for_d03"], abs=1e-3)
    assert run("--clusters", "40", "--cluster-size", "25", "--icc", "0.2")["mdes"] == \
        approx(ref["cluster_mdes_40_25_020"])
    assert run("--clusters", "60", "--cluster-size", "20", "--icc", "0.1",
               "--alpha", "0.01")["mdes"] == approx(ref["cluster_mdes_60_20_010_a01"])
    need = run("--mdes", "0.44", "--cluster-size", "25", "--icc", "0.2")
    assert (need["clusters"], need["clusters_per_group"], need["n_per_group"]) == (40, 20, 500)
    assert need["mdes_achieved"] <= 0.44


def test_clustered_pre_post_matches_clubsandwich(tmp_path: Path, analyse_json: Analyse,
                                                 rows_golden: dict[str, Any]) -> None:
    # R: coef_test(lm(post - pre ~ 1), vcov = "CR2", cluster = school) and the one-way
    # ANOVA ICC of the change (rows.R 1f). The arm column is ignored by a pre-post design.
    ref = rows_golden["prepost_cluster"]
    copy_reference(tmp_path, "rows_trial.csv")
    sub = write_submission(tmp_path, [evaluation("pp", "pre_post", outcome_spec(
        "rows_trial.csv", {"pre": "pre", "post": "post", "cluster": "school"}))])
    o = analyse_json(sub)["evaluations"][0]["outcomes"][0]
    mc = o["effects"]["mean_change"]
    assert o["groups"]["pre"]["n"] == ref["n"]
    assert mc["estimate"] == approx(ref["mean_change"])
    assert mc["se_cluster_robust"] == approx(ref["se"])
    assert mc["df_cluster_robust"] == approx(ref["df"])
    assert o["p_value"] == approx(ref["p_value"])
    assert o["test"] == "cr2"
    assert o["clustering"]["icc"] == approx(ref["icc"])
