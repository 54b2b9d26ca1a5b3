"""Signed bundles from kab/kota to the province (issue 24, item 6; design: docs/provinsi.md).

A bundle is a folder written by `python -m etl export-bundle DEST` (built in kla/rollup.py, since the publication
is kla's) and read here by `python -m etl import-bundle SRC`:

    manifest.json      format, the kab/kota (code, name), its data version, when, the key's fingerprint, and for
                       each table file its sha256 and row count
    manifest.sig       ed25519 signature of manifest.json's exact bytes (raw 64 bytes)
    kasus.parquet      the kab/kota's protected case publication: every cell a public viewer can get (family,
                       kategori, wilayah, tahun; nilai only where shown, tanda "<5" or "disembunyikan" otherwise)
    nilai.parquet      the KLA indicator values per evaluation year and stage (no notes)
    penduduk.parquet   children per kecamatan and year (the public population figures)

Never a case row, a task, a note or a file name: only what the public pages show.

Keys: each kab/kota has its own ed25519 key pair (the `cryptography` package, PyCA); the private key stays in its
KLA_DATA_DIR (kunci-paket.pem, 0600, made at the first export), the public key is registered with the province
once, out of band (a letter, a visit), as KLA_DATA_DIR/kunci-kabkota/<kode>.pem on the province's server. Import
trusts only those registered keys: the key inside a bundle is never trusted.

Import checks everything before writing: signature against the registered key of the kab/kota the manifest names,
every file's sha256, no file more or less, tables with the expected columns, every area inside that kab/kota, and a
bundle not older than the one imported last (no replay of old figures). Then one publish replaces that kab/kota's
rows of the rollup_* tables (etl/schema.sql) as a new warehouse version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import warehouse

FORMAT = "kla-paket-provinsi/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
TABLES = {
    "kasus.parquet": ("rollup_kasus", ["family", "kategori", "wilayah", "tahun", "nilai", "tanda"]),
    "nilai.parquet": ("rollup_nilai", ["tahun", "nomor", "nilai", "target", "tahap"]),
    "penduduk.parquet": ("rollup_penduduk", ["tahun", "kode_kecamatan", "jumlah_anak", "estimasi"]),
}
MARKS = ("", "<5", "disembunyikan")
KABKOTA_RE = re.compile(r"^\d{2}\.\d{2}$")


class BundleError(Exception):
    """A bundle refused (Indonesian): nothing was written."""


# --- keys ------------------------------------------------------------------------------------------------------
def private_key_path() -> Path:
    return warehouse.data_dir() / "kunci-paket.pem"


def trusted_dir() -> Path:
    return warehouse.data_dir() / "kunci-kabkota"


def _load_private(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, warehouse.FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BundleError(f"{path} bukan kunci privat ed25519.")
    return key


def public_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(pem: bytes) -> str:
    return "sha256:" + hashlib.sha256(pem.strip()).hexdigest()[:32]


def write_bundle(dest: Path, region: str, region_name: str, version: str, tables: dict[str, pd.DataFrame],
                 key_path: Path | None = None) -> dict:  # fmt: skip
    """Write the bundle folder `dest` (must not exist) from the three tables, signed. Returns the manifest."""
    key = _load_private(key_path or private_key_path())
    if dest.exists() and any(dest.iterdir()):
        raise BundleError(f"Folder tujuan {dest} sudah berisi berkas: sebutkan folder baru.")
    dest.mkdir(mode=warehouse.DIR_MODE, parents=True, exist_ok=True)
    files = {}
    for name, (_, columns) in TABLES.items():
        df = tables[name][columns]
        df.to_parquet(dest / name, index=False)
        data = (dest / name).read_bytes()
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "baris": len(df)}
    pem = public_pem(key)
    manifest = {
        "format": FORMAT,
        "kabkota": region,
        "nama": region_name,
        "versi": version,
        "dibuat": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kunci": fingerprint(pem),
        "berkas": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    (dest / MANIFEST).write_bytes(body)
    (dest / SIGNATURE).write_bytes(key.sign(body))
    (dest / "kunci-publik.pem").write_bytes(pem)  # for registering it with the province; never trusted from here
    return manifest


# --- reading and checking ----------------------------------------------------------------------------------------
@dataclass
class Bundle:
    manifest: dict
    tables: dict[str, pd.DataFrame]


def read_bundle(src: Path, trusted: Path | None = None) -> Bundle:
    """The bundle at `src`, checked whole (see the module docstring). Raises BundleError."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    where = src.name
    try:
        body = (src / MANIFEST).read_bytes()
        signature = (src / SIGNATURE).read_bytes()
        manifest = json.loads(body)
    except (OSError, ValueError) as exc:
        raise BundleError(f"Paket {where}: {MANIFEST} atau {SIGNATURE} tidak terbaca ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(f"Paket {where} berformat {manifest.get('format')!r}, yang dikenal {FORMAT!r}.")
    region = str(manifest.get("kabkota", ""))
    if not KABKOTA_RE.match(region):
        raise BundleError(f"Paket {where}: kode kabupaten/kota {region!r} tidak sah (yang diharapkan seperti 74.71).")
    key_file = (trusted or trusted_dir()) / f"{region}.pem"
    if not key_file.exists():
        raise BundleError(
            f"Paket {where} dari {region} ({manifest.get('nama')}): kunci publik {region} belum terdaftar di "
            f"{key_file}. Daftarkan kunci yang diserahkan kab/kota itu (bukan yang ada di dalam paket)."
        )
    public = serialization.load_pem_public_key(key_file.read_bytes())
    if not isinstance(public, Ed25519PublicKey):
        raise BundleError(f"{key_file} bukan kunci publik ed25519.")
    try:
        public.verify(signature, body)
    except InvalidSignature:
        raise BundleError(
            f"Tanda tangan paket {where} tidak sah untuk kunci terdaftar {region}: paket diubah setelah "
            "ditandatangani, atau bukan dari kab/kota itu. Tidak ada yang dimuat."
        ) from None
    listed = manifest.get("berkas") or {}
    present = {p.name for p in src.iterdir()} - {MANIFEST, SIGNATURE, "kunci-publik.pem"}
    if set(listed) != set(TABLES) or present != set(TABLES):
        raise BundleError(
            f"Paket {where}: berkasnya {sorted(present)}, tercantum {sorted(listed)}; yang diharapkan "
            f"{sorted(TABLES)}. Tidak ada yang dimuat."
        )
    tables = {}
    for name, (_, columns) in TABLES.items():
        data = (src / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != listed[name].get("sha256"):
            raise BundleError(f"Paket {where}: {name} tidak sama dengan sha256 di {MANIFEST} (diubah). Tidak dimuat.")
        df = pd.read_parquet(src / name)
        if list(df.columns) != columns or len(df) != listed[name].get("baris"):
            raise BundleError(f"Paket {where}: {name} berkolom {list(df.columns)}, yang diharapkan {columns}.")
        tables[name] = df
    _check_content(where, region, tables)
    return Bundle(manifest, tables)


def _check_content(where: str, region: str, tables: dict[str, pd.DataFrame]) -> None:
    """Every area inside the kab/kota; a hidden cell carries no value, a shown one no mark."""
    kasus = tables["kasus.parquet"]
    outside = sorted({a for a in kasus["wilayah"] if not str(a).startswith(region)})
    outside += sorted({a for a in tables["penduduk.parquet"]["kode_kecamatan"] if not str(a).startswith(region)})
    if outside:
        raise BundleError(f"Paket {where} dari {region} memuat wilayah di luarnya: {', '.join(outside[:5])}.")
    bad_mark = set(kasus["tanda"].fillna("")) - set(MARKS)
    hidden_with_value = ((kasus["tanda"].fillna("") != "") & kasus["nilai"].notna()).any()
    if bad_mark or hidden_with_value:
        raise BundleError(f"Paket {where}: sel kasus tersembunyi membawa angka, atau tanda tidak dikenal.")


# --- import ------------------------------------------------------------------------------------------------------
@dataclass
class Imported:
    region: str
    name: str
    source_version: str
    version: str
    rows: dict[str, int]


def import_bundle(src: Path, trusted: Path | None = None, user: str | None = None) -> Imported:
    bundle = read_bundle(src, trusted)
    m = bundle.manifest
    region = m["kabkota"]

    def change(con, version: str) -> None:
        last = con.execute("SELECT max(dibuat) FROM meta_bundle WHERE kabkota = ?", [region]).fetchone()[0]
        made = dt.datetime.fromisoformat(m["dibuat"]).replace(tzinfo=None)
        if last is not None and made < last:
            raise BundleError(
                f"Paket {region} bertanggal {m['dibuat']} lebih lama daripada yang sudah dimuat ({last}): "
                "angka lama tidak menggantikan yang baru. Tidak ada yang dimuat."
            )
        for name, (table, columns) in TABLES.items():
            con.execute(f"DELETE FROM {table} WHERE kabkota = ?", [region])
            df = bundle.tables[name].assign(kabkota=region)
            con.register("_b", df)
            con.execute(f"INSERT INTO {table} BY NAME SELECT kabkota, {', '.join(columns)} FROM _b")
            con.unregister("_b")
        con.execute(
            "INSERT INTO meta_bundle VALUES (?, ?, ?, ?, ?, ?, ?)",
            [region, m.get("nama"), m.get("versi"), made, m.get("kunci"), version, dt.datetime.now()],
        )

    published = warehouse.publish(change, action="paket", note=f"paket {region} {m.get('versi')}", user=user)
    rows = {TABLES[n][0]: len(df) for n, df in bundle.tables.items()}
    return Imported(region, m.get("nama", ""), m.get("versi", ""), published.version, rows)


def cmd(args) -> int:
    """`python -m etl import-bundle SRC` (export-bundle runs kla.rollup: etl.ops_cli)."""
    import sys

    from etl import audit

    try:
        done = import_bundle(args.src, args.trusted, args.user)
    except BundleError as exc:
        print(f"DITOLAK: {exc}", file=sys.stderr)
        return 1
    audit.record("muat", warehouse.user_name(), "cli", f"paket {done.region} {done.source_version}")
    counts = ", ".join(f"{n} {t}" for t, n in done.rows.items())
    print(
        f"Paket {done.region} ({done.name}, data versi {done.source_version}) dimuat: {counts}. "
        f"Versi gudang data sekarang {done.version}."
    )
    return 0
