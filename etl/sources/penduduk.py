"""penduduk: children aged 0-17 per kelurahan or kecamatan, per year, by sex and age.

Layouts (issue 20: as BPS "Dalam Angka" and Dukcapil offices send them):
- wide: age bands as columns ("0-4", "0 s/d 4", ages typed as numbers 0, 1 ... 17, band starts 0, 5, 10, 15), usually
  with L/P sub-columns under merged band headers, sometimes with row totals;
- long: one row per area, sex and age band with a Jumlah column;
- age bands as rows with Laki-laki / Perempuan / Jumlah columns (BPS "Kecamatan Dalam Angka").
Headers may be bilingual ("Laki-laki/Male", "Kecamatan\\nDistrict"). The kecamatan comes from its column (also
merged down or written only in the first row of its block), from a group row above its kelurahan ("KECAMATAN
MANDONGA"), or from the title or sheet name. The year comes from a Tahun column, else the sheet name, else the title
rows. Sex words are the jenis_kelamin list of data/reference/kategori_data.csv. report.layout says, per table, what
was understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

import duckdb
import pandas as pd
from babel.numbers import format_decimal

from etl import reference, values
from etl.problems import Report
from etl.progress import progress
from etl.read import TableSpec
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    REGION_KEYS,
    is_blank,
    read_tables,
    registered,
    resolve_region,
    table_kecamatan,
    table_year,
    where,
    why,
)

NAME = "penduduk"
TITLE = "Jumlah anak (0-17 tahun)"
TABLES = ("fact_penduduk",)
LABEL_COLUMNS = ("kecamatan", "kelurahan")
ANCHORS = (*REGION_KEYS, "umur")  # any of these marks the header row (the kecamatan may be in the title only)
NOT_WIDE = {*REGION_KEYS, "tahun", "jenis_kelamin", "umur", "jumlah"}
TOTAL_SEX_WORDS = ("total", "jumlah", "jml", "t", "l p")  # both sexes together ("L+P"): the T column of a band
OPEN_END = 99  # the upper end of an open band ("75+", "15 tahun ke atas")

_AGE = (
    r"(?:(?:kelompok )?(?:umur|usia) )?(\d{1,2})"
    r"(?: (?:s d |sd |sampai dengan |sampai |hingga |to )?(\d{1,2}))?(?: (?:tahun|thn|th))?"
)
OPEN_RE = re.compile(
    r"^(?:(?:kelompok )?(?:umur|usia) )?(\d{1,2})(?: (?:tahun|thn|th))? (?:ke atas|keatas|atau lebih|lebih)$"
)
BAND_LIKE_RE = re.compile(r"^\d{1,2}(?: |$)")  # a header that starts like an age band: read as one, or an error
# the parts of an age band as written (before normalisation drops "-" and "+"): numbers, range words and dashes
# (a dash between letters, as in Laki-laki, is not one), open ends, comparison signs
BAND_TOKEN_RE = re.compile(
    r"(?P<n>\d+)|(?P<r>(?<![^\W\d_])[-\u2010-\u2015\u2212](?![^\W\d_])|\bs\s*[./]?\s*d\b\.?|\bsampai(?:\s+dengan)?\b"
    r"|\bhingga\b|\bto\b)|(?P<o>\+|\bke\s*atas\b|\batau\s+lebih\b|\blebih\b)|(?P<g>\u2265|>=|>)|(?P<l>\u2264|<=|<)",
    re.I,
)


@cache
def _sex_words() -> dict[str, str]:
    """Sex words (normalised) -> L | P | T: the jenis_kelamin list of kategori_data.csv (values L and P with their
    aliases: the task force adds a spelling there) plus the words for both sexes together."""
    words: dict[str, str] = {}
    for value, aliases in reference.category_list("jenis_kelamin"):
        if value in ("L", "P"):
            for alias in aliases:
                words.setdefault(alias, value)
    for word in TOTAL_SEX_WORDS:
        words.setdefault(word, "T")
    return words


@dataclass(frozen=True)
class _Patterns:
    band: re.Pattern
    band_sex: re.Pattern
    sex: re.Pattern
    rowtotal: re.Pattern


def _patterns() -> _Patterns:
    """The header patterns, with the sex words of _sex_words() (longest first, so "laki laki" beats "laki")."""
    return _patterns_for(tuple(sorted(_sex_words(), key=lambda w: (-len(w), w))))


@cache
def _patterns_for(words: tuple[str, ...]) -> _Patterns:
    sex = "(" + "|".join(re.escape(w) for w in words) + ")"
    return _Patterns(
        band=re.compile(rf"^{_AGE}$"),
        band_sex=re.compile(rf"^{_AGE} {sex}$"),
        sex=re.compile(rf"^{sex}$"),
        rowtotal=re.compile(rf"^(?:jumlah|total|jml)(?: {sex})?$"),
    )


def sex_code(value: object) -> str | None:
    """L, P or T for a sex cell or header word ("Laki-laki", "Male", "Pr", "Jumlah"), None when unknown."""
    return _sex_words().get(norm_text(value)) if not is_blank(value) else None


@dataclass(frozen=True)
class WideColumn:
    key: str
    umur_min: int | None  # None for a row-total column (or a sex column of a table with age bands as rows)
    umur_max: int | None
    sex: str  # L | P | T

    @property
    def meaning(self) -> str:
        if self.umur_min is None:
            return f"jk {self.sex}"
        return f"umur {self.umur_min}-{self.umur_max} {self.sex}"


def wide_column(key: str) -> WideColumn | None:
    """What a data column header means: an age band ("0 4"), a band and sex ("0 4 l"), an open band ("75 ke
    atas"), a row total ("jumlah l", "total") or a sex ("perempuan"); None when it is none of these."""
    p = _patterns()
    if m := p.band_sex.match(key):
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        return WideColumn(key, lo, hi, _sex_words()[m.group(3)])
    if m := p.band.match(key):
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        return WideColumn(key, lo, hi, "T")
    if m := OPEN_RE.match(key):
        return WideColumn(key, int(m.group(1)), OPEN_END, "T")
    if m := p.rowtotal.match(key):
        return WideColumn(key, None, None, _sex_words()[m.group(1)] if m.group(1) else "T")
    if m := p.sex.match(key):
        return WideColumn(key, None, None, _sex_words()[m.group(1)])
    return None


def extra_header(key: str) -> str | None:
    """Headers of a wide table (age bands, sexes, both, row totals) as what they mean ("umur 0-4 L", "jk P"), and
    headers that start like an age band but do not read as one ("0-4-9", "5 s/d"): kept, so parse() can refuse
    them naming the cell instead of dropping them."""
    col = wide_column(key)
    if col:
        return col.meaning
    if BAND_LIKE_RE.match(key):
        return f"umur? {key}"
    return None


def spec() -> TableSpec:
    """What the reader looks for: the penduduk columns of kolom.csv, none required by the reader (the kecamatan may
    come from the title, the sheet name or a group row: parse() checks that a table has one), header rows marked
    by a region or age column, label rows carried down (TableSpec.groups)."""
    columns = tuple(
        replace(c, required=False, unless=None) if c.name == "kecamatan" else c for c in reference.columns(NAME)
    )
    return TableSpec(
        dataset=NAME,
        columns=columns,
        extra_header=extra_header,
        label_columns=LABEL_COLUMNS,
        anchors=ANCHORS,
        groups=True,
    )


def _cell_text(value: object) -> str:
    """A cell as text, whole numbers as integers (the age 5 typed as a number: "5", never the band 5-0)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value)


def band_text(text: str) -> tuple[str, str | None]:
    """How an age band is written, from its text before normalisation: ("band", None) for "0-4", "0 s/d 4", "7";
    ("open", None) for "75+", "15 tahun ke atas", "> 17"; ("bad", why) for text that starts like a band but is not
    one ("0-4-9", "5 s/d", "10 -", "< 1"). Each part of a two-row header label ("0-4 / L") is read on its own."""
    kind = "band"
    for part in text.split(" / "):
        tokens = [m.lastgroup for m in BAND_TOKEN_RE.finditer(part)]
        if "n" not in tokens:
            continue
        shape = "".join(tokens)
        if shape in ("n", "nrn"):
            continue
        if shape in ("no", "gn"):
            kind = "open"
            continue
        return "bad", part.strip()
    return kind, None


def parse_band(value: object) -> tuple[int, int]:
    """The age band of a long table's Umur cell; ValueError when it cannot be read."""
    text = _cell_text(value)
    kind, _ = band_text(text)
    if kind == "bad":
        raise ValueError("bukan kelompok umur")
    key = norm_text(text)
    m = _patterns().band.match(key)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        return (lo, OPEN_END) if kind == "open" else (lo, hi)
    m = OPEN_RE.match(key)
    if m:
        return int(m.group(1)), OPEN_END
    raise ValueError("bukan kelompok umur")


def fmt(n: float) -> str:
    return format_decimal(n, locale="id_ID")


BAND_HOW = (
    "Tulis kelompok umur seperti 0-4, 5-9, 10-14, 15-17 (atau 0 s/d 4), atau umur tunggal 0 sampai 17, lalu muat ulang."
)


@dataclass
class _Shape:
    """What parse() understood of one table's columns (also the material of its report.layout sentence)."""

    wide: list[WideColumn]  # band columns and row totals (wide), or sex count columns (bands as rows)
    long_counts: list[tuple[str, str | None]]  # long formats: (count column, sex; None = from Jenis Kelamin)
    starts: list[int]  # band starts read from single ages (0, 5, 10, 15)


def _shape(table, report) -> _Shape | None:
    """The table's data columns checked: every band-like header reads as a band, bands neither overlap nor leave a
    gap in 0-17, band starts become bands; the long formats have their count columns. None after an error."""
    ok = True
    wide = [c for k in table.columns if k not in NOT_WIDE and (c := wide_column(k))]
    for k in table.columns:
        if k not in NOT_WIDE and wide_column(k) is None and BAND_LIKE_RE.match(k):
            report.error(
                f'Judul kolom "{table.labels.get(k, k)}" tampak seperti kelompok umur tetapi tidak dapat dibaca. '
                + BAND_HOW,
                **_header_where(table, k),
            )
            ok = False
    checked = []
    for c in wide:
        if c.umur_min is not None:
            kind, part = band_text(table.labels.get(c.key, c.key))
            if kind == "bad":
                label = table.labels.get(c.key, c.key)
                which = "" if part == label.strip() else f' (bagian "{part}")'
                report.error(
                    f'Judul kolom "{label}" tampak seperti kelompok umur tetapi tidak dapat dibaca{which}. ' + BAND_HOW,
                    **_header_where(table, c.key),
                )
                ok = False
                continue
            if kind == "open":
                c = replace(c, umur_max=OPEN_END)
        checked.append(c)
    wide, starts = _band_starts(table, checked, report)
    if wide is None or not ok or not _check_bands(table, [c for c in wide if c.umur_min is not None], report):
        return None
    if any(c.umur_min is not None for c in wide):
        if "jumlah" in table.columns:
            wide.append(WideColumn("jumlah", None, None, "T"))
        return _Shape(wide, [], starts)
    return _long_shape(table, wide, report)


def _header_where(table, key: str | None) -> dict:
    return {
        "file": table.file,
        "sheet": table.sheet,
        "row": table.header_row,
        "column": table.labels.get(key, key) if key else None,
        "value": None,
    }


def _long_shape(table, wide: list[WideColumn], report) -> _Shape | None:
    """A table without age-band columns: one row per area, sex and band (Umur, Jenis Kelamin, Jumlah), or bands as
    rows with a count column per sex (Kelompok Umur, Laki-laki, Perempuan, Jumlah)."""
    sexes = [(c.key, c.sex) for c in wide if c.umur_min is None]
    if "jumlah" in table.columns:
        sexes.append(("jumlah", "T"))
    if "umur" not in table.columns or not sexes:
        missing = [
            label for col, label in (("umur", "Kelompok Umur"), ("jumlah", "Jumlah")) if col not in table.columns
        ]
        report.error(
            "Tabel tidak dikenali: tidak ada kolom kelompok umur (misalnya 0-4, 5-9, 10-14, 15-17 dengan "
            f"sub-kolom L/P) dan tidak ada kolom {' dan '.join(missing)} untuk format panjang.",
            file=table.file,
            sheet=table.sheet,
            row=table.header_row,
        )
        return None
    if "jenis_kelamin" in table.columns:
        split = [k for k, s in sexes if s != "T"]
        if split or len(sexes) > 1:
            report.error(
                f"Kolom Jenis Kelamin ada bersama kolom jumlah per jenis kelamin ({', '.join(k for k, _ in sexes)}); "
                "pakai salah satu: kolom Jenis Kelamin dengan satu kolom Jumlah, atau kolom Laki-laki dan Perempuan.",
                **_header_where(table, split[0] if split else sexes[1][0]),
            )
            return None
        return _Shape([], [(sexes[0][0], None)], [])
    seen: dict[str, str] = {}
    for key, sex in sexes:
        if sex in seen:
            report.error(
                f'Kolom ganda: "{table.labels.get(seen[sex], seen[sex])}" dan "{table.labels.get(key, key)}" '
                f"sama-sama dibaca sebagai jumlah jenis kelamin {sex}. Hapus atau ganti nama salah satunya.",
                **_header_where(table, key),
            )
            return None
        seen[sex] = key
    return _Shape([], list(sexes), [])


def _band_starts(table, cols: list[WideColumn], report) -> tuple[list[WideColumn] | None, list[int]]:
    """Single ages that are not consecutive and start at 0 (0, 5, 10, 15, 20: typed as numbers, as BPS tables
    head their columns) are band starts: 0-4, 5-9, 10-14, 15-19, 20+. The last start's band has no end: it is
    an adult band from 18 on, else an error (15-17 or 15-19?)."""
    by_sex: dict[str, list[WideColumn]] = {}
    for c in cols:
        if c.umur_min is not None:
            by_sex.setdefault(c.sex, []).append(c)
    new: dict[str, WideColumn] = {}
    starts: list[int] = []
    for group in by_sex.values():
        group = sorted(group, key=lambda c: c.umur_min)
        single = all(c.umur_min == c.umur_max for c in group)
        steps = [b.umur_min - a.umur_min for a, b in zip(group, group[1:])]
        if not (single and steps and group[0].umur_min == 0 and all(s > 1 for s in steps)):
            continue
        for a, b in zip(group, group[1:]):
            new[a.key] = replace(a, umur_max=b.umur_min - 1)
        last = group[-1]
        if last.umur_min <= 17:
            shown = ", ".join(str(c.umur_min) for c in group)
            report.error(
                f'Judul kolom "{table.labels.get(last.key, last.key)}" dibaca sebagai awal kelompok umur (kolom '
                f"{shown}: {group[0].umur_min}-{group[1].umur_min - 1}, ...), tetapi akhir kelompok terakhir tidak "
                f"diketahui. Tulis kelompoknya lengkap di judul kolom, misalnya {last.umur_min}-17 atau "
                f"{last.umur_min}-19.",
                **_header_where(table, last.key),
            )
            return None, []
        new[last.key] = replace(last, umur_max=OPEN_END)
        starts = [c.umur_min for c in group]
    return [new.get(c.key, c) for c in cols], starts


def _band_name(c: WideColumn) -> str:
    if c.umur_max == OPEN_END:
        return f"{c.umur_min}+"
    return str(c.umur_min) if c.umur_min == c.umur_max else f"{c.umur_min}-{c.umur_max}"


def _check_bands(table, bands: list[WideColumn], report) -> bool:
    """Every band within 0-17 (or 15-19, or adult from 18); per sex, no two bands overlap and none is missing
    between the first and the last."""
    ok = True
    for c in bands:
        if band_kind(c.umur_min, c.umur_max) == "bad":
            report.error(
                f'Kelompok umur "{table.labels.get(c.key, c.key)}" ({_band_name(c)}) melewati batas 17 tahun. Dasbor '
                "ini memuat anak 0-17: pisahkan kelompok 15-17 (atau umur tunggal 15, 16, 17) dari kelompok dewasa; "
                "kelompok 15-19 (seperti tabel BPS) diterima dan 15-17 diperkirakan 3/5 darinya.",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
                column=table.labels.get(c.key, c.key),
            )
            ok = False
    by_sex: dict[str, list[WideColumn]] = {}
    for c in bands:
        if band_kind(c.umur_min, c.umur_max) == "child":
            by_sex.setdefault(c.sex, []).append(c)
    for sex, cols in by_sex.items():
        if not any(c.umur_min >= 15 for c in cols):  # a 15-19 band stands for 15-17
            cols = cols + [
                replace(c, umur_max=17)
                for c in bands
                if c.sex == sex and band_kind(c.umur_min, c.umur_max) == "estimate"
            ]
        cols = sorted(cols, key=lambda c: c.umur_min)
        for a, b in zip(cols, cols[1:]):
            if b.umur_min <= a.umur_max:
                report.error(
                    f"Kelompok umur bertumpuk: {a.umur_min}-{a.umur_max} dan {b.umur_min}-{b.umur_max}; "
                    "setiap umur hanya boleh ada di satu kolom.",
                    file=table.file,
                    sheet=table.sheet,
                    row=table.header_row,
                    column=table.labels.get(b.key, b.key),
                )
                ok = False
            elif b.umur_min > a.umur_max + 1:
                gap = WideColumn("", a.umur_max + 1, b.umur_min - 1, sex)
                report.error(
                    f"Kelompok umur {_band_name(gap)} tidak ada: sesudah kolom "
                    f'"{table.labels.get(a.key, a.key)}" langsung kolom "{table.labels.get(b.key, b.key)}". Setiap '
                    "umur 0-17 harus ada di satu kolom: tambahkan kolom yang hilang atau periksa judul kolomnya.",
                    file=table.file,
                    sheet=table.sheet,
                    row=table.header_row,
                    column=table.labels.get(b.key, b.key),
                )
                ok = False
    return ok


GROUP_NUMBER_RE = re.compile(r"^\(?(?:[ivxlc]{1,5}|[a-z]|\d{1,3})[.)]\s+", re.I)  # "I. ", "A) " before a name


class _Kecamatan:
    """Where the rows of one table get their kecamatan when they have no kecamatan name or code of their own: a
    group row above them (each resolved once, an unknown name reported once at its row), else the title or sheet
    name. Records what it used, for the layout sentence."""

    def __init__(self, table, ctx: LoadContext, report: Report):
        self.table, self.ctx, self.report = table, ctx, report
        self.own = any(k in table.columns for k in ("kecamatan", "kode_kecamatan", "kode_kelurahan"))
        self.named = table_kecamatan(table, ctx.regions) if not self.own else None
        self.groups: dict[int, str | None] = {}
        self.used: set[str] = set()

    def problem(self) -> bool:
        """A table whose rows cannot have a kecamatan at all: one error at its header row. True after reporting."""
        t = self.table
        if self.named is not None and self.named.problem:
            self.report.error(
                self.named.problem + " Tulis satu kecamatan saja, atau tambahkan kolom Kecamatan.",
                **_header_where(t, None),
            )
            return True
        if self.own or (self.named and self.named.kode) or any("_group" in r for r in t.records):
            return False
        self.report.error(
            "Kecamatan tabel ini tidak diketahui: tidak ada kolom Kecamatan (atau Kode Kecamatan / Kode Kelurahan), "
            "judul tabel dan nama sheet tidak menyebut kecamatan, dan tidak ada baris nama kecamatan di atas "
            'kelurahannya. Tulis kecamatannya di judul tabel (misalnya "Jumlah Anak Menurut Kelompok Umur di '
            'Kecamatan Mandonga, 2023") atau di nama sheet, atau tambahkan kolom Kecamatan.',
            **_header_where(t, None),
        )
        return True

    def of(self, rec: dict) -> str | None | bool:
        """The kecamatan code a row takes from outside its cells; None: none (its own cells decide); False: its
        group row is not a kecamatan (reported once there)."""
        if "_group" in rec and is_blank(rec.get("kecamatan")) and not self._codes(rec):
            row = rec["_group_row"]
            if row not in self.groups:
                self.groups[row] = self._group(rec["_group"], row)
            if self.groups[row] is None:
                return False
            self.used.add("group")
            return self.groups[row]
        if self.named is not None and self.named.kode and not self._codes(rec):
            self.used.add("named")
            return self.named.kode
        if rec.get("_filled"):
            self.used.add("filled")
        return None

    @staticmethod
    def _codes(rec: dict) -> bool:
        return not (is_blank(rec.get("kode_kecamatan")) and is_blank(rec.get("kode_kelurahan")))

    def _group(self, text: str, row: int) -> str | None:
        match = self.ctx.regions.kecamatan(GROUP_NUMBER_RE.sub("", text))
        if match.kode:
            return match.kode
        t = self.table
        self.report.error(
            f'Baris ini hanya berisi "{text}" tanpa angka, jadi dibaca sebagai nama kecamatan untuk baris kelurahan '
            f"di bawahnya, tetapi bukan kecamatan yang dikenal: {match.message} Bila ini baris kelurahan, isi "
            "angkanya (0 bila tidak ada anak).",
            file=t.file,
            sheet=t.sheet,
            row=row,
            value=text,
        )
        return None


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, spec=spec())
    rows: list[dict] = []
    for table in tables:
        shape = _shape(table, report)
        if shape is None:
            continue
        kecamatan = _Kecamatan(table, ctx, report)
        if kecamatan.problem():
            continue
        sheet_year = table_year(table)
        table_rows: list[dict] = []
        for rec in progress(table.records, f"{table.file}"):
            tahun = _year(table, rec, sheet_year, report)
            outside = kecamatan.of(rec)
            if outside is False:
                report.rows_rejected += 1
                continue
            if outside is None and "_group" not in rec and not kecamatan.own and not kecamatan.named.kode:
                report.error(
                    "Kecamatan baris ini tidak diketahui: tabel ini tidak punya kolom Kecamatan dan baris ini tidak "
                    "berada di bawah baris nama kecamatan. Tulis nama kecamatan di baris tersendiri di atas "
                    "kelurahannya, atau tambahkan kolom Kecamatan.",
                    **where(table, rec, None),
                )
                report.rows_rejected += 1
                continue
            region = resolve_region(table, rec, ctx, report, kelurahan_required=False, kecamatan=outside)
            if tahun is None or region is None:
                report.rows_rejected += 1
                continue
            base = {
                "tahun": tahun,
                "kode_kecamatan": region.kecamatan,
                "kode_wilayah": region.kelurahan or region.kecamatan,
                "level": "kelurahan" if region.kelurahan else "kecamatan",
                "_where": where(table, rec, None),
            }
            if shape.long_counts:
                got = _long_rows(table, rec, base, shape.long_counts, report)
            else:
                got = _wide_rows(table, rec, base, shape.wide, report)
            if got is None:
                report.rows_rejected += 1
            else:
                table_rows.extend(got)
        rows.extend(table_rows)
        report.layout.append(_layout(table, shape, kecamatan, sheet_year, table_rows))
    if not tables:
        return {}
    rows = _resolve_totals(rows, report)
    if rows is None:
        return {}
    _check_unique(rows, report)
    estimated = sorted({r["tahun"] for r in rows if r.get("estimasi")})
    if estimated:
        report.warning(
            f"Kelompok umur 15-19 tahun ({', '.join(map(str, estimated))}): anak 15-17 tahun diperkirakan "
            "3/5 dari kelompok itu dan ditandai sebagai perkiraan di dasbor. Kelompok 20 tahun ke atas "
            "tidak dimuat.",
            file=tables[0].file,
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "tahun",
            "kode_wilayah",
            "level",
            "kode_kecamatan",
            "jenis_kelamin",
            "umur_min",
            "umur_max",
            "jumlah_anak",
            "estimasi",
        ],
    )
    frame["estimasi"] = frame["estimasi"].fillna(False).astype(bool)
    return {"fact_penduduk": frame}


