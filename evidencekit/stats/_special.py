"""SciPy's special functions, imported when first used and, on request, in the background.

The statistics need nine of SciPy's special functions (normal, Student t, noncentral t, chi²
and F distribution functions and ``gammaln``), all of them ufuncs of the compiled module
``scipy.special._ufuncs``. Importing ``scipy.special`` itself takes about 0.15–0.2 s, most of
it SciPy's array-API layer (``scipy._lib._array_api``), which clones NumPy's namespace and so
imports ``numpy.f2py``, ``numpy.testing``, ``numpy.ma`` and ``numpy.random``: more than a
1,000-row analysis or a hundred scored applications need for everything else. Loading
``_ufuncs`` alone takes about 0.035 s.

So the statistics reach SciPy through :data:`special`, which on the first attribute looked up
loads ``scipy.special._ufuncs`` (:func:`load_ufuncs`) and then keeps each function as a plain
attribute (a call costs what ``scipy.special.stdtr(...)`` costs: they are the same objects).
To load it, the packages ``scipy`` and ``scipy.special`` are made as modules from their real
import specs but their ``__init__`` is not run yet (:class:`_Deferred`); the first time
anything looks up a name such a package does not have yet (``from scipy.special import
betainc``, ``scipy.__version__``, ``import scipy.stats`` which does both), its real
``__init__`` runs in that same module object, parent first, and the look-up is answered as
after a plain import. Nothing else sees a difference: ``import scipy.special`` gives the same
module with the same functions. If the direct load fails (a SciPy whose layout differs),
``scipy.special`` is imported the ordinary way.

A command that is about to read a data file calls :func:`import_in_background` first: the
load then runs while Arrow reads the file (Arrow's readers release the GIL), instead of after it.

>>> import scipy.special
>>> special.ndtri is scipy.special.ndtri, round(float(special.ndtri(0.975)), 6)
(True, 1.959964)
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from typing import Any

_started: list[threading.Thread] = []


_UFUNCS = "scipy.special._ufuncs"
_lock = threading.RLock()  # one load at a time, and a deferred __init__ waits for it


class _Deferred(types.ModuleType):
    """A package made from its import spec whose ``__init__`` has not run yet: it runs at
    the first name looked up that the module does not have (then the module is ordinary)."""

    def __getattr__(self, name: str) -> Any:
        _complete(self)
        return getattr(self, name)


def _complete(module: types.ModuleType) -> None:
    """Run a deferred package's real ``__init__`` (its parent's first) in the module itself."""
    with _lock:
        if type(module) is not _Deferred:  # another thread completed it meanwhile
            return
        parent = sys.modules.get(module.__name__.rpartition(".")[0])
        if type(parent) is _Deferred:
            _complete(parent)
        module.__class__ = types.ModuleType  # type: ignore[assignment]
        spec = module.__spec__
        assert spec is not None and spec.loader is not None
        spec._initializing = True  # type: ignore[attr-defined]  # as the import system does
        try:
            spec.loader.exec_module(module)
        except BaseException:  # as a failed import: the module is not left half made
            sys.modules.pop(module.__name__, None)
            raise
        finally:
            spec._initializing = False  # type: ignore[attr-defined]


def _deferred(name: str, path: list[str] | None) -> types.ModuleType:
    """``sys.modules[name]``, or a :class:`_Deferred` package made from its spec."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.machinery.PathFinder.find_spec(name, path)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"no package {name}")
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    return module


def load_ufuncs() -> types.ModuleType:
    """``scipy.special._ufuncs``, without running ``scipy``'s and ``scipy.special``'s
    ``__init__`` unless something else needs them (see the module's docstring)."""
    with _lock:
        if _UFUNCS in sys.modules:
            return sys.modules[_UFUNCS]
        if "scipy.special" not in sys.modules:
            try:
                package = _deferred("scipy", None)
                _deferred("scipy.special", list(package.__path__))
                return importlib.import_module(_UFUNCS)
            except Exception:  # a SciPy laid out otherwise: import it the ordinary way
                for name in ("scipy", "scipy.special"):
                    if type(sys.modules.get(name)) is _Deferred:
                        _complete(sys.modules[name])
        import scipy.special

        return scipy.special._ufuncs  # type: ignore[no-any-return]


class _Special:
    """SciPy's special functions, loaded on first use; each function cached as an attribute."""

    def __getattr__(self, name: str) -> Any:  # called only for names not yet cached
        if name.startswith("__"):
            raise AttributeError(name)
        ufuncs = load_ufuncs()
        if hasattr(ufuncs, name):
            value = getattr(ufuncs, name)
        else:  # not a ufunc: scipy.special's Python layer has it, or nothing does
            import scipy.special

            value = getattr(scipy.special, name)
        setattr(self, name, value)
        return value


special: Any = _Special()


def _import() -> None:
    # A failed import is raised again, in the main thread, at the first real use.
    with contextlib.suppress(Exception):
        load_ufuncs()


def import_in_background() -> None:
    """Start loading SciPy's special functions in another thread (once; no-op if loaded).

    The thread is not a daemon, so the interpreter waits for it before shutting down (an
    import cut off at exit would print a traceback), and a fork waits for it too: a child
    forked while the import holds SciPy's module lock would wait on that lock forever.
    """
    if _started or _UFUNCS in sys.modules:
        return
    thread = threading.Thread(target=_import, name="evidencekit-import-scipy")
    _started.append(thread)
    thread.start()


def _join_before_fork() -> None:
    for thread in _started:
        thread.join()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_join_before_fork)
