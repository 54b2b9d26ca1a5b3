"""Kecamatan and kelurahan names to Kemendagri codes.

Names in OPD files vary: case, spacing, hyphens, `Kec.`/`Kel.` prefixes, local spellings
(Anduonohu for Andonohu, Wuawua for Wua-Wua, Pudai for Puday). Matching goes through the
reference regions (data/reference/wilayah.csv) and aliases (data/reference/wilayah_alias.csv);
an unknown name is an error that suggests the closest official name. Join on codes, never on
names: Kel. Poasia lies in Kec. Abeli.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from etl import reference

PREFIX_RE = re.compile(r"^(kecamatan|kec|kelurahan|kel|desa|ds|kota)\s+")


def name_key(value: object) -> str:
    """Normal form used to compare names: lower case, no prefix, no spaces or hyphens."""
    text = reference.norm_text(value)
    while True:
        stripped = PREFIX_RE.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text.replace(" ", "")


@dataclass(frozen=True)
class Region:
    kode: str
    level: str
    nama: str
    kode_induk: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Match:
    kode: str | None
    message: str | None = None  # Indonesian explanation when kode is None


class Regions:
    """Lookup of the reference regions by name."""

    def __init__(self, rows: list[dict[str, str]], aliases: list[dict[str, str]]):
        self.by_code: dict[str, Region] = {}
        for r in rows:
            self.by_code[r["kode"]] = Region(
                kode=r["kode"], level=r["level"], nama=r["nama"], kode_induk=r["kode_induk"],
                lat=float(r["lat"]), lon=float(r["lon"]),
            )
        self._index: dict[str, dict[str, set[str]]] = {"kecamatan": {}, "kelurahan": {}}
        for region in self.by_code.values():
            if region.level in self._index:
                self._index[region.level].setdefault(name_key(region.nama), set()).add(region.kode)
        for a in aliases:
            region = self.by_code.get(a["kode"])
            if region and region.level in self._index:
                self._index[region.level].setdefault(name_key(a["alias"]), set()).add(region.kode)

    def kecamatan_list(self) -> list[Region]:
        return sorted((r for r in self.by_code.values() if r.level == "kecamatan"), key=lambda r: r.kode)

    def kelurahan_of(self, kode_kecamatan: str) -> list[Region]:
        return sorted(
            (r for r in self.by_code.values() if r.level == "kelurahan" and r.kode_induk == kode_kecamatan),
            key=lambda r: r.kode,
        )

    def _suggest(self, level: str, key: str, within: str | None = None) -> str | None:
        candidates = {
            r.nama: name_key(r.nama)
            for r in self.by_code.values()
            if r.level == level and (within is None or r.kode_induk == within)
        }
        if not candidates or not key:
            return None
        best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=60)
        return best[2] if best else None

    def kecamatan(self, value: object) -> Match:
        key = name_key(value)
        if not key:
            return Match(None, "Nama kecamatan kosong; isi dengan salah satu dari 11 kecamatan di Kota Kendari.")
        codes = self._index["kecamatan"].get(key)
        if codes:
            return Match(next(iter(codes)))
        suggestion = self._suggest("kecamatan", key)
        hint = f" Mungkin maksudnya \"{suggestion}\"?" if suggestion else ""
        names = ", ".join(r.nama for r in self.kecamatan_list())
        return Match(None, f"Kecamatan tidak dikenal.{hint} Yang diharapkan salah satu dari: {names}.")

    def kelurahan(self, value: object, kode_kecamatan: str | None = None) -> Match:
        key = name_key(value)
        if not key:
            return Match(None, "Nama kelurahan kosong.")
        codes = self._index["kelurahan"].get(key, set())
        if kode_kecamatan:
            inside = {c for c in codes if self.by_code[c].kode_induk == kode_kecamatan}
            if inside:
                return Match(sorted(inside)[0])
            if codes:
                elsewhere = sorted(codes)[0]
                parent = self.by_code[self.by_code[elsewhere].kode_induk].nama
                here = self.by_code[kode_kecamatan].nama
                return Match(
                    None,
                    f"Kelurahan {self.by_code[elsewhere].nama} berada di Kecamatan {parent}, "
                    f"bukan di Kecamatan {here}. Periksa kolom kecamatan atau kelurahan pada baris ini.",
                )
            suggestion = self._suggest("kelurahan", key, within=kode_kecamatan)
            hint = f" Mungkin maksudnya \"{suggestion}\"?" if suggestion else ""
            names = ", ".join(r.nama for r in self.kelurahan_of(kode_kecamatan))
            return Match(
                None,
                f"Kelurahan tidak dikenal di Kecamatan {self.by_code[kode_kecamatan].nama}.{hint} "
                f"Kelurahan di kecamatan ini: {names}.",
            )
        if len(codes) == 1:
            return Match(next(iter(codes)))
        if len(codes) > 1:
            return Match(None, "Nama kelurahan ini ada di lebih dari satu kecamatan; isi juga kolom kecamatan.")
        suggestion = self._suggest("kelurahan", key)
        hint = f" Mungkin maksudnya \"{suggestion}\"?" if suggestion else ""
        return Match(None, f"Kelurahan tidak dikenal di Kota Kendari.{hint}")

    def name(self, kode: str) -> str:
        region = self.by_code.get(kode)
        return region.nama if region else kode


@lru_cache(maxsize=1)
def regions() -> Regions:
    return Regions(reference.read_csv_rows("wilayah.csv"), reference.read_csv_rows("wilayah_alias.csv"))
