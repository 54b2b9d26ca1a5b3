"""kasus: violence-against-children case register (SIMFONI-PPA style, one row per case).

Privacy: columns with names, NIK, addresses, phone numbers are dropped at read (etl/read); a NIK, phone
number or e-mail address in a kept cell rejects the file (common.guard_personal; DuckDB pre-filters the cells
of a columnar table); an unknown Disabilitas value is an error, never "Ya"; the register number is stored
only as a salted SHA-256; dates only as the month.

Two paths, one set of rules: the cell rules (date_rule, age_rule, sex_rule, forms_rule, _category_value and
common.resolve_region) are the only place a cell is judged. A CSV file is read by DuckDB (read.read_sheets with a
connection) and checked column by column: every distinct value (date, category, area, age) goes through the same
rule function once, the results are joined back in SQL, the salted SHA-256 runs in DuckDB. Only the rows with a
problem then go through _check_row, the row-by-row rules that every Excel sheet (and any CSV DuckDB cannot
read exactly) goes through, so every message, row number and order of messages is the row-by-row one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re

import duckdb
import pandas as pd

from etl import pii, reference, values
from etl.problems import InputError, Report
from etl.progress import progress
from etl.read import Table, TableSpec, find_tables, read_sheets, release
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    REGION_KEYS,
    RegionCodes,
    allowed,
    date_orders,
    guard_personal,
    hint,
    is_blank,
    registered,
    resolve_region,
    text,
    where,
)

NAME = "kasus"
TITLE = "Register kasus kekerasan terhadap anak"
TABLES = ("fact_kasus", "fact_kasus_bentuk")
LABEL_COLUMNS = ("no_register", "kecamatan")
CASE_COLUMNS = [
    "kasus_id",
    "bulan_kejadian",
    "bulan_pelaporan",
    "kode_kecamatan",
    "kode_kelurahan",
    "jenis_kelamin",
    "usia",
    "kelompok_umur",
    "tempat_kejadian",
    "hubungan_pelaku",
    "layanan",
    "disabilitas",
]
FORM_COLUMNS = ["kasus_id", "bentuk"]
# optional descriptive columns: (column, controlled list, several values in one cell, value for an unknown one);
# None: an unknown value is an error (a yes/no column: free text in Disabilitas is never stored as "Ya")
OPTIONAL = (
    ("tempat_kejadian", "tempat_kejadian", False, "Lainnya"),
    ("hubungan_pelaku", "hubungan_pelaku", False, "Lainnya"),
    ("layanan", "layanan", True, "Lainnya"),
    ("disabilitas", "disabilitas", False, None),
)

AGE_BINS = ((0, 5, "0-5"), (6, 12, "6-12"), (13, 17, "13-17"))
DATES = (("tanggal_kejadian", "kejadian"), ("tanggal_pelaporan", "pelaporan"))


def age_group(age: int) -> str:
    for lo, hi, label in AGE_BINS:
        if lo <= age <= hi:
            return label
    raise ValueError(age)


def case_id(register: str, salt: bytes) -> str:
    key = " ".join(register.upper().split())
    return hashlib.sha256(salt + b"|" + key.encode("utf-8")).hexdigest()[:32]


def _category_value(raw, list_name, *, multi=False, unknown="Lainnya") -> tuple[str | None, list[str]]:
    """(stored value, the parts that are not on the list) of an optional descriptive cell."""
    if is_blank(raw):
        return None, []
    parts = values.split_multi(raw) if multi else [text(raw)]
    out, unknown_parts = [], []
    for part in parts:
        value = reference.match_category(list_name, part)
        if value is None:
            unknown_parts.append(part)
            value = unknown
        if value is not None and value not in out:
            out.append(value)
    return "; ".join(out), unknown_parts


def _category(table, rec, col, list_name, report, *, multi=False, unknown="Lainnya") -> tuple[str | None, bool]:
    """(stored value, ok) of an optional descriptive column: an unknown value is kept as `unknown` with a
    warning, or is an error when `unknown` is None (a yes/no column)."""
    value, unknown_parts = _category_value(rec.get(col), list_name, multi=multi, unknown=unknown)
    if unknown is None and unknown_parts:
        report.error(
            f'Nilai kolom {table.labels.get(col, col)} tidak dikenal dan tidak dicatat sebagai "Ya".'
            f"{hint(list_name, unknown_parts[0])} "
            f"Yang diharapkan salah satu dari: {allowed(list_name)}; kosongkan bila tidak diketahui.",
            **where(table, rec, col),
        )
        return None, False
    for part in unknown_parts:
        report.warning(
            f'Nilai "{part}" tidak ada dalam daftar dan dicatat sebagai "{unknown}".{hint(list_name, part)} '
            f"Yang diharapkan: {allowed(list_name)}.",
            kind=f'Nilai tidak ada dalam daftar dan dicatat sebagai "{unknown}". Yang diharapkan: '
            f"{allowed(list_name)}.",
            **where(table, rec, col),
        )
    return value, True


# ---------------------------------------------------------------------------------------------
# the cell rules: one function per column, (value, problems) of one cell. _check_row reports the problems of a
# row's cells; the columnar path runs the same function once per distinct cell and sends every row whose cell has
# a problem through _check_row. So both paths apply one set of rules.


def date_rule(raw, ctx: LoadContext, order: str, label: str) -> tuple[dt.date | None, list[str]]:
    """A date cell (tanggal kejadian / pelaporan) read in its column's day/month order."""
    try:
        d = values.parse_date(raw, order)
    except ValueError as exc:
        return None, [
            f"Tanggal {label} tidak dapat dibaca: {exc}. Yang diharapkan tanggal seperti 05/03/2024 atau 5 Maret 2024."
        ]
    if d is None:
        return None, [f"Tanggal {label} kosong."]
    if d > ctx.today:
        return None, [f"Tanggal {label} ada di masa depan (hari ini {ctx.today:%d-%m-%Y})."]
    if d.year < 2000:
        return None, [f"Tanggal {label} sebelum tahun 2000; periksa penulisan tahun."]
    return d, []


