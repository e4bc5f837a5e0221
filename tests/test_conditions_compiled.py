"""The compiled condition closures (batch scoring) give exactly what the interpreter gives
without explanations: the same truth value and the same witnesses, for every check and
override of every bundled rubric, on random facts (issue 15 item 1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.assessment.conditions import Interpreter, Node, truth
from evidencekit.assessment.facts import COLLECTIONS, FACTS
from evidencekit.assessment.rubric import load_rubric

RUBRICS = sorted((Path(__file__).resolve().parents[1] / "rubrics").glob("*.yaml"))


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if node.op in ("all", "any"):
        for c in node.args:
            yield from _nodes(c)
    elif node.op == "not":
        yield from _nodes(node.args)
    elif isinstance(node.args, Mapping) and "where" in node.args:
        yield from _nodes(node.args["where"])


def _literals(roots: list[Node], values: Mapping[str, Any]) -> list[Any]:
    """Every value the rubric compares with, so random facts meet both sides of a check."""
    found: list[Any] = [None, True, False, 0, 1, 2, 3, 0.04, 0.5, -0.2, 25, 1000, "", "x",
                        [], ["a"], {"k": 1}, float("nan")]
    for root in roots:
        for n in _nodes(root):
            if n.op in ("eq", "ne", "lt", "le", "gt", "ge", "in"):
                v = n.args[1]
                for x in (v if isinstance(v, list | tuple) else [v]):
                    found.append(values.get(x[1:]) if isinstance(x, str) and x[:1] == "$"
                                 else x)
    for v in values.values():
        if isinstance(v, int | float | str | bool):
            found.append(v)
            if isinstance(v, int | float) and not isinstance(v, bool):
                found += [v - 1, v + 1, v / 2]
    out: list[Any] = []
    for x in found:
        if not any(type(x) is type(y) and (x == y or x is y) for y in out):
            out.append(x)
    return out


def _facts(scope: str, pool: list[Any], depth: int = 0, answers: tuple[str, ...] = (),
           keys: frozenset[str] = frozenset()) -> st.SearchStrategy[dict[str, Any]]:
    """Random facts of ``scope``; an evaluation also gets the rubric's answer facts
    (``answer.<question id>``), so checks on answers are decided too. A fact that a
    ``distinct`` quantifier counts (a site, a sample) is text in every real submission, so
    it is given only single values, never lists or mappings."""
    names = list(FACTS[scope]) + (list(answers) if scope == "evaluation" else [])
    single = [v for v in pool if not isinstance(v, list | dict)]
    plain = st.fixed_dictionaries({}, optional={
        n: st.sampled_from(single if n in keys else pool) for n in names})
    colls = COLLECTIONS[scope]
    if not colls or depth > 1:
        return plain
    items = {name: st.lists(_facts(c.scope, pool, depth + 1, answers, keys).map(
        lambda d, lab=c.label: {**d, lab: d.get(lab, "item")}), max_size=4)
        for name, c in colls.items()}
    return st.tuples(plain, st.fixed_dictionaries({}, optional=items)).map(
        lambda t: {**t[0], **t[1]})


def _mean_pool(estimates: list[float], ses: list[float]) -> float | None:
    return sum(estimates) / len(estimates) if estimates else None


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_compiled_equals_interpreted(path: Path) -> None:
    rubric = load_rubric(path)
    roots = [c.check for lv in rubric.levels for c in lv.criteria]
    roots += [ov.check for ov in rubric.overrides]
    params = dict(rubric.values)
    pool = _literals(roots, params)
    pool += [o.code for q in rubric.questions for o in q.options if o.code not in pool]
    answers = tuple(f"answer.{q.id}" for q in rubric.questions)
    keys = frozenset(n.args["key"] for root in roots for n in _nodes(root)
                     if n.op == "distinct")
    top = {r.scope for r in roots}
    assert len(top) == 1
    checked = {"value": 0, "witnesses": 0}

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_facts(top.pop(), pool, answers=answers, keys=keys))
    def check(facts: dict[str, Any]) -> None:
        reference = Interpreter(params, _mean_pool, explain=False)
        compiled = Interpreter(params, _mean_pool, explain=False)
        for root in roots:
            for node in _nodes(root):
                # a 'where' condition is evaluated on each item of its collection
                targets = [facts] if node.scope == root.scope else [
                    item for name, c in COLLECTIONS[root.scope].items()
                    if c.scope == node.scope for item in facts.get(name, ())]
                for target in targets:
                    want = reference.interpret(node, target)
                    got = compiled.evaluate(node, target)
                    assert (got.value, got.witnesses) == (want.value, want.witnesses), node
                    assert truth(node)(target, compiled) == (want.value, want.witnesses)
                    checked["value"] += want.value is not None
                    checked["witnesses"] += bool(want.witnesses)

    check()
    # The random facts reach decided values, not only "unknown" (witnesses need an
    # evaluation that qualifies, which the bundled examples give: see the next test).
    assert checked["value"] > 0


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_compiled_equals_interpreted_on_the_examples(path: Path) -> None:
    """The same on the facts of every bundled example: real evaluations that qualify, so
    quantifiers name witnesses (random facts rarely meet a whole rubric's conditions)."""
    from evidencekit.api import _analysed
    from evidencekit.assessment.engine import analysis_options, rubric_facts
    from evidencekit.load import load_submission

    rubric = load_rubric(path)
    roots = [c.check for lv in rubric.levels for c in lv.criteria]
    roots += [ov.check for ov in rubric.overrides]
    params = dict(rubric.values)
    options = analysis_options(rubric)
    witnesses = 0
    for example in EXAMPLES:
        sub = load_submission(example)
        facts, _ = rubric_facts(sub, rubric, _analysed(sub, options))
        scopes = [facts] if rubric.scope == "programme" else facts["evaluations"]
        for top in scopes:
            reference = Interpreter(params, _mean_pool, explain=False)
            compiled = Interpreter(params, _mean_pool, explain=False)
            for root in roots:
                want = reference.interpret(root, top)
                got = compiled.evaluate(root, top)
                assert (got.value, got.witnesses) == (want.value, want.witnesses), \
                    (example.name, root)
                assert truth(root)(top, compiled) == (want.value, want.witnesses)
                witnesses += bool(want.witnesses)
    quantified = any(n.op in ("some", "every", "count", "distinct") for root in roots
                     for n in _nodes(root))  # only a quantifier names witnesses
    if quantified:
        assert witnesses > 0


def test_compiled_can_differ_from_a_wrong_reference() -> None:
    """The comparison above can fail: a closure compiled for one comparison does not
    answer for another."""
    ip = Interpreter({}, _mean_pool, explain=False)
    ge, lt = Node("ge", ("evaluation_count", 2)), Node("lt", ("evaluation_count", 2))
    facts = {"evaluation_count": 3}
    assert truth(ge)(facts, ip) == (True, ())
    want = ip.interpret(ge, facts)
    assert truth(lt)(facts, ip) != (want.value, want.witnesses)
