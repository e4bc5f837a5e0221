"""Bad input through the CLI: exit code 2, plain sentences on stderr, no traceback.

Each sentence names the file, the line (where there is one) and the key path, what was
expected and what was found (SPEC §4, issue 2 point 8). Most are asserted word for word.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from evidencekit.assessment.rubric import bundled_rubrics
from evidencekit.errors import InputError, SubmissionError

THEORY = ("programme: {name: X}\n"
          "theory_of_change: {problem: p, activities: [a], outcomes: [o], rationale: r}\n")


def evaluations(body: str) -> str:
    return THEORY + "evaluations:\n" + body


TRIAL = "  - id: a\n    design: rct\n    outcomes:\n      - name: Score\n"
GROUPS = ("        summary:\n"
          "          treatment: {n: 30, mean: 5.1, sd: 2}\n"
          "          control: {n: 30, mean: 4.2, sd: 2}\n")
EVAL0 = "evaluations[0].outcomes[0]"

# (case id, file name, content, the exact lines expected on stderr)
CASES: list[tuple[str, str, str | bytes, list[str]]] = [
    ("malformed-yaml", "bad.yaml", "programme:\n  name: [x\n  organisation: y\n",
     ["bad.yaml, line 3: expected valid YAML, found no ',' or ']' where one was needed."]),
    ("tab-indent", "tab.yaml", "programme:\n\tname: x\n",
     ["tab.yaml, line 2: expected valid YAML, found a tab character (YAML is indented with "
      "spaces)."]),
    ("two-yaml-documents", "two.yaml", "programme: {name: X}\n---\nprogramme: {name: Y}\n",
     ["two.yaml, line 2: expected valid YAML, found another document."]),
    ("malformed-json", "bad.json", '{"programme": {"name": "x",}}\n',
     ["bad.json, line 1: expected valid JSON, found expecting property name enclosed in "
      "double quotes."]),
    ("nan-in-json", "nan.json", '{"programme": {"name": "X"}, "costs": {"per_participant": NaN}}',
     ["nan.json: expected a finite number, found NaN."]),
    ("duplicate-key-in-json", "dupkey.json", '{"programme": {"name": "X",\n "name": "Y"}}',
     ["dupkey.json, line 2, programme.name: expected each key once, found this key "
      "repeated."]),
    ("infinite-number-in-json", "inf.json",
     '{"programme": {"name": "X"}, "costs": {"per_participant": 1e999}}',
     ["inf.json: expected a finite number, found 1e999."]),
    ("unknown-key", "typo.yaml", THEORY + "costs:\n  per_participent: 300\n",
     ["typo.yaml, line 4, costs.per_participent: expected one of the keys per_participant, "
      "currency, comparator_per_participant, found the unknown key 'per_participent' "
      "(did you mean 'per_participant'?)."]),
    ("unknown-top-level-key", "typo2.yaml", "programme: {name: X}\nevaluation: []\n",
     ["typo2.yaml, line 2, evaluation: expected one of the keys schema, programme, "
      "theory_of_change, evaluations, costs, scaling, claims, found the unknown key "
      "'evaluation' (did you mean 'evaluations'?)."]),
    ("text-for-number", "text.yaml", THEORY + "costs:\n  per_participant: three hundred\n",
     ["text.yaml, line 4, costs.per_participant: expected an amount from 0 to 10^12, "
      "found the text 'three hundred'."]),
    ("empty-file", "empty.yaml", "",
     ["empty.yaml: expected a submission (YAML or JSON), found an empty file."]),
    ("blank-file", "blank.yaml", "\n   \n",
     ["blank.yaml: expected a submission (YAML or JSON), found an empty file."]),
    ("comment-only", "comment.yaml", "# nothing yet\n",
     ["comment.yaml: expected a YAML mapping, found an empty document."]),
    ("binary-file", "photo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
     ["photo.yaml: expected a submission as UTF-8 text (YAML or JSON), found binary data."]),
    ("not-utf8", "latin1.yaml", "programme:\n  name: Café\n".encode("latin-1"),
     ["latin1.yaml: expected UTF-8 text, found a byte that is not UTF-8 (0xe9 at byte 22)."]),
    ("top-level-list", "list.yaml", "- programme\n- name\n",
     ["list.yaml, line 1, (top level): expected a submission (a mapping with at least "
      "'programme'), found a list of 2 items."]),
    ("missing-required-key", "noname.yaml", "programme:\n  organisation: Y\n",
     ["noname.yaml, line 1, programme.name: expected the required key 'name' (non-empty "
      "text), found it missing."]),
    ("wrong-schema-id", "schema.yaml", "schema: evidencekit/submission@2\nprogramme: {name: X}\n",
     ["schema.yaml, line 1, schema: expected one of evidencekit/submission@1, found the text "
      "'evidencekit/submission@2'."]),
    ("unknown-design", "design.yaml",
     evaluations("  - id: a\n    design: rtc\n    outcomes: [{name: o, summary: "
                 "{post: {n: 5, mean: 1, sd: 1}}}]\n"),
     ["design.yaml, line 5, evaluations[0].design: expected one of none, post_only, pre_post, "
      "comparison_group, rct, cluster_rct, found the text 'rtc'."]),
    ("negative-sd", "sd.yaml",
     evaluations(TRIAL + GROUPS.replace("mean: 5.1, sd: 2", "mean: 5.1, sd: -2")),
     [f"sd.yaml, line 9, {EVAL0}.summary.treatment.sd: expected a standard deviation "
      "from 0 to 10^12, found the number -2."]),
    ("n-below-2", "n.yaml", evaluations(TRIAL + GROUPS.replace("n: 30, mean: 4.2", "n: 1, "
                                                               "mean: 4.2")),
     [f"n.yaml, line 10, {EVAL0}.summary.control.n: expected a whole number of people from "
      "2 to 1,000,000,000, found the number 1."]),
    ("events-above-n", "events.yaml",
     evaluations("  - id: a\n    design: rct\n    outcomes:\n      - name: In work\n"
                 "        kind: binary\n        summary:\n"
                 "          treatment: {n: 40, events: 41}\n"
                 "          control: {n: 40, events: 20}\n"),
     [f"events.yaml, line 10, {EVAL0}.summary.treatment.events: expected at most n = 40 "
      "events, found 41."]),
    ("correlation-above-1", "r.yaml",
     evaluations("  - id: a\n    design: pre_post\n    outcomes:\n      - name: Score\n"
                 "        summary:\n          pre: {n: 30, mean: 4.2, sd: 2}\n"
                 "          post: {n: 30, mean: 5.1, sd: 2}\n          correlation: 1.2\n"),
     [f"r.yaml, line 11, {EVAL0}.summary.correlation: expected a correlation from -1 to "
      "1, found the number 1.2."]),
    ("duplicate-evaluation-ids", "dupid.yaml",
     evaluations("  - id: trial\n    design: none\n  - id: trial\n    design: none\n"),
     ["dupid.yaml, line 6, evaluations[1].id: expected a unique evaluation id, found 'trial', "
      "already used by evaluations[0]."]),
    ("outcome-with-two-sources", "two-sources.yaml",
     evaluations(TRIAL + GROUPS + "        reported: {t: 2.1, n_treatment: 30, n_control: 30}\n"),
     [f"two-sources.yaml, line 7, {EVAL0}: expected exactly one of 'data', 'summary' or "
      "'reported', found 'summary' and 'reported'."]),
    ("outcome-with-no-source", "no-source.yaml",
     evaluations(TRIAL + "        primary: true\n"),
     [f"no-source.yaml, line 7, {EVAL0}: expected exactly one of 'data', 'summary' or "
      "'reported', found none of them."]),
    ("summary-shape-for-design", "shape.yaml",
     evaluations(TRIAL + "        summary:\n          pre: {n: 30, mean: 4.2, sd: 2}\n"
                 "          post: {n: 30, mean: 5.1, sd: 2}\n"),
     [f"shape.yaml, line 8, {EVAL0}.summary: expected a two-group summary {{treatment: ..., "
      "control: ...} for design 'rct', found the keys pre, post."]),
    ("events-for-continuous", "kind.yaml",
     evaluations(TRIAL + "        summary:\n          treatment: {n: 40, mean: 3, sd: 1}\n"
                 "          control: {n: 40, mean: 2, sd: 1, events: 20}\n"),
     [f"kind.yaml, line 10, {EVAL0}.summary.control.events: expected no 'events' for a "
      "continuous outcome (set kind: binary), found events: 20."]),
    ("duplicate-key", "dupkey.yaml", "programme:\n  name: X\n  name: Y\n",
     ["dupkey.yaml, line 3, programme.name: expected each key once, found this key "
      "repeated."]),
    ("merge-key", "merge.yaml", "base: &b {name: X}\nprogramme:\n  <<: *b\n",
     ["merge.yaml, line 3, programme: expected plain keys, found a YAML merge key ('<<')."]),
    ("p-above-1", "p.yaml",
     evaluations(TRIAL + "        reported: {p: 1.3, sign: 1, n_treatment: 30, n_control: 30}\n"),
     [f"p.yaml, line 8, {EVAL0}.reported.p: expected a p-value above 0 and at most 1, found "
      "the number 1.3."]),
    ("p-zero", "p0.yaml",
     evaluations(TRIAL + "        reported: {p: 0, sign: 1, n_treatment: 30, n_control: 30}\n"),
     [f"p0.yaml, line 8, {EVAL0}.reported.p: expected a p-value above 0 and at most 1, found "
      "the number 0."]),
    ("p-without-sign", "sign.yaml",
     evaluations(TRIAL + "        reported: {p: 0.01, n_treatment: 30, n_control: 30}\n"),
     [f"sign.yaml, line 8, {EVAL0}.reported.sign: expected 'sign' with a published 'p', "
      "found it missing."]),
    ("ci-lower-above-upper", "ci.yaml",
     evaluations(TRIAL + "        reported: {mean_difference: 2.0, ci: [3.5, 0.5]}\n"),
     [f"ci.yaml, line 8, {EVAL0}.reported.ci: expected a confidence interval [lower, upper] "
      "with lower below upper, found [3.5, 0.5]."]),
    ("analysed-above-assigned", "assigned.yaml",
     evaluations("  - id: a\n    design: rct\n    assigned: {treatment: 50, control: 50}\n"
                 "    outcomes:\n      - name: Score\n        summary:\n"
                 "          treatment: {n: 52, mean: 5.1, sd: 2}\n"
                 "          control: {n: 45, mean: 4.2, sd: 2}\n"),
     [f"assigned.yaml, line 10, {EVAL0}.summary.treatment.n: expected at most the 50 "
      "assigned to treatment, found 52 analysed."]),
    ("published-n-above-assigned", "assigned2.yaml",
     evaluations("  - id: a\n    design: rct\n    assigned: {treatment: 50, control: 50}\n"
                 "    outcomes:\n      - name: Score\n"
                 "        reported: {t: 2.5, n_treatment: 48, n_control: 60}\n"),
     [f"assigned2.yaml, line 9, {EVAL0}.reported.n_control: expected at most the 50 "
      "assigned to control, found 60 analysed."]),
    ("claim-without-answer", "claim.yaml",
     THEORY + "claims:\n  nesta.L3.comparison: {note: soon}\n",
     ["claim.yaml, line 4, claims.nesta.L3.comparison.answer: expected the required key "
      "'answer' (true or false), found it missing."]),
]


def _problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def _assert_plain(result: Any) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "Usage:" not in result.stderr


def test_there_are_at_least_twenty_distinct_cases() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)) >= 20
    assert len({c[3][0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "content", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_submission(cli: Any, write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        name: str, content: str | bytes, expected: list[str]) -> None:
    write(name, content)
    monkeypatch.chdir(tmp_path)
    result = cli("assess", name)
    _assert_plain(result)
    assert _problem_lines(result.stderr) == expected


@pytest.mark.parametrize("case", ["unknown-key", "negative-sd", "binary-file"])
def test_analyse_reports_bad_input_the_same_way(cli: Any, write: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                case: str) -> None:
    _, name, content, expected = next(c for c in CASES if c[0] == case)
    write(name, content)
    monkeypatch.chdir(tmp_path)
    result = cli("analyse", name, "--format", "json")
    _assert_plain(result)
    assert _problem_lines(result.stderr) == expected


def test_missing_file(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("assess", "nowhere.yaml")
    _assert_plain(result)
    assert _problem_lines(result.stderr) == [
        "nowhere.yaml: expected a submission file, found no such file."]


def test_folder_instead_of_a_file(cli: Any, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "submission.yaml").mkdir()
    monkeypatch.chdir(tmp_path)
    for command in ("assess", "analyse"):
        result = cli(command, "submission.yaml")
        _assert_plain(result)
        assert _problem_lines(result.stderr) == [
            "submission.yaml: expected a submission file, found a folder."]


def test_oversized_file_is_refused_before_parsing(cli: Any, write: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    size = 5 * 1024 * 1024 + 1
    head = "programme: {name: X}\n# "
    write("big.yaml", head + "x" * (size - len(head)))
    monkeypatch.chdir(tmp_path)
    result = cli("assess", "big.yaml")
    _assert_plain(result)
    assert _problem_lines(result.stderr) == [
        "big.yaml: expected a submission of at most 5 MB (5,242,880 bytes), found 5,242,881 "
        "bytes."]


BOMB = "\n".join(
    [f"a0: &a0 [{', '.join(['lol'] * 9)}]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]) + "\n"


def test_alias_bomb_is_rejected(cli: Any, write: Any, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """9**10 (3.5 billion) values if expanded: finishing at all shows it is not expanded."""
    write("lol.yaml", BOMB)
    monkeypatch.chdir(tmp_path)
    result = cli("assess", "lol.yaml")
    _assert_plain(result)
    lines = _problem_lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith("lol.yaml, line ")
    assert lines[0].endswith(": expected at most 200000 values, found more (a document that "
                             "expands through aliases?).")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/name:os.system", "!shell"])
def test_object_tags_are_rejected_and_never_run(cli: Any, write: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                tag: str) -> None:
    marker = tmp_path / "PWNED"
    write("evil.yaml", f"programme:\n  name: {tag} ['touch {marker}']\n")
    monkeypatch.chdir(tmp_path)
    result = cli("assess", "evil.yaml")
    _assert_plain(result)
    lines = _problem_lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith("evil.yaml, line 2, programme.name: expected a plain mapping or "
                               "list, found the YAML tag ")
    assert lines[0].endswith(", which is not allowed.")
    assert not marker.exists()


def test_several_problems_in_one_file_are_reported_together(cli: Any, write: Any,
                                                             tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    write("many.yaml", """\
