"""dlt sources and pipelines that land every source system in the warehouse's raw datasets.

One package per source system (`oracle_sis`, `workday`, `tableau`, `files`), each shaped like a dlt verified
source; `registry` is the one list of them that everything else reads; `runner` loads them and records load
history; `destination` picks a warehouse. Nothing here knows about dbt models or the sandbox: configuration
alone points a connector at a system.
"""
