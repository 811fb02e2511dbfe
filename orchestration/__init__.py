"""LC Monitor's Dagster code location: ingestion assets, dbt models, quality checks, jobs."""
