"""dlt sources and pipelines that land every source system in the warehouse's raw datasets.

Nothing here knows about dbt models or the sandbox: configuration alone points a connector at a system.
Nothing here knows about dbt models or about the sandbox: connectors are pointed at a system by configuration.
"""
