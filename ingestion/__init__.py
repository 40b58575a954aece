"""dlt sources and pipelines that land every source system in the warehouse's raw datasets.

One package per source system (`oracle_sis`, `workday`, `tableau`, `files`); `destination` picks the warehouse.
Nothing here knows about dbt models or about the sandbox: connectors are pointed at a system by configuration.
"""
