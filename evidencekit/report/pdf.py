"""PDF from the report's HTML with WeasyPrint: tagged (PDF/UA-1), with fonts we ship.

WeasyPrint is imported inside the functions here and nowhere else, so ``evidencekit --help``
and every command that writes no PDF stay fast.

What the renderer may read is decided by :func:`fetcher`: it serves the bundled assets and
the template folder's own assets through :class:`~evidencekit.report.assets.AssetResolver`
and refuses everything else — ``file:``, ``http(s):`` to any real host, ``data:``, ``ftp:``
and the rest — recording every URL it is asked for. Attachments are never embedded: the
document's attachment list and attachment links are emptied before the PDF is written, and
no ``attachments`` option is ever passed.

Fonts: the bundled DejaVu Sans (regular and bold; Bitstream Vera licence, in
``report_templates/assets/fonts/``) is declared by ``fonts.css`` through the fetcher as the
family "EvidenceKit Sans", so every PDF embeds the same subset fonts whatever the machine has
installed.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .assets import BASE_URL, FONTS_CSS_URL, AssetRefused, AssetResolver
from .tagging import finish

PDF_VARIANT = "pdf/ua-1"


@dataclass
class FetchLog:
    """Every URL the renderer asked for, and which were served or refused."""

    requested: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    #: WeasyPrint's own warnings and errors during the render (kept, not printed).
    messages: list[str] = field(default_factory=list)


@dataclass
class Timings:
    """Seconds spent in WeasyPrint's stages of one render (filled by :func:`html_to_pdf`)."""

    parse: float = 0.0
    layout: float = 0.0
    write: float = 0.0
    pages: int = 0

    @property
    def total(self) -> float:
        return self.parse + self.layout + self.write


def fetcher(resolver: AssetResolver, log: FetchLog | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves report assets only (see the module docstring)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    record = log if log is not None else FetchLog()

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False,
                             fail_on_errors=False)
            self.log = record

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.log.requested.append(url)
            try:
                data, media = resolver.read(url)
            except AssetRefused:
                self.log.refused.append(url)
                raise
            self.log.served.append(url)
            return URLFetcherResponse(url, data, {"Content-Type": media})

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
            target = url if isinstance(url, str) else getattr(url, "full_url", str(url))
            return self.fetch(target)

    return AssetFetcher()


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"{record.levelname}: {record.getMessage()}"[:500])


@contextmanager
def _collect_weasyprint(into: list[str]) -> Iterator[None]:
    """Keep WeasyPrint's warnings (a refused URL is one) in the FetchLog, off the terminal."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect(into)
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


#: The start of the name of a render's temporary font folder (then ``<pid>-<random>``).
FONT_FOLDER = "evidencekit-fonts-"
_swept = False


def _sweep_orphans() -> None:
    """Remove, once per process, the font folders in TMPDIR of processes that have ended.

    Only folders of this user whose name is ``evidencekit-fonts-<pid>-…`` with no process
    ``<pid>`` alive are removed; a folder of a live process (a render under way elsewhere) is
    never touched. A process id reused since is only a folder kept until a later sweep.
    """
    global _swept
    if _swept:
        return
    _swept = True
    import shutil
    import tempfile
    from pathlib import Path

    try:
        candidates = list(Path(tempfile.gettempdir()).glob(f"{FONT_FOLDER}*-*"))
    except OSError:
        return
    for folder in candidates:
        pid = folder.name[len(FONT_FOLDER):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            if folder.lstat().st_uid != os.getuid() or not folder.is_dir():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, OverflowError):  # not ours to probe, or gone meanwhile
            continue


@contextmanager
def _font_folder() -> Iterator[Any]:
    """A WeasyPrint font configuration whose temporary font folder is removed when the PDF
    is written.

    WeasyPrint copies each ``@font-face`` font into a ``weasyprint-*`` folder of its own in
    TMPDIR and removes it only when the configuration is garbage-collected, which a worker
    that exits (or a configuration kept alive by a reference cycle) never does: about 75 MB
    per 2,000 PDFs were left behind. Here the folder is made by us, inside a
    :class:`tempfile.TemporaryDirectory`, and removed as soon as the render is over, whether
    it succeeded or not. A process killed in the middle of a render (``kill -9``, the OOM
    killer) cannot remove its folder, so the folder's name carries its process id, and the
    first render of every process removes the folders of processes that no longer exist
    (:func:`_sweep_orphans`).
    """
    import tempfile
    from pathlib import Path

    from weasyprint.text.fonts import FontConfiguration

    _sweep_orphans()
    with tempfile.TemporaryDirectory(prefix=f"{FONT_FOLDER}{os.getpid()}-") as folder:
        config = FontConfiguration()
        if hasattr(config, "_folder"):  # WeasyPrint ≥ 53: fonts go where ``_folder`` says
            config._folder = Path(folder)
        try:
            yield config
        finally:
            if hasattr(config, "_folder"):  # so its own clean-up finds nothing to remove
                config._folder = None


#: The youngest generation's collection threshold while a PDF is rendered (Python's default
#: is 700). See :func:`fewer_collections`.
YOUNG_THRESHOLD = 10_000
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while WeasyPrint renders.

    A render builds hundreds of thousands of small objects (boxes, computed styles, text
    lines) that mostly live until the PDF is written, so with Python's default threshold the
    collector runs thousands of times per report, each time walking objects that are all
    still alive: a fifth of a report's time. Collecting every 10,000 allocations instead of
    every 700 leaves the garbage the same (every cycle is still collected, a little later;
    peak memory moves by a few MB). The threshold is the process's, so nested or concurrent
    renders share one change, and the caller's threshold is put back when the last ends.
    """
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            if _gc_saved[0] and _gc_saved[0] < YOUNG_THRESHOLD:  # 0 means disabled: leave it
                gc.set_threshold(YOUNG_THRESHOLD, *_gc_saved[1:])
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)


