"""Where a report's templates and assets come from, and the only way to reach them.

Two folders are "mounted": the bundled ``report_templates/`` (as ``bundled/``) and the
template folder in use (as ``template/``: a ``--template-dir``, or the bundled folder again).
In a PDF, assets are addressed by virtual URLs under :data:`ROOT`, a reserved ``.invalid``
host that no resolver will ever answer, and only :class:`AssetResolver` turns such a URL
into a file — inside a mount, with an allowed suffix, after resolving symlinks. In HTML,
the same assets are inlined as ``data:`` URIs so the file stands alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..errors import UsageError
from ..resources import templates_dir

ROOT = "https://evidencekit.invalid/"
BUNDLED = "bundled"
TEMPLATE = "template"
#: The URL relative references in a PDF's HTML resolve against (the template folder).
BASE_URL = f"{ROOT}{TEMPLATE}/"
FONTS_CSS_URL = f"{ROOT}{BUNDLED}/assets/fonts/fonts.css"

#: Suffixes an asset may have, with their media types. Templates (.j2) are never served.
MEDIA_TYPES = {
    ".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
    ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
}
MAX_ASSET_BYTES = 20 * 1024 * 1024


class AssetRefused(ValueError):
    """A URL the report renderer will not fetch, and why."""


@dataclass(frozen=True, slots=True)
class AssetResolver:
    """Maps virtual asset URLs to files inside the two mounts, and refuses all else."""

    bundled: Path
    template: Path

    @classmethod
    def for_template_dir(cls, template_dir: Path | None) -> AssetResolver:
        bundled = templates_dir().resolve()
        if template_dir is None:
            return cls(bundled, bundled)
        folder = Path(template_dir)
        if not folder.is_dir():
            raise UsageError.one(None, "--template-dir naming an existing folder",
                                 f"{str(folder)!r}, which is not a folder")
        return cls(bundled, folder.resolve())

    def path_for(self, url: str) -> Path:
        """The file a virtual URL names; raises :class:`AssetRefused` for anything else.

        >>> r = AssetResolver.for_template_dir(None)
        >>> r.path_for(FONTS_CSS_URL).name
        'fonts.css'
        >>> r.path_for("file:///etc/passwd")
        Traceback (most recent call last):
        ...
        evidencekit.report.assets.AssetRefused: not a bundled report asset: file:///etc/passwd
        """
        if not url.startswith(ROOT):
            raise AssetRefused(f"not a bundled report asset: {url[:200]}")
        parts = urlsplit(url)
        if parts.query or parts.fragment:
            raise AssetRefused(f"asset URLs take no query or fragment: {url[:200]}")
        rel = PurePosixPath(unquote(parts.path).lstrip("/"))
        if not rel.parts or rel.parts[0] not in (BUNDLED, TEMPLATE) or ".." in rel.parts:
            raise AssetRefused(f"not a bundled report asset: {url[:200]}")
        root = self.bundled if rel.parts[0] == BUNDLED else self.template
        return self._inside(root, PurePosixPath(*rel.parts[1:]), url)

    def _inside(self, root: Path, rel: PurePosixPath, shown: str) -> Path:
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise AssetRefused(f"not a report asset: {shown[:200]}")
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise AssetRefused(f"outside the template folders: {shown[:200]}")
        if path.suffix.lower() not in MEDIA_TYPES:
            raise AssetRefused(f"not an asset type a report uses: {shown[:200]}")
        if not path.is_file():
            raise AssetRefused(f"no such report asset: {shown[:200]}")
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise AssetRefused(f"asset larger than {MAX_ASSET_BYTES // 2**20} MB: {shown[:200]}")
        return path

    def read(self, url: str) -> tuple[bytes, str]:
        path = self.path_for(url)
        return path.read_bytes(), MEDIA_TYPES[path.suffix.lower()]

    def url_for(self, name: str) -> str:
        """The virtual URL of an asset by name: the template folder's first, then bundled."""
        rel = PurePosixPath(name)
        for mount, root in ((TEMPLATE, self.template), (BUNDLED, self.bundled)):
            try:
                self._inside(root, rel, name)
            except AssetRefused:
                continue
            return f"{ROOT}{mount}/{rel.as_posix()}"
        raise UsageError.one(None, "an asset in the template folder or the bundled templates "
                             f"(one of the types {', '.join(sorted(MEDIA_TYPES))})", repr(name))

    def data_uri(self, name: str) -> str:
        """The asset inlined as a data: URI, for a self-contained HTML file."""
        data, media = self.read(self.url_for(name))
        return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"

