"""The public API: __all__, re-exported types and errors, py.typed, tables; runtime
dependencies are exactly what the package imports."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

import evidencekit

REPO = Path(__file__).resolve().parents[2]
#: Distribution name -> the top-level module it provides, where they differ.
MODULE_OF = {"pyyaml": "yaml", "python-multipart": "python_multipart"}


def test_all_names_resolve_and_are_documented() -> None:
    for name in evidencekit.__all__:
        assert getattr(evidencekit, name) is not None, name
    assert issubclass(evidencekit.RubricError, evidencekit.EvidenceKitError)
    assert evidencekit.DEFAULT_RUBRIC == "nesta"
    doc = evidencekit.__doc__ or ""
    for name in evidencekit.__all__:
        if name != "__version__":
            assert name in doc, f"{name} is public but the package docstring does not name it"
    with pytest.raises(AttributeError):
        evidencekit.not_a_name  # noqa: B018


def test_py_typed_ships() -> None:
    assert (REPO / "evidencekit" / "py.typed").is_file()


def _imports() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "evidencekit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "evidencekit"}


def test_runtime_dependencies_are_exactly_what_the_package_imports() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=\[ ;]", d)[0].lower() for d in project["dependencies"]}
    modules = {MODULE_OF.get(d, d) for d in declared}
    extras = {MODULE_OF.get(d, d) for name in ("frame", "dask", "postgresql") for d in
              (re.split(r"[<>=\[ ;]", x)[0].lower() for x in
               project["optional-dependencies"][name])}
    imported = _imports()
    assert imported - modules - extras == set(), "imported but not declared"
    # pyarrow is imported; every declared runtime dependency is imported somewhere.
    assert modules - imported == set(), "declared but never imported"
    assert "pandas" not in modules and "statsmodels" not in modules


def test_results_as_tables() -> None:
    pd = pytest.importorskip("pandas")
    result = evidencekit.assess(REPO / "examples" / "goodgym.yaml")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(result.COLUMNS)
    assert len(frame) == sum(len(lv.criteria) for lv in result.levels)
    assert set(frame["level_status"]) <= set(evidencekit.LEVEL_STATUSES)
    html = result._repr_html_()
    assert "<table>" in html and "verified level 3" in html
    analysis = evidencekit.analyse(REPO / "examples" / "goodgym.yaml")
    assert len(analysis.to_frame()) == 2 and "<table>" in analysis._repr_html_()
    cw = evidencekit.crosswalk(REPO / "examples" / "goodgym.yaml")
    assert cw.to_frame()["rubric"].iloc[0] == "nesta"


def test_repr_html_escapes_untrusted_text() -> None:
    doc = {"programme": {"name": "<script>alert(1)</script>"}}
    html = evidencekit.assess(doc)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
