"""Where the dbt project, its Dagster manifest and the dbt executable are; keeping the manifest current.

Config read (environment variables):
- `DBT_TARGET`: dbt target Dagster runs with (default `dev`; `prod` is Snowflake).
- `CAMPUS_WAREHOUSE`: the DuckDB file; made absolute here because dbt runs from `dbt_project/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from ingestion.destination import warehouse_path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
PROFILES_DIR = ROOT
# Dagster's own parse output, apart from the target/ a developer's `dbt build` writes.
MANIFEST_DIR = DBT_PROJECT_DIR / "target" / "dagster"
MANIFEST_PATH = MANIFEST_DIR / "manifest.json"
# What the manifest is parsed from: a change to any of these makes it stale.
PARSE_INPUTS = ("models", "macros", "snapshots", "seeds", "tests", "analyses", "dbt_project.yml")


def dbt_target() -> str:
    return os.environ.get("DBT_TARGET", "dev")


def dbt_executable() -> str:
    """The venv's dbt beside this interpreter, else whatever `dbt` is on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


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


def manifest_is_current() -> bool:
    return MANIFEST_PATH.exists() and MANIFEST_PATH.stat().st_mtime >= _newest_input_mtime()


def ensure_manifest() -> Path:
    """`dbt parse` into `dbt_project/target/dagster/` when the manifest is missing or older than the project.

    Each parse writes to its own folder and the manifest is moved into place atomically, so code-location and
    run processes loading the definitions at the same time never read a half-written file.
    """
    if manifest_is_current():
        return MANIFEST_PATH
    work = MANIFEST_DIR / f"parse-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_TARGET_PATH": str(work),
        "DBT_LOG_PATH": str(work),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    # Parsing never connects: a target whose secrets are absent here still parses with dev.
    target = dbt_target() if dbt_target() != "prod" or os.environ.get("SNOWFLAKE_ACCOUNT") else "dev"
    try:
        done = subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR), "--target", target],
            cwd=DBT_PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not (work / "manifest.json").exists():
            raise RuntimeError(
                f"`dbt parse` of {DBT_PROJECT_DIR} failed (exit {done.returncode}); fix it and reload:\n"
                + (done.stdout[-4000:] or done.stderr[-4000:])
            )
        os.replace(work / "manifest.json", MANIFEST_PATH)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return MANIFEST_PATH
