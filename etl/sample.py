"""Deterministic SYNTHETIC sample inputs, written in the messy layouts real OPD files have.

`python -m etl sample` first loads Kendari's public record (the real published files listed in
data/publik/daftar.toml: public_entries below), then writes these to KLA_DATA_DIR/sample/ and loads them
through the normal load path, for the datasets no public file gives. Nothing the generator writes is real
data about Kendari's children: every file says "DATA CONTOH (SINTETIS)". Targets: ~366,000 inhabitants
with about a third aged 0-17 in 2025, 30-60 child cases a year (2019-2025), 20-40 RBRA, KLA scores in the
Nindya band for 2021-2025.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import tomllib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from etl import reference, sheets
from etl.names import regions
from etl.sources import DATASETS

SEED = 20261122
YEARS = list(range(2019, 2026))
MARK = "DATA CONTOH (SINTETIS)"
CHILDREN_2025 = 122_000
GROWTH = 0.015
BANDS = ((0, 4), (5, 9), (10, 14), (15, 17))
FIXED_TIME = dt.datetime(2026, 1, 1)
SCORE_BY_YEAR = {2019: 652, 2020: 689, 2021: 712, 2022: 736, 2023: 768, 2024: 782, 2025: 795}
# Spellings offices really use, resolved by the alias table (data/reference/wilayah_alias.csv)
KEC_VARIANTS = {"74.71.07": "Wuawua", "74.71.08": "Kec. Kadia", "74.71.05": "KENDARI BARAT"}
KEL_VARIANTS = {"74.71.04.1003": "Anduonohu", "74.71.06.1001": "Pudai", "74.71.03.1002": "Lepo Lepo"}
CASE_WEIGHT = {"74.71.09": 2.0, "74.71.07": 2.0}  # Puuwatu and Wua-Wua report more cases


def _workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "Dasbor KLA (data contoh)"
    return wb


def _titles(ws, lines: list[str], width: int) -> None:
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line).font = Font(bold=True, size=12 if i == 1 else 11)
        if line:
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    sheets.save_workbook(wb, path)  # text cells, never formulas (etl.sheets)
    return path


def child_counts(rng: random.Random) -> dict[int, dict[str, dict[tuple[int, int], dict[str, int]]]]:
    """year -> kelurahan code -> band -> {'L': n, 'P': n}."""
    regs = regions()
    kel = [k for kec in regs.kecamatan_list() for k in regs.kelurahan_of(kec.kode)]
    weights = {k.kode: rng.uniform(0.4, 2.5) for k in kel}
    total_w = sum(weights.values())
    out = {}
    for year in YEARS:
        city = CHILDREN_2025 / (1 + GROWTH) ** (2025 - year)
        out[year] = {}
        for k in kel:
            n_kel = city * weights[k.kode] / total_w
            bands = {}
            for lo, hi in BANDS:
                n = n_kel * (hi - lo + 1) / 18 * rng.uniform(0.93, 1.07)
                boys = round(n * rng.uniform(0.505, 0.52))
                bands[(lo, hi)] = {"L": boys, "P": round(n) - boys}
            out[year][k.kode] = bands
    return out


def write_penduduk(out: Path, rng: random.Random) -> list[Path]:
    counts = child_counts(rng)
    regs = regions()
    wb = _workbook()
    info = wb.active
    info.title = "Petunjuk"
    for line in (
        f"{MARK}: angka di berkas ini dibuat oleh program, bukan data resmi.",
        "Satu sheet per tahun. Isi jumlah anak per kelurahan menurut kelompok umur dan jenis kelamin.",
        "Baris JUMLAH dihitung dari baris kelurahan di atasnya.",
    ):
        info.append([line])
    head = ["No", "Kecamatan", "Kelurahan"]
    for year in YEARS[:-1]:
        ws = wb.create_sheet(str(year))
        width = 3 + 2 * (len(BANDS) + 1)
        _titles(
            ws,
            [
                "JUMLAH ANAK USIA 0-17 TAHUN MENURUT KELURAHAN, JENIS KELAMIN DAN KELOMPOK UMUR",
                f"KOTA KENDARI TAHUN {year} — {MARK}",
                "",
            ],
            width,
        )
        for c, h in enumerate(head, start=1):
            ws.cell(row=4, column=c, value=h)
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
        for i, label in enumerate([f"{lo}-{hi}" for lo, hi in BANDS] + ["Jumlah"]):
            c = 4 + 2 * i
            ws.cell(row=4, column=c, value=label)
            ws.merge_cells(start_row=4, start_column=c, end_row=4, end_column=c + 1)
            ws.cell(row=5, column=c, value="L")
            ws.cell(row=5, column=c + 1, value="P")
        for row in ws.iter_rows(min_row=4, max_row=5):
            for cell in row:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center")
        for c in range(1, width + 1):
            ws.cell(row=6, column=c, value=f"({c})")
        r, no, grand = 7, 1, [0] * (2 * len(BANDS) + 2)
        for kec in regs.kecamatan_list():
            sub = [0] * len(grand)
            for kel in regs.kelurahan_of(kec.kode):
                values = []
                for band in BANDS:
                    values += [counts[year][kel.kode][band]["L"], counts[year][kel.kode][band]["P"]]
                values += [sum(values[0::2]), sum(values[1::2])]
                kec_name = KEC_VARIANTS.get(kec.kode, kec.nama) if no % 3 == 0 else kec.nama
                ws.append([no, kec_name, KEL_VARIANTS.get(kel.kode, kel.nama), *values])
                sub = [a + b for a, b in zip(sub, values)]
                r, no = r + 1, no + 1
            ws.append([None, f"JUMLAH KEC. {kec.nama.upper()}", None, *sub])
            ws.cell(row=r, column=2).font = Font(bold=True)
            grand = [a + b for a, b in zip(grand, sub)]
            r += 1
        ws.append([None, "JUMLAH KOTA KENDARI", None, *grand])
        ws.append([])
        ws.append([f"Sumber: Dinas Dukcapil Kota Kendari ({MARK.lower()})"])
        _widths(ws, [5, 18, 18] + [8] * (width - 3))
    paths = [_save(wb, out / "contoh_penduduk_anak_2019-2024.xlsx")]

    year = YEARS[-1]
    csv_path = out / f"contoh_penduduk_anak_{year}.csv"
    total = 0
    with open(csv_path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Data anak 0-17 tahun per kelurahan"])
        w.writerow([MARK])
        w.writerow(["Tahun", "Kecamatan", "Kelurahan", "Jenis Kelamin", "Kelompok Umur", "Jumlah"])
        for kec in regs.kecamatan_list():
            for kel in regs.kelurahan_of(kec.kode):
                for lo, hi in BANDS:
                    for sex, label in (("L", "Laki-laki"), ("P", "Perempuan")):
                        n = counts[year][kel.kode][(lo, hi)][sex]
                        total += n
                        w.writerow([year, kec.nama, kel.nama, label, f"{lo}-{hi}", f"{n:,}".replace(",", ".")])
        w.writerow(["JUMLAH", "", "", "", "", f"{total:,}".replace(",", ".")])
    paths.append(csv_path)
    return paths


def _cases(rng: random.Random) -> list[dict]:
    regs = regions()
    kec = regs.kecamatan_list()
    kec_w = [CASE_WEIGHT.get(k.kode, 1.0) for k in kec]
    forms = (
        ["Seksual"] * 40
        + ["Fisik"] * 22
        + ["Psikis"] * 15
        + ["Penelantaran"] * 10
        + ["Lainnya"] * 9
        + ["Eksploitasi"] * 2
        + ["Trafficking"] * 2
    )
    tempat = ["Rumah Tangga"] * 6 + ["Sekolah"] * 2 + ["Fasilitas Umum"] * 2 + ["Lainnya"]
    hubungan = (
        ["Orang Tua"] * 3
        + ["Keluarga/Saudara"] * 3
        + ["Pacar/Teman"] * 3
        + ["Tetangga"] * 2
        + ["Guru", "Lainnya", "Tidak Diketahui"]
    )
    layanan = reference.category_values("layanan")
    cases = []
    for year in YEARS:
        n = rng.randint(32, 58)
        last_day = dt.date(year, 10, 31) if year == 2025 else dt.date(year, 12, 31)
        span = (last_day - dt.date(year, 1, 1)).days
        for i in range(1, n + 1):
            lapor = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(span + 1))
            kejadian = max(dt.date(year, 1, 1), lapor - dt.timedelta(days=rng.randrange(61)))
            k = rng.choices(kec, weights=kec_w)[0]
            kel = rng.choice(regs.kelurahan_of(k.kode))
            age_band = rng.choices([(0, 5), (6, 12), (13, 17)], weights=[2, 4, 5])[0]
            f = [rng.choice(forms)]
            if rng.random() < 0.15:
                f.append(rng.choice([x for x in ("Fisik", "Psikis", "Seksual", "Penelantaran") if x not in f]))
            cases.append(
                {
                    "reg": f"REG/{year}/{i:04d}",
                    "kejadian": kejadian,
                    "lapor": lapor,
                    "kec": k.nama,
                    "kel": kel.nama,
                    "sex": "P" if rng.random() < 0.75 else "L",
                    "usia": rng.randint(*age_band),
                    "bentuk": ", ".join(f),
                    "tempat": rng.choice(tempat),
                    "hubungan": rng.choice(hubungan),
                    "layanan": "; ".join(rng.sample(layanan, rng.randint(1, 3))),
                    "disabilitas": "Ya" if rng.random() < 0.06 else "Tidak",
                    "year": year,
                    "i": i,
                }
            )
    return cases


CASE_HEAD = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Nama Korban",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
    "Tempat Kejadian",
    "Hubungan Pelaku dengan Korban",
    "Layanan",
    "Disabilitas",
]


def write_kasus(out: Path, rng: random.Random) -> list[Path]:
    cases = _cases(rng)
    early = [c for c in cases if c["year"] <= 2022]
    late = [c for c in cases if c["year"] > 2022]
    wb = _workbook()
    ws = wb.active
    ws.title = "Register"
    _titles(ws, ["REGISTER KASUS KEKERASAN TERHADAP ANAK", f"UPTD PPA KOTA KENDARI — {MARK}", ""], len(CASE_HEAD))
    ws.append(CASE_HEAD)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for no, c in enumerate(early, start=1):
        ws.append(
            [
                no,
                c["reg"],
                c["kejadian"],
                c["lapor"],
                f"Korban Contoh {c['year']}-{c['i']:03d}",
                c["kec"],
                c["kel"],
                c["sex"],
                c["usia"],
                c["bentuk"],
                c["tempat"],
                c["hubungan"],
                c["layanan"],
                c["disabilitas"],
            ]
        )
    for row in ws.iter_rows(min_row=5, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    _widths(ws, [5, 16, 14, 14, 24, 16, 16, 8, 6, 22, 16, 22, 36, 10])
    paths = [_save(wb, out / "contoh_register_kasus_2019-2022.xlsx")]

    csv_path = out / "contoh_register_kasus_2023-2025.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["REGISTER KASUS KEKERASAN TERHADAP ANAK - UPTD PPA KOTA KENDARI"])
        w.writerow([MARK])
        w.writerow(CASE_HEAD[:5] + ["NIK"] + CASE_HEAD[5:])
        for no, c in enumerate(late, start=1):
            w.writerow(
                [
                    no,
                    c["reg"],
                    c["kejadian"].strftime("%d/%m/%Y"),
                    c["lapor"].strftime("%d/%m/%Y"),
                    f"Korban Contoh {c['year']}-{c['i']:03d}",
                    "(disamarkan)",
                    c["kec"],
                    c["kel"],
                    "Perempuan" if c["sex"] == "P" else "Laki-laki",
                    c["usia"],
                    c["bentuk"],
                    c["tempat"],
                    c["hubungan"],
                    c["layanan"],
                    c["disabilitas"],
                ]
            )
    paths.append(csv_path)
    return paths


def write_rbra(out: Path, rng: random.Random) -> list[Path]:
    regs = regions()
    kel = [k for kec in regs.kecamatan_list() for k in regs.kelurahan_of(kec.kode)]
    chosen = sorted(rng.sample(kel, 30), key=lambda k: k.kode)
    statuses = (
        ["RBRA"] * 8
        + ["RBRA Madya"] * 2
        + ["RBRA Utama"] * 2
        + ["Proses Standardisasi"] * 6
        + ["Belum Terstandar"] * 12
    )
    rng.shuffle(statuses)
    facilities = [
        "ayunan",
        "perosotan",
        "jungkat-jungkit",
        "pojok baca",
        "toilet",
        "titik kumpul",
        "jalur evakuasi",
        "CCTV",
        "tempat cuci tangan",
        "pohon peneduh",
    ]
    wb = _workbook()
    ws = wb.active
    ws.title = "RBRA"
    head = [
        "No",
        "Nama RBRA",
        "Kecamatan",
        "Kelurahan",
        "Latitude",
        "Longitude",
        "Status Standardisasi",
        "Tahun",
        "Luas (m2)",
        "Fasilitas",
        "Pengelola",
    ]
    _titles(ws, [f"DAFTAR RUANG BERMAIN RAMAH ANAK (RBRA) KOTA KENDARI — {MARK}", ""], len(head))
    ws.append(head)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for no, k in enumerate(chosen, start=1):
        kind = rng.choice(["RBRA Taman", "Taman Bermain", "RBRA Kantor Kelurahan"])
        radius = rng.uniform(0, 0.0027)  # ~300 m at most
        angle = rng.uniform(0, 2 * math.pi)
        lat = round(k.lat + radius * math.sin(angle), 6)
        lon = round(k.lon + radius * math.cos(angle), 6)
        ws.append(
            [
                no,
                f"{kind} {k.nama}",
                regs.name(k.kode_induk),
                k.nama,
                lat,
                lon,
                statuses[no - 1],
                rng.randint(2018, 2025),
                rng.randrange(150, 3000, 10),
                "; ".join(rng.sample(facilities, 4)),
                rng.choice([f"Kelurahan {k.nama}", "DLH Kota Kendari", "Dinas Perkim Kota Kendari", "DP3A"]),
            ]
        )
    _widths(ws, [5, 34, 16, 16, 12, 12, 22, 8, 10, 44, 28])
    return [_save(wb, out / "contoh_rbra.xlsx")]


# No points per indicator are published (../shared/research/domain-2.md 2.2): the synthetic values spread the
# year's synthetic total over the 24 indicators about evenly. Not a maximum: the sample has none.
def _scores(rng: random.Random, target: float) -> dict[int, float]:
    numbers = [r["nomor"] for r in reference.indicator_catalog()]
    raw = {n: rng.uniform(0.8, 1.2) for n in numbers}
    scale = target / sum(raw.values())  # the total lands on the target (to rounding)
    return {n: round(v * scale, 1) for n, v in raw.items()}


def write_indikator(out: Path, rng: random.Random) -> list[Path]:
    catalog = reference.indicator_catalog()
    wb = _workbook()
    wb.remove(wb.active)
    head = ["No", "Klaster", "Indikator", "Nilai", "Target", "OPD Pengampu", "Status Bukti", "Catatan"]
    notes = ["", "", "data dukung menyusul", "perlu verifikasi OPD", "", "dokumen SK belum diunggah"]
    for year in YEARS:
        ws = wb.create_sheet(f"Evaluasi {year}")
        _titles(
            ws, ["EVALUASI MANDIRI KABUPATEN/KOTA LAYAK ANAK", f"KOTA KENDARI TAHUN {year} — {MARK}", ""], len(head)
        )
        ws.append(head)
        for cell in ws[4]:
            cell.font = Font(bold=True)
        scores = _scores(rng, SCORE_BY_YEAR[year])
        lengkap = 0.35 + 0.08 * (year - 2019)
        total_nilai = total_target = 0.0
        for row in catalog:
            n = row["nomor"]
            target = round(scores[n] + rng.uniform(0, 6), 1)
            status = rng.choices(["Lengkap", "Sebagian", "Belum"], weights=[lengkap, 0.45, 0.2])[0]
            ws.append(
                [
                    n,
                    row["kelompok"],
                    row["nama"],
                    scores[n],
                    target,
                    row["opd_pengampu"],
                    status,
                    rng.choice(notes) or None,
                ]
            )
            total_nilai += scores[n]
            total_target += target
        ws.append(["JUMLAH", None, None, round(total_nilai, 1), round(total_target, 1)])
        _widths(ws, [8, 14, 60, 8, 8, 30, 12, 30])
    return [_save(wb, out / "contoh_nilai_indikator_2019-2025.xlsx")]


# Meeting follow-ups of 2025 (synthetic): (meeting, task, indicator, OPD, days to the due date, status)
MEETINGS = (dt.date(2025, 3, 12), dt.date(2025, 7, 16), dt.date(2025, 10, 22))
TASKS = (
    (0, "Unggah SK Gugus Tugas KLA terbaru ke aplikasi evaluasi", 2, "Bappeda", 30, "Selesai"),
    (0, "Lengkapi data akta kelahiran anak per kelurahan", 4, "Disdukcapil", 60, "Selesai"),
    (0, "Usulkan standardisasi 3 RBRA ke asesor SNI 9169:2023", 11, "Dinas Perkim", 120, "Proses"),
    (0, "Rekap layanan UPTD PPA per bulan untuk bukti klaster V", 21, "DP3A", 45, "Selesai"),
    (1, "Sosialisasi Kawasan Tanpa Rokok di sekolah dan kantor kelurahan", 17, "Satpol PP", 90, "Proses"),
    (1, "Dokumentasi Forum Anak tingkat kecamatan", 6, "DP3A", 60, "Belum"),
    (1, "Data sekolah ramah anak terverifikasi", 19, "Disdik", 75, "Proses"),
    (1, "Susun SOP diversi bersama Polres dan Bapas", 24, "Polres", 120, "Belum"),
    (2, "Perbarui peta sebaran RBRA dan titik koordinatnya", 11, "Dinas Perkim", 40, "Belum"),
    (2, "Lengkapi bukti PAUD-HI per kecamatan", 10, "Disdik", 60, "Belum"),
    (2, "Data perkawinan anak dari KUA per kecamatan", 7, "Kemenag", 50, "Proses"),
    (2, "Rapat koordinasi pencegahan kekerasan di sekolah", None, "DP3A", 30, "Selesai"),
)
# The city's own rating of its kecamatan, October 2023 (published; ../shared/research/domain.md 4.3)
KECAMATAN_2023 = {
    "Pratama": ("Abeli", "Mandonga", "Wua-Wua", "Kendari Barat", "Nambo"),
    "Madya": ("Poasia", "Puuwatu", "Kambu"),
    "Nindya": ("Kendari", "Baruga", "Kadia"),
}
KECAMATAN_2023_SOURCE = (
    "kendariinfo.com, Okt 2023: target-kla-kategori-utama-tahun-2024-5-kecamatan-di-kendari-masih-berstatus-pratama"
)


def write_tindak_lanjut(out: Path) -> list[Path]:
    wb = _workbook()
    ws = wb.active
    ws.title = "Tindak Lanjut"
    head = [
        "No",
        "Tanggal Rapat",
        "Tugas / Rencana Tindak Lanjut",
        "No Indikator",
        "OPD Penanggung Jawab",
        "Tenggat",
        "Status",
        "Keterangan",
    ]
    _titles(ws, ["TINDAK LANJUT RAPAT GUGUS TUGAS KLA KOTA KENDARI 2025", MARK, ""], len(head))
    ws.append(head)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for i, (m, task, nomor, opd, days, status) in enumerate(TASKS, start=1):
        meeting = MEETINGS[m]
        ws.append([i, meeting, task, nomor, opd, meeting + dt.timedelta(days=days), status, None])
        for col in (2, 6):
            ws.cell(row=ws.max_row, column=col).number_format = "DD/MM/YYYY"
    _widths(ws, [5, 14, 60, 12, 24, 14, 10, 24])
    return [_save(wb, out / "contoh_tindak_lanjut_2025.xlsx")]


def write_kla_kecamatan(out: Path) -> list[Path]:
    wb = _workbook()
    ws = wb.active
    ws.title = "Penilaian 2023"
    _titles(
        ws,
        [
            "PENILAIAN KECAMATAN LAYAK ANAK KOTA KENDARI TAHUN 2023",
            f"{MARK}: berkas contoh; kategorinya dikutip dari berita (lihat Keterangan), bukan dokumen resmi",
            "",
        ],
        3,
    )
    ws.append(["Kecamatan", "Kategori", "Keterangan"])
    for category, names in KECAMATAN_2023.items():
        for name in names:
            ws.append([name, category, f"Sumber: {KECAMATAN_2023_SOURCE}"])
    _widths(ws, [20, 12, 60])
    return [_save(wb, out / "contoh_kla_kecamatan_2023.xlsx")]


def generate(out_dir: Path, seed: int = SEED) -> dict[str, list[Path]]:
    """Write the sample inputs (replacing old ones); dataset -> files in load order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("contoh_*"):
        old.unlink()
    rng = random.Random(seed)
    return {
        "penduduk": write_penduduk(out_dir, random.Random(rng.random())),
        "kasus": write_kasus(out_dir, random.Random(rng.random())),
        "rbra": write_rbra(out_dir, random.Random(rng.random())),
        "indikator": write_indikator(out_dir, random.Random(rng.random())),
        "tindak_lanjut": write_tindak_lanjut(out_dir),
        "kla_kecamatan": write_kla_kecamatan(out_dir),
        "forum_anak": _partisipasi().write_forum_anak(out_dir, random.Random(rng.random())),  # issue 23
        "usulan_anak": _partisipasi().write_usulan_anak(out_dir, random.Random(rng.random())),  # issue 23
        **_bukti(out_dir),  # issue 22: bukti, jadwal_kla
    }


