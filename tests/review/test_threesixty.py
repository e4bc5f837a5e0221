"""360Giving data as a round's manifest, and the levels written back as classifications.

Two packages: real published data — three grants of The Wolfson Foundation's 2014 grants
(CC BY 4.0; source, licence and the one change in tests/review/data/README.md) — and a small
package built on the standard's documentation examples (grant identifiers "360G-xyztrust-123"
from its reference pages; the required fields of schema 1.4.3) that exercises what the real
sample lacks (classifications of its own, relatedDocument, bad grants). Evidencekit's bundled
examples stand in for the grants' submissions.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from evidencekit.threesixty import check_package

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PACKAGE: dict[str, Any] = {"grants": [
    {"id": "360G-xyztrust-123", "title": "Mentoring in schools",
     "description": "Full-time mentors in schools.", "currency": "GBP", "amountAwarded": 2500,
     "awardDate": "2024-03-01",
     "recipientOrganization": [{"id": "GB-CHC-1107060", "name": "City Year UK"}],
     "fundingOrganization": [{"id": "GB-CHC-123456", "name": "XYZ Trust"}],
     "grantProgramme": [{"title": "Young people"}]},
    {"id": "360G-xyztrust-124", "title": "Running to visit older people",
     "description": "Coach runs.", "currency": "GBP", "amountAwarded": 40000,
     "awardDate": "2024-03-02T09:30:00Z",
     "recipientOrganization": [{"id": "GB-CHC-1160988", "name": "GoodGym"}],
     "fundingOrganization": [{"id": "GB-CHC-123456", "name": "XYZ Trust"}],
     "grantProgramme": [{"title": "Older people"}],
     "classifications": [{"vocabulary": "XYZ:themes", "code": "T1", "title": "Loneliness"}],
     "relatedDocument": [{"id": "doc1", "title": "Application", "url": "apps/gg.yaml"}]},
]}


@pytest.fixture
def grants(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "city-year.yaml", tmp_path / "360G-xyztrust-123.yaml")
    (tmp_path / "apps").mkdir()
    shutil.copy(EXAMPLES / "goodgym.yaml", tmp_path / "apps" / "gg.yaml")
    path = tmp_path / "grants.json"
    path.write_text(json.dumps(PACKAGE, indent=1), encoding="utf-8")
    return path


def test_the_sample_is_valid_360giving() -> None:
    check_package(copy.deepcopy(PACKAGE), "sample")


def test_json_package_round_trip(grants: Path, cli: Any, tmp_path: Path) -> None:
    out = cli("batch", grants, "--out", tmp_path / "out", "--no-portfolio", "--workers", "1")
    assert out.exit_code == 0, out.stderr
    with open(tmp_path / "out" / "scores.csv", encoding="utf-8") as f:
        rows = {r["application_id"]: r for r in csv.DictReader(f)}
    gg = rows["360G-xyztrust-124"]
    assert (gg["level"], gg["claimed_level"], gg["amountAwarded"], gg["recipientOrganization"],
            gg["grantProgramme"], gg["currency"]) == ("3", "4", "40000", "GoodGym",
                                                      "Older people", "GBP")
    back = json.loads((tmp_path / "out" / "360giving.json").read_text(encoding="utf-8"))
    check_package(back, "360giving.json")  # still valid 360Giving data
    for before, after in zip(PACKAGE["grants"], back["grants"], strict=True):
        # Every field carried through untouched; only classifications gained the levels.
        assert {k: v for k, v in after.items() if k != "classifications"} == \
            {k: v for k, v in before.items() if k != "classifications"}
    codes = {c["vocabulary"]: c["code"] for c in back["grants"][1]["classifications"]}
    assert codes == {"XYZ:themes": "T1", "evidencekit:nesta:2013-spec1:verified": "3",
                     "evidencekit:nesta:2013-spec1:claimed": "4"}
    # Scoring the classified package again replaces evidencekit's own classifications.
    shutil.copy(tmp_path / "out" / "360giving.json", grants)
    again = cli("batch", grants, "--out", tmp_path / "out2", "--no-portfolio", "--workers", "1")
    assert again.exit_code == 0, again.stderr
    twice = json.loads((tmp_path / "out2" / "360giving.json").read_text(encoding="utf-8"))
    assert twice == back


def test_csv_through_flattentool(grants: Path, cli: Any, tmp_path: Path) -> None:
    pytest.importorskip("flattentool", reason="flattentool (dev extra) reads 360Giving CSV")
    shutil.copy(EXAMPLES / "goodgym.yaml", tmp_path / "360G-xyztrust-124.yaml")
    (tmp_path / "grants.csv").write_text(
        "Identifier,Title,Description,Currency,Amount Awarded,Award Date,"
        "Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,"
        "Grant Programme:Title\n"
        "360G-xyztrust-123,Mentoring in schools,Full-time mentors in schools.,GBP,2500,"
        "2024-03-01,GB-CHC-1107060,City Year UK,GB-CHC-123456,XYZ Trust,Young people\n"
        "360G-xyztrust-124,Running to visit older people,Coach runs.,GBP,40000,2024-03-02,"
        "GB-CHC-1160988,GoodGym,GB-CHC-123456,XYZ Trust,Older people\n", encoding="utf-8")
    out = cli("batch", tmp_path / "grants.csv", "--out", tmp_path / "o", "--no-portfolio",
              "--workers", "1")
    assert out.exit_code == 0, out.stderr
    back = json.loads((tmp_path / "o" / "360giving.json").read_text(encoding="utf-8"))
    check_package(back, "360giving.json")
    first = back["grants"][0]
    assert first["recipientOrganization"] == [{"id": "GB-CHC-1107060", "name": "City Year UK"}]
    assert first["amountAwarded"] == 2500
    assert {c["code"] for c in first["classifications"]} == {"2", "3"}


@pytest.mark.parametrize(("change", "expected"), [
    (lambda g: g[0].update(amountAwarded="lots"),
     "line 1, grants[0].amountAwarded: expected a value of type number, found the text "
     "'lots'."),
    (lambda g: g[0].pop("fundingOrganization"),
     "grants[0]: expected the field 'fundingOrganization' (360Giving 1.4.3)"),
    (lambda g: g[0].update(awardDate="1 March 2024"), "grants[0].awardDate"),
    (lambda g: g[1].update(id="360G-xyztrust-123"), "grants[1].id: expected a unique grant id"),
    (lambda g: g[0].update(id="../../etc/passwd"), "expected a submission for grant"),
])
def test_bad_grants_are_plain_sentences(grants: Path, cli: Any, tmp_path: Path,
                                        change: Any, expected: str) -> None:
    package = copy.deepcopy(PACKAGE)
    change(package["grants"])
    grants.write_text(json.dumps(package), encoding="utf-8")
    out = cli("batch", grants, "--out", tmp_path / "out", "--no-portfolio")
    assert out.exit_code == 2
    assert expected in out.stderr and "Traceback" not in out.stderr
    assert all(line.startswith(str(grants)) for line in out.stderr.strip().splitlines())


# Real published data: three grants of The Wolfson Foundation's 2014 grants (CC BY 4.0), as
# 360Giving's GrantNav holds them; the source and the one change (ISO dates) are in
# tests/review/data/README.md.
REAL = Path(__file__).resolve().parent / "data" / "wolfson-2014.json"
STAND_INS = ("city-year", "goodgym", "code-club")  # bundled examples as the applications


@pytest.fixture
def real_grants(tmp_path: Path) -> Path:
    package = json.loads(REAL.read_text(encoding="utf-8"))
    for grant, example in zip(package["grants"], STAND_INS, strict=True):
        shutil.copy(EXAMPLES / f"{example}.yaml", tmp_path / f"{grant['id']}.yaml")
    path = tmp_path / "wolfson-2014.json"
    shutil.copy(REAL, path)
    return path


def test_real_published_grants_round_trip(real_grants: Path, cli: Any, tmp_path: Path) -> None:
    import evidencekit

    published = json.loads(REAL.read_text(encoding="utf-8"))
    check_package(copy.deepcopy(published), "wolfson-2014.json")
    out = cli("batch", real_grants, "--out", tmp_path / "out", "--no-portfolio",
              "--workers", "1")
    assert out.exit_code == 0, out.stderr
    with open(tmp_path / "out" / "scores.csv", encoding="utf-8") as f:
        rows = {r["application_id"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == ["360G-wolfson-19747", "360G-wolfson-19748", "360G-wolfson-19749"]
    school = rows["360G-wolfson-19748"]
    assert (school["recipientOrganization"], school["grantProgramme"], school["currency"],
            float(school["amountAwarded"])) == ("Woodmill High School", "Education", "GBP",
                                                38000.0)
    back = json.loads((tmp_path / "out" / "360giving.json").read_text(encoding="utf-8"))
    check_package(copy.deepcopy(back), "360giving.json")  # still valid 360Giving data
    for before, after, example in zip(published["grants"], back["grants"], STAND_INS,
                                      strict=True):
        # Every published field carried through untouched, the Foundation's own columns too.
        assert {k: v for k, v in after.items() if k != "classifications"} == before
        r = evidencekit.assess(EXAMPLES / f"{example}.yaml")
        codes = {c["vocabulary"]: c["code"] for c in after["classifications"]}
        assert codes == {"evidencekit:nesta:2013-spec1:verified": str(r.level),
                         "evidencekit:nesta:2013-spec1:claimed": str(r.claimed_level)}
        assert rows[before["id"]]["level"] == str(r.level)
    # The classified package scored again gives the same package.
    shutil.copy(tmp_path / "out" / "360giving.json", real_grants)
    again = cli("batch", real_grants, "--out", tmp_path / "out2", "--no-portfolio",
                "--workers", "1")
    assert again.exit_code == 0, again.stderr
    assert json.loads((tmp_path / "out2" / "360giving.json").read_text(encoding="utf-8")) \
        == back


def test_real_grants_with_their_published_dates_are_named(real_grants: Path, cli: Any,
                                                          tmp_path: Path) -> None:
    # As published in 2015 the dates were day/month/year, which schema 1.4.3 does not accept.
    package = json.loads(REAL.read_text(encoding="utf-8"))
    for g in package["grants"]:
        y, m, d = g["awardDate"].split("-")
        g["awardDate"] = f"{d}/{m}/{y}"
    real_grants.write_text(json.dumps(package, indent=2), encoding="utf-8")
    out = cli("batch", real_grants, "--out", tmp_path / "out", "--no-portfolio")
    assert out.exit_code == 2 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{real_grants}, line ")
    assert lines[0].endswith("grants[0].awardDate: expected a value matching the 360Giving "
                             "format date-time, found the text '05/06/2014'.")
