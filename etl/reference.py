"""Reference data: facts kept as editable CSV files in data/reference/, not as code.

Items marked BELUM TERKONFIRMASI (unconfirmed) in those files are assumptions the task force can
correct by editing the CSV; the next load or `python -m etl sample` writes them to the warehouse.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def read_csv_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        # accents go (their combining marks); any other non-ASCII character separates like punctuation does. An
        # en dash copied from a BPS PDF ("0–4") is a separator: dropping it made "04", read as the band 4-4.
        text = "".join("" if unicodedata.combining(ch) else ch if ch.isascii() else " " for ch in text)
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def norm_text(value: object) -> str:
    """Lower case, accents removed, every run of non-alphanumerics as one space (cached: values repeat)."""
    return _norm(value if isinstance(value, str) else str(value))


@dataclass(frozen=True)
class ColumnSpec:
    dataset: str
    name: str
    required: bool
    aliases: tuple[str, ...]
    description: str
    unless: str | None = None  # required unless this other column is present ("kecuali kode_kecamatan")


@cache
def columns(dataset: str) -> tuple[ColumnSpec, ...]:
    """Canonical columns of a dataset with the header spellings OPD files use."""
    specs = []
    for row in read_csv_rows("kolom.csv"):
        if row["dataset"] != dataset:
            continue
        aliases = tuple(dict.fromkeys(norm_text(a) for a in row["alias"].split("|") if a.strip()))
        wajib = row["wajib"].strip().lower()
        specs.append(
            ColumnSpec(
                dataset=dataset,
                name=row["kolom"],
                required=wajib == "ya" or wajib.startswith("kecuali "),
                aliases=aliases,
                description=row["keterangan"],
                unless=wajib.removeprefix("kecuali ").strip() if wajib.startswith("kecuali ") else None,
            )
        )
    return tuple(specs)


@cache
def pii_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Header patterns of personal data that must never be stored (matched on normalised headers)."""
    return tuple((re.compile(row["pola"]), row["jenis"]) for row in read_csv_rows("kolom_pii.csv"))


@cache
def pii_exempt(dataset: str) -> frozenset[str]:
    """Headers (normalised) a dataset uses for the name of a place, an OPD or an indicator: not personal data
    although they say "nama" (kolom_bukan_pii.csv, exact headers only: "Nama RBRA", not "Nama Pengelola")."""
    return frozenset(
        norm_text(row["judul"]) for row in read_csv_rows("kolom_bukan_pii.csv") if row["dataset"] == dataset
    )


def pii_kind(header: str, dataset: str | None = None) -> str | None:
    """The kind of personal data a column header announces (None: not personal). Checked before any alias
    matching, so "Tempat/Tgl Lahir" is never read as tempat kejadian nor "Pelaku (Nama)" as hubungan pelaku."""
    text = norm_text(header)
    if dataset and text in pii_exempt(dataset):
        return None
    for pattern, kind in pii_patterns():
        if pattern.search(text):
            return kind
    return None


@cache
def category_list(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(value, aliases) of a controlled list such as bentuk_kekerasan or status_rbra."""
    out = []
    for row in read_csv_rows("kategori_data.csv"):
        if row["daftar"] == name:
            raw = [row["nilai"], *row["alias"].split("|")]
            aliases = {norm_text(a) or a.strip() for a in raw if a.strip()}
            out.append((row["nilai"], tuple(sorted(aliases))))
    return tuple(out)


def category_values(name: str) -> list[str]:
    return [value for value, _ in category_list(name)]


@cache
def _category_index(name: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, aliases in category_list(name):
        for alias in aliases:
            index.setdefault(alias, value)
    return index


def match_category(name: str, raw: object) -> str | None:
    """The controlled value a raw cell means, or None when it is not on the list."""
    if raw is None:
        return None
    text = norm_text(raw) or str(raw).strip()
    if not text:
        return None
    return _category_index(name).get(text)


@cache
def indicator_catalog() -> tuple[dict, ...]:
    rows = []
    for row in read_csv_rows("indikator.csv"):
        rows.append(
            {
                "nomor": int(row["nomor"]),
                "kelompok": row["kelompok"],
                "kelompok_urut": int(row["kelompok_urut"]),
                "nama": row["nama"],
                "nama_singkat": row["nama_singkat"],
                "opd_pengampu": row["opd_pengampu"],
                # KemenPPPA publishes no points per indicator: a maximum is data the task force adds (empty = unknown)
                "nilai_maks": float(row["nilai_maks"]) if row["nilai_maks"].strip() else None,
                "terkonfirmasi": row["terkonfirmasi"].strip().lower() == "true",
                "sumber": row["sumber"],
                "catatan": row["catatan"],
            }
        )
    return tuple(rows)


@cache
def category_bands() -> tuple[dict, ...]:
    return tuple(
        {
            "kategori": r["kategori"],
            "skor_min": float(r["skor_min"]),
            "skor_max": float(r["skor_max"]),
            "urut": int(r["urut"]),
            "catatan": r["catatan"],
        }
        for r in read_csv_rows("kategori_kla.csv")
    )
