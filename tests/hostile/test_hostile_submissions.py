"""A generated hostile corpus of submission files (issue 12, items 4, 7 and 8, load part).

Every input here is refused with exit code 2 and plain sentences: no internal error, no
traceback, a short message (values quoted only as short excerpts, at most 20 problems then
"… and N more"), bounded memory and time. The CLI runs in one child process whose address
space and CPU time are capped with ``resource.setrlimit``; each case's time and the child's
peak memory are measured.

The counts for the issue's note come from ``python tests/hostile/test_hostile_submissions.py``
(it prints inputs tried, clear errors, internal errors, tracebacks, the slowest case and the
peak memory).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAD = "programme: {name: X}\n"
TRIAL = HEAD + "evaluations:\n  - id: a\n    design: rct\n    outcomes:\n      - name: o\n"
DIGITS400 = "9" * 400


def _summary(t: str, c: str, extra: str = "") -> str:
    return (TRIAL + "        summary:\n" f"          treatment: {{{t}}}\n"
            f"          control: {{{c}}}\n" + extra)


def _reported(body: str, kind: str = "") -> str:
    return TRIAL + (f"        kind: {kind}\n" if kind else "") + f"        reported: {{{body}}}\n"


def _evaluations(n: int, outcomes: int = 1) -> str:
    out = [HEAD, "evaluations:\n"]
    for i in range(n):
        out.append(f"  - id: e{i}\n    design: post_only\n    outcomes:\n")
        for j in range(outcomes):
            out.append(f"      - name: o{j}\n        summary: {{post: {{n: 5, mean: 1, sd: 1}}}}\n")
    return "".join(out)


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nprogramme: {name: *i}\n"


#: (case id, file name, content). Every one must be refused with exit 2.
CASES: list[tuple[str, str, str | bytes]] = [
    # -- structure
    ("empty-mapping", "s.yaml", "{}\n"),
    ("empty-json-object", "s.json", "{}"),
    ("no-programme-key", "s.yaml", "theory_of_change: {problem: x}\n"),
    ("programme-null", "s.yaml", "programme: ~\n"),
    ("programme-list", "s.yaml", "programme: [1, 2]\n"),
    ("top-level-text", "s.yaml", "just text\n"),
    ("top-level-number", "s.json", "42"),
    ("ci-words", "s.yaml", _reported("mean_difference: 1, ci: [low, high]")),
    ("ci-nulls", "s.yaml", _reported("mean_difference: 1, ci: [~, ~]")),
    ("ci-three", "s.yaml", _reported("mean_difference: 1, ci: [0, 1, 2]")),
    ("ci-mapping", "s.yaml", _reported("mean_difference: 1, ci: {a: 1}")),
    ("evaluations-mapping", "s.yaml", HEAD + "evaluations: {a: 1}\n"),
    ("outcome-text", "s.yaml", HEAD + "evaluations:\n  - id: a\n    design: rct\n"
     "    outcomes: [just text]\n"),
    ("claims-list", "s.yaml", HEAD + "claims: [1]\n"),
    # -- numbers out of range
    ("n-400-digits", "s.yaml", _summary(f"n: {DIGITS400}, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("events-400-digits", "s.yaml",
     _summary(f"n: 5, events: {DIGITS400}", "n: 5, events: 1")
     .replace("o\n", "o\n        kind: binary\n", 1)),
    ("assigned-400-digits", "s.yaml",
     HEAD + "evaluations:\n  - id: a\n    design: rct\n"
     f"    assigned: {{treatment: {DIGITS400}, control: 5}}\n    outcomes:\n      - name: o\n"
     "        summary:\n          treatment: {n: 5, mean: 1, sd: 1}\n"
     "          control: {n: 5, mean: 1, sd: 1}\n"),
    ("n-5000-digits", "s.yaml", _summary("n: " + "9" * 5000 + ", mean: 1, sd: 1",
                                         "n: 5, mean: 1, sd: 1")),
    ("n-5000-digits-json", "s.json", '{"programme": {"name": "X"}, "scaling": {"sites": '
     + "9" * 5000 + "}}"),
    ("n-above-limit", "s.yaml", _summary("n: 2000000000, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("n-fraction", "s.yaml", _summary("n: 5.5, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("means-1e300", "s.yaml", _summary("n: 50, mean: 1e300, sd: 1e200",
                                       "n: 50, mean: -1e300, sd: 1e200")),
    ("means-1e308", "s.yaml", _summary("n: 50, mean: 1.7e308, sd: 1", "n: 50, mean: 0, sd: 1")),
    ("t-1e308", "s.yaml", _reported("t: 1e308, n_treatment: 50, n_control: 50")),
    ("hedges-g-minus-1e300", "s.yaml", _reported("hedges_g: -1e300, se: 0.1")),
    ("se-1e-300", "s.yaml", _reported("hedges_g: 100, se: 1e-300")),
    ("odds-ratio-1e300", "s.yaml", _reported("odds_ratio: 1e300, ci: [1, 1e301]", "binary")),
    ("p-zero", "s.yaml", _reported("p: 0, sign: 1, n_treatment: 5, n_control: 5")),
    ("yaml-inf", "s.yaml", HEAD + "costs: {per_participant: .inf}\n"),
    ("yaml-nan", "s.yaml", HEAD + "costs: {per_participant: .nan}\n"),
    ("yaml-1e999", "s.yaml", HEAD + "costs: {per_participant: 1e999}\n"),
    ("json-nan", "s.json", '{"programme": {"name": "X"}, "costs": {"per_participant": NaN}}'),
    ("json-infinity", "s.json",
     '{"programme": {"name": "X"}, "costs": {"per_participant": -Infinity}}'),
    ("json-1e999", "s.json", '{"programme": {"name": "X"}, "costs": {"per_participant": 1e999}}'),
    ("sexagesimal-1-20", "s.yaml", _summary("n: 1:20, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("hex-0x1F", "s.yaml", _summary("n: 0x1F, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("octal-0o17", "s.yaml", _summary("n: 0o17, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("underscore-1_000", "s.yaml", _summary("n: 1_000, mean: 1, sd: 1", "n: 5, mean: 1, sd: 1")),
    ("tagged-int-hex", "s.yaml", _summary('n: !!int "0x1F", mean: 1, sd: 1',
                                          "n: 5, mean: 1, sd: 1")),
    ("tagged-float-text", "s.yaml", HEAD + 'costs: {per_participant: !!float "cheap"}\n'),
    ("yes-for-flag", "s.yaml", HEAD + "scaling: {manual: yes}\n"),
    ("bool-for-number", "s.yaml", HEAD + "costs: {per_participant: true}\n"),
    # -- text
    ("lone-surrogate-json", "s.json", '{"programme": {"name": "\\ud800"}}'),
    ("lone-surrogate-yaml", "s.yaml", 'programme: {name: "\\ud800x"}\n'),
    ("bell", "s.yaml", 'programme: {name: "x\\a"}\n'),
    ("nul", "s.yaml", 'programme: {name: "x\\0y"}\n'),
    ("escape-sequence", "s.yaml", 'programme: {name: "\\e[31mred\\e[0m"}\n'),
    ("vertical-tab", "s.yaml", 'programme: {name: "a\\vb"}\n'),
    ("next-line-u0085", "s.yaml", 'programme: {name: "a\\Nb"}\n'),
    ("line-separator-u2028", "s.yaml", 'programme: {name: "a\\Lb"}\n'),
    ("non-character-uffff", "s.yaml", 'programme: {name: "a\\uffffb"}\n'),
    ("control-in-key", "s.yaml", 'programme: {name: X}\n"cost\\as": 1\n'),
    ("control-in-json-key", "s.json", '{"programme": {"name": "X", "\\u001b[2J": 1}}'),
    ("name-too-long", "s.yaml", "programme: {name: " + "x" * 600 + "}\n"),
    ("value-4mb", "s.yaml", "programme: {name: " + "x" * (4 * 1024 * 1024) + "}\n"),
    ("key-1mb", "s.yaml", HEAD + "k" * (1024 * 1024) + ": 1\n"),
    ("unknown-keys-100000", "s.yaml", HEAD + "".join(f"k{i}: 1\n" for i in range(100_000))),
    # -- depth and size
    ("json-nested-5000", "s.json", "[" * 5000 + "]" * 5000),
    ("json-object-nested-5000", "s.json", '{"a":' * 5000 + "1" + "}" * 5000),
    ("yaml-flow-nested-5000", "s.yaml", "[" * 5000 + "]" * 5000),
    ("yaml-block-nested-200", "s.yaml",
     "programme: {name: X}\nclaims:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200))
     + "  " * 201 + "v: 1\n"),
    ("file-6mb", "s.yaml", HEAD + "# " + "x" * (6 * 1024 * 1024) + "\n"),
    ("billion-laughs", "s.yaml", _billion_laughs()),
    ("evaluations-2500", "s.yaml", _evaluations(2500)),
    ("evaluations-101", "s.yaml", _evaluations(101)),
    ("outcomes-51-in-one", "s.yaml", _evaluations(1, 51)),
    ("outcomes-201-in-all", "s.yaml", _evaluations(5, 41)),
    ("claims-1000", "s.yaml", HEAD + "claims:\n" + "".join(
        f"  nesta.L{i}.x: {{answer: true}}\n" for i in range(1000))),
    # -- YAML features that must stay off
    ("python-object-tag", "s.yaml", "programme: !!python/object/apply:os.system ['true']\n"),
    ("python-name-tag", "s.yaml", "programme: {name: !!python/name:os.system ''}\n"),
    ("binary-tag", "s.yaml", "programme: {name: !!binary aGVsbG8=}\n"),
    ("local-tag", "s.yaml", "programme: !thing {name: X}\n"),
    ("set-tag", "s.yaml", "programme: !!set {a, b}\n"),
    ("merge-key", "s.yaml", "base: &b {name: X}\nprogramme:\n  <<: *b\n"),
    ("complex-key", "s.yaml", "? [a, b]\n: 1\nprogramme: {name: X}\n"),
    ("duplicate-key-yaml", "s.yaml", "programme: {name: X}\nprogramme: {name: Y}\n"),
    ("duplicate-key-json", "s.json", '{"programme": {"name": "X"}, "programme": {"name": "Y"}}'),
    ("two-documents", "s.yaml", "programme: {name: X}\n---\nprogramme: {name: Y}\n"),
    # -- files that are not text
    ("png", "s.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
    ("nul-bytes", "s.yaml", b"programme:\x00\x00 {name: X}\n"),
    ("latin-1", "s.yaml", "programme: {name: Café}\n".encode("latin-1")),
    ("utf-16", "s.yaml", "programme: {name: X}\n".encode("utf-16")),
    ("random-bytes", "s.json", bytes((i * 37 + 11) % 256 for i in range(4096))),
    ("empty-file", "s.yaml", b""),
    # -- paths
    ("data-traversal", "s.yaml", TRIAL + "        data: ../../etc/passwd.csv\n"
     "        columns: {outcome: x, group: g, treatment: t}\n"),
    ("data-absolute", "s.yaml", TRIAL + "        data: /etc/shadow.csv\n"
     "        columns: {outcome: x, group: g, treatment: t}\n"),
    ("data-not-a-table", "s.yaml", TRIAL + "        data: /etc/passwd\n"
     "        columns: {outcome: x, group: g, treatment: t}\n"),
]

#: `--set` values that must be refused (exit 2) with a valid submission.
SET_CASES: list[tuple[str, str]] = [
    ("set-nan", "alpha=nan"), ("set-inf", "alpha=inf"), ("set-minus-inf", "alpha=-Infinity"),
    ("set-underscore", "alpha=0_05"), ("set-hex", "alpha=0x1"), ("set-no-equals", "alpha"),
    ("set-control", "alpha=0.05\x1b[2J"), ("set-range", "alpha=2"),
    ("set-unknown", "alpha_typo=0.05"), ("set-long", "alpha=" + "1" * 5000),
]

#: The child: runs every case through the CLI in one process under resource limits and
#: writes one JSON line per case (exit code, stderr, seconds).
CHILD = r"""
import json, resource, sys, time, io, contextlib
limit_mb, cases_file, out_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))
resource.setrlimit(resource.RLIMIT_CPU, (300, 300))
from click.testing import CliRunner
from evidencekit.cli import main
runner = CliRunner()
with open(cases_file) as f, open(out_file, "w") as out:
    for line in f:
        case = json.loads(line)
        t0 = time.perf_counter()
        r = runner.invoke(main, case["args"], catch_exceptions=True)
        elapsed = time.perf_counter() - t0
        err = r.stderr if hasattr(r, "stderr") else r.output
        kind = type(r.exception).__name__ if r.exception and not isinstance(
            r.exception, SystemExit) else None
        out.write(json.dumps({"id": case["id"], "code": r.exit_code, "stderr": err[:20000],
                              "stderr_len": len(err), "stdout_len": len(r.stdout),
                              "exception": kind, "seconds": elapsed}) + "\n")
        out.flush()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"peak_mb": usage.ru_maxrss / 1024}))
