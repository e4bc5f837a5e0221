"""Noncentral-t intervals and Morris's d_ppc2 in `analyse --format json` (smd_ci option)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evidencekit.stats import es_intervals as es

FIXTURE = Path(__file__).parent / "fixtures" / "prepost_control.yaml"
GOLDEN = json.loads((Path(__file__).parent / "reference" / "es_intervals.json")
                    .read_text(encoding="utf-8"))


def _effects(cli: Any, *options: str) -> list[dict[str, Any]]:
    r = cli("analyse", str(FIXTURE), "--format", "json", *options)
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    return [o["effects"] for e in data["evaluations"] for o in e["outcomes"]]


def test_noncentral_intervals_beside_the_normal_ones(cli: Any) -> None:
    two, prepost = _effects(cli)
    g = two["hedges_g"]
    assert g["ci_method"] == "normal"
    assert g["ci_noncentral"] == pytest.approx(list(es.smd_ci_noncentral(g["estimate"], 20, 24,
                                                                         hedges=True)))
    assert two["glass_delta"]["ci_noncentral"] is not None
    assert prepost["d_z"]["ci_noncentral"] == pytest.approx(
        list(es.d_z_ci_noncentral(0.4, 30)))
    assert prepost["d_av"]["ci_noncentral"][0] < prepost["d_av"]["estimate"]


def test_the_option_makes_them_the_interval(cli: Any) -> None:
    two, prepost = _effects(cli, "--set", "smd_ci=noncentral")
    for e in (two["cohens_d"], two["hedges_g"], two["glass_delta"], prepost["d_z"],
              prepost["d_av"]):
        assert e["ci_method"] == "noncentral_t" and e["ci"] == e["ci_noncentral"]


def test_morris_d_ppc2_from_summaries(cli: Any) -> None:
    two, _ = _effects(cli)
    ref = GOLDEN["morris_ppc2"]["rows"][0]  # Morris (2008)'s worked example
    d = two["d_ppc2"]
    assert d["estimate"] == pytest.approx(ref["d"], rel=1e-12)
    assert d["variance"] == pytest.approx(ref["var"], rel=1e-12)
    assert d["se"] == pytest.approx(ref["var"] ** 0.5, rel=1e-12)
    assert (d["correlation"], d["correlation_assumed"]) == (0.47, False)


def test_morris_d_ppc2_from_rows(tmp_path: Path, cli: Any) -> None:
    import shutil

    import yaml

    shutil.copy(Path(__file__).parent / "reference" / "rows_trial.csv", tmp_path / "t.csv")
    doc = {"schema": "evidencekit/submission@1", "programme": {"name": "Rows"},
           "evaluations": [{"id": "trial", "design": "rct", "outcomes": [{
               "name": "Attainment", "data": "t.csv",
               "columns": {"outcome": "post", "group": "arm", "treatment": "tutored",
                           "pretest": "pre"}}]}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    r = cli("analyse", str(tmp_path / "s.yaml"), "--format", "json")
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)["evaluations"][0]["outcomes"][0]["effects"]["d_ppc2"]
    ref = GOLDEN["morris_rows"]  # es_intervals.R on rows_trial.csv
    assert d["estimate"] == pytest.approx(ref["d"], rel=1e-9)
    assert d["variance"] == pytest.approx(ref["var"], rel=1e-9)
    assert d["correlation"] == pytest.approx(ref["r"], rel=1e-9)
