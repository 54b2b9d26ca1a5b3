"""Access and security: roles refused on the server, exact numbers only for analysts, lockout, the users
file, the PII guard (no personal value anywhere in the warehouse), parameterised filters."""

from __future__ import annotations

import datetime as dt
import shutil
import stat

import duckdb
import openpyxl
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from etl import audit, loader, users, warehouse
from kla import queries
from kla.privacy import protect
from tests.conftest import ADMIN, ANALIS, add_accounts, run_etl, sign_in
from tests.tables import tables

APP = "../app.py"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture()
def own_sample(tmp_path, sample_data_dir, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    add_accounts(d)
    return d


def app(monkeypatch, data_dir) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    return AppTest.from_file(APP, default_timeout=120).run()


def refused(at) -> bool:
    return any("hanya untuk" in e.value for e in at.error)


def test_anonymous_cannot_upload_edit_roll_back_or_audit(monkeypatch, own_sample):
    at = app(monkeypatch, own_sample)
    at.switch_page("pages/data.py").run()  # a direct URL: the page runs and refuses on the server
    assert refused(at) and not at.file_uploader and "rollback_go" not in [b.key for b in at.button]
    at.switch_page("pages/admin.py").run()
    assert refused(at) and not at.dataframe
    at.switch_page("pages/progres.py").run()
    keys = [w.key for w in at.text_area] + [b.key for b in at.button]
    assert not any(k and k.startswith(("tl_new", "tl_edit")) for k in keys)
    assert any("Masuk sebagai analis" in c.value for c in at.caption)


def test_analyst_uploads_but_cannot_roll_back_admin_can(monkeypatch, own_sample):
    at = sign_in(app(monkeypatch, own_sample), ANALIS)
    at.switch_page("pages/data.py").run()
    assert not refused(at) and at.file_uploader
    assert "rollback_go" not in [b.key for b in at.button]
    at.switch_page("pages/admin.py").run()
    assert refused(at)
    at = sign_in(app(monkeypatch, own_sample), ADMIN)
    at.switch_page("pages/data.py").run()
    assert "rollback_go" in [b.key for b in at.button]
    at.switch_page("pages/admin.py").run()
    assert not refused(at)
    log = at.dataframe[0].value
    assert {"sesi"} <= set(log["Aksi"]) and "admin.dp3a" in set(log["Pengguna"])


def small_cells(data_dir):
    """(kecamatan, year, exact count) of every kecamatan x year cell the public table hides as <5."""
    con = warehouse.connect_current()
    df = con.execute("SELECT kode_kecamatan k, year(bulan_pelaporan) y, count(*) n FROM fact_kasus GROUP BY ALL").df()
    kec = [r[0] for r in con.execute("SELECT kode FROM dim_wilayah WHERE level='kecamatan' ORDER BY 1").fetchall()]
    con.close()
    table = df.pivot_table(index="k", columns="y", values="n", aggfunc="sum", fill_value=0).reindex(
        index=kec, fill_value=0
    )
    return table, protect(table, public=True).shown()


def kekerasan_table(at):
    return next(d for d in tables(at) if "Jumlah" in d.columns)


def test_public_sees_suppressed_analyst_sees_exact(monkeypatch, own_sample):
    table, public = small_cells(own_sample)
    y0, y1 = int(table.columns.min()), int(table.columns.max())
    state = {"kek_from": y0, "tahun": y1}
    at = app(monkeypatch, own_sample)
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page("pages/kekerasan.py").run()
    shown = kekerasan_table(at)
    assert (shown.astype(str) == "<5").to_numpy().any()
    at = sign_in(app(monkeypatch, own_sample), ANALIS)
    at.session_state["kek_from"] = y0
    at.session_state["tahun"] = y1
    at.switch_page("pages/kekerasan.py").run()
    exact = kekerasan_table(at)
    assert not (exact.astype(str) == "<5").to_numpy().any() and not (exact.astype(str) == "*").to_numpy().any()
    hidden_somewhere = (public.astype(str) == "<5").to_numpy().any()
    assert hidden_somewhere


def test_wrong_passwords_lock_the_account(monkeypatch, own_sample):
    """The password check the login endpoint makes (tests/test_sessions.py drives it over HTTP)."""
    import time

    for n in range(1, users.MAX_ATTEMPTS + 1):
        outcome, count = users.verify(ANALIS[0], "bukan-kata-sandinya")
        assert (outcome, count) == (("terkunci" if n == users.MAX_ATTEMPTS else "salah"), n)
        if n < users.MAX_ATTEMPTS:
            assert users.verify(ANALIS[0], ANALIS[1])[0] == "tunggu"  # too soon: not even compared
            time.sleep(users.BACKOFF_S[n] + 0.05)
    assert users.verify(ANALIS[0], ANALIS[1]) == ("terkunci", users.MAX_ATTEMPTS)  # the right one no longer opens it
    assert [u for u in users.listing() if u["pengguna"] == ANALIS[0]][0]["terkunci"]
    assert users.verify("tidak.ada", "apa-saja-123") == ("tidak_ada", 0)
    run_etl(own_sample, "user", "unlock", ANALIS[0])
    assert users.verify(ANALIS[0], ANALIS[1]) == ("ok", 0)
    at = sign_in(app(monkeypatch, own_sample), ANALIS)
    assert any("Anda masuk sebagai" in m.value for m in at.markdown)


def test_users_file_has_no_plaintext_and_cli_manages_it(own_sample):
    text = users.path().read_text(encoding="utf-8")
    assert ANALIS[1] not in text and ADMIN[1] not in text
    data = yaml.safe_load(text)
    assert data["usernames"][ANALIS[0]]["password"].startswith("$2")  # bcrypt
    assert stat.S_IMODE(users.path().stat().st_mode) == 0o600
    out = run_etl(own_sample, "user", "list").stdout
    assert ANALIS[0] in out and "analis" in out
    bad = run_etl(own_sample, "user", "add", "Bukan Nama!", "--password-stdin", check=False)
    assert bad.returncode == 2 and "Nama pengguna hanya" in bad.stderr
    run_etl(own_sample, "user", "remove", ANALIS[0])
    assert ANALIS[0] not in run_etl(own_sample, "user", "list").stdout


PII = {
    "Nama Korban": "Siti Aminah Contoh",
    "NIK": "7471011203120004",
    "No KK": "7471010101010099",
    "Alamat": "Jl. Melati No. 12 RT 03",
    "No HP": "081234567890",
    "Tanggal Lahir": "12/03/2012",
    "Nama Ayah": "Budi Hartono Contoh",
}


def test_personal_columns_leave_no_value_anywhere_in_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KLA_SALT", "s")
    wb = openpyxl.Workbook()
    ws = wb.active
    head = [
        "No",
        "No. Register",
        *PII,
        "Tanggal Kejadian",
        "Tanggal Pelaporan",
        "Kecamatan",
        "Kelurahan",
        "Jenis Kelamin",
        "Usia",
        "Bentuk Kekerasan",
    ]
    ws.append(head)
    ws.append(
        [
            1,
            "REG/2024/0001",
            *PII.values(),
            dt.date(2024, 3, 2),
            dt.date(2024, 3, 20),
            "Mandonga",
            "Korumba",
            "P",
            12,
            "Psikis",
        ]
    )
    path = tmp_path / "kasus_pii.xlsx"
    wb.save(path)
    result = loader.load("kasus", [path])
    assert result.ok, result.report.to_text()
    assert set(PII) <= set(result.report.dropped_columns)
    con = warehouse.connect_current()
    needles = [*PII.values(), "REG/2024/0001", "Siti", "Aminah", "Melati", "081234567890"]
    for table, col in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall():
        for needle in needles:
            n = con.execute(f'SELECT count(*) FROM "{table}" WHERE contains("{col}", ?)', [needle]).fetchone()[0]
            assert n == 0, (table, col, needle)
    assert con.execute("SELECT day(bulan_kejadian) FROM fact_kasus").fetchone()[0] == 1  # month precision
    con.close()


def test_a_nik_in_a_kept_column_rejects_the_file_and_names_the_column(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama", "Kecamatan", "Kelurahan", "Status", "Pengelola"])
    ws.append(["Taman A", "Mandonga", "Korumba", "Proses", "Pak RT 7471011203120004"])
    path = tmp_path / "rbra_nik.xlsx"
    wb.save(path)
    result = loader.check("rbra", [path])
    text = result.report.to_text()
    assert not result.ok and "NIK" in text and "Pengelola" in text and "7471011203120004" not in text


def test_sql_fragments_in_filters_change_nothing(monkeypatch, sample_data_dir):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    from kla import db

    key = db.current_key()
    evil = "74.71.01' OR '1'='1"
    assert queries.children(key, 2025, evil) is None
    assert len(queries.case_counts(key, ("tahun",), "pelaporan", 2019, 2025, evil)) == 0
    assert queries.rbra_counts(key, 2025, evil) == (0, 0)
    with pytest.raises(KeyError):
        queries.case_counts(key, ("tahun; DROP TABLE fact_kasus",), "pelaporan", 2019, 2025)
    with pytest.raises(KeyError):
        queries.case_counts(key, ("tahun",), "pelaporan) OR (1=1", 2019, 2025)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["kecamatan"] = evil  # a tampered widget value is replaced, not queried
    at.run()
    assert not at.exception
    assert at.session_state["kecamatan"] == "semua"
    con = duckdb.connect(
        str(sample_data_dir / "warehouse" / f"kla-{warehouse.current_version()}.duckdb"),
        read_only=True,
        config=warehouse.DUCKDB_CONFIG,
    )
    assert con.execute("SELECT count(*) FROM fact_kasus").fetchone()[0] > 0
    con.close()


def test_audit_records_who_and_what(own_sample):
    run_etl(own_sample, "rollback", warehouse.list_versions()[-2])
    events = audit.read()
    assert events[0]["aksi"] == "kembalikan" and events[0]["peran"] == "cli"
    assert {"pengguna"} <= {e["aksi"] for e in events}  # the accounts made by the fixture
    assert all({"waktu", "pengguna", "peran", "aksi", "rincian"} <= set(e) for e in events)
