"""kasus: violence-against-children case register (SIMFONI-PPA style, one row per case).

Privacy: columns with names, NIK, addresses, phone numbers are dropped at read (etl/read); a NIK, phone
number or e-mail address in a kept cell rejects the file (common.guard_personal; DuckDB pre-filters the cells
of a columnar table); an unknown Disabilitas value is an error, never "Ya"; the register number is stored
only as a salted SHA-256; dates only as the month.

Two paths, one set of rules: the cells are judged by their declared rules (data/reference/aturan_kolom/kasus.csv,
applied by etl/rules.py through cell_rule); what spans cells stays here (the area by common.resolve_region, the
dates in order, duplicate registers). A CSV file is read by DuckDB (read.read_sheets with a connection) and
checked column by column: every distinct value (date, category, area, age) goes through the same rule once, the
results are joined back in SQL, the salted SHA-256 runs in DuckDB. Only the rows with a problem then go through
_check_row, the row-by-row rules that every Excel sheet (and any CSV DuckDB cannot read exactly) goes through, so
every message, row number and order of messages is the row-by-row one.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import duckdb
import pandas as pd

from etl import pii, reference, rules, values
from etl.problems import InputError, Report
from etl.progress import progress
from etl.read import Table, TableSpec, find_tables, read_sheets, release
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    REGION_KEYS,
    RegionCodes,
    date_orders,
    guard_personal,
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
# the cell rules are declared in data/reference/aturan_kolom/kasus.csv (etl/rules.py); the area (common.resolve_region)
# spans cells and stays here
DATES = ("tanggal_kejadian", "tanggal_pelaporan")
FIRST = ("no_register", *DATES)  # read before the dates' order and the area, as the messages are ordered
JOINED = ("layanan",)  # several words in one cell, stored "; "-joined ("Pengaduan; Kesehatan")

AGE_BINS = ((0, 5, "0-5"), (6, 12, "6-12"), (13, 17, "13-17"))


def age_group(age: int) -> str:
    for lo, hi, label in AGE_BINS:
        if lo <= age <= hi:
            return label
    raise ValueError(age)


def case_id(register: str, salt: bytes) -> str:
    key = " ".join(register.upper().split())
    return hashlib.sha256(salt + b"|" + key.encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# the cell rules: cell_rule gives (value as stored, findings) of one cell by its declared rule. _check_row reports
# the findings of a row's cells where they are; the columnar path runs cell_rule once per distinct cell and sends
# every row whose cell has a finding through _check_row. So both paths apply one set of rules.


def cell_rule(
    col: str, raw, ctx: LoadContext, order: str | None = values.DAY_FIRST, decimal: str = ",", thousands: str = "."
) -> tuple[object, list[rules.Finding]]:
    """(value as stored, findings) of one cell of a declared column (rules.check: no table needed)."""
    value, findings = rules.check(rules.rule(NAME, col), raw, ctx, order, decimal, thousands)
    return _stored(col, value), findings


def _stored(col: str, value):
    """A cell's value as fact_kasus stores it: the words of layanan "; "-joined."""
    return "; ".join(value) if col in JOINED and value is not None else value


