"""The versioned DuckDB warehouse: versions on disk, the CURRENT pointer, and the one publish path.

Layout under KLA_DATA_DIR (default: <repo>/data):
    warehouse/kla-v0001.duckdb, kla-v0002.duckdb, ...   complete, checkpointed versions
    warehouse/CURRENT                                  the name of the current version ("v0002")
    warehouse/.lock                                    held by the one writer at a time
    salt.key                                           salt for hashing case register numbers (never in
                                                       the warehouse)

A write copies the current version to a temporary file, applies the change there, CHECKPOINTs,
closes, renames the file to its version name and only then flips CURRENT (tmp file + os.replace).
A crash at any point leaves CURRENT naming a complete version; leftovers are removed by the next
writer. The app only ever opens versions read-only.
"""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import duckdb
from filelock import FileLock, Timeout

from etl import reference

REPO_DIR = Path(__file__).resolve().parent.parent
SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"
VERSION_RE = re.compile(r"^kla-(v\d{4,})\.duckdb$")
DEFAULT_KEEP = 10
LOCK_TIMEOUT_S = float(os.environ.get("KLA_LOCK_TIMEOUT", "60"))
# Every connection in one process must use the same configuration (DuckDB refuses a second one);
# no extension is ever installed or loaded (that would need the internet).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def open_file(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)


class WarehouseError(Exception):
    """A problem with the warehouse itself (locked, missing version, damaged pointer). Indonesian."""


def data_dir() -> Path:
    return Path(os.environ.get("KLA_DATA_DIR") or REPO_DIR / "data").resolve()


def warehouse_dir() -> Path:
    return data_dir() / "warehouse"


def version_path(version: str) -> Path:
    return warehouse_dir() / f"kla-{version}.duckdb"


def pointer_path() -> Path:
    return warehouse_dir() / "CURRENT"


def list_versions() -> list[str]:
    """Complete versions on disk, oldest first."""
    d = warehouse_dir()
    if not d.is_dir():
        return []
    found = [m.group(1) for p in d.iterdir() if (m := VERSION_RE.match(p.name))]
    return sorted(found, key=lambda v: int(v[1:]))


def current_version() -> str | None:
    """The version CURRENT names, or None when no warehouse was built yet.

    Raises WarehouseError when CURRENT exists but is damaged or names a missing file.
    """
    p = pointer_path()
    if not p.exists():
        return None
    text = p.read_text(encoding="utf-8", errors="replace").strip()
    if not re.fullmatch(r"v\d{4,}", text):
        raise WarehouseError(
            f"Penunjuk versi gudang data ({p}) rusak: isinya \"{text[:40]}\", bukan nama versi seperti v0003. "
            "Jalankan `python -m etl repair` untuk kembali ke versi terakhir yang utuh."
        )
    if not version_path(text).exists():
        raise WarehouseError(
            f"CURRENT menunjuk versi {text}, tetapi berkas {version_path(text).name} tidak ada. "
            "Jalankan `python -m etl repair` untuk kembali ke versi terakhir yang utuh."
        )
    return text


def current_path() -> Path | None:
    v = current_version()
    return version_path(v) if v else None


def connect_current(read_only: bool = True) -> duckdb.DuckDBPyConnection | None:
    """Open the current version (read-only by default); None when there is none."""
    path = current_path()
    if path is None:
        return None
    return open_file(path, read_only=read_only)


def _write_pointer(version: str) -> None:
    p = pointer_path()
    tmp = p.with_name(f"CURRENT.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    _fsync_dir(p.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _clean_leftovers() -> list[Path]:
    """Remove temporary files a killed writer left behind (we hold the lock, so none is live)."""
    removed = []
    for p in warehouse_dir().iterdir():
        if ".tmp-" in p.name:
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


@contextmanager
def writer_lock(timeout: float | None = None) -> Iterator[None]:
    warehouse_dir().mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(warehouse_dir() / ".lock"))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S if timeout is None else timeout)
    except Timeout:
        raise WarehouseError(
            "Gudang data sedang diperbarui oleh proses lain (pemuatan lain sedang berjalan). "
            "Tunggu sampai selesai lalu coba lagi; tidak ada data yang diubah."
        ) from None
    try:
        yield
    finally:
        lock.release()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def expected_columns() -> frozenset[tuple[str, str]]:
    """(table, column) pairs this code's schema.sql defines."""
    con = duckdb.connect(":memory:")
    try:
        apply_schema(con)
        return frozenset(con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall())
    finally:
        con.close()