def age_rule(raw) -> tuple[int | None, list[str]]:
    """The victim's age in whole years ("16 Tahun", "9 bulan" is 0: satuan_nilai.csv), 0-17."""
    try:
        age = values.parse_age_years(raw)
    except ValueError as exc:
        reason = str(exc)
        if reason in ("harus bilangan bulat", "bukan angka"):
            what = "bukan bilangan bulat" if "bulat" in reason else "bukan angka"
            return None, [f"Usia {what}; yang diharapkan usia dalam tahun penuh, misalnya 12."]
        # a unit that is not one of age, months after years of 12 or more
        return None, [
            f"Usia tidak dapat dibaca: {reason}. Yang diharapkan usia dalam tahun penuh, misalnya 12 atau "
            "12 tahun (di bawah satu tahun: 9 bulan)."
        ]
    if age is None:
        return None, ["Usia korban kosong; yang diharapkan usia dalam tahun (0-17)."]
    if not 0 <= age <= 17:
        return None, [
            "Usia di luar 0-17 tahun: dasbor ini hanya memuat korban anak. Pisahkan kasus dewasa dari berkas ini."
        ]
    return age, []


def sex_rule(raw) -> tuple[str | None, list[str]]:
    sex = reference.match_category("jenis_kelamin", raw)
    if sex is None:
        return None, [
            f"Jenis kelamin tidak dikenal.{hint('jenis_kelamin', raw)} "
            "Yang diharapkan L (laki-laki) atau P (perempuan)."
        ]
    return sex, []


