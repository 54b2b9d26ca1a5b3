"""SYNTHETIC sample of the evidence checklist (issue 22): item states for 2025 and 2026, the stage dates, and a few
small evidence files (PDF, PNG) attached through the checklist's Berkas column. Every file says
"DATA CONTOH (SINTETIS)". Deterministic: a fixed seed, fixed dates, PDFs with a fixed creation date.

Called from etl/sample.generate; the files it returns load through the normal path (loader.load), which stores
the evidence files under KLA_DATA_DIR/bukti by their SHA-256 and attaches them.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

from openpyxl.styles import Font

from etl import reference
from etl.sample import FIXED_TIME, MARK, _save, _titles, _widths, _workbook

SEED = 2022
KODE = "74.71"
# status shares per year: 2025 is the year already evaluated, 2026 the one being prepared
SHARES = {
    2025: (("diterima", 0.6), ("perlu_perbaikan", 0.1), ("diperiksa", 0.1), ("diunggah", 0.1), ("belum", 0.1)),
    2026: (("diterima", 0.25), ("diperiksa", 0.15), ("diunggah", 0.2), ("perlu_perbaikan", 0.1), ("belum", 0.3)),
}
# stage dates: 2025's evaluasi mandiri was hybrid on 10 June (meeting reports); the rest are synthetic
STAGES = {
    2025: (("evaluasi_mandiri", dt.date(2025, 6, 10)), ("verifikasi_lapangan", dt.date(2025, 7, 22))),
    2026: (("evaluasi_mandiri", dt.date(2026, 6, 9)), ("verifikasi_lapangan", dt.date(2026, 7, 21))),
}
NOTES = (
    "SK belum ditandatangani; unggah versi final",
    "Data belum terpilah menurut jenis kelamin dan umur",
    "Lampirkan halaman pengesahan",
    "Tahun data tidak sesuai; pakai data tahun berjalan",
)
# (year, item, kind) of the evidence files the sample attaches
FILES = ((2025, "02.01", "pdf"), (2025, "11.01", "png"), (2025, "21.05", "pdf"))
FILES += ((2026, "02.01", "pdf"), (2026, "06.02", "png"), (2026, "11.02", "pdf"))


def pdf_bytes(title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(FIXED_TIME.replace(tzinfo=dt.UTC))
    pdf.set_title(f"{MARK} {title}")
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=16)
    pdf.cell(text=MARK, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(w=0, text=f"Contoh berkas bukti (data dukung) evaluasi KLA: {title}. Bukan dokumen resmi.")
    return bytes(pdf.output())


def png_bytes(title: str) -> bytes:
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    img = Image.new("RGB", (480, 200), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 4, 475, 195), outline=(11, 110, 110), width=4)
    draw.text((20, 30), MARK, fill=(180, 0, 0))
    draw.text((20, 70), f"Contoh dokumentasi: {title}"[:70], fill=(0, 0, 0))
    draw.text((20, 110), "Bukan foto sungguhan.", fill=(0, 0, 0))
    out = io.BytesIO()
    info = PngInfo()
    info.add_text("Comment", f"{MARK}: {title}"[:200])  # the mark is also in the file, not only in its pixels
    img.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def states(year: int, rng: random.Random) -> list[dict]:
    """One row per template item: status, note, deadline (some overdue: before the stage date, not done)."""
    items = list(reference.evidence_items())
    labels = [s for s, share in SHARES[year] for _ in range(round(share * len(items)))]
    labels = (labels + ["belum"] * len(items))[: len(items)]
    rng.shuffle(labels)
    for need, (status, _) in enumerate(SHARES[year]):  # every state present
        if status not in labels:
            labels[need] = status
    attached = {item for y, item, _ in FILES if y == year}
    rows = []
    for i, (item, status) in enumerate(zip(items, labels)):
        if item["item_id"] in attached and status == "belum":
            status = "diunggah"
        deadline = None if i % 7 == 0 else dt.date(year, 4, 15) + dt.timedelta(days=rng.randrange(0, 50))
        rows.append(
            {
                "item": item,
                "status": status,
                "catatan": NOTES[i % len(NOTES)] if status == "perlu_perbaikan" else None,
                # an item past "belum" without a file of its own points to where it is kept (a made-up address)
                "tautan": None
                if status == "belum" or item["item_id"] in attached
                else f"https://berkas.contoh.invalid/kla/{year}/{item['item_id']}",
                "tenggat": deadline,
            }
        )
    return rows


def write(out: Path) -> dict[str, list[Path]]:
    """The checklist (with the evidence files beside it) and the stage dates; dataset -> files."""
    rng = random.Random(SEED)
    files = {}
    for year, item_id, kind in FILES:
        title = next(r["item"] for r in reference.evidence_items() if r["item_id"] == item_id)
        name = f"contoh_bukti_{year}_{item_id}.{kind}"
        data = pdf_bytes(title) if kind == "pdf" else png_bytes(title)
        (out / name).write_bytes(data)
        files[(year, item_id)] = name
    wb = _workbook()
    wb.remove(wb.active)
    head = ["No", "Tahun", "Kode Item", "No Indikator", "Butir Data Dukung", "OPD Penanggung Jawab", "Status"]
    head += ["Catatan Pemeriksa", "Tautan", "Tenggat", "Berkas"]
    for year in SHARES:
        ws = wb.create_sheet(f"Data Dukung {year}")
        _titles(ws, [f"DATA DUKUNG EVALUASI KLA KOTA KENDARI TAHUN {year}", MARK, ""], len(head))
        ws.append(head)
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for i, row in enumerate(states(year, rng), start=1):
            item = row["item"]
            ws.append(
                [
                    i,
                    year,
                    item["item_id"],
                    item["nomor"],
                    item["item"],
                    item["opd"],
                    row["status"].replace("_", " "),
                    row["catatan"],
                    row["tautan"],
                    row["tenggat"],
                    files.get((year, item["item_id"])),
                ]
            )
            ws.cell(row=ws.max_row, column=3).number_format = "@"
            ws.cell(row=ws.max_row, column=10).number_format = "DD/MM/YYYY"
        _widths(ws, [5, 7, 10, 8, 60, 22, 16, 40, 40, 12, 30])
    jadwal = _workbook()
    ws = jadwal.active
    ws.title = "Jadwal"
    _titles(ws, ["JADWAL TAHAPAN EVALUASI KLA KOTA KENDARI", MARK, ""], 4)
    ws.append(["Tahun", "Tahap", "Jadwal", "Keterangan"])
    for year, stages in STAGES.items():
        for tahap, tanggal in stages:
            note = "evaluasi mandiri hibrida (laporan rapat)" if (year, tahap) == (2025, "evaluasi_mandiri") else MARK
            ws.append([year, tahap.replace("_", " "), tanggal, note])
            ws.cell(row=ws.max_row, column=3).number_format = "DD/MM/YYYY"
    _widths(ws, [8, 24, 12, 40])
    return {
        "bukti": [_save(wb, out / "contoh_bukti_2025_2026.xlsx")],
        "jadwal_kla": [_save(jadwal, out / "contoh_jadwal_kla.xlsx")],
    }
