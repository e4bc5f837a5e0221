"""Schedule the tasks of a batch on local worker processes or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .inputs import Application, discover
from .outputs import score_rows, write_errors_csv, write_scores_csv, write_scores_xlsx
from .progress import Progress
from .store import ResultStore
from .task import TaskSpec, score


@dataclass(frozen=True)
class BatchOptions:
    rubric: str = "nesta"
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
    """Score every application in ``source``; write the outputs into ``out``."""
    from ..assessment.rubric import load_rubric, resolve_rubric

    opts = options or BatchOptions()
    out_dir = Path(out)
    apps, manifest_columns = discover(source)
    rubric_path = resolve_rubric(opts.rubric)
    rubric = load_rubric(rubric_path)  # a bad rubric or parameter stops the run up front
    if opts.parameters:
        rubric.with_values(opts.parameters)
    spec = TaskSpec(str(rubric_path.resolve()), dict(opts.parameters), str(out_dir.resolve()),
                    opts.pdf, opts.html)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError.one(str(out_dir), "a folder the results can be written to",
                             exc.strerror or str(exc)) from exc
    store = ResultStore(out_dir)
    previous = {a.id: store.load(a.id) if opts.resume else None for a in apps}
    workers = max(1, opts.workers if opts.workers is not None else (os.cpu_count() or 1))
    chunk = opts.chunk_size or (1 if (opts.pdf or opts.html) else
                                max(1, min(32, len(apps) // (workers * 8) or 1)))
    chunks = [apps[i:i + chunk] for i in range(0, len(apps), chunk)]
    results: dict[str, dict[str, Any]] = {}
    interrupted: BaseException | None = None
    with Progress(len(apps), enabled=opts.progress) as progress:
        try:
            for batch in _execute(chunks, spec, previous, workers, opts):
                failed = 0
                for r in batch:
                    store.save(r)
                    results[r["application_id"]] = r
                    failed += 0 if r.get("ok") else 1
                progress.advance(len(batch), failed)
        except KeyboardInterrupt as exc:  # keep what is done; write complete files only
            interrupted = exc
    ordered = [results[a.id] for a in apps if a.id in results]
    files = _write_outputs(out_dir, ordered, manifest_columns, opts)
    if interrupted is not None:
        raise interrupted
    return BatchSummary(
        total=len(apps), scored=sum(1 for r in ordered if r.get("ok")),
        failed=sum(1 for r in ordered if not r.get("ok")),
        reused=sum(1 for r in ordered if r.get("reused")), out=out_dir, files=tuple(files),
    )


def _write_outputs(out: Path, results: list[dict[str, Any]], manifest_columns: list[str],
                   opts: BatchOptions) -> list[str]:
    header, rows = score_rows(results, manifest_columns)
    write_scores_csv(out / "scores.csv", header, rows)
    write_scores_xlsx(out / "scores.xlsx", header, rows)
    write_errors_csv(out / "errors.csv", results)
    files = ["scores.csv", "scores.xlsx", "errors.csv"]
    if opts.portfolio:
        from .portfolio import write_portfolio

        files += write_portfolio(out, results, pdf=True, html=True)
    return files


def _execute(chunks: list[list[Application]], spec: TaskSpec,
             previous: dict[str, dict[str, Any] | None], workers: int,
             opts: BatchOptions) -> Iterator[list[dict[str, Any]]]:
    args = [(c, [previous[a.id] for a in c]) for c in chunks]
    if opts.dask_scheduler:
        yield from _dask(opts.dask_scheduler, args, spec)
    elif workers == 1:
        for apps, prev in args:
            yield score_chunk(apps, spec, prev)
    else:
        yield from _local_pool(args, spec, workers, opts)


def _local_pool(args: list[tuple[list[Application], list[dict[str, Any] | None]]],
                spec: TaskSpec, workers: int, opts: BatchOptions
                ) -> Iterator[list[dict[str, Any]]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    rendering = opts.pdf or opts.html
    # Scoring alone forks (cheap; the parent has already imported everything). Rendering
    # reports recycles workers, which needs a fresh interpreter per worker (forkserver).
    ctx = multiprocessing.get_context("forkserver" if rendering else "fork")
    kwargs: dict[str, Any] = {"max_tasks_per_child": opts.recycle_after} if rendering else {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, **kwargs)
    pending: set[Future[list[dict[str, Any]]]] = set()
    it = iter(args)
    try:
        for apps, prev in _take(it, workers * 4):
            pending.add(pool.submit(score_chunk, apps, spec, prev))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
                for apps, prev in _take(it, 1):
                    pending.add(pool.submit(score_chunk, apps, spec, prev))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _take(it: Iterator[Any], n: int) -> Iterable[Any]:
    for _ in range(n):
        try:
            yield next(it)
        except StopIteration:
            return


def _dask(address: str, args: list[tuple[list[Application], list[dict[str, Any] | None]]],
          spec: TaskSpec) -> Iterator[list[dict[str, Any]]]:
    try:
        import distributed
    except ImportError as exc:
        raise UsageError.one(None, "the optional Dask extra (pip install 'evidencekit[dask]') "
                             "for --dask-scheduler", "it not installed") from exc
    dask: Any = distributed  # an untyped library
    try:
        client = dask.Client(address, timeout="10s")
    except OSError as exc:
        raise UsageError.one(None, "a reachable Dask scheduler at --dask-scheduler",
                             f"{address!r} ({exc})") from exc
    fn: Callable[..., list[dict[str, Any]]] = score_chunk
    try:
        futures = [client.submit(fn, apps, spec, prev, pure=False) for apps, prev in args]
        for fut in dask.as_completed(futures):
            yield fut.result()
    finally:
        client.close()
