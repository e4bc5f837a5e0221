"""Plain language for a commissioner (issue #13 item 3), checked on every example report.

- no internal id, submission key, rubric key, code or command line in the report's text
  (the provenance table, which identifies the files, and the formulas are for analysts);
- every technical term the text uses is in its glossary, and the glossary holds only terms
  the text uses;
- one effect, one interval, one orientation: the chart, the tables and page one agree;
- page one says in one line what the evidence verifies, who wrote the submission and what
  evidencekit checked, and never leads with an effect the assessment judged open to bias
  without saying so first;
- next steps fit the evidence the programme already has.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest
from report_helpers import EXAMPLES

import evidencekit
from evidencekit.analysis.headline import CAUTIONS
from evidencekit.api import as_submission
from evidencekit.registry import MEASURES, TERMS
from evidencekit.report import build_context, render_html
from evidencekit.report.glossary import strings

PATHS = sorted(EXAMPLES.glob("*.yaml"))


def _page(path: Path) -> tuple[evidencekit.AssessmentResult, str]:
    r = evidencekit.assess(path)
    page = render_html(r, submission=as_submission(path), deterministic=True)
    return r, page


def _reader_text(page: str) -> str:
    """The report as a reader reads it, without the formulas and the provenance table."""
    page = re.sub(r"<(style|script|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<section aria-labelledby="formulas-title">.*?</section>', " ", page,
                  flags=re.S)
    page = re.sub(r'<table class="provenance.*?</table>', " ", page, flags=re.S)
    page = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _internal_words(r: evidencekit.AssessmentResult, text: str) -> list[str]:
    from evidencekit.load.definition import submission_fields

    found: list[str] = []
    ids = {e.id for e in r.analysis.evaluations if e.title}
    ids |= {c.id for lv in r.levels for c in lv.criteria}
    ids |= {c.id.split(".", 1)[1] for lv in r.levels for c in lv.criteria}
    ids |= {r.rubric_version} | {str(k) for k in r.parameters if "_" in str(k)}
    found += [i for i in ids if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w-])", text)]
    keys = {p for f in submission_fields() for p in re.split(r"\[\]\.?|\.", f.path)
            if "_" in p} | {f.path.replace("[]", "") for f in submission_fields()
                            if "." in f.path}
    keys |= {"pre_post", "post_only", "comparison_group", "cluster_rct", "not_satisfied",
             "adjustment_required", "not_met", "claimed_only"}
    symbols = {m.symbol for m in MEASURES.values()}
    found += [k for k in keys if k not in symbols
              and re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", text)]
    found += re.findall(r"`[^`]*`|evidencekit (?:power|assess|batch|serve)\b[^.;)]*", text)
    return sorted(set(found))


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_no_internal_ids_keys_or_command_lines(path: Path) -> None:
    r, page = _page(path)
    assert _internal_words(r, _reader_text(page)) == []


def test_the_internal_words_check_can_fail() -> None:
    r = evidencekit.assess(EXAMPLES / "story-friends-cluster-trial.yaml")
    said = ("school-trial-2023: no primary outcome passes (2013-spec1; nesta.L3.comparison); "
            "give costs.per_participant; its design is pre_post; plan with "
            "`evidencekit power --icc 0.2`")
    found = _internal_words(r, said)
    for word in ("school-trial-2023", "2013-spec1", "nesta.L3.comparison", "costs.per_participant",
                 "pre_post", "`evidencekit power --icc 0.2`"):
        assert word in found, (word, found)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_the_glossary_defines_every_term_used_and_only_those(path: Path) -> None:
    r = evidencekit.assess(path)
    ctx = build_context(r, submission=as_submission(path))
    text = "\n".join(strings(ctx))
    labels = {g.label for g in ctx.glossary}
    for term in TERMS.values():
        used = re.search(term.pattern, text) is not None
        assert used == (term.label in labels), (term.label, used)
    # Every standardised measure named in a table or on page one is defined.
    for row in ctx.forest_rows:
        sym = row.effect.split(" = ")[0]
        if row.role != "pooled":
            assert sym in {g.symbol for g in ctx.glossary}, sym
    for must in ("SD", "CI"):
        if re.search(rf"\b{must}\b", text):
            assert must in {g.symbol for g in ctx.glossary}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_chart_tables_and_page_one_agree_on_each_effect(path: Path) -> None:
    """+0.52 in the chart is +0.52 in the tables; an interval shown once is shown
    everywhere (Shared Lives' "Readmitted" was d_Cox −0.41 with no CI in the table and
    0.41 [0.04, 0.77] in the chart)."""
    r = evidencekit.assess(path)
    ctx = build_context(r, submission=as_submission(path))
    table = {(o.name, e.heading): o.effect for e in ctx.evaluations for o in e.outcomes}
    for row in ctx.forest_rows:
        if row.role == "pooled":
            continue
        shown = table[(row.outcome, row.evaluation)]
        assert shown == f"{row.effect} {row.ci}", (row, shown)
        assert row.evaluation in ctx.forest.svg or row.evaluation[:40] in str(ctx.forest.svg) \
            if ctx.forest else True
    h = r.headline
    if h is not None and MEASURES[h.measure].scale == "standardised" and ctx.headline:
        lead = ctx.headline[-1]
        if "withheld" not in lead and h.favourable_ci is not None:
            from evidencekit.report.words import n2

            lo, hi = h.favourable_ci
            assert f"= {n2(h.favourable_estimate)}, 95% CI {n2(lo)} to {n2(hi)}" in lead, lead


def test_shared_lives_readmission_has_one_value_one_interval() -> None:
    path = EXAMPLES / "shared-lives.yaml"
    ctx = build_context(evidencekit.assess(path), submission=as_submission(path))
    [o] = [o for e in ctx.evaluations for o in e.outcomes if o.name.startswith("Readmitted")]
    assert o.effect == "d_Cox = 0.41 [0.04, 0.77]"
    [f] = [f for f in ctx.forest_rows if f.outcome.startswith("Readmitted")]
    assert (f.effect, f.ci) == ("d_Cox = 0.41", "[0.04, 0.77]")
    sign = next(d.value for d in o.details if d.label == "Sign")
    assert "−0.41 [−0.77, −0.04]" in sign and "lower is better" in sign


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_page_one_says_so_what_and_who_wrote_it(path: Path) -> None:
    r = evidencekit.assess(path)
    ctx = build_context(r, submission=as_submission(path))
    assert ctx.so_what.startswith("The evidence ")
    assert f"level {r.level} of {len(r.levels)}" in ctx.so_what or r.level == 0
    assert "written by the applicant" in ctx.authorship
    assert "cannot check that the figures given are true" in ctx.authorship
    rows = {p.item: p.value for p in ctx.provenance}
    assert rows["Written by"].startswith("the applicant")
    assert "recomputed" in rows["evidencekit verified"]


def test_page_one_does_not_lead_with_a_biased_effect_unannounced() -> None:
    """User Voice: the headline g_DiD = 0.33 (p = 0.042) comes from groups that were not
    alike at baseline; page one says so before the number."""
    path = EXAMPLES / "user-voice.yaml"
    r = evidencekit.assess(path)
    assert r.headline is not None and r.headline.cautions == ("baseline_not_equivalent",)
    ctx = build_context(r, submission=as_submission(path))
    first = ctx.headline[0]
    assert first.startswith("Treat this effect with caution")
    assert CAUTIONS["baseline_not_equivalent"] in first
    assert "0.33" not in first and "0.33" in ctx.headline[-1]
    assert "may be biased" in ctx.so_what
    assert r.to_dict()["headline"]["cautions"] == ["baseline_not_equivalent"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_a_sound_headline_has_no_caution(path: Path) -> None:
    r = evidencekit.assess(path)
    if r.headline is None or r.headline.cautions:
        return
    ctx = build_context(r, submission=as_submission(path))
    assert not any(p.startswith("Treat this effect with caution") for p in ctx.headline)


def test_the_effect_in_its_own_units_beside_the_standardised_one() -> None:
    path = EXAMPLES / "diabetes-peer-support.yaml"
    ctx = build_context(evidencekit.assess(path), submission=as_submission(path))
    assert ("‘Systolic blood pressure (mmHg)’ was 3.7 mmHg lower (better) in the programme "
            "group than in the comparison group, 0.25 standard deviations") in ctx.headline[-1]


def test_next_steps_fit_a_cluster_trial() -> None:
    """Story Friends is a cluster RCT that lacked power: its first step is the sample it
    needs, not "Evaluate with a control or comparison group", and no command line."""
    path = EXAMPLES / "story-friends-cluster-trial.yaml"
    ctx = build_context(evidencekit.assess(path), submission=as_submission(path))
    steps = " ".join(ctx.next_steps)
    assert "Evaluate with a control or comparison group" not in steps
    assert ctx.next_steps[0].startswith("To reach level 3 (An evaluation passes the causal "
                                        "test): for 'Reading age (months)', detecting")
    assert "clusters" in ctx.next_steps[0]
    assert "evidencekit" not in steps and "`" not in steps


def test_forest_plot_wraps_names_and_keeps_its_caption_inside() -> None:
    """The diabetes rows all read "Randomised trial of peer support, Cambridgeshire…" when
    names were cut at 50 characters; and the axis caption's last line fell off the SVG."""
    from evidencekit.report import charts

    group = "Randomised trial of peer support, Cambridgeshire (2011-2013)"
    svg = charts.forest_plot(
        [charts.ForestRow("Blood pressure at target (below 140/80)", group, 0.23, 0.08, 0.37,
                          "d_Cox 0.23 [0.08, 0.37]", False),
         charts.ForestRow("Pooled, random effects (k = 2)", "primary outcomes", 0.29, -0.62,
                          1.21, "0.29 [−0.62, 1.21]", True, True)],
        title="t", desc="d", axis_label="standardised effect (g), positive favours the "
                                        "programme")
    texts = re.findall(r">([^<]*)</text>", svg)
    assert "…" not in "".join(texts)
    assert group in " ".join(texts) and "Blood pressure at target (below 140/80)" in \
        " ".join(texts)
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    baselines = [float(y) for y in re.findall(r'<text [^>]*?y="([\d.]+)"', svg)]
    assert max(baselines) + 4 <= height  # room for descenders under the last line
