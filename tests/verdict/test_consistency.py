"""One verdict everywhere: for every example and 200 generated submissions, the terminal
text, the JSON, the HTML report, the PDF text, the batch row (scores.csv of a real batch
run), the portfolio and the web result page agree on the level, the claimed level, every
level's status, every criterion's status and the headline effect with its interval — as far
as each surface shows them (the batch row shows every level's status and the gating
criteria, the portfolio the levels and the headline).

One batch run per corpus (the examples; the 200 generated submissions, which fill the
portfolio's 200-row table exactly) is shared by every check. PDFs are rendered in a process
pool and their text extracted once each: for every example and every generated submission
when ``CI`` or ``EVIDENCEKIT_ALL_PDFS`` is set (as the CI run does), else for every example
and the first ``PDF_SAMPLE`` generated ones, so that a local ``make test`` stays quick.
"""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import os
import random
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import evidencekit
from evidencekit.render.text import print_assessment
from evidencekit.report import render_html

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GENERATED = 200
PDF_SAMPLE = 12
ALL_PDFS = bool(os.environ.get("CI") or os.environ.get("EVIDENCEKIT_ALL_PDFS"))
THEORY = {"problem": "p", "activities": ["a"], "outcomes": ["o"], "rationale": "r"}
STATUS_OF_BADGE = {"verified": "reached", "claimed": "claimed_only", "not_met": "not_reached"}
CRITERION_OF_WORD = {"verified": "verified", "claimed": "claimed", "not met": "not_met"}
MARK_OF_LEVEL = {"✔": "reached", "?": "claimed_only", "·": "not_reached"}
NUMBER = r"[−-]?\d+(?:\.\d+)?"


@dataclass
class Seen:
    """What one surface shows."""

    level: int
    claimed_level: int
    statuses: list[str] | None  # every level's cumulative status, level 1 first
    criteria: list[tuple[str, str]] | None  # (criterion id or title, status) in order
    headline: tuple[str, str, str] | None  # estimate, CI low, CI high as shown; None: none


def _float(text: str) -> float:
    return float(text.replace("−", "-"))


