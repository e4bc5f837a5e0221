"""`evidencekit assess FILE --rubric all`: every framework's verdict side by side, in the
terminal, in JSON, from Python and as a section of the report."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rubric_helpers import null_trial, submission

import evidencekit
from evidencekit.api import assess, crosswalk
from evidencekit.assessment.crosswalk import Crosswalk
from evidencekit.assessment.rubric import bundled_rubrics

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER = ["nesta", "eif", "maryland_sms", "project_oracle", "wwc"]


@pytest.fixture(scope="module")
def goodgym() -> Crosswalk:
    return crosswalk(EXAMPLES / "goodgym.yaml")


def test_python_api_returns_a_frozen_crosswalk_of_every_bundled_rubric(
        goodgym: Crosswalk) -> None:
    assert evidencekit.crosswalk is crosswalk
    ids = [e.rubric_id for e in goodgym.entries]
    assert ids[0] == "nesta"  # the default rubric first, then by id
    assert ids == ["nesta", *sorted(set(bundled_rubrics()) - {"nesta"})]
    assert set(ORDER) <= set(ids)
    with pytest.raises(dataclasses.FrozenInstanceError):
        goodgym.programme = "x"  # type: ignore[misc]
    # Each entry is exactly the verdict of assessing with that rubric alone.
    for e in goodgym.entries:
        alone = assess(EXAMPLES / "goodgym.yaml", rubric=e.rubric_id)
        assert (e.level, e.claimed_level, e.label, e.claimed_label, e.evaluation) == (
            alone.level, alone.claimed_level, alone.label, alone.claimed_label,
            alone.evaluation)
    assert goodgym.primary.rubric_id == "nesta"


def test_goodgym_verdicts(goodgym: Crosswalk) -> None:
    got = {e.rubric_id: (e.level, e.label, e.evaluation) for e in goodgym.entries}
    assert got["nesta"] == (3, "Level 3", None)
    assert got["eif"] == (4, "3+", None)
    assert got["maryland_sms"] == (5, "SMS 5", "independent-rct-2016")
    assert got["project_oracle"] == (2, "Standard 2", None)
    assert got["wwc"] == (2, "Meets WWC standards without reservations", "independent-rct-2016")
    sms = goodgym.entry("maryland_sms")
    assert sms.per_evaluation == (("london-waiting-list-2014", 1, "SMS 1"),
                                  ("independent-rct-2016", 5, "SMS 5"))


def test_json(cli: Any) -> None:
    out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all", "--format", "json")
    assert out.exit_code == 0 and out.stderr == ""
    data = json.loads(out.stdout)
    assert data["programme"] == "GoodGym coach visits"
    rows = data["crosswalk"]
    assert [r["rubric"] for r in rows][:1] == ["nesta"]
    for r in rows:
        for key in ("rubric", "level", "label", "claimed_level", "claimed_label", "scope",
                    "evaluation", "override", "per_evaluation", "title", "max_level"):
            assert key in r, key
        assert isinstance(r["level"], int) and isinstance(r["label"], str)
        assert (r["per_evaluation"] is None) == (r["scope"] == "programme")
    wwc = next(r for r in rows if r["rubric"] == "wwc")
    assert wwc["evaluation"] == "independent-rct-2016"
    assert [p["id"] for p in wwc["per_evaluation"]] == ["london-waiting-list-2014",
                                                        "independent-rct-2016"]


def test_text_is_a_table_with_every_framework(cli: Any) -> None:
    out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all")
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.splitlines()
    header = next(line for line in lines if line.startswith("framework"))
    assert header.split() == ["framework", "level", "label", "claimed", "evaluation", "rated"]
    rows = {line.split()[0]: line for line in lines[lines.index(header) + 2:]
            if line and not line.startswith(" ")}
    assert rows["nesta"].split()[:5] == ["nesta", "3/5", "Level", "3", "Level"]
    assert rows["eif"].split() == ["eif", "4/5", "3+", "—", "(programme)"]
    assert rows["maryland_sms"].split() == ["maryland_sms", "5/5", "SMS", "5", "—",
                                            "independent-rct-2016"]
    assert rows["project_oracle"].split() == ["project_oracle", "2/5", "Standard", "2", "—",
                                              "(programme)"]
    assert rows["wwc"].split()[:2] == ["wwc", "2/2"] and "independent-rct-2016" in rows["wwc"]
    assert "maryland_sms, each evaluation: london-waiting-list-2014 SMS 1; " \
           "independent-rct-2016 SMS 5" in out.stdout


def test_an_override_shows_in_the_crosswalk(cli: Any, write: Any) -> None:
    path = write("null.json", json.dumps(submission(null_trial())))
    text = cli("assess", path, "--rubric", "all")
    assert text.exit_code == 0
    assert "eif: NE — A rigorous evaluation found no significant benefit" in " ".join(
        text.stdout.split())
    data = json.loads(cli("assess", path, "--rubric", "all", "--format", "json").stdout)
    eif = next(r for r in data["crosswalk"] if r["rubric"] == "eif")
    assert (eif["label"], eif["override"]["label"]) == ("NE", "NE")


def test_set_applies_to_every_rubric_that_has_the_parameter(cli: Any) -> None:
    def levels(*options: str) -> dict[str, int]:
        out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all", "--format", "json",
                  *options)
        assert out.exit_code == 0, out.stderr
        return {r["rubric"]: r["level"] for r in json.loads(out.stdout)["crosswalk"]}

    before = levels()
    strict = levels("--set", "alpha=0.0001")
    assert strict["nesta"] == 2 < before["nesta"]
    assert strict["eif"] < before["eif"]
    assert strict["maryland_sms"] == before["maryland_sms"]  # no alpha: the method only
    assert strict["wwc"] == before["wwc"]
    bad = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all", "--set", "alfa=0.01")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1
    assert bad.stderr.startswith("Expected a parameter of at least one rubric (")
    assert bad.stderr.rstrip().endswith("found 'alfa'.")


def test_report_has_a_crosswalk_section_only_with_a_crosswalk(cli: Any, tmp_path: Path) -> None:
    with_cw = tmp_path / "all.html"
    out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all", "--html", with_cw,
              "--deterministic", "--format", "json")
    assert out.exit_code == 0, out.stderr
    assert "crosswalk" in json.loads(out.stdout)
    html = with_cw.read_text(encoding="utf-8")
    assert 'id="crosswalk"' in html
    for title in ("Nesta Standards of Evidence", "EIF evidence ratings",
                  "Maryland Scientific Methods Scale", "Project Oracle Standards of Evidence",
                  "What Works Clearinghouse study rating"):
        assert title in html
    assert "Meets WWC standards without reservations" in html
    # The report is about the default rubric, with the others beside it.
    assert "Nesta Standards of Evidence" in html
    assert "nesta, version 2013-spec1" in html  # the rubric's id and version: provenance
    alone = tmp_path / "nesta.html"
    assert cli("assess", EXAMPLES / "goodgym.yaml", "--html", alone,
               "--deterministic").exit_code == 0
    assert 'id="crosswalk"' not in alone.read_text(encoding="utf-8")


def test_pdf_report_with_a_crosswalk(cli: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    out = cli("assess", EXAMPLES / "story-friends-cluster-trial.yaml", "--rubric", "all",
              "--pdf", pdf, "--deterministic")
    assert out.exit_code == 0, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils (scripts/system-deps.sh) is needed"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Under other evidence frameworks" in text
    assert "NE" in text and "SMS 5" in text


def test_evaluation_scope_report_lists_every_evaluation(cli: Any, tmp_path: Path) -> None:
    html = tmp_path / "wwc.html"
    out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "wwc", "--html", html,
              "--deterministic")
    assert out.exit_code == 0, out.stderr
    page = html.read_text(encoding="utf-8")
    assert "Rating of each evaluation" in page
    # Each evaluation by its title (the id is the submission file's business).
    assert "Older people with a runner vs older people on the waiting list" in page \
        and "(best)" in page
    assert "london-waiting-list-2014" not in page.split('id="assessment"', 1)[1]


def test_report_options_without_a_report_are_still_refused(cli: Any) -> None:
    out = cli("assess", EXAMPLES / "goodgym.yaml", "--rubric", "all", "--deterministic")
    assert out.exit_code == 2
    assert out.stderr == ("Expected --pdf PATH or --html PATH with the report options, found "
                          "report options without a report to write.\n")


def test_claims_no_rubric_reads_are_reported_once(cli: Any, write: Any) -> None:
    doc = submission(claims={"oracle.S1.model": {"answer": True},
                             "eif.L3.rigorus": {"answer": True}})
    path = write("claims.json", json.dumps(doc))
    data = json.loads(cli("assess", path, "--rubric", "all", "--format", "json").stdout)
    assert [p["key"] for p in data["problems"]] == ["claims.eif.L3.rigorus",
                                                    "claims.oracle.S1.model"]
    assert data["problems"][1]["expected"].startswith("a criterion of one of the rubrics (nesta, ")
    text = cli("assess", path, "--rubric", "all").stdout
    assert "Problems" in text and "did you mean 'eif.L3.rigorous'?" in " ".join(text.split())
    assert [p["key"] for p in crosswalk(doc).problems] == [p["key"] for p in data["problems"]]

