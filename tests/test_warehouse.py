"""Publishing is atomic: a failed or killed load leaves CURRENT naming a complete, readable version."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from etl import warehouse

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KLA_FAULT", raising=False)
    return tmp_path


def add_row(value: int):
    def change(con, version):
        con.execute(
            "INSERT INTO fact_nilai_indikator VALUES (2024, ?, ?, NULL, 'X', NULL, NULL, ?, '74.71', 'final')",
            [value, float(value), version],
        )

    return change


def count_rows(version: str) -> int:
    con = warehouse.open_file(str(warehouse.version_path(version)))
    try:
        return con.execute("SELECT count(*) FROM fact_nilai_indikator").fetchone()[0]
    finally:
        con.close()


def test_publish_creates_versions_and_pointer(data_dir):
    assert warehouse.current_version() is None
    p1 = warehouse.publish(add_row(1), action="load")
    p2 = warehouse.publish(add_row(2), action="load")
    assert (p1.version, p2.version) == ("v0001", "v0002")
    assert warehouse.current_version() == "v0002"
    assert count_rows("v0001") == 1 and count_rows("v0002") == 2
    assert not list((data_dir / "warehouse").glob("*.wal"))
    con = warehouse.connect_current()
    assert con.execute("SELECT count(*) FROM ref_indikator").fetchone()[0] == 24
    assert con.execute("SELECT count(*) FROM dim_wilayah WHERE level = 'kelurahan'").fetchone()[0] == 65
    con.close()


def test_exception_mid_load_leaves_previous_version(data_dir):
    warehouse.publish(add_row(1), action="load")
    before = (data_dir / "warehouse" / "kla-v0001.duckdb").read_bytes()

    def bad(con, version):
        add_row(2)(con, version)
        raise ValueError("boom")

    with pytest.raises(ValueError):
        warehouse.publish(bad, action="load")
    assert warehouse.current_version() == "v0001"
    assert warehouse.list_versions() == ["v0001"]
    assert (data_dir / "warehouse" / "kla-v0001.duckdb").read_bytes() == before
    assert not [p for p in (data_dir / "warehouse").iterdir() if ".tmp-" in p.name]


@pytest.mark.parametrize("stage", warehouse.STAGES[: warehouse.STAGES.index("after-pointer")])
def test_injected_fault_at_each_stage(data_dir, monkeypatch, stage):
    warehouse.publish(add_row(1), action="load")
    monkeypatch.setenv("KLA_FAULT", f"{stage}:raise")
    with pytest.raises(RuntimeError):
        warehouse.publish(add_row(2), action="load")
    monkeypatch.delenv("KLA_FAULT")
    current = warehouse.current_version()
    assert current in ("v0001", "v0002")
    assert count_rows(current) in (1, 2)
    # the next load works and leftovers are gone
    nxt = warehouse.publish(add_row(3), action="load")
    assert warehouse.current_version() == nxt.version
    assert not [p for p in (data_dir / "warehouse").iterdir() if ".tmp-" in p.name]


def test_second_writer_waits_or_fails_clearly(data_dir):
    warehouse.publish(add_row(1), action="load")
    release = threading.Event()
    entered = threading.Event()

    def slow(con, version):
        entered.set()
        release.wait(10)

    t = threading.Thread(target=lambda: warehouse.publish(slow, action="load"))
    t.start()
    entered.wait(10)
    with pytest.raises(warehouse.WarehouseError, match="sedang diperbarui"):
        warehouse.publish(add_row(2), action="load", lock_timeout=0.2)
    release.set()
    t.join()
    assert warehouse.current_version() == "v0002"


def test_rollback_and_prune(data_dir, monkeypatch):
    for i in range(5):
        warehouse.publish(add_row(i), action="load", keep=3)
    assert warehouse.list_versions() == ["v0003", "v0004", "v0005"]
    warehouse.rollback("v0003")
    assert warehouse.current_version() == "v0003"
    with pytest.raises(warehouse.WarehouseError, match="tidak ada"):
        warehouse.rollback("v0001")
    nxt = warehouse.publish(add_row(9), action="load", keep=3)
    assert nxt.version == "v0006" and count_rows("v0006") == count_rows("v0003") + 1


def test_damaged_pointer_is_reported_and_repaired(data_dir):
    warehouse.publish(add_row(1), action="load")
    warehouse.publish(add_row(2), action="load")
    warehouse.pointer_path().write_text("garbage\x00")
    with pytest.raises(warehouse.WarehouseError, match="repair"):
        warehouse.current_version()
    assert warehouse.repair() == "v0002"
    warehouse.version_path("v0002").write_bytes(b"not a database")
    warehouse.pointer_path().write_text("v0002\n")
    assert warehouse.repair() == "v0001"
