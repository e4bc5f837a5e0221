"""g_ANCOVA's SE against R and against the formula it is cited to (issue #11 item 2).

Golden values: tests/reference/ancova_se.R → ancova_se.json (lm, clubSandwich CR2, and
Borenstein (2009) Table 12.3 coded in R).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from rows_helpers import Cli, copy_reference, evaluation, outcome_spec, write_submission

from evidencekit.stats import ancova_g_se, hedges_j

GOLDEN = json.loads((Path(__file__).parents[1] / "reference" / "ancova_se.json")
                    .read_text(encoding="utf-8"))
TRIAL = {"outcome": "post", "group": "arm", "treatment": "tutored", "pretest": "pre"}


def approx(x: float, rel: float = 1e-9) -> Any:
    return pytest.approx(x, rel=rel, abs=1e-13)


@pytest.mark.parametrize("case", ["rows_trial", "small"])
def test_formula_matches_r(case: str) -> None:
    r = GOLDEN[case]
    se = ancova_g_se(r["g"], r["se_b"], r["s_pooled"], r["n_t"], r["n_c"])
    assert se == approx(r["se_evidencekit"], 1e-12)
    assert hedges_j(r["n_t"] + r["n_c"] - 2) == approx(r["J"], 1e-12)


@pytest.mark.parametrize("case", ["rows_trial", "small"])
def test_formula_is_borenstein_table_12_3_with_the_models_var_b(case: str) -> None:
    # Borenstein (2009) Table 12.3: V_d = (n1+n2)/(n1 n2)·(1 − R²) + d²/(2N), V_g = J²·V_d.
    # With Var(b)/S² at Borenstein's large-sample value, ancova_g_se is exactly his SE.
    r = GOLDEN[case]
    n_t, n_c, s, rw = r["n_t"], r["n_c"], r["s_pooled"], r["r_within"]
    se_b_large_sample = s * math.sqrt((1 / n_t + 1 / n_c) * (1 - rw**2))
    se = ancova_g_se(r["g"], se_b_large_sample, s, n_t, n_c)
    assert se == approx(r["se_borenstein"], 1e-12)
    # With the fitted model's SE(b) (df ratio and covariate imbalance included) they differ
    # by a few per cent at N = 26 and by 0.1% at N = 546.
    assert abs(r["se_evidencekit"] / r["se_borenstein"] - 1) < (0.05 if n_t < 20 else 0.002)
    assert r["var_b_identity"] == approx(r["se_b"] ** 2, 1e-10)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("ancova_se")
    copy_reference(folder, "rows_trial.csv", "ancova_small.csv")
    sub = write_submission(folder, [
        evaluation("small", "rct", outcome_spec("ancova_small.csv", TRIAL)),
        evaluation("trial", "rct", outcome_spec("rows_trial.csv", TRIAL)),
        evaluation("clustered", "cluster_rct",
                   outcome_spec("rows_trial.csv", {**TRIAL, "cluster": "school"})),
    ])
    code, out, err = Cli()("analyse", str(sub), "--format", "json")
    assert code == 0, err
    return {e["id"]: e["outcomes"][0] for e in json.loads(out)["evaluations"]}


@pytest.mark.parametrize(("eid", "case"), [("small", "small"), ("trial", "rows_trial")])
def test_headline_se_from_rows(results: dict[str, Any], eid: str, case: str) -> None:
    h, ref = results[eid]["headline"], GOLDEN[case]
    assert h["measure"] == "ancova_hedges_g"
    assert h["estimate"] == approx(ref["g"])
    assert h["se"] == approx(ref["se_evidencekit"])
    z = 1.959963984540054
    assert h["ci"] == [approx(ref["g"] - z * ref["se_evidencekit"]),
                       approx(ref["g"] + z * ref["se_evidencekit"])]
    assert results[eid]["effects"]["ancova"]["se_hedges_g"] == approx(ref["se_evidencekit"])


def test_clustered_headline_uses_the_cr2_se_of_b_in_the_same_formula(
        results: dict[str, Any]) -> None:
    # sqrt((J·SE_CR2(b)/S)² + g²/(2N)) with clubSandwich's CR2 SE; the interval on the
    # Satterthwaite df. Only the variance of b is inflated, not the g²/(2N) term.
    o, ref = results["clustered"], GOLDEN["rows_trial_cr2"]
    assert o["effects"]["ancova"]["se_cluster_robust"] == approx(ref["se_b_cr2"])
    assert o["headline"]["se"] == approx(ref["se_head"])
    assert o["headline"]["ci"] == [approx(ref["ci"][0]), approx(ref["ci"][1])]
    assert o["headline"]["ci_method"] == "cr2_satterthwaite"
