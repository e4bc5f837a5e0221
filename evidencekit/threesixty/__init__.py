"""360Giving data as a round's manifest, and the round's levels written back (issue #16).

A 360Giving data file — a JSON grants package, or the standard's CSV template (converted by
``flattentool``, the 360Giving project's own tool: ``pip install 'evidencekit[360giving]'``)
— is accepted wherever a batch manifest is (``evidencekit batch grants.json --out DIR``).
It is checked against the 360Giving Data Standard's JSON Schema, pinned here at version
1.4.3 (``360-giving-schema.json`` and ``360-giving-package-schema.json``, from
github.com/ThreeSixtyGiving/standard tag 1.4.3, commit bc440626; CC BY 4.0, see
``LICENSE-360Giving.md``).

Each grant is one application, keyed by its ``id``. Its submission is ``<id>.yaml`` (or
``.yml``/``.json``) beside the data file, or the single submission in a folder named by the
id, unless a ``relatedDocument`` gives a relative ``url`` ending ``.yaml``/``.yml``/``.json``.
The grant's fields (title, amount, currency, award date, recipient, funder, programme) are
carried through to ``scores.csv``/``scores.xlsx`` as the manifest's columns. After scoring,
``360giving.json`` is the same package with each scored grant's ``classifications`` extended
by the levels (vocabulary ``evidencekit:<rubric id>:<version>:<kind>``, code = the level),
so 360Giving tools can read them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem

HERE = Path(__file__).resolve().parent
PINNED = "1.4.3"
GRANT_SCHEMA_ID = ("https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/"
                   "360-giving-schema.json")
#: The grant fields carried through to the scores, as (column, how to read it).
FIELDS = ("title", "amountAwarded", "currency", "awardDate", "recipientOrganization",
          "fundingOrganization", "grantProgramme")
SUFFIXES = (".yaml", ".yml", ".json")
MAX_ERRORS = 20


@cache
def _validators() -> tuple[Any, Any]:
    """Validators of the package (its grants left to the second) and of one grant."""
    from jsonschema import Draft202012Validator, FormatChecker

    grant = json.loads((HERE / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((HERE / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The package's grants refer to the grant schema by its URL; each grant is checked
    # against the pinned copy instead (nothing is fetched).
    package["properties"]["grants"]["items"] = {"type": "object"}
    # The standard allows an award date as a date-time *or* a plain date (oneOf): the
    # date-time format must be checked for that to work, with or without the optional
    # rfc3339 package, so it is checked here (RFC 3339: a date, "T", a time, an offset).
    checker = FormatChecker()
    checker.checks("date-time")(_date_time)
    return (Draft202012Validator(package, format_checker=checker),
            Draft202012Validator(grant, format_checker=checker))


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _date_time(value: object) -> bool:
    """RFC 3339 date-time.

    >>> _date_time("2024-03-01T10:00:00Z"), _date_time("2024-03-01"), _date_time(3)
    (True, False, True)
    """
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def looks_like_360giving_csv(header: list[str]) -> bool:
    """A CSV in the 360Giving template (its titles: "Identifier", "Amount Awarded", …)."""
    names = {h.strip().casefold() for h in header}
    return "identifier" in names and "amount awarded" in names


def read_package(path: Path) -> tuple[dict[str, Any], Any]:
    """The grants package in ``path`` (JSON, or a 360Giving CSV through flattentool) and its
    parsed document (for line numbers; None for CSV)."""
    if path.suffix.lower() == ".csv":
        return _from_csv(path), None
    from ..load.document import parse, read_text

    doc = parse(read_text(path, what="a 360Giving data file"), str(path), json_syntax=True)
    if not isinstance(doc.value, dict):
        raise InputError.one(str(path), "a 360Giving grants package (a JSON object with "
                             "grants)", "something else")
    return doc.value, doc


def _from_csv(path: Path) -> dict[str, Any]:
    try:
        from flattentool import unflatten
    except ImportError as exc:
        raise InputError.one(str(path), "flattentool to read a 360Giving CSV (pip install "
                             "'evidencekit[360giving]')", "it is not installed") from exc
    import contextlib
    import io
    import tempfile
    import warnings

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "grants.json"
        sheets = Path(tmp) / "sheets"  # flattentool reads a folder of CSV sheets
        sheets.mkdir()
        try:
            (sheets / "grants.csv").write_bytes(path.read_bytes())
        except OSError as exc:
            raise InputError.one(str(path), "a readable CSV file", exc.strerror or str(exc)
                                 ) from exc
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                unflatten(str(sheets), input_format="csv", output_name=str(out),
                          root_list_path="grants", root_id="", id_name="id",
                          schema=str(HERE / "360-giving-schema.json"),
                          convert_titles=True, root_is_list=False)
        except Exception as exc:  # flattentool raises many kinds for a broken file
            raise InputError.one(str(path), "a 360Giving CSV flattentool can read",
                                 f"{type(exc).__name__}: {str(exc)[:120]}") from exc
        value: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return value


def check_package(package: dict[str, Any], source: str, doc: Any = None) -> None:
    """Schema-check a package: every error (up to 20) as file, line, key, expected, found."""
    from jsonschema.exceptions import best_match

    whole, one = _validators()
    errors = list(whole.iter_errors(package))
    for i, grant in enumerate(package.get("grants") or ()
                              if isinstance(package.get("grants"), list) else ()):
        errors += [_at(e, ("grants", i)) for e in one.iter_errors(grant)]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    problems = []
    for e in errors[:MAX_ERRORS]:
        while e.context:  # a oneOf/anyOf: the closest alternative's own error says more
            e = best_match(e.context)
        path = list(e.absolute_path)
        key = "".join(f"[{p}]" if isinstance(p, int) else (("." if i else "") + str(p))
                      for i, p in enumerate(path)) or None
        line = doc.line_of(tuple(path)) if doc is not None else None
        expected = _expected(e)
        problems.append(Problem(source, line, key, expected,
                                _found(e.instance)))
    if problems:
        raise InputError(problems)


def _at(e: Any, prefix: tuple[Any, ...]) -> Any:
    e.path.extendleft(reversed(prefix))
    return e


def _expected(e: Any) -> str:
    v = e.validator
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", e.message)
        return f"the field {missing[0]!r} (360Giving {PINNED})" if missing else \
            f"the required fields of 360Giving {PINNED}"
    if v == "oneOf":
        return ("a grant with id, title, description, currency, amountAwarded, awardDate, "
                "fundingOrganization and recipientOrganization or recipientIndividual")
    if v == "type":
        return f"a value of type {e.validator_value}"
    if v == "enum":
        return "one of the 360Giving codes"
    if v in ("pattern", "format"):
        return f"a value matching the 360Giving {v} {e.validator_value!s}"[:200]
    return f"a value allowed by 360Giving {PINNED} ({v})"


def _found(value: Any) -> str:
    from ..load.document import describe

    return describe(value)


def applications(path: Path) -> tuple[list[Any], list[str]]:
    """The applications of a 360Giving data file (one per grant) and the carried columns."""
    from ..batch.inputs import Application

    package, doc = read_package(path)
    check_package(package, str(path), doc)
    root = path.resolve().parent
    problems: list[Problem] = []
    apps = []
    seen: set[str] = set()
    for i, grant in enumerate(package["grants"]):
        gid = str(grant["id"])
        line = doc.line_of(("grants", i, "id")) if doc is not None else None
        if gid in seen:
            problems.append(Problem(str(path), line, f"grants[{i}].id", "a unique grant id",
                                    f"{gid!r}, given twice"))
            continue
        seen.add(gid)
        sub = _submission_of(grant, root)
        if sub is None:
            problems.append(Problem(str(path), line, f"grants[{i}].id",
                                    f"a submission for grant {gid!r} ({gid}.yaml beside the "
                                    "file, a folder named by the id, or a relatedDocument "
                                    "url)", "none"))
            continue
        apps.append(Application(gid, sub, {k: _field(grant, k) for k in FIELDS}))
    if problems:
        raise InputError(problems)
    return apps, list(FIELDS)


def _safe_name(gid: str) -> bool:
    return bool(gid) and "/" not in gid and "\\" not in gid and gid not in (".", "..") \
        and "\x00" not in gid


def _submission_of(grant: dict[str, Any], root: Path) -> Path | None:
    for doc in grant.get("relatedDocument") or ():
        url = str(doc.get("url", "")) if isinstance(doc, dict) else ""
        if "://" in url or not url.lower().endswith(SUFFIXES):
            continue
        p = (root / url).resolve()
        if p.is_relative_to(root) and p.is_file():
            return p
    gid = str(grant["id"])
    if not _safe_name(gid):
        return None
    for suffix in SUFFIXES:
        p = root / f"{gid}{suffix}"
        if p.is_file():
            return p
    folder = root / gid
    if folder.is_dir():
        found = [f for f in sorted(folder.iterdir())
                 if f.is_file() and f.suffix.lower() in SUFFIXES]
        if len(found) == 1:
            return found[0]
    return None


def _field(grant: dict[str, Any], name: str) -> str:
    v = grant.get(name)
    if isinstance(v, list):  # recipientOrganization, fundingOrganization, grantProgramme
        return "; ".join(str(x.get("name") or x.get("title") or "") for x in v
                         if isinstance(x, dict))
    return "" if v is None else str(v)


def classified(package: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """The package with each scored grant's ``classifications`` extended by its levels."""
    by_id = {r["application_id"]: r for r in results if r.get("ok")}
    grants = []
    for grant in package["grants"]:
        r = by_id.get(str(grant["id"]))
        if r is None:
            grants.append(grant)
            continue
        row = r["row"]
        base = f"evidencekit:{row['rubric_id']}:{row['rubric_version']}"
        own = [c for c in grant.get("classifications") or ()
               if not str(c.get("vocabulary", "")).startswith("evidencekit:")]
        levels = [("verified", row["level"]), ("claimed", row["claimed_level"])]
        if row.get("claims_awaiting_review") is not None:
            levels.insert(1, ("validated", row.get("validated_level", row["level"])))
        new = [{"vocabulary": f"{base}:{kind}", "code": str(level),
                "title": f"{kind.capitalize()} level {level} ({row['rubric_id']})",
                "description": f"The {kind} evidence level by evidencekit, rubric "
                               f"{row['rubric_id']} version {row['rubric_version']}."}
               for kind, level in levels]
        grants.append({**grant, "classifications": [*own, *new]})
    return {**package, "grants": grants}


def write_classified(source: Path, out: Path, results: list[dict[str, Any]]) -> str:
    """Write ``360giving.json`` (the package with the levels as classifications)."""
    from ..batch.store import atomic_write_text
    from ..jsontext import dumps

    package, _ = read_package(source)
    atomic_write_text(out / "360giving.json",
                      dumps(classified(package, results), indent=2, ensure_ascii=False)
                      + "\n")
    return "360giving.json"