def _close(shown: str, value: float) -> bool:
    """``shown`` is ``value`` rounded to the decimals it has."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(_float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-9


# -- generated submissions ------------------------------------------------------------------

def _outcome(rng: random.Random, design: str) -> dict[str, Any]:
    n_t, n_c = rng.choice([12, 25, 40, 80, 150, 400]), rng.choice([12, 25, 40, 80, 150, 400])
    out: dict[str, Any] = {"name": f"Outcome {rng.randrange(1000)}",
                           "direction": rng.choice(["higher_is_better", "lower_is_better"])}
    if rng.random() < 0.15:
        out["primary"] = False
    if design == "pre_post":
        n = n_t
        out["summary"] = {"pre": {"n": n, "mean": 50.0, "sd": 10.0},
                          "post": {"n": n, "mean": 50.0 + rng.uniform(-3, 6), "sd": 10.0}}
    elif design == "post_only":
        out["summary"] = {"post": {"n": n_t, "mean": 50.0, "sd": 10.0}}
    elif rng.random() < 0.25:
        out["kind"] = "binary"
        p_c = rng.uniform(0.2, 0.5)
        p_t = min(0.95, max(0.05, p_c + rng.uniform(-0.1, 0.25)))
        out["summary"] = {"treatment": {"n": n_t, "events": round(n_t * p_t)},
                          "control": {"n": n_c, "events": round(n_c * p_c)}}
    else:
        diff = rng.uniform(-2, 6)
        t = {"n": n_t, "mean": 50.0 + diff, "sd": rng.uniform(8, 12)}
        c = {"n": n_c, "mean": 50.0, "sd": rng.uniform(8, 12)}
        if rng.random() < 0.5:
            t.update(pre_mean=40.0 + rng.uniform(-2, 2), pre_sd=10.0)
            c.update(pre_mean=40.0, pre_sd=10.0)
        out["summary"] = {"treatment": t, "control": c}
    return out


def _evaluation(rng: random.Random, i: int) -> dict[str, Any]:
    design = rng.choice(["rct", "rct", "cluster_rct", "comparison_group", "pre_post",
                         "post_only", "none"])
    ev: dict[str, Any] = {"id": f"ev{i}", "design": design, "site": rng.choice("ABCD"),
                          "independent": rng.random() < 0.5}
    if design == "none":
        return ev
    ev["outcomes"] = [_outcome(rng, design) for _ in range(rng.choice([1, 1, 2]))]
    if design in ("rct", "cluster_rct") and rng.random() < 0.7:
        most = {g: max(o["summary"][g]["n"] for o in ev["outcomes"])
                for g in ("treatment", "control")}
        ev["assigned"] = {g: round(n * rng.choice([1.0, 1.05, 1.3])) for g, n in most.items()}
    if design == "cluster_rct":
        ev["clusters"] = {"treatment": rng.choice([4, 12]), "control": rng.choice([4, 12])}
        ev["icc"] = 0.1
    return ev


def generated(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    doc: dict[str, Any] = {"schema": "evidencekit/submission@1",
                           "programme": {"name": f"Generated {seed}"},
                           "theory_of_change": THEORY,
                           "evaluations": [_evaluation(rng, i)
                                           for i in range(rng.choice([0, 1, 2, 3]))]}
    if rng.random() < 0.4:
        doc["costs"] = {"per_participant": 300.0, "currency": "GBP"}
    if rng.random() < 0.3:
        doc["scaling"] = {"manual": True, "training": True, "fidelity_monitoring": True}
    if rng.random() < 0.4:
        doc["claims"] = {"nesta.L3.comparison": {"answer": True},
                         "nesta.L4.costs": {"answer": True}}
    return doc


# -- what each surface shows ----------------------------------------------------------------

def expected(r: evidencekit.AssessmentResult) -> Seen:
    h = r.headline
    head = None if h is None else (repr(h.estimate),
                                   *(repr(x) for x in (h.ci or (float("nan"),) * 2)))
    return Seen(r.level, r.claimed_level, [lv.status for lv in r.levels],
                [(c.id, c.status) for lv in r.levels for c in lv.criteria], head)  # type: ignore[arg-type]


def from_json(r: evidencekit.AssessmentResult) -> Seen:
    d = json.loads(json.dumps(r.to_dict()))
    h = d["headline"]
    head = None if h is None else (repr(h["estimate"]),
                                   *(repr(x) for x in (h["ci"] or (float("nan"),) * 2)))
    return Seen(d["level"], d["claimed_level"], [lv["status"] for lv in d["levels"]],
                [(c["id"], c["status"]) for lv in d["levels"] for c in lv["criteria"]],
                head)  # type: ignore[arg-type]


def from_text(r: evidencekit.AssessmentResult) -> Seen:
    buf = io.StringIO()
    print_assessment(r, buf)
    text = buf.getvalue()
    level = int(re.search(r"^Verified level: (\d+)", text, re.M).group(1))  # type: ignore[union-attr]
    claimed = int(re.search(r"^Claimed level:\s+(\d+)", text, re.M).group(1))  # type: ignore[union-attr]
    levels = {int(m.group(2)): MARK_OF_LEVEL[m.group(1)]
              for m in re.finditer(r"^ (✔|\?|·) Level (\d+)\b", text, re.M)}
    crits = [(m.group(1), CRITERION_OF_WORD[m.group(2)])
             for m in re.finditer(r"^\s+[✔?✘] (\S+) \[(verified|claimed|not met)\]", text,
                                  re.M)]
    # Levels are printed highest first; criteria within a level in rubric order.
    by_level: dict[int, list[tuple[str, str]]] = {}
    for cid, st in crits:
        by_level.setdefault(int(cid.split(".L")[1].split(".")[0]) if ".L" in cid else 0,
                            []).append((cid, st))
    ordered = [c for n in sorted(by_level) for c in by_level[n]]
    m = re.search(rf"^Headline effect: \S+ = ({NUMBER}) \[({NUMBER}), ({NUMBER})\]", text,
                  re.M)
    head = (m.group(1), m.group(2), m.group(3)) if m else None
    if head is None and "Headline effect:" in text:
        head = ("?", "?", "?")
    return Seen(level, claimed, [levels[n] for n in sorted(levels)], ordered, head)


def _strip(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _unturn(head: tuple[str, str, str] | None, sign: int) -> tuple[str, str, str] | None:
    """A standardised effect shown in the favourable direction (as the chart and the tables
    show it), turned back to the measure's own sign to compare (as shown: same decimals)."""
    if head is None or sign > 0 or head[0] in ("?", "withheld"):
        return head

    def neg(text: str) -> str:
        return text[1:] if text[:1] in "−-" else "−" + text

    return (neg(head[0]), neg(head[2]), neg(head[1]))