def _layout(table, shape: _Shape, kecamatan: _Kecamatan, sheet_year: int | None, rows: list[dict]) -> str:
    """One sentence of what was read from a table: its layout, age bands, sexes, where year and kecamatan came
    from, how many areas and JUMLAH rows (report.layout, shown before loading)."""

    def label(key: str, default: str) -> str:
        return " / ".join(table.labels.get(key, default).split())

    by_sex_cell = bool(shape.long_counts) and shape.long_counts[0][1] is None
    if by_sex_cell:
        parts = ["tabel panjang (satu baris per wilayah, jenis kelamin dan kelompok umur)"]
    else:
        parts = ["tabel kelompok umur per baris" if shape.long_counts else "tabel lebar"]
    parts += _layout_ages(shape, rows)
    if by_sex_cell:
        parts.append(f"jenis kelamin dari kolom {label('jenis_kelamin', 'Jenis Kelamin')}")
    else:
        parts.append(_layout_sexes(shape))
    if "tahun" in table.columns:
        parts.append(f"tahun dari kolom {label('tahun', 'Tahun')}")
    elif sheet_year is not None:
        parts.append(f"tahun {sheet_year} dari {'nama sheet' if str(sheet_year) in (table.sheet or '') else 'judul'}")
    if "group" in kecamatan.used:
        parts.append(f"kecamatan dari baris kelompok ({len(kecamatan.groups)} baris)")
    if "named" in kecamatan.used:
        parts.append(f"kecamatan {kecamatan.ctx.regions.name(kecamatan.named.kode)} dari {kecamatan.named.source}")
    if "kecamatan" in table.columns:
        filled = " (sel gabungan atau hanya di baris pertama diisi ke bawah)" if "filled" in kecamatan.used else ""
        parts.append(f"kecamatan dari kolom {label('kecamatan', 'Kecamatan')}{filled}")
    for level in ("kelurahan", "kecamatan"):
        if n := len({r["kode_wilayah"] for r in rows if r["level"] == level}):
            parts.append(f"{n} {level}")
    if table.totals:
        parts.append(f"{len(table.totals)} baris JUMLAH diperiksa")
    where_ = table.file + (f" / sheet {table.sheet}" if table.sheet else "")
    return f"{where_}: {', '.join(parts)}"


