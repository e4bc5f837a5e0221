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

import logging
import os
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


def html_to_pdf(html: str, resolver: AssetResolver, *, log: FetchLog | None = None,
                timings: Timings | None = None) -> bytes:
    """Render report HTML to PDF/UA-1 bytes with the bundled fonts and no attachments."""
    import weasyprint

    log = log if log is not None else FetchLog()
    fetch = fetcher(resolver, log)
    t0 = time.perf_counter()
    with _collect_weasyprint(log.messages), _font_folder() as font_config:
        fonts = weasyprint.CSS(url=FONTS_CSS_URL, url_fetcher=fetch, font_config=font_config)
        doc_html = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetch)
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
