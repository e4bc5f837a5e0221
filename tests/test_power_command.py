"""`evidencekit power` for two proportions, paired designs and cluster trials with covariates.

Numbers are checked against tests/reference/power_extra.json (pwr 1.3-0 and the PowerUp!
CRA2_2 formula coded in R); bad values give one plain sentence and exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GOLDEN = json.loads((Path(__file__).parent / "reference" / "power_extra.json")
                    .read_text(encoding="utf-8"))


def _json(cli: Callable[..., Any], *args: str) -> dict[str, Any]:
    r = cli("power", *args, "--format", "json")
    assert r.exit_code == 0, r.stderr
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def test_two_proportions(cli: Callable[..., Any]) -> None:
    row = GOLDEN["proportions"]["rows"][0]  # 0.40 vs 0.30, n 200 / 150
    out = _json(cli, "--p-control", "0.30", "--p-treatment", "0.40", "--n-treatment", "200",
                "--n-control", "150")
    assert out["design"] == "two_proportions" and "pwr.2p2n.test" in out["method"]
    assert out["cohens_h"] == pytest.approx(row["h"], rel=1e-12)
    assert out["achieved_power"] == pytest.approx(row["power"], rel=1e-10)
    assert out["mdes_h"] == pytest.approx(row["mdes_h"], rel=2e-4)
    need = _json(cli, "--p-control", "0.30", "--p-treatment", "0.40")
    assert need["n_per_group"] == 356  # ceil(355.419) as pwr.2p.test
    assert need["n_per_group_exact"] == pytest.approx(row["n_equal"], rel=1e-6)
    row = GOLDEN["proportions"]["rows"][3]  # 0.25 vs 0.40 with 120 controls
    fixed = _json(cli, "--p-control", "0.40", "--p-treatment", "0.25", "--n-control", "120")
    assert fixed["n_treatment_exact"] == pytest.approx(row["n1_given_n2"], rel=1e-5)
    text = cli("power", "--p-control", "0.3", "--p-treatment", "0.4").stdout
    assert text == ("To detect 40% against 30% (Cohen's h = 0.210; two-sided α = 0.05, power "
                    "80%) you need 356 per group (712 in all).\n")


def test_paired(cli: Callable[..., Any]) -> None:
    row = GOLDEN["paired"]["rows"][0]  # n = 30
    out = _json(cli, "--pairs", "30")
    assert out["design"] == "paired" and out["mdes"] == pytest.approx(row["mdes_exact"],
                                                                       rel=1e-9)
    need = _json(cli, "--paired", "--mdes", "0.5")
    assert need["pairs"] == 34 and need["pairs_exact"] == pytest.approx(row["n_exact"],
                                                                         rel=1e-9)


def test_cluster_with_covariates(cli: Callable[..., Any]) -> None:
    row = GOLDEN["cluster_covariates"]["rows"][1]  # J 40, n 25, ρ .2, R² .5/.5, g 1
    out = _json(cli, "--clusters", "40", "--cluster-size", "25", "--icc", "0.2",
                "--r2-level1", "0.5", "--r2-level2", "0.5", "--covariates", "1")
    assert out["mdes"] == pytest.approx(row["mdes"], rel=1e-12)
    assert (out["r2_level1"], out["r2_level2"], out["covariates"]) == (0.5, 0.5, 1)
    need = _json(cli, "--mdes", "0.3", "--cluster-size", "25", "--icc", "0.2",
                 "--r2-level1", "0.5", "--r2-level2", "0.5", "--covariates", "1")
    assert need["clusters"] == 44 and need["mdes_achieved"] <= 0.3


@pytest.mark.parametrize(("args", "sentence"), [
    (("--pairs", "30", "--icc", "0.2"), "Expected the options of one design (a cluster trial "
     "or a paired design), found options of a cluster trial and a paired design together."),
    (("--p-control", "1.3", "--p-treatment", "0.2"), "--p-control: expected a proportion "
     "from 0 to 1, found 1.3."),
    (("--p-control", "0.3"), "Expected both --p-control and --p-treatment for two "
     "proportions, found no --p-treatment."),
    (("--p-control", "0.3", "--p-treatment", "0.3"), "--p-treatment: expected a proportion "
     "different from --p-control (0.3), found 0.3."),
    (("--p-control", "0.3", "--p-treatment", "0.4", "--mdes", "0.2"), "--mdes: expected no "
     "--mdes with two proportions (the difference is given by --p-control and "
     "--p-treatment), found 0.2."),
    (("--n-control", "100",), "--n-control: expected --p-control and --p-treatment beside it "
     "(unequal groups are planned for two proportions), found no proportions."),
    (("--p-control", "0.3", "--p-treatment", "0.4", "--n-control", "150"), "--n-control: "
     "expected a group large enough that some other group reaches power 80% for h = 0.210 "
     "(power is 73% even with an unlimited other group), found 150."),
    (("--pairs", "2"), "--pairs: expected at least 3 pairs, found 2."),
    (("--paired",), "Expected either --pairs (to get the MDES) or --paired with --mdes (to get "
     "the pairs needed), found neither."),
    (("--clusters", "20", "--cluster-size", "20", "--icc", "0.1", "--r2-level1", "1"),
     "--r2-level1: expected a proportion of variance explained from 0 up to (not including) "
     "1, found 1."),
    (("--clusters", "20", "--cluster-size", "20", "--icc", "0.1", "--r2-level2", "0.5"),
     "--covariates: expected at least 1 cluster-level covariate when --r2-level2 is above 0 "
     "(each costs a degree of freedom), found 0."),
    (("--clusters", "5", "--cluster-size", "20", "--icc", "0.1", "--covariates", "3"),
     "--clusters: expected at least 6 clusters (J − 3 covariates − 2 ≥ 1), found 5."),
    (("--clusters", "20", "--cluster-size", "20", "--icc", "0.1", "--covariates", "-1"),
     "--covariates: expected a number of cluster-level covariates of 0 or more, found -1."),
])
def test_bad_values(cli: Callable[..., Any], args: tuple[str, ...], sentence: str) -> None:
    r = cli("power", *args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", sentence + "\n")
