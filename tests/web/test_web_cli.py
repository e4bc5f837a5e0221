"""`evidencekit serve` and `self-assess` on the command line: help, options, warnings."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from web_helpers import Server, wait_for

from evidencekit.cli import main

HEAVY = ("starlette", "uvicorn", "python_multipart", "playwright", "scipy", "weasyprint")

PROBE = """
import json, sys
import evidencekit.cli
for args in (["--help"], ["serve", "--help"], ["self-assess", "--help"]):
    try:
        evidencekit.cli.main(args, prog_name="evidencekit", standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
heavy = tuple(json.loads(sys.argv[1]))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def test_help_loads_no_web_framework() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    *text, last = proc.stdout.rstrip("\n").split("\n")
    assert json.loads(last) == []
    help_text = "\n".join(text)
    assert "Usage: evidencekit serve [OPTIONS]" in help_text
    assert "--max-upload-mb" in help_text and "--port" in help_text
    assert "Usage: evidencekit self-assess [OPTIONS]" in help_text


def test_serve_refuses_a_bad_port() -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "70000" in result.output


def test_serve_warns_when_not_bound_to_loopback() -> None:
    # 192.0.2.1 is a documentation address, not this machine's: the warning comes first,
    # then binding fails with a plain message (no server is started, nothing is sent).
    result = CliRunner().invoke(main, ["serve", "--host", "192.0.2.1", "--port", "0"])
    assert result.exit_code == 2
    assert "Warning: listening on 192.0.2.1, so other computers on the network" in \
        result.stderr
    assert "Expected a host and port this computer can listen on" in result.stderr


def test_loopback_addresses() -> None:
    from evidencekit.web.app import allowed_hosts_for, loopback

    assert all(loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"))
    assert not any(loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "example.org"))
    everywhere = allowed_hosts_for("0.0.0.0") or ()
    assert "localhost" in everywhere and "evil.example" not in everywhere  # check stays on
    assert "localhost" in (allowed_hosts_for("127.0.0.1") or ())


def test_serve_stops_cleanly_and_deletes_its_folder() -> None:
    import re
    import tempfile
    from pathlib import Path

    before = set(Path(tempfile.gettempdir()).glob("evidencekit-web-*"))
    server = Server()
    assert re.match(r"http://127\.0\.0\.1:\d+/$", server.url)
    import urllib.request

    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    with direct.open(server.url, timeout=10) as page:  # a session, so a folder
        assert page.status == 200
    created = set(Path(tempfile.gettempdir()).glob("evidencekit-web-*")) - before
    assert len(created) == 1
    assert server.stop() == 0
    assert wait_for(lambda: not any(p.exists() for p in created))
