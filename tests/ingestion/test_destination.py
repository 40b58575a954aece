"""Destinations by configuration: DuckDB by default, Snowflake resolved from environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.destination import destination_name, make_pipeline


def test_duckdb_is_the_default_and_lands_in_the_configured_file(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAMPUS_DESTINATION", raising=False)
    pipeline = make_pipeline("probe")
    assert pipeline.destination.destination_name == "duckdb"
    assert pipeline.dataset_name == "raw_probe"
    pipeline.run([{"id": 1}], table_name="t")
    assert warehouse.exists()


def test_snowflake_configuration_resolves_from_environment_variables(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "snowflake-password-under-test"
    for name, value in {
        "DATABASE": "CAMPUS",
        "USERNAME": "LOADER",
        "PASSWORD": secret,
        "HOST": "acme-xy12345",
        "WAREHOUSE": "LOADING",
        "ROLE": "LOADER_ROLE",
    }.items():
        monkeypatch.setenv(f"DESTINATION__SNOWFLAKE__CREDENTIALS__{name}", value)
    pipeline = make_pipeline("oracle_sis", "snowflake")
    # Building the client resolves its configuration; only entering it would connect (nothing to reach here).
    client = pipeline.destination_client()
    credentials = client.config.credentials
    assert pipeline.destination.destination_name == "snowflake"
    assert (credentials.database, credentials.username, credentials.host) == (
        "CAMPUS",
        "LOADER",
        "acme-xy12345",
    )
    assert (credentials.warehouse, credentials.role) == ("LOADING", "LOADER_ROLE")
    assert credentials.password == secret
    assert pipeline.dataset_name == "raw_oracle_sis"
    # The connection string dlt would log masks the password.
    assert secret not in str(credentials)


def test_an_unknown_destination_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="duckdb, snowflake"):
        destination_name("bigquery")
