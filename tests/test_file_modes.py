"""Data files are owner-only: versions, CURRENT and its log, audit trail, salt, accounts, sample inputs, problem
reports beside the warehouse, lock files. One umask (warehouse.private_files, set first by the CLI and the app), and
the warehouse and audit modules create their files 0600 even in a process that did not set it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from etl import audit, warehouse
from tests.conftest import add_accounts, run_etl
from tests.corpus import KASUS_HEAD, kasus, xlsx


def modes(root: Path) -> dict[str, str]:
    """Every file and folder under root (root included) -> its permission bits."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in root.rglob("*"):
        found[str(p.relative_to(root))] = oct(stat.S_IMODE(p.lstat().st_mode))
    return found


def readable_by_others(root: Path) -> dict[str, str]:
    return {name: mode for name, mode in modes(root).items() if int(mode, 8) & 0o077}


def test_every_file_after_sample_and_load_is_private(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "sample")
    new = xlsx(tmp_path / "kasus.xlsx", [KASUS_HEAD, kasus(1), kasus(2)])
    run_etl(data, "load", "kasus", str(new), "--report", str(data / "laporan-kasus.xlsx"))
    bad = xlsx(tmp_path / "salah.xlsx", [KASUS_HEAD, kasus(3, usia="1O")])
    assert (
        run_etl(data, "load", "kasus", str(bad), "--report", str(data / "laporan-salah.xlsx"), check=False).returncode
        == 1
    )
    add_accounts(data)
    run_etl(data, "rollback", "v0002")
    run_etl(data, "repair")
    names = set(modes(data))
    for expected in (
        "audit.jsonl",
        "audit.jsonl.lock",
        "salt.key",
        "users.yaml",
        "laporan-kasus.xlsx",
        "laporan-salah.xlsx",
        "sample",
        "warehouse",
        "warehouse/CURRENT",
        "warehouse/CURRENT.log",
        "warehouse/.lock",
        "warehouse/kla-v0001.duckdb",
        "warehouse/kla-v0007.duckdb",
    ):
        assert expected in names, sorted(names)
    assert any(n.startswith("sample/contoh_") for n in names)
    assert readable_by_others(data) == {}


@pytest.fixture()
def loose_umask():
    """A process that never called private_files() (the app before its first line, a test, a script)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_warehouse_and_audit_files_are_private_without_the_umask(tmp_path, monkeypatch, loose_umask):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    monkeypatch.delenv("KLA_FAULT", raising=False)
    warehouse.publish(lambda con, v: None, action="load")  # the first version: created by DuckDB
    warehouse.publish(lambda con, v: None, action="load")  # a copy
    warehouse.rollback("v0001")
    (warehouse.warehouse_dir() / "kla-v0009.duckdb.tmp-1").write_bytes(b"")  # a killed writer's leftover
    warehouse.repair()
    audit.record("muat", "uji", "cli", "mode berkas")
    assert readable_by_others(data) == {}
    assert {"warehouse/CURRENT", "warehouse/CURRENT.log", "warehouse/.lock", "audit.jsonl", "audit.jsonl.lock"} <= set(
        modes(data)
    )


def test_repair_closes_files_an_older_release_left_readable(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "kasus", str(xlsx(tmp_path / "k.xlsx", [KASUS_HEAD, kasus(1)])))
    for p in [data, *data.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    (data / "reference").mkdir()  # not data: a folder repair leaves alone
    (data / "reference").chmod(0o755)  # whatever this process's umask (the app tests set 077 in-process)
    assert readable_by_others(data)
    proc = run_etl(data, "repair")
    assert "ditutup untuk pengguna lain" in proc.stdout
    left = readable_by_others(data)
    assert set(left) == {".", "reference"}, left  # KLA_DATA_DIR itself may be the repository's data/ folder
