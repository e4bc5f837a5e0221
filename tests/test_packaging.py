"""The wheel ships the rubrics and report templates, and works installed outside the repo.

The fresh virtual environment gets its third-party dependencies from the development venv
through a ``.pth`` line (nothing is downloaded); evidencekit itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "goodgym.yaml"


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=env, check=False)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
         cwd=REPO)
    (path,) = out.glob("evidencekit-*.whl")
    return path


def test_wheel_contains_rubrics_and_report_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "evidencekit/_bundled/rubrics/nesta.yaml" in names
    templates = [n for n in names if n.startswith("evidencekit/_bundled/report_templates/")]
    assert templates, "report_templates/ is not in the wheel"
    shipped = {n.removeprefix("evidencekit/_bundled/report_templates/") for n in templates}
    on_disk = {p.relative_to(REPO / "report_templates").as_posix()
               for p in (REPO / "report_templates").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}
    assert shipped == on_disk
    assert "evidencekit/cli.py" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    # The web app's templates and static files, and the rubric JSON Schema, ship too.
    web = REPO / "evidencekit" / "web"
    for p in [*(web / "templates").rglob("*.j2"), *(web / "static").rglob("*.*"),
              REPO / "evidencekit" / "assessment" / "rubric.schema.json"]:
        assert p.relative_to(REPO).as_posix() in names, p


def test_wheel_installs_into_a_fresh_venv_and_assesses(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    # Install evidencekit from the wheel alone, before the dev packages become visible.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)], cwd=tmp_path)
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                      "['purelib'])"], cwd=tmp_path).stdout.strip())
    assert site.is_relative_to(venv)
    dev_site = sysconfig.get_paths()["purelib"]
    (site / "evidencekit_test_deps.pth").write_text(dev_site + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "goodgym.yaml")
    where = _run([str(python), "-c", "import evidencekit, evidencekit.resources as r; "
                  "print(evidencekit.__file__); print(r.rubrics_dir()); "
                  "print(r.templates_dir())"], cwd=work, env=env).stdout.split()
    for path in where:
        assert Path(path).is_relative_to(venv), where  # not the editable checkout
        assert not Path(path).is_relative_to(REPO)

    script = venv / "bin" / "evidencekit"
    assert script.exists()
    proc = _run([str(script), "assess", "goodgym.yaml", "--format", "json"], cwd=work, env=env)
    data = json.loads(proc.stdout)
    assert (data["level"], data["claimed_level"]) == (3, 4)
    assert data["rubric"]["id"] == "nesta"
    listed = _run([str(script), "rubric", "list"], cwd=work, env=env)
    assert listed.stdout.split() == sorted(p.stem for p in (REPO / "rubrics").glob("*.yaml"))
    every = json.loads(_run([str(script), "assess", "goodgym.yaml", "--rubric", "all",
                             "--format", "json"], cwd=work, env=env).stdout)
    assert every["crosswalk"][0]["rubric"] == "nesta"
    assert {e["rubric"] for e in every["crosswalk"]} == set(listed.stdout.split())
