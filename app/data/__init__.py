"""What the app reads from the warehouse, one module per domain; only the reader-facing schemas dbt builds
(marts, recommendations, search, quality, operations), never raw, staging, intermediate, snapshots or the
catalogue (tests/app/test_reads_marts_only.py checks this).

- `warehouse`: running statements, Streamlit's caching, the check of a relation named at run time.
- `search`: the ranked search, without Streamlit (takes the function that runs a statement).
- `students`, `careers`, `operations`: the queries of the Student profile, Jobs & market, and Data quality /
  Pipeline runs / Files pages.
"""
