"""HTML from the report templates: one Jinja2 environment, autoescaped, strict, sandboxed.

Templates are looked up in the ``--template-dir`` first and then in the bundled
``report_templates/``; a custom template can also extend a bundled one by its prefixed name,
``{% extends "evidencekit/report.html.j2" %}``, and override only the blocks it needs.
Stylesheets: the bundled ``report.css``, then the template folder's ``report.css`` (so a
custom stylesheet need only hold the rules it changes).

Every value is escaped (``autoescape=True`` for every template, whatever its name); an
undefined name is an error (``StrictUndefined``); templates run in Jinja's immutable sandbox.
Text from a submission is only ever *data* here: it is never compiled as a template.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from ..errors import UsageError
from .assets import AssetResolver
from .context import ReportContext

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

Medium = Literal["html", "pdf"]
TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
#: Added to the HTML (never the PDF): one column and reflowed tables on narrow screens.
NARROW_STYLESHEET = "report-narrow.css"


@lru_cache(maxsize=16)
def environment(resolver: AssetResolver, medium: Medium) -> jinja2.Environment:
    """The Jinja2 environment for a template folder and medium (``medium`` decides how
    assets are linked), made once per process: its templates are compiled on first use and
    compiled again only when their file changes (``auto_reload``), not for every report —
    compiling them was most of the time our code spends on a report."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders: list[jinja2.BaseLoader] = []
    if resolver.template != resolver.bundled:
        loaders.append(jinja2.FileSystemLoader(str(resolver.template)))
    loaders.append(jinja2.FileSystemLoader(str(resolver.bundled)))
    loaders.append(jinja2.PrefixLoader({"evidencekit": jinja2.FileSystemLoader(
        str(resolver.bundled))}))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        auto_reload=True)

    def asset(name: str) -> str:
        if medium == "pdf":
            return resolver.url_for(name)
        return resolver.data_uri(name)

    env.globals["asset"] = asset
    env.globals["medium"] = medium
    return env


def stylesheet(resolver: AssetResolver, medium: Medium = "pdf") -> Markup:
    """The bundled stylesheet (with its narrow-screen rules in HTML), followed by the
    template folder's own, verbatim."""
    parts = [(resolver.bundled / STYLESHEET).read_text(encoding="utf-8")]
    if medium == "html":
        parts.append((resolver.bundled / NARROW_STYLESHEET).read_text(encoding="utf-8"))
    custom = resolver.template / STYLESHEET
    if resolver.template != resolver.bundled and custom.is_file():
        parts.append(f"/* {STYLESHEET} from the template folder */\n"
                     + custom.read_text(encoding="utf-8"))
    css = "\n".join(parts)
    # A stylesheet is trusted (it is the operator's), but it must not end the <style> element.
    return Markup(css.replace("</", "<\\/"))


def render(context: ReportContext | Any, *, resolver: AssetResolver, medium: Medium,
           template_name: str = TEMPLATE) -> str:
    """A report as an HTML document (a string): ``report.html.j2`` with a
    :class:`ReportContext`, or another template (``portfolio.html.j2``) with its context."""
    import jinja2

    env = environment(resolver, medium)
    try:
        template = env.get_template(template_name)
        text: str = template.render(r=context, stylesheet=stylesheet(resolver, medium))
        return text
    except jinja2.TemplateSyntaxError as exc:
        where = Path(exc.filename).name if exc.filename else exc.name or TEMPLATE
        raise UsageError.one(where, "a valid Jinja2 template", f"{exc.message}",
                             line=exc.lineno) from exc
    except jinja2.UndefinedError as exc:
        raise UsageError.one(None, "a report template that uses only the report context's "
                             "fields", str(exc)) from exc
    except jinja2.TemplateNotFound as exc:
        raise UsageError.one(None, "a template folder with the templates it refers to",
                             f"no template {exc.name!r}") from exc
    except jinja2.exceptions.SecurityError as exc:
        raise UsageError.one(None, "a report template that stays inside Jinja's sandbox",
                             str(exc)) from exc
    except jinja2.TemplateError as exc:
        raise UsageError.one(None, "a report template that renders",
                             f"{type(exc).__name__}: {exc}") from exc
