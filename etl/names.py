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
    """Lookup of the reference regions by name, within one kab/kota (`scope`) or nationally (scope None).

    Codes are the national key: every loaded region is in `by_code`. Names are only unique within a
    kab/kota, so a name without a code is looked up in the scope (the kab/kota the load is for).
    """

    def __init__(self, rows: list[dict], aliases: list[dict[str, str]], scope: str | None = None):
        self.by_code: dict[str, Region] = {}
        for r in rows:
            self.by_code[r["kode"]] = Region(
                kode=r["kode"],
                level=r["level"],
                nama=r["nama"],
                kode_induk=r.get("kode_induk") or parent_code(r["kode"]),
                lat=_float(r.get("lat")),
                lon=_float(r.get("lon")),
            )
        self.scope = scope or None
        self._index: dict[str, dict[str, set[str]]] = {"kecamatan": {}, "kelurahan": {}}
        for region in self.by_code.values():
            level = "kelurahan" if region.level == "desa" else region.level
            if level in self._index:
                self._index[level].setdefault(name_key(region.nama), set()).add(region.kode)
        for a in aliases:
            region = self.by_code.get(a["kode"])
            level = "kelurahan" if region and region.level == "desa" else (region.level if region else None)
            if level in self._index:
                self._index[level].setdefault(name_key(a["alias"]), set()).add(region.kode)

    def in_scope(self, kode: str) -> bool:
        return self.scope is None or kode == self.scope or kode.startswith(self.scope + ".")

    @property
    def scope_name(self) -> str:
        if self.scope is None:
            return "Indonesia"
        region = self.by_code.get(self.scope)
        return region.nama if region else self.scope

    def scoped(self, scope: str | None) -> Regions:
        """The same regions with names looked up in another kab/kota (or nationally with None)."""
        other = object.__new__(Regions)
        other.by_code, other._index, other.scope = self.by_code, self._index, scope or None
        return other

    def kecamatan_list(self) -> list[Region]:
        """The kecamatan of the scope."""
        return sorted(
            (r for r in self.by_code.values() if r.level == "kecamatan" and self.in_scope(r.kode)), key=lambda r: r.kode
        )

    def kelurahan_of(self, kode_kecamatan: str) -> list[Region]:
        return sorted(
            (r for r in self.by_code.values() if r.level in KELURAHAN_LEVELS and r.kode_induk == kode_kecamatan),
            key=lambda r: r.kode,
        )

    def _suggest(self, level: str, key: str, within: str | None = None) -> str | None:
        levels = KELURAHAN_LEVELS if level == "kelurahan" else (level,)
        candidates = {
            r.nama: name_key(r.nama)
            for r in self.by_code.values()
            if r.level in levels and (r.kode_induk == within if within else self.in_scope(r.kode))
        }
        if not candidates or not key:
            return None
        best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=reference.SUGGEST_MIN_SCORE)
        return best[2] if best else None

    def kecamatan(self, value: object) -> Match:
        key = name_key(value)
        if not key:
            return Match(
                None,
                f"Nama kecamatan kosong; isi dengan salah satu dari {len(self.kecamatan_list())} "
                f"kecamatan di {self.scope_name}.",
            )
        codes = {c for c in self._index["kecamatan"].get(key, ()) if self.in_scope(c)}
        if len(codes) == 1:
            return Match(next(iter(codes)))
        if codes:
            where = ", ".join(f"{self.name(parent_code(c))} ({c})" for c in sorted(codes))
            return Match(
                None, f"Nama kecamatan ini ada di lebih dari satu kabupaten/kota: {where}. Isi kolom Kode Kecamatan."
            )
        suggestion = self._suggest("kecamatan", key)
        hint = f' Mungkin maksudnya "{suggestion}"?' if suggestion else ""
        names = ", ".join(r.nama for r in self.kecamatan_list())
        return Match(None, f"Kecamatan tidak dikenal.{hint} Yang diharapkan salah satu dari: {names}.")

    def kelurahan(self, value: object, kode_kecamatan: str | None = None) -> Match:
        key = name_key(value)
        if not key:
            return Match(None, "Nama kelurahan kosong.")
        codes = self._index["kelurahan"].get(key, set())
        if not kode_kecamatan:
            codes = {c for c in codes if self.in_scope(c)}
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
            hint = f' Mungkin maksudnya "{suggestion}"?' if suggestion else ""
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
        hint = f' Mungkin maksudnya "{suggestion}"?' if suggestion else ""
        return Match(None, f"Kelurahan tidak dikenal di {self.scope_name}.{hint}")

    def name(self, kode: str) -> str:
        region = self.by_code.get(kode)
        return region.nama if region else kode


