"""Reference data: facts kept as editable CSV files in data/reference/, not as code.

Items marked BELUM TERKONFIRMASI (unconfirmed) in those files are assumptions the task force can
correct by editing the CSV; the next load or `python -m etl sample` writes them to the warehouse.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

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


SUGGEST_MIN_SCORE = 60  # the region hints (names.py) and the word hints: below this, no guess is better than a bad one


def suggest_category(name: str, raw: object, among: tuple[str, ...] | list[str] | None = None) -> str | None:
    """The value of list `name` whose spelling (the value or an alias) is nearest to an unknown cell, for the
    "Mungkin maksudnya ...?" hint of a "tidak dikenal" message; None when nothing is near enough.

    Same measure and threshold as the region hints (rapidfuzz ratio on the normalised text, 60). `among` limits
    the suggestion to the values a dataset accepts (kla_hasil takes only the categories of kategori_kla.csv)."""
    if raw is None:
        return None
    text = norm_text(raw) or str(raw).strip()
    if not text:
        return None
    index = {a: v for a, v in _category_index(name).items() if among is None or v in among}
    if not index:
        return None
    best = process.extractOne(text, list(index), scorer=fuzz.ratio, score_cutoff=SUGGEST_MIN_SCORE)
    return index[best[0]] if best else None


@cache
def month_numbers() -> dict[str, int]:
    """Month names as offices write them (data/reference/bulan.csv: Indonesian and English, full and
    abbreviated; a new spelling is a new alias there) -> month number. Keys are normalised (norm_text)."""
    out: dict[str, int] = {}
    for row in read_csv_rows("bulan.csv"):
        number = int(row["bulan"])
        for word in [row["nama"], *row["alias"].split("|")]:
            if norm_text(word):
                out.setdefault(norm_text(word), number)
    return out


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


@cache
def other_person_words(dataset: str) -> tuple[tuple[str, str], ...]:
    """(word, person) of the header words that name someone other than the victim in a dataset's files
    (kolom_orang_lain.csv: "Usia Pelaku" is the perpetrator's age, "Usia Pelapor" the reporter's), longest first
    so "orang tua" is found before a shorter word."""
    rows = [
        (norm_text(r["kata"]), r["orang"].strip())
        for r in read_csv_rows("kolom_orang_lain.csv")
        if r["dataset"] == dataset and norm_text(r["kata"])
    ]
    return tuple(sorted(rows, key=lambda wp: -len(wp[0])))


def other_person(header: str, dataset: str) -> list[tuple[str, str]]:
    """(word, person) of each word of a column header that names someone other than the victim ("Usia Pelaku"
    -> [("pelaku", "pelaku")]); [] when there is none. Whole words of the normalised header: "Tanggal Pelaporan"
    is not about a pelapor."""
    text = f" {norm_text(header)} "
    return [(word, person) for word, person in other_person_words(dataset) if f" {word} " in text]


@dataclass(frozen=True)
class Unit:
    """A unit word written after a number in a cell ("16 Tahun", "120 jiwa"): satuan_nilai.csv."""

    word: str  # normalised
    kind: str  # "umur" (an age: factor in years) or "jumlah" (a count)
    factor: Fraction  # in years for an age ("bulan" 1/12), 1 for a count
    counts: str  # what a count counts: orang, kasus, barang ("" for an age)


@cache
def value_units() -> dict[str, Unit]:
    """Unit words of numbers written with their unit (data/reference/satuan_nilai.csv), by normalised word."""
    out = {}
    for row in read_csv_rows("satuan_nilai.csv"):
        word = norm_text(row["satuan"])
        if word:
            out[word] = Unit(word, row["jenis"].strip(), Fraction(row["faktor"].strip()), row["menghitung"].strip())
    return out


@cache
def evidence_items() -> tuple[dict, ...]:
    """The evidence (data dukung) checklist template per indicator (data/reference/bukti_item.csv, issue 22),
    ordered by indicator and item. Editable by the task force; rewritten into ref_bukti_item on every publish."""
    rows = [
        {
            "item_id": row["item_id"].strip(),
            "nomor": int(row["nomor"]),
            "urut": int(row["urut"]),
            "item": row["item"].strip(),
            "jenis_dokumen": row["jenis_dokumen"].strip(),
            "opd": row["opd"].strip(),
            "sumber": row["sumber"].strip(),
            "catatan": row["catatan"].strip() or None,
        }
        for row in read_csv_rows("bukti_item.csv")
    ]
    return tuple(sorted(rows, key=lambda r: (r["nomor"], r["urut"])))


@cache
def opd_names() -> dict[str, str]:
    """Spelling (normalised) -> the OPD's one name (data/reference/opd.csv: the name and its aliases)."""
    out: dict[str, str] = {}
    for row in read_csv_rows("opd.csv"):
        for alias in [row["opd"], *row["alias"].split("|")]:
            if norm_text(alias):
                out.setdefault(norm_text(alias), row["opd"])
    return out