def forms_rule(raw) -> tuple[list[str] | None, list[str]]:
    """The forms of violence of a cell (one or more, "Fisik; Psikis"), each on the list."""
    if is_blank(raw):
        return None, [f"Bentuk kekerasan kosong; isi satu atau lebih dari: {allowed('bentuk_kekerasan')}."]
    out, problems = [], []
    for part in values.split_multi(raw):
        value = reference.match_category("bentuk_kekerasan", part)
        if value is None:
            problems.append(
                f'Bentuk kekerasan "{part}" tidak dikenal.{hint("bentuk_kekerasan", part)} Yang diharapkan '
                f"satu atau lebih dari: {allowed('bentuk_kekerasan')}."
            )
        elif value not in out:
            out.append(value)
    return (None if problems else out), problems


def _cell(table: Table, rec: dict, col: str) -> dict:
    """Where a problem of a cell is: an empty cell is named without a value."""
    return where(table, rec, col, value=None) if is_blank(rec.get(col)) else where(table, rec, col)


def _check_row(table: Table, rec: dict, ctx: LoadContext, report: Report, region_of, first_seen, orders):
    """The row-by-row rules: (case, forms) of a valid row, None after reporting every problem of the row.

    region_of(rec) gives the row's RegionCodes (None after reporting); first_seen(kid, rec) gives where the
    case id was first used in this load, or None when this row is its first use; orders gives the day/month
    order of each date column (common.date_orders, decided from the whole column; None: the column's cells
    conflict, already reported once for the column)."""
    ok = True
    register = text(rec.get("no_register"))
    if register is None:
        report.error(
            "Nomor register kosong; setiap kasus perlu nomor register yang unik.",
            **where(table, rec, "no_register", value=None),
        )
        ok = False
    dates = {}
    for col, label in DATES:
        if orders[col] is None:
            ok = False
            continue
        d, problems = date_rule(rec.get(col), ctx, orders[col], label)
        for message in problems:
            report.error(message, **_cell(table, rec, col))
        ok = ok and not problems
        if d is not None:
            dates[col] = d
    if len(dates) == 2 and dates["tanggal_kejadian"] > dates["tanggal_pelaporan"]:
        report.error(
            f"Tanggal kejadian ({dates['tanggal_kejadian']:%d-%m-%Y}) sesudah tanggal pelaporan "
            f"({dates['tanggal_pelaporan']:%d-%m-%Y}); kejadian harus sebelum atau sama dengan pelaporan.",
            **where(table, rec, "tanggal_kejadian"),
        )
        ok = False
    region = region_of(rec)
    ok = ok and region is not None
    sex, problems = sex_rule(rec.get("jenis_kelamin"))
    age, age_problems = age_rule(rec.get("usia"))
    bentuk, form_problems = forms_rule(rec.get("bentuk_kekerasan"))
    for message in problems:
        report.error(message, **where(table, rec, "jenis_kelamin"))
    for col, found in (("usia", age_problems), ("bentuk_kekerasan", form_problems)):
        for message in found:
            report.error(message, **_cell(table, rec, col))
    ok = ok and not (problems or age_problems or form_problems)
    described = {}
    for col, list_name, multi, unknown in OPTIONAL:
        described[col], known = _category(table, rec, col, list_name, report, multi=multi, unknown=unknown)
        ok = ok and known
    kid = None
    if register is not None:
        kid = case_id(register, ctx.salt)
        earlier = first_seen(kid, rec)
        if earlier is not None:
            report.error(
                f"Nomor register ganda: sudah dipakai di {earlier[0]} baris {earlier[1]}.",
                **where(table, rec, "no_register"),
            )
            ok = False
    if not ok:
        return None
    case = {
        "kasus_id": kid,
        "bulan_kejadian": dates["tanggal_kejadian"].replace(day=1),
        "bulan_pelaporan": dates["tanggal_pelaporan"].replace(day=1),
        "kode_kecamatan": region.kecamatan,
        "kode_kelurahan": region.kelurahan,
        "jenis_kelamin": sex,
        "usia": age,
        "kelompok_umur": age_group(age),
        **described,
    }
    return case, bentuk