def _layout_ages(shape: _Shape, rows: list[dict]) -> list[str]:
    """The age bands loaded, as the layout sentence names them ("kelompok umur 5 tahunan (0-4, ...)")."""
    bands = sorted({(r["umur_min"], r["umur_max"], bool(r["estimasi"])) for r in rows})
    parts = []
    if bands:
        names = ", ".join(
            str(lo) if lo == hi else f"{lo}-{hi}" + (" (perkiraan dari 15-19)" if est else "") for lo, hi, est in bands
        )
        widths = {hi - lo + 1 for lo, hi, est in bands if not est and hi < 15}
        if all(lo == hi for lo, hi, _ in bands):
            parts.append(f"umur tunggal ({names})")
        elif widths == {5}:
            parts.append(f"kelompok umur 5 tahunan ({names})")
        else:
            parts.append(f"kelompok umur ({names})")
    if shape.starts:
        parts.append(f"awal kelompok dari judul kolom angka ({', '.join(map(str, shape.starts))})")
    adult = sorted({_band_name(c) for c in shape.wide if c.umur_min is not None and c.umur_min >= 18})
    if adult:
        parts.append(f"kolom dewasa tidak dimuat ({', '.join(adult)})")
    return parts


def _layout_sexes(shape: _Shape) -> str:
    """The sex columns read: "2 kolom jenis kelamin (L, P)", or none."""
    sexes = {c.sex for c in shape.wide if c.umur_min is not None} or {s for _, s in shape.long_counts}
    split = [s for s in ("L", "P") if s in sexes]
    return f"{len(split)} kolom jenis kelamin ({', '.join(split)})" if split else "tanpa pemisahan jenis kelamin"


