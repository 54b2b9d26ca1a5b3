"""Encrypted backups of a deployment: `python -m etl backup DEST` and `python -m etl restore SRC`.

A backup is one file, `kla-cadangan-<version>-<YYYYmmdd-HHMMSS>.tar.age`: a tar archive encrypted with a passphrase
in the age format (scrypt + ChaCha20-Poly1305, through pyrage). It holds what a restored server needs to show the
same dashboard and let the same people in:

    MANIFEST.json                  what is inside: format, the version, when, and the sha256 and size of every file
    warehouse/kla-vNNNN.duckdb     the CURRENT version (only that one: the others are history, not the dashboard)
    warehouse/CURRENT, CURRENT.log the pointer and its log (version numbers are never reused after a restore)
    salt.key                       the salt of the register-number hashes (without it re-loaded cases get new ids)
    cookie.key                     the key that signs login cookies and forms
    users.yaml                     accounts (bcrypt hashes), roles, regions
    audit.jsonl                    the audit trail
    opd_email.csv                  the OPD addresses of the weekly reminder (kla.kirim), when the deployment has one
    bukti/...                      the evidence files (issue 22), when the folder exists
    kunci-kabkota/...              a province's registered kab/kota public keys (etl/rollup.py), when present

Not inside: the bundle signing key kunci-paket.pem (a restored server makes and registers a new one, so a stolen
backup cannot sign bundles), login sessions (sesi.sqlite: a restored server asks everyone to sign in again), the
generated sample inputs (data/sample), older versions, lock files.

Consistency: the files are read while holding the warehouse's writer lock (no publish is mid-flight, so CURRENT
and the version it names belong together) and the users file's and audit log's own locks (no half-written account
or audit line).

Why pyrage and not Debian's `age` binary: age's command line reads a passphrase only from a terminal, so a nightly
timer could not use it; pyrage (the age format in a Rust extension, wheels on PyPI) takes it from our code, is
pinned and installed with the rest of requirements.txt (in the offline wheelhouse too). Its files are standard age
files: `age -d` decrypts them on any machine, with the same passphrase.

Encryption and decryption work in memory (pyrage's passphrase API takes bytes): a city's data folder is tens of
MB; peak memory is about twice the archive.

Restore writes into an empty KLA_DATA_DIR (a non-empty one only with --timpa, which first moves what is there into
KLA_DATA_DIR/sebelum-pulih-<time>/: nothing is deleted). The archive is decrypted and every file checked against
the manifest before anything is written; files are written 0600 (folders 0700), staged in a temporary folder and
moved into place, and the restored version is read back in full (warehouse.file_health).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import socket
import sys
import tarfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from filelock import FileLock, Timeout

from etl import warehouse

FORMAT = "kla-cadangan/1"
MANIFEST = "MANIFEST.json"
PASSPHRASE_ENV = "KLA_BACKUP_PASSPHRASE"
PASSPHRASE_FILE_ENV = "KLA_BACKUP_PASSPHRASE_FILE"
MIN_PASSPHRASE = 12
SUFFIX = ".tar.age"
PREFIX = "kla-cadangan-"
# single files under KLA_DATA_DIR that a backup carries (when present), and the folders it carries whole
FILES = ("salt.key", "cookie.key", "users.yaml", "audit.jsonl", "opd_email.csv")
FOLDERS = ("bukti", "kunci-kabkota")  # evidence files; the province's registered kab/kota keys


class BackupError(Exception):
    """A backup or restore that did not happen (wrong passphrase, damaged file, folder not empty). Indonesian; the
    message says what was (not) written."""


@dataclass
class Made:
    path: Path
    version: str
    files: int
    size: int
    notes: list[str]
    removed: list[Path]


@dataclass
class Restored:
    version: str
    files: int
    created: str
    moved_aside: Path | None


# --- passphrase ------------------------------------------------------------------------------------------------
def passphrase(file: Path | None = None, confirm: bool = False) -> str:
    """The passphrase: from `file` (--kata-sandi-dari), else KLA_BACKUP_PASSPHRASE_FILE, else KLA_BACKUP_PASSPHRASE,
    else asked on the terminal (twice when `confirm`). Never from the command line (it would show in `ps`)."""
    file = file or (Path(os.environ[PASSPHRASE_FILE_ENV]) if os.environ.get(PASSPHRASE_FILE_ENV) else None)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise BackupError(f"Berkas kata sandi cadangan {file} tidak dapat dibaca ({exc.strerror}).") from None
        if not text:
            raise BackupError(f"Berkas kata sandi cadangan {file} kosong.")
        return text
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise BackupError(
            f"Kata sandi cadangan tidak diberikan: isi {PASSPHRASE_ENV}, atau simpan di berkas (izin 0600) lalu "
            f"sebutkan dengan --kata-sandi-dari BERKAS atau {PASSPHRASE_FILE_ENV}."
        )
    import getpass

    first = getpass.getpass("Kata sandi cadangan: ")
    if confirm and getpass.getpass("Ulangi kata sandi cadangan: ") != first:
        raise BackupError("Kedua kata sandi cadangan tidak sama; tidak ada yang ditulis.")
    return first


def _check_strength(secret: str) -> None:
    if len(secret) < MIN_PASSPHRASE:
        raise BackupError(
            f"Kata sandi cadangan terlalu pendek ({len(secret)} karakter; paling sedikit {MIN_PASSPHRASE}). "
            "Tidak ada yang ditulis."
        )


# --- backup ----------------------------------------------------------------------------------------------------
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _locked(path: Path, what: str):
    lock = FileLock(str(path) + ".lock", timeout=warehouse.LOCK_TIMEOUT_S, mode=warehouse.FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise BackupError(f"{what} sedang ditulis oleh proses lain terlalu lama; cadangan tidak dibuat.") from None
    return lock


def collect() -> tuple[str, dict[str, bytes], list[str]]:
    """(version, {archive path: bytes}, notes) of the current deployment, read under the writer lock."""
    from etl import audit, loader, users

    root = warehouse.data_dir()
    notes: list[str] = []
    with ExitStack() as stack:
        stack.enter_context(warehouse.writer_lock())
        stack.callback(_locked(users.path(), "Berkas pengguna").release)
        stack.callback(_locked(audit.path(), "Jejak audit").release)
        version = warehouse.current_version()
        if version is None:
            raise BackupError(
                f"Belum ada gudang data di {warehouse.warehouse_dir()}: tidak ada yang dicadangkan. "
                "Periksa KLA_DATA_DIR."
            )
        damage = warehouse.health(version)
        if damage:
            raise BackupError(
                f"Versi {version} yang sedang dipakai rusak ({damage}); cadangan tidak dibuat. "
                "Jalankan `python -m etl repair` lalu cadangkan lagi."
            )
        files = {
            f"warehouse/{warehouse.version_path(version).name}": warehouse.version_path(version).read_bytes(),
            "warehouse/CURRENT": (version + "\n").encode(),
        }
        if warehouse.pointer_log_path().exists():
            files["warehouse/CURRENT.log"] = warehouse.pointer_log_path().read_bytes()
        sources = {
            "salt.key": loader.salt_path(),
            "cookie.key": root / "cookie.key",
            "users.yaml": users.path(),
            "audit.jsonl": audit.path(),
            "opd_email.csv": root / "opd_email.csv",
        }
        for name in FILES:
            if sources[name].is_file():
                files[name] = sources[name].read_bytes()
        for folder in FOLDERS:
            top = root / folder
            if top.is_dir():
                for p in sorted(top.rglob("*")):
                    if p.is_file() and not p.is_symlink():
                        files[p.relative_to(root).as_posix()] = p.read_bytes()
    if os.environ.get("KLA_SALT"):
        notes.append("Garam diambil dari KLA_SALT (bukan berkas): simpan nilainya sendiri bersama cadangan ini.")
    elif "salt.key" not in files:
        notes.append("salt.key tidak ada: belum pernah ada kasus yang dimuat.")
    if os.environ.get("KLA_COOKIE_KEY"):
        notes.append("Kunci cookie diambil dari KLA_COOKIE_KEY: setel nilai yang sama di server pemulihan.")
    if "users.yaml" not in files:
        notes.append("Belum ada berkas pengguna (users.yaml): cadangan tanpa akun.")
    return version, files, notes


def archive(version: str, files: dict[str, bytes], created: str | None = None) -> bytes:
    """The tar archive (before encryption): the manifest first, then the files, every member 0600 and owned by 0."""
    created = created or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT,
        "versi": version,
        "dibuat": created,
        "mesin": socket.gethostname(),
        "berkas": {name: {"sha256": _sha256(data), "ukuran": len(data)} for name, data in sorted(files.items())},
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode()), *files.items()]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), warehouse.FILE_MODE, int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def encrypt(data: bytes, secret: str) -> bytes:
    import pyrage

    return pyrage.passphrase.encrypt(data, secret)


def _write_private(path: Path, data: bytes) -> None:
    """Write `path` 0600 via a temporary file, fsynced, then renamed (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, warehouse.FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def backup(dest: Path, secret: str, keep: int | None = None) -> Made:
    """Write an encrypted backup of the current deployment into folder `dest` (created 0700), or to the file
    `dest` when it ends in .age. With `keep`, only the newest `keep` backups in the folder stay."""
    _check_strength(secret)
    version, files, notes = collect()
    data = encrypt(archive(version, files), secret)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if dest.name.endswith(".age"):
        target = dest
        target.parent.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
    else:
        dest.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
        target = dest / f"{PREFIX}{version}-{stamp}{SUFFIX}"
        n = 1
        while target.exists():  # two backups in one second
            n += 1
            target = dest / f"{PREFIX}{version}-{stamp}-{n}{SUFFIX}"
    _write_private(target, data)
    removed = []
    if keep and keep > 0 and not dest.name.endswith(".age"):
        ours = sorted(p for p in dest.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX))
        ours.sort(key=lambda p: p.stat().st_mtime_ns)
        for old in ours[: max(0, len(ours) - keep)]:
            if old != target:
                old.unlink(missing_ok=True)
                removed.append(old)
    return Made(target, version, len(files), len(data), notes, removed)