# ---------------------------------------------------------------------------------------------
# reading


def _read_tables(files: list[FileInput], report: Report, con) -> list[Table]:
    """common.read_tables, with CSV files read by DuckDB into `con` (columnar tables)."""
    spec = TableSpec(dataset=NAME, columns=reference.columns(NAME), label_columns=LABEL_COLUMNS)
    tables: list[Table] = []
    for f in files:
        try:
            sheets = read_sheets(f.path, display_name=f.display_name, con=con)
        except InputError as exc:
            report.problems.append(exc.as_problem())
            continue
        found = find_tables(sheets, spec, report)
        for table in found:
            guard_personal(table, report)
        tables.extend(found)
    return tables


# ---------------------------------------------------------------------------------------------
# checking


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    from etl import sandbox

    con = duckdb.connect(":memory:", config=sandbox.duckdb_config())  # within the reading process's memory limit
    try:
        return _parse(files, ctx, report, con)
    finally:
        con.close()


def _parse(files, ctx, report, con) -> dict[str, pd.DataFrame]:
    tables = _read_tables(files, report, con)
    if not tables:
        return {}
    seen = _Seen(con)
    case_parts, form_parts = [], []
    for n, table in enumerate(tables):
        more = n < len(tables) - 1
        check = _check_columnar if table.body is not None else _check_records
        layout = _layout(table)  # before the check: the columnar check frees the table's cells
        cases, forms = check(table, ctx, report, seen, more)
        report.layout.append(layout)
        case_parts.append(cases)
        form_parts.append(forms)
    if not sum(len(c) for c in case_parts) and not report.has_errors:
        report.error(
            "Tidak ada baris kasus di bawah baris judul.",
            file=tables[0].file,
            sheet=tables[0].sheet,
            row=tables[0].header_row,
        )
    return {"fact_kasus": _frame(case_parts, CASE_COLUMNS), "fact_kasus_bentuk": _frame(form_parts, FORM_COLUMNS)}


def _layout(table: Table) -> str:
    """What was understood of a table, one sentence for etl check and the Data page: "simfoni.xlsx / sheet Data:
    register kasus, 120 baris, kolom pelaku (Usia Pelaku, JK Pelaku) diabaikan, usia dengan satuan ("16 Tahun",
    "9 bulan") dibaca dalam tahun penuh"."""
    where = table.file + (f" / sheet {table.sheet}" if table.sheet else "")
    parts = [f"{where}: register kasus", f"{table.n_records:,} baris".replace(",", ".")]
    people: dict[str, list[str]] = {}
    for label, person in table.other_person:
        people.setdefault(person, []).append(label)
    if people:
        parts.append("kolom " + ", ".join(f"{p} ({', '.join(labels)})" for p, labels in people.items()) + " diabaikan")
    units = _age_units(table)
    if units:
        parts.append(f"usia dengan satuan ({', '.join(chr(34) + u + chr(34) for u in units)}) dibaca dalam tahun penuh")
    return pii.mask_text(", ".join(parts))


_LETTER = re.compile(r"[^\W\d_]")  # an age cell with a letter in it may carry its unit ("16 Tahun")


def _age_units(table: Table, n: int = 3) -> list[str]:
    """Up to n distinct age cells written with a unit that read as an age ("16 Tahun", "9 bulan")."""
    if "usia" not in table.columns:
        return []
    letters = "regexp_matches({c}, '\\p{L}')"
    raws = [v for v in table.distinct("usia", letters) if isinstance(v, str) and _LETTER.search(v)]
    out = []
    for raw in raws:
        try:
            if values.parse_age_years(raw) is not None and not str(raw).strip().isdigit():
                out.append(str(raw).strip())
        except ValueError:
            continue
        if len(out) == n:
            break
    return out


