"""The validated level: reviewers' judgements applied by the assessment (issue #16, item 3).

A claimed criterion that reviewers validated is ``validated`` and counts towards
``validated_level``; verified and not-met criteria are untouched; stale, disputed and pending
judgements change nothing but the reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evidencekit
from evidencekit.review.model import Judgement

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CITY_YEAR = EXAMPLES / "city-year.yaml"  # verified 2, claimed 3 (L3.comparison claimed)
GOODGYM = EXAMPLES / "goodgym.yaml"      # verified 3, claimed 4 (L4.costs claimed)
SHA = hashlib.sha256(CITY_YEAR.read_text(encoding="utf-8").encode()).hexdigest()
L3 = "nesta.L3.comparison"


def j(decision: str, reviewer: str = "Ada", criterion: str = L3, *, role: str = "reviewer",
      sha: str | None = SHA, seq: int | None = None, reason: str = "Seen the report") -> Judgement:
    return Judgement("city-year", criterion, decision, reviewer, reason,
                     "2026-12-02T01:00:00Z", sha, role, seq)


def criterion(result: Any, cid: str) -> Any:
    return next(c for lv in result.levels for c in lv.criteria if c.id == cid)


def test_without_judgements_validated_is_verified() -> None:
    r = evidencekit.assess(CITY_YEAR)
    d = r.to_dict()
    assert (d["level"], d["validated_level"], d["claimed_level"]) == (2, 2, 3)
    assert d["review"] is None and d["validated_label"] == d["label"]
    assert all(c["review"] is None for lv in d["levels"] for c in lv["criteria"])
    assert [lv["status"] for lv in d["levels"]][:3] == ["reached", "reached", "claimed_only"]


def test_a_validated_claim_counts_towards_the_validated_level_only() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[j("validated")])
    assert (r.level, r.validated, r.claimed_level) == (2, 3, 3)
    c = criterion(r, L3)
    assert c.status == "validated" and c.review.decision == "validated"
    assert "Validated by Ada on 2026-12-02: Seen the report." in c.reason
    assert r.levels[2].status == "validated_only" and r.levels[2].own_gates_validated
    d = r.to_dict()
    assert d["validated_level"] == 3 and d["validated_label"] == "Level 3"
    assert d["review"]["criteria"][L3]["applied"] is True
    assert d["review"]["submission_sha256"] == SHA
    json.dumps(d)


def test_a_rejected_claim_stays_claimed() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[j("rejected", reason="No comparison group")])
    assert (r.level, r.validated, r.claimed_level) == (2, 2, 3)
    c = criterion(r, L3)
    assert c.status == "claimed" and "Rejected by Ada" in c.reason
    assert "No comparison group" in c.reason


def test_a_judgement_on_a_verified_criterion_changes_nothing() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[j("rejected", criterion="nesta.L1.problem"),
                                                  j("validated", criterion="nesta.L4.costs")])
    assert (r.level, r.validated) == (2, 2)
    assert criterion(r, "nesta.L1.problem").status == "verified"
    assert criterion(r, "nesta.L4.costs").status == "not_met"  # not claimed: not validated
    crits = r.to_dict()["review"]["criteria"]
    assert crits["nesta.L1.problem"]["applied"] is False


def test_stale_judgements_do_not_count() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[j("validated", sha="0" * 64)])
    assert r.validated == 2
    c = criterion(r, L3)
    assert c.status == "claimed" and c.review.decision == "pending"
    assert len(c.review.stale) == 1 and "earlier version" in c.reason


def test_disagreement_waits_for_the_moderator() -> None:
    two = [j("validated", "Ada", seq=1), j("rejected", "Ben", seq=2)]
    r = evidencekit.assess(CITY_YEAR, judgements=two)
    assert r.validated == 2 and criterion(r, L3).review.decision == "disputed"
    assert "disagree" in criterion(r, L3).reason
    moderated = [*two, j("validated", "Cy", role="moderator", seq=3, reason="Report seen")]
    r = evidencekit.assess(CITY_YEAR, judgements=moderated)
    assert r.validated == 3 and criterion(r, L3).review.moderated


def test_two_reviewers_required() -> None:
    one = [j("validated", "Ada", seq=1)]
    assert evidencekit.assess(CITY_YEAR, judgements=one, reviewers_required=2).validated == 2
    both = [*one, j("validated", "Ben", seq=2)]
    assert evidencekit.assess(CITY_YEAR, judgements=both, reviewers_required=2).validated == 3


def test_a_reviewer_changing_their_mind_counts_once() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[j("validated", seq=1), j("rejected", seq=2)])
    assert r.validated == 2 and criterion(r, L3).review.decision == "rejected"


def test_cumulative_validated_level_needs_every_level_below() -> None:
    # GoodGym: verified 3, L4.costs claimed; the other L4 gates are verified.
    judged = [Judgement("g", "nesta.L4.costs", "validated", "Ada", "Costs in the annual report",
                        "2026-12-02T01:00:00Z", None)]
    r = evidencekit.assess(GOODGYM, judgements=judged)
    assert (r.level, r.validated, r.claimed_level) == (3, 4, 4)


def test_reviewer_text_is_inert_and_braces_survive() -> None:
    r = evidencekit.assess(CITY_YEAR, judgements=[
        j("validated", reviewer="Ada {0} \ue000", reason="see {evidence} <b>x</b>")])
    c = criterion(r, L3)
    assert "Ada {0}" in c.reason and "{evidence} <b>x</b>" in c.reason
    assert "\ue000" not in c.reason
    # The reason's typed values survive the appended words (disclosure control).
    assert c.reason_message().render() == c.reason


def test_evaluation_scope_rubric_takes_judgements() -> None:
    r = evidencekit.assess(CITY_YEAR, rubric="maryland_sms", judgements=[j("validated")])
    assert r.validated >= r.level
    assert all(v.to_dict()["validated_level"] >= v.level for v in r.per_evaluation)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["validated", "rejected"]),
                          st.sampled_from(["Ada", "Ben", "Cy"]),
                          st.sampled_from(["reviewer", "moderator"]),
                          st.sampled_from([L3, "nesta.L2.outcome_data", "nesta.L4.costs"]),
                          st.booleans()), max_size=6),
       st.integers(1, 3))
def test_validated_level_lies_between_verified_and_claimed(
        items: list[tuple[str, str, str, str, bool]], required: int) -> None:
    js = [Judgement("a", crit, d, who, "r", "2026-12-02T01:00:00Z",
                    SHA if current else "f" * 64, role, i)
          for i, (d, who, role, crit, current) in enumerate(items)]
    for path in (CITY_YEAR, GOODGYM):
        r = evidencekit.assess(path, judgements=js, reviewers_required=required)
        assert r.level <= r.validated <= r.claimed_level
        statuses = {c.status for lv in r.levels for c in lv.criteria}
        plain = evidencekit.assess(path)
        # Only claimed criteria can change, and only to validated.
        for lv, lv0 in zip(r.levels, plain.levels, strict=True):
            for c, c0 in zip(lv.criteria, lv0.criteria, strict=True):
                assert c.status == c0.status or (c0.status, c.status) == ("claimed",
                                                                          "validated")
        assert statuses <= {"verified", "validated", "claimed", "not_met"}


def test_judgements_file_on_the_command_line(cli: Any, write: Any) -> None:
    f = write("j.yaml", "schema: evidencekit/judgements@1\njudgements:\n"
                        f"  - criterion: {L3}\n    decision: validated\n"
                        "    reviewer: Ada Khan\n    reason: Report seen\n"
                        "    at: 2026-12-02T01:00:00Z\n")
    out = cli("assess", CITY_YEAR, "--judgements", f, "--format", "json")
    assert out.exit_code == 0, out.stderr
    d = json.loads(out.stdout)
    assert (d["level"], d["validated_level"], d["claimed_level"]) == (2, 3, 3)
    text = cli("assess", CITY_YEAR, "--judgements", f)
    assert text.exit_code == 0 and "Validated level: 3" in text.stdout


@pytest.mark.parametrize(("content", "expected"), [
    ("schema: evidencekit/judgements@1\njudgements:\n  - criterion: x\n    decision: maybe\n"
     "    reviewer: A\n",
     "j.yaml, line 3, judgements[0].decision: expected validated or rejected, found the text "
     "'maybe'."),
    ("schema: evidencekit/judgements@2\njudgements: []\n",
     "j.yaml, line 1, schema: expected evidencekit/judgements@1, found the text "
     "'evidencekit/judgements@2'."),
    ("schema: evidencekit/judgements@1\njudgements:\n  - criterion: x\n    decision: validated\n",
     "j.yaml, line 3, judgements[0].reviewer: expected a value, found nothing."),
    ("schema: evidencekit/judgements@1\njudgements:\n  - criterion: x\n    decision: validated\n"
     "    reviewer: A\n    at: soon\n",
     "j.yaml, line 3, judgements[0].at: expected a date and time (ISO 8601, e.g. "
     "2026-12-02T01:00:00Z), found the text 'soon'."),
    ("schema: evidencekit/judgements@1\njudgements:\n  - criterion: x\n    decision: validated\n"
     "    reviewer: A\n    role: moderator\n",
     "j.yaml, line 3, judgements[0].reason: expected a moderator's reason for the decision, "
     "found nothing."),
    ("schema: evidencekit/judgements@1\njudgements:\n  - criterion: x\n    decision: validated\n"
     "    reviewer: !!python/object:os.system ls\n",
     None),
])
def test_bad_judgements_file_is_one_sentence(cli: Any, write: Any, tmp_path: Path,
                                              monkeypatch: Any, content: str,
                                              expected: str | None) -> None:
    write("j.yaml", content)
    monkeypatch.chdir(tmp_path)
    out = cli("assess", CITY_YEAR, "--judgements", "j.yaml")
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr
    if expected is not None:
        assert lines[0] == expected


def test_a_changed_data_file_makes_judgements_stale(tmp_path: Path) -> None:
    # A submission is its file and the data files it names: a changed row of data can change
    # the verdict the reviewer examined, so their judgement no longer counts.
    import shutil

    from evidencekit.load import load_submission
    from evidencekit.review.round import submission_sha256
    from evidencekit.review.version import submission_version

    (tmp_path / "data").mkdir()
    shutil.copy(EXAMPLES / "data" / "story-friends-schools.csv", tmp_path / "data")
    sub_file = tmp_path / "story-friends.yaml"
    sub_file.write_text((EXAMPLES / "story-friends-cluster-trial.yaml").read_text(
        encoding="utf-8") + "claims:\n  nesta.L5.systems: {answer: true, note: A manual.}\n",
        encoding="utf-8")
    before = submission_version(load_submission(sub_file))
    assert before is not None and before != load_submission(sub_file).sha256
    assert submission_sha256(sub_file) == before  # the round's store records the same
    judged = [Judgement("story-friends", "nesta.L5.systems", "validated", "Ada",
                        "Manual seen", "2026-12-02T01:00:00Z", before)]
    c = criterion(evidencekit.assess(sub_file, judgements=judged), "nesta.L5.systems")
    assert c.status == "validated"
    data = tmp_path / "data" / "story-friends-schools.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    data.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one pupil fewer
    after = submission_version(load_submission(sub_file))
    assert after != before and submission_sha256(sub_file) == after
    c = criterion(evidencekit.assess(sub_file, judgements=judged), "nesta.L5.systems")
    assert c.status == "claimed" and len(c.review.stale) == 1
