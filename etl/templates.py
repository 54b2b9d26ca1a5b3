"""Excel templates per dataset: the expected headers, dropdown lists, an instructions sheet in Bahasa
Indonesia and one example row. A filled template loads through the normal path (tests prove it)."""

from __future__ import annotations

import datetime as dt

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from etl import reference, sheets
from etl.names import regions

# dataset -> [(column, example value, dropdown list)]; lists: "kecamatan", "kelurahan" or a kategori_data list
TEMPLATES = {
    "penduduk": [
        ("tahun", 2025, None),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("kelurahan", "Korumba", "kelurahan"),
        ("jenis_kelamin", "L", "jenis_kelamin"),
        ("umur", "0-4", "kelompok_umur"),
        ("jumlah", 512, None),
    ],
    "kasus": [
        ("no_register", "UPTD/2025/001", None),
        ("tanggal_kejadian", dt.date(2025, 3, 2), None),
        ("tanggal_pelaporan", dt.date(2025, 3, 5), None),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("kelurahan", "Korumba", "kelurahan"),
        ("jenis_kelamin", "P", "jenis_kelamin"),
        ("usia", 12, None),
        ("bentuk_kekerasan", "Psikis", "bentuk_kekerasan"),
        ("tempat_kejadian", "Rumah Tangga", "tempat_kejadian"),
        ("hubungan_pelaku", "Orang Tua", "hubungan_pelaku"),
        ("layanan", "Pengaduan", "layanan"),
        ("disabilitas", "Tidak", "disabilitas"),
    ],
    "rbra": [
        ("nama", "Taman Bermain Korumba", None),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("kelurahan", "Korumba", "kelurahan"),
        ("latitude", -3.9712, None),
        ("longitude", 122.5105, None),
        ("status", "Proses Standardisasi", "status_rbra"),
        ("tahun", 2025, None),
        ("luas", 450, None),
        ("fasilitas", "ayunan; perosotan; toilet", None),
        ("pengelola", "Kelurahan Korumba", None),
    ],
    "indikator": [
        ("tahun", 2025, None),
        ("nomor", 10, None),
        ("nama_indikator", "Infrastruktur ramah anak di ruang publik (termasuk RBRA)", None),
        ("nilai", 32.5, None),
        ("target", 36, None),
        ("opd_pengampu", "Dinas Perkim; DP3A", None),
        ("status_bukti", "Sebagian", "status_bukti"),
        ("catatan", "SK penetapan RBRA menyusul", None),
    ],
    "tindak_lanjut": [
        ("tanggal_rapat", dt.date(2025, 3, 12), None),
        ("tugas", "Lengkapi data akta kelahiran anak per kelurahan", None),
        ("nomor", 4, None),
        ("opd", "Disdukcapil", None),
        ("tenggat", dt.date(2025, 5, 12), None),
        ("status", "Proses", "status_tugas"),
        ("catatan", None, None),
    ],
    "kla_kecamatan": [
        ("tahun", 2025, None),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("nilai", 640, None),
        ("kategori", "Madya", "kategori_kla"),
        ("catatan", None, None),
    ],
    "kla_hasil": [
        ("tahun", 2025, None),
        ("tahap", "evaluasi_mandiri", "tahap_kla"),
        ("kelompok", "Total", "kelompok_kla"),
        ("nilai", 912.5, None),
        ("kategori", None, "kategori_kla"),
        ("sumber", "Contoh: isian evaluasi mandiri Gugus Tugas KLA", None),
        ("tanggal_sumber", dt.date(2025, 3, 31), None),
        ("tautan", None, None),
        ("catatan", "Kategori hanya untuk tahap Final", None),
    ],
    "angka_publik": [
        ("topik", "anak_0_17", "topik_angka_publik"),
        ("tahun", 2024, None),
        ("tanggal_data", dt.date(2024, 12, 31), None),
        ("nilai", 115000, None),
        ("satuan", "anak", "satuan_angka_publik"),
        ("sumber", "Contoh: nama instansi, lewat nama media", None),
        ("tautan", None, None),
        ("catatan", "Contoh: ganti dengan angka terbitan dan sumbernya", None),
    ],
    "bukti": [  # issue 22: the state of each evidence item (codes from data/reference/bukti_item.csv)
        ("tahun", 2025, None),
        ("item_id", "11.02", None),
        ("status", "diunggah", "status_bukti_item"),
        ("catatan", "Contoh: lampirkan SK yang sudah ditandatangani", None),
        ("tautan", None, None),
        ("tenggat", dt.date(2025, 5, 31), None),
        ("opd", "Dinas PUPR/Perkim", None),
    ],
    "jadwal_kla": [  # issue 22: dates of the evaluation stages
        ("tahun", 2025, None),
        ("tahap", "evaluasi_mandiri", "tahap_kla"),
        ("tanggal", dt.date(2025, 6, 10), None),
        ("catatan", "Contoh: evaluasi mandiri hibrida", None),
    ],
    "forum_anak": [  # issue 23: counts of members only, never names
        ("tahun", 2025, None),
        ("tingkat", "kelurahan", "tingkat_forum"),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("kelurahan", "Korumba", "kelurahan"),
        ("nama_forum", "Forum Anak Kelurahan Korumba", None),
        ("sk_nomor", "Contoh: 188.45/123/2019", None),
        ("sk_tanggal", dt.date(2019, 7, 23), None),
        ("anggota_l", 3, None),
        ("anggota_p", 3, None),
        ("anggota_6_12", 2, None),
        ("anggota_13_17", 4, None),
        ("anggota_18", 0, None),
        ("pelatihan_kha", "Ya", "ya_tidak"),
        ("aktif", "Ya", "ya_tidak"),
        ("kegiatan_terakhir", dt.date(2025, 3, 15), None),
        ("pembina", "Kelurahan Korumba", None),
        ("catatan", None, None),
    ],
    "usulan_anak": [  # issue 23: the proposal text is for analysts only until reviewed
        ("tahun", 2025, None),
        ("tingkat", "kelurahan", "tingkat_musrenbang"),
        ("kecamatan", "Mandonga", "kecamatan"),
        ("kelurahan", "Korumba", "kelurahan"),
        ("forum", "Forum Anak Kelurahan Korumba", None),
        ("usulan", "Contoh: taman baca di kantor kelurahan", None),
        ("tema", "Literasi dan perpustakaan", "tema_usulan"),
        ("opd_tujuan", "Dinas Perpustakaan", None),
        ("status", "diakomodir", "status_usulan"),
        ("alasan", None, None),
        ("tautan_bukti", None, None),
    ],
}
AGE_BANDS = ["0-4", "5-9", "10-14", "15-17"]
HEADER_FILL = PatternFill("solid", fgColor="0B6E6E")


