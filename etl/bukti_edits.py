"""Edits of the evidence checklist made on the Kesiapan page (issue 22), through the one write path.

Each call writes a small checklist CSV (and, for an upload, the file beside it), loads it with loader.load as
the dataset `bukti` or `jadwal_kla`, and so publishes exactly one new warehouse version with a meta_load row, or
nothing at all: errors come back in the result's report. Every published edit is also an "ubah" line in the
audit trail (who, what item, which version).

Stale edits are refused as in etl/edits.save_tasks: `base` says, for each item the editor showed, the load_id its
row had then (None: no row yet). The check runs inside the writer lock on the new version, so of two saves racing
from the same state exactly one passes; a save with one stale item is refused whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

import duckdb

from etl import audit, evidence, loader, reference
from etl.edits import EXISTS, GONE, EditResult, Stale, StaleEdit, _cell, short_datetime, stale_rows
from etl.problems import Report
from etl.templates import header_of

ITEM_COLUMNS = ("tahun", "kode_wilayah", "item_id", "status", "catatan", "tautan", "tenggat")
PAGE = "halaman Kesiapan"


class StaleItem(Stale):
    """An item the edit may not write: changed by someone else since the editor showed it (`changed`), gone (the
    version was rolled back: `gone`), or created meanwhile (`exists`). Same roles as etl.edits.Stale."""

    def message(self) -> str:
        when = short_datetime(self.at) if self.at else "?"
        if self.kind == GONE:
            return f"Butir {self.id} sudah tidak ada di versi data saat ini (versinya dikembalikan)."
        if self.kind == EXISTS:
            return f"Butir {self.id} baru saja diisi oleh {self.user or '?'} pada {when} setelah Anda membukanya."
        return f"Butir {self.id} sudah diubah oleh {self.user or '?'} pada {when} setelah Anda membukanya."


def item_versions(con: duckdb.DuckDBPyConnection, tahun: int, kode_wilayah: str, ids: list[str]) -> dict[str, tuple]:
    """item_id -> (load_id, user_name, loaded_at) of the items among `ids` that have a row in this version."""
    rows = con.execute(
        """
        SELECT b.item_id, b.load_id, m.user_name, m.loaded_at
        FROM fact_bukti b
        LEFT JOIN (SELECT load_id, any_value(user_name) AS user_name, max(loaded_at) AS loaded_at
                   FROM meta_load GROUP BY load_id) m ON m.load_id = b.load_id
        WHERE b.tahun = ? AND b.kode_wilayah = ? AND list_contains(?, b.item_id)""",
        [tahun, kode_wilayah, list(ids)],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def stale_items(
    con: duckdb.DuckDBPyConnection, tahun: int, kode_wilayah: str, ids: list[str], base: Mapping[str, str | None]
) -> list[StaleItem]:
    return stale_rows(ids, base, item_versions(con, tahun, kode_wilayah, ids), StaleItem)


def _write_csv(path: Path, dataset: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([header_of(dataset, c) for c in columns])
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])


def _result(result: loader.LoadResult, stale: list | None = None) -> EditResult:
    return EditResult(**{f.name: getattr(result, f.name) for f in fields(result)}, stale=stale or [])


def _refused(dataset: str, message: str) -> EditResult:
    report = Report()
    report.error(message)
    return EditResult(dataset=dataset, report=report)


def save_items(
    tahun: int, kode_wilayah: str, rows: list[dict], user: str, base: Mapping[str, str | None]
) -> EditResult:
    """Save the state of items of one year and kab/kota: rows of {item_id, status, catatan, tautan, tenggat}.

    `base`: item_id -> the load_id its row had when the editor showed it (None: it had no row). When any item
    was written by someone else since, nothing is saved: the report says so, `stale` says which, by whom, when.
    The result's load_id is what the saved rows carry now (the base of the next edit from the same form)."""
    stale: list[StaleItem] = []

    def unchanged(con: duckdb.DuckDBPyConnection, frames: dict) -> None:
        frame = frames.get("fact_bukti")
        found = stale_items(con, tahun, kode_wilayah, [] if frame is None else frame["item_id"].tolist(), base)
        if found:
            stale.extend(found)
            raise StaleEdit(found)

    full = [{**r, "tahun": tahun, "kode_wilayah": kode_wilayah} for r in rows]
    with tempfile.TemporaryDirectory(prefix="kla-bukti-") as tmp:
        path = Path(tmp) / "bukti.csv"
        _write_csv(path, "bukti", ITEM_COLUMNS, full)
        result = loader.load(
            "bukti",
            [path],
            user=user,
            display_names=[f"{PAGE}: status butir"],
            scope=kode_wilayah,
            precondition=unchanged,
        )
    if result.version:
        ids = ", ".join(str(r.get("item_id")) for r in rows)
        audit.record("ubah", user, None, f"bukti {tahun} {kode_wilayah}: status butir {ids} -> {result.version}")
    return _result(result, stale)


