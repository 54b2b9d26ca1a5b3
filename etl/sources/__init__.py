"""One module per dataset. Each module defines:

NAME: str                      the CLI's DATASET name
TITLE: str                     Indonesian label for reports and the app
TABLES: tuple[str, ...]        warehouse tables it writes
def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pandas.DataFrame]
    Read and validate every file; add every problem to `report` (all of them, not only the first);
    return clean frames keyed by warehouse table. Must not touch the warehouse.
def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, DataFrame], load_id: str) -> int
    Inside the publish transaction: delete the rows the new ones replace, insert the new ones
    (with load_id), return the number of rows loaded. Loading the same file twice must not
    double count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from etl.names import Regions, regions


@dataclass
class FileInput:
    path: Path
    display_name: str
    sha256: str

    @classmethod
    def from_path(cls, path: Path, display_name: str | None = None) -> FileInput:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        return cls(path=Path(path), display_name=display_name or Path(path).name, sha256=digest.hexdigest())


@dataclass
class LoadContext:
    user: str
    salt: bytes
    today: dt.date = field(default_factory=dt.date.today)
    regions: Regions = field(default_factory=regions)
    extents: object | None = None  # kab/kota code -> Extent where its points may lie (etl.loader.Extents)
    is_sample: bool = False
    # the analyst accepts JUMLAH rows that differ from the sum of their detail rows (--terima-selisih, the Data
    # page's "Terima selisih JUMLAH"): the difference is a warning, not an error, and meta_load records who accepted
    accept_totals: bool = False

    @property
    def scope(self) -> str | None:
        """The kab/kota (or province) this load is for: names are looked up there (--wilayah)."""
        return self.regions.scope


DATASETS = (
    "penduduk",
    "kasus",
    "rbra",
    "indikator",
    "tindak_lanjut",
    "kla_kecamatan",
    "kasus_rekap",
    "kla_hasil",
    "angka_publik",
    "forum_anak",  # issue 23
    "usulan_anak",  # issue 23
    "bukti",  # issue 22
    "jadwal_kla",  # issue 22
    "batas",
    "wilayah",
)
