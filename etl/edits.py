"""Edits made on a page go through the same path as a file load (loader.load -> publish).

The edited rows are written to a small CSV, checked like any OPD file, and published as a new
warehouse version with a meta_load row naming the page and the user. Errors come back in the
LoadResult's report; nothing is written then.

Nothing is lost when two people edit the same task: an edit says which version of each row it started
from (`base`: the row's load_id, the load or edit that last wrote it; meta_load says who and when). The
check runs inside the writer lock, on the new version, before anything is applied (loader.load's
`precondition`), so of two saves racing from the same row version exactly one passes. A save with one
stale row is refused whole: it was one action of one person, published as one version, and they reload
to see the other change anyway.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb

from etl import loader
from etl.problems import InputError

TASK_HEADERS = {
    "id": "ID",
    "tanggal_rapat": "Tanggal Rapat",
    "tugas": "Tugas",
    "nomor": "No Indikator",
    "opd": "OPD",
    "tenggat": "Tenggat",
    "status": "Status",
    "catatan": "Catatan",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
CHANGED, GONE, EXISTS = "changed", "gone", "exists"


@dataclass(frozen=True)
class Stale:
    """A row the edit may not write: written by someone else after the edit started from it (`changed`),
    no longer there (`gone`, e.g. the data version was rolled back), or, for a new task, already there (`exists`).
    `user` and `at` say who wrote the row last and when (meta_load), None when it is gone."""

    id: str
    kind: str
    user: str | None = None
    at: dt.datetime | None = None

    def message(self) -> str:
        when = short_datetime(self.at) if self.at else "?"
        if self.kind == GONE:
            return f"Tugas #{self.id} sudah tidak ada di versi data saat ini (dihapus atau versinya dikembalikan)."
        if self.kind == EXISTS:
            return (
                f"Tugas yang sama (tanggal rapat, tugas dan OPD sama) sudah ada sebagai tugas #{self.id}, "
                f"terakhir diubah oleh {self.user or '?'} pada {when}; ubah tugas itu."
            )
        return f"Tugas #{self.id} sudah diubah oleh {self.user or '?'} pada {when} setelah Anda membukanya."


class StaleEdit(InputError):
    """The edit was refused: some of its rows changed since it started. Ends in the LoadResult's report."""

    def __init__(self, stale: list[Stale]):
        self.stale = stale
        super().__init__(
            " ".join(s.message() for s in stale)
            + " Muat ulang halaman untuk melihat perubahannya; simpanan Anda tidak diterapkan."
        )


@dataclass
class EditResult(loader.LoadResult):
    stale: list[Stale] = field(default_factory=list)  # why the save was refused, when it was for stale rows

    @property
    def load_id(self) -> str | None:
        """What the saved rows carry now (the base of a next edit from the same form); None when nothing was saved."""
        return f"{self.version}-{self.dataset}" if self.version else None


def short_datetime(value: dt.datetime) -> str:
    """1 Des 2026 10.14"""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year} {value:%H.%M}"


def _cell(value) -> str:
    if value is None or value != value:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def task_versions(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple]:
    """id -> (load_id, user_name, loaded_at) of the tasks among `ids` that exist in this version."""
    rows = con.execute(
        """
        SELECT t.tindak_lanjut_id, t.load_id, m.user_name, m.loaded_at
        FROM fact_tindak_lanjut t
        LEFT JOIN (SELECT load_id, any_value(user_name) AS user_name, max(loaded_at) AS loaded_at
                   FROM meta_load GROUP BY load_id) m ON m.load_id = t.load_id
        WHERE list_contains(?, t.tindak_lanjut_id)""",
        [list(ids)],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def stale_tasks(con: duckdb.DuckDBPyConnection, ids: list[str], base: Mapping[str, str | None]) -> list[Stale]:
    """The tasks among `ids` that are not as `base` says (id -> load_id the edit started from; an id not in
    `base` is a new task, which must not exist yet)."""
    return stale_rows(ids, base, task_versions(con, ids))


def stale_rows(ids: list[str], base: Mapping[str, str | None], now: Mapping[str, tuple], kind: type = Stale) -> list:
    """The rows among `ids` an edit may not write, as `kind` (Stale or a subclass with its own message): `base`
    maps an id to the load_id the edit started from (absent or None: a new row, which must not exist yet); `now`
    maps the ids that have a row in this version to (load_id, user, at)."""
    found = []
    for rid in ids:
        row, was = now.get(rid), base.get(rid)
        if was is None:
            if row is not None:
                found.append(kind(rid, EXISTS, row[1], row[2]))
        elif row is None:
            found.append(kind(rid, GONE))
        elif row[0] != was:
            found.append(kind(rid, CHANGED, row[1], row[2]))
    return found


def save_tasks(
    rows: list[dict], *, user: str, source: str, base: Mapping[str, str | None], kabkota: str | None = "default"
) -> EditResult:
    """Insert or update follow-up tasks of a kab/kota (a row with an `id` updates that task).

    `base`: for every task the edit updates, the load_id its row had when the editor showed it
    (queries.followup_versions); a task not in `base` is new. When any task was written by someone else
    since (or a new one is already there), nothing is saved: the report says so, `stale` says which, by
    whom and when.
    """
    stale: list[Stale] = []

    def unchanged(con: duckdb.DuckDBPyConnection, frames: dict) -> None:
        frame = frames.get("fact_tindak_lanjut")
        found = stale_tasks(con, [] if frame is None else frame["tindak_lanjut_id"].tolist(), base)
        if found:
            stale.extend(found)
            raise StaleEdit(found)

    with tempfile.TemporaryDirectory(prefix="kla-edit-") as tmp:
        path = Path(tmp) / "tindak_lanjut.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(TASK_HEADERS.values())
            for row in rows:
                writer.writerow([_cell(row.get(k)) for k in TASK_HEADERS])
        result = loader.load(
            "tindak_lanjut", [path], user=user, display_names=[source], scope=kabkota, precondition=unchanged
        )
    return EditResult(**{f.name: getattr(result, f.name) for f in fields(result)}, stale=stale)
