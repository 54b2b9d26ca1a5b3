"""bukti: the state of each evidence (data dukung) item of the KLA checklist per year (issue 22).

A checklist file has one row per item of the template (data/reference/bukti_item.csv): Tahun (or the year in the
title or sheet name), Kode Item (11.02), or the indicator number and the item as the template writes it, Status
(belum, diunggah, diperiksa, diterima, perlu perbaikan; office spellings in kategori_data.csv), Catatan
pemeriksa, Tautan, Tenggat, and OPD as a check (it must be the template's OPD of that item). A load replaces the
state of the items it names (per year and kab/kota); the other items stay.

A Berkas cell names an evidence file in the same folder as the checklist: it is checked by its content
(etl/evidence.py), stored under its SHA-256 when the load is published, and attached to the item (one
fact_bukti_berkas row; the same file attached again changes nothing). Only a plain file name in that folder is
accepted, never a path. The Kesiapan page attaches an upload the same way (etl/bukti_edits.attach).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd
from rapidfuzz import fuzz, process

from etl import evidence, reference, rules
from etl.problems import InputError, Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    earlier,
    is_blank,
    kabkota,
    read_tables,
    registered,
    row_year,
    table_year,
    text,
    where,
)

NAME = "bukti"
TITLE = "Data dukung evaluasi KLA (status per butir)"
TABLES = ("fact_bukti", "fact_bukti_berkas")
COLUMNS = [
    "tahun",
    "kode_wilayah",
    "item_id",
    "status",
    "catatan",
    "tautan",
    "tenggat",
    "diperbarui_oleh",
    "diperbarui_pada",
]
FILE_COLUMNS = ["tahun", "kode_wilayah", "item_id", "sha256", "nama_berkas", "jenis", "ukuran", "diunggah_oleh"]
FILE_COLUMNS += ["diunggah_pada", "_path"]
ITEM_RE = re.compile(r"^\s*(\d{1,2})\s*[.,]\s*(\d{1,2})\s*$")
SUGGEST_MIN_SCORE = reference.SUGGEST_MIN_SCORE


def catalog() -> dict[str, dict]:
    return {row["item_id"]: row for row in reference.evidence_items()}


def item_code(raw: object, items: dict[str, dict]) -> tuple[str | None, str | None]:
    """(item_id, None) of a Kode Item cell, or (None, why). "11.2", "11,02" and 11.02 are 11.02; a number that
    Excel stored (11.1 from 11.10) is read as the one template item it can be, and refused when it can be two."""
    cell = text(raw)
    m = ITEM_RE.match(cell or "")
    if not m:
        return None, "yang diharapkan kode butir dari templat seperti 11.02 (nomor indikator, titik, nomor butir)"
    nomor, part = int(m.group(1)), m.group(2)
    candidates = {f"{nomor:02d}.{int(part):02d}"}
    if isinstance(raw, float) or len(part) == 1:  # 11.1 may be 11.10 written as a number
        candidates.add(f"{nomor:02d}.{part.ljust(2, '0')}")
    known = sorted(c for c in candidates if c in items)
    if len(known) == 1:
        return known[0], None
    if len(known) > 1:
        return None, (
            f"kode ini bisa berarti {' atau '.join(known)}; tulis kodenya sebagai teks dengan dua angka di belakang "
            "titik (misalnya '11.02)"
        )
    return None, f"butir {min(candidates)} tidak ada di templat data/reference/bukti_item.csv"


def item_from_text(nomor: int, raw: object, items: dict[str, dict]) -> tuple[str | None, str | None]:
    """(item_id, None) of an item written as its text under an indicator number, or (None, why with the nearest
    item of that indicator as "Mungkin maksudnya ...?")."""
    own = {reference.norm_text(r["item"]): k for k, r in items.items() if r["nomor"] == nomor}
    if not own:
        return None, f"indikator {nomor} tidak punya butir di templat"
    key = reference.norm_text(raw)
    if key in own:
        return own[key], None
    best = process.extractOne(key, list(own), scorer=fuzz.WRatio, score_cutoff=SUGGEST_MIN_SCORE)
    suggest = ""
    if best:
        k = own[best[0]]
        suggest = f' Mungkin maksudnya "{k} {items[k]["item"]}"?'
    return None, f"item ini tidak ada di templat untuk indikator {nomor}.{suggest}"


def _resolve_item(table, rec, nomor: int | None, items: dict, report: Report) -> str | None:
    """The template item of a row: its Kode Item (of indicator `nomor` when given), else its Item text under
    indicator `nomor` (the No Indikator cell, already read by its rule)."""
    if "item_id" in table.columns and not is_blank(rec.get("item_id")):
        item_id, why = item_code(rec.get("item_id"), items)
        if item_id is None:
            report.error(f"Kode item tidak dikenal: {why}.", **where(table, rec, "item_id"))
            return None
        if nomor is not None and items[item_id]["nomor"] != nomor:
            report.error(
                f"Kode item {item_id} milik indikator {items[item_id]['nomor']}, bukan indikator {nomor}. "
                "Perbaiki kode item atau nomor indikatornya.",
                **where(table, rec, "item_id"),
            )
            return None
        return item_id
    if "item" in table.columns and not is_blank(rec.get("item")):
        if nomor is None:
            report.error(
                "Kode item kosong dan nomor indikator tidak diisi: isi Kode Item (misalnya 11.02), atau No "
                "Indikator bersama uraian item seperti di templat.",
                **where(table, rec, "nomor" if "nomor" in table.columns else "item", value=None),
            )
            return None
        item_id, why = item_from_text(nomor, rec.get("item"), items)
        if item_id is None:
            report.error(f"Item tidak dikenal: {why}", **where(table, rec, "item"))
        return item_id
    report.error(
        "Kode item kosong; isi kode butir dari templat (misalnya 11.02), atau No Indikator dan uraian Item.",
        **where(table, rec, "item_id" if "item_id" in table.columns else "item", value=None),
    )
    return None


def _opd_matches(table, rec, item: dict, report: Report) -> bool:
    """The OPD cell, when given, names the template's OPD of the item (one name per OPD: opd.csv)."""
    if "opd" not in table.columns or is_blank(rec.get("opd")):
        return True
    raw = text(rec.get("opd"))
    names = reference.opd_names()
    given = names.get(reference.norm_text(raw), raw)
    if given == item["opd"]:
        return True
    report.error(
        f"OPD tidak sama dengan OPD penanggung jawab butir {item['item_id']} di templat ({item['opd']}). "
        "Periksa kode itemnya; bila OPD-nya memang berganti, ubah templat data/reference/bukti_item.csv, atau "
        "kosongkan kolom OPD.",
        **where(table, rec, "opd"),
    )
    return False


SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


def _attached(table, rec, folder: Path | None, report: Report) -> tuple[bool, dict | None]:
    """(ok, file) of a Berkas cell: a file in the checklist's folder, checked by its content."""
    if "berkas" not in table.columns or is_blank(rec.get("berkas")):
        return True, None
    name = text(rec.get("berkas"))
    path = folder / name if folder is not None and SAFE_NAME.match(name) and name not in (".", "..") else None
    if path is None or path.is_symlink() or not path.is_file():
        report.error(
            "Berkas bukti tidak ditemukan. Yang diharapkan nama berkas (tanpa folder) yang berada di folder yang "
            "sama dengan daftar ini; atau lampirkan berkasnya di halaman Kesiapan.",
            **where(table, rec, "berkas"),
        )
        return False, None
    try:
        if path.stat().st_size > evidence.MAX_BYTES:
            raise evidence.too_big(name, path.stat().st_size)
        data = path.read_bytes()
        jenis = evidence.kind_of(data, name)
    except evidence.EvidenceError as exc:
        report.error(str(exc), **where(table, rec, "berkas"))
        return False, None
    return True, {
        "sha256": hashlib.sha256(data).hexdigest(),
        "nama_berkas": name,
        "jenis": jenis,
        "ukuran": len(data),
        "_path": str(path),
    }


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    folders = {f.display_name: Path(f.path).resolve().parent for f in files}
    items = catalog()
    now = dt.datetime.now().replace(microsecond=0)
    rows, attached, seen = [], [], {}
    for table in tables:
        sheet_year = table_year(table)
        orders = rules.date_orders(table, NAME, report)
        for rec in progress(table.records, table.file):
            ok, got = rules.read_row(table, rec, NAME, ctx, report, orders)
            tahun = row_year(table, rec, sheet_year, ctx, report, "evaluasi", " (misalnya 2025)")
            nomor, status = got["nomor"], got["status"]
            # a No Indikator cell its rule refused (already reported): the item is not looked up under it
            refused_nomor = nomor is None and "nomor" in table.columns and not is_blank(rec.get("nomor"))
            item_id = None if refused_nomor else _resolve_item(table, rec, nomor, items, report)
            if item_id is not None and not _opd_matches(table, rec, items[item_id], report):
                ok = False
            file_ok, berkas = _attached(table, rec, folders.get(table.file), report)
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and tahun is not None and item_id is not None and file_ok and wilayah is not None
            if not ok:
                report.rows_rejected += 1
                continue
            first = earlier(seen, (tahun, wilayah, item_id), table, rec)
            if first:
                report.error(
                    f"Butir {item_id} tahun {tahun} sudah ada di {first}: satu baris per butir.",
                    **where(table, rec, "item_id" if "item_id" in table.columns else "item"),
                )
                report.rows_rejected += 1
                continue
            if berkas and status == "belum":
                status = "diunggah"  # a file is attached: the item is no longer "belum"
            rows.append(
                {
                    "tahun": tahun,
                    "kode_wilayah": wilayah,
                    "item_id": item_id,
                    "status": status,
                    "catatan": got["catatan"],
                    "tautan": got["tautan"],
                    "tenggat": got["tenggat"],
                    "diperbarui_oleh": ctx.user,
                    "diperbarui_pada": now,
                }
            )
            if berkas:
                attached.append(
                    {
                        "tahun": tahun,
                        "kode_wilayah": wilayah,
                        "item_id": item_id,
                        **berkas,
                        "diunggah_oleh": ctx.user,
                        "diunggah_pada": now,
                    }
                )
    if not tables:
        return {}
    if rows:
        years = sorted({r["tahun"] for r in rows})
        report.layout.extend(report.read_layout)  # the reader's sentence per table, then what the rows hold
        report.layout.append(
            f"{len(rows)} butir data dukung tahun {', '.join(map(str, years))}"
            + (f", {len(attached)} berkas bukti dilampirkan" if attached else "")
        )
    return {
        "fact_bukti": pd.DataFrame(rows, columns=COLUMNS),
        "fact_bukti_berkas": pd.DataFrame(attached, columns=FILE_COLUMNS),
    }


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace the state of the items the load names; store and attach its files (the same file on the same item
    again replaces its row: loading a checklist twice changes nothing)."""
    new = frames["fact_bukti"].assign(load_id=load_id)
    files = frames.get("fact_bukti_berkas", pd.DataFrame(columns=FILE_COLUMNS))
    for path in files["_path"].unique() if len(files) else ():
        try:
            stored = evidence.put(Path(path).read_bytes(), Path(path).name)
        except (evidence.EvidenceError, OSError) as exc:  # the store refuses, or the file went away since the check
            raise InputError(f"Berkas bukti {Path(path).name} tidak dapat disimpan: {exc}") from None
        expected = files.loc[files["_path"] == path, "sha256"].iloc[0]
        if stored.sha256 != expected:  # changed on disk between the check and the load
            raise InputError(
                f"Berkas {Path(path).name} berubah sejak diperiksa; muat ulang daftarnya. Tidak ada yang disimpan."
            )
    with registered(con, _new_bukti=new):
        con.execute(
            "DELETE FROM fact_bukti f USING _new_bukti n WHERE f.tahun = n.tahun AND f.kode_wilayah = n.kode_wilayah "
            "AND f.item_id = n.item_id"
        )
        con.execute(
            "INSERT INTO fact_bukti BY NAME SELECT CAST(tahun AS INTEGER) AS tahun, kode_wilayah, item_id, status, "
            "catatan, tautan, CAST(tenggat AS DATE) AS tenggat, diperbarui_oleh, "
            "CAST(diperbarui_pada AS TIMESTAMP) AS diperbarui_pada, load_id FROM _new_bukti"
        )
    if len(files):
        berkas = files.drop(columns=["_path"]).assign(load_id=load_id)
        with registered(con, _new_berkas=berkas):
            con.execute(
                "DELETE FROM fact_bukti_berkas f USING _new_berkas n WHERE f.tahun = n.tahun "
                "AND f.kode_wilayah = n.kode_wilayah AND f.item_id = n.item_id AND f.sha256 = n.sha256"
            )
            con.execute(
                "INSERT INTO fact_bukti_berkas BY NAME SELECT CAST(tahun AS INTEGER) AS tahun, kode_wilayah, item_id, "
                "sha256, nama_berkas, jenis, CAST(ukuran AS BIGINT) AS ukuran, diunggah_oleh, "
                "CAST(diunggah_pada AS TIMESTAMP) AS diunggah_pada, load_id FROM _new_berkas"
            )
    return len(new)
