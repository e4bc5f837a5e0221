"""Stopping a test's child process: a signal first, then a kill if it does not stop in time,
so a failed test never leaves a server or a worker running."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop(proc: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Send ``sig`` to ``proc`` (if it still runs) and wait; kill it after ``timeout`` s."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
