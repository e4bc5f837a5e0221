"""The one registry of effect sizes and tests: names, labels and symbols used everywhere.

The JSON keys of SPEC §4, the terminal tables, the reports and the methods appendix all take
their wording from here, so a measure is called the same thing wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    label: str
    symbol: str
    #: "standardised" (comparable to g), "raw" (outcome units), "ratio" (multiplicative),
    #: "count" (people) or "probability".
    scale: str
    description: str


@dataclass(frozen=True, slots=True)
class Test:
    key: str
    label: str
    description: str


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("mean_difference", "Mean difference", "MD", "raw",
            "Treatment mean minus control mean, in the outcome's own units."),
    Measure("cohens_d", "Cohen's d", "d", "standardised",
            "Mean difference divided by the pooled standard deviation."),
    Measure("hedges_g", "Hedges' g", "g", "standardised",
            "Cohen's d with the exact small-sample correction J."),
    Measure("glass_delta", "Glass's Δ", "Δ", "standardised",
            "Mean difference divided by the control group's standard deviation."),
    Measure("ancova", "ANCOVA-adjusted difference", "b", "raw",
            "Treatment coefficient from a regression of the outcome on treatment and pretest."),
    Measure("ancova_hedges_g", "ANCOVA-adjusted g", "g_ANCOVA", "standardised",
            "J times the ANCOVA-adjusted difference over the unadjusted pooled SD (WWC)."),
    Measure("did_hedges_g", "Difference-in-differences g", "g_DiD", "standardised",
            "Hedges' g after the programme minus Hedges' g before it (WWC)."),
    Measure("mean_change", "Mean change", "Δ̄", "raw",
            "Mean of post minus pre, in the outcome's own units."),
    Measure("d_z", "Standardised mean change (d_z)", "d_z", "standardised",
            "Mean change divided by the standard deviation of the change."),
    Measure("d_av", "Standardised mean change (d_av)", "d_av", "standardised",
            "Mean change divided by the average of the pre and post standard deviations."),
    Measure("risk_difference", "Risk difference", "RD", "probability",
            "Proportion with the outcome, treatment minus control."),
    Measure("risk_ratio", "Risk ratio", "RR", "ratio",
            "Proportion with the outcome, treatment divided by control."),
    Measure("odds_ratio", "Odds ratio", "OR", "ratio",
            "Odds of the outcome, treatment divided by control."),
    Measure("log_odds_ratio", "Log odds ratio", "ln OR", "standardised",
            "Natural logarithm of the odds ratio."),
    Measure("cox_index", "Cox index", "d_Cox", "standardised",
            "ln(OR)/1.65, the WWC's effect size for binary outcomes, comparable to g."),
    Measure("nnt", "Number needed to treat", "NNT", "count",
            "How many people the programme must serve for one more good outcome (1/|RD|)."),
    Measure("change_in_proportion", "Change in proportion", "Δp", "probability",
            "Proportion with the outcome after minus before."),
    Measure("logistic", "Adjusted log odds ratio", "ln OR_adj", "standardised",
            "Treatment coefficient of a logistic regression including the pretest."),
)}

TESTS: dict[str, Test] = {t.key: t for t in (
    Test("student_t", "Student's t-test",
         "Two-sample t-test with pooled variance on n_t + n_c − 2 degrees of freedom."),
    Test("welch_t", "Welch's t-test",
         "Two-sample t-test with separate variances and Welch–Satterthwaite degrees of "
         "freedom (R's t.test default); Student's p is reported beside it."),
    Test("fisher_exact", "Fisher's exact test",
         "Two-sided exact test of the 2×2 table (R's fisher.test), used when any expected "
         "cell count is below 5."),
    Test("difference_in_differences", "Difference in differences (z)",
         "Normal test of g_post − g_pre with the WWC variance."),
    Test("ancova", "ANCOVA",
         "t-test of the treatment coefficient in an OLS regression including the pretest."),
    Test("paired_t", "Paired t-test", "t-test of the mean change on n − 1 degrees of freedom."),
    Test("log_odds_ratio_z", "z-test on the log odds ratio",
         "Normal test of ln(OR) with its Woolf standard error."),
    Test("wwc_cluster_corrected", "t-test with the WWC clustering correction",
         "The t statistic and degrees of freedom corrected for clustering (Hedges 2007; WWC)."),
    Test("reported_t", "Published t statistic",
         "p from the published t on n_t + n_c − 2 degrees of freedom."),
    Test("reported_z", "Published z statistic", "p from the published z (normal)."),
    Test("reported_p", "Published p-value", "The p-value as the authors published it."),
    Test("reported_f", "Published F(1, df) statistic", "t = √F with the stated sign."),
    Test("normal_z", "z-test from estimate and standard error",
         "p = 2Φ(−|estimate/SE|), the SE taken as published or from a 95% CI."),
    Test("cr2", "Cluster-robust t-test (CR2)",
         "t-test of the treatment coefficient with CR2 cluster-robust standard errors and "
         "Satterthwaite degrees of freedom (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018)."),
    Test("logistic", "Logistic regression (Wald z)",
         "z-test of the treatment coefficient in a logistic regression including the pretest."),
    Test("mcnemar", "McNemar's test (exact)",
         "Exact binomial test of the pairs that changed from no to yes against yes to no."),
)}


def measure(key: str) -> Measure:
    return MEASURES[key]


def test_label(key: str | None) -> str:
    """Plain label of a test key.

    >>> test_label("student_t")
    "Student's t-test"
    """
    if key is None:
        return "no test"
    return TESTS[key].label
