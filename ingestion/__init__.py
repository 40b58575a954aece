"""dlt sources and pipelines that land every source system in the warehouse's raw datasets.

One package per source system (`oracle_sis`, `workday`, `tableau`, `files`); `destination` picks a warehouse.
Nothing here knows about dbt models or the sandbox: configuration alone points a connector at a system.
"""
