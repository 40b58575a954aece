"""Stand-in for dbt's `graph` in sqlfluff's jinja templater: one model and one stored-failures test, so models
that list nodes render their per-node SQL. Linting only."""

nodes = {
    "model.campus_pathways.dim_student": {
        "unique_id": "model.campus_pathways.dim_student",
        "resource_type": "model",
        "name": "dim_student",
        "alias": "dim_student",
        "schema": "marts",
        "access": "public",
        "group": "core",
        "config": {"materialized": "table"},
    },
    "test.campus_pathways.dq_sis_students_null_email": {
        "unique_id": "test.campus_pathways.dq_sis_students_null_email",
        "resource_type": "test",
        "name": "dq_sis_students_null_email",
        "alias": "dq_sis_students_null_email",
        "schema": "test_failures",
        "config": {
            "materialized": "test",
            "severity": "warn",
            "store_failures": True,
            "store_failures_as": None,
        },
    },
}