def _bukti(out_dir: Path) -> dict[str, list[Path]]:
    """etl/sample_bukti.py (issue 22), imported on use: it builds on this module's helpers."""
    from etl import sample_bukti

    return sample_bukti.write(out_dir)


def _partisipasi():
    """etl/sample_partisipasi.py (issue 23), imported on use: it builds on this module's helpers."""
    from etl import sample_partisipasi

    return sample_partisipasi


# --- Kendari's public record: real published files in the repository, loaded before the synthetic sample ----
REPO = Path(__file__).resolve().parent.parent
PUBLIK_DIR = REPO / "data" / "publik"
MANIFEST = PUBLIK_DIR / "daftar.toml"
MANIFEST_SHOWN = MANIFEST.relative_to(REPO).as_posix()  # as messages name it
PUBLIC_USER = "publik"  # meta_load.user_name of these loads (is_sample false: real public figures)
ENTRY_KEYS = {"dataset": "wajib", "berkas": "wajib", "keterangan": "wajib", "wilayah": "pilihan"}


class ManifestError(Exception):
    """daftar.toml cannot be used as it is; the message (Indonesian) names every entry and what is wrong."""


@dataclass(frozen=True)
class PublicEntry:
    dataset: str
    files: tuple[Path, ...]
    keterangan: str
    wilayah: str | None  # the kab/kota the files are about (loader scope); None: the configured one

    @property
    def scope(self) -> str:
        return "default" if self.wilayah is None else self.wilayah


