"""The power advice plans binary outcomes with two proportions and cluster trials with
Bloom's MDES (evidencekit.planning.sample_advice), not with the two-sample t-test."""

from __future__ import annotations

import math
from pathlib import Path

from evidencekit import assess, stats

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_binary_outcome_uses_two_proportions() -> None:
    result = assess(EXAMPLES / "manchester-cathedral.yaml")
    [step] = [s for s in result.next_steps if "two proportions" in s]
    outcome = next(o for e in result.analysis.evaluations for o in e.outcomes
                   if o.kind == "binary" and o.name in step
                   and f"({o.groups['treatment'].events / o.groups['treatment'].n:.0%} against "
                       f"{o.groups['control'].events / o.groups['control'].n:.0%}" in step)
    t, c = outcome.groups["treatment"], outcome.groups["control"]
    assert t.events is not None and c.events is not None
    h = stats.cohens_h(t.events / t.n, c.events / c.n)
    n = math.ceil(stats.proportions_n_for(h, 0.05, 0.8))
    assert f"Cohen's h = {abs(h):.2f}) with 80% power at α = 0.05 needs about {n:,} people " \
           "per group" in step
    # the t-test's answer for the Cox index would be a different number
    assert math.ceil(stats.n_per_group_for(abs(outcome.headline.estimate), 0.05, 0.8)) != n


def test_cluster_trial_names_the_clusters_needed() -> None:
    result = assess(EXAMPLES / "story-friends-cluster-trial.yaml")
    [step] = [s for s in result.next_steps if "clusters of" in s]
    outcome = next(o for e in result.analysis.evaluations for o in e.outcomes
                   if o.clustering is not None and o.name in step)
    assert outcome.clustering is not None and outcome.headline is not None
    size = (outcome.n_treatment + outcome.n_control) / outcome.clustering.clusters
    j = stats.clusters_for_mdes(abs(outcome.headline.estimate), size, outcome.clustering.icc)
    assert f"needs about {j} clusters of {size:.0f} in all ({j // 2} per group" in step
    assert stats.cluster_mdes(j, size, outcome.clustering.icc) <= abs(outcome.headline.estimate)