def header_of(dataset: str, column: str) -> str:
    """The template's header for a column: its first alias in kolom.csv, capitalised."""
    spec = next(c for c in reference.columns(dataset) if c.name == column)
    first = spec.aliases[0] if spec.aliases else column.replace("_", " ")
    return " ".join(w.upper() if w in ("opd", "id", "sk", "kha", "rkpd") else w.capitalize() for w in first.split())


def _list_values(name: str) -> list[str]:
    if name == "kecamatan":
        return [r.nama for r in regions().kecamatan_list()]
    if name == "kelurahan":
        return sorted({r.nama for r in regions().by_code.values() if r.level == "kelurahan"})
    if name == "kelompok_umur":
        return AGE_BANDS
    return reference.category_values(name)


def template(dataset: str) -> bytes:
    if dataset not in TEMPLATES:
        raise KeyError(f"Tidak ada templat untuk {dataset}")
    cols = TEMPLATES[dataset]
    specs = {c.name: c for c in reference.columns(dataset)}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([header_of(dataset, c) for c, _, _ in cols])
    ws.append([v for _, v, _ in cols])
    for i, (_col, value, _) in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = max(14, min(45, len(str(value or "")) + 6))
        if isinstance(value, dt.date):
            for r in range(2, 1002):
                ws.cell(row=r, column=i).number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    lists = wb.create_sheet("Daftar")
    n = 0
    for i, (col, _, list_name) in enumerate(cols, start=1):
        if not list_name:
            continue
        values = _list_values(list_name)
        n += 1
        lists.cell(row=1, column=n, value=f"Daftar pilihan: {list_name}")  # not a header the reader knows
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=n, value=v)
        letter = get_column_letter(n)
        dv = DataValidation(
            type="list",
            formula1=f"=Daftar!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=not specs[col].required,
            showErrorMessage=False,
            promptTitle=header_of(dataset, col)[:32],
            prompt="Pilih dari daftar atau ketik.",
        )
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}1001")
    lists.sheet_state = "hidden"
    info = wb.create_sheet("Petunjuk", 0)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 10
    info.column_dimensions["C"].width = 90
    info.append([f"Templat data {dataset} — Dasbor KLA Kota Kendari"])
    info["A1"].font = Font(bold=True, size=13)
    info.append(['Isi sheet "Data" mulai baris 2 (baris 2 adalah contoh: ganti atau hapus). Jangan ubah judul kolom.'])
    info.append(
        [
            "Jangan menulis nama anak, NIK, nomor KK, alamat, nomor telepon atau e-mail: kolom seperti itu "
            "dibuang dan nilai yang tampak seperti NIK, nomor KK, nomor telepon atau e-mail membuat berkas "
            "ditolak."
        ]
    )
    info.append(
        [
            "Kolom dengan daftar pilihan: klik sel lalu pilih. Tanggal ditulis 15/03/2025. Angka desimal boleh "
            "memakai koma (32,5)."
        ]
    )
    info.append(["Muat berkas di halaman Data dasbor, atau: python -m etl load " + dataset + " NAMA_BERKAS.xlsx"])
    info.append([])
    info.append(["Daftar kolom sheet Data", "Isian", "Keterangan"])
    for cell in info[info.max_row]:
        cell.font = Font(bold=True)
    for col, _, _ in cols:
        spec = specs[col]
        # quoted, so the reader never takes this sheet for a data table
        info.append(
            [
                f'Kolom "{header_of(dataset, col)}"',
                ("wajib" if not spec.unless else f"wajib, kecuali {header_of(dataset, spec.unless)} diisi")
                if spec.required
                else "boleh kosong",
                spec.description,
            ]
        )
    for row in info.iter_rows(min_row=2, max_row=5):
        row[0].alignment = Alignment(wrap_text=False)
    return sheets.workbook_bytes(wb)  # the lists hold names from the reference data: text cells, never formulas
