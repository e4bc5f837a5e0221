"""Repairs to WeasyPrint's PDF structure tree, made before the PDF is written.

WeasyPrint (70) tags tables with ``/Headers`` on every data cell (TD) but writes no ``/Scope``
on header cells (TH). A header that no data cell points to — the corner "Level" heading above
a column of row headers, say — is then tied to nothing, and checkers of PDF/UA-1 (ISO 14289-1
clause 7.5, Matterhorn checkpoint 15-003) report it. :func:`add_header_scope` gives every TH the
``/Scope`` its HTML ``scope`` attribute had: ``/Row`` for a header that the data cells of its
own row point to, ``/Column`` for one in the table head or pointed to from other rows.

It runs as WeasyPrint's ``finisher`` (``Document.write_pdf(finisher=...)``), on the
:class:`pydyf.PDF` object before it is serialised; it reads and sets plain dictionary entries,
so it needs no PDF library of its own.
"""

from __future__ import annotations

from typing import Any


def _number(reference: Any) -> int | None:
    """The object number of a pydyf reference (``b"12 0 R"``), or None for anything else."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    if isinstance(text, str) and text.endswith(" R"):
        head = text.split()[0]
        return int(head) if head.isdigit() else None
    return None


def _key(value: Any) -> str:
    """A structure element ID as text (pydyf keeps strings in ``String.string``)."""
    return str(getattr(value, "string", value))


def header_scopes(objects: dict[int, Any]) -> dict[int, str]:
    """The ``/Scope`` each TH structure element should carry, by object number.

    ``objects`` maps object numbers to structure elements (dicts with ``S``, ``P``, ``K``;
    table cells with ``ID`` and ``A.Headers``). A TH is a row header when a TD of its own row
    lists it in ``/Headers``; otherwise a column header when it is in a ``/THead`` or a TD of
    another row lists it; a TH nothing points to outside the table head heads its row.

    >>> th = {"S": "/TH", "ID": "t-0-0", "P": b"3 0 R", "A": {"O": "/Table"}}
    >>> td = {"S": "/TD", "P": b"3 0 R", "A": {"O": "/Table", "Headers": ["t-0-0"]}}
    >>> head = {"S": "/TH", "ID": "t-1-0", "P": b"4 0 R", "A": {"O": "/Table"}}
    >>> objects = {1: th, 2: td, 3: {"S": "/TR", "P": b"5 0 R"}, 6: head,
    ...            4: {"S": "/TR", "P": b"7 0 R"}, 7: {"S": "/THead"}, 5: {"S": "/TBody"}}
    >>> header_scopes(objects)
    {1: '/Row', 6: '/Column'}
    """
    by_id: dict[str, int] = {}
    for number, element in objects.items():
        if element.get("S") == "/TH" and element.get("ID") is not None:
            by_id[_key(element["ID"])] = number
    same_row: set[int] = set()
    other_row: set[int] = set()
    for element in objects.values():
        if element.get("S") != "/TD":
            continue
        attributes = element.get("A")
        headers = attributes.get("Headers") if isinstance(attributes, dict) else None
        for key in headers or ():
            found = by_id.get(_key(key))
            if found is None:
                continue
            (same_row if objects[found].get("P") == element.get("P") else other_row).add(found)
    scopes: dict[int, str] = {}
    for number, element in objects.items():
        if element.get("S") != "/TH":
            continue
        row = objects.get(_number(element.get("P")) or -1, {})
        section = objects.get(_number(row.get("P")) or -1, {})
        if number in same_row and number not in other_row:
            scopes[number] = "/Row"
        elif number in other_row or section.get("S") == "/THead":
            scopes[number] = "/Column"
        else:
            scopes[number] = "/Row"
    return scopes


def add_header_scope(_document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: set ``/Scope`` on every TH of the structure tree (see above)."""
    objects: dict[int, Any] = {}
    for o in pdf.objects:
        if isinstance(o, dict) and o.get("Type") == "/StructElem":
            objects[getattr(o, "number")] = o  # noqa: B009 (pydyf's Dictionary has .number)
    for number, scope in header_scopes(objects).items():
        attributes = objects[number].get("A")
        if isinstance(attributes, dict):
            attributes["Scope"] = scope
        else:
            # Same type as the element (pydyf's Dictionary), so it is written inline.
            objects[number]["A"] = type(objects[number])({"O": "/Table", "Scope": scope})