def _long_rows(table, rec, base, counts: list[tuple[str, str | None]], report) -> list[dict] | None:
    """The rows of one record of a long table: one per count column (a single Jumlah with the sex from Jenis
    Kelamin, or a column per sex); [] for an adult band; None after an error."""
    ok, kind = True, "child"
    lo = hi = None
    try:
        lo, hi = parse_band(rec.get("umur"))
        kind = band_kind(lo, hi)
        if kind == "adult":
            return []
        if kind == "bad":
            shown = f"{lo}+" if hi == OPEN_END else f"{lo}-{hi}"
            report.error(
                f"Kelompok umur {shown} melewati batas 17 tahun; yang diharapkan kelompok di dalam "
                "0-17 (atau 15-19 seperti tabel BPS).",
                **where(table, rec, "umur"),
            )
            ok = False
    except ValueError:
        report.error(
            "Umur tidak dapat dibaca; yang diharapkan umur tunggal (misalnya 7) atau kelompok "
            "(0-4, 5-9, 10-14, 15-17).",
            **where(table, rec, "umur"),
        )
        ok = False
    out = []
    for key, sex in counts:
        if sex is None:
            sex = "T"
            if "jenis_kelamin" in table.columns and not is_blank(rec.get("jenis_kelamin")):
                sex = sex_code(rec.get("jenis_kelamin"))
                if sex is None:
                    report.error(
                        "Jenis kelamin tidak dikenal; yang diharapkan L, P, atau Total.",
                        **where(table, rec, "jenis_kelamin"),
                    )
                    ok = False
        n = _count(table, rec, key, report)
        if n is None:
            report.error("Jumlah kosong.", **where(table, rec, key, value=None))
            ok = False
        if n is None or n is False:
            ok = False
            continue
        if ok:
            estimate = kind == "estimate"
            out.append(
                {
                    **base,
                    "jenis_kelamin": sex,
                    "umur_min": 15 if estimate else lo,
                    "umur_max": 17 if estimate else hi,
                    "jumlah_anak": estimate_15_17(n) if estimate else n,
                    "estimasi": estimate,
                    "_where": where(table, rec, key),
                }
            )
    return out if ok else None


