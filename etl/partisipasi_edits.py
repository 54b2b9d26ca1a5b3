"""An analyst reviews a child's proposal text for publication (issue 23): the one page edit of usulan_anak.

The proposal text (fact_usulan_anak.usulan) is written by children and may name someone, so it is for analysts
only. review_text stores the text an analyst has read and approved (perhaps shortened or with a name taken out) in
teks_publik, with who did it and when; only that text may be shown to the public. None withdraws it.

Like every write, a review goes through the one publish path (loader.load -> warehouse.publish): the proposal's
row is written to a small CSV with a "Teks Publik" column, checked like any file (the personal-data guard reads
every cell), and published as a new warehouse version with a meta_load row naming the page and the analyst; the
audit log records it. As in etl/edits.save_tasks, the edit says which version of the row it started from (`base`,
the row's load_id); the check runs inside the writer lock, so a review of a row someone changed meanwhile is
refused and nothing is written.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import fields
from pathlib import Path

from etl import audit, loader, pii, warehouse
from etl.edits import CHANGED, GONE, EditResult, Stale, short_datetime
from etl.names import code_level, kabkota_of
from etl.problems import InputError, Report

SOURCE = "Tinjauan teks usulan anak (halaman Partisipasi Anak)"
ROW_SQL = """
    SELECT u.usulan_id, u.siklus, u.tingkat, u.kode_wilayah, u.forum_id, u.usulan, u.tema, u.klaster, u.opd_tujuan,
           u.status, u.alasan, u.tautan_bukti, u.load_id, m.user_name, m.loaded_at, coalesce(m.is_sample, false)
    FROM fact_usulan_anak u
    LEFT JOIN (SELECT load_id, any_value(user_name) AS user_name, max(loaded_at) AS loaded_at,
                      bool_or(is_sample) AS is_sample
               FROM meta_load GROUP BY load_id) m ON m.load_id = u.load_id
    WHERE u.usulan_id = ?"""
ROW_COLUMNS = (
    "usulan_id",
    "siklus",
    "tingkat",
    "kode_wilayah",
    "forum_id",
    "usulan",
    "tema",
    "klaster",
    "opd_tujuan",
    "status",
    "alasan",
    "tautan_bukti",
    "load_id",
    "user_name",
    "loaded_at",
    "is_sample",  # a synthetic sample row stays sample data when reviewed (etl/samples.py removes it with the rest)
)
PERSONAL_WORDS = {
    pii.NIK: "NIK atau nomor KK (16 digit)",
    pii.PHONE: "nomor telepon",
    pii.EMAIL: "alamat e-mail",
}
MAX_LENGTH = 1000


def _row(con, usulan_id: str) -> dict | None:
    got = con.execute(ROW_SQL, [usulan_id]).fetchall()  # fetched whole: the connection goes on to apply()
    return dict(zip(ROW_COLUMNS, got[0])) if got else None


def _stale_message(s: Stale) -> str:
    if s.kind == GONE:
        return f"Usulan #{s.id} sudah tidak ada di versi data saat ini (dihapus atau versinya dikembalikan)."
    when = short_datetime(s.at) if s.at else "?"
    return f"Usulan #{s.id} sudah diubah oleh {s.user or '?'} pada {when} setelah Anda membukanya."


class StaleReview(InputError):
    def __init__(self, stale: list[Stale]):
        self.stale = stale
        super().__init__(
            " ".join(_stale_message(s) for s in stale)
            + " Muat ulang halaman untuk melihat perubahannya; tinjauan Anda tidak disimpan."
        )


def _refused(message: str, stale: list[Stale] | None = None) -> EditResult:
    report = Report()
    report.error(message, file=SOURCE)
    return EditResult(dataset="usulan_anak", report=report, stale=stale or [])


def personal_in(teks: str) -> str | None:
    """The Indonesian refusal for a text the personal-data guard flags (NIK/KK, phone, e-mail), else None."""
    hit = pii.find(teks)
    if hit is None:
        return None
    return (
        f"Teks publik tampak memuat {PERSONAL_WORDS[hit.kind]} ({hit.masked}). Data pribadi tidak boleh tampil "
        "untuk umum: hapus dari teks, lalu simpan lagi. Tidak ada yang disimpan."
    )


def _area_cells(kode: str) -> dict[str, str]:
    """The proposal's area as the code columns of the usulan_anak file."""
    level = code_level(kode)
    cells = {"Kode Kab Kota": kabkota_of(kode)}
    if level == "kecamatan":
        cells["Kode Kecamatan"] = kode
    elif level == "kelurahan":
        cells["Kode Kecamatan"] = ".".join(kode.split(".")[:3])
        cells["Kode Kelurahan"] = kode
    return cells


