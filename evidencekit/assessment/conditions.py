"""The condition language of rubric checks: compiled from YAML, interpreted here (no eval).

A condition is a mapping with one operator key, plus optional wording keys::

    {all: [C, ...]}   {any: [C, ...]}   {not: C}   {ref: name}
    {eq|ne|lt|le|gt|ge: [fact, value]}  {in: [fact, [values]]}  {present: fact}
    {some: {in: collection, where: C}}      {every: {in: collection, where: C}}
    {count: {in: collection, where: C, at_least: N}}
    {distinct: {in: collection, where: C, key: fact, at_least: N}}
    {pooled: {in: collection, where: C}}    # random-effects pooled effect is favourable

``value`` and ``N`` may be ``$parameter``. Wording keys on any condition: ``pass`` / ``fail``
/ ``unknown`` (templates for explanations; ``{value}``, ``{expected}`` and the scope's facts
may be named) and ``advice`` (the name of an advice generator run when the condition is not
met). Facts are validated against :data:`evidencekit.assessment.facts.FACTS` when compiled.

Logic is three-valued (Kleene): ``True``, ``False`` and ``None`` for *unknown* — a fact the
submission does not give. Existence over an *open* collection (evaluations) is never false:
evidence not shown is unknown, so a grantee's claim can stand in for it; universal checks
(``every``) are refuted by a counter-example.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..frozen import freeze_fields
from .facts import COLLECTIONS, FACTS
from .message import Marked, inert, name, statistic, typed

Truth = bool | None
COMPARISONS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "eq": (lambda a, b: bool(a == b), "equal to"),
    "ne": (lambda a, b: bool(a != b), "other than"),
    "lt": (lambda a, b: bool(a < b), "below"),
    "le": (lambda a, b: bool(a <= b), "at most"),
    "gt": (lambda a, b: bool(a > b), "above"),
    "ge": (lambda a, b: bool(a >= b), "at least"),
}
QUANTIFIERS = ("some", "every", "count", "distinct", "pooled")
WORDING = ("pass", "fail", "unknown", "advice", "label")
OPERATORS = ("all", "any", "not", "ref", "in", "present", *COMPARISONS, *QUANTIFIERS)


@dataclass(frozen=True)
class Advice:
    """A request for specific advice, made where a condition with ``advice:`` was not met."""

    kind: str
    facts: Mapping[str, Any]
    label: str | None

    def __post_init__(self) -> None:
        freeze_fields(self, "facts")


@dataclass(frozen=True)
class Verdict:
    value: Truth
    why: tuple[str, ...] = ()
    witnesses: tuple[str, ...] = ()
    advice: tuple[Advice, ...] = ()


@dataclass(frozen=True)
class Node:
    op: str
    args: Any
    wording: Mapping[str, str] = field(default_factory=dict)
    scope: str = "programme"

    def __post_init__(self) -> None:
        freeze_fields(self, "args", "wording")

    def __getstate__(self) -> dict[str, Any]:
        # The compiled closure cached by truth() is rebuilt where it is needed, never pickled.
        return {k: v for k, v in self.__dict__.items() if k != "_truth"}


class Compiler:
    """Compiles plain YAML conditions into :class:`Node` trees, collecting problems."""

    def __init__(self, definitions: Mapping[str, Any], parameters: Mapping[str, Any],
                 advice_kinds: Sequence[str], locate: Callable[[tuple[str | int, ...]], Problem]
                 | None = None, source: str | None = None,
                 line_of: Callable[[tuple[str | int, ...]], int | None] | None = None,
                 questions: Sequence[str] = (), hints: bool = True) -> None:
        self.definitions = definitions
        #: "did you mean …?" suggestions (difflib): off for trial compilations whose problems
        #: are only counted, never shown.
        self.hints = hints
        #: The ids of the rubric's per-evaluation questions: ``answer.<id>`` is then a fact of
        #: the evaluation scope (evidencekit.assessment.questions).
        self.questions = tuple(questions)
        self.parameters = parameters
        self.advice_kinds = tuple(advice_kinds)
        self.source = source
        self.line_of = line_of or (lambda _p: None)
        self.problems: list[Problem] = []
        self._stack: list[str] = []
        self._compiled: dict[tuple[str, str], Node] = {}

    def _bad(self, path: tuple[str | int, ...], expected: str, found: str) -> None:
        from ..load.document import format_path

        self.problems.append(Problem(self.source, self.line_of(path), format_path(path),
                                     expected, found))

    def compile(self, raw: Any, path: tuple[str | int, ...], scope: str) -> Node:
        if not isinstance(raw, dict):
            self._bad(path, "a condition (a mapping with one operator such as all, some, ge)",
                      _describe(raw))
            return Node("const", None)
        ops = [k for k in raw if k in OPERATORS]
        unknown = [k for k in raw if k not in OPERATORS and k not in WORDING]
        if unknown:
            self._bad((*path, unknown[0]), "an operator (" + ", ".join(OPERATORS) +
                      ") or a wording key (" + ", ".join(WORDING) + ")", repr(unknown[0]))
            return Node("const", None)
        if len(ops) != 1:
            self._bad(path, "exactly one operator", ", ".join(ops) if ops else "none")
            return Node("const", None)
        op = ops[0]
        wording = {k: raw[k] for k in WORDING if k in raw}
        for k, v in wording.items():
            if not isinstance(v, str):
                self._bad((*path, k), "text", _describe(v))
        if "advice" in wording and wording["advice"] not in self.advice_kinds:
            self._bad((*path, "advice"), "one of " + ", ".join(self.advice_kinds),
                      repr(wording["advice"]))
        arg = raw[op]
        p = (*path, op)
        if op in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                self._bad(p, "a non-empty list of conditions", _describe(arg))
                return Node("const", None)
            return Node(op, tuple(self.compile(c, (*p, i), scope) for i, c in enumerate(arg)),
                        wording, scope)
        if op == "not":
            return Node(op, self.compile(arg, p, scope), wording, scope)
        if op == "ref":
            if not isinstance(arg, str) or arg not in self.definitions:
                self._bad(p, "the name of a definition (" + ", ".join(self.definitions) + ")",
                          repr(arg))
                return Node("const", None)
            if arg in self._stack:
                self._bad(p, "definitions that do not refer to themselves",
                          " -> ".join([*self._stack, arg]))
                return Node("const", None)
            node = self._compiled.get((arg, scope))
            if node is None:
                self._stack.append(arg)
                node = self.compile(self.definitions[arg], ("definitions", arg), scope)
                self._stack.pop()
                self._compiled[(arg, scope)] = node
                # Every use of the definition is this node: its compiled closure is memoised
                # (truth()), so it is evaluated once per item however many checks use it.
                object.__setattr__(node, "_shared", True)
            if not wording:
                return node  # shared, so the interpreter evaluates it once per item
            return Node(node.op, node.args, {**node.wording, **wording}, node.scope)
        if op == "present":
            self._fact(arg, p, scope)
            return Node(op, arg, wording, scope)
        if op in COMPARISONS or op == "in":
            if not isinstance(arg, list) or len(arg) != 2:
                self._bad(p, "a list [fact, value]", _describe(arg))
                return Node("const", None)
            fact, value = arg
            self._fact(fact, (*p, 0), scope)
            if op == "in":
                if not isinstance(value, list):
                    self._bad((*p, 1), "a list of values", _describe(value))
            else:
                self._value(value, (*p, 1))
            return Node(op, (fact, value), wording, scope)
        return self._quantifier(op, arg, p, scope, wording)

    def _quantifier(self, op: str, arg: Any, p: tuple[str | int, ...], scope: str,
                    wording: Mapping[str, str]) -> Node:
        if not isinstance(arg, dict) or "in" not in arg:
            self._bad(p, "a mapping with 'in' (a collection) and 'where' (a condition)",
                      _describe(arg))
            return Node("const", None)
        allowed = {"in", "where"} | ({"at_least"} if op in ("count", "distinct") else set()) \
            | ({"key"} if op == "distinct" else set())
        for k in arg:
            if k not in allowed:
                self._bad((*p, k), "one of " + ", ".join(sorted(allowed)), repr(k))
        coll_name = arg["in"]
        coll = COLLECTIONS[scope].get(coll_name) if isinstance(coll_name, str) else None
        if coll is None:
            self._bad((*p, "in"), "a collection in this scope (" +
                      (", ".join(COLLECTIONS[scope]) or "none") + ")", repr(coll_name))
            return Node("const", None)
        where = (self.compile(arg["where"], (*p, "where"), coll.scope) if "where" in arg
                 else Node("const", True, {}, coll.scope))
        at_least = arg.get("at_least", 1)
        if op in ("count", "distinct"):
            self._value(at_least, (*p, "at_least"))
        key = arg.get("key")
        if op == "distinct":
            if key is None:
                self._bad(p, "'key': the fact whose distinct values are counted", "it missing")
            else:
                self._fact(key, (*p, "key"), coll.scope)
        return Node(op, {"in": coll_name, "where": where, "at_least": at_least, "key": key},
                    wording, scope)

    def _fact(self, fact: Any, path: tuple[str | int, ...], scope: str) -> None:
        if isinstance(fact, str) and fact.startswith("answer."):
            import difflib

            qid = fact.removeprefix("answer.")
            if scope != "evaluation":
                self._bad(path, f"a fact of the {scope} scope (answers to questions are "
                          "facts of an evaluation)", repr(fact))
            elif qid not in self.questions:
                close = (difflib.get_close_matches(qid, list(self.questions), n=1, cutoff=0.6)
                         if self.hints else [])
                hint = f" (did you mean 'answer.{close[0]}'?)" if close else ""
                self._bad(path, "the answer to a question the rubric declares (" +
                          (", ".join("answer." + q for q in self.questions[:8]) +
                           (", ..." if len(self.questions) > 8 else "")
                           if self.questions else "it declares no questions") + ")",
                          repr(fact) + hint)
            return
        if not isinstance(fact, str) or fact not in FACTS[scope]:
            import difflib

            known = list(FACTS[scope])
            close = (difflib.get_close_matches(str(fact), known, n=1, cutoff=0.6)
                     if self.hints else [])
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self._bad(path, f"a fact of the {scope} scope", repr(fact) + hint)

    def _value(self, value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and value.startswith("$") and value[1:] not in self.parameters:
            self._bad(path, "a declared parameter (" +
                      ", ".join("$" + k for k in self.parameters) + ")", repr(value))


class Interpreter:
    """Evaluates compiled conditions against facts with rubric parameters."""

    def __init__(self, parameters: Mapping[str, Any], pool: Callable[[list[float], list[float]],
                 float | None], *, explain: bool = True) -> None:
        self.parameters = parameters
        self.pool = pool
        #: Without explanations only the truth values are worked out (batch scoring).
        self.explain = explain
        self._memo: dict[tuple[int, int], Verdict] = {}
        self._tmemo: dict[tuple[int, int], tuple[Truth, tuple[str, ...]]] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return self.parameters[value[1:]]
        return value

    def evaluate(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        if not self.explain:
            # Truth values and witnesses only: the condition tree compiled once into closures
            # (cached on the node, so once per rubric), the same logic as below.
            value, witnesses = truth(node)(facts, self)
            return Verdict(value, (), witnesses)
        return self.interpret(node, facts)

    def interpret(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        """The tree walked node by node (with explanations when ``explain``)."""
        # Definitions are shared nodes; facts live for the whole assessment, so a shared node
        # is evaluated once per item however many criteria use it.
        key = (id(node), id(facts))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        v = self._evaluate_uncached(node, facts)
        self._memo[key] = v
        return v

    def _evaluate_uncached(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        v = self._evaluate(node, facts)
        if self.explain and v.value is not True and "advice" in node.wording:
            v = Verdict(v.value, v.why, v.witnesses,
                        (*v.advice, Advice(node.wording["advice"], facts,
                                           node.wording.get("label"))))
        return v

    def _evaluate(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        op = node.op
        if op == "const":
            return Verdict(node.args)
        if op == "all":
            parts = [self.interpret(c, facts) for c in node.args]
            value = _and(p.value for p in parts)
            failing = [p for p in parts if p.value is not True]
            if value is not True:
                # Explain by the first refuting part (or the first unknown one), as a person
                # would: "its design is pre_post" says enough without the rest.
                first = next((p for p in failing if p.value is False), failing[0])
                why = first.why
            else:
                why = tuple(w for p in parts for w in p.why)
            return self._worded(node, facts, value, why, parts, failing)
        if op == "any":
            parts = [self.interpret(c, facts) for c in node.args]
            value = _or(p.value for p in parts)
            passing = [p for p in parts if p.value is True]
            why = tuple(w for p in (passing[:1] if value else parts) for w in p.why)
            return self._worded(node, facts, value, why, parts, [] if value else parts)
        if op == "not":
            inner = self.interpret(node.args, facts)
            value = None if inner.value is None else not inner.value
            return self._worded(node, facts, value, inner.why, [inner],
                                [inner] if value is not True else [])
        if op in QUANTIFIERS:
            return self._quantify(node, facts)
        return self._leaf(node, facts)

    def _worded(self, node: Node, facts: Mapping[str, Any], value: Truth,
                why: tuple[str, ...], parts: Sequence[Verdict],
                failing: Sequence[Verdict]) -> Verdict:
        if not self.explain:
            return Verdict(value, (), tuple(w for p in parts for w in p.witnesses))
        key = "pass" if value else ("fail" if value is False else "unknown")
        if key == "unknown" and key not in node.wording and "fail" in node.wording:
            key = "fail"
        if key in node.wording:
            # ``{why}`` in the template is the explanation of the parts it replaces (the rule
            # that fired, say), so a rubric can add words around it without losing it.
            inner = Marked("; ".join(w for w in dict.fromkeys(why) if w))
            why = (_fill(node.wording[key], {**facts, "why": inner}),)
        # Every failing part may need work; each advice generator decides whether it applies
        # (baseline advice, say, says nothing about a one-group design).
        advice = tuple(a for p in failing for a in p.advice)
        witnesses = tuple(w for p in parts for w in p.witnesses)
        return Verdict(value, why, witnesses, advice)

    def _leaf(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        op = node.op
        if op == "present":
            fact = node.args
            raw = facts.get(fact)
            value: Truth = None if raw is None else _nonempty(raw)
            expected: Any = None
        else:
            fact, expected_raw = node.args
            raw = facts.get(fact)
            expected = ([self.resolve(x) for x in expected_raw] if op == "in"
                        else self.resolve(expected_raw))
            if raw is None:
                value = None
            elif op == "in":
                value = raw in expected
            else:
                try:
                    value = COMPARISONS[op][0](raw, expected)
                except TypeError:
                    value = False
        if not self.explain:
            return Verdict(value)
        desc = FACTS[node.scope].get(fact) or (
            f"the answer to {fact.removeprefix('answer.')}" if fact.startswith("answer.")
            else fact)
        key = "pass" if value else ("fail" if value is False else "unknown")
        # The fact's value is typed by what the fact is (a count of people, a statistic, a
        # name), so disclosure control finds it whatever the rubric's words around it.
        shown = Marked(typed(fact, raw, _fmt(raw)))
        extra = {"value": shown, "expected": _fmt(expected)}
        if key in node.wording:
            text = _fill(node.wording[key], {**facts, **extra})
        elif value is None:
            text = f"{desc} is not given"
        elif op == "present":
            text = f"{desc} is given" if value else f"{desc} is empty"
        elif op == "in":
            text = (f"{desc} is {shown}" if value else
                    f"{desc} is {shown}, not one of {', '.join(map(_fmt, expected))}")
        elif isinstance(expected, bool) and op in ("eq", "ne"):
            needs = expected if op == "eq" else not expected
            text = f"{desc}: {shown}" + ("" if value else f" (needs {_fmt(needs)})")
        elif op == "eq":
            text = (f"{desc} is {shown}" if value else
                    f"{desc} is {shown}, not {_fmt(expected)}")
        else:
            word = COMPARISONS[op][1]
            text = (f"{desc} is {shown}" if value else
                    f"{desc} is {shown}; it needs to be {word} {_fmt(expected)}")
        return Verdict(value, (text,))

    def _quantify(self, node: Node, facts: Mapping[str, Any]) -> Verdict:
        args = node.args
        coll = COLLECTIONS[node.scope][args["in"]]
        items: list[Mapping[str, Any]] = facts.get(args["in"]) or []
        results = [(item, self.interpret(args["where"], item)) for item in items]
        true_items = [(i, v) for i, v in results if v.value is True]
        unknown = [(i, v) for i, v in results if v.value is None]
        labels = [str(i.get(coll.label)) for i, _ in true_items]
        # An item whose explanation is empty (``fail: ""`` on a filter such as "is primary")
        # is not relevant to the check and is left out of the explanation.
        why_items = () if not self.explain else tuple(
            f"{_item_label(i, coll.label)}: {'; '.join(w for w in v.why if w)}"
            for i, v in results if v.value is not True and any(v.why))
        advice = tuple(a for _, v in results if v.value is not True for a in v.advice)
        op = node.op
        at_least = int(self.resolve(args["at_least"]))
        if op == "every":
            failing = [v for _, v in results if v.value is False]
            value: Truth = False if failing else (None if unknown else True)
            why = why_items if value is not True else ()
            return self._wrap(node, facts, value, why, labels, advice)
        if op == "pooled":
            estimates = [i.get("effect") for i, _ in true_items]
            ses = [i.get("effect_se") for i, _ in true_items]
            pairs = [(e, s) for e, s in zip(estimates, ses, strict=True)
                     if e is not None and s is not None and s > 0]
            pooled = self.pool([e for e, _ in pairs], [s for _, s in pairs]) if pairs else None
            value = None if pooled is None else pooled > 0
            text = ("no evaluation to pool" if pooled is None else
                    f"the random-effects pooled effect of {', '.join(map(name, labels))} is "
                    f"{statistic(pooled)} (positive means favourable)")
            return self._wrap(node, facts, value, (text,), labels, advice)
        if op == "distinct":
            keys = {_hashable(i.get(args["key"])) for i, _ in true_items} - {None}
            n_true = len(keys)
            maybe = {_hashable(i.get(args["key"])) for i, _ in unknown}
            n_possible = len(keys | maybe - {None}) + sum(
                1 for i, _ in unknown if i.get(args["key"]) is None)
        else:
            n_true = len(true_items)
            n_possible = n_true + len(unknown)
        needed = 1 if op == "some" else at_least
        if n_true >= needed:
            value = True
        elif coll.open or not results or n_possible >= needed:
            value = None
        else:
            value = False
        if value is True:
            why = ()
        else:
            if op == "distinct":
                summary = (f"qualifying {args['in']} cover {n_true} distinct "
                           f"{args['key']}(s), {needed} needed")
            elif op == "count":
                noun = str(args["in"])
                summary = (f"1 {noun.removesuffix('s')} qualifies, {needed} needed" if n_true == 1
                           else f"{n_true} {noun} qualify, {needed} needed")
            else:
                summary = ""
            why = (summary,) if summary else why_items
            if not results:
                why = (f"no {args['in']} are given",)
        return self._wrap(node, facts, value, why, labels, advice)

    def _wrap(self, node: Node, facts: Mapping[str, Any], value: Truth, why: tuple[str, ...],
              witnesses: Sequence[str], advice: tuple[Advice, ...]) -> Verdict:
        if not self.explain:
            return Verdict(value, (), tuple(witnesses))
        key = "pass" if value else ("fail" if value is False else "unknown")
        if key in node.wording:
            named = Marked(", ".join(name(w) for w in witnesses))
            why = (_fill(node.wording[key], {**facts, "witnesses": named}),
                   *(why if key != "pass" else ()))
        return Verdict(value, why, tuple(witnesses), advice)


#: A compiled condition: (facts, interpreter) -> (truth value, witnesses).
Truthy = Callable[[Mapping[str, Any], Interpreter], tuple[Truth, tuple[str, ...]]]
_NONE: tuple[str, ...] = ()


def truth(node: Node) -> Truthy:
    """``node`` compiled into a closure giving what ``Interpreter(explain=False)`` gives: the
    truth value and the witnesses (no explanations, no advice). Compiled once per node and
    kept on it; parameters and the pooling function come from the interpreter at call time.

    >>> n = Node("ge", ("n", "$min"))
    >>> truth(n)({"n": 30}, Interpreter({"min": 20}, lambda e, s: None))
    (True, ())
    """
    fn: Truthy | None = node.__dict__.get("_truth")
    if fn is None:
        fn = _compile_truth(node)
        object.__setattr__(node, "_truth", fn)  # frozen: a cache, not a field
    return fn


def _memo(node: Node, fn: Truthy) -> Truthy:
    # Shared definitions are evaluated once per item however many criteria use them (the
    # interpreter's memo, keyed the same way). A node used in one place only is evaluated
    # once per item anyway, so it is not memoised (the memo would cost more than it saves).
    if not node.__dict__.get("_shared"):
        return fn
    nid = id(node)

    def memo(facts: Mapping[str, Any], ip: Interpreter) -> tuple[Truth, tuple[str, ...]]:
        key = (nid, id(facts))
        hit = ip._tmemo.get(key)
        if hit is None:
            hit = ip._tmemo[key] = fn(facts, ip)
        return hit

    return memo


def _compile_truth(node: Node) -> Truthy:
    op = node.op
    if op == "const":
        const = (node.args, _NONE)
        return _memo(node, lambda _f, _ip: const)
    if op in ("all", "any"):
        parts = tuple(truth(c) for c in node.args)
        # Kleene: "all" is False if any part is, else unknown if any part is, else True;
        # "any" is the dual. Every part is evaluated (its witnesses are the junction's).
        decisive, other = (False, True) if op == "all" else (True, False)

        def junction(facts: Mapping[str, Any], ip: Interpreter
                     ) -> tuple[Truth, tuple[str, ...]]:
            value: Truth = other
            witnesses = _NONE
            for part in parts:
                v, ws = part(facts, ip)
                if v is decisive:
                    value = decisive
                elif v is None and value is not decisive:
                    value = None
                if ws:
                    witnesses += ws
            return value, witnesses

        return _memo(node, junction)
    if op == "not":
        inner_fn = truth(node.args)

        def negation(facts: Mapping[str, Any], ip: Interpreter
                     ) -> tuple[Truth, tuple[str, ...]]:
            v, ws = inner_fn(facts, ip)
            return (None if v is None else not v), ws

        return _memo(node, negation)
    if op in QUANTIFIERS:
        return _memo(node, _compile_quantifier(node))
    if op == "present":
        fact = node.args

        def present(facts: Mapping[str, Any], _ip: Interpreter
                    ) -> tuple[Truth, tuple[str, ...]]:
            raw = facts.get(fact)
            return (None if raw is None else _nonempty(raw)), _NONE

        return _memo(node, present)
    fact, expected_raw = node.args
    if op == "in":
        literal = not any(isinstance(x, str) and x.startswith("$") for x in expected_raw)
        values = list(expected_raw)  # a list, as the interpreter builds (the same `in`)

        def member(facts: Mapping[str, Any], ip: Interpreter
                   ) -> tuple[Truth, tuple[str, ...]]:
            raw = facts.get(fact)
            if raw is None:
                return None, _NONE
            return (raw in (values if literal else [ip.resolve(x) for x in expected_raw])
                    ), _NONE

        return _memo(node, member)
    compare = COMPARISONS[op][0]
    parameter = (expected_raw[1:] if isinstance(expected_raw, str)
                 and expected_raw.startswith("$") else None)

    def comparison(facts: Mapping[str, Any], ip: Interpreter
                   ) -> tuple[Truth, tuple[str, ...]]:
        raw = facts.get(fact)
        if raw is None:
            return None, _NONE
        try:
            return compare(raw, expected_raw if parameter is None
                           else ip.parameters[parameter]), _NONE
        except TypeError:
            return False, _NONE

    return _memo(node, comparison)


def _compile_quantifier(node: Node) -> Truthy:
    args = node.args
    op, coll_name, key_fact = node.op, args["in"], args["key"]
    coll = COLLECTIONS[node.scope][coll_name]
    where = truth(args["where"])
    label, is_open = coll.label, coll.open

    def quantify(facts: Mapping[str, Any], ip: Interpreter) -> tuple[Truth, tuple[str, ...]]:
        items: list[Mapping[str, Any]] = facts.get(coll_name) or []
        true_items: list[Mapping[str, Any]] = []
        unknown: list[Mapping[str, Any]] = []
        refuted = False
        for item in items:
            v = where(item, ip)[0]
            if v is True:
                true_items.append(item)
            elif v is None:
                unknown.append(item)
            elif v is False:
                refuted = True
        labels = tuple([str(i.get(label)) for i in true_items])
        at_least = int(ip.resolve(args["at_least"]))
        value: Truth
        if op == "every":
            value = False if refuted else (None if unknown else True)
            return value, labels
        if op == "pooled":
            pairs = [(e, s) for e, s in ((i.get("effect"), i.get("effect_se"))
                                         for i in true_items)
                     if e is not None and s is not None and s > 0]
            pooled = ip.pool([e for e, _ in pairs], [s for _, s in pairs]) if pairs else None
            return (None if pooled is None else pooled > 0), labels
        if op == "distinct":
            keys = {_hashable(i.get(key_fact)) for i in true_items} - {None}
            n_true = len(keys)
            n_possible = len(keys | {_hashable(i.get(key_fact)) for i in unknown} - {None}) + sum(
                1 for i in unknown if i.get(key_fact) is None)
        else:
            n_true = len(true_items)
            n_possible = n_true + len(unknown)
        needed = 1 if op == "some" else at_least
        if n_true >= needed:
            value = True
        elif is_open or not items or n_possible >= needed:
            value = None
        else:
            value = False
        return value, labels

    return quantify


def _hashable(value: Any) -> Any:
    """A ``distinct`` key as a set member: a list or mapping (never a real site or domain,
    but facts are data) is counted by its text instead of failing.

    >>> _hashable("Leeds"), _hashable(["a"]), _hashable(None)
    ('Leeds', "['a']", None)
    """
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _and(values: Any) -> Truth:
    vals = list(values)
    if any(v is False for v in vals):
        return False
    return None if any(v is None for v in vals) else True


def _or(values: Any) -> Truth:
    vals = list(values)
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


def _nonempty(value: Any) -> bool:
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return value is not False


def _item_label(item: Mapping[str, Any], key: str) -> str:
    label = name(item.get(key))
    return f"'{label}'" if key == "name" else label


def _fmt(value: Any) -> str:
    """Render a fact for a sentence (rounding happens only here, at rendering).

    >>> _fmt(0.04213), _fmt(True), _fmt(None), _fmt(12.0)
    ('0.0421', 'yes', 'not given', '12')
    """
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "not computable"
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


class _SafeFormatter(string.Formatter):
    """str.format over a flat mapping: no attribute or index access, unknown names kept."""

    def get_field(self, field_name: str, args: Sequence[Any],
                  kwargs: Mapping[str, Any]) -> tuple[Any, str]:
        if field_name not in kwargs:
            return Marked("{" + inert(field_name) + "}"), field_name
        return _Field(field_name, kwargs[field_name]), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Marked):
            return str(value)
        if not isinstance(value, _Field):
            return inert(str(value))
        raw = value.value
        if isinstance(raw, Marked):
            return str(raw)
        if format_spec and isinstance(raw, int | float) and not isinstance(raw, bool):
            shown = format(raw, format_spec)
        else:
            shown = _fmt(raw) if not isinstance(raw, str) else raw
        # Typed by the fact it names: a count of people stays a count in the sentence.
        return typed(value.name, raw, shown)


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: Any


def _fill(template: str, facts: Mapping[str, Any]) -> str:
    try:
        return _SafeFormatter().format(template, **facts)
    except (ValueError, IndexError):
        return template


def _describe(value: Any) -> str:
    from ..load.document import describe

    return describe(value)
