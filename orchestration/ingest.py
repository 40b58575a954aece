"""`campus ingest`: load the chosen sources, print what landed, exit non-zero if any source failed."""

from __future__ import annotations

from collections.abc import Sequence

from ingestion.runner import SourceResult, TableLoad, run_sources


def _table_note(table: TableLoad) -> str:
    dropped = f" ({table.rows_suppressed} suppressed)" if table.rows_suppressed else ""
    return f"{table.table_name}={table.rows_loaded}{dropped}"


def print_summary(results: Sequence[SourceResult]) -> None:
    print(f"{'source':<12} {'status':<8} {'rows':>10} {'seconds':>8}  tables / error")
    for r in results:
        detail = r.error or ", ".join(_table_note(t) for t in r.tables) or "nothing new"
        print(f"{r.source:<12} {r.status:<8} {r.rows_loaded:>10,} {r.duration_seconds:>8.1f}  {detail}")


def run_ingest(sources: Sequence[str] | None = None, destination: str | None = None) -> int:
    results = run_sources(sources, destination)
    print_summary(results)
    return 0 if all(r.status == "success" for r in results) else 1
