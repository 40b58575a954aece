"""The vars declared in dbt_project.yml, for the `var` stand-in of sqlfluff's jinja templater (.sqlfluff), so
models lint with the values they build with. Linting only."""

from pathlib import Path

import yaml

values = yaml.safe_load((Path(__file__).resolve().parent.parent / "dbt_project.yml").read_text())["vars"]
