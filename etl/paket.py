"""The evidence package of one evaluation year (issue 22): what a DP3A prepares for the national upload.

`python -m etl paket-bukti TAHUN DEST.zip` (and the analysts' button on the Kesiapan page) writes a zip with
one folder per indicator, numbered and named as in the official list ("01 Peraturan Daerah (Perda) tentang KLA"),
holding that indicator's evidence files named by their item ("11.02.pdf"; a second file of the same item
"11.02-2.pdf"), and at the top an index workbook: indicator, item, OPD, state, the file's place in the zip, its
original name, SHA-256, size, reviewer's note, link, deadline. An item without a file is in the index as
missing (with "see the link" when it has one). Every cell is text or a number, never a formula (etl/sheets.py).

The package is read from one warehouse version (the current one) and the evidence store; nothing is written but
the zip. A stored file that is missing or damaged is listed in the index and in Summary.unreadable.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from etl import evidence, sheets, warehouse

MARK = "DATA CONTOH (SINTETIS)"
NO_FILE = "BELUM ADA BERKAS"
LINK_ONLY = "BELUM ADA BERKAS; LIHAT TAUTAN"
UNREADABLE = "BERKAS TIDAK ADA/RUSAK DI PENYIMPANAN"
INDEX_HEAD = [
    "No Indikator",
    "Indikator",
    "Kode Item",
    "Item",
    "OPD",
    "Status",
    "Berkas di paket",
    "Nama berkas asli",
    "SHA-256",
    "Ukuran (byte)",
    "Catatan pemeriksa",
    "Tautan",
    "Tenggat",
    "Keterangan",
]
STATUS_LABEL = {
    "belum": "belum",
    "diunggah": "diunggah",
    "diperiksa": "diperiksa",
    "diterima": "diterima",
    "perlu_perbaikan": "perlu perbaikan",
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
NAME_MAX = 90  # folder names stay well inside Windows' path limit once unzipped


class PaketError(ValueError):
    """The package cannot be made (no warehouse, no checklist for that year). Indonesian."""


@dataclass
class Summary:
    tahun: int
    kode_wilayah: str
    version: str
    items: int = 0  # template items in the index
    files: int = 0  # evidence files in the zip
    without_file: list[str] = field(default_factory=list)  # item ids with no file
    unreadable: list[str] = field(default_factory=list)  # sha256 of stored files missing or damaged
    sample: bool = False  # some rows come from the synthetic sample
    index_name: str = ""


def folder_name(nomor: int, nama: str) -> str:
    """ "01 Peraturan Daerah (Perda) tentang KLA": the indicator's number and official name, safe as a folder."""
    clean = f"{nomor:02d} " + " ".join(_UNSAFE.sub("-", nama).split())
    if len(clean) > NAME_MAX:  # cut at a word, never inside one
        clean = clean[: NAME_MAX + 1].rsplit(" ", 1)[0]
    return clean.rstrip(" .;,-")


def _rows(con, tahun: int, kode_wilayah: str) -> tuple[list[tuple], dict[str, list[tuple]], bool]:
    items = con.execute(
        """
        SELECT r.item_id, r.nomor, i.nama, r.item, r.opd, coalesce(b.status, 'belum'), b.catatan, b.tautan,
               b.tenggat, b.load_id IN (SELECT load_id FROM meta_load WHERE is_sample)
        FROM ref_bukti_item r
        JOIN ref_indikator i ON i.nomor = r.nomor
        LEFT JOIN fact_bukti b ON b.item_id = r.item_id AND b.tahun = ? AND b.kode_wilayah = ?
        ORDER BY r.nomor, r.urut, r.item_id""",
        [tahun, kode_wilayah],
    ).fetchall()
    files: dict[str, list[tuple]] = {}
    for item_id, sha, nama, jenis, ukuran, is_sample in con.execute(
        """
        SELECT f.item_id, f.sha256, f.nama_berkas, f.jenis, f.ukuran,
               f.load_id IN (SELECT load_id FROM meta_load WHERE is_sample)
        FROM fact_bukti_berkas f
        WHERE f.tahun = ? AND f.kode_wilayah = ?
        ORDER BY f.item_id, f.diunggah_pada, f.sha256""",
        [tahun, kode_wilayah],
    ).fetchall():
        files.setdefault(item_id, []).append((sha, nama, jenis, ukuran, bool(is_sample)))
    sample = any(bool(r[9]) for r in items) or any(f[4] for fs in files.values() for f in fs)
    return items, files, sample


