"""rbra: Ruang Bermain Ramah Anak (child-friendly playspaces) with location and standardisation status."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from etl import reference, values
from etl.names import name_key
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import allowed, is_blank, read_tables, registered, resolve_region, text, where

NAME = "rbra"
TITLE = "Ruang Bermain Ramah Anak (RBRA)"
TABLES = ("fact_rbra",)


def _fmt(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def _outside_message(extent, lat: float, lon: float) -> str | None:
    """Why a point is not in its kab/kota (None when it is): swapped lat/lon, a missing minus, or elsewhere."""
    if extent.contains(lon, lat):
        return None
    lon_min, lat_min, lon_max, lat_max = extent.bounds
    here = (
        f"Di {extent.name} lintang sekitar {_fmt(lat_max)} sampai {_fmt(lat_min)} dan bujur sekitar "
        f"{_fmt(lon_min)} sampai {_fmt(lon_max)}"
    )
    if extent.contains(lat, lon):
        return (
            f"Titik berada di luar {extent.name} karena lintang dan bujur tampaknya tertukar: "
            f"lintang {lat} dan bujur {lon}. {here}."
        )
    if lat > 0 and extent.contains(lon, -lat):
        return f"Titik berada di luar {extent.name}: lintang harus bernilai negatif (Lintang Selatan), misalnya {-lat}."
    return f"Titik ({lat}, {lon}) berada di luar {extent.name}. {here}; periksa koordinatnya."


def rbra_id(kode_kelurahan: str, nama: str) -> str:
    return hashlib.sha1(f"{kode_kelurahan}|{name_key(nama)}".encode()).hexdigest()[:16]


def _coordinates(table, rec, report) -> tuple[float | None, float | None, bool]:
    """(lat, lon, ok) from latitude/longitude columns or one koordinat column."""
    try:
        if "latitude" in table.columns or "longitude" in table.columns:
            lat = values.parse_coordinate(rec.get("latitude"))
            lon = values.parse_coordinate(rec.get("longitude"))
            col = "latitude"
        elif "koordinat" in table.columns and not is_blank(rec.get("koordinat")):
            lat, lon = values.split_coordinates(rec.get("koordinat"))
            col = "koordinat"
        else:
            return None, None, True
    except ValueError as exc:
        col = "koordinat" if "koordinat" in table.columns else "latitude"
        report.error(
            f"Koordinat tidak dapat dibaca ({exc}); yang diharapkan angka desimal, misalnya -3,9693 dan 122,5183.",
            **where(table, rec, col),
        )
        return None, None, False
    if lat is None and lon is None:
        return None, None, True
    if lat is None or lon is None:
        report.error(
            "Hanya satu dari lintang/bujur yang terisi; isi keduanya atau kosongkan keduanya.", **where(table, rec, col)
        )
        return None, None, False
    return lat, lon, True


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("nama", "kecamatan"))
    rows, seen = [], {}
    for table in tables:
        for rec in progress(table.records, f"{table.file}"):
            ok = True
            nama = text(rec.get("nama"))
            if nama is None:
                report.error("Nama RBRA kosong.", **where(table, rec, "nama", value=None))
                ok = False
            region = resolve_region(table, rec, ctx, report, kelurahan_required=True)
            ok = ok and region is not None
            lat, lon, coord_ok = _coordinates(table, rec, report)
            ok = ok and coord_ok
            col = "latitude" if "latitude" in table.columns else "koordinat"
            extent = ctx.extents(region.kecamatan[:5]) if region and ctx.extents else None
            msg = _outside_message(extent, lat, lon) if extent and lat is not None and lon is not None else None
            if msg:
                report.error(msg, **where(table, rec, col, value=f"{lat}, {lon}"))
                ok = False
            elif lat is None and coord_ok:
                report.warning(
                    "RBRA tanpa koordinat: tetap dimuat tetapi tidak tampil di peta.",
                    **where(table, rec, col, value=None),
                )
            status = reference.match_category("status_rbra", rec.get("status"))
            if status is None:
                report.error(
                    f"Status standardisasi tidak dikenal; yang diharapkan salah satu dari: {allowed('status_rbra')}.",
                    **where(table, rec, "status"),
                )
                ok = False
            tahun = None
            try:
                tahun = values.parse_int(rec.get("tahun"))
                if tahun is not None and not 1990 <= tahun <= ctx.today.year:
                    report.error(f"Tahun di luar 1990-{ctx.today.year}.", **where(table, rec, "tahun"))
                    ok = False
            except ValueError as exc:
                report.error(f"Tahun bukan angka ({exc}).", **where(table, rec, "tahun"))
                ok = False
            luas = None
            try:
                luas = values.parse_number(rec.get("luas"), table.decimal, table.thousands)
                if luas is not None and luas < 0:
                    report.error("Luas tidak boleh negatif.", **where(table, rec, "luas"))
                    ok = False
            except ValueError as exc:
                report.error(f"Luas bukan angka ({exc}); yang diharapkan luas dalam m².", **where(table, rec, "luas"))
                ok = False
            if ok:
                rid = rbra_id(region.kelurahan, nama)
                if rid in seen:
                    report.error(
                        f"RBRA yang sama (nama dan kelurahan) sudah ada di baris {seen[rid]}.",
                        **where(table, rec, "nama"),
                    )
                    ok = False
                else:
                    seen[rid] = rec.get("_row")
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "rbra_id": rid,
                    "nama": nama,
                    "kode_kecamatan": region.kecamatan,
                    "kode_kelurahan": region.kelurahan,
                    "latitude": lat,
                    "longitude": lon,
                    "status": status,
                    "tahun": tahun,
                    "luas_m2": luas,
                    "fasilitas": text(rec.get("fasilitas")),
                    "pengelola": text(rec.get("pengelola")),
                }
            )
    if not tables:
        return {}
    return {
        "fact_rbra": pd.DataFrame(
            rows,
            columns=[
                "rbra_id",
                "nama",
                "kode_kecamatan",
                "kode_kelurahan",
                "latitude",
                "longitude",
                "status",
                "tahun",
                "luas_m2",
                "fasilitas",
                "pengelola",
            ],
        )
    }


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Upsert by (kelurahan, name): a playspace loaded again is updated, not duplicated."""
    new = frames["fact_rbra"].assign(load_id=load_id)
    with registered(con, _new_rbra=new):
        con.execute("DELETE FROM fact_rbra WHERE rbra_id IN (SELECT rbra_id FROM _new_rbra)")
        con.execute(
            "INSERT INTO fact_rbra SELECT rbra_id, nama, kode_kecamatan, kode_kelurahan, CAST(latitude AS DOUBLE), "
            "CAST(longitude AS DOUBLE), status, CAST(tahun AS INTEGER), CAST(luas_m2 AS DOUBLE), fasilitas, "
            "pengelola, load_id FROM _new_rbra"
        )
    return len(new)