"""

#: Address-space limit of the child (the interpreter with numpy and scipy mapped needs
#: about 1 GB of address space before any input is read).
MEMORY_LIMIT_MB = 2048
#: Slowest any one refusal may take.
MAX_SECONDS = 20.0


def run_corpus(tmp: Path) -> tuple[dict[str, dict[str, Any]], float]:
    valid = ROOT / "examples" / "code-club.yaml"
    lines = []
    for case_id, name, content in CASES:
        folder = tmp / case_id
        folder.mkdir()
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        lines.append({"id": case_id, "args": ["assess", str(path)]})
    for case_id, value in SET_CASES:
        lines.append({"id": case_id, "args": ["assess", str(valid), "--set", value]})
    cases_file = tmp / "cases.jsonl"
    cases_file.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out_file = tmp / "results.jsonl"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(MEMORY_LIMIT_MB), str(cases_file),
                           str(out_file)], capture_output=True, text=True, timeout=900,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {r["id"]: r for r in map(json.loads, out_file.read_text().splitlines())}
    peak = json.loads(proc.stdout.strip().splitlines()[-1])["peak_mb"]
    return results, peak


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, Any]], float]:
    return run_corpus(tmp_path_factory.mktemp("hostile"))


ALL_IDS = [c[0] for c in CASES] + [c[0] for c in SET_CASES]


@pytest.mark.parametrize("case_id", ALL_IDS)
def test_hostile_input_is_refused_with_sentences(
        corpus: tuple[dict[str, dict[str, Any]], float], case_id: str) -> None:
    r = corpus[0][case_id]
    assert r["exception"] is None, r
    assert r["code"] == 2, r
    err = r["stderr"]
    assert "Traceback" not in err and "internal error" not in err
    lines = err.splitlines()
    assert 1 <= len(lines) <= 21, len(lines)  # 20 problems at most, then "… and N more"
    assert all(line.endswith(".") for line in lines), lines
    assert r["stderr_len"] < 20_000  # values quoted only as short excerpts
    assert all(ch == "\n" or ch >= " " for ch in err), "control characters reached stderr"
    assert r["seconds"] < MAX_SECONDS, r["seconds"]


def test_hostile_memory_is_bounded(corpus: tuple[dict[str, dict[str, Any]], float]) -> None:
    assert corpus[1] < 1024, f"peak {corpus[1]:.0f} MB"


def test_specific_sentences(corpus: tuple[dict[str, dict[str, Any]], float]) -> None:
    r = corpus[0]

    def first(case_id: str) -> str:
        return str(r[case_id]["stderr"].splitlines()[0])

    assert first("empty-mapping").endswith(
        "programme: expected the required key 'programme' (a programme), found it missing.")
    assert "reported.ci[0]: expected a confidence limit from -10^12 to 10^12, found the " \
           "text 'low'." in first("ci-words")
    assert "expected a whole number of at most 40 digits, found a whole number of 400 " \
           "digits." in first("n-400-digits")
    assert "treatment.mean: expected a number (the mean) from -10^12 to 10^12, found the " \
           "number 1e+300." in first("means-1e300")
    assert first("json-nested-5000").endswith(
        "expected values nested at most 32 deep, found values nested 5,000 deep.")
    assert "found a lone surrogate U+D800" in first("lone-surrogate-json")
    assert "found the text '1:20'" in first("sexagesimal-1-20")
    assert "found the text '0x1F'" in first("hex-0x1F")
    assert "found the control character U+001B at position 1" in first("escape-sequence")
    assert "expected a list of at most 100 items, found a list of 2500 items." in first(
        "evaluations-2500")
    assert r["unknown-keys-100000"]["stderr"].splitlines()[-1] == "… and 99,980 more problems."
    assert "(4,194,304 characters)" not in r["value-4mb"]["stderr"]
    assert "text of at most 500 characters, found 4,194,304 characters." in first("value-4mb")
    assert first("set-nan") == ("--set alpha: expected a finite number written in decimals "
                                "(such as 0.01 or 1e-3), found 'nan'.")
    assert "a path inside the submission's folder" in first("data-traversal")


def test_yaml_1_2_numbers_are_numbers(tmp_path: Path) -> None:
    """`1e-3` and `1.64e0` are numbers (YAML 1.2 core schema), `1:20` stays text."""
    from evidencekit.load import load_submission

    path = tmp_path / "s.yaml"
    path.write_text(_reported("t: 1.64e0, n_treatment: 50, n_control: 50") +
                    "costs: {per_participant: 1e-3, currency: '1:20'}\n", encoding="utf-8")
    sub = load_submission(path)
    assert sub.evaluations[0].outcomes[0].source.value == 1.64  # type: ignore[union-attr]
    assert sub.costs is not None and sub.costs.per_participant == 0.001
    assert sub.costs.currency == "1:20"


def test_arithmetic_that_overflows_is_a_problem_not_an_error(tmp_path: Path, cli: Any) -> None:
    """Numbers inside their ranges whose statistics still overflow: exit 0, the outcome
    says it cannot be computed, no numpy warning, no Infinity or NaN in the JSON."""
    path = tmp_path / "s.yaml"
    path.write_text(
        HEAD + "evaluations:\n  - id: a\n    design: rct\n    outcomes:\n"
        "      - name: o\n        summary:\n"
        "          treatment: {n: 1000000000, mean: 1e12, sd: 1e12}\n"
        "          control: {n: 1000000000, mean: -1e12, sd: 5e-324}\n"
        "      - name: p\n        reported: {mean_difference: 1e12, ci: [-1e12, 1e12], "
        "sd: 1e-300, n_treatment: 2, n_control: 2}\n", encoding="utf-8")
    result = cli("assess", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    data = json.loads(result.stdout)
    text = json.dumps(data)
    assert "cannot" in text or "too large or too small" in text


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    out = list(value)
    out[head] = _replaced(value[head], rest, new)
    return out


HOSTILE_VALUES: list[Any] = [None, "x", -1, 10 ** 60, 1e300, -1e300, math.nan, math.inf, [],
                             {}, True, "\x1b[2J", "\ud800", object(), b"bytes", (1, 2),
                             {1: 2}, 5e-324]


def test_api_raises_only_documented_errors_for_any_input() -> None:
    """`evidencekit.assess` on every example with one value replaced by a hostile one, at
    many places: either a result, or an InputError subclass with problems — nothing else."""
    import random

    import yaml

    import evidencekit
    from evidencekit.errors import InputError

    rng = random.Random(12)
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    tried = refused = 0
    for ex in examples:
        doc = yaml.safe_load(ex.read_text(encoding="utf-8"))
        leaves = _leaves(doc)
        for path in rng.sample(leaves, min(6, len(leaves))):
            for new in rng.sample(HOSTILE_VALUES, 4):
                tried += 1
                try:
                    evidencekit.assess(_replaced(doc, path, new))
                except InputError as exc:
                    refused += 1
                    assert exc.problems
                    assert all(len(p.sentence()) < 2000 for p in exc.problems)
    assert tried > 100 and refused > tried // 2


@pytest.mark.parametrize("value", [
    {}, None, 3, b"programme: x", {1: "x"}, {("a",): 1}, [{"programme": {"name": "X"}}],
    {"programme": {"name": "X"}, "costs": {"per_participant": math.nan}},
    {"programme": {"name": "X"}, "costs": {"per_participant": math.inf}},
    {"programme": {"name": object()}}, {"programme": {"name": "\x00"}},
])
def test_api_bad_submissions(value: Any) -> None:
    import evidencekit
    from evidencekit.errors import SubmissionError

    with pytest.raises(SubmissionError) as info:
        evidencekit.assess(value)
    assert info.value.problems and info.value.problems[0].sentence().endswith(".")


def test_api_nan_mean_in_a_hand_made_submission() -> None:
    from dataclasses import replace

    import evidencekit
    from evidencekit.errors import SubmissionError
    from evidencekit.load import load_submission

    sub = load_submission(ROOT / "examples" / "diabetes-peer-support.yaml")
    e = sub.evaluations[0]
    o = e.outcomes[0]
    src: Any = o.source
    bad = replace(sub, evaluations=(replace(e, outcomes=(replace(o, source=replace(
        src, treatment=replace(src.treatment, mean=math.nan))),)),))
    with pytest.raises(SubmissionError, match="expected a finite number"):
        evidencekit.assess(bad)
    with pytest.raises(SubmissionError, match=r"programme\.name"):
        evidencekit.assess(replace(sub, programme=replace(sub.programme, name=5)))


def test_api_hand_made_submission_whose_pooling_divides_by_zero() -> None:
    """A Submission built by hand skips the loader's ranges (se >= 1e-6): a standard error
    of 1e-300 makes the pooled weights divide by zero, which the API reports as a
    SubmissionError, not a ZeroDivisionError."""
    from dataclasses import replace

    import evidencekit
    from evidencekit.errors import SubmissionError
    from evidencekit.load import load_submission

    sub = load_submission({"programme": {"name": "X"}, "evaluations": [
        {"id": "a", "design": "rct", "outcomes": [
            {"name": "o", "reported": {"hedges_g": 1, "se": 0.1}}]}]})
    e = sub.evaluations[0]
    o = e.outcomes[0]
    src: Any = o.source
    bad = replace(sub, evaluations=(replace(e, outcomes=(replace(o, source=replace(
        src, se=1e-300)),)),))
    with pytest.raises(SubmissionError, match="a calculation that fails"):
        evidencekit.assess(bad)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"rubric": 3}, "rubric"), ({"parameters": [1]}, "parameters"),
    ({"parameters": {"alpha": math.nan}}, "finite"), ({"parameters": {"alpha": "nan"}}, "decimals"),
    ({"parameters": {1: 0.1}}, "parameter name"), ({"parameters": {"alpha": None}}, "number or"),
])
def test_api_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    import evidencekit
    from evidencekit.errors import UsageError

    with pytest.raises(UsageError, match=match):
        evidencekit.assess(ROOT / "examples" / "code-club.yaml", **kwargs)


if __name__ == "__main__":  # the figures for the note
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        results, peak = run_corpus(Path(d))
    internal = [k for k, v in results.items() if v["exception"] or v["code"] == 1]
    traces = [k for k, v in results.items() if "Traceback" in v["stderr"]]
    clear = [k for k, v in results.items() if v["code"] == 2 and k not in internal]
    slowest = max(results.values(), key=lambda v: v["seconds"])
    print(f"inputs tried: {len(results)}; clear errors (exit 2): {len(clear)}; internal "
          f"errors: {len(internal)} {internal}; tracebacks: {len(traces)}; slowest: "
          f"{slowest['id']} {slowest['seconds']:.2f} s; peak memory of the child: "
          f"{peak:.0f} MB")
