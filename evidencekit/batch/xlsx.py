"""scores.xlsx's writer: plain cells (inline text and numbers) streamed into the zip.

A workbook of the few things the batch's tables use: text and number cells, a bold wrapped
header, number formats, column widths, frozen panes and an autofilter. Each row becomes its
XML in one pass (one f-string per cell) and goes straight into the zip entry, so a round of
100,000 applications is never held in memory and no temporary files are written. The parts
and their XML are what xlsxwriter 3 writes in its ``constant_memory`` mode for the same
calls (the bytes are compared in tests/batch/test_xlsx_writer.py), which costs about a fifth
of xlsxwriter's time (README, "Dependencies"), with one difference: a text that looks like
xlsxwriter's own rich-string markup (``<r>...</r>``) is escaped like any other.

There is no way to write a formula: a cell is a number (``<v>``) or an inline string, so a
text starting with ``=`` stays text (the callers also make it inert, evidencekit.inert).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

#: Excel's limit on a cell's text, in UTF-16 code units; longer text is cut (as xlsxwriter did).
MAX_TEXT = 32767
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument."
# What makes a text need more than pasting in: XML's specials, control characters (Excel
# reads them as _xHHHH_), a literal _xHHHH_ (escaped so it is not read as one), whitespace at
# either end (kept with xml:space).
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\\s|\\s$")
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, per column its width and number format (None: General), the
    rows (the first is the header, written bold and wrapped when ``bold_header``), how many
    rows there are (for the dimension and the filter), the frozen columns left of the
    scrolling part (the header row is always frozen) and whether the header has filters.
    A row's cells are None (empty), text (written as it is) or a finite number."""

    name: str
    widths: Sequence[float]
    formats: Sequence[str | None]
    rows: Iterable[Sequence[Any]]
    count: int
    freeze_columns: int = 0
    autofilter: bool = False
    bold_header: bool = False


def column_letters(n: int) -> list[str]:
    """The first ``n`` column names.

    >>> column_letters(28)[-3:]
    ['Z', 'AA', 'AB']
    """
    out = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def text_xml(text: str) -> tuple[str, str]:
    """A text cell's content as Excel reads it back unchanged, and its ``<t>`` attribute.

    >>> text_xml("a & <b>"), text_xml(" x"), text_xml("_x0041_\\r")
    (('a &amp; &lt;b&gt;', ''), (' x', ' xml:space="preserve"'), ('_x005F_x0041__x000D_', ''))
    """
    if len(text) > MAX_TEXT // 2 and len(text.encode("utf-16-le", "surrogatepass")) > MAX_TEXT * 2:
        units = 0
        for i, ch in enumerate(text):
            units += 2 if ord(ch) > 0xFFFF else 1
            if units > MAX_TEXT:
                text = text[:i]
                break
    if _SPECIAL.search(text) is None:
        return text, ""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    keep = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), keep


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _quoted(name: str) -> str:
    """A sheet name as a formula reference needs it."""
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) and not re.fullmatch(
        r"[A-Za-z]{1,3}\d+|[RrCc]\d*", name) else "'" + name.replace("'", "''") + "'"


def _width(chars: float) -> float:
    """A column width in characters as Excel stores it (Calibri 11: 7 pixels a digit, 5 of
    padding), as xlsxwriter computes it.

    >>> _width(7), _width(90)
    (7.7109375, 90.7109375)
    """
    pixels = int(chars * 7 + 0.5) + 5 if chars >= 1 else int(chars * 12 + 0.5)
    return int(pixels / 7 * 256) / 256


