"""Internal words out of a commissioner's report: submission keys, design codes and verdict
codes in the assessment's sentences become the words a reader knows.

The rubric's guidance and the engine's reasons are written for whoever fills in the
submission file, so they name its keys ("Give the cost per participant
(costs.per_participant)") and its codes ("its design is pre_post"). A commissioner never saw
that file. :func:`plain` removes a parenthesis that only names keys, puts the question's
label in place of any other key, and words the codes; names the applicant gave (an outcome,
a data column) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from ..vocabulary import CRITERION_STATUS, LEVEL_STATUS
from .words import DESIGN_LABELS

#: Codes of the assessment, in words.
CODES = {
    **{k: v for k, v in DESIGN_LABELS.items() if "_" in k},
    "not_satisfied": "not satisfied",
    "adjustment_required": "adjustment required",
    # not_met, validated_only, claimed_only, not_reached: the registry's words
    **{k: s.label.lower() for k, s in (*CRITERION_STATUS.items(), *LEVEL_STATUS.items())
       if "_" in k},
}


@cache
def _keys() -> dict[str, str]:
    """Every submission key (its full path and its dotted tails), with a reader's label."""
    from ..load.definition import submission_fields
    from ..questionnaire import EVALUATION_FIELDS, PROGRAMME_FIELDS

    labels = {k: f.label for k, f in (*PROGRAMME_FIELDS.items(), *EVALUATION_FIELDS.items())}
    out: dict[str, str] = {}
    for f in submission_fields():
        parts = [p for p in re.split(r"\[\]\.?|\.", f.path) if p and p != "*"]
        for i in range(len(parts)):
            tail = ".".join(parts[i:])
            if "." in tail or "_" in tail:
                label = labels.get(tail) or labels.get(".".join(parts[-2:])) or \
                    labels.get(parts[-1]) or parts[-1].replace("_", " ")
                out.setdefault(tail, label)
    for key, label in labels.items():
        out.setdefault(key, label)
    return out


_TOKEN = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*"
_PAREN = re.compile(rf"\s*\((?:'|‘|`)?({_TOKEN})(?:'|’|`)?"
                    rf"(?:(?:,\s*|\s+and\s+|\s+or\s+)(?:'|‘|`)?({_TOKEN})(?:'|’|`)?)*\)")
_KEY = re.compile(rf"(?<![\w./-])({_TOKEN})(?![\w/-]|\.\w)")


_ID = re.compile(r"(?<![\w.])([A-Za-z][\w-]*(?:\.[A-Za-z0-9][\w-]*)+)(?![\w-]|\.\w)")


def plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """``text`` without submission keys or codes; ``names`` maps ids (of criteria) to the
    titles a reader knows them by.

    >>> plain("Give the cost per participant (costs.per_participant).")
    'Give the cost per participant.'
    >>> plain("give the number analysed in each group (n_treatment and n_control).")
    'give the number analysed in each group.'
    >>> plain("its design is pre_post, which has no comparison group")
    'its design is before-and-after measurement, one group, which has no comparison group'
    >>> plain("sites that meet L5.multi_site", {"L5.multi_site": "Impact at several sites"})
    'sites that meet ‘Impact at several sites’'
    >>> plain("my_scores.csv has no column pre_score")  # the applicant's names stay
    'my_scores.csv has no column pre_score'
    """
    keys = _keys()
    if names:
        text = _ID.sub(lambda m: f"‘{names[m.group(1)]}’" if m.group(1) in names
                       else m.group(0), text)

    def paren(m: re.Match[str]) -> str:
        inside = re.findall(_TOKEN, m.group(0))
        words = [w for w in inside if w not in ("and", "or")]
        return "" if words and all(w in keys for w in words) else m.group(0)

    text = _PAREN.sub(paren, text)

    def key(m: re.Match[str]) -> str:
        token = m.group(1)
        if token in CODES:
            return CODES[token]
        if ("." in token or "_" in token) and token in keys:
            return f"“{keys[token]}”"
        return token

    return _KEY.sub(key, text)