@lru_cache(maxsize=1)
def _reference_regions() -> Regions:
    return Regions(reference.read_csv_rows("wilayah.csv"), reference.read_csv_rows("wilayah_alias.csv"))


def regions(scope: str | None = "default") -> Regions:
    """The reference regions (data/reference/wilayah.csv), names looked up in `scope` (default: settings)."""
    return _reference_regions().scoped(default_scope() if scope == "default" else scope)


def with_loaded(rows: list[dict], scope: str | None) -> Regions:
    """Reference regions plus regions loaded into the warehouse (`etl load wilayah`)."""
    if not rows:
        return regions(scope)
    return Regions(
        [*reference.read_csv_rows("wilayah.csv"), *rows], reference.read_csv_rows("wilayah_alias.csv"), scope
    )


CONFIGURED = "default"  # as a region argument: the region this deployment serves (pengaturan.toml [wilayah])


def default_scope() -> str | None:
    """The kab/kota (or province) this deployment serves: KLA_WILAYAH, else pengaturan.toml [wilayah] kode."""
    from etl import settings

    return settings.region() or None


# --- Kemendagri codes ---------------------------------------------------------------------------
KELURAHAN_LEVELS = ("kelurahan", "desa")
KABKOTA_LEVELS = ("kota", "kabupaten")
CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
LEVEL_BY_PARTS = {1: "provinsi", 2: "kabkota", 3: "kecamatan", 4: "kelurahan"}


def normalise_code(value: object) -> str | None:
    """A Kemendagri code in dotted form (74, 74.71, 74.71.01, 74.71.01.1005), from dotted or digit-only text."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if CODE_RE.match(text):
        return text
    if re.fullmatch(r"[\d.\s]+", text):
        digits = re.sub(r"\D", "", text)
        cuts = {2: (2,), 4: (2, 4), 6: (2, 4, 6), 10: (2, 4, 6, 10)}.get(len(digits))
        if cuts:
            parts, start = [], 0
            for end in cuts:
                parts.append(digits[start:end])
                start = end
            return ".".join(parts)
    return None


def parent_code(kode: str) -> str:
    return kode.rsplit(".", 1)[0] if "." in kode else ""


# The one vocabulary of region levels, used by etl and kla alike. A region being viewed is a kab/kota, a province,
# or None (Indonesia); its units are the level below, and a unit's code has a fixed length (SQL groups by it).
UNIT_OF = {None: "provinsi", "provinsi": "kabkota", "kabkota": "kecamatan", "kecamatan": "kelurahan"}
CODE_LEN = {"provinsi": 2, "kabkota": 5, "kecamatan": 8, "kelurahan": 13}
LEVEL_OF_LEN = {n: level for level, n in CODE_LEN.items()}


def region_level(region: str | None) -> str | None:
    """provinsi | kabkota | kecamatan | kelurahan of a code; None for Indonesia (no code)."""
    return code_level(region) if region else None


def unit_level(region: str | None) -> str:
    """The level of a region's units: kecamatan in a kab/kota, kab/kota in a province, provinces in Indonesia."""
    return UNIT_OF[region_level(region)]


def unit_len(region: str | None) -> int:
    """The length of the codes of a region's units (8 for kecamatan in a kab/kota, 5, 2)."""
    return CODE_LEN[unit_level(region)]


def code_level(kode: str) -> str:
    """provinsi | kabkota | kecamatan | kelurahan from the number of parts of a code."""
    return LEVEL_BY_PARTS[kode.count(".") + 1]


def kabkota_of(kode: str) -> str:
    return ".".join(kode.split(".")[:2])


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
