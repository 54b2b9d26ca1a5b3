"""Backups (issue 24, item 3): `python -m etl backup` and `restore` end to end, through the CLI as an operator runs
them, on a warehouse built by the real ETL with real accounts, a cookie key and evidence files.

The restored dashboard is identical: every table holds the same rows, the users file, salt and cookie key are the
same bytes (so the same passwords work and re-loaded cases keep their ids), the evidence files are there, every file
is 0600, and the app serves the same Ringkasan figures (AppTest on both folders). A wrong passphrase, a tampered
file, a file whose manifest does not match and a non-empty folder are refused in Indonesian with nothing written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import backup, warehouse
from tests.conftest import ANALIS, add_accounts, run_etl

APP = "../app.py"
SECRET = "kata-sandi-cadangan-uji-1"
ENV = {"KLA_BACKUP_PASSPHRASE": SECRET}
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="module")
def original(tmp_path_factory, sample_data_dir) -> Path:
    """The sample warehouse plus two accounts, a cookie key, an evidence file and an OPD address list."""
    d = tmp_path_factory.mktemp("asli") / "data"
    shutil.copytree(sample_data_dir, d)
    add_accounts(d)
    (d / "cookie.key").write_text("ab" * 32, encoding="ascii")
    (d / "bukti" / "2025" / "I.1").mkdir(parents=True)
    (d / "bukti" / "2025" / "I.1" / "sk-gugus-tugas.pdf").write_bytes(b"%PDF-1.4 bukti uji\n")
    (d / "opd_email.csv").write_text("opd,email\nDinas Sosial,dinsos@example.test\n", encoding="utf-8")
    (d / "kunci-kabkota").mkdir()
    (d / "kunci-kabkota" / "74.72.pem").write_text("-----BEGIN PUBLIC KEY-----\nuji\n-----END PUBLIC KEY-----\n")
    (d / "kunci-paket.pem").write_text("kunci privat: tidak ikut cadangan\n")
    return d


@pytest.fixture(scope="module")
def made(original, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cadangan")
    proc = run_etl(original, "backup", str(out / "malam"), env=ENV)
    assert "terenkripsi" in proc.stdout, proc.stdout
    [file] = (out / "malam").iterdir()
    return file


@pytest.fixture(scope="module")
def restored(made, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pulih") / "data"  # does not exist yet: restore creates it
    proc = run_etl(d, "restore", str(made), env=ENV)
    assert "Dipulihkan" in proc.stdout, proc.stdout
    return d


def tables(data_dir: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the current version, sorted (the comparison does not depend on storage order)."""
    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data_dir / "warehouse" / f"kla-{version}.duckdb")
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_backup_file_is_private_and_encrypted(made, original):
    assert made.name.startswith("kla-cadangan-v") and made.name.endswith(".tar.age")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    blob = made.read_bytes()
    assert blob.startswith(b"age-encryption.org/v1")
    # nothing of the content in the clear: not the salt, not a password hash, not the DuckDB magic
    assert (original / "salt.key").read_bytes() not in blob
    assert b"$2b$" not in blob and b"DUCK" not in blob


def test_restore_gives_the_same_warehouse(original, restored):
    want, got = tables(original), tables(restored)
    assert set(got) == set(want) and len(want) > 10
    assert sum(len(v) for v in want.values()) > 1000  # the sample, not an empty shell
    for name in want:
        assert got[name] == want[name], name
    assert (restored / "warehouse" / "CURRENT").read_text() == (original / "warehouse" / "CURRENT").read_text()


def test_restore_keeps_users_salt_keys_audit_and_evidence(original, restored):
    kept = ("users.yaml", "salt.key", "cookie.key", "opd_email.csv", "bukti/2025/I.1/sk-gugus-tugas.pdf")
    for name in (*kept, "kunci-kabkota/74.72.pem"):
        assert digest(restored / name) == digest(original / name), name
    assert not (restored / "kunci-paket.pem").exists()  # the bundle signing key stays behind
    # the audit trail as it was when the backup was taken; the original has since recorded the backup itself
    before, after = (restored / "audit.jsonl").read_text(), (original / "audit.jsonl").read_text()
    assert after.startswith(before) and before.count("\n") > 2
    assert '"aksi": "cadangan"' in after[len(before) :]
    assert not (restored / "sesi.sqlite").exists()  # sessions are not restored: everyone signs in again
    # the same password works on the restored server
    env = {**os.environ, "KLA_DATA_DIR": str(restored)}
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from etl import users, warehouse; warehouse.private_files(); print(users.verify{ANALIS})",
        ],  # noqa: E501
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )
    assert proc.stdout.strip().startswith("('ok'"), proc.stderr


def test_restored_files_are_owner_only(restored):
    paths = [restored, *restored.rglob("*")]
    assert len(paths) > 8
    for p in paths:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def ringkasan(monkeypatch, data_dir: Path) -> dict[str, str]:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}


def test_restored_app_serves_the_same_ringkasan(monkeypatch, original, restored):
    want = ringkasan(monkeypatch, original)
    got = ringkasan(monkeypatch, restored)
    assert len(want) >= 5 and "Jumlah anak 0-17 tahun" in want
    assert got == want


def test_wrong_passphrase_is_refused_and_writes_nothing(made, tmp_path):
    target = tmp_path / "data"
    proc = run_etl(target, "restore", str(made), check=False, env={"KLA_BACKUP_PASSPHRASE": "bukan-kata-sandinya"})
    assert proc.returncode == 1
    assert "Kata sandi cadangan salah" in proc.stderr and "Tidak ada yang ditulis" in proc.stderr
    assert not target.exists()