def _file_row(row: dict, teks_publik: str | None) -> dict[str, object]:
    return {
        "ID": row["usulan_id"],
        "Tahun RKPD": row["siklus"],
        "Tingkat Musrenbang": row["tingkat"],
        **_area_cells(row["kode_wilayah"]),
        "Forum Anak": "Ya" if row["forum_id"] else "",
        "Usulan": row["usulan"],
        "Tema": row["tema"] or "",
        "Klaster": row["klaster"] or "",
        "OPD Tujuan": row["opd_tujuan"] or "",
        "Status": row["status"],
        "Alasan": row["alasan"] or "",
        "Tautan Bukti": row["tautan_bukti"] or "",
        "Teks Publik": teks_publik or "",
    }


def review_text(
    usulan_id: str, teks_publik: str | None, user: str, base: str | None, source: str = SOURCE
) -> EditResult:
    """Mark a proposal's text as reviewed for publication (`teks_publik`, the text the public may see), or withdraw
    it (None or blank). `base`: the proposal's load_id when the analyst opened it (queries on fact_usulan_anak);
    None skips that check (the row must still be the one read here). One new warehouse version per call; refused,
    with an Indonesian message and nothing written, when the text holds a NIK/KK, phone number or e-mail address,
    when the proposal changed since `base`, or when it is gone."""
    teks = " ".join(teks_publik.split()) if isinstance(teks_publik, str) else None
    teks = teks or None
    if teks is not None:
        refusal = personal_in(teks)
        if refusal:
            return _refused(refusal)
        if len(teks) > MAX_LENGTH:
            return _refused(f"Teks publik terlalu panjang ({len(teks)} huruf); paling banyak {MAX_LENGTH} huruf.")
    con = warehouse.connect_current(read_only=True)
    if con is None:
        return _refused("Belum ada gudang data; muat data usulan_anak dulu.")
    try:
        row = _row(con, usulan_id)
    finally:
        con.close()
    if row is None:
        return _refused(_stale_message(Stale(usulan_id, GONE)), [Stale(usulan_id, GONE)])
    if base is not None and row["load_id"] != base:
        stale = [Stale(usulan_id, CHANGED, row["user_name"], row["loaded_at"])]
        return _refused(StaleReview(stale).args[0], stale)
    stale: list[Stale] = []
    read = row["load_id"]

    def unchanged(con, frames: dict) -> None:
        """Inside the writer lock: the row is still the version read above (and `base`)."""
        now = _row(con, usulan_id)
        if now is None:
            stale.append(Stale(usulan_id, GONE))
        elif now["load_id"] != read:
            stale.append(Stale(usulan_id, CHANGED, now["user_name"], now["loaded_at"]))
        if stale:
            raise StaleReview(stale)

    cells = _file_row(row, teks)
    with tempfile.TemporaryDirectory(prefix="kla-edit-") as tmp:
        path = Path(tmp) / "usulan_anak.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(cells.keys())
            writer.writerow(cells.values())
        result = loader.load(
            "usulan_anak",
            [path],
            user=user,
            display_names=[source],
            scope=kabkota_of(row["kode_wilayah"]),
            precondition=unchanged,
            is_sample=bool(row["is_sample"]),
        )
    out = EditResult(**{f.name: getattr(result, f.name) for f in fields(result)}, stale=stale)
    if out.version:
        what = "teks publik ditinjau" if teks else "teks publik ditarik"
        audit.record("ubah", user, None, f"usulan_anak #{usulan_id}: {what} -> {out.version}")
    return out
