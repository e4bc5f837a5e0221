"""Property tests: the sufficient-statistics route equals brute force on random data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rows_helpers import Cli, evaluation, outcome_spec, write_submission

import evidencekit.load.data.limits as data_module
from evidencekit import stats
from evidencekit.stats.clustered import cr2, icc_anova
from evidencekit.stats.regression import ols

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def brute_cr2(x: np.ndarray, y: np.ndarray, cluster: np.ndarray) -> tuple[np.ndarray, ...]:
    """Textbook CR2 with n_j×n_j matrices and the Bell–McCaffrey df for every coefficient."""
    m = np.linalg.inv(x.T @ x)
    b = m @ x.T @ y
    e = y - x @ b
    ih = np.eye(len(y)) - x @ m @ x.T
    meat = np.zeros((x.shape[1], x.shape[1]))
    adjust = {}
    for j in np.unique(cluster):
        i = np.flatnonzero(cluster == j)
        w, v = np.linalg.eigh(ih[np.ix_(i, i)])
        a = (v / np.sqrt(w)) @ v.T
        adjust[j] = (i, a)
        u = x[i].T @ a @ e[i]
        meat += np.outer(u, u)
    vcov = m @ meat @ m
    dfs = []
    for col in range(x.shape[1]):
        c = np.zeros(x.shape[1])
        c[col] = 1
        p = np.column_stack([ih[:, i] @ a @ x[i] @ m @ c for i, a in adjust.values()])
        pp = p.T @ p
        dfs.append(np.trace(pp) ** 2 / np.sum(pp**2))
    return b, np.sqrt(np.diag(vcov)), np.array(dfs)


def trial(draw: Any) -> dict[str, np.ndarray]:
    per_arm = draw(st.integers(2, 5))
    sizes = draw(st.lists(st.integers(2, 6), min_size=2 * per_arm, max_size=2 * per_arm))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(2 * per_arm), sizes)
    treated = (cluster % 2).astype(float)
    pre = np.round(rng.normal(50, 10, cluster.size), 1)
    post = np.round(0.7 * pre + 2 * treated + rng.normal(0, 5, cluster.size)
                    + rng.normal(0, 3, 2 * per_arm)[cluster], 1)
    return {"cluster": cluster, "treated": treated, "pre": pre, "post": post}


@st.composite
def trials(draw: Any) -> dict[str, np.ndarray]:
    return trial(draw)


@FAST
@given(trials())
def test_cr2_low_rank_equals_brute_force(d: dict[str, np.ndarray]) -> None:
    x = np.column_stack([np.ones(d["post"].size), d["treated"], d["pre"]])
    y = d["post"]
    if np.linalg.matrix_rank(x) < 3:
        return
    b, se, df = brute_cr2(x, y, d["cluster"])
    codes = d["cluster"]
    blocks = np.stack([x[codes == j].T @ x[codes == j] for j in np.unique(codes)])
    scores = np.stack([x[codes == j].T @ (y - x @ b)[codes == j] for j in np.unique(codes)])
    fast = cr2(b, x.T @ x, blocks, scores)
    assert np.allclose(fast.se, se, rtol=1e-8)
    assert np.allclose(fast.df, df, rtol=1e-7)


@FAST
@given(trials())
def test_icc_equals_the_anova_formula(d: dict[str, np.ndarray]) -> None:
    y, c = d["post"], d["cluster"]
    arm = (c % 2).astype(int)
    n = np.bincount(c).astype(float)
    mean = np.bincount(c, y) / n
    ssw = float(np.sum((y - mean[c]) ** 2))
    r = icc_anova(n, mean, ssw, group=arm[np.unique(c, return_index=True)[1]])
    # By hand: mean squares of the nested one-way ANOVA.
    arm_mean = np.array([y[arm == a].mean() for a in (0, 1)])
    cl_arm = np.array([arm[c == j][0] for j in range(n.size)])
    msb = np.sum(n * (mean - arm_mean[cl_arm]) ** 2) / (n.size - 2)
    msw = ssw / (y.size - n.size)
    n0 = (y.size - sum(np.sum(n[cl_arm == a] ** 2) / n[cl_arm == a].sum() for a in (0, 1))) \
        / (n.size - 2)
    assert r.icc == pytest.approx(max(0.0, (msb - msw) / (msb + (n0 - 1) * msw)), abs=1e-12)


@FAST
@given(d=trials(), batch=st.integers(1, 5))
def test_rows_pipeline_equals_direct_computation(
        d: dict[str, np.ndarray], batch: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Write the rows as CSV, analyse them in tiny batches, compare with numpy."""
    folder = tmp_path_factory.mktemp("prop")
    lines = ["school,arm,pre,post"] + [
        f"s{c},{'T' if t else 'C'},{p},{q}"
        for c, t, p, q in zip(d["cluster"], d["treated"], d["pre"], d["post"], strict=True)]
    (folder / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sub = write_submission(folder, [evaluation("e", "cluster_rct", outcome_spec(
        "d.csv", {"outcome": "post", "group": "arm", "treatment": "T", "pretest": "pre",
                  "cluster": "school"}))])
    old = data_module.CSV_BLOCK
    data_module.CSV_BLOCK = 64 * batch
    try:
        code, out, err = Cli()("analyse", str(sub), "--format", "json")
    finally:
        data_module.CSV_BLOCK = old
    y, t, x = d["post"], d["treated"], d["pre"]
    if np.ptp(y[t == 1]) + np.ptp(y[t == 0]) == 0 or np.ptp(x) == 0:
        assert code == 2
        return
    assert code == 0, err
    o = json.loads(out)["evaluations"][0]["outcomes"][0]
    direct = stats.two_group_continuous(
        int(t.sum()), y[t == 1].mean(), y[t == 1].std(ddof=1), int((1 - t).sum()),
        y[t == 0].mean(), y[t == 0].std(ddof=1))
    assert o["effects"]["hedges_g"]["estimate"] == pytest.approx(direct.g, rel=1e-9, abs=1e-12)
    assert o["effects"]["mean_difference"]["p_value_welch"] == pytest.approx(
        direct.p_value_welch, rel=1e-8, abs=1e-14)
    xx = np.column_stack([np.ones(y.size), t, x])
    fit = ols(xx.T @ xx, xx.T @ y, float(y @ y), y.size)
    b, se = np.linalg.lstsq(xx, y, rcond=None)[0], fit.se
    assert o["effects"]["ancova"]["estimate"] == pytest.approx(b[1], rel=1e-8, abs=1e-10)
    assert o["effects"]["ancova"]["se"] == pytest.approx(se[1], rel=1e-8)
    _, se_r, df_r = brute_cr2(xx, y, d["cluster"])
    assert o["effects"]["ancova"]["se_cluster_robust"] == pytest.approx(se_r[1], rel=1e-7)
    assert o["effects"]["ancova"]["df_cluster_robust"] == pytest.approx(df_r[1], rel=1e-6)


def test_a_single_cluster_per_arm_gives_no_test(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "d.csv").write_text(
        "school,arm,post\na,T,1\na,T,2\na,T,4\nb,C,1\nb,C,3\nb,C,0\n", encoding="utf-8")
    sub = write_submission(tmp_path, [evaluation("e", "cluster_rct", outcome_spec(
        "d.csv", {"outcome": "post", "group": "arm", "treatment": "T", "cluster": "school"}))])
    code, out, err = cli("analyse", str(sub), "--format", "json")
    assert code == 0, err
    o = json.loads(out)["evaluations"][0]["outcomes"][0]
    # SPEC 3.9 (amended 2026-12): no valid test, p null with a note; the 2-group
    # statistics are kept (they were lost before).
    assert o["problems"] == []
    assert o["p_value"] is None and o["test"] is None and o["significant"] is None
    assert o["groups"]["treatment"]["n"] == 3 and o["groups"]["control"]["n"] == 3
    assert o["effects"]["hedges_g"]["estimate"] is not None
    assert "single_cluster_arm" in [n["code"] for n in o["notes"]]
    assert o["clustering"]["method"].startswith("no valid test")
