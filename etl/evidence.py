"""Evidence files (data dukung, issue 22): checked by their content, stored outside the warehouse by SHA-256.

Layout under KLA_DATA_DIR (backups copy the whole folder):
    bukti/<sha256[:2]>/<sha256>      the bytes of one evidence file, written once (0600, folders 0700)

The warehouse holds only their metadata (fact_bukti_berkas: item, sha256, the name it was uploaded with, the type
found from the content, size, who and when), so attaching a file is a new warehouse version like any load, and
a rollback never loses a file: the bytes of every version stay in the store.

The type comes from the bytes, never from the name (the maintained `filetype` library reads the signature; a zip
container is then opened and must hold the parts of the office format it claims). Accepted: PDF, PNG, JPEG,
docx/xlsx/pptx, odt/ods and the old doc/xls. Refused with an Indonesian message: programs, web pages and
scripts, anything else unknown, a plain zip named .docx, an office file with macros, a zip bomb, an empty file
and a file over the upload limit (.streamlit/config.toml server.maxUploadSize, the limit the page enforces).

pengaturan.toml [bukti] store chooses the store: "folder" (the only one available now). An S3-compatible store
(MinIO) is documented as not yet available: no S3 server runs in this workplace to test against, and an untested
store would put evidence at risk; asking for it is refused with a message.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tomllib
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import filetype

from etl import precheck, settings, warehouse

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
DEFAULT_UPLOAD_MB = 200  # Streamlit's own default when config.toml says nothing

# jenis (the type found from the content) -> what the messages call it
ALLOWED: dict[str, str] = {
    "pdf": "PDF",
    "png": "gambar PNG",
    "jpeg": "gambar JPEG",
    "docx": "dokumen Word (.docx)",
    "xlsx": "buku kerja Excel (.xlsx)",
    "pptx": "presentasi PowerPoint (.pptx)",
    "odt": "dokumen OpenDocument (.odt)",
    "ods": "lembar kerja OpenDocument (.ods)",
    "doc": "dokumen Word lama (.doc)",
    "xls": "buku kerja Excel lama (.xls)",
}
EXTENSION = {"jpeg": "jpg"}  # file name extension of a jenis where it differs (the package names files so)
# the parts a zip must hold to be the office format its signature claims
OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ODF_MIME = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
MACRO_PART = re.compile(r"(^|/)vbaProject\.bin$|^Basic/|(^|/)macros?/", re.I)
FILETYPE_KIND = {"jpg": "jpeg"}
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
# what a refused text file looks like: a web page or a script (checked on the first bytes, case-insensitive)
_MARKUP = re.compile(rb"^\s*(<!doctype\s+html|<html|<script|<\?xml|<svg|<\?php)", re.I)
_SCRIPT = re.compile(rb"^(#!|@echo\s|<%|\s*(function|var|const|import|param|set-executionpolicy)\b)", re.I)
PROGRAMS = {"exe", "elf", "dmg", "deb", "rpm", "swf", "crx", "nes", "ar", "msi", "dex", "wasm", "class"}


class EvidenceError(ValueError):
    """An evidence file refused, or a store problem (Indonesian, for the person uploading)."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    jenis: str  # a key of ALLOWED
    ukuran: int  # bytes


@cache
def _upload_mb() -> float:
    try:
        with open(CONFIG, "rb") as fh:
            return float(tomllib.load(fh).get("server", {}).get("maxUploadSize", DEFAULT_UPLOAD_MB))
    except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError):
        return DEFAULT_UPLOAD_MB


MAX_BYTES = int(_upload_mb() * 1024 * 1024)  # Streamlit counts maxUploadSize in MiB


ALLOWED_TEXT = (
    "PDF, gambar PNG/JPEG, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx), OpenDocument (.odt, .ods)"
)


def _allowed_list() -> str:
    return ALLOWED_TEXT


def _refuse(name: str, why: str) -> EvidenceError:
    return EvidenceError(f"Berkas {name} tidak diterima: {why} Yang diterima: {_allowed_list()}.")


def too_big(name: str, size: int) -> EvidenceError:
    return EvidenceError(
        f"Berkas {name} berukuran {precheck.size_text(size)}, melebihi batas unggah "
        f"{precheck.size_text(MAX_BYTES)}. Perkecil berkasnya (misalnya simpan ulang PDF dengan ukuran lebih "
        "kecil atau pecah menjadi beberapa berkas) lalu unggah lagi."
    )


