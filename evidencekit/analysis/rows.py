"""Analyse a row-level outcome (SPEC §1 ``data:``) into the same draft the summaries fill.

The file is streamed once (:mod:`evidencekit.load.data`). Continuous outcomes need only
sufficient statistics: for every cell (cluster × group) the sums of products of
[1, pretest, covariates…, outcome], accumulated with ``numpy.bincount`` per batch. From these
come the group summaries (hence every effect of SPEC §3.2–3.3, through the same
:func:`evidencekit.stats.two_group_continuous` the summaries use), the ANCOVA (X'X, X'y and
y'y, SPEC §3.4), the per-cluster k×k blocks of the CR2 cluster-robust test and the ICC
(SPEC §3.9), and the pre-post statistics (SPEC §3.5). Binary outcomes with a pretest,
covariates or clusters are fitted by logistic regression on the (complete) rows in memory.

Missing values are dropped listwise per analysis: a row is used when every column the
analysis of this outcome needs is present; the rows left out are counted per group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .. import stats
from ..load.data import Batch, ColumnKind, ColumnRequest, DataFile, Tally
from ..load.model import TWO_GROUP_DESIGNS, DataSource, Evaluation, Outcome
from ..stats.clustered import GLM_DENSE_LIMIT, ClusterRobust, cr2, icc_anova
from ..stats.regression import LinearFit, logistic, ols
from .outcome import (
    _cluster_correct,
    _favourable,
    _is_clustered,
    _power_note,
    no_cluster_test,
    record_binary,
    record_two_group,
)
from .result import AnalysisOptions, Baseline, Clustering, Effect, GroupStats, Headline

if TYPE_CHECKING:
    from .outcome import _Draft

__all__ = ["CR2_METHOD", "CR2_METHOD_LOGISTIC", "SEPARATION_METHOD", "analyse_rows"]

CR2_METHOD = ("cluster-robust standard errors (CR2, Bell & McCaffrey 2002) with Satterthwaite "
              "degrees of freedom (Pustejovsky & Tipton 2018), as R clubSandwich "
              "coef_test(vcov = \"CR2\"); ICC by one-way ANOVA")
CR2_METHOD_LOGISTIC = ("logistic regression with cluster-robust standard errors (CR2 with "
                       "working-model weights, Pustejovsky & Tipton 2018, as R clubSandwich "
                       "coef_test(vcov = \"CR2\") for glm) and Satterthwaite degrees of "
                       "freedom; ICC by one-way ANOVA")
CR2_METHOD_LOGISTIC_APPROX = (CR2_METHOD_LOGISTIC + "; clusters of more than "
                              f"{GLM_DENSE_LIMIT:,} rows with varying weights use the "
                              "whitened working model")
SEPARATION_METHOD = ("WWC clustering correction of the 2×2 test (Hedges 2007; WWC Handbook "
                     "5.0) with the ICC estimated from the data by one-way ANOVA: the "
                     "clustered logistic fit has no finite estimate (separation)")
_TINY = 1e-12


def analyse_rows(draft: _Draft, src: DataSource, outcome: Outcome, evaluation: Evaluation,
                 options: AnalysisOptions) -> None:
    """Fill ``draft`` from the data file of one outcome (two-group, pre-post or post-only)."""
    from ..stats._special import import_in_background

    import_in_background()  # SciPy loads while the file is read, not after it
    key = _key(outcome)
    design = evaluation.design
    cols = dict(src.columns)
    if design in TWO_GROUP_DESIGNS:
        used = {"outcome", "group", "treatment", "pretest", "cluster", "id"}
        if outcome.kind == "binary":
            _two_group_binary(draft, src, outcome, evaluation, options, key)
        else:
            _two_group(draft, src, outcome, evaluation, options, key)
    elif design == "pre_post":
        used = {"pre", "post", "cluster", "id"}
        _pre_post(draft, src, outcome, options, key)
    else:
        used = {"outcome", "id"}
        _post_only(draft, src, outcome, key)
    unused = sorted(set(cols) - used)
    if src.covariates and design not in TWO_GROUP_DESIGNS:
        unused.append("covariates")
    if unused:
        draft.note("unused_columns", f"Not used by a {design.replace('_', ' ')} design: "
                   + ", ".join(unused) + ".")


def _key(outcome: Outcome) -> str:
    from ..load.document import format_path

    return format_path(outcome.path) if outcome.path else outcome.name


# -- accumulation ------------------------------------------------------------------------


class _Moments:
    """Per-cell sums of products of v = [1, v1, …, vm] (each v shifted by a constant)."""

    def __init__(self, m: int) -> None:
        self.m = m
        self.pairs = [(a, b) for a in range(m + 1) for b in range(a, m + 1)]
        self.sums = np.zeros((len(self.pairs), 0))
        self.shift: NDArray[np.float64] | None = None

    def add(self, cell: NDArray[np.int64], columns: Sequence[NDArray[np.float64]]) -> None:
        if cell.size == 0:
            return
        if self.shift is None:
            self.shift = np.array([float(np.mean(c)) for c in columns])
        self._fit(int(cell.max()) + 1)
        width = self.sums.shape[1]
        v = [c - s for c, s in zip(columns, self.shift, strict=True)]
        for p, (a, b) in enumerate(self.pairs):
            if a == 0 and b == 0:
                w = None
            elif a == 0:
                w = v[b - 1]
            else:
                w = v[a - 1] * v[b - 1]
            self.sums[p] += np.bincount(cell, weights=w, minlength=width)

    def matrices(self, cells: int) -> NDArray[np.float64]:
        """(cells, m+1, m+1) symmetric moment matrices."""
        out = np.zeros((cells, self.m + 1, self.m + 1))
        used = min(cells, self.sums.shape[1])
        for p, (a, b) in enumerate(self.pairs):
            out[:used, a, b] = out[:used, b, a] = self.sums[p, :used]
        return out

    def shifts(self) -> NDArray[np.float64]:
        return self.shift if self.shift is not None else np.zeros(self.m)

    def merge(self, other: _Moments, cells: NDArray[np.int64], to: NDArray[np.int64]
              ) -> None:
        """Add the sums of ``other``'s ``cells`` to this one's cells ``to``, re-centred on
        this one's shift (the sums about s₀ from those about s₁: with d = s₁ − s₀,
        Σ(v−s₀)(w−s₀) = Σ(v−s₁)(w−s₁) + d_v Σ(w−s₁) + d_w Σ(v−s₁) + d_v d_w n)."""
        if other.shift is None or cells.size == 0:
            return
        if self.shift is None:
            self.shift = other.shift
        sums = other.sums[:, cells]
        d = other.shift - self.shift
        if np.any(d != 0):
            moments = np.zeros((self.m + 1, self.m + 1, cells.size))
            for p, (a, b) in enumerate(self.pairs):
                moments[a, b] = moments[b, a] = sums[p]
            shift = np.eye(self.m + 1)
            shift[1:, 0] = d
            moments = np.einsum("ia,abc,jb->ijc", shift, moments, shift)
            sums = np.array([moments[a, b] for a, b in self.pairs])
        self._fit(int(to.max()) + 1)
        self.sums[:, to] += sums

    def _fit(self, size: int) -> None:
        """Room for ``size`` cells (new cells zero; numpy.pad costs more than this)."""
        have = self.sums.shape[1]
        if size > have:
            grown = np.zeros((self.sums.shape[0], max(size, 2 * have)))
            grown[:, :have] = self.sums
            self.sums = grown


class _Groups:
    """Counts of rows dropped per group code and of rows without a group."""

    def __init__(self) -> None:
        self.dropped = np.zeros(0, dtype=np.int64)
        self.no_group = 0

    def add(self, group: NDArray[np.int64], complete: NDArray[np.bool_]) -> None:
        has = group >= 0
        self.no_group += int(np.count_nonzero(~has))
        lost = group[has & ~complete]
        if lost.size:
            add = np.bincount(lost)
            if add.size > self.dropped.size:
                self.dropped = np.pad(self.dropped, (0, add.size - self.dropped.size))
            self.dropped[: add.size] += add

    def of(self, code: int) -> int:
        return int(self.dropped[code]) if code < self.dropped.size else 0


def _complete(batch: Batch, numeric: Sequence[str], coded: Sequence[str]) -> NDArray[np.bool_]:
    ok = np.ones(batch.size, dtype=bool)
    for name in numeric:
        ok &= ~np.isnan(batch.values[name])
    for name in coded:
        ok &= batch.codes[name] >= 0
    return ok


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the batch loop of one analysis keeps from the rows (it travels to the workers):
    ``kind`` is two_group, two_group_binary, pre_post or post_only; ``numeric`` the columns
    that must be present (for the moments: in this order); ``group`` and ``cluster`` the
    category columns."""

    kind: str
    numeric: tuple[str, ...]
    group: str | None = None
    cluster: str | None = None
    binary: bool = False