def _year(table, rec, sheet_year, report) -> int | None:
    if "tahun" in table.columns and not is_blank(rec.get("tahun")):
        try:
            tahun = values.parse_int(rec.get("tahun"), table.decimal, None)
        except ValueError as exc:
            report.error(f"Tahun bukan angka{why(exc)}.", **where(table, rec, "tahun"))
            return None
    else:
        tahun = sheet_year
    if tahun is None:
        report.error(
            "Tahun data tidak diketahui: isi kolom Tahun, atau tulis tahunnya di nama sheet atau judul "
            'tabel (misalnya "KOTA KENDARI TAHUN 2024").',
            **where(table, rec, None),
        )
        return None
    if not 2000 <= tahun <= 2100:
        report.error("Tahun di luar rentang 2000-2100.", **where(table, rec, "tahun"))
        return None
    return tahun


ESTIMATE_SHARE = 3 / 5  # 15-17 out of a 15-19 band (three of its five single years)


def band_kind(lo: int, hi: int) -> str:
    """child (within 0-17), estimate (the 15-19 band of BPS tables), adult (from 18 up: not loaded) or bad."""
    if lo > hi:
        return "bad"
    if hi <= 17:
        return "child"
    if (lo, hi) == (15, 19):
        return "estimate"
    if lo >= 18:
        return "adult"
    return "bad"