def from_html(page: str, sign: int = 1) -> Seen:
    numbers = re.findall(r'<p class="level-number">(\d+)<span', page)
    statuses = {int(n): STATUS_OF_BADGE[b] for n, b in re.findall(
        r'<h3 id="level-(\d+)">.*?<span class="badge (\w+)">', page)}
    assessment = page.split('id="assessment"', 1)[1].split('id="notes-title"', 1)[0]
    crits = [(cid, st) for st, cid in re.findall(
        r'<tr class="(verified|claimed|not_met)" data-criterion="([^"]*)">', assessment)]
    section = re.search(r'<section class="headline[^"]*".*?</section>', page, re.S)
    text = _strip(section.group(0)) if section else ""
    # The last such sentence is the headline's (a pooled sentence may come first).
    found = list(re.finditer(rf"= ({NUMBER}), 95% CI ({NUMBER}) to ({NUMBER})", text))
    mc = re.search(rf"mean change ({NUMBER}), 95% CI ({NUMBER}) to ({NUMBER})", text)
    m = mc or (found[-1] if found else None)
    head: tuple[str, str, str] | None = (m.group(1), m.group(2), m.group(3)) if m else None
    if m is not None and mc is None:
        head = _unturn(head, sign)
    if head is None and "withheld" in text:
        head = ("withheld", "", "")
    elif head is None and text and "no effect to report" not in text \
            and "can be estimated" not in text:
        head = ("?", "?", "?")
    return Seen(int(numbers[0]), int(numbers[1]), [statuses[n] for n in sorted(statuses)],
                crits, head)


def _number(cell: str) -> float | None:
    return float(cell) if cell not in ("", None) else None


def from_row(r: evidencekit.AssessmentResult, row: dict[str, str]) -> Seen:
    """The application's row of scores.csv, written by the batch run."""
    h = r.headline
    head = None
    effect = _number(row["effect"])
    if effect is not None:
        assert h is not None, (r.programme, "batch row has an effect, the assessment none")
        # The row is in the favourable direction: turn it back to compare.
        low, high = _number(row["effect_ci_low"]), _number(row["effect_ci_high"])
        lo, hi = sorted((low * h.sign, high * h.sign)) if low is not None and high is not None \
            else (float("nan"), float("nan"))
        head = (repr(effect * h.sign), repr(lo), repr(hi))
    gates = {k.removeprefix("gate:"): v for k, v in row.items() if k.startswith("gate:") and v}
    crits = [(c.id, gates.get(c.id, c.status)) for lv in r.levels for c in lv.criteria]
    assert {c.id for lv in r.levels for c in lv.criteria if c.gate} <= set(gates), r.programme
    levels = [row[f"level:{lv.level}"] for lv in r.levels]
    return Seen(int(row["level"]), int(row["claimed_level"]), levels, crits, head)


def _negate(shown: str) -> str:
    return shown[1:] if shown[:1] in "-−" else "-" + shown


