"""A malformed --dask-scheduler address is one sentence and exit 2, for analyse and batch.

Before, ``batch`` printed "internal error (ValueError: missing port number …)" and
``analyse`` printed the sentence, then waited 60 s for a half-built ``distributed.Client``
to close and printed its traceback (evidencekit.dask_client checks the address first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the Dask extra (in the dev extra)")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("address", ["banana", "tcp://127.0.0.1:notaport"])
@pytest.mark.parametrize("command", ["analyse", "batch"])
def test_a_malformed_scheduler_address_is_one_sentence(tmp_path: Path, command: str,
                                                       address: str) -> None:
    args = ([command, str(EXAMPLES / "access-project-rows.yaml")] if command == "analyse"
            else [command, str(EXAMPLES), "--out", str(tmp_path / "out"), "--no-portfolio"])
    proc = subprocess.run([sys.executable, "-m", "evidencekit", *args, "--dask-scheduler",
                           address], capture_output=True, text=True, timeout=50, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("--dask-scheduler: expected the address of a Dask scheduler "
                               f"(tcp://HOST:PORT), found {address!r}")
