"""Pure statistics for evidencekit: effect sizes, tests, WWC rules, power and pooling.

Every function is pure and returns frozen dataclasses or plain numbers, unrounded; domain
errors raise :class:`StatsError`. Conventions follow SPEC section 3.
"""

from __future__ import annotations

from ._errors import StatsError
from ._inference import normal_p, student_p, t_quantile
from .attrition import (
    BOUNDARIES,
    CAUTIOUS_BOUNDARY,
    OPTIMISTIC_BOUNDARY,
    Attrition,
    Boundary,
    Verdict,
    attrition,
    attrition_verdict,
)
from .baseline import BaselineVerdict, baseline_verdict
from .binary import (
    COX_DIVISOR,
    FISHER_EXPECTED_MIN,
    NumberNeeded,
    TwoGroupBinary,
    cox_index,
    cox_index_from_counts,
    fisher_exact,
    newcombe_interval,
    number_needed,
    two_group_binary,
    wilson_interval,
)
from .certainty import effective_sample_size, optimal_information_size, random_effects_weights
from .cluster import ClusterCorrection, hedges_2007_g_cluster, wwc_cluster_correction
from .convert import (
    CI95_WIDTH_IN_SE,
    FromEstimate,
    FromMeanDifference,
    FromOddsRatio,
    FromTest,
    from_f,
    from_g_se,
    from_mean_difference_ci,
    from_odds_ratio_ci,
    from_p,
    from_t,
)
from .interpret import EEF_MONTHS_LOWER_EDGES, eef_months, improvement_index
from .multiplicity import benjamini_hochberg
from .pooling import Pooled, PoolingMethod, pool
from .power import cluster_mdes, clusters_for_mdes, mdes, n_per_group_for, two_sample_power
from .prepost import ASSUMED_PRE_POST_R, PrePost, pre_post_rows, pre_post_summary
from .smd import (
    DiffInDiff,
    TwoGroupContinuous,
    ancova_g_se,
    difference_in_differences,
    hedges_j,
    smd_se,
    two_group_continuous,
)

__all__ = [
    "ASSUMED_PRE_POST_R",
    "BOUNDARIES",
    "CAUTIOUS_BOUNDARY",
    "CI95_WIDTH_IN_SE",
    "COX_DIVISOR",
    "EEF_MONTHS_LOWER_EDGES",
    "FISHER_EXPECTED_MIN",
    "OPTIMISTIC_BOUNDARY",
    "Attrition",
    "BaselineVerdict",
    "Boundary",
    "ClusterCorrection",
    "DiffInDiff",
    "FromEstimate",
    "FromMeanDifference",
    "FromOddsRatio",
    "FromTest",
    "NumberNeeded",
    "Pooled",
    "PoolingMethod",
    "PrePost",
    "StatsError",
    "TwoGroupBinary",
    "TwoGroupContinuous",
    "Verdict",
    "ancova_g_se",
    "attrition",
    "attrition_verdict",
    "baseline_verdict",
    "benjamini_hochberg",
    "cluster_mdes",
    "clusters_for_mdes",
    "cox_index",
    "cox_index_from_counts",
    "difference_in_differences",
    "eef_months",
    "fisher_exact",
    "from_f",
    "from_g_se",
    "from_mean_difference_ci",
    "from_odds_ratio_ci",
    "from_p",
    "from_t",
    "hedges_2007_g_cluster",
    "hedges_j",
    "improvement_index",
    "mdes",
    "n_per_group_for",
    "newcombe_interval",
    "normal_p",
    "number_needed",
    "pool",
    "pre_post_rows",
    "pre_post_summary",
    "smd_se",
    "student_p",
    "t_quantile",
    "two_group_binary",
    "two_group_continuous",
    "two_sample_power",
    "wilson_interval",
    "wwc_cluster_correction",
]

# -- h11meta: meta-analysis, effect-size intervals, planning, checks of reported statistics --
from .pooling import POOLING_METHODS, POOLING_TESTS, PoolingTest, q_profile_tau2
from .power import (
    cohens_h,
    paired_mdes,
    paired_n_for,
    paired_power,
    proportions_mdes_h,
    proportions_n_for,
    proportions_power,
)

__all__ += [
    "POOLING_METHODS",
    "POOLING_TESTS",
    "PoolingTest",
    "cohens_h",
    "paired_mdes",
    "paired_n_for",
    "paired_power",
    "proportions_mdes_h",
    "proportions_n_for",
    "proportions_power",
    "q_profile_tau2",
]
__all__ += ["effective_sample_size", "optimal_information_size", "random_effects_weights"]
