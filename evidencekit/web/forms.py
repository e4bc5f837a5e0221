"""Reading form posts with limits: URL-encoded forms, and multipart forms with one file.

Bodies are read as a stream and counted, whatever ``Content-Length`` says. An uploaded file
is written straight into the session's folder (never to a shared temporary folder) and stops
being written the moment it passes the size limit; the rest of the body is then read and
dropped, so that the browser receives the page with the message rather than a reset
connection (up to :data:`DRAIN_LIMIT`, past which the connection is closed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from starlette.requests import Request

FORM_LIMIT = 1 << 20  # text fields of one form, in bytes
DRAIN_LIMIT = 1 << 30  # the most of an over-size upload that is read (and dropped)
MAX_FIELDS = 2000


class TooLarge(Exception):
    """The request body (or its text fields) is over the limit."""


class BadForm(Exception):
    """The body is not the form it should be."""


@dataclass
class Upload:
    filename: str
    path: Path | None  # None when the file was over the limit (and has been deleted)
    size: int


@dataclass
class Multipart:
    fields: dict[str, str]
    upload: Upload | None

    @property
    def too_large(self) -> bool:
        return self.upload is not None and self.upload.path is None


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadForm("a Content-Length that is a number") from None


async def read_urlencoded(request: Request, limit: int = FORM_LIMIT) -> dict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` post (the last value wins)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise TooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge()
    if ctype != "application/x-www-form-urlencoded":
        if ctype.startswith("multipart/"):
            raise BadForm("a form without a file")
        raise BadForm("a form post")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FIELDS, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise BadForm("form fields in UTF-8") from None
    return dict(pairs)


async def read_multipart(request: Request, *, folder: Path, file_field: str,
                         max_file: int, fields_limit: int = FORM_LIMIT) -> Multipart:
    """Fields and at most one file (``file_field``) of a ``multipart/form-data`` post.

    The file is written to ``folder`` under a random name; the caller moves or deletes it.
    """
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadForm("a form post with a file (multipart/form-data)")
    if not 1 <= len(params[b"boundary"]) <= 70:  # RFC 2046, section 5.1.1
        raise BadForm("a multipart boundary of 1 to 70 characters")
    declared = _declared_length(request)
    if declared is not None and declared > DRAIN_LIMIT:
        raise TooLarge()

    fields: dict[str, str] = {}
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "name": None,
                             "kind": None, "buf": bytearray(), "text": 0}
    upload: list[Upload] = []
    handle: list[IO[bytes]] = []

    def on_part_begin() -> None:
        state.update(headers={}, name=None, kind=None, buf=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].decode("latin-1").lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state["headers"].get("content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        filename = disp.get(b"filename")
        state["name"] = name
        state["kind"] = "field"
        if filename is not None:
            state["kind"] = "skip"  # a file in another field, or a second file: dropped
            fname = filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            if name == file_field and fname and not upload:
                path = folder / f"incoming-{secrets.token_hex(8)}.part"
                handle.append(path.open("xb"))
                upload.append(Upload(fname, path, 0))
                state["kind"] = "file"

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if state["kind"] == "file":
            up = upload[0]
            up.size += len(chunk)
            if up.path is not None:
                if up.size > max_file:
                    handle[0].close()
                    up.path.unlink(missing_ok=True)
                    up.path = None
                else:
                    handle[0].write(chunk)
            return
        if state["kind"] == "skip":
            return
        state["text"] += len(chunk)
        if state["text"] > fields_limit:
            raise TooLarge()
        state["buf"] += chunk

    def on_part_end() -> None:
        if state["kind"] == "file":
            if upload[0].path is not None:
                handle[0].close()
        elif state["kind"] == "field" and state["name"] and len(fields) < MAX_FIELDS:
            fields[state["name"]] = bytes(state["buf"]).decode("utf-8", "replace")
        state["kind"] = None

    callbacks: Any = {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    }
    parser = MultipartParser(params[b"boundary"], callbacks)
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > DRAIN_LIMIT:
                raise TooLarge()
            parser.write(chunk)
        parser.finalize()
    except TooLarge:
        _discard(upload, handle)
        raise
    except Exception as exc:  # python-multipart's parse errors, a dropped connection
        _discard(upload, handle)
        raise BadForm("a well-formed form post") from exc
    return Multipart(fields, upload[0] if upload else None)


def _discard(upload: list[Upload], handle: list[IO[bytes]]) -> None:
    for fh in handle:
        fh.close()
    for up in upload:
        if up.path is not None:
            up.path.unlink(missing_ok=True)
