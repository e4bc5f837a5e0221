"""The review store on SQLite and on a real PostgreSQL server (issue #16, items 1 and 5)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evidencekit.review.agreement import pairwise
from evidencekit.review.model import Judgement, decide
from evidencekit.review.store import ReviewError, ReviewStore

SHA1, SHA2 = "1" * 64, "2" * 64
L3 = "nesta.L3.comparison"


def setup(where: str, blind: bool = True) -> ReviewStore:
    s = ReviewStore(where)
    s.configure(reviewers_required=2, blind=blind)
    s.add_reviewer("Ada", "ada-token-123456")
    s.add_reviewer("Ben", "ben-token-123456")
    s.add_reviewer("Cy", "cy-token-1234567", role="moderator")
    s.register("city-year", "city-year.yaml", SHA1)
    s.register("goodgym", "goodgym.yaml", SHA1)
    for r in ("Ada", "Ben"):
        s.assign("city-year", r)
    s.assign("goodgym", "Ada")
    return s


def judge(app: str, who: str, decision: str, crit: str = L3, sha: str | None = SHA1,
          role: str = "reviewer") -> Judgement:
    return Judgement(app, crit, decision, who, f"{who} says {decision}",
                     "2026-12-02T01:00:00Z", sha, role)


def test_reviewers_assignments_and_tokens(database: str) -> None:
    s = setup(database)
    assert s.authenticate("Ada", "ada-token-123456") is not None
    assert s.authenticate("Ada", "ben-token-123456") is None
    assert s.authenticate("Nobody", "ada-token-123456") is None
    assert s.assigned("Ada") == ["city-year", "goodgym"]
    assert s.assigned("Ben") == ["city-year"]
    assert s.settings().reviewers_required == 2 and s.settings().blind
    with pytest.raises(ReviewError, match="at least 12 characters"):
        s.add_reviewer("Dee", "short")
    # Reopening finds everything (the schema is created once, idempotently).
    assert ReviewStore(database).assigned("Ben") == ["city-year"]


def test_judgements_round_trip_through_the_audit_trail(database: str) -> None:
    s = setup(database)
    seq = s.record(judge("city-year", "Ada", "validated"))
    (back,) = s.judgements("city-year")
    assert back.seq == seq and back.reviewer == "Ada" and back.decision == "validated"
    assert back.submission_sha256 == SHA1 and back.reason == "Ada says validated"
    row = s.audit()[-1]
    assert (row["actor"], row["action"], row["application"], row["criterion"],
            row["submission_sha256"]) == ("Ada", "judgement", "city-year", L3, SHA1)


def test_only_assigned_reviewers_judge(database: str) -> None:
    s = setup(database)
    with pytest.raises(ReviewError, match="assigned to Ben"):
        s.record(judge("goodgym", "Ben", "validated"))
    with pytest.raises(ReviewError, match="a reviewer of this round"):
        s.record(judge("goodgym", "Eve", "validated"))
    with pytest.raises(ReviewError, match="a moderator"):
        s.record(judge("city-year", "Ada", "validated", role="moderator"))
    assert s.judgements() == []


def test_the_audit_trail_is_append_only(database: str) -> None:
    s = setup(database)
    s.record(judge("city-year", "Ada", "validated"))
    for sql in ("UPDATE audit SET decision = 'rejected'", "DELETE FROM audit"):
        if database.startswith("postgresql"):
            import psycopg

            with pytest.raises(psycopg.Error, match="append-only"), \
                    psycopg.connect(database) as con:
                con.execute(sql)
        else:
            con = sqlite3.connect(database)
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(sql)
            con.close()
    assert s.judgements("city-year")[0].decision == "validated"


def test_a_changed_submission_makes_judgements_stale(database: str) -> None:
    s = setup(database)
    s.record(judge("city-year", "Ada", "validated"))
    s.record(judge("city-year", "Ben", "validated"))
    assert decide(s.judgements("city-year"), SHA1, 2).criteria[L3].decision == "validated"
    assert s.register("city-year", "city-year.yaml", SHA2) is True
    assert s.register("city-year", "city-year.yaml", SHA2) is False
    review = decide(s.judgements("city-year"), SHA2, 2).criteria[L3]
    assert review.decision == "pending" and len(review.stale) == 2
    # A judgement on the old version is refused; on the new one it counts.
    with pytest.raises(ReviewError, match="the submission has changed"):
        s.record(judge("city-year", "Ada", "validated", sha=SHA1))
    s.record(judge("city-year", "Ada", "validated", sha=SHA2))
    # Stale judgements stay in the trail.
    assert len(s.judgements("city-year")) == 3


def test_conflict_of_interest_excludes_the_reviewer(database: str) -> None:
    s = setup(database)
    s.record(judge("city-year", "Ben", "rejected"))
    s.declare_conflict("city-year", "Ben", "I was a trustee of City Year")
    assert s.assigned("Ben") == []
    assert s.judgements("city-year") == []  # Ben's earlier judgement no longer counts
    with pytest.raises(ReviewError, match="declared one"):
        s.record(judge("city-year", "Ben", "validated"))
    assert [r["reason"] for r in s.conflicts()] == ["I was a trustee of City Year"]


def test_disagreement_is_moderated(database: str) -> None:
    s = setup(database)
    s.record(judge("city-year", "Ada", "validated"))
    s.record(judge("city-year", "Ben", "rejected"))
    assert decide(s.judgements("city-year"), SHA1, 2).criteria[L3].decision == "disputed"
    s.record(judge("city-year", "Cy", "validated", role="moderator"))
    r = decide(s.judgements("city-year"), SHA1, 2).criteria[L3]
    assert r.decision == "validated" and r.moderated


def test_blind_review_hides_others_until_submitted(database: str) -> None:
    s = setup(database)
    s.record(judge("city-year", "Ada", "validated"))
    s.record(judge("city-year", "Ben", "rejected"))
    ada = s.authenticate("Ada", "ada-token-123456")
    cy = s.authenticate("Cy", "cy-token-1234567")
    assert ada is not None and cy is not None
    assert [j.reviewer for j in s.visible_judgements("city-year", ada)] == ["Ada"]
    assert len(s.visible_judgements("city-year", cy)) == 2
    s.mark_submitted("city-year", "Ada")
    assert len(s.visible_judgements("city-year", ada)) == 2
    open_store = setup(database + ("" if database.startswith("postgresql") else "-open"),
                       blind=False) if not database.startswith("postgresql") else None
    if open_store is not None:
        open_store.record(judge("city-year", "Ben", "rejected"))
        ada2 = open_store.authenticate("Ada", "ada-token-123456")
        assert ada2 is not None and len(open_store.visible_judgements("city-year", ada2)) == 1


def test_a_repeated_request_is_one_judgement(database: str) -> None:
    s = setup(database)
    a = s.record(judge("city-year", "Ada", "validated"), request_id="form-1")
    b = s.record(judge("city-year", "Ada", "validated"), request_id="form-1")
    assert a == b and len(s.judgements()) == 1


def test_kappa_per_pair_from_the_store(database: str) -> None:
    s = setup(database)
    crits = [f"c{i}" for i in range(10)]
    ada = ["validated"] * 6 + ["rejected"] * 4
    ben = ["validated"] * 4 + ["rejected"] * 2 + ["validated"] + ["rejected"] * 3
    for c, a, b in zip(crits, ada, ben, strict=True):
        s.record(judge("city-year", "Ada", a, crit=c))
        s.record(judge("city-year", "Ben", b, crit=c))
    (pair,) = pairwise(s.judgements())
    # By hand: p_o = 7/10; p_e = (6·5 + 4·5)/100 = 0.5; κ = (0.7 − 0.5)/0.5 = 0.4.
    assert pair.reviewers == ("Ada", "Ben") and pair.items == 10 and pair.agreed == 7
    assert pair.kappa == pytest.approx(0.4, abs=1e-12)


def test_concurrent_writers_lose_and_duplicate_nothing(database: str) -> None:
    s = setup(database)
    errors: list[BaseException] = []

    def work(who: str) -> None:
        try:
            for i in range(25):
                s.record(judge("city-year", who, "validated", crit=f"c{i}"),
                         request_id=f"{who}-{i}")
                s.record(judge("city-year", who, "validated", crit=f"c{i}"),
                         request_id=f"{who}-{i}")  # a retry
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in ("Ada", "Ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = sorted((j.reviewer, j.criterion) for j in s.judgements())
    assert got == sorted((w, f"c{i}") for w in ("Ada", "Ben") for i in range(25))


WRITER = """
import sys
from evidencekit.review.model import Judgement
from evidencekit.review.store import ReviewStore
s = ReviewStore(sys.argv[1])
i = 0
while True:
    s.record(Judgement("city-year", f"c{i}", "validated", "Ada", "r", "2026-12-02T01:00:00Z",
                       None))
    print(i, flush=True)  # acknowledged: the commit has returned
    i += 1
"""


def test_a_killed_writer_loses_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    s = setup(database)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, database], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    acked = []
    for line in proc.stdout:
        acked.append(int(line))
        if len(acked) >= 30:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    stored = {j.criterion for j in s.judgements()}
    assert {f"c{i}" for i in acked} <= stored
