"""SYNTHETIC sample for children's participation (issue 23): the Forum Anak register and the children's proposals
in the Musrenbang, written as an office would keep them and loaded through the normal path by etl.sample.generate.

Nothing here is real data about Kendari's forums or proposals; every file says "DATA CONTOH (SINTETIS)". The shape
follows ../shared/research/domain-2.md §4: Fantari at kota level, a forum in each of the 11 kecamatan and in most
of the 65 kelurahan (inaugurated 2019, about 6 children each; some inactive, a few kelurahan without one), and
proposals for RKPD 2023-2026 in every status, whose share taken up grows over the cycles as Malang's did
(25 % in its first year, 63 % later).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl.styles import Font

from etl.names import regions
from etl.sample import KEC_VARIANTS, KEL_VARIANTS, MARK, _save, _titles, _widths, _workbook

YEAR = 2025  # the register's year
CYCLES = (2023, 2024, 2025, 2026)
# share of a cycle's proposals taken up in the RKPD (diakomodir or direalisasikan), and of those realised
TAKEN_UP = {2023: 0.27, 2024: 0.40, 2025: 0.52, 2026: 0.63}
REALISED = {2023: 0.75, 2024: 0.6, 2025: 0.45, 2026: 0.2}
STILL_OPEN = {2023: 0.0, 2024: 0.0, 2025: 0.05, 2026: 0.2}  # not decided yet (diajukan)
PLAN_SEED = 23  # which kelurahan have a forum, and which are inactive: fixed, both files agree
MISSING = 6  # kelurahan without a forum
INACTIVE = 9  # kelurahan forums that are not active
OPD_SPELLING = {"Dinas Kesehatan": "Dinkes", "Disdukcapil": "Dukcapil", "Dinas Pendidikan": "Disdik"}
# theme -> (target OPD, proposals as children word them; {kel} is the area's name)
PROPOSALS = {
    "Ruang bermain": (
        "Dinas PUPR/Perkim",
        ["Taman bermain ramah anak di {kel}", "Perbaikan ayunan dan perosotan di taman {kel}", "Ruang bermain di RW"],
    ),
    "Pendidikan": (
        "Dinas Pendidikan",
        ["Sekolah ramah anak untuk semua SD", "Bantuan seragam untuk anak kurang mampu"],
    ),
    "Literasi dan perpustakaan": (
        "Dinas Perpustakaan dan Kearsipan",
        ["Taman baca di kantor kelurahan {kel}", "Perpustakaan keliling ke sekolah", "Pojok baca di posyandu"],
    ),
    "Kreativitas seni dan olahraga": (
        "Dinas Pemuda dan Olahraga",
        ["Lapangan olahraga untuk anak di {kel}", "Sanggar seni untuk anak", "Lomba kreativitas anak tiap tahun"],
    ),
    "Kesehatan dan gizi": ("Dinas Kesehatan", ["Pemeriksaan gizi anak di sekolah", "Kelas remaja sehat di puskesmas"]),
    "Kawasan tanpa rokok": ("Satpol PP", ["Larangan iklan rokok dekat sekolah", "Papan kawasan tanpa rokok di taman"]),
    "Air bersih dan sanitasi": ("Dinas PUPR/Perkim", ["Toilet bersih di sekolah", "Air bersih di {kel}"]),
    "Lingkungan hidup": ("Dinas Lingkungan Hidup", ["Tempat sampah terpilah di sekolah", "Penghijauan di {kel}"]),
    "Perlindungan dari kekerasan": (
        "DP3A",
        ["Sosialisasi pencegahan perundungan di sekolah", "Layanan pengaduan kekerasan untuk anak"],
    ),
    "Narkoba": ("Dinas Sosial", ["Penyuluhan bahaya narkoba dan lem untuk remaja"]),
    "Perkawinan anak": ("Kemenag", ["Sosialisasi pencegahan perkawinan anak"]),
    "Akta kelahiran dan identitas anak": ("Disdukcapil", ["Layanan akta kelahiran dan KIA keliling di {kel}"]),
    "Informasi layak anak": ("Diskominfo", ["Pojok informasi layak anak di kelurahan", "Internet sehat di sekolah"]),
    "Partisipasi anak": ("DP3A", ["Anggaran kegiatan forum anak", "Forum anak dilibatkan dalam Musrenbang"]),
    "Keselamatan jalan": ("Dinas Perhubungan", ["Zona selamat sekolah di jalan depan SD", "Lampu jalan menuju {kel}"]),
    "Pengasuhan dan keluarga": ("DP3A", ["Kelas pengasuhan untuk orang tua"]),
    "Disabilitas dan inklusi": ("Dinas Sosial", ["Jalur kursi roda di taman dan sekolah"]),
}
REASONS = (
    "Kewenangan pemerintah provinsi",
    "Anggaran tidak mencukupi",
    "Sudah ada program serupa",
    "Lahan tidak tersedia",
)
STATUS_WORDS = {  # office spellings (kategori_data.csv status_usulan)
    "diajukan": ("Diusulkan", "Diajukan"),
    "diakomodir": ("Diakomodir dalam RKPD", "Diakomodir"),
    "direalisasikan": ("Terealisasi", "Direalisasikan"),
    "ditolak": ("Tidak diakomodir", "Ditolak"),
}
LEVEL_WORDS = {"kelurahan": "Kelurahan", "kecamatan": "Kecamatan", "kota": "Kota", "musrenbang_anak": "Musrenbang Anak"}


def forum_plan() -> dict:
    """Which kelurahan have a forum and which forums are inactive (fixed: the proposals file uses the same)."""
    rng = random.Random(PLAN_SEED)
    regs = regions()
    kel = [k.kode for kec in regs.kecamatan_list() for k in regs.kelurahan_of(kec.kode)]
    missing = set(rng.sample(kel, MISSING))
    with_forum = [k for k in kel if k not in missing]
    inactive = set(rng.sample(with_forum, INACTIVE))
    return {"kelurahan": with_forum, "missing": sorted(missing), "inactive": inactive}


def _kec_name(kode: str) -> str:
    return KEC_VARIANTS.get(kode, regions().name(kode))


def _kel_name(kode: str) -> str:
    return KEL_VARIANTS.get(kode, regions().name(kode))


def _split(rng: random.Random, n: int) -> tuple[int, int, int, int, int]:
    """n members as (L, P, 6-12, 13-17, 18), both splits adding up to n."""
    boys = rng.randint(max(0, n // 2 - 2), min(n, n // 2 + 1))
    young = rng.randint(0, n // 3)
    adult = rng.choice((0, 0, 0, 1)) if n - young > 0 else 0
    return boys, n - boys, young, n - young - adult, adult


def write_forum_anak(out: Path, rng: random.Random) -> list[Path]:
    plan = forum_plan()
    regs = regions()
    head = [
        "No",
        "Tahun",
        "Tingkat",
        "Kecamatan",
        "Kelurahan",
        "Nama Forum",
        "No. SK",
        "Tgl SK",
        "Jumlah Anggota",  # merged over L and P (row 5), as offices lay it out
        None,
        "Kelompok Umur",  # merged over the three age groups
        None,
        None,
        "Pelatihan KHA",
        "Aktif",
        "Kegiatan Terakhir",
        "Pembina",
        "Keterangan",
    ]
    wb = _workbook()
    ws = wb.active
    ws.title = f"Forum Anak {YEAR}"
    _titles(ws, [f"DATA FORUM ANAK KOTA KENDARI TAHUN {YEAR}", f"{MARK}: bukan data resmi forum anak", ""], len(head))
    ws.append(head)
    ws.append([None] * 8 + ["L", "P", "6-12", "13-17", "18"] + [None] * 5)
    ws.merge_cells(start_row=4, start_column=9, end_row=4, end_column=10)
    ws.merge_cells(start_row=4, start_column=11, end_row=4, end_column=13)
    for col in [*range(1, 9), *range(14, len(head) + 1)]:
        ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    for cell in [*ws[4], *ws[5]]:
        cell.font = Font(bold=True)
    sk_day = dt.date(2019, 7, 23)  # the pengukuhan of 2019 (domain-2.md §4); the numbers are made up
    rows = []

    def row(tingkat, kec, kel, name, n, *, active=True, kha=True, last=None, pembina="DP3A", note=None, ages=True):
        boys, girls, young, teen, adult = _split(rng, n)
        month = last or dt.date(YEAR, rng.randint(6, 11), rng.randint(1, 28))
        rows.append(
            [
                len(rows) + 1,
                YEAR,
                tingkat,
                kec,
                kel,
                name,
                f"CONTOH-{len(rows) + 1:03d}/FA/2019",
                sk_day,
                boys,
                girls,
                young if ages else None,
                teen if ages else None,
                adult if ages else None,
                "Ya" if kha else "Belum",
                "Ya" if active else "Tidak",
                month,
                pembina,
                note,
            ]
        )

    row("Kota", None, None, "Fantari (Forum Anak Kota Kendari)", 30, pembina="DP3A Kota Kendari")
    for kec in regs.kecamatan_list():
        row("Kecamatan", _kec_name(kec.kode), None, f"Forum Anak Kecamatan {kec.nama}", rng.randint(10, 15),
            pembina=f"Kantor Camat {kec.nama}", kha=rng.random() < 0.8)  # fmt: skip
    for kode in plan["kelurahan"]:
        r = regs.by_code[kode]
        inactive = kode in plan["inactive"]
        row(
            "Kel." if rng.random() < 0.2 else "Kelurahan",
            _kec_name(r.kode_induk),
            _kel_name(kode),
            None if rng.random() < 0.3 else f"Forum Anak Kelurahan {r.nama}",
            rng.choice((5, 6, 6, 6, 6, 7, 8)),
            active=not inactive,
            kha=rng.random() < (0.3 if inactive else 0.65),
            last=dt.date(rng.choice((2022, 2023)), rng.randint(1, 12), 1) if inactive else None,
            pembina=f"Lurah {r.nama}",
            note="Pengurus belum diperbarui" if inactive and rng.random() < 0.5 else None,
            ages=rng.random() < 0.85,
        )
    for r in rows:
        ws.append(r)
        for col in (8, 16):
            ws.cell(row=ws.max_row, column=col).number_format = "DD/MM/YYYY"
    ws.append(
        [None, None, "JUMLAH", None, None, None, None, None, *[sum(r[c] or 0 for r in rows) for c in range(8, 13)]]
    )
    ws.append([])
    ws.append([f"Keterangan: {MARK}. Jumlah anggota saja; nama anggota tidak dicatat di berkas ini."])
    _widths(ws, [5, 7, 11, 16, 18, 34, 20, 12, 10, 10, 9, 9, 8, 10, 7, 14, 24, 26])
    return [_save(wb, out / f"contoh_forum_anak_{YEAR}.xlsx")]


def _statuses(rng: random.Random, cycle: int, n: int) -> list[str]:
    """n statuses for one cycle: the share taken up as TAKEN_UP says, part of it realised, the rest refused."""
    open_ = round(n * STILL_OPEN[cycle])
    taken = round(n * TAKEN_UP[cycle])
    realised = round(taken * REALISED[cycle])
    out = ["diajukan"] * open_ + ["direalisasikan"] * realised + ["diakomodir"] * (taken - realised)
    out += ["ditolak"] * (n - len(out))
    rng.shuffle(out)
    return out


def write_usulan_anak(out: Path, rng: random.Random) -> list[Path]:
    plan = forum_plan()
    regs = regions()
    has_forum = set(plan["kelurahan"])
    themes = list(PROPOSALS)
    wb = _workbook()
    first = True
    for cycle in CYCLES:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = f"RKPD {cycle}"
        reviewed = cycle in (2023, 2024)  # the older cycles have some texts reviewed for publication
        head = ["No", "Tingkat Musrenbang", "Kecamatan", "Kelurahan", "Forum Anak", "Usulan", "Tema", "Klaster"]
        head += ["OPD Tujuan", "Status", "Alasan", "Tautan Bukti"] + (["Teks Publik"] if reviewed else [])
        _titles(
            ws,
            [f"USULAN ANAK DALAM MUSRENBANG RKPD {cycle} — KOTA KENDARI", f"{MARK}: bukan usulan sungguhan", ""],
            len(head),
        )
        ws.append(head)
        for cell in ws[4]:
            cell.font = Font(bold=True)
        places = []  # (tingkat, kecamatan code, kelurahan code)
        for kode in rng.sample(sorted(regs.by_code[k].kode for k in has_forum | set(plan["missing"])), 22 + cycle % 4):
            places.append(("kelurahan", regs.by_code[kode].kode_induk, kode))
        for kec in rng.sample(regs.kecamatan_list(), 8):
            places.append(("kecamatan", kec.kode, None))
        places += [("kota", None, None)] * 4 + [("musrenbang_anak", None, None)] * 8
        statuses = _statuses(rng, cycle, len(places))
        used = set()
        for i, ((level, kec, kel), status) in enumerate(zip(places, statuses), start=1):
            tema = rng.choice(themes)
            opd, texts = PROPOSALS[tema]
            area = regs.name(kel) if kel else regs.name(kec) if kec else "Kota Kendari"
            usulan = rng.choice(texts).format(kel=area)
            if (level, kec, kel, usulan) in used:
                usulan = f"{usulan} (lanjutan)"
            used.add((level, kec, kel, usulan))
            if level == "kelurahan":
                forum = f"Forum Anak Kel. {regs.name(kel)}" if kel in has_forum else None
            elif level == "kecamatan":
                forum = f"Forum Anak Kec. {regs.name(kec)}"
            else:
                forum = "Fantari" if level == "musrenbang_anak" or rng.random() < 0.5 else None
            row = [
                i,
                LEVEL_WORDS[level],
                _kec_name(kec) if kec else None,
                _kel_name(kel) if kel else None,
                forum,
                usulan,
                tema,
                None,
                OPD_SPELLING.get(opd, opd) if rng.random() < 0.3 else opd,
                rng.choice(STATUS_WORDS[status]),
                rng.choice(REASONS) if status == "ditolak" else None,
                f"https://contoh.invalid/rkpd-{cycle}/usulan-{i:03d}" if status == "direalisasikan" else None,
            ]
            if reviewed:
                row.append(usulan if rng.random() < 0.4 else None)
            ws.append(row)
        _widths(ws, [5, 18, 16, 18, 28, 50, 28, 9, 28, 22, 30, 40, 50][: len(head)])
    return [_save(wb, out / "contoh_usulan_anak_rkpd_2023_2026.xlsx")]