def from_portfolio(r: evidencekit.AssessmentResult, cells: tuple[str, str, str]) -> Seen:
    """The application's row of the portfolio's ranked table (favourable direction)."""
    level, claimed, effect = cells
    head = None
    if effect != "—":
        m = re.fullmatch(rf"({NUMBER})(?: \[({NUMBER}), ({NUMBER})\])?", effect)
        h = r.headline
        assert m and h is not None, (r.programme, "portfolio effect", effect)
        est, lo, hi = m.group(1), m.group(2) or "?", m.group(3) or "?"
        if h.sign < 0:  # turned back to the measure's own sign to compare
            est, lo, hi = _negate(est), (_negate(hi) if hi != "?" else hi), \
                (_negate(lo) if lo != "?" else lo)
        head = (est, lo, hi)
    return Seen(int(level), int(claimed), None, None, head)


def from_web(r: evidencekit.AssessmentResult) -> Seen:
    page = web_page(r)
    level = int(re.search(r'id="verified-level">(\d+)<', page).group(1))  # type: ignore[union-attr]
    claimed = int(re.search(r'id="claimed-level">(\d+)<', page).group(1))  # type: ignore[union-attr]
    words = {"verified": "reached", "claimed": "claimed_only", "not reached": "not_reached"}
    levels = {int(n): words[w] for n, w in re.findall(
        r"<summary>Level (\d+): .*? — (verified|claimed|not reached)</summary>", page)}
    crit_words = {"✓ verified": "verified", "? claimed": "claimed", "✗ not met": "not_met"}
    statuses = [crit_words[w] for w in re.findall(
        r'<span class="status status-\w+">(✓ verified|\? claimed|✗ not met)</span>',
        page.split('id="all"')[1])]
    # The web page lists levels highest first.
    order = [(c.id, lv.level) for lv in reversed(r.levels) for c in lv.criteria]
    crits = sorted(zip((cid for cid, _ in order), statuses, strict=True),
                   key=lambda x: [cid for cid, _ in [(c.id, 0) for lv in r.levels
                                                     for c in lv.criteria]].index(x[0]))
    m = re.search(rf'id="headline-effect">[^<]*? = ({NUMBER}) \[({NUMBER}), ({NUMBER})\]',
                  page)
    head = (m.group(1), m.group(2), m.group(3)) if m else None
    if head is None and 'id="headline-effect"' in page:
        head = ("?", "?", "?")
    return Seen(level, claimed, [levels[n] for n in sorted(levels)], crits, head)


_WEB: Any = None


def web_page(r: evidencekit.AssessmentResult) -> str:
    global _WEB
    from evidencekit.web.app import WebApp, WebConfig, result_parts

    if _WEB is None:
        _WEB = WebApp(WebConfig())

    from types import SimpleNamespace

    out = SimpleNamespace(result=r, problems=[], doc={})

    ladder, missing, found = result_parts(r)
    return str(_WEB.env.get_template("result.html.j2").render(
        csrf="x", step="result", notice=None, answers=None, error_items=[], out=out,
        ladder=ladder, missing=missing, files=[], findings=found))


def _agree(name: str, want: Seen, seen: Seen, r: evidencekit.AssessmentResult) -> None:
    where = f"{r.programme}: {name}"
    assert seen.level == want.level, where
    assert seen.claimed_level == want.claimed_level, where
    if seen.statuses is not None:
        assert seen.statuses == want.statuses, where
    if seen.criteria is not None:
        assert seen.criteria == want.criteria, where
    if want.headline is None:
        assert seen.headline is None, (where, seen.headline)
        return
    assert seen.headline is not None, (where, "no headline shown")
    if seen.headline[0] == "withheld":
        return
    for shown, value in zip(seen.headline, want.headline, strict=True):
        v = float(value)
        if v != v:  # no interval
            continue
        assert shown != "?", (where, "headline shown in an unexpected form")
        assert _close(shown, v), (where, seen.headline, want.headline)


