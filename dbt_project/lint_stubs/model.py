"""Stand-in for dbt's `model` node in sqlfluff's jinja templater: no code of its own. Linting only."""

raw_code = ""
