"""The coordinator's no-wait check of a worker's pipe (``pool._readable``) answers what
``Connection.poll()`` answers: nothing there, a message there (also one sent in pieces by a
large result), and the end of the pipe (a worker that died), where ``recv`` then raises."""

from __future__ import annotations

import multiprocessing

import pytest

from evidencekit.batch.pool import _readable


def test_it_answers_as_connection_poll_does() -> None:
    parent, child = multiprocessing.Pipe(duplex=True)
    ready = _readable(parent)
    assert ready() is False and parent.poll() is False
    child.send({"application_id": "a", "ok": True})
    assert ready() is True and parent.poll() is True
    assert parent.recv() == {"application_id": "a", "ok": True}
    assert ready() is False
    big = "x" * 5_000_000  # more than a pipe holds: written in pieces, read in full
    import threading

    sender = threading.Thread(target=child.send, args=(big,))
    sender.start()
    assert parent.poll(5) and ready() is True
    assert parent.recv() == big
    sender.join()
    assert ready() is False
    child.close()  # the worker's end gone: readable, and recv says so
    assert ready() is True and parent.poll() is True
    with pytest.raises(EOFError):
        parent.recv()
    parent.close()
