"""Nothing of Python's is left on one of Arrow's threads when a read returns.

pyarrow reads a Python file object from its own I/O threads and releases what it got from
it — the chunks, the file itself, an exception ``read`` raised — later, on those threads,
taking the GIL to do so. After a refused file the interpreter could begin to exit first, and
an Arrow thread asking for the GIL then is ended inside Arrow's ``noexcept`` code: the
process aborted ("terminate called without an active exception", exit 134 after the
refusal's sentence; 6 runs in 60 with four analyses at once). These tests pin the three
guarantees that removed it (0 aborts in 240 such runs): the reading thread waits until Arrow
has given back the file and every chunk (:meth:`Loan.settle`, never by its time-out), the
prefetch thread has ended before the batches' generator finishes, and ``read`` never raises
into Arrow (nor runs a codec there: the file is transcoded by :class:`ArrowFile`).
"""

from __future__ import annotations

import codecs
import io
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evidencekit.errors import DataError
from evidencekit.load.data import ColumnRequest, DataFile, arrowfile, limits
from evidencekit.load.data.arrowfile import Loan
from evidencekit.load.model import DataSource

REQUESTS = [ColumnRequest("score", "number", "outcome"),
            ColumnRequest("arm", "category", "group")]


def _rows(n: int, start: int = 0) -> list[str]:
    return [f"{'tutored' if i % 2 else 'control'},{50 + i % 7},note {i}"
            for i in range(start, start + n)]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(["arm,score,notes", *lines]) + "\n").encode(encoding))
    return path


