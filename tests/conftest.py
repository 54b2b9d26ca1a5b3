"""Shared fixtures: a warehouse built by the real ETL from the generated sample inputs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# AppTest cannot carry cookies: let sign_in() hand a real session token over in session state (kla/auth.token).
os.environ["KLA_TEST_SESSIONS"] = "1"
# The sample (public record, then synthetic datasets) fills the default 10 kept versions: tests that count "one
# new version per write" need room before the oldest is pruned (tests/test_warehouse.py tests pruning itself).
os.environ.setdefault("KLA_KEEP_VERSIONS", "40")
GEO = REPO / "data" / "publik" / "batas"  # Kendari's boundaries as the repository ships them (no ../shared needed)


def run_etl(data_dir: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m etl ARGS` as a user would, against KLA_DATA_DIR=data_dir."""
    full_env = {**os.environ, "KLA_DATA_DIR": str(data_dir), "PYTHONUTF8": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"etl {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def sql(data_dir: Path, query: str, params=()):
    """A query on data_dir's current warehouse version, read straight from the file (the tests' truth)."""
    from etl import warehouse

    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data_dir / "warehouse" / f"kla-{version}.duckdb")
    try:
        return con.execute(query, params).df()
    finally:
        con.close()


ID_MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def year_label(data_dir: Path, year: int) -> str:
    """How pages name a year of cases, from SQL: "2025 (Jan–Okt)" when the register's last month of report is in
    that year and before December, else "2025"."""
    last = sql(data_dir, "SELECT max(bulan_pelaporan) AS b FROM fact_kasus")["b"][0]
    if last is None or last != last or last.year != year or last.month == 12:
        return str(year)
    return f"{year} (Jan–{ID_MONTHS[last.month - 1]})"


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory) -> Path:
    """KLA_DATA_DIR holding the sample warehouse, built once per test session by `python -m etl sample`.

    KLA_TEST_DATA_DIR points at an already built one instead (handy while developing a page).
    """
    prebuilt = os.environ.get("KLA_TEST_DATA_DIR")
    if prebuilt:
        return Path(prebuilt)
    data_dir = tmp_path_factory.mktemp("kla-sample")
    run_etl(data_dir, "sample")
    return data_dir


@pytest.fixture()
def fresh_streamlit_caches():
    """AppTest runs in this process: clear Streamlit's caches around each app test."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def geo_data_dir(tmp_path_factory, sample_data_dir) -> Path:
    """A copy of the sample warehouse with Kendari's real boundaries (`etl sample` loads the shipped ones from
    data/publik/batas; a prebuilt KLA_TEST_DATA_DIR without them gets them loaded by the CLI)."""
    import shutil

    data_dir = tmp_path_factory.mktemp("kla-geo") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    if not len(sql(data_dir, "SELECT kode FROM geo_batas WHERE level = 'kecamatan'")):
        run_etl(
            data_dir, "load", "batas", str(GEO / "kendari_kecamatan.geojson"), str(GEO / "kendari_kelurahan.geojson")
        )
    return data_dir


@pytest.fixture(scope="session")
def no_geo_data_dir(tmp_path_factory) -> Path:
    """The synthetic sample alone, without the shipped public record: a warehouse with no boundaries (the map's
    fallback, as in a deployment for a region whose boundaries were never loaded)."""
    from etl import loader, sample

    data_dir = tmp_path_factory.mktemp("kla-no-geo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KLA_DATA_DIR", str(data_dir))
        for dataset, paths in sample.generate(data_dir / "sample").items():
            assert loader.load(dataset, paths, user="contoh", is_sample=True).ok, dataset
    return data_dir


ANALIS = ("ani.dp3a", "rahasia-analis-1")
ADMIN = ("admin.dp3a", "rahasia-admin-1")


def add_accounts(data_dir: Path) -> None:
    """An analyst and an admin in data_dir's users file (through the CLI, as an admin would)."""
    for (name, password), role in ((ANALIS, "analis"), (ADMIN, "admin")):
        proc = subprocess.run(
            [sys.executable, "-m", "etl", "user", "add", name, "--role", role, "--password-stdin"],
            cwd=REPO,
            env={**os.environ, "KLA_DATA_DIR": str(data_dir)},
            input=password + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0 or "sudah ada" in proc.stderr, proc.stderr


def sign_in(at, account=ANALIS):
    """Log in with the same password check the /akun/masuk endpoint makes, then hand the session token to this
    AppTest session (AppTest cannot carry cookies; tests/test_sessions.py drives the real endpoint)."""
    from etl import sessions, users
    from kla import auth

    outcome, _ = users.verify(*account)
    assert outcome == "ok", outcome
    at.session_state[auth.TEST_TOKEN] = sessions.create(account[0], "apptest")
    at.switch_page("pages/masuk.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def own_sample(tmp_path, sample_data_dir, monkeypatch):
    """A private copy of the sample warehouse, as KLA_DATA_DIR (for tests that write)."""
    import shutil

    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    return d


def xlsx_bytes(head: list, rows: list, title: str | None = None) -> bytes:
    """An Excel file in memory: an optional title row, the header, the rows."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