programme:
  name: X
  organisaton: Y
evaluations:
  - id: a
    design: rct
    assigned: {treatment: 50, control: 50}
    outcomes:
      - name: Score
        summary:
          treatment: {n: 52, mean: 5.1, sd: -2}
          control: {n: 1, mean: high, sd: 2}
      - name: Published
        reported: {p: 1.5, sign: 1, n_treatment: 40, n_control: 40}
  - id: a
    design: none
costs:
  per_participant: -5
""")
    monkeypatch.chdir(tmp_path)
    result = cli("assess", "many.yaml")
    _assert_plain(result)
    s = "many.yaml, line {}, evaluations[0].outcomes[{}]"
    assert _problem_lines(result.stderr) == [
        "many.yaml, line 3, programme.organisaton: expected one of the keys name, organisation, "
        "theme, summary, found the unknown key 'organisaton' (did you mean 'organisation'?).",
        s.format(11, 0) + ".summary.treatment.sd: expected a standard deviation from 0 to "
        "10^12, found the number -2.",
        s.format(12, 0) + ".summary.control.n: expected a whole number of people from 2 to "
        "1,000,000,000, found the number 1.",
        s.format(12, 0) + ".summary.control.mean: expected a number (the mean) from "
        "-10^12 to 10^12, found the text 'high'.",
        s.format(14, 1) + ".reported.p: expected a p-value above 0 and at most 1, found the "
        "number 1.5.",
        "many.yaml, line 15, evaluations[1].id: expected a unique evaluation id, found 'a', "
        "already used by evaluations[0].",
        "many.yaml, line 18, costs.per_participant: expected an amount from 0 to 10^12, found "
        "the number -5.",
    ]  # in file order


# --- options -------------------------------------------------------------------------------

@pytest.fixture
def example() -> Path:
    return Path(__file__).resolve().parent.parent / "examples" / "goodgym.yaml"


NESTA_PARAMETERS = ("alpha, power, min_per_group, baseline_satisfied, baseline_adjustable, "
                    "attrition_boundary, pooling_method, pooling_test, smd_ci, "
                    "icc_achievement, icc_other, small_n, min_clusters_per_arm, ci_level, "
                    "replication_sites, multi_sites, multi_independent, scaling_sites")


@pytest.mark.parametrize(("options", "expected"), [
    (["--set", "alfa=0.01"],
     f"Expected a parameter of rubric 'nesta' ({NESTA_PARAMETERS}), found 'alfa'."),
    (["--set", "alpha=abc"], "Expected a number for parameter 'alpha', found 'abc'."),
    (["--set", "alpha"], "Expected --set NAME=VALUE (for example --set alpha=0.01), found "
                         "'alpha'."),
    (["--set", "alpha=5"], "Expected a value between 0.0001 and 0.5 for parameter 'alpha', "
                           "found '5'."),
    (["--set", "min_per_group=2.5"], "Expected a whole number for parameter 'min_per_group', "
                                     "found '2.5'."),
    (["--set", "attrition_boundary=lenient"],
     "Expected one of cautious, optimistic for parameter 'attrition_boundary', found "
     "'lenient'."),
    (["--rubric", "nosuch"], "Expected a bundled rubric id (" + ", ".join(bundled_rubrics()) +
                             ") or a rubric file path, found 'nosuch'."),
], ids=["set-unknown-parameter", "set-text-for-number", "set-without-value", "set-out-of-range",
        "set-fraction-for-whole", "set-unknown-choice", "unknown-rubric"])
def test_bad_options(cli: Any, example: Path, options: list[str], expected: str) -> None:
    for command in ("assess", "analyse"):
        result = cli(command, example, *options)
        _assert_plain(result)
        assert _problem_lines(result.stderr) == [expected]


def test_missing_rubric_file(cli: Any, example: Path, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("assess", example, "--rubric", "mine.yaml")
    _assert_plain(result)
    assert _problem_lines(result.stderr) == ["mine.yaml: expected a rubric file, found no such "
                                             "file."]


def test_rubric_file_with_a_mistake(cli: Any, write: Any, example: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write("mine.yaml", """\
schema: evidencekit/rubric@1
id: mine
title: Mine
version: "1"
levels:
  - level: 1
    title: Named
    statement: The programme has a name.
    criteria:
      - id: named
        title: Named
        question: Does it have a name?
        guidance: Give it one.
        check: {present: programme.nmae}
