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


@dataclass(frozen=True, slots=True)
class Term:
    """A technical word a report may use, defined for a reader without statistics.

    ``pattern`` is a regular expression that finds the term in a report's text; a report's
    glossary holds exactly the terms (and the measures and tests above) that its text uses.
    """

    key: str
    label: str
    abbreviation: str
    pattern: str
    definition: str


#: Every technical term of the reports, with its definition (the glossary is built from the
#: terms a report actually uses: evidencekit.report.glossary).
TERMS: dict[str, Term] = {t.key: t for t in (
    Term("sd", "Standard deviation", "SD", r"\bSD\b|standard deviations?",
         "How spread out people's scores are. An effect of 0.2 SD moves the average person "
         "a fifth of that spread; 0.2 is often called small, 0.5 medium and 0.8 large."),
    Term("standardised", "Standardised effect", "", r"standardi[sz]ed",
         "An effect expressed in standard deviations, so that outcomes measured on "
         "different scales can be compared."),
    Term("ci", "95% confidence interval", "CI", r"\bCI\b|confidence interval",
         "The range of effects compatible with the data: if the study were repeated many "
         "times, 95% of such intervals would contain the true effect. One that includes zero "
         "means the data are compatible with no effect at all."),
    Term("p", "p-value", "p", r"(?<![\w])p [=<≤]|p-value|\(p withheld",
         "How surprising the result would be if the programme had no effect. Below 0.05 is "
         "conventionally called statistically significant."),
    Term("significant", "Statistically significant", "", r"significan",
         "Unlikely to be chance alone (p at most the rubric's significance level, usually "
         "0.05). It says nothing about how large or important the effect is."),
    Term("favourable", "Favourable direction", "", r"favourabl|favours",
         "The direction that means the programme helped (higher scores, or fewer people with "
         "a bad outcome). Effects in charts and tables are turned so that positive is "
         "favourable."),
    Term("comparison", "Comparison group", "", r"comparison[- ]group|control group",
         "People who did not receive the programme, whose outcomes show what would have "
         "happened without it."),
    Term("rct", "Randomised controlled trial", "RCT", r"randomi[sz]ed|\bRCT\b",
         "A study in which chance decides who receives the programme, so the groups differ "
         "only by chance before it starts."),
    Term("cluster", "Cluster-randomised trial", "", r"cluster",
         "A trial that randomises whole groups (schools, practices) rather than people. "
         "People in one group are alike, so the analysis must allow for the clustering."),
    Term("icc", "Intra-cluster correlation", "ICC", r"\bICC\b",
         "The share of the differences between people that lies between clusters; it "
         "decides how much clustering reduces the information in a trial."),
    Term("pre_post", "Before-and-after study", "", r"before[- ]and[- ]after",
         "One group measured before and after the programme. With no comparison group, the "
         "change cannot be attributed to the programme."),
    Term("baseline", "Baseline equivalence", "", r"\bbaseline\b",
         "Whether the groups were alike before the programme started. Groups that differ "
         "at baseline can make a programme look better or worse than it is."),
    Term("attrition", "Attrition", "", r"attrition",
         "People lost from a study between randomisation and measurement. High or uneven "
         "attrition can bias a trial (What Works Clearinghouse boundaries)."),
    Term("primary", "Primary outcome", "", r"\bprimary\b",
         "An outcome the evaluation set out to change, named in advance; only primary "
         "outcomes decide the causal test."),
    Term("independent", "Independent evaluation", "", r"\bindependent(?:ly)?\b",
         "Carried out by people who do not deliver the programme."),
    Term("random_effects", "Random-effects pooling", "", r"random[- ]effects",
         "Combining several evaluations' effects into one, allowing the true effect to "
         "differ between them."),
    Term("pooled", "Pooled effect", "", r"\bpooled\b",
         "One effect combining several evaluations, each weighted by its precision."),
    Term("prediction", "Prediction interval", "", r"prediction interval",
         "Where the effect of a new evaluation like these would be expected to fall."),
    Term("heterogeneity", "Heterogeneity (I², τ²)", "", r"I²|τ²",
         "How much the evaluations' effects differ beyond chance: I² is the share of the "
         "variation that is real, τ² its size."),
    Term("improvement_index", "Improvement index", "", r"improvement index",
         "The change in percentile rank an average member of the comparison group would "
         "see with the programme (What Works Clearinghouse)."),
    Term("eef", "Months' progress", "", r"months' (?:additional|less) progress|EEF",
         "The Education Endowment Foundation's translation of an effect on attainment into "
         "months of a pupil's progress."),
    Term("wwc", "What Works Clearinghouse", "WWC", r"\bWWC\b",
         "The US Institute of Education Sciences' standards for judging studies, used here "
         "for attrition, baseline equivalence and effect sizes."),
    Term("power", "Statistical power", "", r"\bpower\b",
         "The chance a study detects an effect of a given size if it is real; 80% is the "
         "usual aim."),
    Term("bh", "Adjusted p-value (Benjamini–Hochberg)", "", r"adjusted [0-9<]|Benjamini",
         "A p-value corrected because several primary outcomes were tested at once."),
    Term("net_cost", "Net cost", "", r"net cost",
         "The programme's cost per participant minus that of the support people would get "
         "otherwise (the comparator)."),
    Term("dominant", "Dominant", "", r"\bdominant\b",
         "Cheaper than the comparator and more effective: no trade-off to weigh."),
    Term("cost_per_unit", "Cost per unit of effect", "", r"cost per (?:0\.1 SD|additional)",
         "The extra cost of achieving one unit of effect (an incremental cost-effectiveness "
         "ratio). It has a meaning only when the programme costs more and does more."),
    Term("claimed", "Claimed only", "", r"\bclaimed\b|Claimed",
         "A criterion the applicant says is met but the submission holds no evidence for; "
         "it counts towards the claimed level, not the verified one."),
    Term("verified", "Verified", "", r"\bverified\b|Verified",
         "Shown by the evidence in the submission, checked by evidencekit."),
    Term("disclosure", "Disclosure control", "", r"disclosure control|withheld",
         "Numbers about fewer than a threshold of people are hidden so that no one can be "
         "identified; statistics that would reveal them are withheld too."),
    Term("percentage_points", "Percentage points", "", r"percentage points",
         "The difference between two percentages (57% against 48% is 9 percentage points)."),
)}
