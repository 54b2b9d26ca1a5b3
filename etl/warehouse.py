"""The versioned DuckDB warehouse: versions on disk, the CURRENT pointer, and the one publish path.

Layout under KLA_DATA_DIR (default: <repo>/data):
    warehouse/kla-v0001.duckdb, kla-v0002.duckdb, ...   complete, checkpointed versions
    warehouse/CURRENT                                  the name of the current version ("v0002")
    warehouse/CURRENT.log                              every version CURRENT was pointed at, one line each,
                                                       appended (fsynced) before CURRENT moves
    warehouse/.lock                                    held by the one writer at a time
    salt.key                                           salt for hashing case register numbers (never in
                                                       the warehouse)

A write copies the current version to a temporary file, applies the change there, CHECKPOINTs,
closes, reads the copy back in full (health), renames the file to its version name and only then
flips CURRENT (tmp file + os.replace). A crash at any point leaves CURRENT naming a complete version;
leftovers are removed by the next writer. The app only ever opens versions read-only.

A version is healthy when every column of every row of every table reads back (DuckDB verifies each
block's checksum as it reads it; health()). repair() and rollback() only ever point CURRENT at a
healthy version; publish() checks the new version the same way before CURRENT moves.

A version file that CURRENT.log never names was left by a writer killed between the rename and the
pointer flip: complete, but never in use. It is not offered for rollback and `etl history` labels it.
The log, not the audit trail, is the record: it is written by the one function that moves CURRENT,
under the writer lock, fsynced before the move (the audit line is written after the action, not
fsynced, and a failed audit write is only reported).

Files hold children's case data: everything under KLA_DATA_DIR is created owner-only (0600, folders
0700). private_files() sets the umask for the whole process (the CLI and the app call it first);
the files this module writes are also created 0600 explicitly, so a process that forgot the umask
still writes private versions, pointer, log and lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
FILE_MODE = 0o600  # every data file: the owner (the system user running the CLI and the app) only
DIR_MODE = 0o700
UMASK = 0o077
# KLA_DATA_DIR files and folders that hold data, keys or records (tighten_modes); data/reference/ is code
PRIVATE_NAMES = (
    "warehouse",
    "sample",
    "salt.key",
    "cookie.key",
    "users.yaml",
    "users.yaml.lock",
    "audit.jsonl",
    "audit.jsonl.lock",
    "sesi.sqlite",
    "bukti",  # evidence files (issue 22, etl/evidence.py)
)


def private_files() -> None:
    """Make every file this process creates owner-only (umask 077: files 0600, folders 0700).

    Called first by the CLI (etl.cli.main) and by the app (app.py). Process-wide, so it also covers the
    files libraries create beside the warehouse: DuckDB's .wal, filelock's lock files, openpyxl's problem
    reports, the sample inputs, users.yaml and the keys.
    """
    os.umask(UMASK)


def tighten_modes() -> list[Path]:
    """Remove group and world access from the data files an older release created 0644. Returns those changed."""
    changed = []
    root = data_dir()
    for name in PRIVATE_NAMES:
        top = root / name
        if not top.exists():
            continue
        paths = [top, *top.rglob("*")] if top.is_dir() else [top]
        for p in paths:
            try:
                mode = p.stat().st_mode & 0o777
                if mode & 0o077:
                    p.chmod(mode & 0o700)
                    changed.append(p)
            except OSError:
                continue
    return changed


def open_file(path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)


class WarehouseError(Exception):
    """A problem with the warehouse itself (locked, missing version, damaged pointer). Indonesian."""


class RollbackRefused(WarehouseError):
    """A rollback to a version that is damaged or was never in use: refused, CURRENT unchanged (CLI exit 1)."""


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
            f'Penunjuk versi gudang data ({p}) rusak: isinya "{text[:40]}", bukan nama versi seperti v0003. '
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


def _write_pointer(version: str, how: str) -> None:
    """Point CURRENT at `version` (how: the publish action, "kembalikan" or "perbaiki").

    The pointer log line is appended and fsynced first: a crash between the two leaves a log naming a
    complete version CURRENT did not reach yet, never a version CURRENT named that the log lacks. So the
    log is a superset of the versions ever in use, and "never in use" is never said of one that was.
    """
    _append_pointer_log(version, how)
    p = pointer_path()
    tmp = p.with_name(f"CURRENT.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    _fsync_dir(p.parent)


LOG_LINE_RE = re.compile(r"^(v\d{4,})\t")
BEFORE_LOG = "sebelum-catatan"  # a version that existed before this release started the log: assumed used


def pointer_log_path() -> Path:
    return warehouse_dir() / "CURRENT.log"


def _append_pointer_log(version: str, how: str) -> None:
    """One line "<version> TAB <time> TAB <how>" appended and fsynced; a torn last line is ignored by readers.

    When the log does not exist yet but CURRENT does (a warehouse from an older release), the versions on disk
    are first recorded as BEFORE_LOG: nobody knows any more which of them were in use, so none is hidden.
    """
    p = pointer_log_path()
    new = not p.exists()
    lines = []
    if new and pointer_path().exists():
        lines += [f"{v}\t-\t{BEFORE_LOG}" for v in list_versions() if v != version]
    lines.append(f"{version}\t{dt.datetime.now().isoformat(timespec='seconds')}\t{how}")
    text = "\n".join(lines) + "\n"
    fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":  # a line torn by a crash: start on a fresh line
            text = "\n" + text
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        _fsync_dir(p.parent)


def ever_current() -> set[str] | None:
    """Versions CURRENT was ever pointed at (the pointer log, plus what CURRENT names now).

    None when there is no log yet (a warehouse from an older release that nothing wrote to since): unknown,
    every version counts as used.
    """
    p = pointer_log_path()
    if not p.exists():
        return None
    with open(p, encoding="utf-8", errors="replace") as fh:
        seen = {m.group(1) for line in fh if (m := LOG_LINE_RE.match(line))}
    try:
        now = current_version()
    except WarehouseError:
        now = None
    if now:
        seen.add(now)
    return seen


def _next_number() -> int:
    """One more than any version on disk or in the pointer log (a number is never reused, so a log line always
    means the same file)."""
    used = set(list_versions()) | (ever_current() or set())
    return max((int(v[1:]) for v in used), default=0) + 1


def never_current() -> set[str]:
    """Complete version files CURRENT never named: a writer was killed between the rename and the pointer flip."""
    used = ever_current()
    return set() if used is None else set(list_versions()) - used


NEVER_CURRENT_LABEL = "tidak pernah dipakai"


def rollback_targets(current: str | None = None) -> list[str]:
    """The versions to offer for rollback, newest first: all but the current one and those never in use.

    Their health is checked by rollback() itself (reading every version on every page view would be slow).
    """
    if current is None:
        try:
            current = current_version()
        except WarehouseError:
            current = None
    never = never_current()
    return [v for v in reversed(list_versions()) if v != current and v not in never]


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
    warehouse_dir().mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    lock = FileLock(str(warehouse_dir() / ".lock"), mode=FILE_MODE)
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
    return publish(
        lambda con, v: None, action="upgrade", note="skema diperbarui: " + ", ".join(tables), user=user
    ).version


def refresh_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Write the reference catalogs (regions, indicators, bands) from data/reference/ into this version."""
    import pandas as pd

    wilayah = pd.DataFrame(reference.read_csv_rows("wilayah.csv"))
    wilayah["lat"] = pd.to_numeric(wilayah["lat"])
    wilayah["lon"] = pd.to_numeric(wilayah["lon"])
    # reference rows are rewritten; rows loaded with `etl load wilayah` stay (and win over the same code)
    con.execute("DELETE FROM dim_wilayah WHERE load_id IS NULL")
    con.register("_w", wilayah[["kode", "level", "nama", "kode_induk", "lat", "lon"]])
    con.execute(
        "INSERT INTO dim_wilayah BY NAME SELECT kode, level, nama, kode_induk, lat, lon FROM _w "
        "WHERE kode NOT IN (SELECT kode FROM dim_wilayah)"
    )
    con.unregister("_w")

    ind = pd.DataFrame(list(reference.indicator_catalog()))
    con.execute("DELETE FROM ref_indikator")
    con.register("_i", ind)
    con.execute(
        "INSERT INTO ref_indikator BY NAME SELECT nomor, kelompok, kelompok_urut, nama, nama_singkat, opd_pengampu, "
        "CAST(nilai_maks AS DOUBLE) AS nilai_maks, terkonfirmasi, sumber, catatan FROM _i"
    )
    con.unregister("_i")

    # issue 22: the evidence checklist template (data/reference/bukti_item.csv), rebuilt like ref_indikator
    items = pd.DataFrame(list(reference.evidence_items()))
    con.execute("DELETE FROM ref_bukti_item")
    con.register("_b", items)
    con.execute(
        "INSERT INTO ref_bukti_item BY NAME SELECT item_id, CAST(nomor AS INTEGER) AS nomor, CAST(urut AS INTEGER) "
        "AS urut, item, jenis_dokumen, opd, sumber, catatan FROM _b"
    )
    con.unregister("_b")

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
        number = _next_number()
        version = f"v{number:04d}"
        final = version_path(version)
        tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
        try:
            fault("before-copy")
            if previous:
                _copy_private(version_path(previous), tmp)
            fault("after-copy")
            con = open_file(tmp, read_only=False)
            try:
                os.chmod(tmp, FILE_MODE)  # DuckDB created it (first version): still empty
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
            damage = file_health(tmp)
            if damage:  # e.g. the current version was damaged and the copy carried the damage over
                raise WarehouseError(
                    f"Versi baru {version} tidak lolos pemeriksaan ({damage}); tidak disimpan, gudang data tetap di "
                    f"versi {previous or '(kosong)'}. Bila versi itu rusak, jalankan `python -m etl repair` lalu "
                    "muat ulang."
                )
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            fault("after-fsync")
            os.replace(tmp, final)
            fault("after-rename")
            _fsync_dir(final.parent)
            fault("after-dirsync")
            _write_pointer(version, action)
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