def _has_rows(con, tahun: int, kode_wilayah: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM fact_bukti WHERE tahun = ? AND kode_wilayah = ?", [tahun, kode_wilayah]
        ).fetchall()[0][0]
        + con.execute(
            "SELECT count(*) FROM fact_bukti_berkas WHERE tahun = ? AND kode_wilayah = ?", [tahun, kode_wilayah]
        ).fetchall()[0][0]
    )


def _index_workbook(summary: Summary, region: str, lines: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Indeks"
    ws.append([f"INDEKS DATA DUKUNG EVALUASI KLA {region.upper()} TAHUN {summary.tahun}"])
    ws["A1"].font = Font(bold=True, size=13)
    made = dt.datetime.now().strftime("%d/%m/%Y %H.%M")
    ws.append(
        [
            f"Versi data {summary.version}, dibuat {made}. {summary.items} butir, {summary.files} berkas, "
            f"{len(summary.without_file)} butir belum ada berkas."
        ]
    )
    ws.append([f"{MARK}: sebagian isi paket ini data contoh, bukan dokumen resmi." if summary.sample else ""])
    ws.append(INDEX_HEAD)
    for cell in ws[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B6E6E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for line in lines:
        ws.append(line)
    for letter, width in zip("ABCDEFGHIJKLMN", (8, 40, 10, 50, 20, 15, 40, 30, 66, 12, 40, 30, 12, 30)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    return sheets.workbook_bytes(wb)


def build(tahun: int, kode_wilayah: str, dest) -> Summary:
    """Write the package of `tahun` and `kode_wilayah` to `dest` (a path, written atomically, or a binary file
    object). PaketError when there is no warehouse or no checklist state for that year and kab/kota."""
    con = warehouse.connect_current(read_only=True)
    if con is None:
        raise PaketError("Belum ada gudang data. Muat daftar data dukung dulu: python -m etl load bukti BERKAS.")
    try:
        version = warehouse.current_version()
        if not _has_rows(con, tahun, kode_wilayah):
            raise PaketError(
                f"Belum ada data dukung tahun {tahun} untuk wilayah {kode_wilayah}: tidak ada paket yang dibuat. "
                "Muat daftarnya (python -m etl load bukti BERKAS) atau isi di halaman Kesiapan."
            )
        items, files, sample = _rows(con, tahun, kode_wilayah)
        region = con.execute("SELECT any_value(nama) FROM dim_wilayah WHERE kode = ?", [kode_wilayah]).fetchall()[0][0]
    finally:
        con.close()
    summary = Summary(tahun=tahun, kode_wilayah=kode_wilayah, version=version, sample=sample)
    summary.index_name = f"00 Indeks data dukung {tahun}.xlsx"
    if isinstance(dest, (str, os.PathLike)):
        final = Path(dest)
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                _write(fh, summary, region or kode_wilayah, items, files)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        _write(dest, summary, region or kode_wilayah, items, files)
    return summary


def _write(fh, summary: Summary, region: str, items: list[tuple], files: dict[str, list[tuple]]) -> None:
    lines = []
    when = dt.datetime.now().timetuple()[:6]
    folders: set[str] = set()
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for item_id, nomor, nama, item, opd, status, catatan, tautan, tenggat, _ in items:
            summary.items += 1
            folder = folder_name(nomor, nama)
            if folder not in folders:  # every indicator has its folder, also when it holds no file yet
                folders.add(folder)
                zf.writestr(zipfile.ZipInfo(f"{folder}/", date_time=when), b"")
            base = [nomor, nama, item_id, item, opd, STATUS_LABEL.get(status, status)]
            tail = [catatan, tautan, tenggat.strftime("%d/%m/%Y") if tenggat else None]
            own = files.get(item_id, [])
            if not own:
                summary.without_file.append(item_id)
                lines.append([*base, None, None, None, None, *tail, LINK_ONLY if tautan else NO_FILE])
            for n, (sha, original, jenis, ukuran, _) in enumerate(own, start=1):
                try:
                    data = evidence.open_bytes(sha)
                except evidence.EvidenceError:
                    summary.unreadable.append(sha)
                    lines.append([*base, None, original, sha, ukuran, *tail, UNREADABLE])
                    continue
                name = f"{item_id}{'' if n == 1 else f'-{n}'}.{evidence.extension(jenis)}"
                info = zipfile.ZipInfo(f"{folder}/{name}", date_time=when)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
                summary.files += 1
                lines.append([*base, f"{folder}/{name}", original, sha, len(data), *tail, None])
        info = zipfile.ZipInfo(summary.index_name, date_time=when)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, _index_workbook(summary, region, lines))
