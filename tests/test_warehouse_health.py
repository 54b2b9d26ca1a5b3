"""A damaged version is found by reading it in full, never pointed at by repair or rollback, and shown as the
explanation page; a version a killed writer left complete but never in use is not offered for rollback.

Real DuckDB files damaged on disk (truncated, bytes flipped in the middle), the real CLI in subprocesses.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl import loader, warehouse
from tests.conftest import REPO, run_etl
from tests.corpus import KASUS_HEAD, kasus, xlsx

ENV = {"KLA_SALT": "sehat"}


def bulky(rows: int = 150_000):
    """A change that adds enough distinct values for the table data to fill most of the file: the middle of the
    file is then table data, not the unused tail of a block (which nothing reads, so nothing can find damage there)."""

    def change(con, version):
        con.execute(
            "INSERT INTO fact_nilai_indikator SELECT 2024, i % 24 + 1, random(), NULL, md5(i::varchar), NULL, "
            "md5((i * 7)::varchar) || md5(?::varchar || i::varchar), ?, '74.71', 'final' FROM range(?) t(i)",
            [version, version, rows],
        )

    return change


def truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


HEADERS = 3 * 4096  # a DuckDB file: three 4 KiB headers, then the blocks, each starting with its 8-byte checksum


def flip(path: Path) -> None:
    """64 bytes inverted in the middle of the table data: in the block of the bulky table nearest the middle of
    the file. (Later versions have free blocks in the middle, left by the copy-and-checkpoint; bytes there belong
    to no table, nothing reads them, and they are no damage.)"""
    con = warehouse.open_file(path)
    try:
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        blocks = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT block_id FROM pragma_storage_info('fact_nilai_indikator') WHERE block_id >= 0"
            ).fetchall()
        ]
    finally:
        con.close()
    middle = (path.stat().st_size - HEADERS) / block_size / 2
    block = min(blocks, key=lambda b: abs(b - middle))
    offset = HEADERS + block * block_size + 8 + 64
    with open(path, "r+b") as fh:
        fh.seek(offset)
        chunk = fh.read(64)
        fh.seek(offset)
        fh.write(bytes(b ^ 0xFF for b in chunk))


DAMAGE = {"terpotong": truncate, "bita-terbalik": flip}


@pytest.fixture()
def data(tmp_path, monkeypatch):
    """v0001 and v0002 (current), both healthy and mostly table data."""
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", ENV["KLA_SALT"])
    monkeypatch.delenv("KLA_FAULT", raising=False)
    warehouse.publish(bulky(), action="load")
    warehouse.publish(bulky(), action="load")
    assert warehouse.current_version() == "v0002"
    return d


def pointer(d: Path) -> str:
    return (d / "warehouse" / "CURRENT").read_text().strip()


def test_healthy_versions_are_healthy(data):
    assert warehouse.health("v0001") is None and warehouse.health("v0002") is None


@pytest.mark.parametrize("damage", DAMAGE)
def test_health_reads_every_table_in_full(data, damage):
    path = warehouse.version_path("v0002")
    DAMAGE[damage](path)
    con = warehouse.open_file(path)  # the file still opens: only a full read finds the damage
    con.close()
    reason = warehouse.health("v0002")
    assert reason and reason.startswith("tabel ") and "tidak dapat dibaca utuh dari kla-v0002.duckdb" in reason
    assert warehouse.health("v0001") is None


def test_health_of_a_file_that_is_no_database(data):
    warehouse.version_path("v0002").write_bytes(b"bukan basis data" * 100)
    assert "tidak dapat dibuka" in warehouse.health("v0002")
    assert "tidak ada" in warehouse.health("v0042")


@pytest.mark.parametrize("damage", DAMAGE)
def test_repair_moves_current_from_a_damaged_version_to_the_previous_healthy_one(data, tmp_path, damage):
    DAMAGE[damage](warehouse.version_path("v0002"))
    proc = run_etl(data, "repair", env=ENV)
    assert "Dilewati v0002:" in proc.stdout and "tidak dapat dibaca utuh" in proc.stdout
    assert "CURRENT sekarang menunjuk versi utuh v0001" in proc.stdout
    assert pointer(data) == "v0001"
    # loads work again, on top of the healthy version
    new = xlsx(tmp_path / "baru.xlsx", [KASUS_HEAD, kasus(1), kasus(2)])
    run_etl(data, "load", "kasus", str(new), env=ENV)
    assert pointer(data) == "v0003" and warehouse.health("v0003") is None
    again = run_etl(data, "repair", env=ENV)
    assert "sudah menunjuk versi utuh v0003; tidak ada yang diubah" in again.stdout and pointer(data) == "v0003"


def test_repair_keeps_a_healthy_current_version_after_a_rollback(data):
    run_etl(data, "rollback", "v0001", env=ENV)
    assert "tidak ada yang diubah" in run_etl(data, "repair", env=ENV).stdout
    assert pointer(data) == "v0001"


def test_repair_without_any_healthy_version(data):
    truncate(warehouse.version_path("v0001"))
    truncate(warehouse.version_path("v0002"))
    proc = run_etl(data, "repair", env=ENV, check=False)
    assert proc.returncode == 3 and "Tidak ada versi utuh" in proc.stdout
    assert "Dilewati v0002" in proc.stdout and "Dilewati v0001" in proc.stdout
    assert not (data / "warehouse" / "CURRENT").exists()


@pytest.mark.parametrize("damage", DAMAGE)
def test_rollback_to_a_damaged_version_is_refused(data, damage):
    DAMAGE[damage](warehouse.version_path("v0001"))
    before = warehouse.version_path("v0001").read_bytes()
    proc = run_etl(data, "rollback", "v0001", env=ENV, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Versi v0001 rusak dan tidak dapat dipakai" in proc.stderr and "CURRENT tetap di v0002" in proc.stderr
    assert pointer(data) == "v0002" and warehouse.version_path("v0001").read_bytes() == before
    with pytest.raises(warehouse.RollbackRefused, match="rusak"):
        warehouse.rollback("v0001")


def test_a_new_version_is_checked_before_current_moves(data):
    """A load on top of a damaged current version does not publish a copy of the damage."""
    flip(warehouse.version_path("v0002"))
    with pytest.raises(warehouse.WarehouseError, match="Versi baru v0003 tidak lolos pemeriksaan .*repair"):
        warehouse.publish(lambda con, v: None, action="load")
    assert warehouse.current_version() == "v0002" and warehouse.list_versions() == ["v0001", "v0002"]
    assert not [p for p in (data / "warehouse").iterdir() if ".tmp-" in p.name]


# --- the app --------------------------------------------------------------------------------------------------


def test_app_explains_a_damaged_current_version(data, fresh_streamlit_caches):
    from streamlit.testing.v1 import AppTest

    from kla.i18n import t

    truncate(warehouse.version_path("v0002"))
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [t("empty.broken_title")]
    body = " ".join(m.value for m in at.markdown)
    assert "v0002" in body and "python -m etl repair" in body


def test_damage_found_inside_a_page_gives_the_explanation_page(data, fresh_streamlit_caches):
    """The version passed its check, then a block it holds went bad (mtime kept): the page's query fails."""
    if "failure_message" not in (REPO / "app.py").read_text(encoding="utf-8"):
        pytest.skip("app.py does not wrap main() with kla.db.failure_message yet")
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kla import db
    from kla.i18n import t

    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception and not at.header
    path = warehouse.version_path("v0002")
    before = path.stat()
    flip(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    db._connection.clear()  # nothing of the file in memory any more
    st.cache_data.clear()
    at = AppTest.from_file("../app.py", default_timeout=120).run()  # a new view, as a browser would open it
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [t("empty.broken_title")]
    assert any("v0002" in m.value and "python -m etl repair" in m.value for m in at.markdown)


def test_failure_message_tells_damage_from_bugs(data, fresh_streamlit_caches):
    from kla import db

    key = db.current_key()
    assert db.failure_message(duckdb.BinderException("kolom tidak ada"), key) is None  # a bug: stays visible
    assert db.failure_message(ValueError("x"), key) is None
    assert db.failure_message(warehouse.WarehouseError("rusak"), key) == "rusak"
    gone = str(warehouse.version_path("v0001"))
    warehouse.version_path("v0001").unlink()  # a pruned old version is no damage
    assert db.failure_message(duckdb.IOException("No such file"), gone) is None
    flip(warehouse.version_path("v0002"))
    message = db.failure_message(duckdb.IOException("Corrupt database file"), key)
    assert message and "v0002" in message and "python -m etl repair" in message
    with pytest.raises(warehouse.WarehouseError, match="v0002"):  # the next view: explanation page
        db.current_key()


# --- versions never in use --------------------------------------------------------------------------------------


@pytest.fixture()
def killed_after_rename(tmp_path, monkeypatch):
    """v0001, v0002 (current) by real loads, then a load killed (SIGKILL) right after its rename: v0003 complete,
    never current."""
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", ENV["KLA_SALT"])
    monkeypatch.delenv("KLA_FAULT", raising=False)
    assert loader.load("kasus", [xlsx(tmp_path / "a.xlsx", [KASUS_HEAD, kasus(1)])]).ok
    assert loader.load("kasus", [xlsx(tmp_path / "b.xlsx", [KASUS_HEAD, kasus(1), kasus(2)])]).ok
    new = xlsx(tmp_path / "c.xlsx", [KASUS_HEAD, kasus(1), kasus(2), kasus(3)])
    mark = tmp_path / "mark"
    env = {**os.environ, "KLA_DATA_DIR": str(d), **ENV, "KLA_FAULT": "after-rename:hang", "KLA_FAULT_MARK": str(mark)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", "kasus", str(new)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while not mark.exists():
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert warehouse.list_versions() == ["v0001", "v0002", "v0003"] and pointer(d) == "v0002"
    assert warehouse.health("v0003") is None  # complete: the danger is that it looks like any other version
    return d


def test_a_version_never_in_use_is_labelled_and_not_offered(killed_after_rename):
    d = killed_after_rename
    assert warehouse.never_current() == {"v0003"}
    assert warehouse.rollback_targets() == ["v0001"]  # what the Data page offers
    history = run_etl(d, "history", env=ENV).stdout
    assert "Versi tersimpan: v0001, v0002*, v0003 (tidak pernah dipakai)" in history
    listing = run_etl(d, "rollback", env=ENV).stdout
    assert "Versi yang bisa dikembalikan (terbaru dulu): v0001\n" in listing
    assert "Tidak ditawarkan (tidak pernah dipakai): v0003" in listing
    refused = run_etl(d, "rollback", "v0003", env=ENV, check=False)
    assert refused.returncode == 1 and "tidak pernah dipakai" in refused.stderr and "--paksa" in refused.stderr
    assert pointer(d) == "v0002"


def test_a_version_never_in_use_can_be_chosen_on_purpose(killed_after_rename):
    d = killed_after_rename
    run_etl(d, "rollback", "v0003", "--paksa", env=ENV)
    assert pointer(d) == "v0003" and warehouse.never_current() == set()
    assert "(tidak pernah dipakai)" not in run_etl(d, "history", env=ENV).stdout


def test_repair_passes_over_a_version_never_in_use(killed_after_rename):
    d = killed_after_rename
    (d / "warehouse" / "CURRENT").write_text("\x00rusak")
    proc = run_etl(d, "repair", env=ENV)
    assert "Dilewati v0003: tidak pernah dipakai" in proc.stdout
    assert "CURRENT sekarang menunjuk versi utuh v0002" in proc.stdout and pointer(d) == "v0002"


def test_the_next_load_after_the_kill_gets_a_new_number(killed_after_rename, tmp_path):
    d = killed_after_rename
    run_etl(d, "load", "kasus", str(xlsx(tmp_path / "d.xlsx", [KASUS_HEAD, kasus(4)])), env=ENV)
    assert pointer(d) == "v0004" and warehouse.never_current() == {"v0003"}
    assert warehouse.rollback_targets() == ["v0002", "v0001"]


# --- the pointer log itself -------------------------------------------------------------------------------------


def test_pointer_log_records_every_move(data):
    warehouse.rollback("v0001")
    warehouse.pointer_path().write_text("rusak")
    warehouse.repair()
    lines = [line.split("\t") for line in warehouse.pointer_log_path().read_text().splitlines()]
    assert [(v, how) for v, _, how in lines] == [
        ("v0001", "load"),
        ("v0002", "load"),
        ("v0001", "kembalikan"),
        ("v0002", "perbaiki"),
    ]


def test_a_warehouse_from_before_the_log_hides_nothing(data):
    warehouse.pointer_log_path().unlink()
    assert warehouse.ever_current() is None and warehouse.never_current() == set()
    warehouse.publish(lambda con, v: None, action="load")
    assert warehouse.never_current() == set()
    assert warehouse.rollback_targets() == ["v0002", "v0001"]
    assert "v0001\t-\tsebelum-catatan" in warehouse.pointer_log_path().read_text()


def test_a_torn_log_line_is_ignored(data):
    with open(warehouse.pointer_log_path(), "a") as fh:
        fh.write("v00")  # a crash in the middle of an append
    warehouse.publish(lambda con, v: None, action="load")
    assert warehouse.ever_current() == {"v0001", "v0002", "v0003"}
    assert "v00\nv0003\t" in warehouse.pointer_log_path().read_text()


def test_a_number_in_the_log_is_never_reused(data):
    """A crash after the log line and before CURRENT moved, and a failed publish that then removed the file."""
    with open(warehouse.pointer_log_path(), "a") as fh:
        fh.write("v0003\t2025-01-01T00:00:00\tload\n")
    assert warehouse.publish(lambda con, v: None, action="load").version == "v0004"