def _check_row(table: Table, rec: dict, ctx: LoadContext, report: Report, region_of, first_seen, orders):
    """The row-by-row rules: (case, forms) of a valid row, None after reporting every problem of the row.

    region_of(rec) gives the row's RegionCodes (None after reporting); first_seen(kid, rec) gives where the
    case id was first used in this load, or None when this row is its first use; orders gives the day/month
    order of each date column (common.date_orders, decided from the whole column; None: the column's cells
    conflict, already reported once for the column)."""
    ok, got = True, {}

    def read(col: str) -> None:
        nonlocal ok
        good, value = rules.read_cell(table, rec, rules.rule(NAME, col), ctx, report, orders)
        got[col] = _stored(col, value)
        ok = ok and good

    read("no_register")
    for col in DATES:
        if orders[col] is None:  # reported once for the column
            ok = False
            continue
        read(col)
    kejadian, pelaporan = got.get("tanggal_kejadian"), got.get("tanggal_pelaporan")
    if kejadian is not None and pelaporan is not None and kejadian > pelaporan:
        report.error(
            f"Tanggal kejadian ({kejadian:%d-%m-%Y}) sesudah tanggal pelaporan "
            f"({pelaporan:%d-%m-%Y}); kejadian harus sebelum atau sama dengan pelaporan.",
            **where(table, rec, "tanggal_kejadian"),
        )
        ok = False
    region = region_of(rec)
    ok = ok and region is not None
    for r in rules.rules(NAME):
        if r.column not in FIRST:
            read(r.column)
    register, kid = got["no_register"], None
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
        "bulan_kejadian": kejadian.replace(day=1),
        "bulan_pelaporan": pelaporan.replace(day=1),
        "kode_kecamatan": region.kecamatan,
        "kode_kelurahan": region.kelurahan,
        "jenis_kelamin": got["jenis_kelamin"],
        "usia": got["usia"],
        "kelompok_umur": age_group(got["usia"]),
        **{c: got[c] for c in CASE_COLUMNS[8:]},  # tempat_kejadian, hubungan_pelaku, layanan, disabilitas
    }
    return case, got["bentuk_kekerasan"]


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

    orders = date_orders(table, DATES, report)
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

    joins, fields, flags = [], [], []

    def lookup(key_exprs: list[str], lut: str, lut_keys: list[str]) -> str:
        alias = f"l{len(joins)}"
        on = " AND ".join(f"{e} IS NOT DISTINCT FROM {alias}.{k}" for e, k in zip(key_exprs, lut_keys)) or "true"
        joins.append(f"LEFT JOIN {lut} {alias} ON {on}")
        return alias

    def checked(c: str, raws: list, value_type: str, order=values.DAY_FIRST, extra=None) -> str:
        """A lookup of column c's distinct cells by cell_rule: the stored value (NULL after an error), whether the
        cell has a finding (the row then goes through _check_row), and extra columns {name: (type, function)}."""
        got = [cell_rule(c, v, ctx, order, table.decimal, table.thousands) for v in raws]
        lut = {
            "v": ("VARCHAR", raws),
            "val": (value_type, [g[0] for g in got]),
            "bad": ("BOOLEAN", [bool(g[1]) for g in got]),
        }
        for name, (sql_type, fn) in (extra or {}).items():
            lut[name] = (sql_type, [None if g[0] is None else fn(g[0]) for g in got])
        alias = lookup([col(c)], _values(con, lut), ["v"])
        flags.append(f"{alias}.bad")
        return alias

    # dates: the day/month order of each column from its distinct cells (each with its first row, in file
    # order: the cells the row-by-row path would name), then the date of every distinct cell
    firsts = {
        c: con.execute(f'SELECT min(_row) AS r, "{c}" FROM {body} GROUP BY 2 ORDER BY r').fetchall()
        for c in DATES
        if c in cols
    }
    orders = date_orders(table, DATES, report, cells=firsts)
    for c, short in zip(DATES, ("dk", "dp")):
        raws = [v for _, v in firsts[c]] if c in firsts else [None]  # the distinct cells
        a = checked(c, raws, "DATE", orders[c], {"m": ("DATE", lambda d: d.replace(day=1))})
        fields += [f"{a}.val AS {short}", f"{a}.m AS {short}_month"]
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
    # every other declared column: sex, age, forms of violence, the descriptive columns
    a = checked("jenis_kelamin", distinct("jenis_kelamin"), "VARCHAR")
    fields.append(f"{a}.val AS jenis_kelamin")
    a = checked("usia", distinct("usia"), "INTEGER", extra={"grp": ("VARCHAR", age_group)})
    fields += [f"{a}.val AS usia", f"{a}.grp AS kelompok_umur"]
    a = checked("bentuk_kekerasan", distinct("bentuk_kekerasan"), "VARCHAR[]")
    fields.append(f"{a}.val AS forms")
    for c in CASE_COLUMNS[8:]:  # tempat_kejadian, hubungan_pelaku, layanan, disabilitas
        a = checked(c, distinct(c), "VARCHAR")
        fields.append(f"{a}.val AS {c}")
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
    checks = "kid IS NULL OR dk IS NULL OR dp IS NULL OR dk > dp OR NOT region_ok OR found"
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
        f"SELECT {out} FROM (SELECT b._row, {kid} AS kid, {', '.join(fields)}, ({' OR '.join(flags)}) "
        f"AS found FROM {body} b {' '.join(joins)}) ORDER BY _row",
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
