"""Score one application. Runs in a worker process (or on a Dask worker): pure inputs in,
a plain, picklable dict out; an application that cannot be assessed becomes an error
record, never an exception that could stop the batch."""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .inputs import Application


@dataclass(frozen=True)
class TaskSpec:
    """What every task needs to know; shared by all applications of a run."""

    rubric: str
    parameters: dict[str, str] = field(default_factory=dict)
    out: str = "."
    pdf: bool = False
    html: bool = False
    #: A review round: agreeing reviewers a claim needs (see evidencekit.review.model).
    reviewers_required: int = 1


def resume_key(submission_path: Path, data_paths: list[Path], spec: TaskSpec,
               rubric_sha: str | None, submission_sha256: str | None = None,
               root: Path | None = None) -> str:
    """Hash of everything that determines an application's result (for ``--resume``; not a
    file's hash: that is ``input_sha256``, the submission file's SHA-256 as in the report).
    ``submission_sha256``, when the loader has already hashed the file, saves reading it
    again, and ``root``, the submission's resolved folder when the loader has resolved it,
    resolving it again (the key is the same)."""
    h = hashlib.sha256()
    h.update(f"evidencekit {__version__}\n{spec.rubric}\n{rubric_sha}\n".encode())
    h.update(repr(sorted(spec.parameters.items())).encode())
    h.update(f"pdf={spec.pdf} html={spec.html}\n".encode())
    from ..load.data import sha256_inside

    if root is None:  # data files are read only from inside it
        root = submission_path.resolve().parent
    for i, p in enumerate((submission_path, *sorted(data_paths))):
        h.update(str(p.name).encode())
        if i > 0:  # a link out, a device or a FIFO is refused, never read
            digest = sha256_inside(p, root)
            h.update(bytes.fromhex(digest) if digest is not None else b"<unreadable>")
            continue
        if submission_sha256 is not None:
            h.update(bytes.fromhex(submission_sha256))
            continue
        try:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def score(app: Application, spec: TaskSpec, previous: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    """Assess one application and describe the outcome as a plain dict."""
    from ..errors import InputError

    base: dict[str, Any] = {"application_id": app.id, "path": str(app.path),
                            "extra": dict(app.extra)}
    try:
        return _score(app, spec, previous, base)
    except InputError as exc:
        return {**base, "ok": False, "input_sha256": file_sha256(app.path),
                "problems": [p.to_dict() for p in exc.problems]}
    except Exception as exc:  # one broken application never stops the batch
        return {**base, "ok": False, "input_sha256": file_sha256(app.path),
                "problems": [{"file": str(app.path), "line": None, "key": None,
                              "expected": "an application evidencekit can assess",
                              "found": f"an internal error ({type(exc).__name__}: {exc})",
                              "message": f"{app.path}: internal error ({type(exc).__name__}: "
                                         f"{exc}); please report it.",
                              "traceback": traceback.format_exc(limit=8)}]}


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes (None for anything else or an unreadable file)."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def death_record(app: Application, cause: str, deaths: int) -> dict[str, Any]:
    """The error record of an application whose worker process died ``deaths`` times."""
    times = "twice" if deaths == 2 else f"{deaths} times"
    message = (f"{app.path}: the worker process scoring this application died {times} "
               f"({cause}); it was not scored. Change the file, or run again without "
               f"--resume, to try it again.")
    return {"application_id": app.id, "path": str(app.path), "extra": dict(app.extra),
            "ok": False, "input_sha256": file_sha256(app.path), "deaths": deaths,
            "problems": [{"file": str(app.path), "line": None, "key": None,
                          "expected": "an application whose scoring finishes",
                          "found": f"the worker died {times} ({cause})", "message": message}]}


def _score(app: Application, spec: TaskSpec, previous: dict[str, Any] | None,
           base: dict[str, Any]) -> dict[str, Any]:
    from ..analysis import analyse_submission
    from ..assessment.engine import analysis_options, assess_submission
    from ..load import load_submission
    from ..load.model import DataSource
    from .inputs import check_submission

    check_submission(app)  # a link out of the round, a FIFO or a device is never read
    rubric = _rubric(spec)
    sub = load_submission(app.path)
    from ..load.data.partitions import parts

    data = [p for e in sub.evaluations for o in e.outcomes if isinstance(o.source, DataSource)
            for p in (parts(o.source) or [o.source.path])]  # every part of a dataset
    key = resume_key(app.path, data, spec, rubric.sha256, sub.sha256, sub.base_dir)
    review = None
    if app.judgements is not None:  # a review round: the judgements are part of the result
        from ..review.model import decide
        from ..review.version import submission_version  # the file and its data files

        review = decide(app.judgements, submission_version(sub), spec.reviewers_required)
        key = hashlib.sha256((key + repr(app.judgements) +
                              str(spec.reviewers_required)).encode()).hexdigest()
    if (previous is not None and previous.get("ok") and previous.get("resume_key") == key
            and all(Path(r).exists() for r in previous.get("reports", []))):
        return {**previous, "extra": dict(app.extra), "reused": True}
    explain = spec.pdf or spec.html  # reasons are for reports; the scores need statuses
    # Without reports, nothing shows the effects no decision reads (supplementary ones).
    analysis = analyse_submission(sub, _options(spec, analysis_options),
                                  supplementary=explain)
    result = assess_submission(sub, rubric, analysis, explain=explain, review=review)
    reports = _render_reports(result, sub, rubric, app, spec)
    row = {**summarise(result), "theme": sub.programme.theme}
    return {**base, "ok": True, "input_sha256": sub.sha256, "resume_key": key, "row": row,
            "reports": reports}


_RUBRICS: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


_OPTIONS: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def _options(spec: TaskSpec, make: Any) -> Any:
    """The run's analysis options (from its rubric), worked out once per worker process."""
    key = (spec.rubric, tuple(sorted(spec.parameters.items())))
    if key not in _OPTIONS:
        _OPTIONS[key] = make(_rubric(spec))
    return _OPTIONS[key]


def warm(spec: TaskSpec) -> None:
    """Import the scoring stages, load the run's rubric and compile its conditions in this
    process, so worker processes forked from it start with all of that done (once, not once
    per worker)."""
    # The statistics load SciPy's special functions only when first used (stats._special):
    # load them here, or every worker would load them again after the fork. Only the
    # compiled ufuncs: ``import scipy.special`` would also run SciPy's array-API layer
    # (≈0.15 s more), which scoring never uses.
    from ..stats._special import load_ufuncs

    load_ufuncs()
    from ..analysis import analyse_submission  # noqa: F401 - imported for the workers
    from ..assessment import engine  # noqa: F401
    from ..assessment.conditions import truth
    from ..load import load_submission  # noqa: F401

    rubric = _rubric(spec)
    for lv in rubric.levels:
        for c in lv.criteria:
            truth(c.check)
    for ov in rubric.overrides:
        truth(ov.check)


def _rubric(spec: TaskSpec) -> Any:
    """The run's rubric, loaded once per worker process (tasks share it)."""
    from ..assessment.rubric import load_rubric

    key = (spec.rubric, tuple(sorted(spec.parameters.items())))
    if key not in _RUBRICS:
        rubric = load_rubric(spec.rubric)
        _RUBRICS[key] = rubric.with_values(spec.parameters) if spec.parameters else rubric
    return _RUBRICS[key]


def _render_reports(result: Any, sub: Any, rubric: Any, app: Application,
                    spec: TaskSpec) -> list[str]:
    if not (spec.pdf or spec.html):
        return []
    from .reports import render_application

    return render_application(result, sub, rubric, app, Path(spec.out), pdf=spec.pdf,
                              html=spec.html)


def summarise(result: Any) -> dict[str, Any]:
    """The scores row of one assessment (unrounded numbers; rounding is the reader's)."""
    effect: dict[str, Any] = {"effect_measure": None, "effect": None, "effect_ci_low": None,
                              "effect_ci_high": None, "effect_source": None, "n_analysed": None}
    # The programme's headline effect, by the one rule every surface uses
    # (evidencekit.analysis.headline); favourable direction.
    h = result.headline
    if h is not None:
        fci = h.favourable_ci
        effect.update(effect_measure=f"{h.measure} (favourable direction)",
                      effect=h.favourable_estimate,
                      effect_ci_low=fci[0] if fci is not None else None,
                      effect_ci_high=fci[1] if fci is not None else None,
                      effect_source=h.source, n_analysed=h.n_analysed)
    # A list of pairs, not a dict: the rubric's order survives JSON with sorted keys.
    gates = [[c.id, c.status] for lv in result.levels for c in lv.criteria if c.gate]
    return {
        "programme": result.programme,
        "organisation": result.organisation,
        "level": result.level,
        "validated_level": result.validated,
        "claimed_level": result.claimed_level,
        # Claimed gating criteria the reviewers have not decided (None: no review round).
        "claims_awaiting_review": (None if result.review is None else sum(
            1 for lv in result.levels for c in lv.criteria if c.gate and c.status == "claimed"
            and (c.review is None or c.review.decision not in ("validated", "rejected")))),
        "overclaim_gap": result.claimed_level - result.level,
        # published numbers that do not fit together (statcheck, GRIM/GRIMMER, CI centring)
        "reporting_flags": _reporting_flags(result.analysis),
        "level_label": result.level_title(result.level),
        "gates": gates,
        # Each level's cumulative status as the assessment decided it (contract §5.1).
        "levels": [[lv.level, lv.status] for lv in result.levels],
        "gate_titles": [[c.id, c.title] for lv in result.levels for c in lv.criteria
                        if c.gate],
        **effect,
        # Whether the headline effect's evaluation passes the rubric's causal test (None: the
        # rubric has none, or no headline), and its design: the portfolio marks the rest.
        "effect_causal": result.headline_causal,
        "effect_design": h.design if h is not None else None,
        # The submission's cost per participant (None when not given), for the portfolio.
        "cost_per_participant": (result.value_for_money.cost_per_participant
                                 if result.value_for_money is not None else None),
        "cost_currency": (result.value_for_money.currency
                          if result.value_for_money is not None else None),
        "rubric_id": result.rubric_id,
        "rubric_version": result.rubric_version,
    }


def _reporting_flags(analysis: Any) -> int:
    from ..analysis.checks import CODES

    return sum(1 for e in analysis.evaluations for o in e.outcomes for n in o.notes
               if n.code in CODES)
