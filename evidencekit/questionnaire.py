"""The self-assessment questionnaire, shared by the web app and ``evidencekit self-assess``.

One model, two front ends: the fields a grantee fills in (the programme, its theory of
change, costs and scaling, and each evaluation — their wording, order and conditions are data,
in ``questionnaire.yaml`` beside this module, and each answer's kind, range and allowed values
come from the declarative submission model, :mod:`evidencekit.load.definition`), the yes/no
questions generated from a rubric
file (each criterion's ``question``, ``help`` and ``example``, grouped by level), and the
conversion of the answers into a submission (SPEC §1) — and back, so a saved file can be
resumed. Answers are kept as the text a person typed (``Answers.values``), so a half-finished
form survives a reload; :meth:`Field.parse` turns one answer into a value or a plain-English
message, which the web page shows beside the field and the terminal shows before asking again.

>>> from evidencekit.assessment.rubric import load_rubric
>>> q = questions_for(load_rubric("nesta"))
>>> [group.level for group in q][:3], q[0].questions[0].id
([1, 2, 3], 'nesta.L1.problem')
>>> a = Answers(values={"programme.name": "Code Club",
...                     "theory_of_change.activities": "Clubs\\nTraining"})
>>> to_submission(a)["theory_of_change"]
{'activities': ['Clubs', 'Training']}

Nothing here knows any framework: a new rubric file brings its own questions.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .load.model import ONE_GROUP_DESIGNS, RANDOMISED_DESIGNS, TWO_GROUP_DESIGNS
from .vocabulary import DEFAULT_RUBRIC

if TYPE_CHECKING:  # pragma: no cover
    from .assessment.engine import AssessmentResult
    from .assessment.rubric import Rubric

SCHEMA = "evidencekit/submission@1"
#: Uploaded or referenced outcome files live in this folder beside the submission file.
DATA_FOLDER = "data"
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")

FieldKind = Literal["text", "long_text", "lines", "number", "count", "year", "yes_no",
                    "choice", "correlation", "currency"]
Value = str | float | int | bool | list[str] | None


class AnswerError(ValueError):
    """An answer that cannot be used; ``str(exc)`` is the message shown to the person."""


@dataclass(frozen=True)
class Choice:
    """One option of a choice field; ``designs`` limits it to evaluations of those designs
    (an empty tuple: offered for every design)."""

    value: str
    label: str
    explain: str = ""
    designs: tuple[str, ...] = ()

    def fits(self, values: Mapping[str, str]) -> bool:
        return not self.designs or values.get("design", "") in self.designs


def _words(text: str) -> str:
    """Text reduced to its words, for matching a typed choice ("Before & after" → "before
    after")."""
    text = text.casefold().replace("&", " and ").replace("_", " ").replace("-", " ")
    return " ".join(w for w in re.findall(r"[a-z0-9]+", text) if w not in ("and", "a", "the"))


@dataclass(frozen=True)
class Field:
    """One question of the form: where its answer goes, how it is asked and checked.

    ``when`` limits an evaluation field to some answers of other fields of that evaluation
    (``{"design": ("rct", "cluster_rct")}``): it is asked, checked and written only then.
    """

    key: str
    label: str
    kind: FieldKind = "text"
    help: str = ""
    example: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: The largest number, and the longest text, the submission model allows.
    maximum: float | None = None
    max_length: int | None = None

    @property
    def name(self) -> str:
        """The HTML form name (and the id stem) of this field."""
        return self.key

    def applies(self, values: Mapping[str, str]) -> bool:
        return all(answer_value(values, k) in allowed for k, allowed in self.when.items())

    def parse(self, raw: str | None, *, separator: str = "\n") -> Value:
        """The value of an answer (None when empty), or :class:`AnswerError`.

        >>> Field("n", "People", "count").parse("1,200")
        1200
        >>> Field("n", "People", "count").parse("twelve")
        Traceback (most recent call last):
        ...
        evidencekit.questionnaire.AnswerError: Enter a whole number, such as 120.
        """
        text = (raw or "").strip()
        if not text:
            if self.required:
                raise AnswerError(f"{self.label} is needed.")
            return None
        kind = self.kind
        if kind in ("text", "long_text"):
            limit = min(self.max_length or 5000, 5000)
            if len(text) > limit:
                raise AnswerError(f"Keep this under {limit:,} characters.")
            return text
        if kind == "lines":
            parts = [p.strip() for p in re.split(re.escape(separator) if separator != "\n"
                                                 else r"\r?\n", text)]
            items = [p for p in parts if p]
            if len(items) > 50:
                raise AnswerError("List at most 50 items.")
            return items
        if kind == "yes_no":
            low = text.casefold()
            if low in YES:
                return True
            if low in NO:
                return False
            if low in UNSURE:
                return None
            raise AnswerError("Answer yes or no (or leave it empty if you are not sure).")
        if kind == "choice":
            return self.choose(text)
        if kind == "currency":
            code = CURRENCY_WORDS.get(_words(text), text.strip().upper())
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise AnswerError("Enter a three-letter currency code, such as GBP (pounds "
                                  "sterling), EUR or USD.")
            return code
        number = _number(text)
        if kind == "count" or kind == "year":
            if number is None or not float(number).is_integer():
                raise AnswerError("Enter a year, such as 2023." if kind == "year"
                                  else "Enter a whole number, such as 120.")
            value = int(number)
            if kind == "year" and not 1900 <= value <= 2100:
                raise AnswerError("Enter a year between 1900 and 2100.")
            if self.minimum is not None and value < self.minimum:
                raise AnswerError(f"Enter a whole number of at least {self.minimum:g}.")
            if self.maximum is not None and value > self.maximum:
                raise AnswerError(f"Enter a whole number of at most {self.maximum:,.0f}.")
            return value
        if number is None:
            raise AnswerError("Enter a number, such as 12.5 (use a full stop for decimals).")
        if kind == "correlation" and not -1 <= number <= 1:
            raise AnswerError("Enter a correlation between -1 and 1, such as 0.6.")
        if self.minimum is not None and number < self.minimum:
            raise AnswerError(f"Enter a number of at least {self.minimum:g}.")
        if self.maximum is not None and number > self.maximum:
            raise AnswerError(f"Enter a number of at most {self.maximum:,g}.")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    def choose(self, text: str, values: Mapping[str, str] | None = None) -> str:
        """The value of a choice typed as its number (1, 2 ...), its words ("before and
        after", "RCT") or its stored value; :class:`AnswerError` listing the choices
        otherwise. With ``values`` (the other answers), only the choices that fit count.

        >>> f = EVALUATION_FIELDS["design"]
        >>> f.choose("before and after"), f.choose("4"), f.choose("RCT"), f.choose("pre_post")
        ('pre_post', 'rct', 'rct', 'pre_post')
        >>> f.choose("a survey")
        Traceback (most recent call last):
        ...
        evidencekit.questionnaire.AnswerError: Choose one of: 1 Before and after; ...
        """
        options = self.options(values)
        typed = text.strip()
        if typed.isdigit() and 1 <= int(typed) <= len(options):
            return options[int(typed) - 1].value
        words = _words(typed)
        for c in options:
            short = re.findall(r"\(([^)]*)\)", c.label)
            names = {_words(c.value), _words(c.label), _words(re.sub(r"\([^)]*\)", "", c.label)),
                     *(_words(x) for x in short)}
            if typed == c.value or (words and words in names):
                return c.value
        starts = [c for c in options if len(words) >= 4 and _words(c.label).startswith(words)]
        if len(starts) == 1:
            return starts[0].value
        raise AnswerError("Choose one of: " + "; ".join(
            f"{n} {c.label}" for n, c in enumerate(options, 1)) + " (type its number or its "
            "words).")

    def show_choice(self, value: str) -> str:
        """The words of a choice's value (the value itself when it is not a choice)."""
        return next((c.label for c in self.choices if c.value == value), value)

    def options(self, values: Mapping[str, str] | None = None) -> tuple[Choice, ...]:
        """The choices offered given the other answers (all of them without answers)."""
        if values is None:
            return self.choices
        return tuple(c for c in self.choices if c.fits(values))

    def warnings(self, raw: str | None) -> list[str]:
        """Things worth a second look in an answer that can be used (never a reason to refuse
        it): a currency symbol or a per cent sign in a number, a standard deviation of 0.

        >>> [w[:40] for w in EVALUATION_FIELDS["post.sd"].warnings("0")]
        ['An SD of 0 means every person had exactl']
        >>> [w[:44] for w in PROGRAMME_FIELDS["costs.per_participant"].warnings("£450")]
        ['This was read as 450: the currency symbol wa']
        """
        text = (raw or "").strip()
        if not text or self.kind not in ("number", "count", "correlation"):
            return []
        try:
            value = self.parse(text)
        except AnswerError:
            return []
        out = []
        if any(sym in text for sym in "£$€"):
            out.append(f"This was read as {self.show(value)}: the currency symbol was left out "
                       "(give the currency below, as a code such as GBP)."
                       if self.key.startswith("costs.") else
                       f"This was read as {self.show(value)}: the currency symbol was left "
                       "out. Check it is the right number for this question.")
        if text.endswith("%"):
            out.append(f"This was read as {self.show(value)} (the % sign was left out): check "
                       "the question asks for a percentage.")
        if self.key.rsplit(".", 1)[-1] in ("sd", "pre_sd") and value == 0:
            out.append("An SD of 0 means every person had exactly the same value: check it (it "
                       "is usually larger than 0).")
        return out

    def show(self, value: Any, *, separator: str = "\n") -> str:
        """An answer as the text a person would type (the inverse of :meth:`parse`)."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list | tuple):
            return separator.join(str(v) for v in value)
        if isinstance(value, float) and value.is_integer() and self.kind != "number":
            return str(int(value))
        return str(value)


YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})
UNSURE = frozenset({"not sure", "unsure", "skip", "?", "-", "don't know", "dont know"})
#: Currency names typed in words, as their ISO 4217 codes.
CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
                  "gbp": "GBP", "euro": "EUR", "euros": "EUR", "us dollars": "USD",
                  "us dollar": "USD", "usd": "USD"}


def answer_value(values: Mapping[str, str], key: str) -> str:
    """The answer to ``key`` for deciding what else is asked: a choice typed as its number
    or words counts as its value ("before and after" is ``pre_post``)."""
    raw = values.get(key) or default_answer(key)
    f = EVALUATION_FIELDS.get(key) or PROGRAMME_FIELDS.get(key)
    if f is not None and f.kind == "choice" and raw:
        try:
            return f.choose(raw)
        except AnswerError:
            return raw
    return raw


def _number(text: str) -> float | None:
    cleaned = text.replace("£", "").replace("$", "").replace("€", "").strip()
    cleaned = cleaned.rstrip("%").strip()
    if "," in cleaned:  # a thousands separator (1,200), never a decimal comma (12,5)
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
            return None
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[Field, ...]
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def applies(self, values: Mapping[str, str]) -> bool:
        return all(answer_value(values, k) in allowed for k, allowed in self.when.items())


# -- the field catalogue (evidencekit/questionnaire.yaml) ------------------------------------

#: The catalogue: wording, order, grouping and conditions of every question, as data.
CATALOGUE = Path(__file__).with_name("questionnaire.yaml")
TWO_GROUP: tuple[str, ...] = TWO_GROUP_DESIGNS
RANDOMISED: tuple[str, ...] = RANDOMISED_DESIGNS
#: The first part of a summary key (``treatment.n``, ``correlation``).
_SUMMARY_HEADS = ("treatment", "control", "pre", "post", "correlation")


def model_path(key: str, *, programme: bool) -> str | None:
    """Where a questionnaire key sits in the submission model (None: a form-only question).

    >>> model_path("costs.currency", programme=True), model_path("pre.n", programme=False)
    ('costs.currency', 'evaluations[].outcomes[].summary.pre.n')
    >>> model_path("outcome.kind", programme=False), model_path("source", programme=False)
    ('evaluations[].outcomes[].kind', None)
    """
    if programme:
        return key
    if key == "source":
        return None
    if key.startswith("outcome."):
        return "evaluations[].outcomes[]." + key[len("outcome."):]
    if key.split(".")[0] in _SUMMARY_HEADS:
        return "evaluations[].outcomes[].summary." + key
    return "evaluations[]." + key


def _kind(raw: Mapping[str, Any], info: Any) -> FieldKind:
    """A field's kind: as the catalogue says, else from the model's kind and range."""
    if raw.get("kind"):
        return raw["kind"]  # type: ignore[no-any-return]
    if info is None:
        raise ValueError(f"{CATALOGUE.name}: {raw['key']!r} needs a kind (it is not in the "
                         "submission model)")
    if info.kind == "whole number":
        return "year" if info.minimum == 1900 else "count"
    if info.kind == "number":
        return "correlation" if (info.minimum, info.maximum) == (-1, 1) else "number"
    kinds: dict[str, FieldKind] = {"yes/no": "yes_no", "choice": "choice", "list": "lines",
                                   "text": "long_text" if raw.get("long") else "text"}
    if info.kind not in kinds:
        raise ValueError(f"{CATALOGUE.name}: {raw['key']!r} is a {info.kind} in the model, "
                         "which the questionnaire cannot ask")
    return kinds[info.kind]


def _when(raw: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    return {str(k): tuple(v) for k, v in (raw or {}).items()}


def _load_catalogue() -> tuple[dict[str, tuple[Choice, ...]], tuple[Section, ...],
                               tuple[Section, ...]]:
    """The choice lists and the programme's and evaluations' sections, from the catalogue
    file and the submission model (which gives each answer's kind, range and values)."""
    import yaml

    from .load.definition import submission_fields

    model = {f.path: f for f in submission_fields()}
    doc = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    choices = {name: tuple(Choice(str(c["value"]), str(c["label"]), str(c.get("explain", "")),
                                  tuple(c.get("designs", ())))
                           for c in items) for name, items in doc["choices"].items()}

    def field_of(raw: Mapping[str, Any], programme: bool) -> Field:
        path = model_path(raw["key"], programme=programme)
        info = model.get(path) if path else None
        if path is not None and info is None:
            raise ValueError(f"{CATALOGUE.name}: {raw['key']!r} has no place in the "
                             f"submission model ({path})")
        kind = _kind(raw, info)
        options = choices[raw["choices"]] if raw.get("choices") else ()
        if info is not None and info.choices is not None:
            odd = [c.value for c in options if c.value not in info.choices]
            if odd:
                raise ValueError(f"{CATALOGUE.name}: {raw['key']!r} offers {odd}, which the "
                                 "submission model does not allow")
        numeric = kind in ("number", "count", "year", "correlation")
        return Field(raw["key"], raw["label"], kind, help=raw.get("help", ""),
                     example=str(raw.get("example", "")), required=bool(raw.get("required")),
                     choices=options, when=_when(raw.get("when")),
                     minimum=info.minimum if info is not None and numeric else None,
                     maximum=info.maximum if info is not None and numeric else None,
                     max_length=info.max_length if info is not None else None)

    def sections(part: str, programme: bool) -> tuple[Section, ...]:
        return tuple(Section(s["id"], s["title"], s.get("intro", ""),
                             tuple(field_of(f, programme) for f in s["fields"]),
                             _when(s.get("when")))
                     for s in doc[part])

    return choices, sections("programme", True), sections("evaluation", False)


_CHOICES, PROGRAMME_SECTIONS, EVALUATION_SECTIONS = _load_catalogue()
DESIGN_CHOICES = _CHOICES["design"]
IDENTIFICATION_CHOICES = _CHOICES["identification"]
KIND_CHOICES = _CHOICES["outcome_kind"]
DIRECTION_CHOICES = _CHOICES["direction"]
SOURCE_CHOICES = _CHOICES["source"]
PROGRAMME_FIELDS: dict[str, Field] = {f.key: f for s in PROGRAMME_SECTIONS for f in s.fields}
EVALUATION_FIELDS: dict[str, Field] = {f.key: f for s in EVALUATION_SECTIONS for f in s.fields}

# -- more outcomes of one evaluation -----------------------------------------------------------
#: The sections that describe one outcome (the first outcome uses them with plain keys; the
#: others with the prefix of :func:`more_prefix`, and always as typed-in summary numbers).
OUTCOME_SECTION_IDS = ("outcome", "two_groups", "before_after", "after_only")
OUTCOME_SECTIONS = tuple(s for s in EVALUATION_SECTIONS if s.id in OUTCOME_SECTION_IDS)
MORE_COUNT = "outcomes.more"
MORE_PRIMARY = Field("primary", "Is this also a main (primary) outcome the evaluation set out "
                     "to change?", "yes_no", help="Say no for a secondary outcome: the "
                     "assessment weighs the main ones.")
MAX_MORE_OUTCOMES = 20


def more_prefix(n: int) -> str:
    """The key prefix of an evaluation's outcome number ``n + 1`` (``n`` from 1).

    >>> more_prefix(1)
    'more1.'
    """
    return f"more{n}."


def more_count(ev: Mapping[str, str]) -> int:
    """How many outcomes an evaluation has besides its first one."""
    raw = str(ev.get(MORE_COUNT, "") or "")
    return min(int(raw), MAX_MORE_OUTCOMES) if raw.isdigit() else 0


def more_view(ev: Mapping[str, str], n: int) -> dict[str, str]:
    """Outcome ``n + 1`` of an evaluation as plain keys (with the evaluation's design)."""
    p = more_prefix(n)
    view = {k[len(p):]: v for k, v in ev.items() if k.startswith(p)}
    view["design"] = ev.get("design", "")
    view["source"] = "summary"
    return view


def more_fields(view: Mapping[str, str]) -> list[tuple[Section, Field]]:
    """The (section, field) pairs asked for another outcome, given its answers."""
    out: list[tuple[Section, Field]] = []
    for section in OUTCOME_SECTIONS:
        if section.applies(view):
            out.extend((section, f) for f in section.fields
                       if f.key != "source" and f.applies(view))
            if section.id == "outcome":
                out.append((section, MORE_PRIMARY))
    return out


def more_when(when: Mapping[str, Sequence[str]], n: int) -> dict[str, list[str]]:
    """A field's or section's condition for outcome ``n + 1`` (its own kind of measure; its
    numbers always typed in)."""
    return {(more_prefix(n) + k if k.startswith("outcome.") else k): list(v)
            for k, v in when.items() if k != "source"}


def split_more(key: str) -> tuple[int, str]:
    """(outcome number from 1, plain key) of a prefixed key; (0, key) for the first outcome.

    >>> split_more("more2.pre.n"), split_more("pre.n")
    ((2, 'pre.n'), (0, 'pre.n'))
    """
    m = re.fullmatch(r"more(\d+)\.(.+)", key)
    return (int(m.group(1)), m.group(2)) if m else (0, key)


def remove_more(ev: Mapping[str, str], n: int) -> dict[str, str]:
    """The evaluation without its outcome ``n + 1`` (the later ones move up)."""
    count = more_count(ev)
    out = {k: v for k, v in ev.items() if not k.startswith("more")}
    for m in range(1, count + 1):
        if m == n:
            continue
        target = more_prefix(m if m < n else m - 1)
        out.update({target + k[len(more_prefix(m)):]: v for k, v in ev.items()
                    if k.startswith(more_prefix(m))})
    out[MORE_COUNT] = str(max(count - 1, 0))
    return out


def form_name(section: str, key: str) -> str:
    """The form name of a field in a section: its key where the key first appears, and
    ``SECTION/KEY`` where a later section asks it again (``post.n`` is asked both for a
    before-and-after design and for an after-only one), so that names stay unique."""
    for s in EVALUATION_SECTIONS:
        if any(f.key == key for f in s.fields):
            return key if s.id == section else f"{section}/{key}"
    return key


def evaluation_form_name(ev: Mapping[str, str], key: str) -> str:
    """The form name of an evaluation field as shown for these answers (for links to it)."""
    m, plain = split_more(key)
    if m:
        return more_prefix(m) + evaluation_form_name(more_view(ev, m), plain)
    for section in EVALUATION_SECTIONS:
        if section.applies(ev) and any(f.key == key for f in section.fields):
            return form_name(section.id, key)
    return key


def read_evaluation_form(form: Mapping[str, str]) -> dict[str, str]:
    """The answers of a posted evaluation form: a field asked in several sections takes its
    value from the section that applies to the answers; the other outcomes' fields come
    with their prefix (:func:`more_prefix`)."""
    out = _read_sections(form)
    count = more_count(form)
    if count:
        out[MORE_COUNT] = str(count)
    outcome_keys = {f.key for s in OUTCOME_SECTIONS for f in s.fields} - {"source"}
    for m in range(1, count + 1):
        p = more_prefix(m)
        sub = {k[len(p):]: v for k, v in form.items() if k.startswith(p)}
        sub["design"], sub["source"] = out.get("design", ""), "summary"
        read = _read_sections(sub)
        out.update({p + k: v for k, v in read.items() if k in outcome_keys})
        out[p + "primary"] = (sub.get("primary") or "").strip()
    return out


def _read_sections(form: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    plain = {k: (form.get(k) or "").strip() for k in EVALUATION_FIELDS}
    ordered = sorted(EVALUATION_SECTIONS, key=lambda s: not s.applies(plain))
    for section in ordered:
        for f in section.fields:
            if f.key not in out:
                out[f.key] = (form.get(form_name(section.id, f.key)) or "").strip()
    return out

#: Column roles of a data file, by design; the first ones are needed.
COLUMN_ROLES: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "two_group": (
        ("outcome", "The outcome", "The column with each person's result at the end.", True),
        ("group", "The group", "The column that says which group each person was in.", True),
        ("pretest", "The outcome before the programme (optional)",
         "A pretest: the same measure at the start.", False),
        ("cluster", "The cluster (optional)",
         "For cluster trials: the school, practice or other group each person belongs to.",
         False),
    ),
    "pre_post": (
        ("pre", "Before", "The column with each person's value before the programme.", True),
        ("post", "After", "The column with each person's value after the programme.", True),
    ),
    "post_only": (
        ("outcome", "The outcome", "The column with each person's result.", True),
    ),
}


def column_roles(design: str) -> tuple[tuple[str, str, str, bool], ...]:
    """(role, label, help, needed) of the columns a data file needs for ``design``."""
    if design in TWO_GROUP:
        return COLUMN_ROLES["two_group"]
    return COLUMN_ROLES.get(design, COLUMN_ROLES["post_only"])


_DEFAULTS = {"outcome.kind": "continuous", "outcome.direction": "higher_is_better",
             "source": "summary", "costs.currency": ""}


def default_answer(key: str) -> str:
    """The answer a choice starts with (a kind of outcome, a direction, a source)."""
    return _DEFAULTS.get(key, "")


def applies_text(when: Mapping[str, Sequence[str]]) -> str:
    """When a section applies, in words (shown when the page has no script to hide it).

    >>> applies_text({"design": ("pre_post",), "source": ("summary",)})
    'Only for: Before and after; when you type in summary numbers.'
    """
    parts = []
    if "design" in when:
        parts.append("; ".join(c.label for c in DESIGN_CHOICES if c.value in when["design"]))
    if "source" in when:
        parts.append("when you type in summary numbers" if "summary" in when["source"]
                     else "when you upload a data file")
    return "Only for: " + "; ".join(parts) + "."


# -- rubric questions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A rubric criterion asked as a yes/no question; the answer becomes a claim."""

    id: str
    title: str
    question: str
    help: str
    example: str
    guidance: str
    gate: bool


@dataclass(frozen=True)
class LevelQuestions:
    level: int
    title: str
    statement: str
    questions: tuple[Question, ...]


def questions_for(rubric: Rubric) -> tuple[LevelQuestions, ...]:
    """The rubric's criteria as questions, grouped by level (from the rubric file alone)."""
    return tuple(
        LevelQuestions(lv.level, lv.title, lv.statement, tuple(
            Question(c.id, c.title, c.question.strip(), (c.help or "").strip(),
                     (c.example or "").strip(), c.guidance.strip(), c.gate)
            for c in lv.criteria))
        for lv in rubric.levels)


def claim_keys(cid: str) -> tuple[str, str]:
    """The ``Answers.values`` keys of a criterion's answer and note."""
    return f"claims.{cid}.answer", f"claims.{cid}.note"


CLAIM_FIELD = Field("claim", "Your answer", "yes_no")
NOTE_FIELD = Field("note", "Tell us more (optional)", "long_text")


def shown_by_evidence(result: AssessmentResult | None) -> dict[str, str]:
    """Criteria the evidence already verifies (id → reason): these need no question."""
    if result is None:
        return {}
    return {c.id: c.reason for lv in result.levels for c in lv.criteria
            if c.status == "verified"}


# -- per-evaluation questions (a rubric's signalling questions) --------------------------------

#: Where a form evaluation keeps its answer to a per-evaluation question, and the note.
ANSWER_KEY, NOTE_KEY = "answer:", "note:"


@dataclass(frozen=True)
class Asked:
    """One per-evaluation question as asked of one evaluation: the rubric's question
    (:class:`evidencekit.assessment.questions.Question`), and the answer the statistics give
    when they settle it (code, the rule that fired, why), which the person may keep."""

    question: Any
    prefill: tuple[str, str, str] | None = None

    @property
    def id(self) -> str:
        return str(self.question.full_id)


def _answer_parts(raw: Any) -> tuple[str | None, str]:
    if isinstance(raw, Mapping):
        answer = raw.get("answer")
        return (str(answer) if isinstance(answer, str) else None), str(raw.get("note") or "")
    return (raw if isinstance(raw, str) else None), ""


def evaluation_slots(answers: Answers) -> list[dict[str, Any]]:
    """Every evaluation in the order the submission lists them: those kept as they were in a
    resumed file first, then the form's (as :func:`to_submission` writes them)."""
    return [*answers.kept, *answers.evaluations]


def _kept(ev: Mapping[str, Any]) -> bool:
    return isinstance(ev.get("outcomes"), list)  # a submission's evaluation, not the form's


def signalling_answer(ev: Mapping[str, Any], full_id: str) -> tuple[str, str]:
    """The answer (a code, or "") and note an evaluation gives to a question."""
    if _kept(ev):
        answer, note = _answer_parts((ev.get("answers") or {}).get(full_id))
        return answer or "", note
    return str(ev.get(ANSWER_KEY + full_id, "")), str(ev.get(NOTE_KEY + full_id, ""))


def set_signalling_answer(ev: dict[str, Any], full_id: str, answer: str, note: str) -> None:
    """Record (or, with an empty answer, clear) an evaluation's answer to a question."""
    answer, note = answer.strip(), note.strip()
    if _kept(ev):
        given = dict(ev.get("answers") or {})
        if answer:
            given[full_id] = {"answer": answer, "note": note} if note else answer
        else:
            given.pop(full_id, None)
        if given:
            ev["answers"] = given
        else:
            ev.pop("answers", None)
        return
    for key, value in ((ANSWER_KEY + full_id, answer), (NOTE_KEY + full_id, note)):
        if value and answer:
            ev[key] = value
        else:
            ev.pop(key, None)


def signalling_names(slot: int, full_id: str) -> tuple[str, str]:
    """The web form's names of an evaluation's answer to a question, and of its note."""
    return f"sq:{slot}:{full_id}", f"sqn:{slot}:{full_id}"


def signalling_to_dict(ev: Mapping[str, str]) -> dict[str, Any]:
    """A form evaluation's answers as a submission's ``answers``."""
    out: dict[str, Any] = {}
    for key, answer in ev.items():
        if key.startswith(ANSWER_KEY) and answer:
            qid = key[len(ANSWER_KEY):]
            note = (ev.get(NOTE_KEY + qid) or "").strip()
            out[qid] = {"answer": answer, "note": note} if note else answer
    return out


def parse_signalling(question: Any, text: str) -> tuple[str, str]:
    """(code, note) from what a person typed for a per-evaluation question — the code, the
    label or the rubric's words for an answer, optionally followed by ``;`` and a note
    ("probably yes; sealed envelopes") — or :class:`AnswerError` in one sentence.

    >>> from evidencekit.assessment.rubric import load_rubric
    >>> q = load_rubric("rob2").question("rob2.1.2")
    >>> parse_signalling(q, "Probably yes; opaque sealed envelopes")
    ('PY', 'opaque sealed envelopes')
    >>> parse_signalling(q, "no information")
    ('NI', '')
    >>> parse_signalling(q, "maybe")
    Traceback (most recent call last):
    ...
    evidencekit.questionnaire.AnswerError: 'maybe' is not an answer to 1.2; answer yes (Y), ...
    """
    answer, _, note = text.partition(";")
    code = question.normalise(answer)
    if code is None:
        raise AnswerError(question.refusal(answer))
    return code, note.strip()


def signalling_plan(answers: Answers, rubric: Rubric, base_dir: Path
                    ) -> list[tuple[str, list[Asked]]]:
    """Per evaluation (in :func:`evaluation_slots` order): its name and the rubric's
    questions asked of it, with the answers the statistics settle. When the evaluations
    cannot be analysed yet (an answer needs changing), every question is asked of every
    evaluation, with nothing pre-filled."""
    slots = evaluation_slots(answers)
    names = [evaluation_title(e) for e in slots]
    if not rubric.questions:
        return [(n, []) for n in names]
    everything = [(n, [Asked(qn) for qn in rubric.questions]) for n in names]
    try:
        bare = Answers(answers.rubric, {k: v for k, v in answers.values.items()
                                        if not k.startswith("claims.")},
                       [{k: v for k, v in e.items() if not k.startswith((ANSWER_KEY, NOTE_KEY))}
                        for e in answers.evaluations],
                       [{k: v for k, v in e.items() if k != "answers"} for e in answers.kept],
                       answers.extra)
        doc = to_submission(bare)
        from .api import _analysed
        from .assessment.conditions import Interpreter
        from .assessment.engine import _pool, analysis_options
        from .assessment.facts import programme_facts
        from .assessment.questions import plan
        from .load import load_submission

        sub = load_submission(doc, base_dir=base_dir)
        facts = programme_facts(sub, _analysed(sub, analysis_options(rubric)))
        method = str(rubric.values.get("pooling_method", "DL"))
        ip = Interpreter(dict(rubric.values), lambda e, s: _pool(e, s, method))
        planned = plan(rubric, sub, facts, ip)
    except Exception:  # the assessment reports any problem in full; ask everything meanwhile
        return everything
    return [(n, [Asked(qn, pre) for qn, pre in asked])
            for n, asked in zip(names, planned, strict=True)]


def evaluation_title(ev: Mapping[str, Any]) -> str:
    return str(ev.get("title") or ev.get("id") or "An evaluation")


def signalling_problems(answers: Answers, rubric: Rubric) -> dict[tuple[int, str], str]:
    """(evaluation slot, question id) → one sentence, for every answer to a question of the
    rubric that means none of its answers."""
    problems: dict[tuple[int, str], str] = {}
    for i, ev in enumerate(evaluation_slots(answers)):
        for qn in rubric.questions:
            given, _ = signalling_answer(ev, qn.full_id)
            if given and qn.normalise(given) is None:
                problems[(i, qn.full_id)] = qn.refusal(given)
    return problems


# -- answers -----------------------------------------------------------------------------------


@dataclass
class Answers:
    """Everything a person has entered, as typed.

    ``values`` holds the programme fields (by :data:`PROGRAMME_FIELDS` key) and the rubric
    answers (:func:`claim_keys`); ``evaluations`` one dict of typed text per evaluation (by
    :data:`EVALUATION_FIELDS` key, plus ``data`` and ``columns.ROLE`` for a data file);
    ``kept`` evaluations of a resumed file that the form cannot show (published statistics
    ...), written back unchanged; ``extra`` the rest of a resumed file. ``drafts`` holds
    evaluations being typed but not yet saved, by where they will go (``"new"`` or the
    index of the evaluation being changed): they are never part of the submission.
    """

    rubric: str = DEFAULT_RUBRIC
    values: dict[str, str] = field(default_factory=dict)
    evaluations: list[dict[str, str]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    drafts: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_state(self) -> dict[str, Any]:
        return {"rubric": self.rubric, "values": dict(self.values),
                "evaluations": [dict(e) for e in self.evaluations],
                "kept": copy.deepcopy(self.kept), "extra": copy.deepcopy(self.extra),
                "drafts": {k: dict(v) for k, v in self.drafts.items()}}


def submission_problems(doc: Mapping[str, Any], base_dir: Path) -> list[str]:
    """Why ``doc`` is not a valid submission (one sentence each), or ``[]``: checked by the
    same loader as ``evidencekit assess``, before any front end writes the file."""
    from .errors import InputError
    from .load import load_submission

    try:
        load_submission(dict(doc), base_dir=base_dir)
    except InputError as exc:
        return [p.sentence() for p in exc.problems]
    return []


def programme_problems(values: Mapping[str, str]) -> dict[str, str]:
    """Field key → message for every programme answer that cannot be used."""
    problems = {}
    for f in PROGRAMME_FIELDS.values():
        try:
            f.parse(values.get(f.key))
        except AnswerError as exc:
            problems[f.key] = str(exc)
    for cid_key, raw in values.items():
        if cid_key.startswith("claims.") and cid_key.endswith(".answer"):
            try:
                CLAIM_FIELD.parse(raw)
            except AnswerError as exc:
                problems[cid_key] = str(exc)
    return problems


def evaluation_problems(ev: Mapping[str, str]) -> dict[str, str]:
    """Field key → message for every answer of one evaluation that cannot be used."""
    problems: dict[str, str] = {}
    for section in EVALUATION_SECTIONS:
        if not section.applies(ev):
            continue
        for f in section.fields:
            if not f.applies(ev):
                continue
            try:
                value = f.parse(ev.get(f.key))
            except AnswerError as exc:
                problems[f.key] = str(exc)
                continue
            if f.kind == "choice" and value is not None and f.options(ev) != f.choices and \
                    value not in {c.value for c in f.options(ev)}:
                design = EVALUATION_FIELDS["design"].show_choice(ev.get("design", ""))
                problems[f.key] = (f"That does not fit a {design.casefold()}: choose one of "
                                   + "; ".join(c.label for c in f.options(ev)) + ".")
    if ev.get("source", "summary") == "data" and ev.get("design") in (
            *TWO_GROUP, *ONE_GROUP_DESIGNS):
        if not ev.get("data"):
            problems["data"] = "Choose the data file with one row per person."
        else:
            for role, label, _, needed in column_roles(ev["design"]):
                if needed and not ev.get(f"columns.{role}"):
                    problems[f"columns.{role}"] = f"Choose the column for: {label}."
            if ev["design"] in TWO_GROUP and ev.get("columns.group") and \
                    not ev.get("columns.treatment"):
                problems["columns.treatment"] = ("Choose the value of the group column that "
                                                 "marks people who took part.")
    problems.update(_summary_problems(ev))
    for m in range(1, more_count(ev) + 1):
        view = more_view(ev, m)
        for _, f in more_fields(view):
            try:
                f.parse(view.get(f.key))
            except AnswerError as exc:
                problems[more_prefix(m) + f.key] = str(exc)
        problems.update({more_prefix(m) + k: v for k, v in _summary_problems(view).items()})
    return problems


def _summary_problems(ev: Mapping[str, str]) -> dict[str, str]:
    """Problems across the summary numbers of one outcome (counts, pretest pairs)."""
    problems: dict[str, str] = {}
    for who in ("treatment", "control", "pre", "post"):
        n, events = ev.get(f"{who}.n", ""), ev.get(f"{who}.events", "")
        if ev.get("outcome.kind") == "binary" and n.strip() and events.strip():
            try:
                if int(_number(events) or 0) > int(_number(n) or 0):
                    problems[f"{who}.events"] = "This cannot be more than the people analysed."
            except (TypeError, ValueError):
                pass
    two = ev.get("design") in TWO_GROUP and ev.get("source", "summary") == "summary"
    if two and ev.get("outcome.kind", "continuous") == "continuous":
        for who in ("treatment", "control"):
            mean, sd = ev.get(f"{who}.pre_mean", "").strip(), ev.get(f"{who}.pre_sd", "").strip()
            if bool(mean) != bool(sd):
                key = f"{who}.pre_sd" if mean else f"{who}.pre_mean"
                problems.setdefault(key, "Give the average and the SD before the programme "
                                         "together, or neither.")
    return problems


def evaluation_warnings(ev: Mapping[str, str]) -> dict[str, list[str]]:
    """Field key → things worth a second look in one evaluation's usable answers."""
    out: dict[str, list[str]] = {}
    for section in EVALUATION_SECTIONS:
        if section.applies(ev):
            for f in section.fields:
                if f.applies(ev) and (w := f.warnings(ev.get(f.key))):
                    out[f.key] = w
    for m in range(1, more_count(ev) + 1):
        view = more_view(ev, m)
        for _, f in more_fields(view):
            if w := f.warnings(view.get(f.key)):
                out[more_prefix(m) + f.key] = w
    return out


def programme_warnings(values: Mapping[str, str]) -> dict[str, list[str]]:
    """Field key → things worth a second look in the programme's usable answers."""
    return {f.key: w for f in PROGRAMME_FIELDS.values() if (w := f.warnings(values.get(f.key)))}


#: Words for the values and names of a submission that the assessment's sentences may use.
_PLAIN_VALUES = {
    **{c.value: c.label.casefold() for c in DESIGN_CHOICES},
    "adjustment_required": "needs adjusting for", "not_satisfied": "not satisfied",
}


_PLAIN_QUOTED = {
    "assigned": "the numbers at the start (“Programme group: people assigned at the start”)",
    "pretest": "a column for the outcome before the programme",
    "clusters": "the number of groups (such as schools)",
}


def plain_words(text: str) -> str:
    """A sentence of the assessment with the submission's keys and values replaced by the
    questions and choices a person answered (the web result page and the terminal speak to
    grantees, who never saw the file).

    >>> plain_words("Give the cost per participant (costs.per_participant).")
    'Give the cost per participant (the question “Cost per participant”).'
    >>> plain_words("design pre_post cannot show causality")
    'design before and after cannot show causality'
    >>> plain_words("give follow_up_months")
    'give the question “Months between the end of the programme and this measurement”'
    >>> plain_words("my_scores.csv has no column pre_score")  # names of theirs stay
    'my_scores.csv has no column pre_score'
    """
    def key(m: re.Match[str]) -> str:
        name = m.group(1)
        f = PROGRAMME_FIELDS.get(name) or EVALUATION_FIELDS.get(name) or \
            EVALUATION_FIELDS.get(f"outcome.{name}")
        return f"the question “{f.label}”" if f else name

    for quoted, words in _PLAIN_QUOTED.items():
        text = text.replace(f"'{quoted}'", words)
    text = re.sub(r"\b([a-z_]+\.[a-z_]+(?:\.[a-z_]+)*)\b", key, text)
    text = re.sub(r"\b(follow_up_months)\b", key, text)
    return re.sub(r"\b[a-z]+_[a-z_]+\b", lambda m: _PLAIN_VALUES.get(m.group(0), m.group(0)),
                  text)


def problems_of(answers: Answers) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """Programme problems and, by position, the problems of each evaluation."""
    evs = {i: p for i, ev in enumerate(answers.evaluations) if (p := evaluation_problems(ev))}
    return programme_problems(answers.values), evs


def _put(doc: dict[str, Any], key: str, value: Any) -> None:
    head, *rest = key.split(".")
    if not rest:
        doc[head] = value
        return
    _put(doc.setdefault(head, {}), ".".join(rest), value)


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in top.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def slug(text: str, taken: Iterable[str] = ()) -> str:
    """An evaluation id from its title, unique among ``taken``.

    >>> slug("Before & after survey (2023)", ["before-after-survey-2023"])
    'before-after-survey-2023-2'
    """
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60].strip("-") or "evaluation"
    used = set(taken)
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def evaluation_to_dict(ev: Mapping[str, str], eid: str) -> dict[str, Any]:
    """One evaluation of the form as a submission's evaluation (answers assumed valid)."""
    def value(key: str) -> Any:
        return EVALUATION_FIELDS[key].parse(ev.get(key))

    design = value("design")
    out: dict[str, Any] = {"id": eid, "title": value("title"), "design": design}
    for key in ("site", "year", "delivered_by"):
        v = value(key)
        if v is not None:
            out[key] = v
    if value("independent"):
        out["independent"] = True
    if value("real_world") is not None:
        out["real_world"] = value("real_world")
    if design in TWO_GROUP:
        for key in ("identification", "comparison_justified"):
            if (v := value(key)) is not None:
                out[key] = v
    if design in TWO_GROUP:
        t, c = value("assigned.treatment"), value("assigned.control")
        if t is not None and c is not None:
            out["assigned"] = {"treatment": t, "control": c}
        if design == "cluster_rct":
            t, c = value("clusters.treatment"), value("clusters.control")
            if t is not None and c is not None:
                out["clusters"] = {"treatment": t, "control": c}
    outcome: dict[str, Any] = {"name": value("outcome.name")}
    kind = value("outcome.kind") or "continuous"
    if kind == "binary":
        outcome["kind"] = "binary"
    direction = value("outcome.direction") or "higher_is_better"
    if direction != "higher_is_better":
        outcome["direction"] = direction
    if (months := value("outcome.follow_up_months")) is not None:
        outcome["follow_up_months"] = months
    if (ev.get("source") or "summary") == "data":
        outcome["data"] = ev.get("data", "")
        roles = [r for r, *_ in column_roles(design)]
        if design in TWO_GROUP:
            roles.insert(2, "treatment")
        outcome["columns"] = {r: ev[f"columns.{r}"] for r in roles if ev.get(f"columns.{r}")}
    else:
        summary: dict[str, Any] = {}
        for section in EVALUATION_SECTIONS[3:]:
            if not section.applies(ev):
                continue
            for f in section.fields:
                if f.applies(ev) and (v := f.parse(ev.get(f.key))) is not None:
                    _put(summary, f.key, v)
        outcome["summary"] = summary
    given = signalling_to_dict(ev)
    if given:
        out["answers"] = given
    out["outcomes"] = [outcome]
    for m in range(1, more_count(ev) + 1):
        out["outcomes"].append(_more_outcome(more_view(ev, m)))
    return out


def _more_outcome(view: Mapping[str, str]) -> dict[str, Any]:
    """Another outcome of an evaluation (typed-in summary numbers) for the submission."""
    outcome: dict[str, Any] = {"name": EVALUATION_FIELDS["outcome.name"].parse(
        view.get("outcome.name"))}
    summary: dict[str, Any] = {}
    for section, f in more_fields(view):
        value = f.parse(view.get(f.key))
        if value is None or f.key == "outcome.name":
            continue
        if f is MORE_PRIMARY:
            outcome["primary"] = value
        elif section.id == "outcome":
            if value not in ("continuous", "higher_is_better"):
                outcome[f.key.split(".", 1)[1]] = value
        else:
            _put(summary, f.key, value)
    outcome.setdefault("primary", False)
    outcome["summary"] = summary
    return outcome


def to_submission(answers: Answers) -> dict[str, Any]:
    """The submission (SPEC §1) the answers describe. Raises :class:`AnswerError` naming the
    first problem when an answer cannot be used (check :func:`problems_of` first)."""
    prog, evs = problems_of(answers)
    if prog or evs:
        first = next(iter(prog.values())) if prog else next(iter(next(iter(evs.values()))
                                                                 .values()))
        raise AnswerError(first)
    doc: dict[str, Any] = {"schema": SCHEMA}
    for f in PROGRAMME_FIELDS.values():
        v = f.parse(answers.values.get(f.key))
        if v is not None:
            _put(doc, f.key, v)
    doc = _merge(answers.extra, doc)
    doc["schema"] = SCHEMA
    doc.setdefault("programme", {})
    evaluations: list[dict[str, Any]] = [copy.deepcopy(e) for e in answers.kept]
    taken = [str(e.get("id")) for e in evaluations]
    for ev in answers.evaluations:
        eid = ev.get("id") or slug(ev.get("title", ""), taken)
        if eid in taken:
            eid = slug(eid, taken)
        taken.append(eid)
        evaluations.append(evaluation_to_dict(ev, eid))
    if evaluations:
        doc["evaluations"] = evaluations
    else:
        doc.pop("evaluations", None)
    claims: dict[str, Any] = dict(doc.pop("claims", None) or {})
    for key, raw in answers.values.items():
        if key.startswith("claims.") and key.endswith(".answer"):
            cid = key[len("claims."):-len(".answer")]
            answer = CLAIM_FIELD.parse(raw)
            if answer is None:
                claims.pop(cid, None)
                continue
            claim: dict[str, Any] = {"answer": answer}
            note = (answers.values.get(claim_keys(cid)[1]) or "").strip()
            if note:
                claim["note"] = note
            claims[cid] = claim
    if claims:
        doc["claims"] = claims
    order = ["schema", "programme", "theory_of_change", "evaluations", "costs", "scaling",
             "claims"]
    return {k: doc[k] for k in [*order, *sorted(set(doc) - set(order))] if k in doc}


# -- back from a submission (resume) -----------------------------------------------------------

_FORM_EVALUATION_KEYS = {"id", "title", "design", "site", "year", "independent", "delivered_by",
                         "assigned", "clusters", "outcomes", "identification",
                         "comparison_justified", "real_world", "answers"}
_FORM_OUTCOME_KEYS = {"name", "kind", "direction", "primary", "summary", "data", "columns",
                      "follow_up_months"}


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value


def evaluation_from_dict(e: Mapping[str, Any]) -> dict[str, str] | None:
    """The form's answers for a submission's evaluation, or None when the form cannot show it
    without losing something (it is then kept unchanged)."""
    outcomes = e.get("outcomes") or []
    if set(e) - _FORM_EVALUATION_KEYS or not 1 <= len(outcomes) <= MAX_MORE_OUTCOMES + 1 or \
            e.get("design") not in (*TWO_GROUP, *ONE_GROUP_DESIGNS):
        return None
    more: dict[str, str] = {}
    for m, extra in enumerate(outcomes[1:], 1):
        if not isinstance(extra, Mapping) or set(extra) - (_FORM_OUTCOME_KEYS - {"data",
                "columns"}) or not isinstance(extra.get("summary"), Mapping):
            return None
        flat_more: dict[str, Any] = {"outcome.name": extra.get("name"),
                                     "outcome.kind": extra.get("kind", "continuous"),
                                     "outcome.direction": extra.get("direction",
                                                                    "higher_is_better")}
        if extra.get("follow_up_months") is not None:
            flat_more["outcome.follow_up_months"] = extra["follow_up_months"]
        _flatten("", extra["summary"], flat_more)
        for k, v in flat_more.items():
            f = EVALUATION_FIELDS.get(k)
            if f is None:
                return None
            more[more_prefix(m) + k] = f.show(v)
        more[more_prefix(m) + "primary"] = "no" if extra.get("primary") is False else "yes"
    if more:
        more[MORE_COUNT] = str(len(outcomes) - 1)
    o = outcomes[0]
    if not isinstance(o, Mapping) or set(o) - _FORM_OUTCOME_KEYS or o.get("primary") is False:
        return None
    flat: dict[str, Any] = {}
    for k in ("id", "title", "design", "site", "year", "independent", "delivered_by",
              "identification", "comparison_justified", "real_world"):
        if e.get(k) is not None:
            flat[k] = e[k]
    for k in ("assigned", "clusters"):
        if isinstance(e.get(k), Mapping):
            _flatten(k, e[k], flat)
    flat["title"] = flat.get("title") or flat.get("id") or "Evaluation"
    flat["outcome.name"] = o.get("name")
    flat["outcome.kind"] = o.get("kind", "continuous")
    flat["outcome.direction"] = o.get("direction", "higher_is_better")
    if o.get("follow_up_months") is not None:
        flat["outcome.follow_up_months"] = o["follow_up_months"]
    if "data" in o:
        data = str(o.get("data") or "")
        if not isinstance(o.get("columns"), Mapping):
            return None
        flat["source"] = "data"
        flat["data"] = data
        _flatten("columns", o["columns"], flat)
    elif isinstance(o.get("summary"), Mapping):
        flat["source"] = "summary"
        _flatten("", o["summary"], flat)
    else:
        return None
    out: dict[str, str] = {}
    for k, v in flat.items():
        f = EVALUATION_FIELDS.get(k)
        if f is None and not (k in ("id", "data") or k.startswith("columns.")):
            return None  # a summary key the form has no field for
        out[k] = f.show(v) if f is not None else str(v)
    out.update(more)
    given = e.get("answers")
    if given is not None:
        if not isinstance(given, Mapping):
            return None
        for qid, raw in given.items():
            answer, note = _answer_parts(raw)
            if answer is None:
                return None
            out[ANSWER_KEY + str(qid)] = answer
            if note:
                out[NOTE_KEY + str(qid)] = note
    try:
        if evaluation_problems(out):
            return None
    except (TypeError, ValueError):
        return None
    return out


def from_submission(doc: Mapping[str, Any], rubric: str = DEFAULT_RUBRIC) -> Answers:
    """The answers a submission (a parsed file) gives, to resume or edit it."""
    answers = Answers(rubric=rubric)
    rest = copy.deepcopy(dict(doc))
    rest.pop("schema", None)
    flat: dict[str, Any] = {}
    for section in ("programme", "theory_of_change", "costs", "scaling"):
        part = rest.get(section)
        if not isinstance(part, Mapping):
            continue
        remaining = dict(part)
        for k, v in part.items():
            key = f"{section}.{k}"
            if key in PROGRAMME_FIELDS and not isinstance(v, Mapping):
                flat[key] = v
                remaining.pop(k)
        if remaining:
            rest[section] = remaining
        else:
            rest.pop(section)
    for key, v in flat.items():
        answers.values[key] = PROGRAMME_FIELDS[key].show(v)
    claims = rest.pop("claims", None) or {}
    for cid, claim in claims.items():
        if isinstance(claim, Mapping) and isinstance(claim.get("answer"), bool):
            a, n = claim_keys(str(cid))
            answers.values[a] = "yes" if claim["answer"] else "no"
            if claim.get("note"):
                answers.values[n] = str(claim["note"])
    for e in rest.pop("evaluations", None) or []:
        if not isinstance(e, Mapping):
            continue
        form = evaluation_from_dict(e)
        if form is None:
            answers.kept.append(copy.deepcopy(dict(e)))
        else:
            answers.evaluations.append(form)
    answers.extra = rest
    return answers


# -- the file ----------------------------------------------------------------------------------


def to_yaml(doc: Mapping[str, Any], *, header: Sequence[str] = ()) -> str:
    """The submission as YAML, with comment lines on top."""
    from .inert import comment_text
    from .load.document import dump_yaml  # quotes text YAML 1.2 would read as a number

    # A name may hold characters YAML reads as line breaks (U+2028, U+0085, ...): escaped,
    # so a comment line can never end early and start keys of its own.
    lines = [f"# {comment_text(h)}" if h else "#" for h in header]
    body = dump_yaml(dict(doc), sort_keys=False, allow_unicode=True, width=88,
                     default_flow_style=False)
    return "\n".join([*lines, body]) if lines else body


def data_files(doc: Mapping[str, Any]) -> list[str]:
    """The outcome data files a submission names (relative paths, in order)."""
    seen: list[str] = []
    for e in doc.get("evaluations") or ():
        for o in (e or {}).get("outcomes") or ():
            if isinstance(o, Mapping) and isinstance(o.get("data"), str) \
                    and o["data"] not in seen:
                seen.append(o["data"])
    return seen


def safe_relative(path: str, base: Path) -> Path | None:
    """``base / path`` when ``path`` is relative, has no ``..`` and stays inside ``base``
    (symbolic links resolved); None otherwise."""
    p = Path(path)
    if not path or p.is_absolute() or ".." in p.parts or p.suffix.lower() not in DATA_SUFFIXES:
        return None
    full = (base / p).resolve()
    try:
        full.relative_to(base.resolve())
    except ValueError:
        return None
    return full