# --- restore ---------------------------------------------------------------------------------------------------
def open_backup(src: Path, secret: str) -> tuple[dict, dict[str, bytes]]:
    """Decrypt `src` and check it whole: (manifest, {path: bytes}). Raises BackupError, having written nothing."""
    import pyrage

    try:
        blob = src.read_bytes()
    except OSError as exc:
        raise BackupError(
            f"Berkas cadangan {src} tidak dapat dibaca ({exc.strerror}). Tidak ada yang ditulis."
        ) from None
    if not blob.startswith(b"age-encryption.org/v1"):
        raise BackupError(f"{src.name} bukan berkas cadangan Dasbor KLA (bukan berkas age). Tidak ada yang ditulis.")
    try:
        plain = pyrage.passphrase.decrypt(blob, secret)
    except pyrage.DecryptError:
        raise BackupError(
            f"Kata sandi cadangan salah, atau berkas {src.name} rusak/terpotong (isinya tidak lolos pemeriksaan "
            "keaslian). Tidak ada yang ditulis."
        ) from None
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
            for m in tar.getmembers():
                if not m.isfile():
                    raise BackupError(f"Isi cadangan {src.name} tidak dikenal ({m.name}: bukan berkas biasa).")
                files[m.name] = tar.extractfile(m).read()
    except tarfile.TarError as exc:
        raise BackupError(f"Arsip di dalam {src.name} rusak ({exc}). Tidak ada yang ditulis.") from None
    try:
        manifest = json.loads(files.pop(MANIFEST))
    except (KeyError, ValueError):
        raise BackupError(f"{src.name} tidak memuat {MANIFEST} yang terbaca. Tidak ada yang ditulis.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{src.name} berformat {manifest.get('format')!r}, yang dikenal {FORMAT!r}. Tidak ada yang ditulis."
        )
    problems = _mismatches(manifest, files)
    if problems:
        raise BackupError(f"Cadangan {src.name} tidak utuh: " + "; ".join(problems[:8]) + ". Tidak ada yang ditulis.")
    return manifest, files