def missing_columns(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """What a version lacks of the current schema (a warehouse built by an older release)."""
    have = set(con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall())
    return set(expected_columns()) - have


def upgrade(user: str | None = None) -> str | None:
    """Bring the current version to this code's schema as a new version (no data changes). None if current."""
    version = current_version()
    if version is None:
        return None
    con = open_file(version_path(version))
    try:
        missing = missing_columns(con)
    finally:
        con.close()
    if not missing:
        return None
    tables = sorted({t for t, _ in missing})
    return publish(lambda con, v: None, action="upgrade", note="skema diperbarui: " + ", ".join(tables),
                   user=user).version


def refresh_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Write the reference catalogs (regions, indicators, bands) from data/reference/ into this version."""
    import pandas as pd

    wilayah = pd.DataFrame(reference.read_csv_rows("wilayah.csv"))
    wilayah["lat"] = pd.to_numeric(wilayah["lat"])
    wilayah["lon"] = pd.to_numeric(wilayah["lon"])
    # reference rows are rewritten; rows loaded with `etl load wilayah` stay (and win over the same code)
    con.execute("DELETE FROM dim_wilayah WHERE load_id IS NULL")
    con.register("_w", wilayah[["kode", "level", "nama", "kode_induk", "lat", "lon"]])
    con.execute("INSERT INTO dim_wilayah BY NAME SELECT kode, level, nama, kode_induk, lat, lon FROM _w "
                "WHERE kode NOT IN (SELECT kode FROM dim_wilayah)")
    con.unregister("_w")

    ind = pd.DataFrame(list(reference.indicator_catalog()))
    con.execute("DELETE FROM ref_indikator")
    con.register("_i", ind)
    con.execute(
        "INSERT INTO ref_indikator SELECT nomor, kelompok, kelompok_urut, nama, opd_pengampu, nilai_maks, "
        "terkonfirmasi, catatan FROM _i"
    )
    con.unregister("_i")

    bands = pd.DataFrame(list(reference.category_bands()))
    con.execute("DELETE FROM ref_kategori")
    con.register("_k", bands)
    con.execute("INSERT INTO ref_kategori SELECT kategori, skor_min, skor_max, urut, catatan FROM _k")
    con.unregister("_k")


@dataclass
class Published:
    version: str
    path: Path
    previous: str | None


def user_name() -> str:
    return os.environ.get("KLA_USER") or getpass.getuser()


def publish(
    change: Callable[[duckdb.DuckDBPyConnection, str], None],
    *,
    action: str,
    note: str = "",
    user: str | None = None,
    keep: int | None = None,
    lock_timeout: float | None = None,
    _fault: Callable[[str], None] | None = None,
) -> Published:
    """Make a new version = current version + change, then point CURRENT at it.

    `change(con, version)` runs inside a read-write connection to the copy. If it raises, the copy
    is deleted and CURRENT is untouched. `_fault(stage)` is a test hook called between stages.
    """
    fault = _fault or _env_fault
    keep = keep if keep is not None else int(os.environ.get("KLA_KEEP_VERSIONS", DEFAULT_KEEP))
    with writer_lock(lock_timeout):
        fault("lock-acquired")
        _clean_leftovers()
        fault("after-clean")
        previous = current_version()
        existing = list_versions()
        number = int(existing[-1][1:]) + 1 if existing else 1
        version = f"v{number:04d}"
        final = version_path(version)
        tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
        try:
            fault("before-copy")
            if previous:
                shutil.copyfile(version_path(previous), tmp)
            fault("after-copy")
            con = open_file(tmp, read_only=False)
            try:
                fault("after-open")
                apply_schema(con)
                fault("after-schema")
                refresh_reference(con)
                fault("after-reference")
                con.execute("BEGIN TRANSACTION")
                fault("after-begin")
                change(con, version)
                fault("after-change")
                con.execute(
                    "INSERT INTO meta_version VALUES (?, ?, ?, ?, ?, ?)",
                    [version, previous, dt.datetime.now(), action, note, user or user_name()],
                )
                fault("after-meta")
                con.execute("COMMIT")
                fault("after-commit")
                con.execute("CHECKPOINT")
                fault("after-checkpoint")
            finally:
                con.close()
            fault("after-close")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            fault("after-fsync")
            os.replace(tmp, final)
            fault("after-rename")
            _fsync_dir(final.parent)
            fault("after-dirsync")
            _write_pointer(version)
            fault("after-pointer")
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
            if current_version() != version:
                final.unlink(missing_ok=True)
            if _disk_full(exc):
                raise WarehouseError(
                    f"Ruang disk penuh saat menyimpan versi baru di {warehouse_dir()}. Tidak ada yang berubah: "
                    f"gudang data tetap di versi {previous or '(kosong)'}. Kosongkan ruang disk (versi lama bisa "
                    "dihapus dengan KLA_KEEP_VERSIONS lebih kecil) lalu muat ulang."
                ) from exc
            raise
        _prune(keep, protect={version, previous})
        fault("after-prune")
        return Published(version=version, path=final, previous=previous)


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return isinstance(exc, duckdb.Error) and "no space left" in str(exc).lower()


def _env_fault(stage: str) -> None:
    """Fault injection for the crash tests: KLA_FAULT="<stage>:hang" or "<stage>:raise".

    "hang" writes the file named by KLA_FAULT_MARK and sleeps, so a test can SIGKILL the loader at
    exactly that stage. Unset in normal use (one dictionary lookup per stage).
    """
    spec = os.environ.get("KLA_FAULT")
    if not spec:
        return
    want, _, action = spec.partition(":")
    if want != stage:
        return
    if action == "raise":
        raise RuntimeError(f"injected fault at {stage}")
    if action == "enospc":  # a full disk, as the operating system reports it
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    mark = os.environ.get("KLA_FAULT_MARK")
    if mark:
        Path(mark).write_text(stage)
    import time

    time.sleep(600)


# Every point of a publish where a test can inject a fault or kill the writer (in order). The loader adds
# "check-start" and "check-done" before these (LOAD_STAGES).
STAGES = ("lock-acquired", "after-clean", "before-copy", "after-copy", "after-open", "after-schema",
          "after-reference", "after-begin", "after-change", "after-meta", "after-commit", "after-checkpoint",
          "after-close", "after-fsync", "after-rename", "after-dirsync", "after-pointer", "after-prune")
LOAD_STAGES = ("check-start", "check-done", *STAGES)


def _prune(keep: int, protect: set[str | None]) -> None:
    versions = list_versions()
    if keep <= 0 or len(versions) <= keep:
        return
    for v in versions[: len(versions) - keep]:
        if v in protect:
            continue
        version_path(v).unlink(missing_ok=True)


def rollback(version: str) -> str:
    """Point CURRENT back to an earlier complete version (the later ones are kept on disk)."""
    with writer_lock():
        if version not in list_versions():
            raise WarehouseError(
                f"Versi {version} tidak ada di gudang data. Versi yang tersedia: "
                + (", ".join(list_versions()) or "(belum ada)")
            )
        _check_readable(version)
        _write_pointer(version)
        return version


def _check_readable(version: str) -> None:
    try:
        con = open_file(version_path(version))
        try:
            con.execute("SELECT count(*) FROM meta_version").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise WarehouseError(f"Versi {version} tidak dapat dibaca ({exc}).") from exc


def repair() -> str | None:
    """Point CURRENT at the newest version that opens and reads; remove leftovers. Returns it."""
    with writer_lock():
        _clean_leftovers()
        for v in reversed(list_versions()):
            try:
                _check_readable(v)
            except WarehouseError:
                continue
            _write_pointer(v)
            return v
        pointer_path().unlink(missing_ok=True)
        return None
