r"""The Python file object pyarrow's CSV reader reads from, made safe for Arrow's threads.

pyarrow calls a Python file's ``read`` from its own I/O threads and keeps what it gets —
the bytes, or the exception ``read`` raised, wrapped in a ``Status`` — in futures that
those threads release later, taking the GIL to drop the Python references. A thread that
asks for the GIL after the interpreter has begun to finalize is ended by ``pthread_exit``,
and its forced unwinding through Arrow's ``noexcept`` destructors aborts the process::

    terminate called without an active exception      (exit 134, after the refusal's
                                                       sentence had been printed)

That was seen after a refused file, 6 runs in 60 with four analyses running at once: the
refusal (raised in ``read``) returned to the user while an Arrow thread still held it.
pyarrow's own transcoding (``ReadOptions(encoding=...)``) runs Python codecs on the same
threads, with the same hazard, and its strict decoder's ``UnicodeDecodeError`` reached the
user as an internal error. So :class:`ArrowFile`:

- never raises into Arrow: a failure — the check's refusal, an ``OSError``, an undecodable
  byte — ends the stream as if at its end, and is kept; the reading thread asks for it
  (:meth:`Loan.failure`) before it trusts a batch and after the reader stops;
- transcodes to UTF-8 itself (Arrow reads UTF-8 only, and never calls a codec);
- is counted, with every chunk it returns (:class:`_Lent`), by a :class:`Loan` that the
  reading thread keeps instead of the file: Arrow holds the only reference to the file
  (its streaming reader is destroyed on whichever thread finishes last), and
  :meth:`Loan.settle`, after the reader is closed and dropped, waits until Arrow's threads
  have released the file and every chunk — so nothing of Python's is left on an Arrow
  thread when the read returns.

>>> import gc, io
>>> loan = Loan(io.BytesIO("caf\xe9\n".encode("cp1252")), encoding="cp1252")
>>> f = loan.file()
>>> bytes(f.read(64)), bytes(f.read(64)), loan.failure()
(b'caf\xc3\xa9\n', b'', None)
>>> loan.settle(0)     # the file is still held (here, by ``f``)
False
>>> del f; _ = gc.collect(); loan.settle(0)
True
>>> def refuse(chunk): raise ValueError("too long")
>>> loan = Loan(io.BytesIO(b"abc"), check=refuse)
>>> bytes(loan.file().read(64)), loan.failure(), loan.settle(0)
(b'', ValueError('too long'), True)
"""

from __future__ import annotations

import codecs
import io
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

__all__ = ["ArrowFile", "Loan", "Undecodable", "utf8"]

#: Read when pyarrow asks for "everything" (it does not, for a streaming reader).
_DEFAULT_READ = 1 << 22
#: The longest :meth:`Loan.settle` waits for Arrow to release what it was lent: far more
#: than the milliseconds it takes (were a reader to keep something for good, a read would
#: otherwise never return; that thing would then simply outlive the read).
SETTLE_SECONDS = 10.0


def utf8(encoding: str) -> bool:
    """Whether pyarrow reads text in ``encoding`` as it is (UTF-8, with or without a BOM)."""
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


class Loan:
    """A binary file lent to pyarrow as an :class:`ArrowFile`: UTF-8 (decoded from
    ``encoding``), each chunk passed through ``check`` (which raises to refuse the rest)
    before Arrow sees it. The reading thread keeps the loan, never the file."""

    def __init__(self, raw: BinaryIO, *, encoding: str = "utf-8",
                 check: Callable[[Any], None] | None = None) -> None:
        self.raw = raw
        self.encoding = encoding
        self.check = check
        self._failure: BaseException | None = None
        self._out = 0  # the file and the chunks Arrow holds
        self._changed = threading.Condition(threading.Lock())

    def file(self) -> ArrowFile:
        """The file to hand to pyarrow (once; keep no reference to it)."""
        f = ArrowFile(self)
        self._lent()
        return f

    def failure(self) -> BaseException | None:
        """What ended the stream early (None: nothing did)."""
        return self._failure

    def settle(self, timeout: float = SETTLE_SECONDS) -> bool:
        """Wait until Arrow holds nothing of the loan (close and drop the reader first);
        whether it came to that within ``timeout`` seconds. Closes the raw file."""
        with self._changed:
            settled = self._changed.wait_for(lambda: self._out == 0, timeout)
        self.raw.close()
        return settled

    def chunk(self, size: int) -> _Lent:
        chunk = _Lent(size)
        chunk._loan = self
        self._lent()
        return chunk

    def failed(self, exc: BaseException) -> None:
        if self._failure is None:
            # without its traceback or the exception it replaced, whose frames would keep
            # the file and the chunk being read lent
            exc.__context__ = exc.__cause__ = None
            self._failure = exc.with_traceback(None)

    def _lent(self) -> None:
        with self._changed:
            self._out += 1

    def returned(self) -> None:
        with self._changed:
            self._out -= 1
            if self._out == 0:
                self._changed.notify_all()