def _entry(i: int, raw: object, default_wilayah: str | None, base: Path) -> tuple[PublicEntry | None, list[str]]:
    where = f"[[muat]] ke-{i}"
    if not isinstance(raw, dict):
        return None, [f"{where}: bukan tabel TOML."]
    dataset = raw.get("dataset")
    if isinstance(dataset, str) and dataset:
        where += f' (dataset "{dataset}")'
    problems = [
        f"{where}: kunci {key!r} tidak dikenal; yang boleh: {', '.join(ENTRY_KEYS)}."
        for key in raw
        if key not in ENTRY_KEYS
    ]
    problems += [
        f"{where}: kunci {key!r} tidak ada." for key, need in ENTRY_KEYS.items() if need == "wajib" and key not in raw
    ]
    if "dataset" in raw and dataset not in DATASETS:
        problems.append(
            f"{where}: dataset {dataset!r} tidak dikenal. Pilihan: {', '.join(DATASETS)} "
            "(dataset baru: modul etl/sources/NAMA.py, terdaftar di DATASETS di etl/sources/__init__.py)."
        )
    names = raw.get("berkas", [])
    names = [names] if isinstance(names, str) else names
    if (
        not isinstance(names, list)
        or not all(isinstance(n, str) and n for n in names)
        or ("berkas" in raw and not names)
    ):
        problems.append(f'{where}: berkas harus daftar nama berkas, misalnya berkas = ["{dataset or "folder"}/x.csv"].')
        names = []
    files = tuple(base / n for n in names)
    problems += [f"{where}: berkas {n} tidak ada di {base}." for n, f in zip(names, files) if not f.is_file()]
    keterangan = raw.get("keterangan")
    if "keterangan" in raw and not (isinstance(keterangan, str) and keterangan.strip()):
        problems.append(f"{where}: keterangan harus satu kalimat: apa isinya dan dari mana.")
    wilayah = raw.get("wilayah", default_wilayah)
    if wilayah is not None and not isinstance(wilayah, str):
        problems.append(f'{where}: wilayah harus kode Kemendagri dalam tanda kutip, misalnya wilayah = "74.71".')
    if problems:
        return None, problems
    return PublicEntry(dataset, files, keterangan.strip(), wilayah), []


