"""Which rows of the warehouse are synthetic sample data, and removing them per dataset.

A row belongs to the load that wrote it (its load_id; meta_load says whether that load was the labelled sample).
A real upload replaces only the keys it carries, so after a first real case file the synthetic cases of other
years stay: the "Data contoh (sintetis)" marks follow these counts, never the latest load alone. Removing the
sample of a dataset is a new warehouse version like any load, recorded in meta_load and the audit log.
"""

from __future__ import annotations

import datetime as dt
import importlib

import duckdb

from etl import audit, warehouse
from etl.sources import DATASETS

SAMPLE_LOADS = "SELECT load_id FROM meta_load WHERE is_sample"


def _tables(dataset: str) -> tuple[str, ...]:
    return importlib.import_module(f"etl.sources.{dataset}").TABLES


def _has_load_id(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = 'load_id'", [table]
        ).fetchone()[0]
    )


def sample_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per dataset, how many of its current rows come from a sample load (datasets with none are left out)."""
    out = {}
    for dataset in DATASETS:
        table = next((t for t in _tables(dataset) if _has_load_id(con, t)), None)
        if table is None:
            continue
        n = con.execute(f"SELECT count(*) FROM {table} WHERE load_id IN ({SAMPLE_LOADS})").fetchone()[0]
        if n:
            out[dataset] = int(n)
    return out


def _delete(con: duckdb.DuckDBPyConnection, dataset: str) -> int:
    tables = _tables(dataset)
    main = next(t for t in tables if _has_load_id(con, t))
    n = con.execute(f"SELECT count(*) FROM {main} WHERE load_id IN ({SAMPLE_LOADS})").fetchone()[0]
    if dataset == "kasus":  # a case's forms live beside it, joined by kasus_id
        con.execute(
            "DELETE FROM fact_kasus_bentuk WHERE kasus_id IN "
            f"(SELECT kasus_id FROM fact_kasus WHERE load_id IN ({SAMPLE_LOADS}))"
        )
    for table in tables:
        if _has_load_id(con, table):
            con.execute(f"DELETE FROM {table} WHERE load_id IN ({SAMPLE_LOADS})")
    return int(n)


def remove(dataset: str, user: str | None) -> tuple[str, int] | None:
    """Delete the sample rows of one dataset as a new version: (version, rows removed), None when it has none."""
    if dataset not in DATASETS:
        raise ValueError(f"Dataset tidak dikenal: {dataset}. Yang ada: {', '.join(DATASETS)}.")
    con = warehouse.connect_current()
    if con is None:
        return None
    try:
        if not sample_rows(con).get(dataset):
            return None
    finally:
        con.close()
    removed = {}

    def change(con: duckdb.DuckDBPyConnection, version: str) -> None:
        removed["n"] = _delete(con, dataset)
        con.execute(
            "INSERT INTO meta_load (load_id, version, dataset, file_name, rows_read, rows_loaded, rows_rejected, "
            "warnings, is_sample, user_name, loaded_at) VALUES (?, ?, ?, ?, 0, 0, 0, 0, false, ?, ?)",
            [f"{version}-{dataset}", version, dataset, "(hapus data contoh)", user, dt.datetime.now()],
        )

    published = warehouse.publish(change, action="hapus-contoh", note=f"{dataset}: data contoh dihapus", user=user)
    audit.record("hapus_contoh", user, None, f"{dataset}: {removed['n']} baris data contoh -> {published.version}")
    return published.version, removed["n"]
