"""Stand-in for dbt's Jinja `context` in sqlfluff's jinja templater: no macros to look up. Linting only."""


def keys():
    return []
