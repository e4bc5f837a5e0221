"""A review round from the terminal: set-up, judgements, moderation, status, exports, and the
batch's scores with the validated level (issue #16)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SETUP = """schema: evidencekit/round@1
reviewers_required: 2
blind: true
reviewers:
  - {name: Ada Khan, token: ada-secret-token-1}
  - {name: Ben Ode, token: ben-secret-token-1}
  - {name: Cy Moderator, role: moderator, token: cy-secret-token-1}
assignments:
  "*": [Ada Khan, Ben Ode]
"""
TOKENS = {"Ada Khan": "ada-secret-token-1", "Ben Ode": "ben-secret-token-1",
          "Cy Moderator": "cy-secret-token-1"}


@pytest.fixture
def round_dir(tmp_path: Path, cli: Any) -> Path:
    r = tmp_path / "round"
    r.mkdir()
    for name in ("city-year", "goodgym"):
        shutil.copy(EXAMPLES / f"{name}.yaml", r / f"{name}.yaml")
    (tmp_path / "round.yaml").write_text(SETUP, encoding="utf-8")
    out = cli("round", "setup", r, tmp_path / "round.yaml")
    assert out.exit_code == 0, out.stderr
    assert "2 applications, 3 reviewers, 4 assignments" in out.stdout
    return r


def judge(cli: Any, r: Path, who: str, app: str, crit: str, decision: str,
          reason: str = "Because.") -> Any:
    return cli("round", "judge", r, "--reviewer", who, "--token", TOKENS[who],
               "--application", app, "--criterion", crit, "--decision", decision,
               "--reason", reason)


def test_a_round_reviewed_by_two_with_a_moderated_disagreement(round_dir: Path, cli: Any,
                                                                tmp_path: Path) -> None:
    r = round_dir
    assert judge(cli, r, "Ada Khan", "city-year", "nesta.L3.comparison", "validated").exit_code == 0
    assert judge(cli, r, "Ben Ode", "city-year", "nesta.L3.comparison", "validated").exit_code == 0
    assert judge(cli, r, "Ada Khan", "goodgym", "nesta.L4.costs", "validated").exit_code == 0
    assert judge(cli, r, "Ben Ode", "goodgym", "nesta.L4.costs", "rejected").exit_code == 0
    st = json.loads(cli("round", "status", r, "--format", "json").stdout)
    by = {a["application"]: a for a in st["applications"]}
    assert by["goodgym"]["claims"] == {"nesta.L4.costs": "disputed"}
    assert by["goodgym"]["validated_level"] == 3
    assert by["city-year"]["validated_level"] == 3
    (pair,) = st["agreement"]
    assert pair["items"] == 2 and pair["agreed"] == 1 and pair["kappa"] == pytest.approx(0.0)
    out = judge(cli, r, "Cy Moderator", "goodgym", "nesta.L4.costs", "validated",
                "The cost is in the annual report's appendix.")
    assert out.exit_code == 0, out.stderr
    st = json.loads(cli("round", "status", r, "--format", "json").stdout)
    assert {a["application"]: a["validated_level"] for a in st["applications"]} == \
        {"city-year": 3, "goodgym": 4}
    # The batch scores carry all three levels.
    res = cli("batch", r, "--out", tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0, res.stderr
    portfolio = (tmp_path / "out" / "portfolio.html").read_text(encoding="utf-8")
    assert '<td class="num" data-label="Validated">4</td>' in portfolio
    assert "<strong>2</strong> of 2 applications reach a higher level" in portfolio
    assert "validated at this level" in portfolio  # the chart's third series
    with open(tmp_path / "out" / "scores.csv", encoding="utf-8") as f:
        rows = {row["application_id"]: row for row in csv.DictReader(f)}
    assert (rows["goodgym"]["level"], rows["goodgym"]["validated_level"],
            rows["goodgym"]["claimed_level"]) == ("3", "4", "4")
    assert rows["city-year"]["gate:nesta.L3.comparison"] == "validated"
    assert rows["city-year"]["claims_awaiting_review"] == "0"
    # Exports: CSV with every judgement, a judgements file that assess reads back.
    assert cli("round", "export", r, "--out", tmp_path / "reviews.csv").exit_code == 0
    with open(tmp_path / "reviews.csv", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == 5 and {e["current"] for e in exported} == {"true"}
    assert cli("round", "export", r, "--out", tmp_path / "ben.csv", "--reviewer",
               "Ben Ode").exit_code == 0
    assert len((tmp_path / "ben.csv").read_text().splitlines()) == 3
    assert cli("round", "export", r, "--out", tmp_path / "j.yaml").exit_code == 0
    back = cli("assess", r / "goodgym.yaml", "--judgements", tmp_path / "j.yaml",
               "--application", "goodgym", "--reviewers-required", "2", "--format", "json")
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["validated_level"] == 4
    assert cli("round", "export", r, "--out", tmp_path / "r.xlsx").exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "r.xlsx").active
    assert ws.max_row == 6 and ws.auto_filter.ref == "A1:J6"  # a filter on every column
    assert cli("round", "export", r, "--out", tmp_path / "audit.csv", "--audit").exit_code == 0
    assert "judgement" in (tmp_path / "audit.csv").read_text()


def test_a_changed_submission_makes_its_judgements_stale(round_dir: Path, cli: Any,
                                                        tmp_path: Path) -> None:
    r = round_dir
    judge(cli, r, "Ada Khan", "city-year", "nesta.L3.comparison", "validated")
    judge(cli, r, "Ben Ode", "city-year", "nesta.L3.comparison", "validated")
    f = r / "city-year.yaml"
    f.write_text(f.read_text(encoding="utf-8") + "\n# revised\n", encoding="utf-8")
    st = json.loads(cli("round", "status", r, "--format", "json").stdout)
    cy = next(a for a in st["applications"] if a["application"] == "city-year")
    assert cy["validated_level"] == 2 and cy["claims"] == {"nesta.L3.comparison": "pending"}
    assert cli("round", "export", r, "--out", tmp_path / "e.csv").exit_code == 0
    with open(tmp_path / "e.csv", encoding="utf-8") as fh:
        assert {row["current"] for row in csv.DictReader(fh)} == {"false"}


def test_terminal_errors_are_one_sentence(round_dir: Path, cli: Any) -> None:
    r = round_dir
    bad = cli("round", "judge", r, "--reviewer", "Ada Khan", "--token", "wrong-token-000",
              "--application", "city-year", "--criterion", "nesta.L3.comparison",
              "--decision", "validated")
    assert bad.exit_code == 2
    assert bad.stderr.strip() == ("reviewer: expected the name and token of a reviewer of this "
                                  "round, found a name and token that do not match.")
    wrong = judge(cli, r, "Ada Khan", "city-year", "nesta.L1.problem", "validated")
    assert wrong.exit_code == 2 and "a criterion the application claims" in wrong.stderr
    assert "nesta.L3.comparison" in wrong.stderr
    mod = judge(cli, r, "Cy Moderator", "city-year", "nesta.L3.comparison", "validated", "")
    assert mod.exit_code == 2 and "moderator's reason" in mod.stderr
    nobody = cli("round", "status", r.parent)
    assert nobody.exit_code == 2 and "set up for review" in nobody.stderr


def test_conflict_and_import(round_dir: Path, cli: Any, tmp_path: Path) -> None:
    r = round_dir
    out = cli("round", "conflict", r, "--reviewer", "Ben Ode", "--token", TOKENS["Ben Ode"],
              "--application", "goodgym", "--reason", "I volunteer for GoodGym.")
    assert out.exit_code == 0, out.stderr
    res = judge(cli, r, "Ben Ode", "goodgym", "nesta.L4.costs", "validated")
    assert res.exit_code == 2 and "assigned to Ben Ode" in res.stderr
    f = tmp_path / "mine.yaml"
    f.write_text("schema: evidencekit/judgements@1\njudgements:\n"
                 "  - {application: city-year, criterion: nesta.L3.comparison, "
                 "decision: rejected, reviewer: Ada Khan, reason: Not seen}\n"
                 "  - {application: goodgym, criterion: nesta.L1.problem, decision: validated, "
                 "reviewer: Ada Khan}\n", encoding="utf-8")
    res = cli("round", "import", r, f, "--reviewer", "Ada Khan", "--token",
              TOKENS["Ada Khan"])
    assert res.exit_code == 2 and "mine.yaml, line 4, judgements[1].criterion" in res.stderr
    st = json.loads(cli("round", "status", r, "--format", "json").stdout)
    assert all(v == "pending" for a in st["applications"] for v in a["claims"].values())
    f.write_text("\n".join(f.read_text().splitlines()[:3]) + "\n", encoding="utf-8")
    res = cli("round", "import", r, f, "--reviewer", "Ada Khan", "--token",
              TOKENS["Ada Khan"])
    assert res.exit_code == 0, res.stderr
    again = cli("round", "import", r, f, "--reviewer", "Ada Khan", "--token",
                TOKENS["Ada Khan"])
    assert again.exit_code == 0
    exported = tmp_path / "x.csv"
    cli("round", "export", r, "--out", exported)
    assert len(exported.read_text().splitlines()) == 2  # imported twice, recorded once


def test_an_import_records_all_or_nothing(round_dir: Path, cli: Any, tmp_path: Path) -> None:
    # The second judgement was made on an earlier version of the submission: only the store
    # can tell, after the first was checked. Nothing is recorded, and the file's line is named.
    r = round_dir
    f = tmp_path / "mine.yaml"
    f.write_text("schema: evidencekit/judgements@1\njudgements:\n"
                 "  - {application: city-year, criterion: nesta.L3.comparison, "
                 "decision: validated, reviewer: Ada Khan, reason: Seen}\n"
                 "  - {application: goodgym, criterion: nesta.L4.costs, decision: validated, "
                 f"reviewer: Ada Khan, submission_sha256: '{'ab' * 32}'}}\n", encoding="utf-8")
    res = cli("round", "import", r, f, "--reviewer", "Ada Khan", "--token",
              TOKENS["Ada Khan"])
    assert res.exit_code == 2, res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert lines[0].startswith(f"{f}, line 4, judgements[1].submission_sha256: expected a "
                               "judgement on the submission's current version")
    exported = tmp_path / "x.csv"
    assert cli("round", "export", r, "--out", exported).exit_code == 0
    assert len(exported.read_text().splitlines()) == 1  # the header only: nothing recorded


def _scores(cli: Any, r: Path, out: Path, *args: str) -> list[dict[str, str]]:
    res = cli("round", "export", r, "--scores", "--out", out, *args)
    assert res.exit_code == 0, res.stderr
    with open(out, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_scores_export_filtered_as_round_status_decides(round_dir: Path, cli: Any,
                                                        tmp_path: Path) -> None:
    r = round_dir
    judge(cli, r, "Ada Khan", "city-year", "nesta.L3.comparison", "validated")
    judge(cli, r, "Ben Ode", "city-year", "nesta.L3.comparison", "validated")
    judge(cli, r, "Ada Khan", "goodgym", "nesta.L4.costs", "validated")
    judge(cli, r, "Ben Ode", "goodgym", "nesta.L4.costs", "rejected")
    st = json.loads(cli("round", "status", r, "--format", "json").stdout)
    rows = _scores(cli, r, tmp_path / "scores.csv")
    assert [x["application_id"] for x in rows] == [a["application"] for a in st["applications"]]
    for row, a in zip(rows, st["applications"], strict=True):  # the status's verdict, as is
        assert (row["level"], row["validated_level"], row["claimed_level"]) == \
            (str(a["level"]), str(a["validated_level"]), str(a["claimed_level"]))
        assert {k[6:]: v for k, v in row.items() if k.startswith("claim:") and v} == a["claims"]
    by = {x["application_id"]: x for x in rows}
    assert by["goodgym"]["claims_disputed"] == "1" and by["city-year"]["claims_disputed"] == "0"
    assert [x["application_id"] for x in _scores(cli, r, tmp_path / "d.csv", "--disputed")] \
        == ["goodgym"]
    # --min-level is on the validated level: city-year is verified 2, validated 3.
    assert len(_scores(cli, r, tmp_path / "m3.csv", "--min-level", "3")) == 2
    assert _scores(cli, r, tmp_path / "m4.csv", "--min-level", "4") == []
    judge(cli, r, "Cy Moderator", "goodgym", "nesta.L4.costs", "validated")
    assert [x["application_id"] for x in _scores(cli, r, tmp_path / "m4.csv", "--min-level",
                                                 "4")] == ["goodgym"]
    assert _scores(cli, r, tmp_path / "d.csv", "--disputed") == []
    assert [x["application_id"] for x in _scores(cli, r, tmp_path / "a.csv", "--application",
                                                 "city-year", "--reviewer", "Ben Ode")] \
        == ["city-year"]
    assert _scores(cli, r, tmp_path / "c.csv", "--reviewer", "Cy Moderator") == []  # none assigned
    from openpyxl import load_workbook

    assert cli("round", "export", r, "--scores", "--out", tmp_path / "s.xlsx",
               "--min-level", "4").exit_code == 0
    wb = load_workbook(tmp_path / "s.xlsx")
    got = list(wb["Scores"].iter_rows(values_only=True))
    assert got[0][:5] == ("Application", "Programme", "Verified level", "Validated level",
                          "Claimed level")
    assert got[1][:5] == ("goodgym", "GoodGym coach visits", 3, 4, 4) and len(got) == 2
    assert "Claim: nesta.L4.costs" in got[0] and "Columns" in wb.sheetnames


def test_scores_export_cells_are_inert(round_dir: Path, cli: Any, tmp_path: Path) -> None:
    f = round_dir / "goodgym.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        "name: GoodGym coach visits", "name: '=HYPERLINK(\"http://x\")'"), encoding="utf-8")
    rows = _scores(cli, round_dir, tmp_path / "s.csv", "--application", "goodgym")
    assert rows[0]["programme"] == "'=HYPERLINK(\"http://x\")"
    res = cli("round", "export", round_dir, "--scores", "--out", tmp_path / "s.xlsx")
    assert res.exit_code == 0, res.stderr
    import zipfile

    from openpyxl import load_workbook

    assert "<f>" not in zipfile.ZipFile(tmp_path / "s.xlsx").read(
        "xl/worksheets/sheet1.xml").decode()  # no live formula anywhere
    ws = load_workbook(tmp_path / "s.xlsx")["Scores"]
    assert "'=HYPERLINK(\"http://x\")" in [c.value for c in ws[3]]


@pytest.mark.parametrize(("args", "sentence"), [
    (["--application", "nope"], "application: expected an application of this round"),
    (["--reviewer", "Nobody"], "reviewer: expected a reviewer of this round"),
    (["--min-level", "9"], "--min-level: expected a level from 0 to 5, found 9."),
    (["--min-level", "-1"], "--min-level: expected a level from 0 to 5, found -1."),
])
def test_scores_export_bad_filters_are_one_sentence(round_dir: Path, cli: Any, tmp_path: Path,
                                                    args: list[str], sentence: str) -> None:
    out = cli("round", "export", round_dir, "--scores", "--out", tmp_path / "s.csv", *args)
    assert out.exit_code == 2 and sentence in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and not (tmp_path / "s.csv").exists()


def test_scores_export_unwritable_or_wrong_file_is_one_sentence(round_dir: Path, cli: Any,
                                                                tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    for target in (tmp_path / "a-file" / "s.csv", tmp_path / "a-file" / "s.xlsx",
                   tmp_path / "s.txt"):
        out = cli("round", "export", round_dir, "--scores", "--out", target)
        assert out.exit_code == 2 and "Traceback" not in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    out = cli("round", "export", round_dir, "--disputed", "--out", tmp_path / "r.csv")
    assert out.exit_code == 2 and "only with --scores" in out.stderr
