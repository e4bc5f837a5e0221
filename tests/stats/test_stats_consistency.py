"""statcheck, GRIM, GRIMMER and CI-centring checks (evidencekit.stats.consistency)."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
from scipy import stats as sps

from evidencekit.stats import StatsError
from evidencekit.stats import consistency as cc


def test_grim_published_example() -> None:
    # Brown & Heathers (2016): a mean of 5.19 from 28 participants is impossible
    # (145/28 = 5.179, 146/28 = 5.214).
    r = cc.grim(5.19, 28)
    assert (r.consistent, r.applicable, r.nearest) == (False, True, (5.18, 5.21))
    assert cc.grim(5.18, 28).consistent and cc.grim(5.21, 28).consistent


def test_grim_items_and_applicability() -> None:
    # 3-item scale, n = 10: granularity 1/30
    assert cc.grim(2.37, 10, items=3).consistent  # 71/30 = 2.3667
    assert not cc.grim(2.35, 10, items=3).consistent  # 70/30 = 2.333, 71/30 = 2.367
    assert not cc.grim(3.14, 150).applicable  # 150 ≥ 100: every 2-decimal mean is possible


def _achievable(n: int, lo: int, hi: int) -> set[tuple[float, float]]:
    out = set()
    for xs in itertools.combinations_with_replacement(range(lo, hi + 1), n):
        out.add((round(statistics.fmean(xs), 2), round(statistics.stdev(xs), 2)))
    return out


def test_grimmer_agrees_with_brute_force() -> None:
    # Every (mean, SD) pair at 2 decimals that n = 4 integer responses can give. With values
    # 0..15 the range never binds for means 5..10 and SDs up to 2. GRIMMER's conditions
    # (integer sum of squares with the parity of the sum) are necessary, not sufficient: it
    # must never flag an achievable pair, and it misses few (here 5 of 4,221, all SD 1.53 at
    # means x.5, whose sums of squares need half-integer deviations that cannot sum to 0).
    seen = _achievable(4, 0, 15)
    means = sorted({m for m, _ in seen if 5 <= m <= 10})
    assert means == [x / 4 for x in range(20, 41)]
    misses = false_alarms = flagged = 0
    for m in means:
        for sd_hundredths in range(1, 201):
            sd = sd_hundredths / 100
            ok = cc.grimmer(m, sd, 4, mean_decimals=2, sd_decimals=2).consistent
            possible = (m, sd) in seen
            misses += ok and not possible
            false_alarms += possible and not ok
            flagged += not ok
    assert false_alarms == 0
    assert misses == 5
    assert flagged > 1000


def test_grimmer_parity_rule() -> None:
    # 1..6 once each: mean 3.5, SD 1.8708; Q = 91 is odd like T = 21
    assert cc.grimmer(3.5, 1.87, 6).consistent
    assert not cc.grimmer(3.5, 1.88, 6).consistent  # Q = 5·1.88² + 73.5 ≈ 91.2: no odd Q
    r = cc.grimmer(3.5, 1.88, 6)
    assert 1.87 in r.nearest


def test_statcheck_documented_example() -> None:
    # statcheck's help page: "t(100)=1, p < 0.001" is a decision (gross) error.
    r = cc.statcheck("t", 1, 0.001, 100, comparison="<")
    assert (r.consistent, r.gross) == (False, True)
    assert r.recomputed_p == pytest.approx(2 * sps.t.sf(1, 100), rel=1e-12)


def test_statcheck_rounding_tolerance() -> None:
    # t(28) = 2.2 may be 2.15..2.25: p from 0.0323 to 0.0395, so p = .04 (rounded) is fine
    assert cc.statcheck("t", 2.2, 0.04, 28).consistent
    assert not cc.statcheck("t", 2.2, 0.05, 28).consistent
    r = cc.statcheck("t", 2.2, 0.06, 28)
    assert not r.consistent and r.gross  # reported not significant; it is
    # F, z, chi2
    p = 2 * sps.norm.sf(1.96)
    assert cc.statcheck("z", 1.96, round(p, 3)).consistent
    assert cc.statcheck("F", 4.84, 0.03, 1, 98).consistent  # p = 0.0302
    assert not cc.statcheck("chi2", 3.2, 0.01, 1).consistent  # p = 0.0736
    assert cc.recompute_p("F", 4.84, 1, 98) == pytest.approx(sps.f.sf(4.84, 1, 98), rel=1e-12)
    assert cc.recompute_p("chi2", 3.2, 1) == pytest.approx(sps.chi2.sf(3.2, 1), rel=1e-12)


def test_ci_centring() -> None:
    # an odds ratio interval symmetric on the log scale: 2.5·exp(±1.96·0.3)
    lo, hi = round(2.5 * math.exp(-1.96 * 0.3), 2), round(2.5 * math.exp(1.96 * 0.3), 2)
    assert cc.ci_centre_check(2.5, lo, hi, "log").centred
    bad = cc.ci_centre_check(2.5, 1.5, 3.5, "log")
    assert not bad.centred and bad.centred_on_other_scale
    assert bad.centre == pytest.approx(math.sqrt(1.5 * 3.5))
    assert cc.ci_centre_check(2.8, 0.87, 4.73).centred
    assert not cc.ci_centre_check(2.8, 0.87, 5.73).centred


def test_bad_inputs() -> None:
    with pytest.raises(StatsError):
        cc.recompute_p("t", 2.0)
    with pytest.raises(StatsError):
        cc.statcheck("q", 2.0, 0.05, 10)
    with pytest.raises(StatsError):
        cc.ci_centre_check(-1, 0.5, 2, "log")
