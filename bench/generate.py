"""Synthetic inputs for the benchmarks at three scales, written as the files an office would load.

- city: the Kendari sample (`python -m etl sample`) with its public record and Kendari's boundaries (data/publik).
- province: Sulawesi Tenggara (74): Kota Kendari (74.71) with its real kecamatan and kelurahan, 16 synthetic
  kab/kota around it (~220 kecamatan in all), ~100,000 cases over 10 years, ~1,000 RBRA, 24 indicators per
  kab/kota and year, children per kecamatan x year x sex x age band, a polygon for every kecamatan.
- national: 514 kab/kota in 38 provinces (the province scale's 74 among them), ~7,300 kecamatan laid out on a
  grid inside Indonesia's extent (lon 95..141, lat -11..6), 1,000,000 cases, 20,000 RBRA, 24 indicators per
  kab/kota and year.

Every synthetic name says so ("Kecamatan Sintetis 74.05.03"). Everything is seeded: the same scale and knobs
give byte-identical files. Big files are written with the csv module from numpy arrays (no openpyxl).

A scale's writer returns the `python -m etl` steps that build its warehouse; `build(scale, data_dir)` runs
them, each in its own process as an office would.

Knobs (environment):
  KLA_BENCH_SCALE_FACTOR  shrinks province and national (kab/kota, kecamatan, cases, RBRA) for smoke tests
  KLA_BENCH_DESA_FACTOR   desa/kelurahan per synthetic kecamatan (1.0 = ~12 per kabupaten kecamatan, ~6 per kota)
  KLA_BENCH_EDGE_POINTS   vertices inside each polygon edge (real boundaries have many; 12 by default)
  KLA_BENCH_GEO           folder with kendari_kecamatan.geojson / kendari_kelurahan.geojson (default data/publik/batas)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEED = 20261201
YEARS = list(range(2016, 2026))
LAST_DAY = dt.date(2025, 10, 31)  # the register runs to the end of October of the last year
SCALES = ("city", "province", "national")
DEFAULT_REGION = {"city": "74.71", "province": "74", "national": ""}  # KLA_WILAYAH the pages run with
MARK = "DATA SINTETIS UNTUK TOLOK UKUR"
BANDS = ((0, 4), (5, 9), (10, 14), (15, 17))

INDONESIA = (95.0, -11.0, 141.0, 6.0)  # lon_min, lat_min, lon_max, lat_max
SULTRA_BOX = (120.8, -5.8, 124.4, -2.8)  # where province 74 is drawn (at both scales)
KENDARI_BOX = (122.42, -4.12, 122.68, -3.88)  # Kendari's real extent plus a margin: kept free


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


def scale_factor() -> float:
    return max(0.0001, _env_float("KLA_BENCH_SCALE_FACTOR", 1.0))


def geo_dir() -> Path:
    return Path(os.environ.get("KLA_BENCH_GEO") or REPO / "data" / "publik" / "batas")


def has_real_geo() -> bool:
    g = geo_dir()
    return (g / "kendari_kecamatan.geojson").exists() and (g / "kendari_kelurahan.geojson").exists()


# --------------------------------------------------------------------------------------------------------------
# The legacy city-scale register (bench section "kasus" at city scale): Kendari names, no codes.


def kasus_csv(path: Path, n_rows: int, seed: int = 7, first_year: int = 2016, last_year: int = 2025) -> Path:
    """A `;`-separated SIMFONI-style register of Kendari with dd/mm/yyyy dates and Indonesian labels."""
    from etl import reference

    rng = random.Random(seed)
    places = [(kec.nama, kel.nama) for kec in kendari_regions() for kel in kec.kelurahan]
    forms = reference.category_values("bentuk_kekerasan")
    tempat = reference.category_values("tempat_kejadian")
    hubungan = reference.category_values("hubungan_pelaku")
    span = (dt.date(last_year, 10, 31) - dt.date(first_year, 1, 1)).days
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow([f"REGISTER KASUS ({MARK})"])
        w.writerow(KENDARI_CASE_HEAD)
        for i in range(1, n_rows + 1):
            lapor = dt.date(first_year, 1, 1) + dt.timedelta(days=rng.randrange(span))
            kejadian = max(dt.date(lapor.year, 1, 1), lapor - dt.timedelta(days=rng.randrange(45)))
            kec, kel = rng.choice(places)
            n_forms = 2 if rng.random() < 0.15 else 1
            w.writerow(
                [
                    i,
                    f"B/{lapor.year}/{i:07d}",
                    kejadian.strftime("%d/%m/%Y"),
                    lapor.strftime("%d/%m/%Y"),
                    kec,
                    kel,
                    rng.choice("PPPL"),
                    rng.randrange(18),
                    ", ".join(rng.sample(forms, n_forms)),
                    rng.choice(tempat),
                    rng.choice(hubungan),
                    "Pengaduan",
                    "Tidak",
                ]
            )
    return path


KENDARI_CASE_HEAD = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
    "Tempat Kejadian",
    "Hubungan Pelaku",
    "Layanan",
    "Disabilitas",
]


def kasus_xlsx(path: Path, n_rows: int, seed: int = 11) -> Path:
    """The same Kendari register as an xlsx workbook (xlsxwriter in constant-memory mode; openpyxl write-only
    when xlsxwriter is missing): dates as real Excel dates, as registers kept in Excel have them."""
    from etl import reference

    rng = np.random.default_rng(seed)
    places = [(kec.nama, kel.nama) for kec in kendari_regions() for kel in kec.kelurahan]
    forms = reference.category_values("bentuk_kekerasan")
    tempat = reference.category_values("tempat_kejadian")
    hubungan = reference.category_values("hubungan_pelaku")
    start = dt.date(2016, 1, 1)
    span = (LAST_DAY - start).days
    lapor_d = rng.integers(0, span, n_rows)
    back = rng.integers(0, 45, n_rows)
    place = rng.integers(0, len(places), n_rows)
    sex = np.where(rng.random(n_rows) < 0.72, "P", "L")
    age = rng.integers(0, 18, n_rows)
    form = rng.integers(0, len(forms), n_rows)
    tmp = rng.integers(0, len(tempat), n_rows)
    hub = rng.integers(0, len(hubungan), n_rows)
    days = [start + dt.timedelta(days=int(d)) for d in range(span + 1)]

    def rows():
        for i in range(n_rows):
            lapor = days[lapor_d[i]]
            kejadian = max(dt.date(lapor.year, 1, 1), days[max(0, lapor_d[i] - back[i])])
            kec, kel = places[place[i]]
            yield [
                i + 1,
                f"X/{lapor.year}/{i + 1:07d}",
                kejadian,
                lapor,
                kec,
                kel,
                sex[i],
                int(age[i]),
                forms[form[i]],
                tempat[tmp[i]],
                hubungan[hub[i]],
                "Pengaduan",
                "Tidak",
            ]

    title = f"REGISTER KASUS KEKERASAN TERHADAP ANAK - KOTA KENDARI ({MARK})"
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if xlsxwriter is not None:
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("Register")
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_row(0, 0, [title])
        ws.write_row(2, 0, KENDARI_CASE_HEAD)
        for r, row in enumerate(rows(), start=3):
            ws.write_row(r, 0, row[:2])
            ws.write_datetime(r, 2, dt.datetime.combine(row[2], dt.time()), date_fmt)
            ws.write_datetime(r, 3, dt.datetime.combine(row[3], dt.time()), date_fmt)
            ws.write_row(r, 4, row[4:])
        wb.close()
        return path
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Register")
    ws.append([title])
    ws.append([])
    ws.append(KENDARI_CASE_HEAD)
    for row in rows():
        ws.append(row)
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------------------------------
# Regions


@dataclass
class Place:
    """A kelurahan/desa: code, name, level and a point inside it."""

    kode: str
    nama: str
    level: str
    lat: float
    lon: float


@dataclass
class Kecamatan:
    kode: str
    nama: str
    lat: float = 0.0
    lon: float = 0.0
    kelurahan: list[Place] = field(default_factory=list)
    ring: list | None = None  # synthetic polygon (exterior ring, lon/lat) or None for a real one
    cell: tuple | None = None  # (x0, y0, d) of a synthetic square
    children: int = 0  # children 0-17 in the last year
    case_rate: float = 1.0


@dataclass
class KabKota:
    kode: str
    nama: str
    level: str  # kabupaten | kota
    kecamatan: list[Kecamatan] = field(default_factory=list)
    n_kecamatan: int = 0
    lat: float = 0.0
    lon: float = 0.0


@dataclass
class Province:
    kode: str
    nama: str
    kabkota: list[KabKota] = field(default_factory=list)


# code, name, kab/kota, of which kota (Kemendagri 2024; 38 provinces, 514 kab/kota)
PROVINCES = (
    ("11", "Aceh", 23, 5),
    ("12", "Sumatera Utara", 33, 8),
    ("13", "Sumatera Barat", 19, 7),
    ("14", "Riau", 12, 2),
    ("15", "Jambi", 11, 2),
    ("16", "Sumatera Selatan", 17, 4),
    ("17", "Bengkulu", 10, 1),
    ("18", "Lampung", 15, 2),
    ("19", "Kepulauan Bangka Belitung", 7, 1),
    ("21", "Kepulauan Riau", 7, 2),
    ("31", "DKI Jakarta", 6, 5),
    ("32", "Jawa Barat", 27, 9),
    ("33", "Jawa Tengah", 35, 6),
    ("34", "DI Yogyakarta", 5, 1),
    ("35", "Jawa Timur", 38, 9),
    ("36", "Banten", 8, 4),
    ("51", "Bali", 9, 1),
    ("52", "Nusa Tenggara Barat", 10, 2),
    ("53", "Nusa Tenggara Timur", 22, 1),
    ("61", "Kalimantan Barat", 14, 2),
    ("62", "Kalimantan Tengah", 14, 1),
    ("63", "Kalimantan Selatan", 13, 2),
    ("64", "Kalimantan Timur", 10, 3),
    ("65", "Kalimantan Utara", 5, 1),
    ("71", "Sulawesi Utara", 15, 4),
    ("72", "Sulawesi Tengah", 13, 1),
    ("73", "Sulawesi Selatan", 24, 3),
    ("74", "Sulawesi Tenggara", 17, 2),
    ("75", "Gorontalo", 6, 1),
    ("76", "Sulawesi Barat", 6, 0),
    ("81", "Maluku", 11, 2),
    ("82", "Maluku Utara", 10, 2),
    ("91", "Papua", 9, 1),
    ("92", "Papua Barat", 7, 0),
    ("93", "Papua Selatan", 4, 0),
    ("94", "Papua Tengah", 8, 0),
    ("95", "Papua Pegunungan", 8, 0),
    ("96", "Papua Barat Daya", 6, 1),
)
NATIONAL_KECAMATAN = 7300
PROVINCE_KECAMATAN = 220


def kendari_regions() -> list[Kecamatan]:
    """Kendari's real kecamatan and kelurahan (codes, names, points inside the official boundaries)."""
    rows = []
    with open(REPO / "data" / "reference" / "wilayah.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["kode"].startswith("74.71."):
                rows.append(r)
    kec = {
        r["kode"]: Kecamatan(r["kode"], r["nama"], float(r["lat"]), float(r["lon"]))
        for r in rows
        if r["level"] == "kecamatan"
    }
    for r in rows:
        if r["level"] in ("kelurahan", "desa"):
            kec[r["kode"][:8]].kelurahan.append(
                Place(r["kode"], r["nama"], r["level"], float(r["lat"]), float(r["lon"]))
            )
    out = sorted(kec.values(), key=lambda k: k.kode)
    for k in out:
        k.kelurahan.sort(key=lambda p: p.kode)
    return out


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` into integers proportional to weights, each at least `minimum` (largest remainder)."""
    n = len(weights)
    total = max(total, minimum * n)
    spare = total - minimum * n
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    out = [minimum + int(r) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _kabkota_list(prov: str, n_all: int, n_kota: int, f: float) -> list[KabKota]:
    """The synthetic kab/kota of a province (scaled), Kendari excluded."""
    if prov == "74":
        n_kab, n_kota_syn = max(1, round(15 * f)), round(1 * f)  # 15 kabupaten + Kendari + 1 kota
    else:
        n = max(1, round(n_all * f))
        n_kota_syn = min(n, round(n_kota * n / n_all))
        n_kab = n - n_kota_syn
    out = [KabKota(f"{prov}.{i:02d}", f"Kabupaten Sintetis {prov}.{i:02d}", "kabupaten") for i in range(1, n_kab + 1)]
    first_kota = 72 if prov == "74" else 71
    out += [
        KabKota(f"{prov}.{i:02d}", f"Kota Sintetis {prov}.{i:02d}", "kota")
        for i in range(first_kota, first_kota + n_kota_syn)
    ]
    return out


def _fill_kecamatan(kk: KabKota, n: int, rng: random.Random, desa_factor: float) -> None:
    for j in range(1, n + 1):
        code = f"{kk.kode}.{j:02d}"
        kec = Kecamatan(code, f"Kecamatan Sintetis {code}")
        if kk.level == "kota":
            n_kel = max(1, round(rng.randint(4, 8) * desa_factor))
            kec.kelurahan = [
                Place(f"{code}.{1000 + i}", f"Kelurahan Sintetis {code}.{1000 + i}", "kelurahan", 0, 0)
                for i in range(1, n_kel + 1)
            ]
        else:
            n_kel = max(1, round(rng.randint(1, 2) * desa_factor))
            n_desa = max(1, round(rng.randint(6, 16) * desa_factor))
            kec.kelurahan = [
                Place(f"{code}.{1000 + i}", f"Kelurahan Sintetis {code}.{1000 + i}", "kelurahan", 0, 0)
                for i in range(1, n_kel + 1)
            ]
            kec.kelurahan += [
                Place(f"{code}.{2000 + i}", f"Desa Sintetis {code}.{2000 + i}", "desa", 0, 0)
                for i in range(1, n_desa + 1)
            ]
        kk.kecamatan.append(kec)


def province_tree(prov: str, name: str, n_all: int, n_kota: int, kecamatan_total: int, f: float) -> Province:
    """One province's kab/kota and kecamatan (no geometry yet). Seeded by the province code alone, so 74 is
    the same at province and national scale."""
    rng = random.Random(SEED * 100 + int(prov))
    desa_factor = _env_float("KLA_BENCH_DESA_FACTOR", 1.0)
    p = Province(prov, name)
    syn = _kabkota_list(prov, n_all, n_kota, f)
    kendari_n = 0
    if prov == "74":
        kendari = KabKota("74.71", "Kota Kendari", "kota", kendari_regions())
        kendari_n = len(kendari.kecamatan)
    weights = [rng.uniform(0.6, 1.6) if k.level == "kabupaten" else rng.uniform(0.3, 0.7) for k in syn]
    counts = _allocate(kecamatan_total - kendari_n, weights, 2)
    for kk, n in zip(syn, counts):
        _fill_kecamatan(kk, n, rng, desa_factor)
    p.kabkota = sorted(syn + ([kendari] if prov == "74" else []), key=lambda k: k.kode)
    return p


# --------------------------------------------------------------------------------------------------------------
# Geometry: squares on a grid whose shared edges wiggle identically on both sides (valid, gap-free polygons
# with realistic vertex counts).


def _edge_points(key: tuple, a: tuple[float, float], b: tuple[float, float], d: float, n: int) -> list:
    """Interior points of the edge a->b (canonical direction), offset perpendicular by a seeded wiggle that
    vanishes at the corners."""
    if n <= 0:
        return []
    rng = random.Random(zlib.crc32(repr(key).encode()) ^ SEED)
    (ax, ay), (bx, by) = a, b
    nx, ny = -(by - ay) / d, (bx - ax) / d
    pts = []
    for k in range(1, n + 1):
        t = k / (n + 1)
        off = 0.06 * d * math.sin(math.pi * t) * rng.uniform(-1, 1)
        pts.append((ax + (bx - ax) * t + nx * off, ay + (by - ay) * t + ny * off))
    return pts


def cell_ring(
    grid: str, col: int, row: int, x0: float, y0: float, d: float, n: int, used: set | None = None
) -> list[list[float]]:
    """Counter-clockwise exterior ring of cell (col, row) of a grid starting at (x0, y0) with cell size d.

    Only edges shared with another used cell of the grid wiggle: edges on the border of the grid or of a
    hole stay straight, so cells never reach outside their grid's box or into a hole."""

    def p(c, r):
        return (x0 + c * d, y0 + r * d)

    def k(c, r):
        return n if used is None or (c, r) in used else 0

    bottom = _edge_points((grid, "h", col, row), p(col, row), p(col + 1, row), d, k(col, row - 1))
    right = _edge_points((grid, "v", col + 1, row), p(col + 1, row), p(col + 1, row + 1), d, k(col + 1, row))
    top = _edge_points((grid, "h", col, row + 1), p(col, row + 1), p(col + 1, row + 1), d, k(col, row + 1))
    left = _edge_points((grid, "v", col, row), p(col, row), p(col, row + 1), d, k(col - 1, row))
    ring = [
        p(col, row),
        *bottom,
        p(col + 1, row),
        *right,
        p(col + 1, row + 1),
        *reversed(top),
        p(col, row + 1),
        *reversed(left),
        p(col, row),
    ]
    return [[round(x, 6), round(y, 6)] for x, y in ring]


def _overlaps(box_a, box_b) -> bool:
    return not (box_a[2] <= box_b[0] or box_b[2] <= box_a[0] or box_a[3] <= box_b[1] or box_b[3] <= box_a[1])


def grid_cells(box: tuple, n: int, holes: list[tuple], band: int = 8) -> tuple[list[tuple[int, int]], float]:
    """n cells of the largest size that fits in `box` avoiding `holes`, in an order that keeps neighbours in
    code order close together: vertical bands `band` cells wide, filled row by row, serpentine."""
    lon0, lat0, lon1, lat1 = box
    area = (lon1 - lon0) * (lat1 - lat0)
    d = math.sqrt(area / max(n, 1))
    while True:
        cols, rows = int((lon1 - lon0) / d), int((lat1 - lat0) / d)
        cells = []
        for b0 in range(0, cols, band):
            for r in range(rows - 1, -1, -1):  # north to south
                cs = list(range(b0, min(b0 + band, cols)))
                if (rows - 1 - r) % 2:
                    cs.reverse()
                for c in cs:
                    cb = (lon0 + c * d, lat0 + r * d, lon0 + (c + 1) * d, lat0 + (r + 1) * d)
                    if not any(_overlaps(cb, h) for h in holes):
                        cells.append((c, r))
        if len(cells) >= n:
            return cells[:n], d
        d *= 0.97


def _place_points(kec: Kecamatan, rng: random.Random) -> None:
    """Reference points of a synthetic kecamatan and its kelurahan inside its square."""
    x0, y0, d = kec.cell
    kec.lon, kec.lat = round(x0 + d / 2, 6), round(y0 + d / 2, 6)
    m = math.ceil(math.sqrt(len(kec.kelurahan)))
    inner = 0.8 * d
    for i, kel in enumerate(kec.kelurahan):
        c, r = i % m, i // m
        kel.lon = round(x0 + 0.1 * d + (c + 0.5) * inner / m, 6)
        kel.lat = round(y0 + 0.1 * d + (r + 0.5) * inner / m, 6)


def lay_out(
    provinces: list[Province], box: tuple, holes: list[tuple], grid: str, edge_points: int, real_kendari: bool
) -> None:
    """Give every synthetic kecamatan (and Kendari's, unless its real boundaries are used) a square."""
    todo = [kec for p in provinces for kk in p.kabkota if kk.kode != "74.71" for kec in kk.kecamatan]
    cells, d = grid_cells(box, len(todo), holes)
    used = set(cells)
    rng = random.Random(SEED + len(todo))
    for kec, (c, r) in zip(todo, cells):
        x0, y0 = box[0] + c * d, box[1] + r * d
        kec.cell = (x0, y0, d)
        kec.ring = cell_ring(grid, c, r, box[0], box[1], d, edge_points, used)
        _place_points(kec, rng)
    for p in provinces:
        for kk in p.kabkota:
            if kk.kode == "74.71" and not real_kendari:  # 11 squares over Kendari's own extent
                kx0, ky0, kx1 = 122.44, -4.10, 122.66  # up to lat -3.90
                kd = (kx1 - kx0) / 4
                used_k = {(i % 4, i // 4) for i in range(len(kk.kecamatan))}
                for i, kec in enumerate(kk.kecamatan):
                    c, r = i % 4, i // 4
                    kec.cell = (kx0 + c * kd, ky0 + r * kd, kd)
                    kec.ring = cell_ring("kendari", c, r, kx0, ky0, kd, edge_points, used_k)
                    _place_points(kec, rng)
            kk.lat = round(sum(k.lat for k in kk.kecamatan) / len(kk.kecamatan), 6)
            kk.lon = round(sum(k.lon for k in kk.kecamatan) / len(kk.kecamatan), 6)


def _province_centre(p: Province) -> tuple[float, float]:
    kks = p.kabkota
    return round(sum(k.lat for k in kks) / len(kks), 6), round(sum(k.lon for k in kks) / len(kks), 6)


# --------------------------------------------------------------------------------------------------------------
# Writers


def _deg(x: float) -> str:
    """Decimal degrees as an office writes them: 6 decimals, never 1e-06."""
    return f"{x:.6f}"


def _writer(path: Path):
    fh = open(path, "w", newline="", encoding="utf-8")
    return fh, csv.writer(fh, delimiter=";")


def write_wilayah(path: Path, provinces: list[Province]) -> Path:
    fh, w = _writer(path)
    with fh:
        w.writerow(["Kode", "Nama", "Level", "Kode Induk", "Lintang", "Bujur"])
        for p in provinces:
            lat, lon = _province_centre(p)
            w.writerow([p.kode, p.nama, "provinsi", "", _deg(lat), _deg(lon)])
            for kk in p.kabkota:
                w.writerow([kk.kode, kk.nama, kk.level, p.kode, _deg(kk.lat), _deg(kk.lon)])
                for kec in kk.kecamatan:
                    w.writerow([kec.kode, kec.nama, "kecamatan", kk.kode, _deg(kec.lat), _deg(kec.lon)])
                    w.writerows(
                        [kel.kode, kel.nama, kel.level, kec.kode, _deg(kel.lat), _deg(kel.lon)] for kel in kec.kelurahan
                    )
    return path


def _real_features(name: str) -> list[dict]:
    with open(geo_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def write_batas(out: Path, provinces: list[Province], real_kendari: bool) -> list[Path]:
    """Kecamatan polygons of every kab/kota (one GeoJSON), plus Kendari's real kelurahan when present."""
    kec_path = out / "batas_kecamatan.geojson"
    with open(kec_path, "w", encoding="utf-8") as fh:
        fh.write(f'{{"type": "FeatureCollection", "name": "{MARK}", "features": [\n')
        first = True
        for p in provinces:
            for kk in p.kabkota:
                if kk.kode == "74.71" and real_kendari:
                    feats = _real_features("kendari_kecamatan.geojson")
                else:
                    feats = [
                        {
                            "type": "Feature",
                            "properties": {"kode_kemendagri": k.kode, "kecamatan": k.nama},
                            "geometry": {"type": "Polygon", "coordinates": [k.ring]},
                        }
                        for k in kk.kecamatan
                    ]
                for feat in feats:
                    fh.write(("" if first else ",\n") + json.dumps(feat, separators=(",", ":")))
                    first = False
        fh.write("\n]}\n")
    paths = [kec_path]
    if real_kendari:
        paths.append(geo_dir() / "kendari_kelurahan.geojson")
    return paths


def _kelurahan_shapes(real_kendari: bool) -> dict:
    """Kendari's real kelurahan (and kecamatan) polygons by code, for points that must fall inside them."""
    if not real_kendari:
        return {}
    import shapely

    shapes = {}
    for name in ("kendari_kecamatan.geojson", "kendari_kelurahan.geojson"):
        for feat in _real_features(name):
            shapes[feat["properties"]["kode_kemendagri"]] = shapely.from_geojson(json.dumps(feat["geometry"]))
    return shapes


def _children(provinces: list[Province], rng: np.random.Generator) -> list[Kecamatan]:
    """Children 0-17 per kecamatan in the last year (~11,000 on average, lognormal) and a case-rate factor."""
    kecs = [k for p in provinces for kk in p.kabkota for k in kk.kecamatan]
    base = rng.lognormal(math.log(9000), 0.6, len(kecs))
    rate = rng.lognormal(0, 0.5, len(kecs))
    for k, b, r in zip(kecs, base, rate):
        k.children = int(b)
        k.case_rate = float(r)
    return kecs


def write_penduduk(path: Path, kecs: list[Kecamatan], rng: np.random.Generator) -> Path:
    """Wide layout, one row per kecamatan and year: Tahun, codes, names, then L/P per age band (Dukcapil)."""
    fh, w = _writer(path)
    with fh:
        w.writerow([f"JUMLAH ANAK 0-17 TAHUN MENURUT KECAMATAN, KELOMPOK UMUR DAN JENIS KELAMIN ({MARK})"])
        w.writerow(["Tahun", "Kode Kecamatan", "Kecamatan"] + [f"{lo}-{hi} {s}" for lo, hi in BANDS for s in "LP"])
        shares = np.array([(hi - lo + 1) / 18 for lo, hi in BANDS])
        for k in kecs:
            for year in YEARS:
                n = k.children / 1.012 ** (YEARS[-1] - year)
                per_band = n * shares * rng.uniform(0.94, 1.06, len(BANDS))
                boys = np.rint(per_band * rng.uniform(0.505, 0.52, len(BANDS))).astype(int)
                girls = np.rint(per_band).astype(int) - boys
                w.writerow([year, k.kode, k.nama, *[int(v) for pair in zip(boys, girls) for v in pair]])
    return path


def write_kasus(path: Path, kecs: list[Kecamatan], n_rows: int, rng: np.random.Generator) -> Path:
    """The case register with Kemendagri codes and names, built column-wise with numpy, written with csv."""
    from etl import reference

    weights = np.array([k.children * k.case_rate for k in kecs], dtype=float)
    kec_idx = rng.choice(len(kecs), n_rows, p=weights / weights.sum())
    kel_start = np.cumsum([0] + [len(k.kelurahan) for k in kecs])
    kel_count = np.diff(kel_start)
    kel_idx = kel_start[kec_idx] + (rng.random(n_rows) * kel_count[kec_idx]).astype(int)
    kec_code = np.array([k.kode for k in kecs], dtype=object)
    kec_name = np.array([k.nama for k in kecs], dtype=object)
    kels = [kel for k in kecs for kel in k.kelurahan]
    kel_code = np.array([k.kode for k in kels], dtype=object)
    kel_name = np.array([k.nama for k in kels], dtype=object)

    start = dt.date(YEARS[0], 1, 1)
    n_days = (LAST_DAY - start).days + 1
    day_text = np.array([(start + dt.timedelta(days=i)).strftime("%d/%m/%Y") for i in range(n_days)], dtype=object)
    day_year = np.array([(start + dt.timedelta(days=i)).year for i in range(n_days)])
    year_start = {y: (dt.date(y, 1, 1) - start).days for y in YEARS}
    # more reports every year (awareness grows): year weights 1.0 .. 1.6; the last year ends in October
    yw = np.array(
        [
            (1 + 0.067 * i) * (((LAST_DAY - dt.date(y, 1, 1)).days + 1) / 365 if y == YEARS[-1] else 1)
            for i, y in enumerate(YEARS)
        ]
    )
    year_i = rng.choice(len(YEARS), n_rows, p=yw / yw.sum())
    ys = np.array([year_start[y] for y in YEARS])
    ylen = np.array([min(366 if y % 4 == 0 else 365, n_days - year_start[y]) for y in YEARS])
    lapor = ys[year_i] + (rng.random(n_rows) * ylen[year_i]).astype(int)
    kejadian = np.maximum(ys[year_i], lapor - rng.integers(0, 46, n_rows))

    forms = reference.category_values("bentuk_kekerasan")
    fw = np.array([22, 15, 40, 2, 2, 10, 9], dtype=float)[: len(forms)]
    first = rng.choice(len(forms), n_rows, p=fw / fw.sum())
    second = rng.integers(0, len(forms), n_rows)
    two = (rng.random(n_rows) < 0.15) & (second != first)
    combos = np.array(
        [forms[a] if b < 0 else f"{forms[a]}, {forms[b]}" for a in range(len(forms)) for b in range(-1, len(forms))],
        dtype=object,
    )
    bentuk = combos[first * (len(forms) + 1) + np.where(two, second, -1) + 1]
    tempat = np.array(reference.category_values("tempat_kejadian"), dtype=object)
    hubungan = np.array(reference.category_values("hubungan_pelaku"), dtype=object)
    layanan_list = reference.category_values("layanan")
    lrng = random.Random(SEED)
    layanan = np.array(["; ".join(lrng.sample(layanan_list, lrng.randint(1, 3))) for _ in range(40)], dtype=object)
    age = rng.choice(18, n_rows, p=np.r_[np.full(6, 2 / 6), np.full(7, 4 / 7), np.full(5, 5 / 5)] / 11)
    sex = np.where(rng.random(n_rows) < 0.72, "P", "L")
    disab = np.where(rng.random(n_rows) < 0.05, "Ya", "Tidak")
    tmp_i = rng.integers(0, len(tempat), n_rows)
    hub_i = rng.integers(0, len(hubungan), n_rows)
    lay_i = rng.integers(0, len(layanan), n_rows)
    o = np.argsort(lapor, kind="stable")  # a register is kept in reporting order
    register = [f"B/{y}/{i:07d}" for i, y in enumerate(day_year[lapor[o]].tolist(), start=1)]

    fh, w = _writer(path)
    with fh:
        w.writerow([f"REGISTER KASUS KEKERASAN TERHADAP ANAK ({MARK})"])
        w.writerow(
            [
                "No",
                "No. Register",
                "Tanggal Kejadian",
                "Tanggal Pelaporan",
                "Kode Kecamatan",
                "Kecamatan",
                "Kode Kelurahan",
                "Kelurahan",
                "Jenis Kelamin",
                "Usia",
                "Bentuk Kekerasan",
                "Tempat Kejadian",
                "Hubungan Pelaku",
                "Layanan",
                "Disabilitas",
            ]
        )
        w.writerows(
            zip(
                range(1, n_rows + 1),
                register,
                day_text[kejadian[o]].tolist(),
                day_text[lapor[o]].tolist(),
                kec_code[kec_idx[o]].tolist(),
                kec_name[kec_idx[o]].tolist(),
                kel_code[kel_idx[o]].tolist(),
                kel_name[kel_idx[o]].tolist(),
                sex[o].tolist(),
                age[o].tolist(),
                bentuk[o].tolist(),
                tempat[tmp_i[o]].tolist(),
                hubungan[hub_i[o]].tolist(),
                layanan[lay_i[o]].tolist(),
                disab[o].tolist(),
            )
        )
    return path


RBRA_STATUS = (
    ["RBRA"] * 5 + ["RBRA Madya"] * 2 + ["RBRA Utama"] + ["Proses Standardisasi"] * 5 + ["Belum Terstandar"] * 10
)
FACILITIES = (
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
)


def _point_in(kec: Kecamatan, kel_i: int, shapes: dict, rng: random.Random) -> tuple[float, float]:
    """(lat, lon) inside the kelurahan: its sub-square of a synthetic kecamatan, or its real polygon."""
    kel = kec.kelurahan[kel_i]
    if kec.cell is not None:
        x0, y0, d = kec.cell
        m = math.ceil(math.sqrt(len(kec.kelurahan)))
        sub = 0.8 * d / m
        c, r = kel_i % m, kel_i // m
        return (
            round(y0 + 0.1 * d + (r + rng.uniform(0.1, 0.9)) * sub, 6),
            round(x0 + 0.1 * d + (c + rng.uniform(0.1, 0.9)) * sub, 6),
        )
    import shapely

    shape = shapes.get(kel.kode) or shapes.get(kec.kode)
    for _ in range(200):
        lat, lon = kel.lat + rng.uniform(-0.004, 0.004), kel.lon + rng.uniform(-0.004, 0.004)
        if shape is None or shapely.contains_xy(shape, lon, lat):
            return round(lat, 6), round(lon, 6)
    return kel.lat, kel.lon


def write_rbra(path: Path, kecs: list[Kecamatan], n: int, shapes: dict, seed: int) -> Path:
    rng = random.Random(seed)
    weights = [k.children for k in kecs]
    fh, w = _writer(path)
    with fh:
        w.writerow([f"DAFTAR RUANG BERMAIN RAMAH ANAK ({MARK})"])
        w.writerow(
            [
                "No",
                "Nama RBRA",
                "Kode Kecamatan",
                "Kecamatan",
                "Kode Kelurahan",
                "Kelurahan",
                "Latitude",
                "Longitude",
                "Status Standardisasi",
                "Tahun",
                "Luas (m2)",
                "Fasilitas",
                "Pengelola",
            ]
        )
        for i, kec in enumerate(rng.choices(kecs, weights=weights, k=n), start=1):
            kel_i = rng.randrange(len(kec.kelurahan))
            kel = kec.kelurahan[kel_i]
            lat, lon = _point_in(kec, kel_i, shapes, rng)
            kind = rng.choice(("RBRA Taman", "Taman Bermain", "RBRA Kantor Kelurahan", "Taman Anak"))
            w.writerow(
                [
                    i,
                    f"{kind} {i:05d}",
                    kec.kode,
                    kec.nama,
                    kel.kode,
                    kel.nama,
                    _deg(lat),
                    _deg(lon),
                    rng.choice(RBRA_STATUS),
                    rng.randint(2016, 2025),
                    rng.randrange(150, 3000, 10),
                    ", ".join(rng.sample(FACILITIES, 4)),
                    f"Pemerintah {kel.nama}",
                ]
            )
    return path


def write_indikator(path: Path, provinces: list[Province], seed: int) -> Path:
    """24 indicators for every kab/kota and year, with the kab/kota code (scores trend up over the years)."""
    from etl import reference

    catalog = reference.indicator_catalog()
    # no points per indicator are published: synthetic scores spread about evenly (1000 points in all)
    maks = np.full(len(catalog), 1000 / len(catalog))
    total_max = maks.sum()
    rng = np.random.default_rng(seed)
    status = np.array(["Lengkap", "Sebagian", "Belum"], dtype=object)
    fh, w = _writer(path)
    with fh:
        w.writerow([f"EVALUASI MANDIRI KABUPATEN/KOTA LAYAK ANAK ({MARK})"])
        w.writerow(["Kode Kab/Kota", "Tahun", "No", "Indikator", "Nilai", "Target", "OPD Pengampu", "Status Bukti"])
        for p in provinces:
            for kk in p.kabkota:
                start = rng.uniform(380, 720)
                step = rng.uniform(5, 30)
                for i, year in enumerate(YEARS):
                    share = min(0.97, (start + step * i) / total_max)
                    nilai = np.minimum(maks, np.round(maks * share * rng.uniform(0.8, 1.15, len(maks)), 1))
                    target = np.minimum(maks, np.round(nilai + rng.uniform(0, 6, len(maks)), 1))
                    st = status[rng.choice(3, len(maks), p=[0.3 + 0.04 * i, 0.5 - 0.02 * i, 0.2 - 0.02 * i])]
                    w.writerows(
                        [
                            kk.kode,
                            year,
                            r["nomor"],
                            r["nama"],
                            f"{nilai[j]:.1f}",
                            f"{target[j]:.1f}",
                            r["opd_pengampu"],
                            st[j],
                        ]
                        for j, r in enumerate(catalog)
                    )
    return path


def write_kla_kecamatan(path: Path, kecs: list[Kecamatan], seed: int) -> Path:
    rng = random.Random(seed)
    fh, w = _writer(path)
    with fh:
        w.writerow([f"PENILAIAN KECAMATAN LAYAK ANAK ({MARK})"])
        w.writerow(["Tahun", "Kode Kecamatan", "Kecamatan", "Nilai"])
        for k in kecs:
            base = rng.uniform(450, 850)
            for i, year in enumerate(YEARS[-3:]):
                w.writerow([year, k.kode, k.nama, f"{min(1000.0, base + 20 * i):.1f}"])
    return path


# --------------------------------------------------------------------------------------------------------------
# Scales


@dataclass
class Step:
    """One `python -m etl` call: `load [options] DATASET FILES...` (or a bare command such as `sample`)."""

    dataset: str
    files: list[Path] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    command: str = "load"

    def argv(self) -> list[str]:
        if self.command != "load":
            return [self.command, *self.options]
        return ["load", *self.options, self.dataset, *map(str, self.files)]

    def __str__(self) -> str:
        return "python -m etl " + " ".join(self.argv())


@dataclass
class Sizes:
    kecamatan: int
    cases: int
    rbra: int


def sizes(scale: str) -> Sizes:
    f = scale_factor()
    if scale == "province":
        return Sizes(max(15, round(PROVINCE_KECAMATAN * f)), max(400, round(100_000 * f)), max(30, round(1_000 * f)))
    return Sizes(max(40, round(NATIONAL_KECAMATAN * f)), max(1000, round(1_000_000 * f)), max(60, round(20_000 * f)))


def write_city(out: Path) -> list[Step]:
    """The Kendari sample is written by `etl sample` itself (into KLA_DATA_DIR/sample); real boundaries added."""
    out.mkdir(parents=True, exist_ok=True)
    steps = [Step("sample", command="sample")]
    if has_real_geo():
        steps.append(Step("batas", [geo_dir() / "kendari_kecamatan.geojson", geo_dir() / "kendari_kelurahan.geojson"]))
    return steps


def regions_for(scale: str) -> list[Province]:
    """The region tree of a scale with geometry laid out."""
    f = scale_factor()
    size = sizes(scale)
    real = has_real_geo()
    edge_points = int(_env_float("KLA_BENCH_EDGE_POINTS", 12))
    # province 74 is the same at both scales (same factor): national adds the other provinces around it
    sultra = province_tree("74", "Sulawesi Tenggara", 17, 2, sizes("province").kecamatan, f)
    lay_out([sultra], SULTRA_BOX, [KENDARI_BOX], "sultra", edge_points, real)
    if scale == "province":
        return [sultra]
    others = [p for p in PROVINCES if p[0] != "74"]
    if f < 1:
        others = others[:: max(1, round(1 / f))][: max(1, round(len(others) * f))]
    rest_total = max(2 * len(others), size.kecamatan - sum(len(kk.kecamatan) for kk in sultra.kabkota))
    # kecamatan per province in proportion to its kab/kota
    counts = _allocate(rest_total, [len(_kabkota_list(c, n, k, f)) for c, _, n, k in others], 2)
    trees = [province_tree(code, name, n, k, c, f) for (code, name, n, k), c in zip(others, counts)]
    lay_out(trees, INDONESIA, [SULTRA_BOX], "indonesia", edge_points, real)
    return sorted(trees + [sultra], key=lambda p: p.kode)


def write_region_scale(scale: str, out: Path) -> list[Step]:
    """Every input file of the province or national scale; the steps that load them."""
    out.mkdir(parents=True, exist_ok=True)
    size = sizes(scale)
    provinces = regions_for(scale)
    real = has_real_geo()
    rng = np.random.default_rng(SEED + (1 if scale == "province" else 2))
    kecs = _children(provinces, rng)
    wilayah = write_wilayah(out / "wilayah.csv", provinces)
    batas = write_batas(out, provinces, real)
    penduduk = write_penduduk(out / "penduduk_anak.csv", kecs, rng)
    kasus = write_kasus(out / "register_kasus.csv", kecs, size.cases, rng)
    rbra = write_rbra(out / "rbra.csv", kecs, size.rbra, _kelurahan_shapes(real), SEED + 3)
    indikator = write_indikator(out / "nilai_indikator.csv", provinces, SEED + 4)
    kla_kec = write_kla_kecamatan(out / "kla_kecamatan.csv", kecs, SEED + 5)
    return [
        Step("wilayah", [wilayah]),
        Step("batas", batas),
        Step("penduduk", [penduduk]),
        Step("kasus", [kasus]),
        Step("rbra", [rbra]),
        Step("indikator", [indikator]),
        Step("kla_kecamatan", [kla_kec]),
    ]


def write_scale(scale: str, out: Path) -> list[Step]:
    """Write the inputs of a scale into `out`; the `python -m etl` steps that build its warehouse."""
    if scale == "city":
        return write_city(Path(out))
    if scale in ("province", "national"):
        return write_region_scale(scale, Path(out))
    raise ValueError(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")


# --------------------------------------------------------------------------------------------------------------
# Running the ETL


class EtlFailed(RuntimeError):
    pass


RSS_WRAPPER = (
    "import resource, runpy, sys; sys.argv=['etl', *sys.argv[1:]];\n"
    "try:\n    runpy.run_module('etl', run_name='__main__')\n"
    "except SystemExit as e:\n"
    "    sandbox = sys.modules.get('etl.sandbox')   # the files are read in a child process\n"
    "    print('RSS_KB', max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " getattr(sandbox, 'peak_rss_kb', 0)), file=sys.stderr);"
    " sys.exit(e.code)"
)


def run_etl(data_dir: Path, *args: str, env: dict | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `python -m etl` process; EtlFailed with its output when it fails."""
    env = {**os.environ, **(env or {}), "KLA_DATA_DIR": str(data_dir)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *args], cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-25:])
        raise EtlFailed(f"python -m etl {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    rss = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("RSS_KB")]
    return elapsed, (rss[0] / 1024 if rss else float("nan"))


@dataclass
class BuildResult:
    scale: str
    data_dir: Path
    inputs: Path
    generate_s: float
    build_s: float
    steps: list[tuple[Step, float, float]]  # step, seconds, peak RSS MB


def build(scale: str, data_dir: Path, inputs: Path | None = None, log=None) -> BuildResult:
    """Generate a scale's inputs (into data_dir/inputs unless given) and load them through `python -m etl`."""
    data_dir = Path(data_dir)
    inputs = Path(inputs) if inputs else data_dir / "inputs"
    t0 = time.perf_counter()
    steps = write_scale(scale, inputs)
    gen = time.perf_counter() - t0
    done = []
    for step in steps:
        t, rss = run_etl(data_dir, *step.argv())
        done.append((step, t, rss))
        if log:
            log(f"  {step.dataset}: {t:.1f} s, {rss:.0f} MB")
    return BuildResult(scale, data_dir, inputs, gen, sum(t for _, t, _ in done), done)


if __name__ == "__main__":  # python -m bench.generate SCALE DIR: write the inputs, print the steps
    scale, target = sys.argv[1], Path(sys.argv[2])
    t0 = time.perf_counter()
    for s in write_scale(scale, target):
        print(s)
    print(f"# written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
