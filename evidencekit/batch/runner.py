"""Schedule the tasks of a batch on local worker processes or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..vocabulary import DEFAULT_RUBRIC
from .inputs import Application, discover
from .outputs import (
    extra_columns,
    rank_key,
    score_header,
    score_row,
    write_errors_csv,
    write_scores_csv,
    write_scores_xlsx,
)
from .pool import MAX_DEATHS, Attempts, Job, Sent, run_pool
from .progress import Progress
from .store import ResultStore, StartMarks
from .task import TaskSpec, death_record, file_sha256, score, warm


@dataclass(frozen=True)
class BatchOptions:
    rubric: str = DEFAULT_RUBRIC
    parameters: dict[str, str] = field(default_factory=dict)
    workers: int | None = None  # None: one per core
    pdf: bool = False
    html: bool = False
    resume: bool = False
    dask_scheduler: str | None = None
    #: Worker processes are replaced after this many report-rendering tasks, so memory stays
    #: flat over thousands of PDFs (WeasyPrint and fontconfig caches grow).
    recycle_after: int = 40
    chunk_size: int | None = None
    progress: bool | None = None  # None: a bar on a terminal, plain lines otherwise; False: quiet
    portfolio: bool = True  # portfolio.html and portfolio.pdf
    #: A review round's store (a SQLite file or a postgresql:// URL); None: the round
    #: folder's evidencekit-review.sqlite3 when there is one (evidencekit.review.round).
    review_database: str | None = None


@dataclass(frozen=True)
class BatchSummary:
    total: int
    scored: int
    failed: int
    reused: int
    out: Path
    files: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        """0 when every application was scored, 3 when some could not be."""
        return 3 if self.failed else 0


def score_chunk(apps: list[Application], spec: TaskSpec,
                previous: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Score several applications in one task (fewer round trips to the workers)."""
    return [score(a, spec, p) for a, p in zip(apps, previous, strict=True)]