#: The user-agent rules that give every element six pseudo-elements (a list marker, and the
#: calls and markers of footnotes and notes) and what an author stylesheet must mention for
#: any of them to be drawn: ``::marker`` is only drawn for ``display: list-item`` (in the
#: user-agent sheet, ``li``), the other five only for ``float: footnote`` and
#: ``position: note(...)``.
_UA_EVERY_ELEMENT = {
    "::marker {": "li::marker {", "::footnote-call {": "", "::footnote-marker {": "",
    "::note-call {": "", "::note-marker {": "", "::note-callback {": "",
}
_USES_PSEUDO = ("list-item", "footnote", "note(", "<link", "@import")
_lean_html: list[Any] = []


def _lean_html_class() -> Any:
    """``weasyprint.HTML`` with a user-agent stylesheet whose pseudo-element rules apply
    only to the elements that can draw them, or ``weasyprint.HTML`` itself when this
    WeasyPrint's stylesheet is not the one expected.

    WeasyPrint computes the style of every pseudo-element a rule matches, drawn or not:
    with ``::marker``, ``::footnote-call`` and four more matching every element, seven
    styles per element, a tenth of a report's time. For a document whose own CSS (all of it
    in the HTML: no ``<link>`` or ``@import``) never makes a list item, a footnote or a note
    other than ``li``, the rules restricted to ``li::marker`` give the same PDF, byte for
    byte (tests/report/test_report_pdf.py checks it).
    """
    if _lean_html:
        return _lean_html[0]
    import weasyprint
    from weasyprint import html as wp_html
    from weasyprint.css.counters import CounterStyle

    cls: Any = weasyprint.HTML
    try:
        lines = wp_html.UA.splitlines(keepends=True)
        found = {k: [i for i, line in enumerate(lines) if line.startswith(k)]
                 for k in _UA_EVERY_ELEMENT}
        if all(len(v) == 1 for v in found.values()) and hasattr(cls, "_ua_stylesheets"):
            for key, (i,) in found.items():
                new = _UA_EVERY_ELEMENT[key]
                lines[i] = lines[i].replace(key, new, 1) if new else "\n"
            # Its @counter-style rules go to a throwaway registry: documents take theirs
            # from WeasyPrint's (``_ua_counter_style``), which already has them.
            sheet = weasyprint.CSS(string="".join(lines), counter_style=CounterStyle())

            class LeanHTML(weasyprint.HTML):  # type: ignore[misc]
                def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                    return [sheet, *super()._ua_stylesheets(forms)[1:]]

            cls = LeanHTML
    except (AttributeError, ValueError):  # pragma: no cover - another WeasyPrint
        cls = weasyprint.HTML
    _lean_html.append(cls)
    return cls


def html_class(html: str) -> Any:
    """The ``HTML`` class to parse ``html`` with (see :func:`_lean_html_class`)."""
    import weasyprint

    lowered = html.lower()
    if any(word in lowered for word in _USES_PSEUDO):
        return weasyprint.HTML
    return _lean_html_class()


def html_to_pdf(html: str, resolver: AssetResolver, *, log: FetchLog | None = None,
                timings: Timings | None = None) -> bytes:
    """Render report HTML to PDF/UA-1 bytes with the bundled fonts and no attachments."""
    import weasyprint

    log = log if log is not None else FetchLog()
    fetch = fetcher(resolver, log)
    t0 = time.perf_counter()
    with fewer_collections(), _collect_weasyprint(log.messages), \
            _font_folder() as font_config:
        fonts = weasyprint.CSS(url=FONTS_CSS_URL, url_fetcher=fetch, font_config=font_config)
        doc_html = html_class(html)(string=html, base_url=BASE_URL, url_fetcher=fetch)
        t1 = time.perf_counter()
        document = doc_html.render(font_config=font_config, stylesheets=[fonts],
                                   pdf_variant=PDF_VARIANT)
        t2 = time.perf_counter()
        # Never embed attachments, whatever a template says.
        document.metadata.attachments = []
        for page in document.pages:
            page.links = [link for link in page.links if link[0] != "attachment"]
        # The finisher gives table headers the /Scope WeasyPrint leaves out and marks running
        # headers and footers as pagination artifacts (PDF/UA-1; report/tagging.py).
        pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=False,
                                        attachments=None, finisher=finish)
        t3 = time.perf_counter()
    if timings is not None:
        timings.parse += t1 - t0
        timings.layout += t2 - t1
        timings.write += t3 - t2
        timings.pages = len(document.pages)
    return pdf
