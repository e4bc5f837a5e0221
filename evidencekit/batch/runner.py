"""Schedule the tasks of a batch on local worker processes or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..vocabulary import DEFAULT_RUBRIC
from .inputs import Application, discover_into
from .ledger import Ledger
from .outputs import (
    extra_columns,
    rank_key,
    score_header,
    score_row,
    write_errors_csv,
    write_scores_tables,
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
    opts = options or BatchOptions()
    out_dir = Path(out)
    if not opts.dask_scheduler:  # local workers need SciPy: it loads while the round is found
        from ..stats._special import import_in_background

        import_in_background()
    ledger = Ledger()
    try:
        manifest_columns = discover_into(source, ledger)
        from ..review.round import judgements_for

        judge, reviewers_required = judgements_for(source, opts.review_database)
        return _prepare(ledger, source, out_dir, judge, reviewers_required,
                        manifest_columns, opts)
    finally:
        ledger.close()


def _prepare(ledger: Ledger, source: str | Path, out_dir: Path,
             judge: Callable[[str], tuple[Any, ...]] | None, reviewers_required: int,
             manifest_columns: list[str], opts: BatchOptions) -> BatchSummary:
    from ..assessment.rubric import load_rubric, resolve_rubric

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
    try:
        return _run(ledger, source, out_dir, store, marks, spec, judge, manifest_columns, opts)
    finally:
        store.close()


def _run(ledger: Ledger, source: str | Path, out_dir: Path, store: ResultStore,
         marks: StartMarks, spec: TaskSpec, judge: Callable[[str], tuple[Any, ...]] | None,
         manifest_columns: list[str], opts: BatchOptions) -> BatchSummary:
    # The round, what is kept of each result and where the earlier results are all stay on
    # disk (the ledger): the coordinator's memory does not grow with the round.
    if opts.resume:
        ledger.index_previous(store.offsets())
    else:
        store.clear()

    def previous(app_id: str) -> dict[str, Any] | None:
        return store.load_at(app_id, ledger.previous_offset(app_id)) if opts.resume else None

    started = marks.counts() if opts.resume else {}
    marks.clear_all()
    attempts = Attempts({k: v for k, v in started.items() if ledger.seq_of(k) is not None},
                        on_start=marks.mark, on_finish=marks.clear)

    def keep(seq: int | None, r: Sent | dict[str, Any], *, reused: bool = False) -> None:
        if isinstance(r, tuple):  # a local worker's: compact fields and the encoded result
            compact, line = r
            offset = store.save_line(line)
        else:
            compact, offset = r, store.save(r)
        if seq is None:  # the seq its job was made with (the database is asked only if
            # a result came for an application no job of this run holds: none, as it stands)
            seq = handed_out.pop(compact["application_id"], None)
            if seq is None:
                seq = ledger.seq_of(compact["application_id"])
            assert seq is not None
        ledger.keep(seq, compact, offset, reused,
                    rank_key(compact) if compact.get("ok") else None)

    if opts.resume:  # an application that took its worker down twice is not tried again
        for seq, a in ledger.applications(judge):
            final = _final_death(a, previous(a.id), attempts.counts.get(a.id, 0))
            if final is not None:
                keep(seq, final, reused=True)
                ledger.mark_final(seq)
    for app_id, n in attempts.counts.items():
        if not ledger.is_kept(app_id):
            marks.mark(app_id, n)  # still counts if this run is killed too
    workers = max(1, opts.workers if opts.workers is not None else (os.cpu_count() or 1))
    chunk = opts.chunk_size or _chunk_size(len(ledger) - ledger.finals(), workers, opts)

    # The ledger's seq of each application handed out in a job and not yet kept, so a
    # result is kept without asking the database which application it is; as many as the
    # jobs taken so far and not finished (the pool and the cluster take a few at a time).
    # Ids are unique in a round; setdefault keeps the first seq, as Ledger.seq_of would.
    handed_out: dict[str, int] = {}

    def jobs() -> Iterator[Job]:
        # Made as they are needed (the pool and the cluster take a few at a time), each
        # with its applications' earlier results, looked up then.
        apps: list[Application] = []
        for seq, a in ledger.applications(judge, skip_finals=True):
            handed_out.setdefault(a.id, seq)
            apps.append(a)
            if len(apps) == chunk:
                yield Job(apps, [previous(x.id) for x in apps])
                apps = []
        if apps:
            yield Job(apps, [previous(x.id) for x in apps])

    interrupted: BaseException | None = None
    with Progress(len(ledger), enabled=opts.progress) as progress:
        scored, failed, _ = ledger.counts()
        if scored + failed:
            progress.advance(scored + failed, failed)
        try:
            for r in _execute(jobs(), spec, workers, opts, attempts, ledger.is_kept):
                keep(None, r)
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
    try:
        files = _write_outputs(out_dir, ledger, store, manifest_columns, opts)
        from ..threesixty import FIELDS, write_classified

        if Path(source).is_file() and manifest_columns == list(FIELDS):  # 360Giving data
            files.append(write_classified(Path(source), out_dir, _read_all(ledger, store)))
    except BaseException:
        if interrupted is not None:
            raise interrupted from None
        raise
    finally:
        store.close()
    if interrupted is not None:
        raise interrupted
    scored, failed, reused = ledger.counts()
    return BatchSummary(total=len(ledger), scored=scored, failed=failed, reused=reused,
                        out=out_dir, files=tuple(files))


def _read_all(ledger: Ledger, store: ResultStore) -> list[dict[str, Any]]:
    """Every result of the round in the applications' order, read back from the journal
    (for the portfolio and the 360Giving file, which need them all at once: these hold the
    round in memory)."""
    out = []
    for offset, reused in ledger.in_order():
        r = store.read(offset)
        out.append({**r, "reused": True} if reused else r)
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


def _write_outputs(out: Path, ledger: Ledger, store: ResultStore,
                   manifest_columns: list[str], opts: BatchOptions) -> list[str]:
    """The tables, streamed: rows ranked by the ledger, each result read back from the
    journal once as its row is written to both tables (what ``score_rows`` gives for the
    same results, byte for byte)."""
    gates: dict[str, None] = {}
    titles: dict[str, str] = {}
    levels: set[int] = set()
    rubrics: dict[str, int] = {}
    # The columns in the applications' order, as score_rows finds them: each distinct set of
    # gates, levels, titles and rubric where it first appears (later ones add nothing new).
    for shape, n in ledger.shapes_in_order():
        shape_gates, shape_levels, shape_titles, rubric = ledger.shapes[shape]
        rubrics[rubric] = rubrics.get(rubric, 0) + n
        for g in shape_gates:
            gates.setdefault(g, None)
        levels.update(shape_levels)
        for gid, title in shape_titles:
            titles.setdefault(gid, title)
    gate_ids, level_ids = list(gates), sorted(levels)
    extras = extra_columns([], manifest_columns)
    header = score_header(gate_ids, level_ids, extras)

    def rows() -> Iterator[list[Any]]:  # outputs.ranked's order (Ledger.ranked)
        for rank, offset in enumerate(ledger.ranked(), start=1):
            yield score_row(rank, store.read(offset), gate_ids, level_ids, extras)

    unwritten: InputError | None = None
    try:
        write_scores_tables(out / "scores.csv", out / "scores.xlsx", header, rows(), titles,
                            rubrics)
    except InputError as exc:  # a table that cannot be written: errors.csv still is
        unwritten = exc
    write_errors_csv(out / "errors.csv", (store.read(o) for o in ledger.failed()),
                     in_order=True)
    if unwritten is not None:
        raise unwritten
    files = ["scores.csv", "scores.xlsx", "errors.csv"]
    if opts.portfolio:
        from .portfolio import write_portfolio

        files += write_portfolio(out, _read_all(ledger, store), pdf=True, html=True)
    return files


def _execute(jobs: Iterable[Job], spec: TaskSpec, workers: int, opts: BatchOptions,
             attempts: Attempts, taken: Callable[[str], bool] | None = None
             ) -> Iterator[Sent | dict[str, Any]]:
    """Every application's result: a dict, or from a local worker what it sent (pool.Sent)."""
    if opts.dask_scheduler:
        yield from _dask(opts.dask_scheduler, jobs, spec, taken)
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


def _dask(address: str, jobs: Iterable[Job], spec: TaskSpec,
          taken: Callable[[str], bool] | None = None) -> Iterator[dict[str, Any]]:
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
    # Whether an application's result is taken for the first time: ``taken`` asks the
    # ledger (on disk, by the time the next result is looked at); without it, a set.
    seen: set[str] = set()

    def first(app_id: str) -> bool:
        if taken is not None:
            return not taken(app_id)
        if app_id in seen:
            return False
        seen.add(app_id)
        return True
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
                if first(r["application_id"]):
                    yield r
    finally:
        client.close()