def check(r: evidencekit.AssessmentResult, row: dict[str, str],
          portfolio: tuple[str, str, str]) -> None:
    want = expected(r)
    _agree("JSON", want, from_json(r), r)
    _agree("text", want, from_text(r), r)
    page = render_html(r, deterministic=True)
    _agree("HTML", want, from_html(page, r.headline.sign if r.headline else 1), r)
    _agree("batch row", want, from_row(r, row), r)
    _agree("portfolio", want, from_portfolio(r, portfolio), r)
    _agree("web result", want, from_web(r), r)


# -- one batch run per corpus, shared by every check ----------------------------------------

@dataclass
class Round:
    """A batch run over a folder: each application's assessment, scores.csv row and
    portfolio row (verified, claimed, effect cells), by application id."""

    paths: dict[str, Path]
    results: dict[str, evidencekit.AssessmentResult]
    rows: dict[str, dict[str, str]]
    portfolio: dict[str, tuple[str, str, str]]


def _portfolio_rows(page: str) -> dict[str, tuple[str, str, str]]:
    """(verified, claimed, effect) of each application in the portfolio's ranked table."""
    table = page.split('<table class="ranked', 1)[1].split("</table>", 1)[0]
    out: dict[str, tuple[str, str, str]] = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cells = dict(re.findall(r'<td[^>]*data-label="([^"]+)"[^>]*>(.*?)</td>', tr, re.S))
        app = re.search(r'<span class="meta">([^<]*)</span>', cells["Application"])
        assert app is not None
        key = htmllib.unescape(app.group(1)).split(" · ")[0].strip()
        verified = re.search(r"\d+", _strip(cells["Verified"]))
        claimed = re.search(r"\d+", _strip(cells["Claimed"]))  # "4 (+1)": claimed 4
        assert verified is not None and claimed is not None
        # The effect, before its notes (the causal-test caution, the number analysed).
        effect = _strip(cells["Effect [95% CI]"].split("<span", 1)[0])
        out[key] = (verified.group(0), claimed.group(0), effect)
    return out


