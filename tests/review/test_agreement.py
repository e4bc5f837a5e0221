"""Cohen's kappa between reviewers: by hand, against R's psych::cohen.kappa, and its
invariants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencekit.review.agreement import cohen_kappa, pairwise
from evidencekit.review.model import Judgement

GOLDEN = json.loads((Path(__file__).parent / "reference" / "kappa.json").read_text())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_kappa_matches_r_psych(name: str) -> None:
    case = GOLDEN[name]
    assert cohen_kappa(case["a"], case["b"]) == pytest.approx(case["kappa"], abs=1e-12)


def test_kappa_by_hand() -> None:
    # 20 items: a says V 17 times, b 16 times; they agree on 15 V and 2 R.
    # p_o = 17/20 = 0.85; p_e = (17·16 + 3·4)/400 = 284/400 = 0.71;
    # κ = (0.85 − 0.71)/(1 − 0.71) = 0.14/0.29 = 0.482758...
    a = ["V"] * 17 + ["R"] * 3
    b = ["V"] * 15 + ["R", "R", "V", "R", "R"]
    assert cohen_kappa(a, b) == pytest.approx(0.14 / 0.29, abs=1e-12)


def test_kappa_undefined_when_chance_agreement_is_certain() -> None:
    assert cohen_kappa(["V"] * 5, ["V"] * 5) is None
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError):
        cohen_kappa(["V"], [])


@given(st.lists(st.tuples(st.sampled_from("VR"), st.sampled_from("VR")), min_size=1,
                max_size=40))
def test_kappa_is_symmetric_bounded_and_one_for_identical(pairs: list[tuple[str, str]]) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    k = cohen_kappa(a, b)
    assert k == cohen_kappa(b, a)
    if k is not None:
        assert -1.0 - 1e-12 <= k <= 1.0 + 1e-12
    same = cohen_kappa(a, a)
    assert same is None or same == pytest.approx(1.0)


def test_pairwise_uses_latest_current_reviewer_judgements() -> None:
    def j(who: str, crit: str, d: str, seq: int, role: str = "reviewer",
          sha: str = "a" * 64) -> Judgement:
        return Judgement("app", crit, d, who, "", "2026-12-02T01:00:00Z", sha, role, seq)

    js = [j("Ada", "c1", "rejected", 1), j("Ada", "c1", "validated", 2),
          j("Ben", "c1", "validated", 3), j("Ada", "c2", "validated", 4),
          j("Ben", "c2", "rejected", 5), j("Cy", "c2", "validated", 6, role="moderator"),
          j("Ben", "c3", "validated", 7, sha="b" * 64), j("Ada", "c3", "rejected", 8,
                                                        sha="b" * 64)]
    (pair,) = pairwise(js, {"app": "a" * 64})
    assert pair.reviewers == ("Ada", "Ben") and pair.items == 2 and pair.agreed == 1