def _copy_private(src: Path, dst: Path) -> None:
    """Copy src to a new file dst created 0600 (never readable by others, not even for a moment)."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with open(src, "rb") as fsrc, os.fdopen(fd, "wb") as fdst:
        shutil.copyfileobj(fsrc, fdst, 1 << 20)


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
STAGES = (
    "lock-acquired",
    "after-clean",
    "before-copy",
    "after-copy",
    "after-open",
    "after-schema",
    "after-reference",
    "after-begin",
    "after-change",
    "after-meta",
    "after-commit",
    "after-checkpoint",
    "after-close",
    "after-fsync",
    "after-rename",
    "after-dirsync",
    "after-pointer",
    "after-prune",
)
LOAD_STAGES = ("check-start", "check-done", *STAGES)


def _prune(keep: int, protect: set[str | None]) -> None:
    versions = list_versions()
    if keep <= 0 or len(versions) <= keep:
        return
    for v in versions[: len(versions) - keep]:
        if v in protect:
            continue
        version_path(v).unlink(missing_ok=True)


def health(version: str) -> str | None:
    """None when the version is healthy, else why not (Indonesian, for the person who has to act on it).

    Healthy: the file opens, has the meta_version table, and every column of every row of every table reads
    back (count and an aggregate over the hash of every column). DuckDB checks each block's checksum when it
    reads the block, so this full read finds a truncated file and damaged bytes anywhere in the table data.
    Bytes in a free block or the unused tail of a block are read by nothing and are not reported.
    """
    return file_health(version_path(version))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 240 else text[:237] + "..."


def file_health(path: Path) -> str | None:
    """health() of any file (a version, or the copy publish is about to rename)."""
    if not path.exists():
        return f"berkas {path.name} tidak ada"
    try:
        con = open_file(path)
    except duckdb.Error as exc:
        return f"berkas {path.name} tidak dapat dibuka sebagai basis data DuckDB ({_short(exc)})"
    table = None
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
            ).fetchall()
        ]
        if "meta_version" not in tables:
            return f"berkas {path.name} bukan versi gudang data (tabel meta_version tidak ada)"
        for table in tables:  # every column of every row: each block is read, so its checksum is checked
            quoted = '"' + table.replace('"', '""') + '"'
            con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {quoted}").fetchall()
        return None
    except duckdb.Error as exc:
        where = f"tabel {table} " if table else "isinya "
        return f"{where}tidak dapat dibaca utuh dari {path.name} ({_short(exc)})"
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass


def rollback(version: str, *, allow_never_current: bool = False) -> str:
    """Point CURRENT back to an earlier complete version (the later ones are kept on disk).

    Raises WarehouseError when the version does not exist, RollbackRefused when it is damaged or (unless
    allow_never_current) was never in use.
    """
    with writer_lock():
        if version not in list_versions():
            raise WarehouseError(
                f"Versi {version} tidak ada di gudang data. Versi yang tersedia: "
                + (", ".join(list_versions()) or "(belum ada)")
            )
        try:
            current = current_version()
        except WarehouseError:
            current = None
        stays = f"CURRENT tetap di {current}" if current else "CURRENT tidak diubah"
        if not allow_never_current and version in never_current():
            raise RollbackRefused(
                f"Versi {version} {NEVER_CURRENT_LABEL}: CURRENT tidak pernah menunjuknya, karena pemuatan yang "
                "membuatnya terhenti (prosesnya dimatikan) tepat sebelum versi itu dipasang. Versi ini tidak "
                f"ditawarkan untuk dikembalikan; {stays}. Bila Anda yakin isinya benar, jalankan "
                f"`python -m etl rollback {version} --paksa`."
            )
        damage = health(version)
        if damage:
            raise RollbackRefused(
                f"Versi {version} rusak dan tidak dapat dipakai: {damage}. {stays}. "
                "Pilih versi lain (lihat `python -m etl history`)."
            )
        _write_pointer(version, "kembalikan")
        return version


@dataclass
class Repaired:
    version: str | None  # what CURRENT names now; None when no version is healthy (CURRENT removed)
    moved: bool  # CURRENT was changed
    skipped: list[tuple[str, str]]  # (version, why it was passed over), newest first
    removed: list[Path]  # leftovers of killed writers


def repair_report() -> Repaired:
    """Keep CURRENT when it names a healthy version; else point it at the newest healthy version that was once
    in use (versions never in use are passed over: their load never finished). Removes leftovers."""
    with writer_lock():
        removed = _clean_leftovers()
        try:
            current = current_version()
        except WarehouseError:  # a damaged pointer: choose as if there were none
            current = None
        if current and health(current) is None:
            return Repaired(current, False, [], removed)
        skipped: list[tuple[str, str]] = []
        never = never_current()
        for v in reversed(list_versions()):
            if v in never:
                skipped.append((v, f"{NEVER_CURRENT_LABEL} (pemuatannya terhenti sebelum versi itu dipasang)"))
                continue
            damage = health(v)
            if damage:
                skipped.append((v, damage))
                continue
            _write_pointer(v, "perbaiki")
            return Repaired(v, True, skipped, removed)
        had_pointer = pointer_path().exists()
        pointer_path().unlink(missing_ok=True)
        return Repaired(None, had_pointer, skipped, removed)


def repair() -> str | None:
    """Point CURRENT at a healthy version (see repair_report); returns it, None when there is none."""
    return repair_report().version
