"""SciPy's special functions, imported when first used and, on request, in the background.

Importing ``scipy.special`` takes about 0.2–0.3 s (most of it SciPy's array-API layer, which
pulls in ``numpy.f2py`` and ``numpy.testing``): more than a 1,000-row analysis needs for
everything else. The statistics modules therefore reach it through :data:`special`, which
imports SciPy on the first attribute looked up and then keeps each function as a plain
attribute, so a call costs what ``scipy.special.stdtr(...)`` costs. A command that is about
to read a data file calls :func:`import_in_background` first: the import then runs while
Arrow reads the file (Arrow's readers release the GIL), instead of after it.

>>> import scipy.special
>>> special.ndtri is scipy.special.ndtri, round(float(special.ndtri(0.975)), 6)
(True, 1.959964)
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

_started: list[threading.Thread] = []


class _Special:
    """``scipy.special``, imported on first use; each function cached as an attribute."""

    def __getattr__(self, name: str) -> Any:  # called only for names not yet cached
        if name.startswith("__"):
            raise AttributeError(name)
        import scipy.special

        value = getattr(scipy.special, name)
        setattr(self, name, value)
        return value


special: Any = _Special()


def _import() -> None:
    # A failed import is raised again, in the main thread, at the first real use.
    with contextlib.suppress(Exception):
        import scipy.special  # noqa: F401


def import_in_background() -> None:
    """Start importing ``scipy.special`` in another thread (once; no-op if it is loaded).

    The thread is not a daemon, so the interpreter waits for it before shutting down (an
    import cut off at exit would print a traceback), and a fork waits for it too: a child
    forked while the import holds SciPy's module lock would wait on that lock forever.
    """
    import sys

    if _started or "scipy.special" in sys.modules:
        return
    thread = threading.Thread(target=_import, name="evidencekit-import-scipy")
    _started.append(thread)
    thread.start()


def _join_before_fork() -> None:
    for thread in _started:
        thread.join()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_join_before_fork)