@pytest.fixture()
def settles(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What every :meth:`Loan.settle` returned, its time-out cut to 3 s (it takes ms)."""
    results: list[bool] = []
    settle = Loan.settle

    def recording(self: Loan, timeout: float = 3.0) -> bool:
        result = settle(self, min(timeout, 3.0))
        results.append(result)
        return result

    monkeypatch.setattr(Loan, "settle", recording)
    return results


def _data(path: Path) -> DataFile:
    return DataFile(DataSource(path, {}, root=path.parent), REQUESTS, "outcomes[0]")


def _reader_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "evidencekit-data"]


def test_a_refused_record_leaves_nothing_lent(tmp_path: Path, settles: list[bool],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The case that aborted: a quoted value spanning lines past the record limit, refused
    from inside ``read`` while Arrow reads ahead."""
    monkeypatch.setattr(limits, "CSV_LINE_BYTES", 1 << 20)
    value = ("y" * 100 + "\n") * 30_000
    path = _write(tmp_path / "quoted.csv",
                  ['tutored,50,"two\nlines"', *_rows(200), f'tutored,51,"{value}"', *_rows(10)])
    with pytest.raises(DataError, match="of at most 1 MiB"):
        for _ in _data(path).batches():
            pass
    assert settles == [True]
    assert _reader_threads() == []


def test_a_consumer_stopping_early_ends_the_reader(tmp_path: Path, settles: list[bool],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Several batches (small blocks), the consumer leaving after the first: the prefetch
    thread closes its reader and ends before the generator does."""
    monkeypatch.setattr(limits, "CSV_BLOCK", 1 << 16)
    monkeypatch.setattr(limits, "SMALL_FILE", 1 << 10)
    path = _write(tmp_path / "long.csv", _rows(60_000))
    batches = _data(path).batches()
    first = next(iter(batches))
    assert first.size > 0
    batches.close()  # type: ignore[attr-defined]
    assert settles == [True]
    assert _reader_threads() == []


def test_a_whole_read_settles(tmp_path: Path, settles: list[bool],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "CSV_BLOCK", 1 << 16)
    monkeypatch.setattr(limits, "SMALL_FILE", 1 << 10)
    path = _write(tmp_path / "whole.csv", _rows(30_000))
    data = _data(path)
    assert sum(b.size for b in data.batches()) == 30_000
    assert settles == [True]
    assert _reader_threads() == []


def test_an_undefined_windows_1252_byte_after_the_first_mib_is_a_sentence(
        tmp_path: Path, settles: list[bool]) -> None:
    """Before: pyarrow's strict transcoder raised on its own thread and the user read
    "internal error (UnicodeDecodeError: 'charmap' codec can't decode byte 0x81 ...)"."""
    lines = [line.replace("note", "caf\xe9") for line in _rows(60_000)]
    lines[50_000] = lines[50_000].replace("caf\xe9", "cafX")
    raw = ("\n".join(["arm,score,notes", *lines]) + "\n").encode("cp1252")
    raw = raw.replace(b"cafX", b"caf\x81")
    (tmp_path / "cp.csv").write_bytes(raw)
    assert raw.index(b"\x81") > limits.SMALL_FILE
    with pytest.raises(DataError) as err:
        for _ in _data(tmp_path / "cp.csv").batches():
            pass
    message = str(err.value)
    assert "line 50002" in message and "byte 0x81" in message, message
    assert "Windows-1252" in message and "save the file as UTF-8 CSV" in message
    assert settles == [True]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-le", "utf-16-be"])
def test_transcoded_files_read_as_their_utf8_copy(tmp_path: Path, encoding: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A streamed file in another encoding gives the batches of the same text in UTF-8
    (the chunks cut anywhere, a character split across two of them)."""
    monkeypatch.setattr(limits, "CSV_BLOCK", (1 << 16) + 1)  # odd: UTF-16 units split
    monkeypatch.setattr(limits, "SMALL_FILE", 1 << 10)
    lines = [line.replace("note", "caf\xe9 \u20ac") for line in _rows(20_000)]
    if encoding == "utf-16":
        other = _write(tmp_path / "other.csv", lines, "utf-16")
    else:
        text = ("\n".join(["arm,score,notes", *lines]) + "\n")
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
        other = tmp_path / "other.csv"
        other.write_bytes(bom.get(encoding, b"") + text.encode(encoding))
    utf8 = _write(tmp_path / "utf8.csv", lines)
    a, b = _data(other), _data(utf8)
    got = [(dict(x.values), dict(x.codes), x.size) for x in a.batches()]
    want = [(dict(x.values), dict(x.codes), x.size) for x in b.batches()]
    assert sum(g[2] for g in got) == sum(w[2] for w in want) == 20_000
    np.testing.assert_array_equal(np.concatenate([g[0]["score"] for g in got]),
                                  np.concatenate([w[0]["score"] for w in want]))
    assert a.labels("arm") == b.labels("arm")


class _Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError(5, "Input/output error")


def test_read_never_raises_into_arrow() -> None:
    """A failing disk, a refusing check and an undecodable byte each end the stream (an
    empty chunk) and are kept for the reading thread; nothing stays lent."""
    loan = Loan(_Failing())  # type: ignore[arg-type]
    f = loan.file()
    assert bytes(f.read(64)) == b""
    assert isinstance(loan.failure(), OSError)
    assert loan.failure().__traceback__ is None  # type: ignore[union-attr]
    del f
    assert loan.settle(0)

    def refuse(chunk: Any) -> None:
        raise ValueError("too long")

    loan = Loan(io.BytesIO(b"a,b\n1,2\n"), check=refuse)
    f = loan.file()
    assert bytes(f.read(64)) == b"" and bytes(f.read(64)) == b""
    assert str(loan.failure()) == "too long"
    del f
    assert loan.settle(0)

    loan = Loan(io.BytesIO(b"a,b\n1,2\n\x81,3\n"), encoding="cp1252")
    f = loan.file()
    assert bytes(f.read(64)) == b""
    failure = loan.failure()
    assert isinstance(failure, arrowfile.Undecodable)
    assert (failure.line, failure.byte) == (3, 0x81)
    del f
    assert loan.settle(0)


def test_settle_waits_while_something_is_still_lent() -> None:
    loan = Loan(io.BytesIO(b"abc"))
    f = loan.file()
    held = [f.read(2)]
    del f
    assert not loan.settle(0)  # the chunk is still held
    release = threading.Timer(0.05, held.clear)  # given back on another thread, later
    release.start()
    assert loan.settle(5)
    release.join()