def kind_of(data: bytes, name: str) -> str:
    """The jenis (a key of ALLOWED) of an evidence file, found from its bytes; EvidenceError when it is refused."""
    name = name or "tanpa nama"
    if not data:
        raise _refuse(name, "berkasnya kosong (0 byte).")
    if len(data) > MAX_BYTES:
        raise too_big(name, len(data))
    guess = filetype.guess(data)
    found = FILETYPE_KIND.get(guess.extension, guess.extension) if guess else None
    if found in PROGRAMS:
        raise _refuse(name, "isinya program (berkas yang dapat dijalankan), bukan dokumen.")
    if found in OOXML_PART or found in ODF_MIME or found == "zip" or data[:4] == b"PK\x03\x04":
        return _zipped(data, name, found)
    if found in ALLOWED:
        return found
    if found is None:
        head = data[:1024].lstrip(b"\xef\xbb\xbf")
        if _MARKUP.search(head):
            raise _refuse(name, "isinya halaman web atau markup (HTML/XML/SVG), bukan dokumen.")
        if _SCRIPT.search(head):
            raise _refuse(name, "isinya skrip atau perintah, bukan dokumen.")
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise _refuse(name, "berkas Office lama yang jenisnya tidak dikenali (bukan .doc atau .xls).")
        raise _refuse(name, "jenis isinya tidak dikenali.")
    raise _refuse(name, f"isinya berjenis {found}, yang bukan jenis data dukung.")


def _zipped(data: bytes, name: str, found: str | None) -> str:
    """A zip container: the office format whose parts it holds, or refused (a plain zip, macros, a zip bomb)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(name, "arsip zip yang rusak atau tidak lengkap.") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > precheck.MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > precheck.MAX_UNZIPPED_BYTES:
            raise _refuse(name, "arsip yang terlalu besar setelah dibuka (unzip).")
        for i in infos:
            if i.file_size > precheck.RATIO_MIN_BYTES and i.file_size > precheck.MAX_RATIO * max(i.compress_size, 1):
                raise _refuse(name, "arsip yang mengembang berlebihan saat dibuka (bom zip).")
        if any(MACRO_PART.search(n) for n in names):
            raise _refuse(name, "dokumen Office berisi makro. Simpan ulang tanpa makro (.docx, .xlsx, .pptx).")
        jenis = None
        if "[Content_Types].xml" in names:
            jenis = next((k for k, part in OOXML_PART.items() if part in names), None)
        elif "mimetype" in names:
            try:
                mime = zf.read("mimetype").strip()
            except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
                mime = b""
            jenis = next((k for k, m in ODF_MIME.items() if mime == m), None)
            if jenis and "content.xml" not in names:
                jenis = None
    if jenis is None:
        raise _refuse(
            name,
            "isinya arsip zip biasa, bukan dokumen Office atau OpenDocument (bagian dokumennya tidak ada). "
            "Unggah dokumennya sendiri, bukan zip.",
        )
    return jenis


# --- the store ------------------------------------------------------------------------------------------------


def store_kind() -> str:
    """pengaturan.toml [bukti] store: "folder" (default). Anything else is refused: not yet available."""
    kind = str(settings.settings().get("bukti", {}).get("store", "folder")).strip().lower() or "folder"
    if kind != "folder":
        raise EvidenceError(
            f'Penyimpanan bukti "{kind}" (pengaturan.toml [bukti] store) belum tersedia: saat ini hanya "folder" '
            f"(berkas di {root()}). Penyimpanan S3 (MinIO) belum diuji pada server S3 sungguhan, jadi belum "
            'diaktifkan. Ubah pengaturannya menjadi store = "folder".'
        )
    return kind


def root() -> Path:
    return warehouse.data_dir() / "bukti"


def path_of(sha256: str) -> Path:
    if not isinstance(sha256, str) or not SHA_RE.match(sha256):
        raise EvidenceError(f'"{str(sha256)[:70]}" bukan sidik SHA-256 berkas (64 huruf heksadesimal kecil).')
    return root() / sha256[:2] / sha256


def exists(sha256: str) -> bool:
    store_kind()
    return path_of(sha256).is_file()


def _mkdir(path: Path) -> None:
    for d in (path.parent.parent, path.parent):
        try:
            d.mkdir(mode=warehouse.DIR_MODE, parents=True)
        except FileExistsError:
            pass


def put(data: bytes, name: str) -> Stored:
    """Check the file by content (kind_of) and store it under its SHA-256; storing the same bytes again changes
    nothing (the same address). The write is atomic: a temporary file, fsync, rename."""
    jenis = kind_of(data, name)
    store_kind()
    sha = hashlib.sha256(data).hexdigest()
    final = path_of(sha)
    if not final.is_file():
        _mkdir(final)
        tmp = final.with_name(f"{sha}.tmp-{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, warehouse.FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        warehouse._fsync_dir(final.parent)
    return Stored(sha256=sha, jenis=jenis, ukuran=len(data))


def open_bytes(sha256: str) -> bytes:
    """The bytes stored under `sha256`, checked against it; EvidenceError when missing or damaged."""
    store_kind()
    path = path_of(sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvidenceError(
            f"Berkas bukti {sha256[:12]}… tidak ada di penyimpanan ({root()}). Pulihkan folder bukti dari "
            "cadangan, atau unggah berkasnya lagi."
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError(
            f"Berkas bukti {sha256[:12]}… di {path} rusak (isinya tidak cocok dengan sidik SHA-256-nya). "
            "Pulihkan dari cadangan, atau unggah berkasnya lagi."
        )
    return data


def extension(jenis: str) -> str:
    """The file name extension of a jenis: pdf, jpg, docx, ..."""
    return EXTENSION.get(jenis, jenis)
