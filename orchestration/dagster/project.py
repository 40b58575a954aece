"""The dbt project as Dagster sees it: dagster-dbt's `DbtProject` (project, profiles dir, target, where its
manifest is parsed to), and a manifest that is current whenever the definitions load.

Config read (environment variables):
- `DBT_TARGET`: dbt target Dagster runs with (default `dev`; `prod` is Snowflake).
- `CAMPUS_WAREHOUSE`: the DuckDB file; made absolute here because dbt runs from `dbt_project/`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.destination import warehouse_path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
PROFILES_DIR = ROOT
# Dagster's own parse output (relative to the dbt project), apart from the target/ a developer's `dbt build`
# writes.
MANIFEST_TARGET_PATH = Path("target") / "dagster"
MANIFEST_PATH = DBT_PROJECT_DIR / MANIFEST_TARGET_PATH / "manifest.json"
# What the manifest is parsed from: a change to any of these makes it stale.
PARSE_INPUTS = ("models", "macros", "snapshots", "seeds", "tests", "analyses", "dbt_project.yml")


def dbt_target() -> str:
    return os.environ.get("DBT_TARGET", "dev")


def put_dbt_on_path() -> None:
    """dagster-dbt runs `dbt` from PATH (its manifest preparer takes no executable); a virtualenv that is not
    activated (`.venv/bin/python -m pytest`, `.venv/bin/campus`) has it only beside the interpreter."""
    if shutil.which("dbt") is None:
        os.environ["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))


def dbt_project() -> DbtProject:
    """The project with the target of this process's environment (read on each call: tests switch it)."""
    put_dbt_on_path()
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        target_path=MANIFEST_TARGET_PATH,
        profiles_dir=PROFILES_DIR,
        target=dbt_target(),
    )


def pin_warehouse_path() -> None:
    """dlt resolves the DuckDB file from the working directory, dbt from dbt_project/: pin it absolute."""
    os.environ["CAMPUS_WAREHOUSE"] = str(warehouse_path().resolve())


def _newest_input_mtime() -> float:
    newest = (PROFILES_DIR / "profiles.yml").stat().st_mtime
    for name in PARSE_INPUTS:
        path = DBT_PROJECT_DIR / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    newest = max(newest, file.stat().st_mtime)
    return newest


def manifest_is_current(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_input_mtime()


def prepared_project() -> DbtProject:
    """The project with a loadable, current manifest at `manifest_path`.

    `prepare_if_dev()` re-parses under `dagster dev`, as dagster-dbt intends. Outside it DbtProject expects a
    manifest built beforehand; the one shim kept here parses when the manifest is missing or older than the
    project's files, so tests on a fresh clone and plain `python -m` loads never serve a stale asset graph.
    dagster-dbt's preparer holds a file lock, so processes loading at once parse once.
    """
    project = dbt_project()
    project.prepare_if_dev()
    if not manifest_is_current(project):
        project.preparer.prepare(project)
    return project
