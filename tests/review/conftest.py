"""Fixtures of the review-store tests: a SQLite file, and a throwaway PostgreSQL server.

The PostgreSQL server is the one installed from Debian's packages (scripts/system-deps.sh
installs it): a new cluster is made with ``initdb`` in a temporary folder and started with
``pg_ctl`` on a Unix socket there (as the ``postgres`` user when the tests run as root,
since PostgreSQL refuses to run as root), and stopped and deleted after the session. The
tests skip, saying why, only when no PostgreSQL server is installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A running throwaway PostgreSQL server: its base URL (``postgresql://…/postgres``)."""
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (scripts/system-deps.sh installs it)")
        pytest.skip("PostgreSQL is not installed (run scripts/system-deps.sh as root)")
    root = os.geteuid() == 0
    as_user: list[str] = ["runuser", "-u", "postgres", "--"] if root else []
    base = Path(tempfile.mkdtemp(prefix="evidencekit-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, env=env,
                       timeout=120, cwd=base)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l",
            str(base / "log"), "-o", f"-k {sock} -p {port} -c listen_addresses='' "
                                      "-c fsync=on -c max_connections=60", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"could not start a PostgreSQL server: {exc.stderr!r}")
    try:
        yield f"postgresql://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=120, check=False, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


_COUNTER = iter(range(1, 10_000))


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database on the throwaway server, for one test."""
    import psycopg

    name = f"round_{os.getpid()}_{next(_COUNTER)}"
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return postgres_server.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on both databases."""
    if request.param == "sqlite":
        return str(tmp_path / "evidencekit-review.sqlite3")
    return str(request.getfixturevalue("postgres_url"))
