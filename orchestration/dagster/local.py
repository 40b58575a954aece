"""`campus orchestrate` (`make orchestrate`): the sandbox servers, then `dagster dev` on 127.0.0.1 using them.

Why here and not in a Dagster resource: the stand-ins must outlive any one run (the schedule, retries, a
run started from the UI), and the deployed definitions must carry no sandbox code. This process starts the
stand-ins in threads, exports the same variables `campus run` uses, and runs `dagster dev` as a child that
inherits them, with `DAGSTER_HOME` in the git-ignored `.dagster_home/`. Ctrl-C stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.cli import ensure_sandbox, sandbox_environment
from orchestration.dagster.project import ROOT, pin_warehouse_path

DAGSTER_HOME = ROOT / ".dagster_home"
DAGSTER_YAML = """\
# Written by `campus orchestrate`; local only (git-ignored).
telemetry:
  enabled: false
"""


def ready_dagster_home(home: Path = DAGSTER_HOME) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    return home


def dagster_dev(data_dir: Path, scale: float, seed: int, host: str = "127.0.0.1", port: int = 3000) -> int:
    ensure_sandbox(data_dir, scale, seed)
    pin_warehouse_path()
    home = ready_dagster_home()
    dagster = str(Path(sys.executable).with_name("dagster"))
    with sandbox_environment(data_dir):
        env = {**os.environ, "DAGSTER_HOME": str(home), "DBT_PROFILES_DIR": str(ROOT)}
        command = [dagster, "dev", "-h", host, "-p", str(port), "-m", "orchestration.dagster.definitions"]
        print(f"dagster dev on http://{host}:{port} (DAGSTER_HOME={home}); sandbox running. Ctrl-C stops.")
        child = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            try:
                return child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                return child.wait()
