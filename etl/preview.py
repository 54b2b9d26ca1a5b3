"""What a checked load would change, computed by running the dataset's own apply() on an in-memory
copy of the affected tables (a dry run of the commit; the warehouse file is only read).

SUMMARY says how each table is counted per year and kecamatan; it is the only per-dataset part.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import warehouse

# table -> (year expression, group expression, measure label, measure expression)
SUMMARY = {
    "fact_penduduk": ("tahun", "kode_kecamatan", "jumlah anak", "sum(jumlah_anak)"),
    "fact_kasus": ("year(bulan_pelaporan)", "kode_kecamatan", "kasus", "count(*)"),
    "fact_kasus_bentuk": (None, None, "bentuk kekerasan", "count(*)"),
    "fact_rbra": ("tahun", "kode_kecamatan", "RBRA", "count(*)"),
    "fact_nilai_indikator": ("tahun", None, "nilai KLA", "sum(nilai)"),
    "fact_tindak_lanjut": ("year(tanggal_rapat)", None, "tugas", "count(*)"),
    "fact_kla_kecamatan": ("tahun", "kode_kecamatan", "penilaian kecamatan", "count(*)"),
    "fact_forum_anak": ("tahun", None, "anggota forum anak", "sum(anggota_l + anggota_p)"),  # issue 23
    "fact_usulan_anak": ("siklus", None, "usulan anak", "count(*)"),  # issue 23
    "geo_batas": (None, "level", "batas wilayah", "count(*)"),
}
COLUMNS = ["tabel", "ukuran", "tahun", "wilayah", "sebelum", "sesudah", "selisih"]


def _summary(con: duckdb.DuckDBPyConnection, table: str, schema: str = "", whole: bool = False) -> pd.DataFrame:
    """The measure per year and area; `whole`: per year over every area (the city's figure)."""
    year, group, label, measure = SUMMARY[table]
    area = "NULL" if whole or not group else group
    sql = f"SELECT {year or 'NULL'} AS tahun, {area} AS wilayah, {measure} AS n FROM {schema}{table} GROUP BY ALL"
    return con.execute(sql).df()


def _changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    merged = before.merge(after, on=["tahun", "wilayah"], how="outer", suffixes=("_a", "_b"))
    merged = merged.fillna({"n_a": 0, "n_b": 0})
    return merged[(merged["n_a"] - merged["n_b"]).abs() > 1e-9]


def dry_run(module, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table, year and area: the measure before and after the load (only the rows that change)."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    try:
        warehouse.apply_schema(con)
        path = warehouse.current_path()
        if path is not None:
            con.execute(f"ATTACH '{path}' AS cur (READ_ONLY)")
        before, whole = {}, {}
        for table in SUMMARY:
            if (
                path is not None
                and con.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'cur' AND table_name = ?", [table]
                ).fetchone()[0]
            ):
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM cur.{table}")
            before[table] = _summary(con, table)
            whole[table] = _summary(con, table, whole=True)
        module.apply(con, frames, "preview")
        out = []
        for table in SUMMARY:
            merged = _changed(before[table], _summary(con, table))
            if len(merged) and SUMMARY[table][1] is not None and SUMMARY[table][1] != "level":
                # the city's figure of each year the load touches (NULL area), beside the areas that change
                city = _changed(whole[table], _summary(con, table, whole=True))
                merged = pd.concat([merged, city[city["tahun"].isin(merged["tahun"])]], ignore_index=True)
            if len(merged):
                out.append(
                    pd.DataFrame(
                        {
                            "tabel": table,
                            "ukuran": SUMMARY[table][2],
                            "tahun": merged["tahun"],
                            "wilayah": merged["wilayah"],
                            "sebelum": merged["n_a"],
                            "sesudah": merged["n_b"],
                            "selisih": merged["n_b"] - merged["n_a"],
                        }
                    )
                )
        if not out:
            return pd.DataFrame(columns=COLUMNS)
        return pd.concat(out, ignore_index=True).sort_values(["tabel", "tahun", "wilayah"], na_position="first")
    finally:
        con.close()


def totals(changes: pd.DataFrame) -> pd.DataFrame:
    """Before, after and difference per measure for the whole city, over the years the load touches (the rows
    without an area: the city's figure, not only the rows that change: 51 -> 57, not 27 -> 33)."""
    if not len(changes):
        return pd.DataFrame(columns=["ukuran", "sebelum", "sesudah", "selisih"])
    city = changes[changes["wilayah"].isna()]
    rest = changes[~changes["ukuran"].isin(city["ukuran"])]  # (batas: per level, no city row)
    both = pd.concat([city, rest], ignore_index=True)
    return both.groupby("ukuran", as_index=False, sort=False)[["sebelum", "sesudah", "selisih"]].sum()
