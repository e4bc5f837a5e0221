"""Consistency checks of what an applicant reports, as quality notes (SPEC §2 notes).

* ``reported`` t / z / f with a published ``p_value``: p recomputed from the statistic and
  its df, with statcheck's rounding tolerance; a "gross" inconsistency flips significance.
* ``reported`` mean_difference or odds_ratio with a ``ci``: the interval must be centred on
  the estimate on the right scale (linear for differences, log for ratios).
* ``summary`` means and SDs of an outcome with ``scale: {items: k}``: GRIM and GRIMMER.

Each note gives the recomputed value. Notes never change a level: they tell the reader which
published numbers do not fit together. The codes are listed in ``CODES``.
"""

from __future__ import annotations

from .. import stats
from ..load.model import (
    ContinuousGroup,
    Evaluation,
    OneGroupSummary,
    Outcome,
    Reported,
    TwoGroupSummary,
)
from ..stats import consistency as cc
from .result import Note

#: Note codes of these checks (batch scoring counts them as over-claim signals).
CODES = ("p_inconsistent", "p_gross_inconsistency", "ci_not_centred", "grim_impossible_mean",
         "grimmer_impossible_sd")


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e-3 else f"{x:.4f}".rstrip("0").rstrip(".")


def consistency_notes(outcome: Outcome, evaluation: Evaluation,
                      alpha: float) -> tuple[Note, ...]:
    """The notes of every check that applies to ``outcome`` (none when all fit)."""
    notes: list[Note] = []
    try:
        if isinstance(outcome.source, Reported):
            notes += _reported(outcome.source, alpha)
        elif outcome.scale_items is not None and isinstance(
                outcome.source, TwoGroupSummary | OneGroupSummary):
            notes += _grim(outcome.source, outcome.scale_items)
    except stats.StatsError:
        return ()  # numbers the checks cannot use are the analysis's problem, reported there
    return tuple(notes)


def _reported(r: Reported, alpha: float) -> list[Note]:
    out: list[Note] = []
    if r.p_value is not None and r.statistic in ("t", "z", "f"):
        n = (r.n_treatment or 0) + (r.n_control or 0)
        df2 = r.df if r.df is not None else (n - 2 if n > 2 else None)
        if r.statistic == "t" and df2 is not None:
            res = cc.statcheck("t", r.value, r.p_value, df2, alpha=alpha)
            shown = f"t({_fmt(df2)}) = {r.value:g}"
        elif r.statistic == "f" and df2 is not None:
            res = cc.statcheck("F", r.value, r.p_value, 1, df2, alpha=alpha)
            shown = f"F(1, {_fmt(df2)}) = {r.value:g}"
        elif r.statistic == "z":
            res = cc.statcheck("z", r.value, r.p_value, alpha=alpha)
            shown = f"z = {r.value:g}"
        else:
            return out
        if not res.consistent:
            lo, hi = res.p_range
            gross = (f"; the published p is on the other side of α = {alpha:g}, a gross "
                     "inconsistency that changes the conclusion" if res.gross else "")
            out.append(Note("p_gross_inconsistency" if res.gross else "p_inconsistent",
                            f"The published p = {r.p_value:g} does not match {shown}: "
                            f"recomputed two-sided p = {_fmt(res.recomputed_p)} (between "
                            f"{_fmt(lo)} and {_fmt(hi)} allowing for rounding; statcheck, "
                            f"Nuijten et al. 2016){gross}."))
    if r.ci is not None and r.statistic in ("mean_difference", "odds_ratio"):
        scale = "log" if r.statistic == "odds_ratio" else "linear"
        c = cc.ci_centre_check(r.value, r.ci[0], r.ci[1], scale)
        if not c.centred:
            what = "odds ratio" if scale == "log" else "mean difference"
            where = ("on the log scale (its geometric centre is " if scale == "log"
                     else "(its centre is ")
            other = ("; it is symmetric on the ratio scale, as if computed without the log "
                     "transformation" if c.centred_on_other_scale else "")
            out.append(Note("ci_not_centred",
                            f"The published 95% CI [{r.ci[0]:g}, {r.ci[1]:g}] is not centred "
                            f"on the {what} {r.value:g} {where}{_fmt(c.centre)}){other}; the SE "
                            "taken from it may be wrong."))
    return out


def _grim(source: TwoGroupSummary | OneGroupSummary, items: int) -> list[Note]:
    groups: list[tuple[str, ContinuousGroup]] = []
    if isinstance(source, TwoGroupSummary):
        groups = [(k, g) for k, g in (("treatment", source.treatment),
                                       ("control", source.control))
                  if isinstance(g, ContinuousGroup)]
    else:
        groups = [(k, g) for k, g in (("pre", source.pre), ("post", source.post))
                  if isinstance(g, ContinuousGroup)]
    out: list[Note] = []
    scale = ("an integer-valued scale" if items == 1
             else f"the mean of {items} integer-valued items")
    for name, g in groups:
        pairs: list[tuple[str, float, float | None]] = [("mean", g.mean, g.sd)]
        if g.pre_mean is not None:
            pairs.append(("pretest mean", g.pre_mean, g.pre_sd))
        for label, mean, sd in pairs:
            m = cc.grim(mean, g.n, items)
            if m.applicable and not m.consistent:
                near = " or ".join(f"{v:g}" for v in m.nearest)
                out.append(Note("grim_impossible_mean",
                                f"The {name} group's {label} {mean:g} is impossible for "
                                f"{g.n} people on {scale}: the nearest possible means are "
                                f"{near} (GRIM, Brown & Heathers 2016)."))
                continue
            if sd is not None and g.n >= 2 and m.applicable:
                s = cc.grimmer(mean, sd, g.n, items)
                if not s.consistent:
                    near = " or ".join(f"{v:g}" for v in s.nearest) or "none nearby"
                    sd_label = "SD" if label == "mean" else "pretest SD"
                    out.append(Note("grimmer_impossible_sd",
                                    f"The {name} group's {sd_label} {sd:g} is impossible with "
                                    f"mean {mean:g} for {g.n} people on {scale}: the nearest "
                                    f"possible SDs are {near} (GRIMMER, Anaya 2016)."))
    return out