def run_batch(source: str | Path, out: str | Path,
              options: BatchOptions | None = None) -> BatchSummary:
    """Score every application in ``source``; write the outputs into ``out``.

    Whatever happens to one application (an internal error, its worker killed or out of
    memory), the others are scored and the tables are written for what was scored.
    """
    from ..assessment.rubric import load_rubric, resolve_rubric

    opts = options or BatchOptions()
    out_dir = Path(out)
    if not opts.dask_scheduler:  # local workers need SciPy: it loads while the round is found
        from ..stats._special import import_in_background

        import_in_background()
    apps, manifest_columns = discover(source)
    from ..review.round import attach_judgements

    apps, reviewers_required = attach_judgements(source, apps, opts.review_database)
    rubric_path = resolve_rubric(opts.rubric)
    rubric = load_rubric(rubric_path)  # a bad rubric or parameter stops the run up front
    if opts.parameters:
        rubric.with_values(opts.parameters)
    spec = TaskSpec(str(rubric_path.resolve()), dict(opts.parameters), str(out_dir.resolve()),
                    opts.pdf, opts.html, reviewers_required)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .store import unwritable

        raise unwritable(out_dir, exc) from None
    store = ResultStore(out_dir)
    marks = StartMarks(out_dir)
    previous = {a.id: store.load(a.id) if opts.resume else None for a in apps}
    if not opts.resume:
        store.clear()
    started = marks.counts() if opts.resume else {}
    marks.clear_all()
    attempts = Attempts({k: v for k, v in started.items() if k in previous},
                        on_start=marks.mark, on_finish=marks.clear)
    # Every result goes to the journal as it comes; only a compact entry of each stays in
    # memory (to rank and count), so the coordinator's memory hardly grows with the round.
    kept: dict[str, _Kept] = {}
    shared: dict[Any, Any] = {}

    def keep(r: Sent | dict[str, Any], *, reused: bool = False) -> None:
        if isinstance(r, tuple):  # a local worker's: compact fields and the encoded result
            compact, line = r
            kept[compact["application_id"]] = _Kept(compact, store.save_line(line), reused,
                                                    shared)
        else:
            kept[r["application_id"]] = _Kept(r, store.save(r), reused, shared)

    todo = []
    for a in apps:  # an application that took its worker down twice is not tried again
        final = _final_death(a, previous[a.id], attempts.counts.get(a.id, 0))
        if final is not None:
            keep(final, reused=True)
        else:
            todo.append(a)
    for app_id, n in attempts.counts.items():
        if app_id not in kept:
            marks.mark(app_id, n)  # still counts if this run is killed too
    workers = max(1, opts.workers if opts.workers is not None else (os.cpu_count() or 1))
    chunk = opts.chunk_size or _chunk_size(len(todo), workers, opts)
    jobs = [Job(todo[i:i + chunk], [previous[a.id] for a in todo[i:i + chunk]])
            for i in range(0, len(todo), chunk)]
    interrupted: BaseException | None = None
    with Progress(len(apps), enabled=opts.progress) as progress:
        if kept:
            progress.advance(len(kept), sum(1 for e in kept.values() if not e.ok))
        try:
            for r in _execute(jobs, spec, workers, opts, attempts):
                keep(r)
                progress.advance(1, 0 if (r[0] if isinstance(r, tuple) else r).get("ok") else 1)
        except BaseException as exc:  # keep what is done; write complete files only
            interrupted = exc
            if isinstance(exc, KeyboardInterrupt):  # a person stopped it: no attempt counts
                for app_id in list(attempts.counts):
                    if app_id in started:
                        marks.mark(app_id, started[app_id])
                    else:
                        marks.clear(app_id)
    store.close()
    marks.close()
    order = [a.id for a in apps if a.id in kept]
    try:
        files = _write_outputs(out_dir, order, kept, store, manifest_columns, opts)
        from ..threesixty import FIELDS, write_classified

        if Path(source).is_file() and manifest_columns == list(FIELDS):  # 360Giving data
            files.append(write_classified(Path(source), out_dir,
                                          _read_all(order, kept, store)))
    except BaseException:
        if interrupted is not None:
            raise interrupted from None
        raise
    finally:
        store.close()
    if interrupted is not None:
        raise interrupted
    entries = [kept[i] for i in order]
    return BatchSummary(
        total=len(apps), scored=sum(1 for e in entries if e.ok),
        failed=sum(1 for e in entries if not e.ok),
        reused=sum(1 for e in entries if e.reused), out=out_dir, files=tuple(files),
    )


class _Kept:
    """What the coordinator keeps of one result: where it is in the journal, and what
    ranking and the tables' columns need (gate ids, levels, rubric), shared between
    results that have the same ones (every result of a round, as a rule)."""

    __slots__ = ("gates", "key", "levels", "offset", "ok", "reused", "rubric", "titles")

    def __init__(self, r: dict[str, Any], offset: int, reused: bool,
                 shared: dict[Any, Any]) -> None:
        self.offset = offset
        self.ok = bool(r.get("ok"))
        self.reused = reused or bool(r.get("reused"))
        self.key: tuple[Any, ...] | None = None
        self.gates: tuple[str, ...] = ()
        self.levels: tuple[int, ...] = ()
        self.titles: tuple[tuple[str, str], ...] = ()
        self.rubric = ""
        if self.ok:
            row = r["row"]
            self.key = rank_key(r)
            self.gates = shared.setdefault(("g", *(g for g, _ in row["gates"])),
                                           tuple(g for g, _ in row["gates"]))
            levels = tuple(int(n) for n, _ in row.get("levels", ()))
            self.levels = shared.setdefault(("l", *levels), levels)
            titles = tuple((str(g), str(t)) for g, t in row.get("gate_titles", ()))
            self.titles = shared.setdefault(("t", *titles), titles)
            rubric = str(row.get("rubric_id") or "")
            self.rubric = shared.setdefault(("r", rubric), rubric)


