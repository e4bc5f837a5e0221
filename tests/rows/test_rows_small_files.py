"""A small CSV file (at most ``limits.SMALL_FILE`` bytes) is read whole with one open and
parsed on the calling thread; a larger one streams through the background prefetch thread.
Both paths give the same batches, labels, counts and error messages, and the small path
refuses what the streamed one refuses."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evidencekit.errors import DataError
from evidencekit.load.data import ColumnRequest, DataFile, arrow, limits
from evidencekit.load.data import files as data_files
from evidencekit.load.model import DataSource

REQUESTS = [ColumnRequest("post", "number", "outcome"),
            ColumnRequest("arm", "category", "group"),
            ColumnRequest("pre", "number", "pretest")]


def _csv(path: Path, rows: int, bad_line: int | None = None) -> int:
    lines = ["arm,pre,post"]
    for i in range(rows):
        arm = "tutored" if i % 3 else "control"
        post = "n/a" if i % 17 == 5 else f"{50 + (i * 7) % 13 / 3:.2f}"
        lines.append(f"{arm},{40 + i % 11:.2f},{post}")
    if bad_line is not None:
        lines[bad_line - 1] = "tutored,41.00,twelve"
    lines.insert(3, "NA,,")  # a blank row, dropped and counted
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path.stat().st_size


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, small_limit: int
          ) -> tuple[list[Any], dict[str, Any], int]:
    """The batches of ``path`` with ``limits.SMALL_FILE`` set to ``small_limit``, and
    how many prefetch threads were started."""
    monkeypatch.setattr(limits, "SMALL_FILE", small_limit)
    started = []
    threaded = arrow._threaded

    def counting(produce: Any) -> Any:
        started.append(threading.current_thread().name)
        return threaded(produce)

    monkeypatch.setattr(arrow, "_threaded", counting)
    data = DataFile(DataSource(path, {}, root=path.parent), REQUESTS, "outcomes[0]")
    batches = [(dict(b.values), dict(b.codes), b.size) for b in data.batches()]
    summary = {"labels": data.labels("arm"), "label_rows": data.label_rows("arm").tolist(),
               "rows": data.rows, "blank_rows": data.blank_rows}
    return batches, summary, len(started)


def _same(a: list[Any], b: list[Any]) -> None:
    assert len(a) == len(b)
    for (va, ca, na), (vb, cb, nb) in zip(a, b, strict=True):
        assert na == nb
        assert va.keys() == vb.keys() and ca.keys() == cb.keys()
        for k in va:
            np.testing.assert_array_equal(va[k], vb[k])  # NaN where missing, in both
        for k in ca:
            np.testing.assert_array_equal(ca[k], cb[k])


def test_small_and_streamed_csv_give_the_same_batches_at_the_boundary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "outcomes.csv"
    size = _csv(path, 240)
    small, small_summary, small_threads = _read(path, monkeypatch, size)  # exactly the limit
    big, big_summary, big_threads = _read(path, monkeypatch, size - 1)    # one byte over it
    assert (small_threads, big_threads) == (0, 1)
    _same(small, big)
    assert small_summary == big_summary
    assert small_summary["rows"] == 240 and small_summary["blank_rows"] == 1


def test_a_bad_value_is_located_alike_in_a_small_and_a_streamed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "outcomes.csv"
    size = _csv(path, 120, bad_line=60)
    messages = []
    for limit in (size, size - 1):
        with pytest.raises(DataError) as info:
            _read(path, monkeypatch, limit)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "line 61" in messages[0] and "'twelve'" in messages[0]


def test_a_small_file_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "outcomes.csv"
    _csv(path, 60)
    opened = []
    original = data_files.open_inside

    def counting(*args: Any) -> Any:
        opened.append(args[0])
        return original(*args)

    monkeypatch.setattr("evidencekit.load.data.datafile.open_inside", counting)
    _read(path, monkeypatch, limits.SMALL_FILE)
    assert len(opened) == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_small_file_through_a_link_out_of_the_folder_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.csv"
    _csv(secret, 60)
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "outcomes.csv").symlink_to(secret)
    assert secret.stat().st_size <= limits.SMALL_FILE
    with pytest.raises(DataError, match="a symbolic link to something outside"):
        _read(folder / "outcomes.csv", monkeypatch, limits.SMALL_FILE)


BLOCKS = {"half": lambda size: size // 2, "size-1": lambda size: size - 1,
          "size": lambda size: size, "size+1": lambda size: size + 1, "256": lambda size: 256}


@pytest.mark.parametrize("block", list(BLOCKS))
def test_a_small_file_is_cut_into_the_blocks_of_a_streamed_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str) -> None:
    """pyarrow reads a small file's bytes in one block one byte longer than the file, or
    in the configured blocks when those are shorter: the batches are those of the
    streamed file with the same block size."""
    path = tmp_path / "outcomes.csv"
    size = _csv(path, 240)
    monkeypatch.setattr(limits, "CSV_BLOCK", BLOCKS[block](size))
    small, small_summary, _ = _read(path, monkeypatch, size)
    big, big_summary, _ = _read(path, monkeypatch, size - 1)
    _same(small, big)
    assert small_summary == big_summary
    assert len(small) > 1 or block not in ("half", "256")


def test_a_small_windows_1252_file_keeps_the_configured_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text in another encoding is transcoded to UTF-8 before pyarrow cuts its blocks
    (longer than the file: 'é' is one byte here, two in UTF-8), so a block one byte
    longer than the file would cut it where the streamed file is not cut."""
    path = tmp_path / "outcomes.csv"
    lines = ["arm,pre,post"] + [f"{'éé' * 20 if i % 2 else 'control'},{i % 7},{i % 5}"
                                for i in range(200)]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    size = path.stat().st_size
    small, small_summary, _ = _read(path, monkeypatch, size)
    big, big_summary, _ = _read(path, monkeypatch, size - 1)
    _same(small, big)
    assert small_summary == big_summary and len(small) == 1
    assert small_summary["labels"] == ["control", "éé" * 20]


def test_a_small_file_with_a_record_over_the_limit_is_refused_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small file is read without the record check only when it is itself within the
    record limit; a smaller limit refuses its long record as the streamed read does."""
    path = tmp_path / "outcomes.csv"
    lines = ["arm,pre,post,notes"] + [f"tutored,{i},{i + 1},x" for i in range(50)]
    lines[20] = "control,1,2," + "y" * 3000
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setattr(limits, "CSV_LINE_BYTES", 2048)
    messages = []
    for limit in (size, size - 1):
        with pytest.raises(DataError) as info:
            _read(path, monkeypatch, limit)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "line 21" in messages[0] and "CSV record" in messages[0]
    monkeypatch.setattr(limits, "CSV_LINE_BYTES", size)  # the file itself is within it
    small, _, _ = _read(path, monkeypatch, size)
    big, _, _ = _read(path, monkeypatch, size - 1)
    _same(small, big)
