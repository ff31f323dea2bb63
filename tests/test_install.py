"""Glossator as a user installs it: a wheel built with the standard tools, in a fresh virtual environment outside the
checkout, starting a site from nothing.

No network: the wheel is installed without its dependencies, which the test lends from its own environment by a
folder on PYTHONPATH that holds them and nothing of Glossator."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from importlib.metadata import Distribution, distribution
from pathlib import Path

import pytest

from .conftest import LAYOUTS, REPO

PACKAGE_DATA = {"glossator/annotations.schema.json", "glossator/front_matter.schema.json",
                "glossator/config.schema.json", "glossator/dev/reload.js", "glossator/dev/authoring.js",
                "glossator/dev/authoring.css",
                *(f"glossator/theme/{p.relative_to(LAYOUTS).as_posix()}" for p in LAYOUTS.rglob("*") if p.is_file())}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the sources, so that building writes nothing into the checkout."""
    sources = tmp_path_factory.mktemp("sources")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, sources / name)
    shutil.copytree(REPO / "glossator", sources / "glossator", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(wheels), str(sources)], check=True)
    return next(wheels.glob("glossator-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh virtual environment with the wheel in it; return the environment to run its `glossator` in."""
    place = tmp_path_factory.mktemp("venv")
    venv.create(place, with_pip=True)
    subprocess.run([str(place / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True)
    lent = tmp_path_factory.mktemp("dependencies")
    for dist in _dependencies(distribution("glossator")):
        for top in _top_level(dist):
            if not (lent / top.name).exists():
                (lent / top.name).symlink_to(top)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PYTHONPATH": str(lent), "PATH": f"{place / 'bin'}{os.pathsep}{env.get('PATH', '')}"}


def _dependencies(dist: Distribution, seen: set[str] | None = None) -> list[Distribution]:
    """The distributions `dist` needs to run, its extras aside, found in this environment."""
    seen = set() if seen is None else seen
    found = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0]
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        needed = distribution(name)
        found += [needed, *_dependencies(needed, seen)]
    return found


def _top_level(dist: Distribution) -> set[Path]:
    """The folders and modules a distribution installed, and its metadata folder."""
    root = Path(str(dist.locate_file("")))
    return {root / Path(str(file)).parts[0] for file in dist.files or [] if not str(file).startswith("..")
            and Path(str(file)).parts[0] not in ("__pycache__", "bin")}


def test_the_wheel_carries_the_theme_schemas_and_script_and_nothing_else_of_the_repository(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert names >= PACKAGE_DATA
    assert {"glossator/commands/starter/content/first-article.md",
            "glossator/commands/starter/github/workflows/pages.yml"} <= names
    outside = sorted(name for name in names if not name.startswith(("glossator/", "glossator-")))
    assert outside == []
    assert not [name for name in names if name.endswith(".pyc")]


def test_a_site_started_from_nothing_builds_with_the_installed_tool(installed: dict[str, str],
                                                                    tmp_path: Path) -> None:
    def glossator(*args: str | Path, cwd: Path = tmp_path / "site") -> subprocess.CompletedProcess[str]:
        return subprocess.run(["glossator", *map(str, args)], cwd=cwd, env=installed, capture_output=True,
                              text=True, check=False)

    where = subprocess.run(["python", "-c", "import glossator; print(glossator.__file__)"], env=installed,
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert not Path(where.strip()).is_relative_to(REPO)  # the wheel's copy, not the checkout's
    assert glossator("init", "site", cwd=tmp_path).returncode == 0
    received = tmp_path / "received.txt"
    received.write_text("The mayor said the budget would pass. It did not.\n")
    made = glossator("new", "budget", "--from", received)
    assert made.returncode == 0, made.stderr
    built = glossator("build")
    assert built.returncode == 0, built.stderr
    pages = tmp_path / "site" / "site"
    assert {"index.html", "first-article.html", "budget.html", "budget.source.txt"} <= {p.name for p in pages.iterdir()}
    assert "The mayor said the budget would pass." in (pages / "budget.html").read_text()
    checked = glossator("check")
    assert checked.returncode == 0 and "checked 2 articles" in checked.stderr


def test_one_layout_file_in_the_site_replaces_only_that_file_of_the_theme(installed: dict[str, str],
                                                                          tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(["glossator", "init", str(site)], env=installed, check=True, capture_output=True)
    subprocess.run(["glossator", "layouts", "--copy", "style.css"], cwd=site, env=installed, check=True,
                   capture_output=True)
    style = site / "layouts" / "style.css"
    style.write_text("body { color: rebeccapurple; }\n" + style.read_text())
    subprocess.run(["glossator", "build"], cwd=site, env=installed, check=True, capture_output=True)
    page = (site / "site" / "first-article.html").read_text()
    assert "body { color: rebeccapurple; }" in page
    assert 'class="sidenote' in page  # the rest of the theme as it was
