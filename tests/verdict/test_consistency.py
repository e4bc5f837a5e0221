"""One verdict everywhere: for every example and 200 generated submissions, the terminal
text, the JSON, the HTML report, the batch row and the web result page agree on the level,
the claimed level, every level's status, every criterion's status and the headline effect
with its interval; the PDF text agrees too (every example and the first PDF_SAMPLE generated
submissions, rendered in a process pool).
"""

from __future__ import annotations

import html as htmllib
import io
import json
import random
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import evidencekit
from evidencekit.batch.task import summarise
from evidencekit.render.text import print_assessment
from evidencekit.report import render_html

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GENERATED = 200
PDF_SAMPLE = 12
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


def from_row(r: evidencekit.AssessmentResult) -> Seen:
    row = summarise(r)
    h = r.headline
    head = None
    if row["effect"] is not None:
        assert h is not None
        # The row is in the favourable direction: turn it back to compare.
        est = row["effect"] * h.sign
        lo, hi = sorted((row["effect_ci_low"] * h.sign, row["effect_ci_high"] * h.sign)) \
            if row["effect_ci_low"] is not None else (float("nan"), float("nan"))
        head = (repr(est), repr(lo), repr(hi))
    gates = {cid: st for cid, st in row["gates"]}
    crits = [(c.id, gates.get(c.id, c.status)) for lv in r.levels for c in lv.criteria]
    return Seen(row["level"], row["claimed_level"], None, crits, head)


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


def check(r: evidencekit.AssessmentResult) -> str:
    want = expected(r)
    _agree("JSON", want, from_json(r), r)
    _agree("text", want, from_text(r), r)
    page = render_html(r, deterministic=True)
    _agree("HTML", want, from_html(page, r.headline.sign if r.headline else 1), r)
    _agree("batch row", want, from_row(r), r)
    _agree("web result", want, from_web(r), r)
    return page


def _pdf_check(source: Any) -> str:
    """Render one PDF and check its text (in a worker process)."""
    import subprocess
    import tempfile

    from evidencekit.report import render_pdf

    r = evidencekit.assess(source)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        render_pdf(r, path, deterministic=True)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
    flat = " ".join(text.split())
    want = expected(r)
    m = re.search(r"VERIFIED LEVEL CLAIMED LEVEL STANDARD (\d+) of \d+ (\d+) of \d+", flat)
    assert m, (r.programme, "PDF levels")
    assert (int(m.group(1)), int(m.group(2))) == (want.level, want.claimed_level), r.programme
    words = {"verified": "reached", "claimed only": "claimed_only", "not met": "not_reached"}
    ladder = {int(n): words[w] for n, w in re.findall(
        r"Level (\d+): (verified|claimed only|not met)", flat)}
    assert [ladder.get(lv.level) for lv in r.levels] == want.statuses, (r.programme, "PDF")
    for lv in r.levels:  # criteria by their titles (a commissioner never sees the ids)
        titles = [" ".join(c.title.split()) for c in lv.criteria]
        assert all(t in flat for t in titles), (r.programme, "PDF criteria")
    if want.headline is not None and r.headline is not None:
        section = flat.split("Headline effect", 1)[1][:1200] if "Headline effect" in flat else ""
        nums = [m.groups() for m in re.finditer(
            rf"(?:= |mean change )({NUMBER}), 95% CI ({NUMBER}) to ({NUMBER})", section)]
        if "withheld" not in section[:400] and want.headline[1] != "nan":
            assert nums, (r.programme, "PDF headline")
            est, lo, hi = nums[-1] if "mean change" not in section[:600] else nums[0]
            if "mean change" not in section[:600]:
                est, lo, hi = _unturn((est, lo, hi), r.headline.sign)  # type: ignore[misc]
            assert _close(est, float(want.headline[0])), (r.programme, "PDF headline")
            assert _close(lo, float(want.headline[1])) and _close(hi, float(want.headline[2]))
    return r.programme


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_agree_on_every_surface(path: Path) -> None:
    check(evidencekit.assess(path))


def test_generated_submissions_agree_on_every_surface() -> None:
    headlines = 0
    for seed in range(GENERATED):
        r = evidencekit.assess(generated(seed))
        headlines += r.headline is not None
        check(r)
    assert headlines > GENERATED // 3, "too few generated submissions have a headline"


def test_pdf_text_agrees() -> None:
    sources: list[Any] = [*EXAMPLES, *(generated(s) for s in range(PDF_SAMPLE))]
    with ProcessPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(_pdf_check, sources))
    assert len(done) == len(EXAMPLES) + PDF_SAMPLE
