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
        import sys, threading
        where = {{}}
        class Spy:  # sees every import, however it is made
            def find_spec(self, name, path=None, target=None):
                if name.startswith("scipy.special"):
                    where.setdefault(name, threading.current_thread().name)
                return None
        sys.meta_path.insert(0, Spy())
        import evidencekit.api as api
        result = api.analyse({str(tmp_path / "s.yaml")!r})
        print(where.get("scipy.special._ufuncs"), bool(result.evaluations[0].outcomes[0].effects))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["evidencekit-import-scipy", "True"]


def _run(code: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


# What ``import scipy.special`` costs and the statistics do not use: SciPy's array-API
# layer, and the parts of NumPy it pulls in.
_UNUSED = ("scipy.special._support_alternative_backends", "scipy._lib._array_api",
           "numpy.testing", "numpy.f2py")


def test_the_statistics_load_scipys_ufuncs_without_its_array_api_layer() -> None:
    out = _run(f"""
        import sys
        from evidencekit.stats import t_quantile
        q = t_quantile(0.975, 10)
        print(round(q, 12), [m for m in {_UNUSED!r} if m in sys.modules] == [])
    """)
    assert out == ["2.228138851986", "True"]


def test_scipy_imported_afterwards_is_the_whole_of_scipy() -> None:
    # The packages made for the direct load run their real __init__ when something else
    # needs them: scipy.stats, names that only scipy.special's Python layer has, __all__.
    out = _run("""
        import sys, types
        from evidencekit.stats._special import special
        ndtri = special.ndtri
        import scipy.stats, scipy.special, scipy
        print(type(sys.modules["scipy"]) is types.ModuleType,
              type(sys.modules["scipy.special"]) is types.ModuleType,
              ndtri is scipy.special.ndtri, bool(scipy.__version__),
              "logsumexp" in scipy.special.__all__,
              round(float(scipy.special.logsumexp([0.0, 0.0])), 12),
              round(float(scipy.stats.norm.ppf(0.975)), 12),
              "scipy.special._support_alternative_backends" in sys.modules)
    """)
    assert out == ["True", "True", "True", "True", "True", "0.69314718056", "1.95996398454",
                   "True"]


def test_from_scipy_special_import_while_the_background_load_runs() -> None:
    for _ in range(3):  # a race: the main thread asks for the rest of SciPy meanwhile
        out = _run("""
            from evidencekit.stats._special import import_in_background, special
            import_in_background()
            from scipy.special import betainc, logsumexp
            import scipy.stats
            print(round(float(betainc(1.0, 2.0, 0.5)), 12),
                  round(float(scipy.stats.t.ppf(0.975, 10)), 12),
                  round(float(special.stdtrit(10, 0.975)), 12))
        """)
        assert out == ["0.75", "2.228138851986", "2.228138851986"]


def test_a_scipy_laid_out_otherwise_is_imported_the_ordinary_way() -> None:
    # If the direct load fails half-way, the package made so far runs its real __init__ and
    # scipy.special is imported as usual.
    out = _run("""
        import sys, types
        import evidencekit.stats._special as sp
        real = sp._deferred
        def failing(name, path):
            if name == "scipy.special":
                raise ImportError("laid out otherwise")
            return real(name, path)
        sp._deferred = failing
        print(round(float(sp.special.ndtri(0.975)), 12),
              type(sys.modules["scipy"]) is types.ModuleType,
              "scipy.special._support_alternative_backends" in sys.modules)
    """)
    assert out == ["1.95996398454", "True", "True"]


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


def test_warming_a_batch_worker_loads_only_scipys_ufuncs() -> None:
    """``batch.task.warm`` (run before the workers fork) loads the compiled ufuncs the
    statistics use, not ``scipy.special``'s Python layer and SciPy's array-API layer, which
    pull in ``numpy.f2py`` and ``numpy.testing`` (≈0.15 s scoring never needs)."""
    code = textwrap.dedent("""
        import sys
        from evidencekit.assessment.rubric import resolve_rubric
        from evidencekit.batch.task import TaskSpec, warm
        from evidencekit.vocabulary import DEFAULT_RUBRIC
        warm(TaskSpec(str(resolve_rubric(DEFAULT_RUBRIC).resolve())))
        print("scipy.special._ufuncs" in sys.modules,
              sorted(m for m in ("numpy.f2py", "numpy.testing", "scipy._lib._array_api")
                     if m in sys.modules))
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True []"