class _Styles:
    """Cell formats numbered in the order of first use (as xlsxwriter numbers them)."""

    def __init__(self) -> None:
        self.keys: list[str] = []  # "bold", or a number format

    def attr(self, key: str | None) -> str:
        if key is None:
            return ""
        if key not in self.keys:
            self.keys.append(key)
        return f' s="{self.keys.index(key) + 1}"'

    def xml(self) -> str:
        codes: dict[str, int] = {}
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for key in self.keys:
            if key == "bold":
                xfs.append('<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" '
                           'applyFont="1" applyAlignment="1"><alignment vertical="top" '
                           'wrapText="1"/></xf>')
                continue
            number = 1 if key == "0" else codes.setdefault(key, 164 + len(codes))
            xfs.append(f'<xf numFmtId="{number}" fontId="0" fillId="0" borderId="0" xfId="0" '
                       'applyNumberFormat="1"/>')
        font = ('<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
                '<scheme val="minor"/></font>')
        fonts = ["<font>" + font] + (["<font><b/>" + font] if "bold" in self.keys else [])
        formats = "".join(f'<numFmt numFmtId="{n}" formatCode="{_attr(c)}"/>'
                          for c, n in codes.items())
        return (f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(codes)}">{formats}</numFmts>' if codes else "")
                + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
                '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
                '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs '
                'count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs><cellStyles count="1">'
                '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
                '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