def _batch(folder: Path, out: Path) -> Round:
    from evidencekit.batch import BatchOptions, run_batch

    summary = run_batch(folder, out, BatchOptions(workers=2, progress=False))
    assert summary.failed == 0 and summary.scored == summary.total
    with (out / "scores.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["application_id"]: row for row in csv.DictReader(f)}
    page = (out / "portfolio.html").read_text(encoding="utf-8")
    portfolio = _portfolio_rows(page)
    paths = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    assert set(rows) == set(paths) == set(portfolio), "every application in every output"
    results = {k: evidencekit.assess(p) for k, p in paths.items()}
    return Round(paths, results, rows, portfolio)


@pytest.fixture(scope="module")
def examples_round(tmp_path_factory: pytest.TempPathFactory) -> Round:
    return _batch(REPO / "examples", tmp_path_factory.mktemp("examples-out"))


@pytest.fixture(scope="module")
def generated_round(tmp_path_factory: pytest.TempPathFactory) -> Round:
    from evidencekit.load.document import dump_yaml

    folder = tmp_path_factory.mktemp("generated")
    for seed in range(GENERATED):
        (folder / f"gen-{seed:03d}.yaml").write_text(dump_yaml(generated(seed)),
                                                      encoding="utf-8")
    return _batch(folder, tmp_path_factory.mktemp("generated-out"))


def test_examples_agree_on_every_surface(examples_round: Round) -> None:
    assert len(examples_round.results) == len(EXAMPLES)
    for key, r in examples_round.results.items():
        check(r, examples_round.rows[key], examples_round.portfolio[key])


def test_generated_submissions_agree_on_every_surface(generated_round: Round) -> None:
    headlines = 0
    for key, r in generated_round.results.items():
        headlines += r.headline is not None
        check(r, generated_round.rows[key], generated_round.portfolio[key])
    assert len(generated_round.results) == GENERATED
    assert headlines > GENERATED // 3, "too few generated submissions have a headline"


def test_a_disagreeing_surface_is_caught(examples_round: Round) -> None:
    """The check can fail: a batch row or portfolio row that says another level is caught."""
    key = "goodgym"
    r = examples_round.results[key]
    row = {**examples_round.rows[key], "level": str(r.level + 1)}
    with pytest.raises(AssertionError):
        check(r, row, examples_round.portfolio[key])
    level, claimed, _ = examples_round.portfolio[key]
    with pytest.raises(AssertionError):
        check(r, examples_round.rows[key], (level, claimed, "9.99 [9.00, 9.98]"))


PDF_MARK = {"✓ Verified": "verified", "? Claimed only": "claimed", "✗ Not met": "not_met"}
STATUS_OF_MARK = {"verified": "reached", "claimed": "claimed_only", "not_met": "not_reached"}


def _pdf_text(path: Path) -> str:
    """Render one PDF and return its text (in a worker process)."""
    import subprocess
    import tempfile

    from evidencekit.report import render_pdf

    r = evidencekit.assess(path)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "r.pdf"
        render_pdf(r, pdf, deterministic=True)
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout


def from_pdf(r: evidencekit.AssessmentResult, text: str) -> Seen:
    flat = " ".join(text.split())
    m = re.search(r"VERIFIED LEVEL CLAIMED LEVEL STANDARD (\d+) of \d+ (\d+) of \d+", flat)
    assert m, (r.programme, "PDF levels")
    words = {"verified": "reached", "claimed only": "claimed_only", "not met": "not_reached"}
    ladder = {int(n): words[w] for n, w in re.findall(
        r"Level (\d+): (verified|claimed only|not met)", flat)}
    # The assessment section: each level's badge, then each of its criteria, in order.
    section = flat.split("The assessment Each level of", 1)[1].split("Quality notes", 1)[0]
    marks = [PDF_MARK[x] for x in re.findall(r"✓ Verified|\? Claimed only|✗ Not met", section)]
    crits: list[tuple[str, str]] = []
    badges: list[str] = []
    for lv in r.levels:
        badges.append(STATUS_OF_MARK[marks.pop(0)] if marks else "?")
        for c in lv.criteria:
            crits.append((c.id, marks.pop(0) if marks else "?"))
            # by its title: a commissioner's report never shows the criterion's id
            assert " ".join(c.title.split()) in section, (r.programme, "PDF criterion", c.id)
    assert not marks, (r.programme, "PDF: more statuses than criteria")
    assert badges == [ladder.get(lv.level) for lv in r.levels], (r.programme, "PDF ladder")
    head: tuple[str, str, str] | None = None
    if "Headline effect" in flat:
        part = flat.split("Headline effect", 1)[1][:1200]
        found = [x.groups() for x in re.finditer(
            rf"(?:= |mean change )({NUMBER}), 95% CI ({NUMBER}) to ({NUMBER})", part)]
        # (a caution about bias may come first and push the withholding sentence further)
        if "withheld" in part[:400] or "its numbers are withheld" in part[:900]:
            head = ("withheld", "", "")
        elif found:
            head = found[0] if "mean change" in part[:600] else \
                _unturn(found[-1], r.headline.sign if r.headline else 1)
    return Seen(int(m.group(1)), int(m.group(2)), badges, crits, head)


def _pdf_sources(examples: Round, generated: Round) -> list[tuple[Round, str]]:
    chosen = list(generated.results) if ALL_PDFS else list(generated.results)[:PDF_SAMPLE]
    return [(examples, k) for k in examples.results] + [(generated, k) for k in chosen]


def test_pdf_text_agrees(examples_round: Round, generated_round: Round) -> None:
    sources = _pdf_sources(examples_round, generated_round)
    with ProcessPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(_pdf_text, [rnd.paths[k] for rnd, k in sources]))
    for (rnd, key), text in zip(sources, texts, strict=True):
        r = rnd.results[key]
        seen = from_pdf(r, text)
        want = expected(r)
        if want.headline is not None and want.headline[1] == "nan":
            # An estimate without an interval is written in words only (checked in the HTML).
            seen.headline = want.headline
        _agree("PDF", want, seen, r)
    expected_count = len(EXAMPLES) + (GENERATED if ALL_PDFS else PDF_SAMPLE)
    assert len(texts) == expected_count
