"""Access to the DuckDB warehouse for Dagster assets and checks.

DuckDB allows one read-write process or many read-only ones. Every asset or check that opens
the file runs in the ``duckdb`` pool (limit 1, see dagster.yaml), and readers open it read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from orchestration.settings import load_settings

DUCKDB_POOL = "duckdb"


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse file; by default the one LCM_WAREHOUSE / LCM_DATA_DIR point at."""

    path: str | None = None

    def database(self) -> str:
        return self.path or str(load_settings().warehouse_path)

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        database = self.database()
        if not read_only:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(database, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    def read_frame(self, sql: str) -> pd.DataFrame:
        with self.connect(read_only=True) as con:
            return con.sql(sql).df()