class _Lent(bytearray):
    """Bytes lent to Arrow; the loan hears when the last reference to them is gone."""

    __slots__ = ("_loan",)
    _loan: Loan

    def __del__(self) -> None:
        self._loan.returned()


class ArrowFile(io.RawIOBase):
    """What pyarrow reads: made by :meth:`Loan.file`, read only by Arrow's threads."""

    def __init__(self, loan: Loan) -> None:
        super().__init__()
        self.loan = loan
        self._done = False
        # UTF-8 (with its BOM, which pyarrow skips) is read into the lent buffer directly.
        self._decoder = (None if utf8(loan.encoding)
                         else codecs.getincrementaldecoder(loan.encoding)())
        self._pending = bytearray()  # transcoded, not yet handed over
        self._raw_done = False       # the raw file's end was read (and the decoder flushed)
        self._lines = 0              # line breaks decoded so far (to locate a bad byte)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """What pyarrow calls, on its own threads: at most ``size`` bytes; an empty chunk
        at the end, or once anything failed. Never raises."""
        loan = self.loan
        want = size if size is not None and size >= 0 else _DEFAULT_READ
        if loan.failure() is not None or self._done:
            return loan.chunk(0)  # type: ignore[return-value]
        try:
            chunk = self._direct(want) if self._decoder is None else self._transcoded(want)
            if not chunk:
                self._done = True
            elif loan.check is not None:
                loan.check(chunk)
            return chunk  # type: ignore[return-value]
        except Exception as exc:  # kept for the reading thread: see the module's docstring
            loan.failed(exc)
            return loan.chunk(0)  # type: ignore[return-value]

    def close(self) -> None:
        """Arrow closes its file when its reader is closed; the loan closes the raw file
        (:meth:`Loan.settle`), once Arrow is done with it."""
        super().close()

    def __del__(self) -> None:
        try:
            super().__del__()
        finally:
            self.loan.returned()

    def _direct(self, want: int) -> _Lent:
        chunk = self.loan.chunk(want)
        n = self.loan.raw.readinto(chunk)  # type: ignore[attr-defined]  # (BinaryIO omits it)
        del chunk[n or 0:]
        return chunk

    def _transcoded(self, want: int) -> _Lent:
        decoder = self._decoder
        assert decoder is not None
        while len(self._pending) < want and not self._raw_done:
            raw = self.loan.raw.read(want)
            state = decoder.getstate()
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                again = codecs.getincrementaldecoder(exc.encoding)("replace")
                again.setstate(state)
                before = again.decode(raw[: exc.start])
                raise Undecodable(self._lines + before.count("\n") + 1, raw[exc.start],
                                  self.loan.encoding) from None
            self._lines += text.count("\n")
            self._pending += text.encode("utf-8")
            self._raw_done = not raw
        chunk = self.loan.chunk(min(want, len(self._pending)))
        chunk[:] = memoryview(self._pending)[: len(chunk)]
        del self._pending[: len(chunk)]
        return chunk


class Undecodable(Exception):
    """A byte the file's encoding cannot decode, on a line (counted from the first)."""

    def __init__(self, line: int, byte: int, encoding: str) -> None:
        super().__init__(line, byte, encoding)
        self.line, self.byte, self.encoding = line, byte, encoding