def _frame(parts: list, columns: list[str]) -> pd.DataFrame:
    """One frame from the per-table parts: lists of dicts (row path) and Arrow-backed frames (columnar path)."""
    if all(isinstance(p, list) for p in parts):
        return pd.DataFrame([r for p in parts for r in p], columns=columns)
    if len(parts) == 1:
        return parts[0]
    frames = [pd.DataFrame(p, columns=columns) if isinstance(p, list) else p.astype(object) for p in parts]
    return pd.concat(frames, ignore_index=True)


class _Seen:
    """Where each case id of this load was first used ((file, row)); kept in DuckDB for large files."""

    _names = itertools.count()

    def __init__(self, con):
        self.con = con
        self.name = f"_seen{next(self._names)}"
        self.n = 0
        con.execute(f"CREATE TEMP TABLE {self.name} (kid VARCHAR, file VARCHAR, row BIGINT)")

    def lookup(self, kids: list[str]) -> dict[str, tuple[str, int]]:
        if not self.n or not kids:
            return {}
        rows = self.con.execute(
            f"SELECT kid, file, row FROM {self.name} WHERE kid IN (SELECT unnest(?::VARCHAR[]))", [kids]
        ).fetchall()
        return {k: (f, r) for k, f, r in rows}

    def add(self, entries: dict[str, tuple[str, int]]) -> None:
        known = self.lookup(list(entries))
        new = [k for k in entries if k not in known]
        if new:
            self.con.execute(
                f"INSERT INTO {self.name} SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::BIGINT[])",
                [new, [entries[k][0] for k in new], [entries[k][1] for k in new]],
            )
            self.n += len(new)


def _check_records(table: Table, ctx: LoadContext, report: Report, seen: _Seen, more: bool):
    """The row-by-row path (Excel sheets, CSV files DuckDB cannot read exactly)."""
    kids = [case_id(r, ctx.salt) for rec in table.records if (r := text(rec.get("no_register"))) is not None]
    first = seen.lookup(kids)
    new: dict[str, tuple[str, int]] = {}

    def first_seen(kid, rec):
        if kid in first:
            return first[kid]
        first[kid] = new[kid] = (table.file, rec.get("_row"))
        return None

    def region_of(rec):
        return resolve_region(table, rec, ctx, report, kelurahan_required=False)

    orders = date_orders(table, tuple(c for c, _ in DATES), report)
    cases, forms = [], []
    for rec in progress(table.records, f"{table.file}"):
        got = _check_row(table, rec, ctx, report, region_of, first_seen, orders)
        if got is None:
            report.rows_rejected += 1
            continue
        cases.append(got[0])
        forms.extend({"kasus_id": got[0]["kasus_id"], "bentuk": b} for b in got[1])
    if more:
        seen.add(new)
    return cases, forms


_tmp = itertools.count()


def _values(con, columns: dict[str, tuple[str, list]]) -> str:
    """A temporary DuckDB table from Python lists: {name: (SQL type, values)}; its name."""
    name = f"_lut{next(_tmp)}"
    select = ", ".join(f"unnest(?::{t}[]) AS {c}" for c, (t, _) in columns.items())
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select}", [v for _, v in columns.values()])
    return name


def _valid_date(raw, ctx: LoadContext, order: str | None) -> dt.date | None:
    """The date of a distinct cell as _check_row reads it (None: the rows go through _check_row)."""
    if order is None:  # the column's cells conflict: every row goes through _check_row
        return None
    return date_rule(raw, ctx, order, "")[0]


