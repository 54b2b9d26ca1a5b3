"""wilayah: reference regions of any kab/kota or province (Kemendagri codes, names, points).

Kota Kendari ships in data/reference/wilayah.csv. Another kab/kota (or a whole province) is loaded
as data: `python -m etl load wilayah FILE`. Loaded rows sit next to the reference ones in
dim_wilayah (a loaded code replaces the reference row with the same code). Codes are the key;
names are only unique within a kab/kota.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import names, rules
from etl.names import code_level, parent_code
from etl.problems import Report
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, is_blank, read_tables, registered, where

NAME = "wilayah"
TITLE = "Referensi wilayah (kode Kemendagri)"
TABLES = ("dim_wilayah",)
COLUMNS = ["kode", "level", "nama", "kode_induk", "lat", "lon"]

LEVELS = {  # written level -> stored level
    "provinsi": "provinsi",
    "prov": "provinsi",
    "propinsi": "provinsi",
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kota": "kota",
    "kotamadya": "kota",
    "kecamatan": "kecamatan",
    "kec": "kecamatan",
    "distrik": "kecamatan",
    "kelurahan": "kelurahan",
    "kel": "kelurahan",
    "desa": "desa",
    "nagari": "desa",
    "gampong": "desa",
}
ALLOWED = {
    "provinsi": ("provinsi",),
    "kabkota": ("kabupaten", "kota"),
    "kecamatan": ("kecamatan",),
    "kelurahan": ("kelurahan", "desa"),
}
INDONESIA = (94.0, -11.5, 141.5, 6.5)  # lon_min, lat_min, lon_max, lat_max


def _derived_level(kode: str, nama: str) -> str:
    level = code_level(kode)
    if level == "kabkota":
        return "kota" if names.name_key(nama).startswith("kota") or nama.lower().startswith("kota ") else "kabupaten"
    if level == "kelurahan":
        return "kelurahan" if kode.rsplit(".", 1)[1].startswith("1") else "desa"
    return level


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:  # noqa: C901 (codes, levels and parents agree, points in Indonesia)
    tables = read_tables(files, NAME, report, label_columns=("nama",), totals=False)  # "Kota Kendari" is a region
    rows, seen = [], {}
    for table in tables:
        for rec in table.records:
            ok, got = rules.read_row(table, rec, NAME, ctx, report)  # code, name, parent code, point: by their rules
            kode, nama = got["kode"], got["nama"]
            level = None
            if kode and nama:
                level = _derived_level(kode, nama)
                if not is_blank(rec.get("level")):
                    written = LEVELS.get(names.name_key(rec.get("level")))
                    if written is None or written not in ALLOWED[code_level(kode)]:
                        report.error(
                            f"Tingkat wilayah tidak cocok dengan kodenya: kode {kode} adalah "
                            f"{' atau '.join(ALLOWED[code_level(kode)])}.",
                            **where(table, rec, "level"),
                        )
                        ok = False
                    else:
                        level = written
                induk = got["kode_induk"]
                if induk is not None and induk != parent_code(kode):
                    report.error(
                        f"Kode induk {induk} tidak cocok dengan kode {kode}; induknya seharusnya "
                        f"{parent_code(kode) or '(tidak ada: provinsi)'}.",
                        **where(table, rec, "kode_induk"),
                    )
                    ok = False
            lat, lon = got["lat"], got["lon"]
            lon_min, lat_min, lon_max, lat_max = INDONESIA
            if lat is not None and lon is not None and not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
                report.error(
                    f"Titik ({lat}, {lon}) berada di luar Indonesia (lintang {lat_min} sampai {lat_max}, "
                    f"bujur {lon_min} sampai {lon_max}); periksa apakah lintang dan bujur tertukar.",
                    **where(table, rec, "lat", value=f"{lat}, {lon}"),
                )
                ok = False
            if ok:
                first = earlier(seen, kode, table, rec)
                if first:
                    report.error(f"Kode {kode} sudah ada di {first}.", **where(table, rec, "kode"))
                    ok = False
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "kode": kode,
                    "level": level,
                    "nama": nama,
                    "kode_induk": parent_code(kode),
                    "lat": lat,
                    "lon": lon,
                    "_where": where(table, rec, "kode"),
                }
            )
    if not tables:
        return {}
    known = set(ctx.regions.by_code) | {r["kode"] for r in rows}
    for r in rows:
        if r["kode_induk"] and r["kode_induk"] not in known:
            report.error(
                f"Wilayah induk {r['kode_induk']} dari {r['nama']} ({r['kode']}) tidak ada di berkas maupun "
                "di referensi wilayah. Sertakan baris induknya (provinsi, kabupaten/kota, kecamatan).",
                **r["_where"],
            )
    if not rows and not report.has_errors:
        report.error(
            "Tidak ada baris wilayah di bawah baris judul.",
            file=tables[0].file,
            sheet=tables[0].sheet,
            row=tables[0].header_row,
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return {"dim_wilayah": frame}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """A loaded code replaces the row with the same code (reference or loaded)."""
    new = frames["dim_wilayah"].assign(load_id=load_id)
    with registered(con, _new_w=new):
        con.execute("DELETE FROM dim_wilayah WHERE kode IN (SELECT kode FROM _new_w)")
        con.execute(
            "INSERT INTO dim_wilayah BY NAME SELECT kode, level, nama, kode_induk, CAST(lat AS DOUBLE) AS lat, "
            "CAST(lon AS DOUBLE) AS lon, load_id FROM _new_w"
        )
    return len(new)