def estimate_15_17(n: int) -> int:
    return int(n * ESTIMATE_SHARE + 0.5)


def _count(table, rec, key, report) -> int | None | bool:
    """A child count: int, None for an empty cell, False after reporting an error."""
    raw = rec.get(key)
    try:  # "120 jiwa" / "120 orang": a count with its unit (data/reference/satuan_nilai.csv)
        n = values.parse_count(raw, table.decimal, table.thousands, counts="orang")
    except ValueError as exc:
        report.error(
            f"Jumlah anak bukan angka{why(exc)}; yang diharapkan bilangan bulat 0 atau lebih.", **where(table, rec, key)
        )
        return False
    if n is None:
        return None
    if n < 0 or not float(n).is_integer():
        report.error("Jumlah anak harus bilangan bulat 0 atau lebih.", **where(table, rec, key))
        return False
    return int(n)


def _wide_rows(table, rec, base, wide: list[WideColumn], report) -> list[dict] | None:
    out, totals, ok = [], {}, True
    for c in wide:
        n = _count(table, rec, c.key, report)
        if n is False:
            ok = False
            continue
        if n is None and c.umur_min is not None and rec.get(c.key) is None:
            # an empty count cell is not a 0 the file holds ("-" is: BPS writes it for none)
            report.error(
                'Sel jumlah kosong; tulis 0 atau "-" bila memang tidak ada anak, atau isi angkanya.',
                **where(table, rec, c.key, value=None),
            )
            ok = False
            continue
        n = n or 0
        if c.umur_min is None:
            totals[c.sex] = (n, c.key)
        else:
            out.append(
                {
                    **base,
                    "jenis_kelamin": c.sex,
                    "umur_min": c.umur_min,
                    "umur_max": c.umur_max,
                    "jumlah_anak": n,
                    "estimasi": False,
                    "_where": where(table, rec, c.key),
                }
            )
    if not ok:
        return None
    for sex, (written, key) in totals.items():
        split = any(r["jenis_kelamin"] != "T" for r in out)
        if sex == "T":  # a grand row total: the L and P cells when the row is split by sex, else the T cells
            parts = [r["jumlah_anak"] for r in out if (r["jenis_kelamin"] != "T") == split]
        else:
            parts = [r["jumlah_anak"] for r in out if r["jenis_kelamin"] == sex]
        if parts and sum(parts) != written:
            report.warning(
                f"Kolom jumlah baris ini ({fmt(written)}) tidak sama dengan penjumlahan kelompok umurnya "
                f"({fmt(sum(parts))}); yang dimuat adalah angka per kelompok umur.",
                kind="Kolom jumlah baris ini tidak sama dengan penjumlahan kelompok umurnya; yang dimuat adalah "
                "angka per kelompok umur.",
                **where(table, rec, key),
            )
    kept = []
    for r in out:
        kind = band_kind(r["umur_min"], r["umur_max"])
        if kind == "child":
            kept.append(r)
        elif kind == "estimate":
            single = any(
                k["umur_min"] >= 15
                and k["jenis_kelamin"] == r["jenis_kelamin"]
                and band_kind(k["umur_min"], k["umur_max"]) == "child"
                for k in out
            )
            if not single:  # single-year or 15-17 columns win over the estimate
                kept.append(
                    {
                        **r,
                        "umur_min": 15,
                        "umur_max": 17,
                        "jumlah_anak": estimate_15_17(r["jumlah_anak"]),
                        "estimasi": True,
                    }
                )
    return kept