def _read_all(order: list[str], kept: dict[str, _Kept], store: ResultStore
              ) -> list[dict[str, Any]]:
    """Every result of the round in the applications' order, read back from the journal
    (for the portfolio and the 360Giving file, which need them all at once)."""
    out = []
    for app_id in order:
        e = kept[app_id]
        r = store.read(e.offset)
        out.append({**r, "reused": True} if e.reused else r)
    return out


def _chunk_size(n: int, workers: int, opts: BatchOptions) -> int:
    """Applications per task. A report takes long enough to be its own task; scoring alone
    takes a few milliseconds, so applications go in chunks: locally a few per worker round
    trip, on a Dask cluster (about 200 µs of scheduling per task, and results fetched over
    the network) up to 500, about 64 tasks for a round of 32,000.

    >>> _chunk_size(100_000, 2, BatchOptions(dask_scheduler="tcp://x:8786"))
    500
    >>> _chunk_size(2_000, 2, BatchOptions())
    32
    """
    if opts.pdf or opts.html:
        return 1
    if opts.dask_scheduler:
        return max(1, min(500, n // 64))
    return max(1, min(32, n // (workers * 8) or 1))


def _final_death(app: Application, previous: dict[str, Any] | None, unfinished: int
                 ) -> dict[str, Any] | None:
    """The stored error of an unchanged application that already stopped two attempts."""
    if (previous is not None and not previous.get("ok")
            and previous.get("deaths", 0) >= MAX_DEATHS
            and previous.get("input_sha256") == file_sha256(app.path)):
        return {**previous, "extra": dict(app.extra)}
    if unfinished >= MAX_DEATHS:
        return death_record(app, "the run stopped while it was being scored", unfinished)
    return None


def _write_outputs(out: Path, order: list[str], kept: dict[str, _Kept], store: ResultStore,
                   manifest_columns: list[str], opts: BatchOptions) -> list[str]:
    """The tables, streamed: rows ranked from the compact entries, each result read back
    from the journal as its row is written (what ``score_rows`` gives for the same
    results, byte for byte)."""
    gates: dict[str, None] = {}
    titles: dict[str, str] = {}
    levels: set[int] = set()
    rubrics: dict[str, int] = {}
    seen: set[int] = set()  # the shared tuples already taken in (most results share them)
    for app_id in order:  # the columns in the applications' order, as score_rows finds them
        e = kept[app_id]
        if not e.ok:
            continue
        rubrics[e.rubric] = rubrics.get(e.rubric, 0) + 1
        if id(e.gates) not in seen:
            seen.add(id(e.gates))
            for g in e.gates:
                gates.setdefault(g, None)
        if id(e.levels) not in seen:
            seen.add(id(e.levels))
            levels.update(e.levels)
        if id(e.titles) not in seen:
            seen.add(id(e.titles))
            for gid, title in e.titles:
                titles.setdefault(gid, title)
    gate_ids, level_ids = list(gates), sorted(levels)
    extras = extra_columns([], manifest_columns)
    header = score_header(gate_ids, level_ids, extras)
    # outputs.ranked's order: the same keys sorted from the same (applications') order
    ranking = sorted((i for i in order if kept[i].ok), key=lambda i: kept[i].key or ())

    def rows() -> Iterator[list[Any]]:
        for rank, app_id in enumerate(ranking, start=1):
            yield score_row(rank, store.read(kept[app_id].offset), gate_ids, level_ids, extras)

    write_scores_csv(out / "scores.csv", header, rows())
    write_scores_xlsx(out / "scores.xlsx", header, rows(), titles, rubrics)
    failed = sorted(app_id for app_id in order if not kept[app_id].ok)
    write_errors_csv(out / "errors.csv", (store.read(kept[i].offset) for i in failed),
                     in_order=True)
    files = ["scores.csv", "scores.xlsx", "errors.csv"]
    if opts.portfolio:
        from .portfolio import write_portfolio

        files += write_portfolio(out, _read_all(order, kept, store), pdf=True, html=True)
    return files


def _execute(jobs: list[Job], spec: TaskSpec, workers: int, opts: BatchOptions,
             attempts: Attempts) -> Iterator[Sent | dict[str, Any]]:
    """Every application's result: a dict, or from a local worker what it sent (pool.Sent)."""
    if opts.dask_scheduler:
        yield from _dask(opts.dask_scheduler, jobs, spec)
    elif workers == 1:
        # In this process: an application that kills it stops the run; its start mark makes
        # --resume try it once more, then record it as an error.
        for job in jobs:
            for app, prev in zip(job.apps, job.previous, strict=True):
                attempts.start(app.id)
                result = score_chunk([app], spec, [prev])[0]
                attempts.finish(app.id)
                yield result
    else:
        if not (opts.pdf or opts.html):  # forked workers inherit it (forkserver ones do not)
            warm(spec)
        yield from run_pool(jobs, spec, workers, rendering=opts.pdf or opts.html,
                            recycle_after=opts.recycle_after if (opts.pdf or opts.html)
                            else None, attempts=attempts)


#: Chunks in flight on a Dask cluster, per worker: enough that a worker always has its next
#: chunk at hand when one ends, few enough that nobody holds the whole round.
_IN_FLIGHT = 3


def _dask(address: str, jobs: list[Job], spec: TaskSpec) -> Iterator[dict[str, Any]]:
    """Score the chunks on a Dask cluster, one task per chunk, each result once.

    A worker lost mid-run is the scheduler's to handle: it runs the lost tasks again on the
    workers left (and a result already fetched is never taken twice: results are keyed by
    application). A chunk whose tasks the cluster gives up on (``KilledWorker``: it took
    workers down again and again) is split into one task per application, so only the
    application that kills workers is recorded as not scored, with the cause.
    """
    import distributed

    from ..dask_client import connect

    dask: Any = distributed  # an untyped library
    client = connect(address, "10s", as_default=True)
    fn: Callable[..., list[dict[str, Any]]] = score_chunk
    seen: set[str] = set()
    # Workers run in folders of their own: every file is named by its absolute path (the
    # cluster is expected to see the round's folder at the same path, a shared file system).
    pending = iter(jobs)
    futures: dict[Any, Job] = {}
    queue = dask.as_completed()

    def submit(job: Job) -> None:
        job = Job([replace(a, path=Path(os.path.abspath(a.path))) for a in job.apps],
                  job.previous)
        fut = client.submit(fn, job.apps, spec, job.previous, pure=False)
        futures[fut] = job
        queue.add(fut)

    def top_up() -> None:
        # A bounded number of chunks in flight (a few per worker): the scheduler, the
        # client and the workers hold those, not the round; the next is sent as one ends.
        workers = client.scheduler_info().get("workers", {}).values()
        limit = _IN_FLIGHT * max(1, sum(int(w.get("nthreads", 1)) for w in workers))
        while len(futures) < limit:
            job = next(pending, None)
            if job is None:
                return
            submit(job)

    try:
        top_up()
        for fut in queue:
            job = futures.pop(fut)
            try:
                results = fut.result()
            except Exception as exc:  # a chunk the cluster gave up on (KilledWorker, ...)
                if len(job.apps) > 1:
                    for app, prev in zip(job.apps, job.previous, strict=True):
                        submit(Job([app], [prev]))
                    continue
                cause = f"Dask: {type(exc).__name__}: {str(exc)[:200]}"
                results = [death_record(app, cause, MAX_DEATHS) for app in job.apps]
            finally:
                fut.release()  # the cluster may forget it: memory stays flat
                top_up()
            for r in results:
                if r["application_id"] not in seen:
                    seen.add(r["application_id"])
                    yield r
    finally:
        client.close()
