"""Stand-in for dbt's `run_started_at` in sqlfluff's jinja templater (a fixed time). Linting only."""


def strftime(fmt):
    return "2026-01-01 00:00:00.000000"