def _resolve_totals(rows: list[dict], report) -> list[dict] | None:
    """Where a band has L, P and T, check L+P=T and keep L and P (T alone is kept as not split by sex)."""
    groups: dict[tuple, dict[str, dict]] = {}
    for r in rows:
        key = (r["tahun"], r["kode_wilayah"], r["umur_min"], r["umur_max"])
        groups.setdefault(key, {})
        if r["jenis_kelamin"] in groups[key]:
            first = groups[key][r["jenis_kelamin"]]["_where"]
            report.error(
                f"Data ganda: tahun {r['tahun']}, wilayah ini, umur {r['umur_min']}-{r['umur_max']}, "
                f"jenis kelamin {r['jenis_kelamin']} sudah ada di {first['file']} baris {first['row']}.",
                **r["_where"],
            )
            continue
        groups[key][r["jenis_kelamin"]] = r
    out = []
    for sexes in groups.values():
        if "T" in sexes and "L" in sexes and "P" in sexes:
            lp = sexes["L"]["jumlah_anak"] + sexes["P"]["jumlah_anak"]
            if lp != sexes["T"]["jumlah_anak"]:
                report.warning(
                    f"L + P ({fmt(lp)}) tidak sama dengan Total ({fmt(sexes['T']['jumlah_anak'])}); yang dimuat "
                    "adalah angka L dan P.",
                    kind="L + P tidak sama dengan Total; yang dimuat adalah angka L dan P.",
                    **sexes["T"]["_where"],
                )
            del sexes["T"]
        elif "T" in sexes and ("L" in sexes or "P" in sexes):
            report.error("Hanya salah satu dari L/P yang ada bersama Total; isi keduanya.", **sexes["T"]["_where"])
            return None
        out.extend(sexes.values())
    return out