def refused(monkeypatch, target: Path, src: Path, secret: str = SECRET, **kw) -> str:
    """restore() in this process (the CLI path is tested above): the refusal's message."""
    monkeypatch.setenv("KLA_DATA_DIR", str(target))
    with pytest.raises(backup.BackupError) as err:
        backup.restore(src, secret, **kw)
    return str(err.value)


def test_tampered_backup_is_refused(made, tmp_path, monkeypatch):
    bad = tmp_path / made.name
    blob = bytearray(made.read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one bit in the middle of the ciphertext
    bad.write_bytes(bytes(blob))
    target = tmp_path / "data"
    assert "rusak/terpotong" in refused(monkeypatch, target, bad)
    assert not target.exists()
    cut = tmp_path / "terpotong.tar.age"
    cut.write_bytes(made.read_bytes()[: made.stat().st_size // 2])
    assert "Tidak ada yang ditulis" in refused(monkeypatch, target, cut)
    assert not target.exists()


def test_manifest_mismatch_is_refused(original, tmp_path, monkeypatch):
    """An archive (correctly encrypted) whose file does not match its manifest's sha256: the manifest check."""
    monkeypatch.setenv("KLA_DATA_DIR", str(original))
    version, files, _ = backup.collect()
    data = backup.archive(version, files)
    name = f"warehouse/kla-{version}.duckdb"
    start = data.index(files[name][:512])  # the version file's bytes inside the tar
    data = data[: start + 4096] + bytes([data[start + 4096] ^ 0xFF]) + data[start + 4097 :]
    src = tmp_path / "salah-manifest.tar.age"
    src.write_bytes(backup.encrypt(data, SECRET))
    target = tmp_path / "data"
    message = refused(monkeypatch, target, src)
    assert f"{name}: sha256/ukuran tidak sama dengan MANIFEST.json" in message
    assert not target.exists()


def test_non_empty_folder_is_refused_unless_timpa(made, tmp_path, monkeypatch):
    target = tmp_path / "data"
    target.mkdir()
    (target / "catatan.txt").write_text("milik orang lain")
    message = refused(monkeypatch, target, made)
    assert "tidak kosong" in message and "--timpa" in message
    assert sorted(p.name for p in target.iterdir()) == ["catatan.txt"]
    run_etl(target, "restore", str(made), "--timpa", env=ENV)
    [aside] = [p for p in target.iterdir() if p.name.startswith("sebelum-pulih-")]
    assert (aside / "catatan.txt").read_text() == "milik orang lain"  # moved aside, never deleted
    assert (target / "warehouse" / "CURRENT").exists()


def test_passphrase_from_file_check_only_and_never_on_the_command_line(made, tmp_path):
    passfile = tmp_path / "kata-sandi"
    passfile.write_text(SECRET + "\n")
    target = tmp_path / "data"
    proc = run_etl(target, "restore", str(made), "--periksa", "--kata-sandi-dari", str(passfile))
    assert "Cadangan utuh" in proc.stdout and not target.exists()
    # no passphrase anywhere and no terminal to ask on: a clear message, nothing written
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("KLA_BACKUP")} | {"KLA_DATA_DIR": str(target)}
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "restore", str(made)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )
    assert proc.returncode == 1 and "KLA_BACKUP_PASSPHRASE" in proc.stderr, proc.stderr
    assert not target.exists()
    with pytest.raises(backup.BackupError, match="terlalu pendek"):
        backup.backup(tmp_path / "b", "pendek")
    assert not (tmp_path / "b").exists()


def test_backup_waits_for_a_publish_in_flight(original, tmp_path, monkeypatch):
    """The copy is made under the warehouse's writer lock: while a writer holds it, backup does not copy."""
    monkeypatch.setenv("KLA_DATA_DIR", str(original))
    with warehouse.writer_lock():
        proc = run_etl(original, "backup", str(tmp_path / "b"), check=False, env={**ENV, "KLA_LOCK_TIMEOUT": "1"})
    assert proc.returncode == 3 and "sedang diperbarui" in proc.stderr
    assert not (tmp_path / "b").exists()


def test_keep_prunes_old_backups(original, tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(original))
    out = tmp_path / "malam"
    made = [backup.backup(out, SECRET, keep=2).path for _ in range(3)]
    assert sorted(out.iterdir()) == sorted(made[1:])  # the oldest went


def test_timer_units_verify(tmp_path):
    """deploy/systemd/kla-backup.* and kla-kirim-*.*, installed with this checkout as the app folder, pass
    `systemd-analyze verify`; the compose snippet is valid YAML with its one service."""
    import subprocess

    import yaml

    repo = Path(__file__).resolve().parent.parent
    names = [f"{n}.{k}" for n in ("kla-backup", "kla-kirim-bahan", "kla-kirim-pengingat") for k in ("service", "timer")]
    for name in names:
        text = (repo / "deploy" / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/dasbor-kla", str(repo)))
    service = (tmp_path / "kla-backup.service").read_text()
    assert "LoadCredential=backup-pass:" in service and "KLA_BACKUP_PASSPHRASE_FILE=%d/backup-pass" in service
    compose = yaml.safe_load((repo / "deploy" / "compose.backup.yaml").read_text())
    assert list(compose["services"]) == ["backup"] and "kla_backup_pass" in compose["secrets"]
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "nknown" not in proc.stderr, proc.stdout + proc.stderr