def _mismatches(manifest: dict, files: dict[str, bytes]) -> list[str]:
    """What in the archive does not match its manifest (paths, presence, sha256, size), and a missing version."""
    listed = manifest.get("berkas") or {}
    problems = []
    for name in sorted(set(listed) | set(files)):
        p = PurePosixPath(name)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            problems.append(f"{name}: jalur di luar folder data")
        elif name not in files:
            problems.append(f"{name}: tercantum di {MANIFEST} tetapi tidak ada di arsip")
        elif name not in listed:
            problems.append(f"{name}: ada di arsip tetapi tidak tercantum di {MANIFEST}")
        elif _sha256(files[name]) != listed[name].get("sha256") or len(files[name]) != listed[name].get("ukuran"):
            problems.append(f"{name}: sha256/ukuran tidak sama dengan {MANIFEST}")
    version = manifest.get("versi") or ""
    if f"warehouse/kla-{version}.duckdb" not in files:
        problems.append(f"versi gudang data {version!r} tidak ada di arsip")
    return problems


def _entries(root: Path) -> list[Path]:
    return sorted(root.iterdir()) if root.is_dir() else []


def restore(src: Path, secret: str, overwrite: bool = False) -> Restored:
    """Restore `src` into KLA_DATA_DIR (see the module docstring)."""
    from etl import audit, loader, users

    manifest, files = open_backup(src, secret)
    root = warehouse.data_dir()
    present = _entries(root)
    if present and not overwrite:
        shown = ", ".join(p.name for p in present[:6]) + (" ..." if len(present) > 6 else "")
        raise BackupError(
            f"Folder data {root} tidak kosong ({shown}). Pulihkan ke folder kosong (KLA_DATA_DIR baru), atau "
            "tambahkan --timpa: isi yang ada dipindahkan dulu ke sebelum-pulih-<waktu>/ di folder itu. "
            "Tidak ada yang ditulis."
        )
    # where each archived file goes: the same functions the app and the CLI read them with
    targets = {"salt.key": loader.salt_path(), "users.yaml": users.path(), "audit.jsonl": audit.path()}
    root.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
    os.chmod(root, warehouse.DIR_MODE)
    stage = root / f".pulih-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(mode=warehouse.DIR_MODE)
    moved_aside = None
    try:
        for name, data in files.items():
            p = stage / name
            p.parent.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, warehouse.FILE_MODE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        version = manifest["versi"]
        damage = warehouse.file_health(stage / "warehouse" / f"kla-{version}.duckdb")
        if damage:
            raise BackupError(f"Versi {version} di dalam cadangan tidak terbaca utuh ({damage}).")
        if present:  # --timpa: what was there goes aside, never deleted
            moved_aside = root / f"sebelum-pulih-{dt.datetime.now():%Y%m%d-%H%M%S}"
            moved_aside.mkdir(mode=warehouse.DIR_MODE)
            for p in present:
                if p != stage:
                    os.replace(p, moved_aside / p.name)
            for p in targets.values():  # a users file kept outside the folder (KLA_USERS_FILE) is moved too
                if p.exists() and root not in p.parents:
                    os.replace(p, moved_aside / p.name)
        for name in sorted({PurePosixPath(n).parts[0] for n in files}):
            dst = targets.get(name, root / name)
            dst.parent.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
            os.replace(stage / name, dst)
        warehouse._fsync_dir(root)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)
    return Restored(manifest["versi"], len(files), manifest.get("dibuat", ""), moved_aside)
