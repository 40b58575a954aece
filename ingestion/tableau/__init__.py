"""Tableau views into `raw_tableau`: one table per view, a full snapshot a day, history kept by snapshot date.

Config and secrets read (dlt providers: env vars, then `.dlt/secrets.toml` / `.dlt/config.toml`):

| name | kind | what |
|---|---|---|
| `SOURCES__TABLEAU__SERVER_URL` | config | Tableau Server / Cloud base URL (`https://tableau.example.edu`) |
| `SOURCES__TABLEAU__API_VERSION` | config, optional | REST API version (default `3.22`) |
| `SOURCES__TABLEAU__SITE` | config, optional | the site's contentUrl (default `""`: the default site) |
| `SOURCES__TABLEAU__TOKEN_NAME` | secret | personal access token name |
| `SOURCES__TABLEAU__TOKEN_SECRET` | secret | personal access token secret |
| `SOURCES__TABLEAU__VIEWS` | config, optional | view names to load (default: the views `views.py` declares) |
| `SOURCES__TABLEAU__PAGE_SIZE` | config, optional | views per catalogue page (default 100) |
| `SOURCES__TABLEAU__REQUEST_TIMEOUT` | config, optional | seconds per connect / read (default 60) |
| `SOURCES__TABLEAU__SNAPSHOT_DATE` | config, optional | `YYYY-MM-DD` (default: today in UTC); for backfills |

Retries of 429 and 5xx answers, connection errors and timeouts follow dlt's
`RUNTIME__REQUEST_MAX_ATTEMPTS` (5) and `RUNTIME__REQUEST_BACKOFF_FACTOR` (1 s, doubling).

How a view is read (through `tableauserverclient`, see `client.py`)
    Sign in with the personal access token, find the view by its name in the site's paged view list, download
    its data as CSV, sign out (always, also when a download fails). Each resource runs that whole exchange
    before it yields anything, so two resources never hold a session at the same time: Tableau ends a PAT's
    session when the same PAT signs in again. Do not mark these resources `parallelized`.

Types
    Tableau exports formatted text: a UTF-8 byte-order mark, quoted fields with commas, thousands separators
    (`"10,608.43"`), percent signs (`"87.5%"`). `views.py` declares column types; `parsing.py` applies them.
    Empty fields become nulls. A value that does not parse fails the run with the view, row and column named,
    and nothing of that view is loaded (the whole view is parsed before dlt sees any of it). Percentages land
    in points (`87.5%` -> 87.5); `Month` (`2025-11`) lands as the month's first day. Identifiers stay text.
    Views named in `SOURCES__TABLEAU__VIEWS` that `views.py` does not declare land as all-text tables named
    after the view; columns a declared view gains land as text; a declared column that is gone fails the run.

Snapshots
    Every row carries `snapshot_date`, and dlt's `_dlt_load_id` (the load's time, read by freshness checks).
    Tables are written `merge` / `delete-insert` with `merge_key=snapshot_date`: a re-run on the same date
    replaces that date's rows of the view, a new date adds a new set and keeps the older ones. A view that
    exports no rows loads nothing, and so leaves that date's earlier rows in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema
from dlt.extract import DltResource

from ingestion.tableau.client import (
    TableauAuthError,
    TableauError,
    TableauSettings,
    TableauViewNotFound,
    signed_in,
)
from ingestion.tableau.parsing import TableauDataError, dlt_hint, parse_view_csv
from ingestion.tableau.settings import (
    DEFAULT_API_VERSION,
    DEFAULT_PAGE_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
    LOAD_ID_COLUMN,
    SNAPSHOT_COLUMN,
)
from ingestion.tableau.views import DEFAULT_VIEWS, ViewSpec, spec_for

__all__ = [
    "TableauAuthError",
    "TableauDataError",
    "TableauError",
    "TableauViewNotFound",
    "extract_view",
    "source",
    "tableau",
]


def extract_view(settings: TableauSettings, spec: ViewSpec, snapshot_date: date) -> pa.Table:
    """One view's rows, typed and stamped: sign in, find, download, sign out; then parse."""
    with signed_in(settings) as session:
        payload = session.view_csv(session.find_view(spec.name))
    return parse_view_csv(spec, payload, snapshot_date)


def _view_rows(settings: TableauSettings, spec: ViewSpec, snapshot_date: date) -> Iterator[pa.Table]:
    table = extract_view(settings, spec, snapshot_date)
    if table.num_rows:
        # dlt stamps `_dlt_load_id` on JSON rows but not on Arrow tables; staging's freshness check reads it.
        load_id = dlt.current.load_package_state()["load_id"]
        yield table.append_column(
            pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False), pa.array([load_id] * table.num_rows)
        )


def view_resource(settings: TableauSettings, spec: ViewSpec, snapshot_date: date) -> DltResource:
    columns: list[TColumnSchema] = [dlt_hint(c) for c in spec.columns]
    columns.append({"name": SNAPSHOT_COLUMN, "data_type": "date", "nullable": False})
    return dlt.resource(
        _view_rows,
        name=spec.table,
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
        merge_key=SNAPSHOT_COLUMN,
        columns=columns,
    )(settings, spec, snapshot_date)


@dlt.source(name="tableau", section="tableau")
def tableau(
    server_url: str = dlt.config.value,
    token_name: str = dlt.secrets.value,
    token_secret: str = dlt.secrets.value,
    site: str = "",
    api_version: str = DEFAULT_API_VERSION,
    views: list[str] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    snapshot_date: date | None = None,
) -> Iterator[DltResource]:
    """One resource per view (see the module docstring); `snapshot_date` defaults to today in UTC."""
    settings = TableauSettings(
        server_url=server_url,
        api_version=api_version,
        site=site,
        token_name=token_name,
        token_secret=token_secret,
        page_size=page_size,
        request_timeout=request_timeout,
    )
    day = snapshot_date or datetime.now(UTC).date()
    for name in views or DEFAULT_VIEWS:
        yield view_resource(settings, spec_for(name), day)
