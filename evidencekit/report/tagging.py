"""Repairs to WeasyPrint's PDF structure tree, made before the PDF is written.

WeasyPrint (70) tags tables with ``/Headers`` on every data cell (TD) but writes no ``/Scope``
on header cells (TH). A header that no data cell points to — the corner "Level" heading above
a column of row headers, say — is then tied to nothing, and checkers of PDF/UA-1 (ISO 14289-1
clause 7.5, Matterhorn checkpoint 15-003) report it. :func:`add_header_scope` gives every TH the
``/Scope`` its HTML ``scope`` attribute had: ``/Row`` for a header that the data cells of its
own row point to, ``/Column`` for one in the table head or pointed to from other rows.

Running headers and footers (the page's margin boxes: "Portfolio · evidence report",
"Page 1 of 4") are marked as content with an MCID, but WeasyPrint deliberately leaves their
structure elements out of the tree (PDF 1.7 has no tagged Artifact element). Content that no
structure element of the tree owns is then neither real content nor an artifact, and a
reading tool that goes by the page repeats it on every page (outloud's PAG-001).
:func:`mark_pagination_artifacts` turns exactly that content into ``/Artifact`` sequences of
``/Type /Pagination``, and clears its entries in the parent tree.

Both run as WeasyPrint's ``finisher`` (``Document.write_pdf(finisher=...)``, see
:func:`finish`), on the :class:`pydyf.PDF` object before it is serialised; they read and set
plain dictionary and list entries, so they need no PDF library of their own.
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


def finish(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: both repairs of this module."""
    add_header_scope(document, pdf)
    mark_pagination_artifacts(document, pdf)


def _by_number(pdf: Any, *, streams: bool = False) -> dict[int, Any]:
    """The PDF's dictionaries (or, with ``streams``, its streams) by object number."""
    objects: dict[int, Any] = {}
    for o in pdf.objects:
        number = getattr(o, "number", None)
        if number is not None and (hasattr(o, "stream") if streams else isinstance(o, dict)):
            objects[number] = o
    return objects


def orphan_content(objects: dict[int, Any]) -> dict[int, set[int]]:
    """MCIDs owned only by structure elements outside the tree, by page object number.

    >>> objects = {1: {"Type": "/StructTreeRoot", "K": [b"2 0 R"]},
    ...            2: {"Type": "/StructElem", "S": "/Document", "K": [b"3 0 R"]},
    ...            3: {"Type": "/StructElem", "S": "/P", "K": [0], "Pg": b"9 0 R"},
    ...            4: {"Type": "/StructElem", "S": "/Span", "K": [1], "Pg": b"9 0 R",
    ...                "P": b"2 0 R"}}
    >>> orphan_content(objects)
    {9: {1}}
    """
    roots = [o for o in objects.values() if o.get("Type") == "/StructTreeRoot"]
    reachable: set[int] = set()
    stack = [n for r in roots for n in map(_number, r.get("K") or ()) if n is not None]
    while stack:
        n = stack.pop()
        if n in reachable or n not in objects:
            continue
        reachable.add(n)
        kids = objects[n].get("K")
        stack.extend(k for k in map(_number, kids if isinstance(kids, list) else ())
                     if k is not None)
    orphans: dict[int, set[int]] = {}
    for n, o in objects.items():
        if o.get("Type") != "/StructElem" or n in reachable:
            continue
        page = _number(o.get("Pg"))
        kids = o.get("K")
        mcids = {k for k in (kids if isinstance(kids, list) else ()) if type(k) is int}
        if page is not None and mcids:
            orphans.setdefault(page, set()).update(mcids)
    return orphans


def mark_pagination_artifacts(_document: Any, pdf: Any) -> None:
    """Mark content owned by no structure element of the tree as pagination artifacts."""
    objects = _by_number(pdf)
    orphans = orphan_content(objects)
    if not orphans:
        return
    streams = _by_number(pdf, streams=True)
    for page, mcids in orphans.items():
        contents = objects.get(page, {}).get("Contents")
        ops = getattr(streams.get(_number(contents) or -1), "stream", None)
        if not isinstance(ops, list):
            continue
        for i in range(1, len(ops) - 1):
            item = ops[i]
            if (isinstance(item, dict) and item.get("MCID") in mcids and ops[i + 1] == b"BDC"
                    and isinstance(ops[i - 1], str) and ops[i - 1].startswith("/")):
                ops[i - 1] = "/Artifact"
                ops[i] = type(item)({"Type": "/Pagination"})
    # The parent tree maps each page's MCIDs to their elements; the artifacts have none.
    gone = {(page, m) for page, mcids in orphans.items() for m in mcids}
    owner = {n: _number(o.get("Pg")) for n, o in objects.items()
             if o.get("Type") == "/StructElem"}
    for root in (o for o in objects.values() if o.get("Type") == "/StructTreeRoot"):
        tree = objects.get(_number(root.get("ParentTree")) or -1)
        nums = tree.get("Nums") if isinstance(tree, dict) else None
        for entry in nums if isinstance(nums, list) else ():
            if isinstance(entry, list):
                for m, ref in enumerate(entry):
                    if (owner.get(_number(ref) or -1), m) in gone:
                        entry[m] = "null"


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
