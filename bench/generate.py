"""Synthetic inputs for the benchmarks: a large case register in the messy `;` CSV layout."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from etl import reference
from etl.names import regions


def kasus_csv(path: Path, n_rows: int, seed: int = 7, first_year: int = 2016, last_year: int = 2025) -> Path:
    """A `;`-separated SIMFONI-style register with dd/mm/yyyy dates and Indonesian labels."""
    rng = random.Random(seed)
    regs = regions()
    places = [(k.nama, kel.nama) for k in regs.kecamatan_list() for kel in regs.kelurahan_of(k.kode)]
    forms = reference.category_values("bentuk_kekerasan")
    tempat = reference.category_values("tempat_kejadian")
    hubungan = reference.category_values("hubungan_pelaku")
    span = (dt.date(last_year, 10, 31) - dt.date(first_year, 1, 1)).days
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["REGISTER KASUS (DATA SINTETIS UNTUK TOLOK UKUR)"])
        w.writerow(["No", "No. Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "Kelurahan",
                    "Jenis Kelamin", "Usia", "Bentuk Kekerasan", "Tempat Kejadian", "Hubungan Pelaku", "Layanan",
                    "Disabilitas"])
        for i in range(1, n_rows + 1):
            lapor = dt.date(first_year, 1, 1) + dt.timedelta(days=rng.randrange(span))
            kejadian = max(dt.date(lapor.year, 1, 1), lapor - dt.timedelta(days=rng.randrange(45)))
            kec, kel = rng.choice(places)
            n_forms = 2 if rng.random() < 0.15 else 1
            w.writerow([i, f"B/{lapor.year}/{i:07d}", kejadian.strftime("%d/%m/%Y"), lapor.strftime("%d/%m/%Y"),
                        kec, kel, rng.choice("PPPL"), rng.randrange(18), ", ".join(rng.sample(forms, n_forms)),
                        rng.choice(tempat), rng.choice(hubungan), "Pengaduan", "Tidak"])
    return path