def _sheet_head(sheet: Sheet, letters: list[str], selected: bool) -> str:
    last = f"{letters[-1] if letters else 'A'}{max(1, sheet.count + 1)}"
    c = sheet.freeze_columns
    if c:
        top = letters[c] if c < len(letters) else column_letters(c + 1)[-1]
        pane = (f'<pane xSplit="{c}" ySplit="1" topLeftCell="{top}2" activePane="bottomRight" '
                f'state="frozen"/><selection pane="topRight" activeCell="{top}1" '
                f'sqref="{top}1"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                '<selection pane="bottomRight"/>')
    else:
        pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/>')
    cols, start = [], 0
    for i in range(1, len(sheet.widths) + 1):  # neighbours of one width share a <col>
        if i == len(sheet.widths) or sheet.widths[i] != sheet.widths[start]:
            width = _width(sheet.widths[start])
            cols.append(f'<col min="{start + 1}" max="{i}" width="{width:.16g}" customWidth="1"/>')
            start = i
    return (f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
            f'<dimension ref="A1:{last}"/><sheetViews><sheetView '
            + ('tabSelected="1" ' if selected else "")
            + f'workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f'<cols>{"".join(cols)}</cols>' if cols else "") + "<sheetData>")


def _write_sheet(out: IO[bytes], sheet: Sheet, styles: _Styles, selected: bool) -> None:
    letters = column_letters(len(sheet.widths))
    out.write(_sheet_head(sheet, letters, selected).encode())
    formats: list[str | None] = list(sheet.formats)
    number_attr: list[str | None] = [None] * len(formats)  # ' s="N"' once first used
    special = _SPECIAL.search
    parts: list[str] = []
    n = 0
    for n, row in enumerate(sheet.rows, start=1):
        parts.append(f'<row r="{n}">')
        text_attr = styles.attr("bold") if n == 1 and sheet.bold_header else ""
        for col, v in enumerate(row):
            if v is None:
                continue
            if v.__class__ is str:
                if special(v) is None and len(v) <= MAX_TEXT // 2:
                    parts.append(f'<c r="{letters[col]}{n}"{text_attr} t="inlineStr"><is><t>'
                                 f'{v}</t></is></c>')
                else:
                    t, keep = text_xml(v)
                    parts.append(f'<c r="{letters[col]}{n}"{text_attr} t="inlineStr"><is>'
                                 f'<t{keep}>{t}</t></is></c>')
                continue
            s = number_attr[col]
            if s is None:
                s = number_attr[col] = styles.attr(formats[col])
            try:
                parts.append(f'<c r="{letters[col]}{n}"{s}><v>{v:.16G}</v></c>')
            except OverflowError:  # an integer beyond any float: its digits, as text
                parts.append(f'<c r="{letters[col]}{n}" t="inlineStr"><is><t>{v}</t></is></c>')
        parts.append("</row>")
        if len(parts) > 4096:
            out.write("".join(parts).encode())
            parts.clear()
    if n != sheet.count + 1:
        raise ValueError(f"sheet {sheet.name!r}: {n} rows written, {sheet.count + 1} announced")
    last = f"{letters[-1] if letters else 'A'}{n}"
    parts.append("</sheetData>" + (f'<autoFilter ref="A1:{last}"/>' if sheet.autofilter else "")
                 + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/></worksheet>')
    out.write("".join(parts).encode())


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 31, 0, 0, 0))  # fixed: equal inputs, equal bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100600 << 16
    return info


def write_workbook(handle: IO[bytes], sheets: Sequence[Sheet], *, created: datetime,
                   author: str) -> None:
    """Write the workbook of ``sheets`` (the first selected) into the binary ``handle``.

    A failed write (a full disk) raises its error once; the half-written zip is dropped, not
    closed again when it is collected."""
    zf = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
    try:
        _write_parts(zf, sheets, created, author)
        zf.close()
    except BaseException:
        zf.fp = None  # nothing more is written into a handle that failed
        raise


def _write_parts(zf: zipfile.ZipFile, sheets: Sequence[Sheet], created: datetime,
                 author: str) -> None:
    n = len(sheets)
    names = [f"sheet{i}.xml" for i in range(1, n + 1)]
    ws_type = _TYPES + "spreadsheetml.worksheet+xml"
    zf.writestr(_entry("[Content_Types].xml"), (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
        '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_TYPES}extended-properties+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/><Override PartName="/xl/styles.xml" ContentType="'
        f'{_TYPES}spreadsheetml.styles+xml"/><Override PartName="/xl/theme/theme1.xml" '
        f'ContentType="{_TYPES}theme+xml"/><Override PartName="/xl/workbook.xml" ContentType="'
        f'{_TYPES}spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/{s}" ContentType="{ws_type}"/>'
                  for s in names) + "</Types>").encode())
    zf.writestr(_entry("_rels/.rels"), (
        f'{_DECLARATION}<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" Type="'
        f'{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="'
        f'{_PKG_RELS}/metadata/core-properties" Target="docProps/core.xml"/><Relationship '
        f'Id="rId3" Type="{_DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>").encode())
    zf.writestr(_entry("xl/_rels/workbook.xml.rels"), (
        f'{_DECLARATION}<Relationships xmlns="{_PKG_RELS}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
                  f'Target="worksheets/{s}"/>' for i, s in enumerate(names, start=1))
        + f'<Relationship Id="rId{n + 1}" Type="{_DOC_RELS}/theme" Target="theme/theme1.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
        "</Relationships>").encode())
    styles = _Styles()
    for i, (sheet, name) in enumerate(zip(sheets, names, strict=True)):
        with zf.open(_entry(f"xl/worksheets/{name}"), "w") as out:
            _write_sheet(out, sheet, styles, selected=i == 0)
    filters = []
    for i, sheet in enumerate(sheets):
        if sheet.autofilter:
            last = column_letters(len(sheet.widths))[-1]
            ref = f"{_quoted(sheet.name)}!$A$1:${last}${sheet.count + 1}"
            filters.append((ref.lstrip("'").lower(), i, ref))
    defined = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
                      f'hidden="1">{_attr(ref)}</definedName>' for _, i, ref in sorted(filters))
    zf.writestr(_entry("xl/workbook.xml"), (
        f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><fileVersion '
        'appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr '
        'defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" '
        'windowWidth="16095" windowHeight="9660"/></bookViews><sheets>'
        + "".join(f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                  for i, s in enumerate(sheets, start=1)) + "</sheets>"
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>').encode())
    zf.writestr(_entry("xl/styles.xml"), styles.xml().encode())
    zf.writestr(_entry("xl/theme/theme1.xml"),
                (Path(__file__).parent / "xlsx_theme.xml").read_bytes())
    when = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    zf.writestr(_entry("docProps/core.xml"), (
        f'{_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
        '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{_attr(author)}</dc:creator><cp:lastModifiedBy>{_attr(author)}"
        f'</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{when}'
        f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}'
        "</dcterms:modified></cp:coreProperties>").encode())
    titles = "".join(f"<vt:lpstr>{_attr(s.name)}</vt:lpstr>" for s in sheets)
    zf.writestr(_entry("docProps/app.xml"), (
        f'{_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006'
        '/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>'
        '<ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant">'
        f'<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}'
        f'</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{n}" '
        f'baseType="lpstr">{titles}</vt:vector></TitlesOfParts><Company></Company>'
        '<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>'
        'false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>').encode())