class _Sums:
    """What a plan accumulates from the rows of one file or part: moments, rows dropped and
    (binary two-group outcomes, fitted in memory) the complete rows themselves."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        m = len(plan.numeric) if plan.kind != "pre_post" or not plan.binary else 1
        self.moments = _Moments(m)
        self.groups = _Groups()
        self.dropped = 0
        self.columns: dict[str, list[NDArray[np.float64]]] = {v: [] for v in plan.numeric}
        self.group_codes: list[NDArray[np.int64]] = []
        self.cluster_codes: list[NDArray[np.int64]] = []

    def add(self, batch: Batch) -> None:
        plan = self.plan
        kind = plan.kind
        if kind == "two_group":
            self._two_group(batch)
        elif kind == "two_group_binary":
            g = batch.codes[plan.group or ""]
            coded = [plan.group or ""] + ([plan.cluster] if plan.cluster else [])
            ok = _complete(batch, plan.numeric, coded)
            self.groups.add(g, ok)
            ok &= g < 2
            for v in plan.numeric:
                self.columns[v].append(batch.values[v][ok])
            self.group_codes.append(g[ok])
            if plan.cluster:
                self.cluster_codes.append(batch.codes[plan.cluster][ok])
        elif kind == "pre_post":
            self._pre_post(batch)
        else:
            y = batch.values[plan.numeric[0]]
            y = y[~np.isnan(y)]
            self.dropped += batch.size - y.size
            self.moments.add(np.zeros(y.size, dtype=np.int64), [y])

    def _two_group(self, batch: Batch) -> None:
        g_name, cl_name, variables = self.plan.group or "", self.plan.cluster, self.plan.numeric
        coded = [g_name] + ([cl_name] if cl_name else [])
        g = batch.codes[g_name]
        ok = _complete(batch, variables, coded)
        self.groups.add(g, ok)
        ok &= g < 2
        if not ok.all():
            keep = np.flatnonzero(ok)
            g = g[keep]
            cols = [batch.values[v][keep] for v in variables]
            cl = batch.codes[cl_name][keep] if cl_name else None
        else:
            cols = [batch.values[v] for v in variables]
            cl = batch.codes[cl_name] if cl_name else None
        cell = g if cl is None else cl * 2 + g
        self.moments.add(cell, cols)

    def _pre_post(self, batch: Batch) -> None:
        pre_name, post_name = self.plan.numeric
        coded = [self.plan.cluster] if self.plan.cluster else []
        ok = _complete(batch, [pre_name, post_name], coded)
        self.dropped += int(np.count_nonzero(~ok))
        keep = np.flatnonzero(ok) if not ok.all() else None
        pre = batch.values[pre_name] if keep is None else batch.values[pre_name][keep]
        post = batch.values[post_name] if keep is None else batch.values[post_name][keep]
        if coded:
            cell = batch.codes[coded[0]] if keep is None else batch.codes[coded[0]][keep]
        else:
            cell = np.zeros(pre.size, dtype=np.int64)
        if self.plan.binary:
            # Cells 0..3 = 2·pre + post: the paired 2×2 table.
            cell = (2 * pre + post).astype(np.int64)
            self.moments.add(cell, [pre])
        else:
            self.moments.add(cell, [pre, post])

    def packed(self) -> _Sums:
        """The kept rows as one array per column (what a part's task sends back)."""
        self.columns = {v: [np.concatenate(c)] if c else [] for v, c in self.columns.items()}
        for name in ("group_codes", "cluster_codes"):
            parts = getattr(self, name)
            setattr(self, name, [np.concatenate(parts)] if parts else [])
        return self

    def merge(self, part: _Sums, maps: dict[str, NDArray[np.int64]]) -> None:
        """Add a part's sums, its codes mapped to this outcome's (``maps``: the part's codes
        of each category column → the outcome's, from :meth:`DataFile.absorb`)."""
        plan = self.plan
        g_map = maps.get(plan.group or "")
        cl_map = maps.get(plan.cluster or "")
        self.dropped += part.dropped
        self.groups.no_group += part.groups.no_group
        if g_map is not None and part.groups.dropped.size:
            lost = part.groups.dropped
            codes = g_map[: lost.size]
            size = int(codes.max()) + 1
            if size > self.groups.dropped.size:
                self.groups.dropped = np.pad(self.groups.dropped,
                                             (0, size - self.groups.dropped.size))
            self.groups.dropped[codes] += lost
        if plan.kind == "two_group_binary":
            for v in plan.numeric:
                self.columns[v] += part.columns[v]
            assert g_map is not None
            self.group_codes += [g_map[c] for c in part.group_codes]
            if cl_map is not None:
                self.cluster_codes += [cl_map[c] for c in part.cluster_codes]
            return
        width = part.moments.sums.shape[1]
        cells = np.arange(width)
        if plan.kind == "two_group":
            assert g_map is not None
            g, cl = cells % 2, cells // 2
            ok = g < g_map.size
            if cl_map is not None:
                ok &= cl < cl_map.size
            cells, g, cl = cells[ok], g[ok], cl[ok]
            new = g_map[g] if cl_map is None else cl_map[cl] * 2 + g_map[g]
            keep = g_map[g] < 2  # rows of a third group are not analysed (an error later)
            cells, new = cells[keep], new[keep]
        elif plan.kind == "pre_post" and cl_map is not None and not plan.binary:
            cells = cells[cells < cl_map.size]
            new = cl_map[cells]
        else:
            new = cells
        self.moments.merge(part.moments, cells, new)

    def merged_columns(self) -> tuple[dict[str, NDArray[np.float64]], NDArray[np.int64],
                                      NDArray[np.int64] | None]:
        cols = {v: np.concatenate(c) if c else np.zeros(0) for v, c in self.columns.items()}
        g = np.concatenate(self.group_codes) if self.group_codes else np.zeros(0, np.int64)
        cl = (np.concatenate(self.cluster_codes) if self.cluster_codes
              else np.zeros(0, np.int64)) if self.plan.cluster else None
        return cols, g, cl


def reduce_part(src: DataSource, requests: Sequence[ColumnRequest], key: str, plan: _Plan,
                part: str) -> tuple[Tally, _Sums]:
    """One part of a multi-file outcome read into its sums (a pure function of the file:
    the task :func:`evidencekit.analysis.parts.map_parts` runs, here or on a worker)."""
    import warnings

    data = DataFile(src, requests, key, streamed=plan.kind != "two_group_binary")
    sums = _Sums(plan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for batch in data.part_batches(Path(part)):
            sums.add(batch)
    return data.tally(), sums.packed()


def _reduced(data: DataFile, plan: _Plan) -> _Sums:
    """The sums of every row of an outcome: one file streamed here, or the parts of a
    dataset reduced one per task (:mod:`.parts`) and combined in their order."""
    files = data.parts()
    total = _Sums(plan)
    if files is None:
        for batch in data.batches():
            total.add(batch)
        return total
    from .parts import absolute, map_parts

    src = data.source
    src = replace(src, path=Path(absolute(src.path)),
                  root=Path(absolute(src.root)) if src.root is not None else None,
                  parts=tuple(Path(absolute(p)) for p in src.parts))
    items = [(src, data.requests, data.key, plan, absolute(f)) for f in files]
    for tally, part in map_parts(reduce_part, items):
        total.merge(part, data.absorb(tally))
    return total


def _arms(data: DataFile, group: str, treatment: str, key: str) -> tuple[int, int, str, str]:
    """Codes and labels of the treatment and control groups; two groups exactly."""
    labels = data.labels(group)
    counts = data.label_rows(group)
    described = [f"{lab!r} ({_rows(int(n))})" for lab, n in zip(labels, counts, strict=True)]
    if treatment in labels:
        t = labels.index(treatment)
    else:
        folded = [i for i, lab in enumerate(labels) if lab.casefold() == treatment.casefold()]
        if len(folded) != 1:
            found = ("no group values at all" if not labels else "only " + _and(described))
            raise data.error(f"the treatment value {treatment!r} (columns.treatment) among "
                             "the group values", found, column=group)
        t = folded[0]
    if len(labels) != 2:
        found = (f"only {_and(described)}" if len(labels) < 2
                 else f"{len(labels)} values: {_and(described)}")
        raise data.error(f"exactly two groups (the treatment value {labels[t]!r} and one "
                         "other)", found, column=group)
    return t, 1 - t, labels[t], labels[1 - t]


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _dropped_note(draft: _Draft, dropped: dict[str, int], data: DataFile) -> None:
    draft.rows_dropped = dropped
    lost = {k: v for k, v in dropped.items() if v}
    if not lost:
        return
    parts = []
    for k, v in lost.items():
        if k == "no_group":
            parts.append(f"{_rows(v)} with no group")
        elif k == "all":
            parts.append(_rows(v))
        else:
            parts.append(f"{v:,} in the {k} group")
    draft.note("rows_dropped", f"Rows with a missing value in a column this analysis needs "
               f"were left out of it (listwise): {_and(parts)}, of {data.rows:,} rows in "
               f"{data.display}.")


def _check_varies(data: DataFile, column: str, ss: float, scale: float, what: str,
                  value: float) -> None:
    if ss <= _TINY * max(scale, 1e-300):
        raise data.error(f"{what} that vary", f"the same value ({value:g}) in every "
                         "analysed row", column=column)


def _min_group(data: DataFile, group: str, n: dict[str, int], labels: dict[str, str]) -> None:
    for arm in ("treatment", "control"):
        if n[arm] < 2:
            raise data.error("at least 2 people with complete data in each group",
                             f"{n[arm]} in the {arm} group ({labels[arm]!r})", column=group)


# -- two groups, continuous ----------------------------------------------------------------


def _two_group_columns(src: DataSource, *, outcome_kind: ColumnKind,
                       pretest_kind: ColumnKind) -> tuple[
        str, str, str, str | None, str | None, list[str], list[ColumnRequest]]:
    """The mapped columns of a two-group outcome and what each must hold."""
    c = src.columns
    y_name, g_name, treatment = c["outcome"], c["group"], c["treatment"]
    x_name = c.get("pretest")
    cl_name = c.get("cluster")
    z_names = [z for z in src.covariates if z not in (x_name, y_name)]
    requests = [ColumnRequest(y_name, outcome_kind, "columns.outcome"),
                ColumnRequest(g_name, "category", "columns.group")]
    if x_name:
        requests.append(ColumnRequest(x_name, pretest_kind, "columns.pretest"))
    requests += [ColumnRequest(z, "number", f"covariates[{i}]") for i, z in enumerate(z_names)]
    if cl_name:
        requests.append(ColumnRequest(cl_name, "category", "columns.cluster"))
    return y_name, g_name, treatment, x_name, cl_name, z_names, requests


def _two_group(draft: _Draft, src: DataSource, outcome: Outcome, evaluation: Evaluation,
               options: AnalysisOptions, key: str) -> None:
    y_name, g_name, treatment, x_name, cl_name, z_names, requests = _two_group_columns(
        src, outcome_kind="number", pretest_kind="number")
    data = DataFile(src, requests, key, streamed=True)  # cell moments only
    variables = ([x_name] if x_name else []) + z_names + [y_name]
    sums = _reduced(data, _Plan("two_group", tuple(variables), g_name, cl_name))
    moments, groups = sums.moments, sums.groups
    tc, cc, t_label, c_label = _arms(data, g_name, treatment, key)
    n_clusters = len(data.labels(cl_name)) if cl_name else 1
    cells = moments.matrices(2 * n_clusters)  # cell = cluster*2 + group code
    by_arm = {"treatment": cells[tc::2].sum(axis=0), "control": cells[cc::2].sum(axis=0)}
    n = {arm: round(s[0, 0]) for arm, s in by_arm.items()}
    _dropped_note(draft, {"treatment": groups.of(tc), "control": groups.of(cc),
                          "no_group": groups.no_group}, data)
    _min_group(data, g_name, n, {"treatment": t_label, "control": c_label})
    shift = moments.shifts()
    means = {arm: s[0, 1:] / s[0, 0] + shift for arm, s in by_arm.items()}
    ss = {arm: s[1:, 1:] - np.outer(s[0, 1:], s[0, 1:]) / s[0, 0] for arm, s in by_arm.items()}
    total = by_arm["treatment"] + by_arm["control"]
    ss_all = total[1:, 1:] - np.outer(total[0, 1:], total[0, 1:]) / total[0, 0]
    scale = np.diag(total[1:, 1:])
    iy = len(variables) - 1
    for i, (name, what) in enumerate(zip(variables, (["pretest values"] if x_name else [])
                                         + ["covariate values"] * len(z_names)
                                         + ["outcome values"], strict=True)):
        _check_varies(data, name, float(ss_all[i, i]), float(scale[i]), what,
                      float(means["treatment"][i]))
    if ss["treatment"][iy, iy] + ss["control"][iy, iy] <= _TINY * scale[iy]:
        raise data.error("outcome values that vary within the groups",
                         "no variation within either group", column=y_name)
    sd = {arm: np.sqrt(np.maximum(np.diag(ss[arm]), 0.0) / (n[arm] - 1)) for arm in ss}
    level = options.ci_level
    draft.n_treatment, draft.n_control = n["treatment"], n["control"]
    r = stats.two_group_continuous(n["treatment"], float(means["treatment"][iy]),
                                   float(sd["treatment"][iy]), n["control"],
                                   float(means["control"][iy]), float(sd["control"][iy]),
                                   level=level)
    record_two_group(draft, r, outcome)
    g_used, se_used = r.g, r.se_g
    if x_name:
        pre = stats.two_group_continuous(n["treatment"], float(means["treatment"][0]),
                                         float(sd["treatment"][0]), n["control"],
                                         float(means["control"][0]), float(sd["control"][0]),
                                         level=level)
        verdict = stats.baseline_verdict(pre.g, options.baseline_satisfied,
                                         options.baseline_adjustable)
        draft.baseline = Baseline(pre.g, "hedges_g", verdict)
        within = ss["treatment"] + ss["control"]
        r_within = float(within[0, iy] / math.sqrt(within[0, 0] * within[iy, iy]))
        did = stats.difference_in_differences(pre, r, max(-1.0, min(1.0, r_within)),
                                              level=level)
        draft.effects["did_hedges_g"] = Effect(did.g_did, did.se, did.ci, did.p_value,
                                               (("r", did.r),), test="difference_in_differences",
                                               ci_method="normal")
        from .es_extra import morris_effect  # Morris (2008) d_ppc2 from the same moments

        d_ppc2 = morris_effect(
            [float(means[a][i]) for a in ("treatment", "control") for i in (0, iy)],
            float(sd["treatment"][0]), float(sd["control"][0]), n["treatment"], n["control"],
            max(-1.0, min(1.0, r_within)), level)
        if d_ppc2 is not None:
            draft.effects["d_ppc2"] = d_ppc2
    else:
        draft.note("no_pretest", "No pretest column is mapped, so baseline equivalence "
                   "cannot be checked; add 'pretest' to the columns.")
    # Regression: [1, t, pretest, covariates] → outcome, from the cell moments.
    k = 1 + len(variables)  # intercept, t, pretest/covariates (outcome excluded)
    expand = _with_indicator(cells, tc)  # (cells, k+1, k+1) over [1, t, vars..., y]
    xtx_all = expand.sum(axis=0)
    names = ["(Intercept)", "treatment", *variables[:-1]]
    adjusted_model = len(variables) > 1
    fit = ols(xtx_all[:k, :k], xtx_all[:k, k], float(xtx_all[k, k]), n["treatment"]
              + n["control"], names=names, level=level)
    b, se_b = fit.estimates[1], fit.se[1]
    j = stats.hedges_j(n["treatment"] + n["control"] - 2)
    if adjusted_model:
        g_anc = j * b / r.s_pooled
        # SE with the g²/(2N) term, as every other g's SE (stats.ancova_g_se); the interval
        # is g ± z·SE like the other g intervals.
        se_g = stats.ancova_g_se(g_anc, se_b, r.s_pooled, n["treatment"], n["control"])
        z = stats.t_quantile((1 + level) / 2, math.inf)
        ci_g = (g_anc - z * se_g, g_anc + z * se_g)
        draft.effects["ancova"] = Effect(b, se_b, fit.ci[1], fit.p_value[1],
                                         (("hedges_g", g_anc), ("se_hedges_g", se_g),
                                          ("df", float(fit.df))),
                                         test="ancova", ci_method="ols_t")
        draft.favourable = _favourable(b, outcome)
        draft.decide("ancova", fit.p_value[1], "t", fit.t[1], fit.df)
        draft.adjusted = x_name is not None
        draft.headline = Headline("ancova_hedges_g", g_anc, se_g, ci_g, "normal")
        g_used, se_used = g_anc, se_g
        if not x_name:
            draft.note("covariates_only", "The regression adjusts for covariates but not for a "
                       "pretest, so baseline equivalence cannot be shown.")
    if cl_name:
        _cluster_rows(draft, data, cl_name, expand, fit, k, tc, g_used, se_b,
                      n["treatment"] + n["control"], outcome, evaluation, options,
                      smd=(r.s_pooled, n["treatment"], n["control"]))
    elif _is_clustered(evaluation):
        draft.note("no_cluster_column", "This is a cluster design but no cluster column is "
                   "mapped; add 'cluster' to the columns so that the ICC is estimated from "
                   "the data and the test respects clustering.")
        _cluster_correct(draft, g_used, se_used, n["treatment"], n["control"], outcome,
                         evaluation, options)
    _power_note(draft, n["treatment"], n["control"], options)


def _with_robust(effect: Effect, robust: ClusterRobust, i: int) -> Effect:
    """The effect with the cluster-robust SE, df, p and interval of coefficient ``i`` beside
    its model-based ones (``test``/``ci_method`` name the model-based ones)."""
    return Effect(effect.estimate, effect.se, effect.ci, effect.p_value,
                  (*effect.extra, ("se_cluster_robust", robust.se[i]),
                   ("df_cluster_robust", robust.df[i]),
                   ("p_value_cluster_robust", robust.p_value[i]),
                   ("ci_cluster_robust_lower", robust.ci[i][0]),
                   ("ci_cluster_robust_upper", robust.ci[i][1]),
                   ("test_cluster_robust", "cr2"),
                   ("ci_method_cluster_robust", "cr2_satterthwaite")),
                  test=effect.test, ci_method=effect.ci_method)


def _with_indicator(cells: NDArray[np.float64], tc: int) -> NDArray[np.float64]:
    """Moments over [1, t, v…] from moments over [1, v…]; t is 1 in the treatment cells."""
    n_cells, m1, _ = cells.shape
    out = np.zeros((n_cells, m1 + 1, m1 + 1))
    # [1, v…] go to rows and columns 0, 2, 3, …; row and column 1 (t) are the treatment
    # cells' row 0 (Σt·v = Σv there, 0 elsewhere; t² = t).
    out[:, 0, 0] = cells[:, 0, 0]
    out[:, 0, 2:] = cells[:, 0, 1:]
    out[:, 2:, 0] = cells[:, 1:, 0]
    out[:, 2:, 2:] = cells[:, 1:, 1:]
    treated = out[tc::2]  # cell = cluster*2 + group code
    row0 = cells[tc::2, 0, :]
    treated[:, 1, 0] = treated[:, 0, 1] = treated[:, 1, 1] = row0[:, 0]
    treated[:, 1, 2:] = row0[:, 1:]
    treated[:, 2:, 1] = row0[:, 1:]
    return out


def _cluster_rows(draft: _Draft, data: DataFile, cl_name: str, expand: NDArray[np.float64],
                  fit: LinearFit, k: int, tc: int, g_used: float, se_b: float, n_total: int,
                  outcome: Outcome, evaluation: Evaluation, options: AnalysisOptions, *,
                  smd: tuple[float, int, int] | None = None) -> None:
    """CR2 test, ICC and Hedges (2007) g from cell moments (cells = cluster*2 + group).

    The headline g keeps its SE formula with the cluster-robust SE of the difference in
    place of the model's (``smd`` = (S_pooled, n_t, n_c)): g_ANCOVA's is ``ancova_g_se``
    with SE_CR2(b); plain g's is √(r²·(n_t+n_c)/(n_t·n_c) + g²/(2N)), r = SE_CR2/SE_OLS;
    only the variance of the difference is inflated, not the g²/(2N) term from estimating
    S. Other headlines (g_DiD) are scaled by r.
    """
    n_cl = expand.shape[0] // 2
    per_cluster = expand.reshape(n_cl, 2, *expand.shape[1:]).sum(axis=1)
    size = per_cluster[:, 0, 0]
    present = size > 0
    per_cluster = per_cluster[present]
    cell_n = expand[:, 0, 0].reshape(n_cl, 2)[present]
    b = np.asarray(fit.estimates)
    g_blocks = per_cluster[:, :k, :k]
    scores = per_cluster[:, :k, k] - g_blocks @ b
    treated_cells = cell_n[:, tc] > 0
    control_cells = cell_n[:, 1 - tc] > 0
    nested = bool(np.all(treated_cells != control_cells))
    per_arm = (int(np.count_nonzero(treated_cells)), int(np.count_nonzero(control_cells)))
    # ICC of the outcome, clusters within arms (SPEC 3.9).
    y = k
    try:
        if nested:
            sums_y = per_cluster[:, 0, y]
            icc = icc_anova(size[present], sums_y / size[present],
                            float(np.sum(per_cluster[:, y, y] - sums_y**2 / size[present])),
                            group=treated_cells.astype(np.int64))
        else:
            # Arm means removed first, so the treatment effect is not between-cluster variation.
            arm_n = expand[:, 0, 0].reshape(n_cl, 2)[present]
            arm_sy = expand[:, 0, y].reshape(n_cl, 2)[present]
            arm_syy = expand[:, y, y].reshape(n_cl, 2)[present]
            arm_mean = arm_sy.sum(axis=0) / arm_n.sum(axis=0)
            e_sum = (arm_sy - arm_n * arm_mean).sum(axis=1)
            e_sq = (arm_syy - 2 * arm_mean * arm_sy + arm_n * arm_mean**2).sum(axis=1)
            icc = icc_anova(size[present], e_sum / size[present],
                            float(np.sum(e_sq - e_sum**2 / size[present])))
    except stats.StatsError:
        if min(per_arm) >= 2:
            raise
        icc = None  # e.g. one cluster per arm, nested: no between-cluster df left
    if min(per_arm) < 2:
        no_cluster_test(draft, per_arm, icc.icc if icc is not None else None, "estimated",
                        "The data")
        return
    assert icc is not None
    robust = cr2(b, np.sum(g_blocks, axis=0), g_blocks, scores, level=options.ci_level)
    i = 1  # the treatment coefficient
    ratio = robust.se[i] / se_b
    se_head = (draft.headline.se or 0.0) * ratio if draft.headline else 0.0
    if draft.headline is not None and smd is not None:
        s_pooled, n_t, n_c = smd
        est = draft.headline.estimate
        if draft.headline.measure == "ancova_hedges_g":
            se_head = stats.ancova_g_se(est, float(robust.se[i]), s_pooled, n_t, n_c)
        elif draft.headline.measure == "hedges_g":
            se_head = math.sqrt(ratio**2 * (n_t + n_c) / (n_t * n_c)
                                + est**2 / (2 * (n_t + n_c)))
    half = (float(robust.ci[i][1] - robust.ci[i][0]) / 2) * (se_head / robust.se[i]) \
        if robust.se[i] > 0 else math.nan
    if draft.headline is not None:
        est = draft.headline.estimate
        draft.headline = Headline(draft.headline.measure, est, se_head,
                                  (est - half, est + half), "cr2_satterthwaite")
    key = "ancova" if "ancova" in draft.effects else "mean_difference"
    draft.effects[key] = _with_robust(draft.effects[key], robust, i)
    draft.decide("cr2", robust.p_value[i], "t", robust.t[i], robust.df[i])
    clusters = int(np.count_nonzero(present))
    g_adj = (stats.hedges_2007_g_cluster(g_used, n_total, n_total / clusters, icc.icc)
             if nested else None)
    draft.clustering = Clustering(icc.icc, "estimated", clusters, CR2_METHOD, g_adj)
    _cluster_notes(draft, evaluation, icc.icc, clusters, per_arm, nested, options)


def _cluster_notes(draft: _Draft, evaluation: Evaluation, icc: float, clusters: int,
                   per_arm: tuple[int, int], nested: bool, options: AnalysisOptions, *,
                   icc_known: bool = True) -> None:
    if icc_known and evaluation.icc is not None and abs(evaluation.icc - icc) > 1e-12:
        draft.note("icc_estimated", f"The ICC was estimated from the data ({icc:.3f}); the "
                   f"value given for the evaluation ({evaluation.icc:g}) was not used.")
    if evaluation.clusters is not None and tuple(evaluation.clusters) != per_arm:
        draft.note("clusters_differ", f"The data have {per_arm[0]} treatment and {per_arm[1]} "
                   "control clusters, not the "
                   f"{evaluation.clusters[0]} and {evaluation.clusters[1]} given for the "
                   "evaluation.")
    if min(per_arm) < options.min_clusters_per_arm:
        draft.note("few_clusters", f"Fewer than {options.min_clusters_per_arm} clusters in an "
                   f"arm ({per_arm[0]} treatment, {per_arm[1]} control): the cluster-robust "
                   "test is approximate and the effect is imprecise.")
    if not nested:
        draft.note("clusters_mixed", f"Some of the {clusters} clusters contain both groups, so "
                   "the Hedges (2007) cluster-adjusted effect size (for cluster-randomised "
                   "designs) is not given.")


# -- two groups, binary --------------------------------------------------------------------


def _two_group_binary(draft: _Draft, src: DataSource, outcome: Outcome,
                      evaluation: Evaluation, options: AnalysisOptions, key: str) -> None:
    y_name, g_name, treatment, x_name, cl_name, z_names, requests = _two_group_columns(
        src, outcome_kind="binary", pretest_kind="number_or_binary")
    data = DataFile(src, requests, key)
    numeric = [y_name] + ([x_name] if x_name else []) + z_names
    sums = _reduced(data, _Plan("two_group_binary", tuple(numeric), g_name, cl_name))
    groups = sums.groups
    tc, cc, t_label, c_label = _arms(data, g_name, treatment, key)
    col, group_codes, clusters = sums.merged_columns()
    t = (group_codes == tc).astype(np.float64)
    y = col[y_name]
    n_t = int(t.sum())
    n_c = int(t.size - n_t)
    _dropped_note(draft, {"treatment": groups.of(tc), "control": groups.of(cc),
                          "no_group": groups.no_group}, data)
    _min_group(data, g_name, {"treatment": n_t, "control": n_c},
               {"treatment": t_label, "control": c_label})
    e_t = int(y @ t)
    e_c = int(y.sum()) - e_t
    draft.n_treatment, draft.n_control = n_t, n_c
    bres = stats.two_group_binary(n_t, e_t, n_c, e_c, level=options.ci_level)
    draft.groups = {"treatment": GroupStats(n_t, events=e_t),
                    "control": GroupStats(n_c, events=e_c)}
    record_binary(draft, bres, outcome)
    regressors = [t]
    names = ["treatment"]
    if x_name:
        x = col[x_name]
        if np.all((x == 0) | (x == 1)):
            pe_t = int(x @ t)
            base = stats.cox_index_from_counts(n_t, pe_t, n_c, int(x.sum()) - pe_t)
            measure = "cox_index"
        else:
            base = _baseline_g(data, x_name, x, t, options)
            measure = "hedges_g"
        verdict = stats.baseline_verdict(base, options.baseline_satisfied,
                                         options.baseline_adjustable)
        draft.baseline = Baseline(base, measure, verdict)
        regressors.append(x)
        names.append(x_name)
    else:
        draft.note("no_pretest", "No pretest column is mapped, so baseline equivalence "
                   "cannot be checked; add 'pretest' to the columns.")
    for z in z_names:
        _check_varies(data, z, float(np.var(col[z])), float(np.mean(col[z] ** 2)),
                      "covariate values", float(col[z][0]))
        regressors.append(col[z])
        names.append(z)
    if len(regressors) == 1 and clusters is None:
        if _is_clustered(evaluation):
            draft.note("no_cluster_column", "This is a cluster design but no cluster column "
                       "is mapped; add 'cluster' to the columns so that the ICC is estimated "
                       "from the data and the test respects clustering.")
            _cluster_correct(draft, bres.cox_index, bres.se_cox, n_t, n_c, outcome,
                             evaluation, options)
        _power_note(draft, n_t, n_c, options)
        return
    layout = _binary_clusters(clusters, t, y, e_t, e_c, n_t, n_c) if clusters is not None \
        else None
    if layout is not None and min(layout.per_arm) < 2:
        no_cluster_test(draft, layout.per_arm, layout.icc, "estimated", "The data")
        _cluster_notes(draft, evaluation, layout.icc or 0.0, layout.n_cl, layout.per_arm,
                       layout.nested, options, icc_known=layout.icc is not None)
        _power_note(draft, n_t, n_c, options)
        return
    try:
        fit = logistic(y, regressors, names=names, clusters=clusters, level=options.ci_level)
    except stats.StatsError:
        if layout is None:
            # No clustering: the unadjusted 2×2 test stands; the adjustment is lost.
            draft.note("separation", "The logistic regression on the pretest or covariates "
                       "has no finite estimate (the outcome is perfectly predicted in part of "
                       "the data, 'separation'), so the unadjusted 2×2 result is used.")
            if _is_clustered(evaluation):
                _cluster_correct(draft, bres.cox_index, bres.se_cox, n_t, n_c, outcome,
                                 evaluation, options)
            _power_note(draft, n_t, n_c, options)
            return
        _binary_separation(draft, bres, layout, n_t, n_c, outcome, evaluation, options)
        _power_note(draft, n_t, n_c, options)
        return
    b, se, ci = fit.estimates[1], fit.se[1], fit.ci[1]
    cox = stats.COX_DIVISOR
    if len(regressors) > 1:
        draft.effects["logistic"] = Effect(b, se, ci, fit.p_value[1],
                                           (("odds_ratio", math.exp(b)),
                                            ("cox_index", b / cox)),
                                           test="logistic", ci_method="logistic_wald")
        draft.favourable = _favourable(b, outcome)
        draft.decide("logistic", fit.p_value[1], "z", fit.z[1])
        draft.adjusted = x_name is not None
        draft.headline = Headline("cox_index", b / cox, se / cox, (ci[0] / cox, ci[1] / cox),
                                  "logistic_wald")
    if fit.robust is not None and layout is not None:
        rb = fit.robust
        draft.decide("cr2", rb.p_value[1], "t", rb.t[1], rb.df[1])
        name = "logistic" if "logistic" in draft.effects else "log_odds_ratio"
        draft.effects[name] = _with_robust(draft.effects[name], rb, 1)
        head = b / cox
        draft.headline = Headline("cox_index", head, rb.se[1] / cox,
                                  (rb.ci[1][0] / cox, rb.ci[1][1] / cox), "cr2_satterthwaite")
        assert layout.icc is not None
        g_adj = (stats.hedges_2007_g_cluster(head, n_t + n_c, (n_t + n_c) / layout.n_cl,
                                             layout.icc) if layout.nested else None)
        method = CR2_METHOD_LOGISTIC if fit.robust_exact else CR2_METHOD_LOGISTIC_APPROX
        draft.clustering = Clustering(layout.icc, "estimated", layout.n_cl, method, g_adj)
        _cluster_notes(draft, evaluation, layout.icc, layout.n_cl, layout.per_arm,
                       layout.nested, options)
    elif _is_clustered(evaluation) and draft.headline is not None:
        draft.note("no_cluster_column", "This is a cluster design but no cluster column is "
                   "mapped; add 'cluster' to the columns so that the ICC is estimated from "
                   "the data and the test respects clustering.")
        _cluster_correct(draft, draft.headline.estimate, draft.headline.se or 0.0, n_t, n_c,
                         outcome, evaluation, options)
    _power_note(draft, n_t, n_c, options)


@dataclass(frozen=True, slots=True)
class _BinaryClusters:
    n_cl: int
    per_arm: tuple[int, int]
    nested: bool
    icc: float | None


def _binary_clusters(clusters: NDArray[np.int64], t: NDArray[np.float64],
                     y: NDArray[np.float64], e_t: int, e_c: int, n_t: int,
                     n_c: int) -> _BinaryClusters:
    """Clusters per arm, nesting and the one-way ANOVA ICC of a 0/1 outcome (SPEC 3.9)."""
    codes = np.unique(clusters, return_inverse=True)[1].reshape(-1)
    n_cl = int(codes.max()) + 1
    size = np.bincount(codes, minlength=n_cl).astype(np.float64)
    treated = np.bincount(codes, weights=t, minlength=n_cl)
    nested = bool(np.all((treated == 0) | (treated == size)))
    per_arm = (int(np.count_nonzero(treated > 0)), int(np.count_nonzero(treated < size)))
    sums = np.bincount(codes, weights=y, minlength=n_cl)
    icc: float | None
    try:
        if nested:
            icc = icc_anova(size, sums / size, float(np.sum(sums - sums**2 / size)),
                            group=(treated > 0).astype(np.int64)).icc
        else:
            arm_mean = np.where(t == 1, e_t / n_t, e_c / n_c)
            e = y - arm_mean
            es = np.bincount(codes, weights=e, minlength=n_cl)
            icc = icc_anova(size, es / size, float(np.sum(e * e) - np.sum(es**2 / size))).icc
    except stats.StatsError:
        if min(per_arm) >= 2:
            raise
        icc = None
    return _BinaryClusters(n_cl, per_arm, nested, icc)


def _binary_separation(draft: _Draft, bres: stats.TwoGroupBinary, layout: _BinaryClusters,
                       n_t: int, n_c: int, outcome: Outcome, evaluation: Evaluation,
                       options: AnalysisOptions) -> None:
    """Separation in the clustered logistic fit: 2×2 results, WWC-corrected (SPEC 3.9)."""
    assert layout.icc is not None
    draft.adjusted = False
    _cluster_correct(draft, bres.cox_index, bres.se_cox, n_t, n_c, outcome, evaluation,
                     options, icc_estimated=layout.icc, clusters=layout.per_arm)
    if draft.clustering is not None:
        c = draft.clustering
        draft.clustering = Clustering(c.icc, c.icc_source, c.clusters, SEPARATION_METHOD,
                                      c.hedges_g_cluster_adjusted if layout.nested else None)
    draft.note("separation", "The clustered logistic regression has no finite estimate (the "
               "outcome is perfectly predicted in part of the data, 'separation', e.g. no "
               "events in one group), so the 2×2 results are kept and significance comes "
               "from the WWC clustering correction with the ICC estimated from the data "
               f"({layout.icc:.3f}).")
    _cluster_notes(draft, evaluation, layout.icc, layout.n_cl, layout.per_arm, layout.nested,
                   options)


def _baseline_g(data: DataFile, name: str, x: NDArray[np.float64], t: NDArray[np.float64],
                options: AnalysisOptions) -> float:
    xt, xc = x[t == 1], x[t == 0]
    _check_varies(data, name, float(np.var(x)), float(np.mean(x * x)), "pretest values",
                  float(x[0]))
    pre = stats.two_group_continuous(xt.size, float(xt.mean()), float(xt.std(ddof=1)),
                                     xc.size, float(xc.mean()), float(xc.std(ddof=1)),
                                     level=options.ci_level)
    return pre.g


# -- one group -----------------------------------------------------------------------------


def _pre_post(draft: _Draft, src: DataSource, outcome: Outcome, options: AnalysisOptions,
              key: str) -> None:
    c = src.columns
    pre_name, post_name = c["pre"], c["post"]
    cl_name = c.get("cluster")
    binary = outcome.kind == "binary"
    kind: ColumnKind = "binary" if binary else "number"
    requests = [ColumnRequest(pre_name, kind, "columns.pre"),
                ColumnRequest(post_name, kind, "columns.post")]
    if cl_name and not binary:
        requests.append(ColumnRequest(cl_name, "category", "columns.cluster"))
    elif cl_name:
        draft.note("cluster_unused", "The cluster column is not used for a yes/no pre-post "
                   "outcome: McNemar's test treats people as independent.")
    data = DataFile(src, requests, key, streamed=True)  # cell moments only
    coded = [cl_name] if cl_name and not binary else []
    sums = _reduced(data, _Plan("pre_post", (pre_name, post_name),
                                cluster=coded[0] if coded else None, binary=binary))
    moments, dropped = sums.moments, sums.dropped
    _dropped_note(draft, {"all": dropped}, data)
    if binary:
        table = moments.matrices(4)[:, 0, 0]
        n = round(table.sum())
        if n < 2:
            raise data.error("at least 2 people with both a pre and a post value",
                             f"{n}", column=post_name)
        _binary_pre_post(draft, outcome, table, n, options)
        return
    n_cl = len(data.labels(cl_name)) if coded and cl_name else 1
    cells = moments.matrices(n_cl)
    s = cells.sum(axis=0)
    n = round(s[0, 0])
    if n < 2:
        raise data.error("at least 2 people with both a pre and a post value", f"{n}",
                         column=post_name)
    shift = moments.shifts()
    mean = s[0, 1:] / s[0, 0] + shift
    ss = s[1:, 1:] - np.outer(s[0, 1:], s[0, 1:]) / s[0, 0]
    var_change = ss[0, 0] + ss[1, 1] - 2 * ss[0, 1]
    if var_change <= _TINY * (s[1, 1] + s[2, 2] + 1e-300):
        raise data.error("changes from pre to post that vary",
                         f"the same change ({mean[1] - mean[0]:g}) for every person",
                         column=post_name)
    sd = np.sqrt(np.maximum(np.diag(ss), 0.0) / (n - 1))
    r = float(ss[0, 1] / math.sqrt(ss[0, 0] * ss[1, 1])) if ss[0, 0] > 0 and ss[1, 1] > 0 \
        else 0.0
    res = stats.pre_post_summary(n, float(mean[0]), float(sd[0]), float(mean[1]), float(sd[1]),
                                 max(-1.0, min(1.0, r)), level=options.ci_level)
    draft.n_treatment = n
    draft.groups = {"pre": GroupStats(n, float(mean[0]), float(sd[0])),
                    "post": GroupStats(n, float(mean[1]), float(sd[1]))}
    draft.effects["mean_change"] = Effect(res.mean_change, res.se, res.ci, res.p_value,
                                          (("r", res.r),), test="paired_t",
                                          ci_method="student_t")
    draft.effects["d_z"] = Effect(res.d_z)
    draft.effects["d_av"] = Effect(res.d_av)
    draft.favourable = _favourable(res.mean_change, outcome)
    draft.decide("paired_t", res.p_value, "t", res.t, res.df)
    if coded and cl_name:
        present = cells[:, 0, 0] > 0
        blocks = cells[present]
        size = blocks[:, 0, 0]
        d_sum = blocks[:, 0, 2] - blocks[:, 0, 1]  # shifted change sums
        d_sq = blocks[:, 2, 2] - 2 * blocks[:, 1, 2] + blocks[:, 1, 1]
        d_mean = float(d_sum.sum() / size.sum())
        if size.size < 2:
            raise stats.StatsError("cluster-robust inference needs at least 2 clusters, but "
                                   f"the data have {size.size}")
        robust = cr2([res.mean_change], [[float(size.sum())]], size[:, None, None],
                     (d_sum - size * d_mean)[:, None], level=options.ci_level)
        icc = icc_anova(size, d_sum / size, float(np.sum(d_sq - d_sum**2 / size)))
        draft.decide("cr2", robust.p_value[0], "t", robust.t[0], robust.df[0])
        draft.effects["mean_change"] = _with_robust(draft.effects["mean_change"], robust, 0)
        draft.clustering = Clustering(icc.icc, "estimated", int(size.size), CR2_METHOD, None)
        if size.size < options.min_clusters_per_arm:
            draft.note("few_clusters", f"Only {size.size} clusters: the cluster-robust test "
                       "is approximate.")


def _binary_pre_post(draft: _Draft, outcome: Outcome, table: NDArray[np.float64], n: int,
                     options: AnalysisOptions) -> None:
    from scipy.stats import binom

    _n00, n01, n10, n11 = (round(v) for v in table)
    pre_events, post_events = n10 + n11, n01 + n11
    discordant = n01 + n10
    p = 1.0 if discordant == 0 else min(1.0, float(2 * binom.cdf(min(n01, n10),
                                                                 discordant, 0.5)))
    change = (n01 - n10) / n
    se = math.sqrt(max(discordant - (n01 - n10) ** 2 / n, 0.0)) / n
    from scipy.stats import norm

    half = float(norm.ppf((1 + options.ci_level) / 2)) * se
    draft.n_treatment = n
    draft.groups = {"pre": GroupStats(n, events=pre_events),
                    "post": GroupStats(n, events=post_events)}
    draft.effects["change_in_proportion"] = Effect(change, se, (change - half, change + half),
                                                   p, (("changed_to_yes", float(n01)),
                                                       ("changed_to_no", float(n10))),
                                                   test="mcnemar", ci_method="normal")
    draft.favourable = _favourable(change, outcome)
    draft.decide("mcnemar", p)


def _post_only(draft: _Draft, src: DataSource, outcome: Outcome, key: str) -> None:
    y_name = src.columns["outcome"]
    binary = outcome.kind == "binary"
    data = DataFile(src, [ColumnRequest(y_name, "binary" if binary else "number",
                                        "columns.outcome")], key, streamed=True)
    sums = _reduced(data, _Plan("post_only", (y_name,)))
    moments, dropped = sums.moments, sums.dropped
    s = moments.matrices(1)[0]
    n = round(s[0, 0])
    _dropped_note(draft, {"all": dropped}, data)
    if n < 1:
        raise data.error("at least one value", "none", column=y_name)
    mean = float(s[0, 1] / s[0, 0] + moments.shifts()[0])
    draft.n_treatment = n
    if binary:
        draft.groups = {"post": GroupStats(n, events=round(mean * n))}
    else:
        var = float(s[1, 1] - s[0, 1] ** 2 / s[0, 0]) / (n - 1) if n > 1 else math.nan
        draft.groups = {"post": GroupStats(n, mean, math.sqrt(max(var, 0.0))
                                           if n > 1 else None)}
    draft.note("post_only", "A measurement after the programme only cannot show change or "
               "attribute it to the programme.")