def _check_columnar(table: Table, ctx: LoadContext, report: Report, seen: _Seen, more: bool):  # noqa: C901 (one join per column rule, in the order of _check_row)
    """The same rules column by column, for a table whose records are in DuckDB (table.body)."""
    con, body = table.con, table.body
    cols = set(table.columns)

    def col(name: str) -> str:
        return f'b."{name}"' if name in cols else "NULL::VARCHAR"

    def distinct(name: str) -> list:
        if name not in cols:
            return [None]
        return [v for (v,) in con.execute(f'SELECT DISTINCT "{name}" FROM {body}').fetchall()]

    joins, fields = [], []

    def lookup(key_exprs: list[str], lut: str, lut_keys: list[str]) -> str:
        alias = f"l{len(joins)}"
        on = " AND ".join(f"{e} IS NOT DISTINCT FROM {alias}.{k}" for e, k in zip(key_exprs, lut_keys)) or "true"
        joins.append(f"LEFT JOIN {lut} {alias} ON {on}")
        return alias

    # dates: the day/month order of each column from its distinct cells (each with its first row, in file
    # order: the cells the row-by-row path would name), then the valid date of every distinct cell (NULL = an
    # error for the row)
    firsts = {
        c: con.execute(f'SELECT min(_row) AS r, "{c}" FROM {body} GROUP BY 2 ORDER BY r').fetchall()
        for c, _ in DATES
        if c in cols
    }
    orders = date_orders(table, tuple(c for c, _ in DATES), report, cells=firsts)
    for c, short in (("tanggal_kejadian", "dk"), ("tanggal_pelaporan", "dp")):
        raws = [v for _, v in firsts[c]] if c in firsts else [None]  # the distinct cells
        ds = [_valid_date(v, ctx, orders[c]) for v in raws]
        a = lookup(
            [col(c)],
            _values(
                con,
                {
                    "v": ("VARCHAR", raws),
                    "d": ("DATE", ds),
                    "m": ("DATE", [d.replace(day=1) if d else None for d in ds]),
                },
            ),
            ["v"],
        )
        fields += [f"{a}.d AS {short}", f"{a}.m AS {short}_month"]
    # area: resolve_region once per distinct combination of the region columns
    present = [k for k in REGION_KEYS if k in cols]
    combos = con.execute(
        f"SELECT {', '.join(col(k) for k in present) or 'NULL'}, min(_row) FROM {body} b GROUP BY ALL"
    ).fetchall()
    region_cache: dict[tuple, RegionCodes | None] = {}
    kec_codes, kel_codes, oks = [], [], []
    for combo in combos:
        got = dict(zip(present, combo[:-1]))
        key = tuple(got.get(k) for k in REGION_KEYS)
        rep = {k: got.get(k) for k in REGION_KEYS}
        rep["_row"] = combo[-1]
        region = resolve_region(table, rep, ctx, Report(), kelurahan_required=False)
        region_cache[key] = region
        kec_codes.append(region.kecamatan if region else None)
        kel_codes.append(region.kelurahan if region else None)
        oks.append(region is not None)
    lut = {f"k{i}": ("VARCHAR", [c[i] for c in combos]) for i in range(len(present))}
    lut.update({"kec": ("VARCHAR", kec_codes), "kel": ("VARCHAR", kel_codes), "ok": ("BOOLEAN", oks)})
    a = lookup([col(k) for k in present], _values(con, lut), [f"k{i}" for i in range(len(present))])
    fields += [f"{a}.kec AS kode_kecamatan", f"{a}.kel AS kode_kelurahan", f"{a}.ok AS region_ok"]
    # sex, age, forms of violence
    raws = distinct("jenis_kelamin")
    a = lookup(
        [col("jenis_kelamin")],
        _values(
            con,
            {"v": ("VARCHAR", raws), "s": ("VARCHAR", [sex_rule(v)[0] for v in raws])},
        ),
        ["v"],
    )
    fields.append(f"{a}.s AS jenis_kelamin")
    raws = distinct("usia")
    ages = [age_rule(v)[0] for v in raws]
    a = lookup(
        [col("usia")],
        _values(
            con,
            {
                "v": ("VARCHAR", raws),
                "age": ("INTEGER", ages),
                "grp": ("VARCHAR", [age_group(x) if x is not None else None for x in ages]),
            },
        ),
        ["v"],
    )
    fields += [f"{a}.age AS usia", f"{a}.grp AS kelompok_umur"]
    raws = distinct("bentuk_kekerasan")
    a = lookup(
        [col("bentuk_kekerasan")],
        _values(con, {"v": ("VARCHAR", raws), "f": ("VARCHAR[]", [forms_rule(v)[0] for v in raws])}),
        ["v"],
    )
    fields.append(f"{a}.f AS forms")
    # optional descriptive columns: stored value, and whether the row warns
    warns = []
    for c, list_name, multi, unknown in OPTIONAL:
        raws = distinct(c)
        got = [_category_value(v, list_name, multi=multi, unknown=unknown) for v in raws]
        a = lookup(
            [col(c)],
            _values(
                con,
                {
                    "v": ("VARCHAR", raws),
                    "val": ("VARCHAR", [g[0] for g in got]),
                    "warn": ("BOOLEAN", [bool(g[1]) for g in got]),
                },
            ),
            ["v"],
        )
        fields.append(f"{a}.val AS {c}")
        warns.append(f"{a}.warn")
    # case id: salted SHA-256 in DuckDB for registers whose normal form is plain ASCII, Python for the rest
    reg = col("no_register")
    plain = f"NOT regexp_matches({reg}, '[^ -~]')"  # printable ASCII: upper() and split() as in Python
    odd = (
        [
            v
            for (v,) in con.execute(
                f"SELECT DISTINCT {reg} FROM {body} b WHERE {reg} IS NOT NULL AND NOT {plain}"
            ).fetchall()
        ]
        if "no_register" in cols
        else []
    )
    a = lookup(
        [reg], _values(con, {"v": ("VARCHAR", odd), "kid": ("VARCHAR", [case_id(v, ctx.salt) for v in odd])}), ["v"]
    )
    key = f"upper(CASE WHEN contains({reg}, '  ') THEN regexp_replace({reg}, ' {{2,}}', ' ', 'g') ELSE {reg} END)"
    kid = (
        f"CASE WHEN {reg} IS NULL THEN NULL WHEN {plain} THEN left(sha256($salt::BLOB || encode('|' || {key})), 32) "
        f"ELSE {a}.kid END"
    )
    checks = (
        "kid IS NULL OR dk IS NULL OR dp IS NULL OR dk > dp OR NOT region_ok OR jenis_kelamin IS NULL "
        "OR usia IS NULL OR forms IS NULL OR warn"
    )
    out = ", ".join(
        [
            "_row",
            "kid AS kasus_id",
            "dk_month AS bulan_kejadian",
            "dp_month AS bulan_pelaporan",
            *CASE_COLUMNS[3:],
            "forms",
            f"coalesce({checks}, true) AS bad",
        ]
    )
    # one pass: the checked rows in file order, as an Arrow table (the frames are built from it without copies)
    res = con.sql(
        f"SELECT {out} FROM (SELECT b._row, {kid} AS kid, {', '.join(fields)}, ({' OR '.join(warns)}) "
        f"AS warn FROM {body} b {' '.join(joins)}) ORDER BY _row",
        params={"salt": ctx.salt},
    ).to_arrow_table()
    name = f"_res{next(_tmp)}"
    con.register(name, res)
    # duplicate registers: earlier files of this load, then earlier rows of this table
    dup: dict[int, tuple[str, int]] = {}
    if seen.n:
        for row, f, r in con.execute(
            f"SELECT x._row, s.file, s.row FROM {name} x JOIN {seen.name} s ON x.kasus_id = s.kid"
        ).fetchall():
            dup[row] = (f, r)
    repeated = con.execute(
        f"SELECT kasus_id, min(_row) FROM {name} WHERE kasus_id IS NOT NULL GROUP BY kasus_id HAVING count(*) > 1"
    ).fetchall()
    if repeated:
        lut = _values(
            con, {"kid": ("VARCHAR", [k for k, _ in repeated]), "first": ("BIGINT", [r for _, r in repeated])}
        )
        for row, first in con.execute(
            f"SELECT x._row, d.first FROM {name} x JOIN {lut} d ON x.kasus_id = d.kid WHERE x._row > d.first"
        ).fetchall():
            dup.setdefault(row, (table.file, first))
    # rows with a problem: the row-by-row rules report it, and decide the row
    problem_rows = sorted(set(r for (r,) in con.execute(f"SELECT _row FROM {name} WHERE bad").fetchall()) | set(dup))
    if more:
        seen.add(
            {
                k: (table.file, r)
                for k, r in con.execute(
                    f"SELECT kasus_id, min(_row) FROM {name} WHERE kasus_id IS NOT NULL GROUP BY kasus_id"
                ).fetchall()
            }
        )
    con.unregister(name)
    py_cases = []
    if problem_rows:
        names = ["_row", *table.columns]
        recs = con.execute(
            f"SELECT {', '.join(f'b.{chr(34)}{n}{chr(34)}' for n in names)} FROM {body} b "
            "WHERE _row IN (SELECT unnest(?::BIGINT[])) ORDER BY _row",
            [problem_rows],
        ).fetchall()

        def region_of(rec):
            region = region_cache.get(tuple(rec.get(k) for k in REGION_KEYS))
            return region or resolve_region(table, rec, ctx, report, kelurahan_required=False)

        for values_ in recs:
            rec = dict(zip(names, values_))
            got = _check_row(table, rec, ctx, report, region_of, lambda kid, rec: dup.get(rec["_row"]), orders)
            if got is None:
                report.rows_rejected += 1
                continue
            py_cases.append({"_row": rec["_row"], **got[0], "forms": got[1]})
    release(table)  # the cells are read: only the results are needed from here on
    return _result_frames(res, problem_rows, py_cases)


