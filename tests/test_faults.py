"""Faults: the real loader killed (SIGKILL) at every point of a load, a full disk during publish, a
damaged pointer or version file, queries running while a load publishes, two loads at once."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from etl import loader, warehouse
from tests.conftest import REPO, run_etl
from tests.corpus import KASUS_HEAD, kasus, xlsx

pytestmark = pytest.mark.slow


@pytest.fixture()
def data(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "fault")
    monkeypatch.delenv("KLA_FAULT", raising=False)
    assert loader.load("kasus", [xlsx(tmp_path / "awal.xlsx", [KASUS_HEAD, kasus(1), kasus(2)])]).ok
    return d


def snapshot(d):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((d / "warehouse").iterdir())
        if p.name != ".lock"
    }


def count(sql="SELECT count(*) FROM fact_kasus"):
    con = warehouse.connect_current()
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def leftovers(d):
    return [p.name for p in (d / "warehouse").iterdir() if ".tmp-" in p.name]


KILLED = []


@pytest.mark.parametrize("stage", warehouse.LOAD_STAGES)
def test_loader_killed_at_every_point(data, tmp_path, stage):
    new = xlsx(tmp_path / "baru.xlsx", [KASUS_HEAD, kasus(3), kasus(4)])
    mark = tmp_path / "mark"
    env = {
        **os.environ,
        "KLA_DATA_DIR": str(data),
        "KLA_SALT": "fault",
        "KLA_FAULT": f"{stage}:hang",
        "KLA_FAULT_MARK": str(mark),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", "kasus", str(new)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while not mark.exists():
        assert proc.poll() is None, f"the loader ended before reaching {stage}"
        assert time.time() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # CURRENT names a complete, readable version: the old one, or the new one when the kill came after the switch
    assert warehouse.current_version() in ("v0001", "v0002")
    assert count() in (2, 4)
    assert count("SELECT count(*) FROM meta_version") >= 1
    # the next load succeeds and cleans up what the killed one left
    again = run_etl(data, "load", "kasus", str(new), env={"KLA_SALT": "fault"})
    assert again.returncode == 0
    assert count() == 4
    assert leftovers(data) == []
    KILLED.append(stage)


def test_twenty_kill_points():
    assert len(warehouse.LOAD_STAGES) >= 20


@pytest.mark.parametrize("stage", ["after-copy", "after-change", "after-checkpoint", "after-fsync"])
def test_full_disk_during_publish_changes_nothing(data, tmp_path, stage):
    before = snapshot(data)
    new = xlsx(tmp_path / "baru.xlsx", [KASUS_HEAD, kasus(3)])
    proc = run_etl(
        data, "load", "kasus", str(new), check=False, env={"KLA_SALT": "fault", "KLA_FAULT": f"{stage}:enospc"}
    )
    assert proc.returncode == 3
    assert "Ruang disk penuh" in proc.stderr and "Tidak ada yang berubah" in proc.stderr and "v0001" in proc.stderr
    assert snapshot(data) == before and leftovers(data) == []


def test_damaged_pointer_and_version_file_are_repaired(data, tmp_path):
    assert loader.load("kasus", [xlsx(tmp_path / "b.xlsx", [KASUS_HEAD, kasus(3)])]).ok  # v0002
    (data / "warehouse" / "CURRENT").write_text("\x00\x00rusak")
    proc = run_etl(data, "load", "kasus", str(tmp_path / "b.xlsx"), check=False, env={"KLA_SALT": "fault"})
    assert proc.returncode == 3 and "python -m etl repair" in proc.stderr
    assert "v0002" in run_etl(data, "repair").stdout
    with open(data / "warehouse" / "kla-v0002.duckdb", "r+b") as fh:  # a torn version file
        fh.truncate(4096)
    out = run_etl(data, "repair").stdout
    assert "v0001" in out and warehouse.current_version() == "v0001" and count() == 2


def test_queries_keep_working_while_a_load_publishes(data, tmp_path):
    from kla import db

    errors, seen = [], [set() for _ in range(10)]
    stop = threading.Event()

    def reader(i):
        while not stop.is_set():
            try:
                key = db.current_key()
                n = int(db.query(key, "SELECT count(*) AS n FROM fact_kasus")["n"].iloc[0])
                seen[i].add((db.version_of(key), n))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            time.sleep(0.01)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(10)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    result = loader.load("kasus", [xlsx(tmp_path / "c.xlsx", [KASUS_HEAD, *[kasus(i) for i in range(3, 40)]])])
    time.sleep(0.5)
    stop.set()
    for th in threads:
        th.join(30)
    assert result.ok and errors == []
    for s in seen:  # every thread saw the old version, then the new one on its next run
        assert ("v0001", 2) in s and (result.version, 39) in s and len(s) == 2


def test_two_loads_at_once_both_land(data, tmp_path):
    a = xlsx(tmp_path / "a.xlsx", [KASUS_HEAD, kasus(10)])
    b = xlsx(tmp_path / "b.xlsx", [KASUS_HEAD, kasus(11)])
    env = {**os.environ, "KLA_DATA_DIR": str(data), "KLA_SALT": "fault"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "etl", "load", "kasus", str(p)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in (a, b)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert warehouse.list_versions() == ["v0001", "v0002", "v0003"] and count() == 4


def test_a_warehouse_from_an_older_release_is_upgraded(data, monkeypatch):
    """An older release had no kasus_rekap table and no estimate flag: the app upgrades the schema as a new
    version (data untouched) instead of failing, and `etl upgrade` does the same from the command line."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = warehouse.version_path(warehouse.current_version())
    con = warehouse.open_file(path, read_only=False)
    con.execute("DROP TABLE fact_kasus_rekap")
    con.execute("ALTER TABLE fact_penduduk DROP COLUMN estimasi")
    con.execute("CHECKPOINT")
    con.close()
    before = count()
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("pages/ringkasan.py", "pages/kekerasan.py", "pages/peta.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert warehouse.current_version() == "v0002" and count() == before
    con = warehouse.connect_current()
    assert con.execute("SELECT action FROM meta_version ORDER BY created_at DESC LIMIT 1").fetchone()[0] == "upgrade"
    assert not warehouse.missing_columns(con)
    con.close()
    assert "sudah mutakhir" in run_etl(data, "upgrade").stdout
    st.cache_data.clear()
    st.cache_resource.clear()
