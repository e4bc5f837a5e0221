"""SciPy loads only when a command uses statistics, and in the background while data is read.

``evidencekit.stats`` reaches ``scipy.special`` through a proxy (``stats._special``): commands
that compute nothing (rubric, schema, help) never import SciPy, and ``analyse`` on a data file
imports it on another thread while Arrow reads the file.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tools.probe import imported_by


def _loads_scipy(*arg_lists: list[str]) -> bool:
    return bool(imported_by(list(arg_lists), ("scipy",))[1])


def test_commands_that_compute_nothing_do_not_import_scipy() -> None:
    assert not _loads_scipy(["rubric", "list"], ["rubric", "show", "nesta"],
                            ["schema", "submission"], ["rubric", "facts"])


def test_the_library_imports_without_scipy() -> None:
    code = "import sys, evidencekit.api, evidencekit.stats; print('scipy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_analysing_a_data_file_imports_scipy_on_its_own_thread(tmp_path: Path) -> None:
    rows = "\n".join(f"{'t' if i % 2 else 'c'},{i % 7}" for i in range(60))
    (tmp_path / "d.csv").write_text("arm,y\n" + rows + "\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(textwrap.dedent("""\
        schema: evidencekit/submission@1
        programme: {name: P}
        evaluations:
          - id: e
            design: rct
            outcomes:
              - name: Y
                data: d.csv
                columns: {outcome: y, group: arm, treatment: t}
        """), encoding="utf-8")
    code = textwrap.dedent(f"""
        import sys, threading, builtins
        where = {{}}
        real = builtins.__import__
        def spy(name, *a, **k):
            if name == "scipy.special" and name not in sys.modules:
                where.setdefault(name, threading.current_thread().name)
            return real(name, *a, **k)
        builtins.__import__ = spy
        import evidencekit.api as api
        result = api.analyse({str(tmp_path / "s.yaml")!r})
        print(where.get("scipy.special"), bool(result.evaluations[0].outcomes[0].effects))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["evidencekit-import-scipy", "True"]


def test_the_proxy_hands_out_scipy_functions_and_keeps_them() -> None:
    import scipy.special

    from evidencekit.stats._special import special

    assert special.stdtr is scipy.special.stdtr
    assert "stdtr" in vars(special)  # later look-ups are plain attribute reads
    with pytest.raises(AttributeError):
        special.no_such_function  # noqa: B018


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="POSIX fork")
def test_a_fork_during_the_background_import_does_not_deadlock_the_child() -> None:
    code = textwrap.dedent("""
        import os, sys
        from evidencekit.stats._special import import_in_background
        import_in_background()
        pid = os.fork()
        if pid == 0:
            import scipy.special
            os._exit(0 if scipy.special.ndtri(0.5) == 0.0 else 1)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0"
