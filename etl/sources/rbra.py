"""rbra: Ruang Bermain Ramah Anak (child-friendly playspaces) with location and standardisation status."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from etl import pii, rules, values
from etl.names import name_key
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import is_blank, read_tables, registered, resolve_region, where

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


COORDINATE_COLUMNS = ("koordinat", "tautan_peta", "alamat")  # after latitude/longitude, in this order
EXPECTED_COORDINATES = (
    "yang diharapkan derajat desimal (-3,9693 dan 122,5183), derajat-menit-detik (3°58'12\"LS dan 122°30'45\"BT) "
    "atau tautan peta yang memuat koordinat"
)


def _coordinates(table, rec, report) -> tuple[float | None, float | None, bool, str | None]:
    """(lat, lon, ok, the column they come from) of a row: its Latitude/Longitude cells, else its one-column
    Koordinat, else a map link (Link Maps, or a Lokasi cell that is a link: a Lokasi that is an address is not read).
    Degrees-minutes-seconds and map links are read by etl.values; the latitude comes first in an unlabelled pair,
    and a swapped or misplaced point is caught by the region's extent (_outside_message)."""
    pair = [c for c in ("latitude", "longitude") if c in table.columns]
    if pair and not all(is_blank(rec.get(c)) for c in pair):
        got = {}
        for c, axis in (("latitude", "lat"), ("longitude", "lon")):
            try:
                got[c] = values.parse_coordinate(rec.get(c), axis)
            except ValueError as exc:
                report.error(f"Koordinat tidak dapat dibaca ({exc}); {EXPECTED_COORDINATES}.", **where(table, rec, c))
                return None, None, False, c
        if got.get("latitude") is None or got.get("longitude") is None:
            report.error(
                "Hanya satu dari lintang/bujur yang terisi; isi keduanya atau kosongkan keduanya.",
                **where(table, rec, pair[0]),
            )
            return None, None, False, pair[0]
        return got["latitude"], got["longitude"], True, "latitude"
    for col in COORDINATE_COLUMNS:
        raw = rec.get(col) if col in table.columns else None
        if is_blank(raw) or (col == "alamat" and not values.is_map_link(raw)):
            continue
        try:
            lat, lon = values.split_coordinates(raw)
        except ValueError as exc:
            if values.is_map_link(raw):
                report.error(f"Tautan peta tidak dapat dibaca: {exc}.", **where(table, rec, col))
            else:
                report.error(f"Koordinat tidak dapat dibaca ({exc}); {EXPECTED_COORDINATES}.", **where(table, rec, col))
            return None, None, False, col
        return lat, lon, True, col
    return None, None, True, None


def _point(table, rec, region, ctx, report, used: dict) -> tuple[float | None, float | None, bool]:
    """(lat, lon, ok) of a row: its coordinates (_coordinates), which must lie in its kab/kota; a row without
    any is loaded with a warning (it is not on the map). `used` collects the columns points were read from."""
    lat, lon, ok, col = _coordinates(table, rec, report)
    if lat is not None:
        used.setdefault(col, True)
    col = col or _coordinate_column(table)
    extent = ctx.extents(region.kecamatan[:5]) if region and ctx.extents else None
    msg = _outside_message(extent, lat, lon) if extent and lat is not None and lon is not None else None
    if msg:
        report.error(msg, **where(table, rec, col, value=f"{lat}, {lon}"))
        return lat, lon, False
    if lat is None and ok:
        report.warning(
            "RBRA tanpa koordinat: tetap dimuat tetapi tidak tampil di peta.", **where(table, rec, col, value=None)
        )
    return lat, lon, ok


def _layout(table, used: list[str]) -> str:
    """What was understood of a table, for etl check and the Data page: "rbra.xlsx / sheet Data: daftar RBRA,
    24 baris, koordinat dari kolom Link Maps"."""
    where = table.file + (f" / sheet {table.sheet}" if table.sheet else "")
    names = []
    for col in used:
        if col == "latitude":
            names.append("/".join(table.labels[c] for c in ("latitude", "longitude") if c in table.labels))
        else:
            names.append(table.labels.get(col, col))
    found = f"koordinat dari kolom {' dan '.join(names)}" if names else "tanpa koordinat"
    count = f"{table.n_records:,}".replace(",", ".")
    return pii.mask_text(f"{where}: daftar RBRA, {count} baris, {found}")


def _coordinate_column(table) -> str | None:
    """The column a row without coordinates is reported at: the first coordinate column the table has."""
    return next((c for c in ("latitude", "longitude", "koordinat", "tautan_peta") if c in table.columns), None)


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("nama", "kecamatan"))
    rows, seen = [], {}
    for table in tables:
        used: dict[str, bool] = {}  # the columns coordinates were read from, in order of first use
        for rec in progress(table.records, f"{table.file}"):
            ok, got = rules.read_row(table, rec, NAME, ctx, report)
            region = resolve_region(table, rec, ctx, report, kelurahan_required=True)
            ok = ok and region is not None
            lat, lon, coord_ok = _point(table, rec, region, ctx, report, used)
            ok = ok and coord_ok
            nama = got["nama"]
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
                    "status": got["status"],
                    "tahun": got["tahun"],
                    "luas_m2": got["luas"],
                    "fasilitas": got["fasilitas"],
                    "pengelola": got["pengelola"],
                }
            )
        report.layout.append(_layout(table, list(used)))
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
