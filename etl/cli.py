"""`python -m etl`: the one command line for every write to the warehouse.

Exit codes: 0 success; 1 invalid input (the report says why; nothing written); 2 usage error;
3 the warehouse is busy or damaged (the message says what to do).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from etl import loader, warehouse
from etl.loader import UsageError
from etl.sources import DATASETS

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_WAREHOUSE = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    datasets = ", ".join(DATASETS)
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="Memuat data OPD ke gudang data Dasbor KLA (DuckDB berversi). "
                    f"Lokasi gudang data: KLA_DATA_DIR (sekarang {warehouse.data_dir()}).",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    for name, helptext in (("load", "periksa lalu muat berkas sebagai versi baru gudang data"),
                           ("check", "periksa berkas saja, tanpa menyimpan apa pun")):
        s = sub.add_parser(name, help=helptext, description=helptext)
        s.add_argument("dataset", metavar="DATASET", help=f"salah satu dari: {datasets}")
        s.add_argument("files", metavar="FILE", nargs="+", type=Path, help="berkas xlsx, xls, csv (atau geojson, "
                       "gpkg, zip shapefile untuk batas)")
        s.add_argument("--report", metavar="PATH.xlsx", type=Path,
                       help="tulis daftar masalah sebagai spreadsheet untuk pemilik data")
        s.add_argument("--wilayah", metavar="KODE", default="default",
                       help="kode Kemendagri kabupaten/kota yang nama kecamatan/kelurahannya dipakai berkas ini "
                            "(bawaan: data/reference/pengaturan.toml, Kota Kendari 74.71; \"\" = seluruh Indonesia, "
                            "berkas lalu perlu kolom Kode Kecamatan)")
        if name == "load":
            s.add_argument("--user", help="nama pengguna untuk riwayat muat (bawaan: KLA_USER atau pengguna sistem)")

    s = sub.add_parser("sample", help="buat ulang data contoh (sintetis) dan muat lewat jalur yang sama")
    s.add_argument("--if-missing", action="store_true", help="hanya bila belum ada gudang data")
    sub.add_parser("history", help="daftar pemuatan dan versi gudang data")
    s = sub.add_parser("rollback", help="kembalikan gudang data ke versi sebelumnya")
    s.add_argument("version", metavar="VERSION", help="misalnya v0003 (lihat `history`)")
    sub.add_parser("repair", help="arahkan CURRENT ke versi utuh terakhir dan bersihkan sisa berkas sementara")
    sub.add_parser("upgrade", help="perbarui skema gudang data buatan versi dasbor lama (versi baru, data tetap)")
    s = sub.add_parser("user", help="kelola akun dasbor (analis, admin): add, remove, passwd, unlock, list")
    s.add_argument("action", choices=["add", "remove", "passwd", "unlock", "list"], metavar="AKSI",
                   help="add, remove, passwd, unlock atau list")
    s.add_argument("username", nargs="?", metavar="NAMA", help="nama pengguna, misalnya ani.dp3a")
    s.add_argument("--role", choices=["analis", "admin"], default="analis", help="peran (bawaan analis)")
    s.add_argument("--nama", help="nama lengkap untuk tampilan")
    s.add_argument("--password-stdin", action="store_true",
                   help="baca kata sandi dari stdin (untuk skrip); tanpa ini kata sandi ditanyakan dua kali")
    return p


def _scope(value: str) -> str | None:
    if value == "default":
        return "default"
    from etl.names import normalise_code

    code = normalise_code(value) if value.strip() else None
    if value.strip() and code is None:
        raise UsageError(f"--wilayah {value}: yang diharapkan kode Kemendagri seperti 74.71 (kabupaten/kota) atau "
                         "74 (provinsi).")
    return code


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Kata sandi: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        raise users_module().UserError("Kedua kata sandi tidak sama.")
    return first


def users_module():
    from etl import users

    return users


def cmd_user(args) -> int:
    from etl import audit

    users = users_module()
    try:
        if args.action == "list":
            rows = users.listing()
            if not rows:
                print(f"Belum ada akun. Buat dengan: python -m etl user add NAMA --role analis (berkas {users.path()})")
            for r in rows:
                lock = "  TERKUNCI" if r["terkunci"] else ""
                print(f"{r['pengguna']:<20} {r['peran']:<7} {r['nama']}{lock}")
            return EXIT_OK
        if not args.username:
            raise users.UserError("Sebutkan nama pengguna, misalnya: python -m etl user add ani.dp3a --role analis")
        if args.action == "add":
            users.add(args.username, _password(args), args.role, args.nama)
            msg = f"Akun {args.username} ({args.role}) dibuat."
        elif args.action == "remove":
            users.remove(args.username)
            msg = f"Akun {args.username} dihapus."
        elif args.action == "passwd":
            users.passwd(args.username, _password(args))
            msg = f"Kata sandi {args.username} diganti; kunci akun dibuka."
        else:
            users.unlock(args.username)
            msg = f"Kunci akun {args.username} dibuka."
    except users.UserError as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return EXIT_USAGE
    audit.record("pengguna", warehouse.user_name(), "cli", f"{args.action} {args.username}")
    print(msg)
    return EXIT_OK


def _print_result(result: loader.LoadResult, report_path: Path | None) -> None:
    text = result.report.to_text()
    print(text)
    if report_path:
        result.report.to_xlsx(report_path)
        print(f"Laporan masalah ditulis ke {report_path}")


def cmd_load(args, check_only: bool) -> int:
    if check_only:
        result = loader.check(args.dataset, args.files, scope=_scope(args.wilayah))
    else:
        result = loader.load(args.dataset, args.files, user=args.user, scope=_scope(args.wilayah))
    _print_result(result, args.report)
    if not result.ok:
        return EXIT_INVALID
    r = result.report
    if result.version:
        print(f"Berhasil: {r.rows_loaded} baris {args.dataset} dimuat ({r.rows_read} baris dibaca). "
              f"Versi gudang data sekarang {result.version}.")
    else:
        print(f"Berkas valid: {r.rows_read} baris dibaca. Tidak ada yang disimpan (perintah check).")
    return EXIT_OK


def cmd_sample(args) -> int:
    from etl import sample

    if args.if_missing and warehouse.current_version() is not None:
        print(f"Gudang data sudah ada (versi {warehouse.current_version()}); data contoh tidak dibuat ulang.")
        return EXIT_OK
    out = warehouse.data_dir() / "sample"
    files = sample.generate(out)
    print(f"Data contoh (sintetis) ditulis ke {out}")
    for dataset, paths in files.items():
        result = loader.load(dataset, list(paths), user="contoh", is_sample=True)
        if not result.ok:
            print(result.report.to_text())
            print(f"Data contoh {dataset} gagal dimuat: ini kesalahan program, mohon laporkan.")
            return EXIT_INVALID
        print(f"- {dataset}: {result.report.rows_loaded} baris dari {', '.join(p.name for p in paths)} "
              f"({len(result.report.warnings)} peringatan) -> versi {result.version}")
    return EXIT_OK


def cmd_history(args) -> int:
    current = warehouse.current_version()
    versions = warehouse.list_versions()
    if current is None:
        print("Belum ada gudang data. Jalankan `python -m etl sample` atau `python -m etl load DATASET FILE`.")
        return EXIT_OK
    con = warehouse.connect_current()
    try:
        loads = con.execute(
            "SELECT version, strftime(loaded_at, '%Y-%m-%d %H:%M') AS waktu, dataset, file_name, rows_read, "
            "rows_loaded, rows_rejected, warnings, user_name, is_sample, left(file_sha256, 12) AS sha "
            "FROM meta_load ORDER BY loaded_at, version"
        ).fetchall()
    finally:
        con.close()
    print(f"Gudang data: {warehouse.warehouse_dir()}  (versi sekarang: {current})")
    print(f"Versi tersimpan: {', '.join(v + ('*' if v == current else '') for v in versions)}")
    print()
    print(f"{'versi':7} {'waktu':16} {'dataset':10} {'dibaca':>7} {'dimuat':>7} {'ditolak':>7} {'peringatan':>10} "
          f"{'pengguna':10} berkas")
    for v, waktu, ds, fname, rr, rl, rj, w, user, is_sample, sha in loads:
        tag = " (contoh)" if is_sample else ""
        print(f"{v:7} {waktu:16} {ds:10} {rr or 0:>7} {rl or 0:>7} {rj or 0:>7} {w or 0:>10} {user or '':10} "
              f"{fname} [sha256 {sha}]{tag}")
    return EXIT_OK


def cmd_rollback(args) -> int:
    before = warehouse.current_version()
    version = warehouse.rollback(args.version)
    from etl import audit

    audit.record("kembalikan", warehouse.user_name(), "cli", f"{before} -> {version}")
    print(f"Gudang data dikembalikan dari {before} ke {version}. Versi yang lebih baru tetap tersimpan; "
          f"`python -m etl rollback {before}` membatalkan langkah ini.")
    return EXIT_OK


def cmd_repair(args) -> int:
    version = warehouse.repair()
    if version is None:
        print("Tidak ada versi utuh. Bangun ulang dengan `python -m etl sample` atau muat data asli.")
        return EXIT_WAREHOUSE
    print(f"CURRENT sekarang menunjuk versi utuh {version}.")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in ("load", "check"):
            return cmd_load(args, check_only=args.command == "check")
        if args.command == "sample":
            return cmd_sample(args)
        if args.command == "history":
            return cmd_history(args)
        if args.command == "rollback":
            return cmd_rollback(args)
        if args.command == "user":
            return cmd_user(args)
        if args.command == "repair":
            return cmd_repair(args)
        if args.command == "upgrade":
            version = warehouse.upgrade()
            print(f"Skema diperbarui: versi {version}." if version else "Skema gudang data sudah mutakhir.")
            return EXIT_OK
    except UsageError as exc:
        print(f"python -m etl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except warehouse.WarehouseError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_WAREHOUSE
    except duckdb.Error as exc:
        print(f"Gudang data tidak dapat dibuka atau ditulis: {exc}. Coba `python -m etl repair`.", file=sys.stderr)
        return EXIT_WAREHOUSE
    except OSError as exc:
        print(f"Gagal menulis gudang data: {exc}. Tidak ada perubahan yang disimpan.", file=sys.stderr)
        return EXIT_WAREHOUSE
    parser.error("perintah tidak dikenal")
    return EXIT_USAGE
