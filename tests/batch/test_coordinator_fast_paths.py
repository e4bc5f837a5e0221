"""The coordinator's shortcuts give exactly what the long ways give: a start mark's journal
line (store.mark_line) is journal_line's, byte for byte; scores.csv's row writer hands
numbers to the csv module and gives _cell's bytes; a worker's result is kept under the seq
its job was made with, without asking the ledger's database which application it is."""

from __future__ import annotations

import csv
import io
import math
import shutil
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evidencekit.batch import outputs, runner
from evidencekit.batch.ledger import Ledger
from evidencekit.batch.store import StartMarks, journal_line, mark_line

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IDS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(IDS, st.integers(min_value=0, max_value=10**6))
def test_mark_line_is_journal_line(app_id: str, attempts: int) -> None:
    assert mark_line(app_id, attempts) == journal_line(
        {"application_id": app_id, "attempts": attempts})


def test_marks_read_back(tmp_path: Path) -> None:
    marks = StartMarks(tmp_path)
    marks.mark('a "quoted"\nid é', 1)
    marks.mark("b", 2)
    marks.clear("b")
    marks.close()
    assert marks.counts() == {'a "quoted"\nid é': 1}


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["=1+1", "-0.5", "@SUM(A1)", "a,b", 'say "hi"', "line\nbreak", ""]))


def _old_way(rows: list[list[Any]]) -> str:
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    for row in rows:
        w.writerow([outputs._cell(v) for v in row])
    return f.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=8), min_size=1, max_size=5))
def test_csv_row_writer_gives_cells_bytes(rows: list[list[Any]]) -> None:
    f = io.StringIO()
    put = outputs._csv_rows(f)
    for row in rows:
        put(row)
    assert f.getvalue() == _old_way(rows)


def test_csv_row_writer_non_finite_and_subclasses() -> None:
    class Num(float):
        pass

    row = [math.nan, -math.inf, math.inf, True, False, Num(1.5), 0.1 + 0.2, 10**20]
    f = io.StringIO()
    outputs._csv_rows(f)(row)
    assert f.getvalue() == _old_way([row]) == "nan,\u2212inf,inf,true,false,1.5," \
        "0.30000000000000004,100000000000000000000\n"


def test_results_are_kept_without_asking_the_ledger(tmp_path: Path, monkeypatch: Any) -> None:
    """Every result is kept under its own application (the levels are each one's own, the
    tables equal for one worker and two) and Ledger.seq_of is asked about none of them."""
    src = tmp_path / "apps"
    src.mkdir()
    for name in ("goodgym", "code-club", "shared-lives", "city-year"):
        shutil.copy(EXAMPLES / f"{name}.yaml", src / f"{name}.yaml")
    (src / "broken.yaml").write_text("programme: {name: [unclosed\n", encoding="utf-8")
    asked: list[str] = []
    seq_of = Ledger.seq_of

    def counting(self: Ledger, application_id: str) -> int | None:
        asked.append(application_id)
        return seq_of(self, application_id)

    monkeypatch.setattr(Ledger, "seq_of", counting)
    tables = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        runner.run_batch(src, out, runner.BatchOptions(workers=workers, portfolio=False,
                                                       progress=False))
        assert asked == []
        with (out / "scores.csv").open(encoding="utf-8", newline="") as f:
            levels = {r["application_id"]: r["level"] for r in csv.DictReader(f)}
        assert levels == {"shared-lives": "5", "goodgym": "3", "city-year": "2",
                          "code-club": levels["code-club"]} and len(levels) == 4
        tables.append(((out / "scores.csv").read_bytes(), (out / "errors.csv").read_bytes()))
    assert tables[0] == tables[1]