def _result_frames(res, problem_rows: list[int], py_cases: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """fact_kasus and fact_kasus_bentuk from the checked rows (Arrow, in file order): the rows without a problem,
    and the rows with a problem that the row-by-row rules accepted (py_cases, with their forms)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    res = res.drop_columns(["bad"])
    if problem_rows:
        res = res.filter(pc.invert(pc.is_in(res["_row"], value_set=pa.array(problem_rows, pa.int64()))))
    if py_cases:
        extra = pa.Table.from_pylist(py_cases, schema=res.schema)
        res = pa.concat_tables([res, extra])
        res = res.take(pc.sort_indices(res["_row"]))
    forms = res["forms"]
    bentuk = pa.table(
        {"kasus_id": pc.take(res["kasus_id"], pc.list_parent_indices(forms)), "bentuk": pc.list_flatten(forms)}
    )
    cases = res.select(CASE_COLUMNS)
    return (cases.to_pandas(types_mapper=pd.ArrowDtype), bentuk.to_pandas(types_mapper=pd.ArrowDtype))


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Upsert by case id: the same register loaded again replaces its case (no double counting)."""
    cases = frames["fact_kasus"]
    with registered(con, _new_kasus=cases, _new_bentuk=frames["fact_kasus_bentuk"]):
        con.execute("DELETE FROM fact_kasus_bentuk WHERE kasus_id IN (SELECT kasus_id FROM _new_kasus)")
        con.execute("DELETE FROM fact_kasus WHERE kasus_id IN (SELECT kasus_id FROM _new_kasus)")
        con.execute(
            "INSERT INTO fact_kasus SELECT kasus_id, CAST(bulan_kejadian AS DATE), CAST(bulan_pelaporan AS DATE), "
            "kode_kecamatan, kode_kelurahan, jenis_kelamin, CAST(usia AS INTEGER), kelompok_umur, tempat_kejadian, "
            "hubungan_pelaku, layanan, disabilitas, ? FROM _new_kasus",
            [load_id],
        )
        con.execute("INSERT INTO fact_kasus_bentuk SELECT kasus_id, bentuk FROM _new_bentuk")
    return len(cases)