def _check_unique(rows: list[dict], report) -> None:
    """One level per (year, kecamatan): kelurahan rows and a kecamatan row together would double count."""
    levels: dict[tuple, dict] = {}
    for r in rows:
        key = (r["tahun"], r["kode_kecamatan"])
        seen = levels.setdefault(key, r)
        if seen["level"] != r["level"]:
            report.error(
                f"Tahun {r['tahun']}: kecamatan ini berisi baris per kelurahan dan juga baris kecamatan; "
                "pakai salah satu saja agar tidak terhitung dua kali.",
                **r["_where"],
            )
            levels[key] = r


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace each (year, kecamatan) the file covers, so kelurahan and kecamatan rows never mix."""
    new = frames["fact_penduduk"].assign(load_id=load_id)
    with registered(con, _new_pend=new):
        con.execute(
            "DELETE FROM fact_penduduk f USING (SELECT DISTINCT tahun, kode_kecamatan FROM _new_pend) n "
            "WHERE f.tahun = n.tahun AND f.kode_kecamatan = n.kode_kecamatan"
        )
        con.execute(
            "INSERT INTO fact_penduduk (tahun, kode_wilayah, level, kode_kecamatan, jenis_kelamin, umur_min, umur_max, "
            "jumlah_anak, load_id, estimasi) SELECT CAST(tahun AS INTEGER), kode_wilayah, level, kode_kecamatan, "
            "jenis_kelamin, CAST(umur_min AS INTEGER), CAST(umur_max AS INTEGER), CAST(jumlah_anak AS BIGINT), "
            "load_id, CAST(estimasi AS BOOLEAN) FROM _new_pend"
        )
    return len(new)