""")
    monkeypatch.chdir(tmp_path)
    result = cli("assess", example, "--rubric", "mine.yaml")
    _assert_plain(result)
    assert _problem_lines(result.stderr) == [
        "mine.yaml, line 14, levels[0].criteria[0].check.present: expected a fact of the "
        "programme scope, found 'programme.nmae' (did you mean 'programme.name'?)."]


# --- tracebacks, --debug and internal errors -----------------------------------------------

def test_debug_shows_the_traceback(cli: Any, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SubmissionError) as info:
        cli("--debug", "assess", "nowhere.yaml")
    assert info.value.problems[0].found == "no such file"


def test_internal_error_is_one_line_with_exit_1(cli: Any, example: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr("evidencekit.api.assess", broken)
    result = cli("assess", example)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "evidencekit: internal error (ZeroDivisionError: float division by zero). Run again "
        "with --debug for the traceback, and please report it."]
    with pytest.raises(ZeroDivisionError):
        cli("--debug", "assess", example)


def test_input_errors_are_not_internal_errors() -> None:
    assert issubclass(SubmissionError, InputError)
    assert SubmissionError.exit_code == 2


# --- real processes ------------------------------------------------------------------------

def test_real_process_console_script(write: Any, tmp_path: Path, subprocess_cli: Any) -> None:
    """The installed `evidencekit` script: plain sentences, exit 2, nothing executed."""
    import subprocess

    marker = tmp_path / "PWNED"
    write("evil.yaml", f"programme:\n  name: !!python/object/apply:os.system ['touch {marker}']\n")
    script = Path(sys.executable).with_name("evidencekit")
    assert script.exists()
    proc = subprocess.run([str(script), "assess", "evil.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        "evil.yaml, line 2, programme.name: expected a plain mapping or list, found the YAML "
        "tag 'tag:yaml.org,2002:python/object/apply:os.system', which is not allowed.\n")
    assert not marker.exists()


@pytest.mark.parametrize("case", ["binary-file", "malformed-json", "negative-sd"])
def test_real_process_python_m(write: Any, tmp_path: Path, subprocess_cli: Any,
                               case: str) -> None:
    _, name, content, expected = next(c for c in CASES if c[0] == case)
    write(name, content)
    proc = subprocess_cli(["assess", name, "--format", "json"], cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == expected


def test_real_process_debug_prints_the_traceback(tmp_path: Path, subprocess_cli: Any) -> None:
    plain = subprocess_cli(["assess", "nowhere.yaml"], cwd=tmp_path)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = subprocess_cli(["--debug", "assess", "nowhere.yaml"], cwd=tmp_path)
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert "SubmissionError: nowhere.yaml: expected a submission file, found no such file." \
        in debug.stderr


def test_json_problems_are_data_too(tmp_path: Path) -> None:
    """The same problems are available to programs, with their parts."""
    from evidencekit.api import assess

    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"programme": {"name": "X", "orgnisation": "Y"}}),
                    encoding="utf-8")
    with pytest.raises(SubmissionError) as info:
        assess(path)
    (problem,) = info.value.problems
    assert problem.to_dict() == {
        "file": str(path), "line": 1, "key": "programme.orgnisation",
        "expected": "one of the keys name, organisation, theme, summary",
        "found": "the unknown key 'orgnisation' (did you mean 'organisation'?)",
        "message": problem.sentence(),
    }
