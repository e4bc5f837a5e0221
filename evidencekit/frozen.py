"""Read-only containers: rubrics, parameters and results are immutable all the way down.

A frozen dataclass only stops attribute assignment; a ``dict`` inside it can still be changed,
and because :func:`evidencekit.load_rubric` is cached, one caller's change would alter every
later verdict in the process. Everything the assessment hands out is therefore built from
tuples and :class:`FrozenDict`.

>>> d = FrozenDict({"alpha": 0.05})
>>> d["alpha"] = 0.5
Traceback (most recent call last):
...
TypeError: a FrozenDict cannot be changed ('__setitem__')
>>> freeze({"a": [1, {"b": 2}]})
FrozenDict({'a': (1, FrozenDict({'b': 2}))})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A ``dict`` that refuses every change after construction.

    It stays a ``dict`` (so ``json.dumps``, ``dict(d)`` and ``{**d}`` work) and is pickled
    and copied through its constructor, never through item assignment."""

    __slots__ = ()

    def _refuse(self, name: str) -> NoReturn:
        raise TypeError(f"a FrozenDict cannot be changed ({name!r})")

    def __setitem__(self, key: Any, value: Any) -> NoReturn:
        self._refuse("__setitem__")

    def __delitem__(self, key: Any) -> NoReturn:
        self._refuse("__delitem__")

    def __ior__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._refuse("|=")

    def clear(self) -> NoReturn:
        self._refuse("clear")

    def pop(self, *args: Any) -> NoReturn:
        self._refuse("pop")

    def popitem(self) -> NoReturn:
        self._refuse("popitem")

    def setdefault(self, *args: Any) -> NoReturn:
        self._refuse("setdefault")

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._refuse("update")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        return self

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


#: Types returned as they are without a look inside (the common case, checked first).
_ATOMS = frozenset({str, int, float, bool, type(None), FrozenDict})


def freeze(value: Any) -> Any:
    """A read-only copy of ``value``: mappings become :class:`FrozenDict`, lists and sets
    tuples and frozensets, recursively; anything else is returned as it is (frozen
    dataclasses freeze their own fields). A tuple whose items are all read-only already is
    returned itself (equal to a copy, and immutable).

    >>> t = (1, "a", None)
    >>> freeze(t) is t, freeze([1, {"b": [2]}])
    (True, (1, FrozenDict({'b': (2,)})))
    """
    if type(value) in _ATOMS:
        return value
    if isinstance(value, FrozenDict):
        return value
    if type(value) is tuple:
        items = [freeze(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return tuple(items)
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    return value


def freeze_fields(obj: Any, *names: str) -> None:
    """Replace the named fields of a frozen dataclass by read-only copies (for
    ``__post_init__``)."""
    for name in names:
        object.__setattr__(obj, name, freeze(getattr(obj, name)))
