"""The one way evidencekit connects to a Dask scheduler (``--dask-scheduler``), for batch
scoring and for multi-file outcomes alike: the address is checked before a client exists (a
malformed one made ``distributed.Client`` fail half-built, and its finaliser then waited 60 s
and printed a traceback), and every failure is one sentence naming the option."""

from __future__ import annotations

from typing import Any

from .errors import UsageError

KEY = "--dask-scheduler"


def connect(address: str, timeout: str = "30s", *, as_default: bool = False) -> Any:
    """A ``distributed.Client`` for the scheduler at ``address`` (``tcp://host:8786``);
    ``as_default`` makes it the one ``distributed.as_completed()`` and friends use.

    >>> try:
    ...     connect("banana")
    ... except UsageError as exc:
    ...     print(exc.problems[0].found)
    'banana' (missing port number in address 'banana')
    """
    try:
        import distributed
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise UsageError.one(None, "the Dask extra for --dask-scheduler "
                             "(pip install 'evidencekit[dask]')", "distributed not installed",
                             key=KEY) from None
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise UsageError.one(None, "the address of a Dask scheduler (tcp://HOST:PORT)",
                             f"{address!r} ({exc})", key=KEY) from None
    dask: Any = distributed  # an untyped library
    try:
        return dask.Client(address, timeout=timeout, set_as_default=as_default)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError.one(None, "the address of a running Dask scheduler",
                             f"no scheduler answering at {address!r} "
                             f"({type(exc).__name__})", key=KEY) from None
