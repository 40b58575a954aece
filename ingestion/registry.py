"""The one list of source systems: for each, the `@dlt.source` that loads it, where it lands and the raw
tables it declares. The runner, `campus ingest` / `campus run`, the Dagster assets and the Dagster sensors
read the sources from here; nothing else names them.

A source's name is the key of everything about it: the dlt source and its config section (`sources.<name>`,
so `SOURCES__<NAME>__...` in the environment), the dlt pipeline `campus_<name>`, the raw dataset
`raw_<name>`, the dbt source `<name>` (`dbt_project/models/staging/<name>/`), the Dagster step
`campus_<name>`.

To add a source: a package in `ingestion/` shaped like the others (`__init__.py` with the `@dlt.source` and
its resources, `settings.py` of constants, a client or helpers module), one `Source` below, and a dbt
`sources:` block of the same name. Nothing is read here: the factory resolves its settings and secrets when
called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from dlt.common.destination import TLoaderFileFormat
from dlt.extract import DltSource
from dlt.sources import AnySourceFactory

from ingestion.destination import dataset_name, pipeline_name
from ingestion.files import landing_files
from ingestion.files.contracts import FILE_KINDS
from ingestion.files.settings import PERSON_FIELDS as FILES_PERSON_FIELDS
from ingestion.oracle_sis import oracle_sis
from ingestion.oracle_sis.settings import PERSON_FIELDS as SIS_PERSON_FIELDS
from ingestion.oracle_sis.settings import SIS_TABLES
from ingestion.suppression import Suppression, suppress
from ingestion.suppression import load as load_suppression
from ingestion.tableau import tableau
from ingestion.tableau.settings import PERSON_FIELDS as TABLEAU_PERSON_FIELDS
from ingestion.tableau.views import DEFAULT_VIEWS, spec_for
from ingestion.workday import workday_source
from ingestion.workday.settings import CHILD_TABLES as WORKDAY_CHILD_TABLES
from ingestion.workday.settings import PERSON_FIELDS as WORKDAY_PERSON_FIELDS
from ingestion.workday.settings import RESOURCES as WORKDAY_RESOURCES


@dataclass(frozen=True)
class Source:
    """One source system. `resources` and `child_tables` come from the connector's own declarations, so they
    are known without a connection (Dagster builds its asset specs from them when a code location loads)."""

    # The `@dlt.source` function; called with no arguments, dlt resolves its config and secrets.
    factory: AnySourceFactory
    # dlt resource name -> raw table, in raw's (snake_case) spelling.
    resources: Mapping[str, str]
    # dlt child table (a list inside a record) -> the raw table of its parent record.
    child_tables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # How the runner and Dagster hand the rows to dlt's loader (parquet: far faster than insert-values).
    loader_file_format: TLoaderFileFormat = "parquet"
    # dlt resource -> its fields that identify a person -> identifier kind (`ingestion.suppression`): rows of
    # people on the suppression list are dropped there before they land.
    person_fields: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def name(self) -> str:
        return self.factory.name

    @property
    def config_section(self) -> str:
        """Where dlt looks for this source's settings: `[sources.<section>]`, `SOURCES__<SECTION>__<KEY>`."""
        return f"sources.{self.factory.section}"

    @property
    def pipeline_name(self) -> str:
        return pipeline_name(self.name)

    @property
    def dataset(self) -> str:
        return dataset_name(self.name)

    @property
    def raw_tables(self) -> tuple[str, ...]:
        """Every table the source lands in its raw dataset, child tables included (dlt's own left out)."""
        return (*self.resources.values(), *self.child_tables)

    def parent_table(self, table: str) -> str:
        """The raw table whose resource lands `table`: a child table's parent, any other table itself."""
        # Lower-casing is all dlt's snake_case does to these names (dbt sources may spell them otherwise).
        table = table.lower()
        return self.child_tables.get(table, table)

    def source(self, suppression: Suppression | None = None) -> DltSource:
        """The dlt source with its configuration resolved (SIS: the database is reflected now), the people on
        the suppression list (`suppression`, default: as stored now) dropped from it before they land; every
        loader (the runner, Dagster) gets its rows here, so none can bring an erased person back."""
        built: DltSource = self.factory()
        suppress(built, self.person_fields, suppression if suppression is not None else load_suppression())
        return built


def _same_names(names: tuple[str, ...]) -> dict[str, str]:
    return {name: name for name in names}


SOURCES: tuple[Source, ...] = (
    Source(oracle_sis, {table: table.lower() for table in SIS_TABLES}, person_fields=SIS_PERSON_FIELDS),
    Source(workday_source, WORKDAY_RESOURCES, WORKDAY_CHILD_TABLES, person_fields=WORKDAY_PERSON_FIELDS),
    Source(
        tableau,
        _same_names(tuple(spec_for(view).table for view in DEFAULT_VIEWS)),
        person_fields=TABLEAU_PERSON_FIELDS,
    ),
    Source(landing_files, _same_names(tuple(FILE_KINDS)), person_fields=FILES_PERSON_FIELDS),
)
REGISTRY: Mapping[str, Source] = MappingProxyType({source.name: source for source in SOURCES})
SOURCE_NAMES: tuple[str, ...] = tuple(REGISTRY)


def source_named(name: str) -> Source:
    """The registered source called `name`; a ValueError naming the choices for any other name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}: choose from {', '.join(SOURCE_NAMES)}") from None
