"""The kab/kota side of the province roll-up: `python -m kla.rollup export DEST` (run by `python -m etl
export-bundle DEST`) writes the signed bundle of this deployment's kab/kota (etl/rollup.py says what a bundle is).

The case cells are the publication's (kla.publication.of_version: every cell a public viewer can get, protected
together) within the kab/kota: a shown cell with its value, a small one as "<5", a hidden one as "disembunyikan",
both without a value. So the province gets exactly what the kab/kota's public pages show, never a case row.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from etl import names, rollup, warehouse
from kla.disclosure import OK, PRIMARY

MARK = {PRIMARY: "<5"}  # anything else not shown: "disembunyikan"


def case_cells(pub, kabkota: str) -> pd.DataFrame:
    """The publication's cells of the kab/kota and its kecamatan (after aliases: a province with one kab/kota has
    its cells under the kab/kota's code)."""
    rows = []
    for (family, kategori, area, year), i in pub.index.items():
        if not area.startswith(kabkota):
            continue
        status = int(pub.status[i])
        shown = status == OK
        rows.append(
            {
                "family": family,
                "kategori": None if kategori is None else str(kategori),
                "wilayah": area,
                "tahun": year,
                "nilai": int(pub.values[i]) if shown else None,
                "tanda": "" if shown else MARK.get(status, "disembunyikan"),
            }
        )
    df = pd.DataFrame(rows, columns=["family", "kategori", "wilayah", "tahun", "nilai", "tanda"])
    return df.astype({"tahun": "Int64", "nilai": "Int64"}).sort_values(
        ["family", "kategori", "wilayah", "tahun"], na_position="first", kind="stable"
    )


def export(dest: Path, key_path: Path | None = None) -> dict:
    from kla import db, publication, queries

    key = db.current_key()
    if key is None:
        raise rollup.BundleError(f"Belum ada gudang data di {warehouse.warehouse_dir()}: tidak ada yang diekspor.")
    region = names.default_scope()
    if names.region_level(region) != "kabkota":
        raise rollup.BundleError(
            f"Paket provinsi dibuat oleh satu kabupaten/kota; wilayah dasbor ini {region or 'Indonesia'} "
            "(data/reference/pengaturan.toml [wilayah])."
        )
    pub = publication.of_version(key)
    tables = {
        "kasus.parquet": case_cells(pub, region),
        "nilai.parquet": queries.bundle_indicators(key, region),
        "penduduk.parquet": queries.bundle_population(key, region),
    }
    return rollup.write_bundle(dest, region, names.regions().scope_name, db.version_of(key), tables, key_path)


def main(argv: list[str] | None = None) -> int:
    warehouse.private_files()
    from streamlit import logger

    logger.set_log_level(logging.ERROR)  # cached queries outside a server
    p = argparse.ArgumentParser(prog="python -m kla.rollup", description="Paket provinsi bertanda tangan.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("export", help="tulis paket terbitan publik kab/kota ini")
    s.add_argument("dest", type=Path)
    s.add_argument("--kunci", type=Path, default=None, help="kunci privat ed25519 (bawaan KLA_DATA_DIR)")
    args = p.parse_args(argv)
    try:
        m = export(args.dest, args.kunci)
    except (rollup.BundleError, warehouse.WarehouseError) as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{n}: {f['baris']} baris" for n, f in m["berkas"].items())
    print(
        f"Paket {m['kabkota']} ({m['nama']}, data versi {m['versi']}) ditulis ke {args.dest}: {rows}. "
        f"Ditandatangani kunci {m['kunci']}; kunci publiknya {args.dest / 'kunci-publik.pem'} didaftarkan di provinsi "
        "sekali, lewat jalur lain (bukan bersama paket)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