_UNSAFE = re.compile(r"[/\\\x00-\x1f]+")


def _file_name(name: str) -> str:
    """The uploaded file's own name, without any folder and without control characters (at most 200)."""
    base = _UNSAFE.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    base = base[-200:]
    return base if base not in ("", ".", "..") else "berkas"


def attach(tahun: int, kode_wilayah: str, item_id: str, data: bytes, name: str, user: str) -> EditResult:
    """Store an uploaded evidence file (checked by its content) and attach it to an item: one fact_bukti_berkas
    row, and the item moves from belum (or no row) to diunggah; its other state (note, link, deadline, a later
    status) stays. A refused file or an unknown item comes back as an error in the report, nothing written."""
    items = {r["item_id"] for r in reference.evidence_items()}
    if item_id not in items:
        return _refused("bukti", f"Butir {item_id} tidak ada di templat data/reference/bukti_item.csv.")
    shown = _file_name(name)
    try:
        evidence.kind_of(data, shown)
    except evidence.EvidenceError as exc:
        return _refused("bukti", str(exc))

    def keep_state(con: duckdb.DuckDBPyConnection, frames: dict) -> None:
        """Inside the writer lock: the item keeps its current note, link, deadline and any status past belum."""
        frame = frames["fact_bukti"]
        rows = con.execute(
            "SELECT status, catatan, tautan, tenggat FROM fact_bukti WHERE tahun = ? AND kode_wilayah = ? "
            "AND item_id = ?",
            [tahun, kode_wilayah, item_id],
        ).fetchall()  # fetchall: DuckDB refuses other work while a result is unfinished
        if rows:
            status, catatan, tautan, tenggat = rows[0]
            frame.loc[:, "status"] = "diunggah" if status == "belum" else status
            frame.loc[:, "catatan"] = catatan
            frame.loc[:, "tautan"] = tautan
            frame.loc[:, "tenggat"] = tenggat

    with tempfile.TemporaryDirectory(prefix="kla-bukti-") as tmp:
        folder = Path(tmp)
        checklist = folder / "_daftar_bukti.csv"
        stored_name = shown if shown != checklist.name else f"berkas_{shown}"
        (folder / stored_name).write_bytes(data)
        row = {"tahun": tahun, "kode_wilayah": kode_wilayah, "item_id": item_id, "status": "diunggah"}
        columns = ("tahun", "kode_wilayah", "item_id", "status", "berkas")
        _write_csv(checklist, "bukti", columns, [{**row, "berkas": stored_name}])
        result = loader.load(
            "bukti",
            [checklist],
            user=user,
            display_names=[f"{PAGE}: lampiran butir {item_id}"],
            scope=kode_wilayah,
            precondition=keep_state,
        )
    if result.version:
        files = result.frames.get("fact_bukti_berkas")
        sha = files["sha256"].iloc[0][:12] if files is not None and len(files) else "?"
        detail = f"bukti {tahun} {kode_wilayah}: lampiran {sha} ke butir {item_id} -> {result.version}"
        audit.record("ubah", user, None, detail)
    return _result(result)


def set_date(tahun: int, kode_wilayah: str, tahap: str, tanggal: dt.date, user: str) -> EditResult:
    """Set the date of an evaluation stage (tahap_kla: evaluasi_mandiri, verifikasi_administrasi,
    verifikasi_lapangan, final) for one year and kab/kota: one new version."""
    with tempfile.TemporaryDirectory(prefix="kla-jadwal-") as tmp:
        path = Path(tmp) / "jadwal.csv"
        row = {"tahun": tahun, "kode_wilayah": kode_wilayah, "tahap": tahap, "tanggal": tanggal}
        _write_csv(path, "jadwal_kla", ("tahun", "kode_wilayah", "tahap", "tanggal"), [row])
        result = loader.load(
            "jadwal_kla", [path], user=user, display_names=[f"{PAGE}: tanggal {tahap}"], scope=kode_wilayah
        )
    if result.version:
        detail = f"jadwal {tahun} {kode_wilayah}: {tahap} {tanggal:%d/%m/%Y} -> {result.version}"
        audit.record("ubah", user, None, detail)
    return _result(result)