def public_entries(path: Path = MANIFEST) -> list[PublicEntry]:
    """The [[muat]] entries of data/publik/daftar.toml in load order, every one checked (a known dataset, files
    that exist); ManifestError lists all that is wrong. No manifest: nothing public to load."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path} tidak dapat dibaca sebagai TOML: {exc}.") from exc
    problems = [
        f"kunci {key!r} di luar [[muat]] tidak dikenal; yang boleh: wilayah."
        for key in doc
        if key not in ("muat", "wilayah")
    ]
    wilayah = doc.get("wilayah")
    if wilayah is not None and not isinstance(wilayah, str):
        problems.append('wilayah harus kode Kemendagri dalam tanda kutip, misalnya wilayah = "74.71".')
        wilayah = None
    raw_entries = doc.get("muat", [])
    if not isinstance(raw_entries, list):
        problems.append("muat harus ditulis sebagai [[muat]] (satu blok per pemuatan).")
        raw_entries = []
    entries = []
    for i, raw in enumerate(raw_entries, start=1):
        entry, found = _entry(i, raw, wilayah, path.parent)
        problems += found
        if entry:
            entries.append(entry)
    if problems:
        raise ManifestError(f"Daftar data publik {path} tidak dapat dipakai:\n" + "\n".join(f"- {p}" for p in problems))
    return entries
