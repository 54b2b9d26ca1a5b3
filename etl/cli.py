"""`python -m etl`: the one command line for every write to the warehouse.

Exit codes: 0 success; 1 invalid input (the report says why; nothing written); 2 usage error;
3 the warehouse is busy or damaged (the message says what to do).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from etl import loader, ops_cli, warehouse
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

    for name, helptext in (
        ("load", "periksa lalu muat berkas sebagai versi baru gudang data"),
        ("check", "periksa berkas saja, tanpa menyimpan apa pun"),
    ):
        s = sub.add_parser(name, help=helptext, description=helptext)
        s.add_argument("dataset", metavar="DATASET", help=f"salah satu dari: {datasets}")
        s.add_argument(
            "files",
            metavar="FILE",
            nargs="+",
            type=Path,
            help="berkas xlsx, xls, csv (atau geojson, gpkg, zip shapefile untuk batas)",
        )
        s.add_argument(
            "--report",
            metavar="PATH.xlsx",
            type=Path,
            help="tulis daftar masalah sebagai spreadsheet untuk pemilik data",
        )
        s.add_argument(
            "--wilayah",
            metavar="KODE",
            default="default",
            help="kode Kemendagri kabupaten/kota yang nama kecamatan/kelurahannya dipakai berkas ini "
            '(bawaan: data/reference/pengaturan.toml, Kota Kendari 74.71; "" = seluruh Indonesia, '
            "berkas lalu perlu kolom Kode Kecamatan)",
        )
        s.add_argument(
            "--terima-selisih",
            dest="accept_totals",
            action="store_true",
            help="terima baris JUMLAH yang tidak sama dengan penjumlahan baris rinciannya (tanpa ini: galat); "
            "selisihnya tetap dilaporkan sebagai peringatan dan riwayat muat mencatat siapa yang menerimanya",
        )
        if name == "load":
            s.add_argument("--user", help="nama pengguna untuk riwayat muat (bawaan: KLA_USER atau pengguna sistem)")

    s = sub.add_parser(
        "sample",
        help="muat data publik asli (data/publik/daftar.toml), lalu data contoh (sintetis) untuk dataset lainnya",
    )
    s.add_argument("--if-missing", action="store_true", help="hanya bila belum ada gudang data")
    s = sub.add_parser(
        "hapus-contoh",
        help="hapus baris data contoh (sintetis) satu dataset, sebagai versi baru (tanpa DATASET: daftar)",
    )
    s.add_argument("dataset", metavar="DATASET", nargs="?", help="misalnya kasus")
    s.add_argument("--user", help="nama pengguna untuk riwayat (bawaan: KLA_USER atau pengguna sistem)")
    sub.add_parser("history", help="daftar pemuatan dan versi gudang data")
    s = sub.add_parser("rollback", help="kembalikan gudang data ke versi sebelumnya (tanpa VERSI: daftar pilihan)")
    s.add_argument("version", metavar="VERSION", nargs="?", help="misalnya v0003 (lihat `history`)")
    s.add_argument(
        "--paksa",
        action="store_true",
        help="izinkan versi yang tidak pernah dipakai (pemuatannya terhenti sebelum versi itu dipasang)",
    )
    sub.add_parser(
        "repair",
        help="arahkan CURRENT ke versi utuh terakhir, bersihkan sisa berkas sementara dan "
        "tutup izin berkas data untuk pengguna lain",
    )
    sub.add_parser("upgrade", help="perbarui skema gudang data buatan versi dasbor lama (versi baru, data tetap)")
    # issue 22: the evidence package and the Excel templates
    s = sub.add_parser(
        "paket-bukti",
        help="tulis paket data dukung satu tahun (zip: satu folder per indikator berisi berkasnya, dan indeks xlsx)",
    )
    s.add_argument("tahun", metavar="TAHUN", help="tahun evaluasi, misalnya 2025")
    s.add_argument("dest", metavar="DEST.zip", type=Path, help="berkas zip yang ditulis")
    s.add_argument(
        "--wilayah", metavar="KODE", default=None, help="kode kabupaten/kota (bawaan: data/reference/pengaturan.toml)"
    )
    s = sub.add_parser("template", help="tulis templat Excel satu dataset (judul kolom, daftar pilihan, petunjuk)")
    s.add_argument("dataset", metavar="DATASET", help="misalnya bukti")
    s.add_argument("dest", metavar="DEST.xlsx", type=Path, nargs="?", help="bawaan: templat_DATASET.xlsx")
    ops_cli.add_parsers(sub)  # backup, restore, export-bundle, import-bundle, kirim-bahan (issue 24)
    actions = ["add", "remove", "passwd", "role", "wilayah", "unlock", "list", "sessions", "revoke"]
    s = sub.add_parser("user", help="kelola akun dasbor (analis, admin): " + ", ".join(actions))
    s.add_argument(
        "action",
        choices=actions,
        metavar="AKSI",
        help="add, remove, passwd, role (ganti peran), wilayah (ganti wilayah kerja), unlock, list, "
        "sessions (sesi masuk yang aktif), revoke (akhiri semua sesi NAMA)",
    )
    s.add_argument("username", nargs="?", metavar="NAMA", help="nama pengguna, misalnya ani.dp3a")
    s.add_argument("--role", choices=["analis", "admin"], default=None, help="peran (bawaan analis)")
    s.add_argument(
        "--wilayah",
        metavar="KODE",
        default=None,
        help='wilayah kerja akun: kode kabupaten/kota (74.71) atau provinsi (74); "" = seluruh '
        "Indonesia (bawaan: wilayah di data/reference/pengaturan.toml)",
    )
    s.add_argument("--nama", help="nama lengkap untuk tampilan")
    s.add_argument(
        "--password-stdin",
        action="store_true",
        help="baca kata sandi dari stdin (untuk skrip); tanpa ini kata sandi ditanyakan dua kali",
    )
    return p


def _scope(value: str) -> str | None:
    if value == "default":
        return "default"
    from etl.names import normalise_code

    code = normalise_code(value) if value.strip() else None
    if value.strip() and code is None:
        raise UsageError(
            f"--wilayah {value}: yang diharapkan kode Kemendagri seperti 74.71 (kabupaten/kota) atau 74 (provinsi)."
        )
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


def _when(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H.%M")


def _region_arg(value: str | None) -> str | None:
    """The --wilayah of an account: a kab/kota or province code, "" for Indonesia, default the configured one."""
    if value is None:
        from etl import settings

        return settings.region() or None
    if value == "default":
        raise users_module().UserError("--wilayah default tidak berlaku untuk akun: sebutkan kodenya.")
    try:
        return _scope(value)
    except UsageError as exc:
        raise users_module().UserError(str(exc)) from None


def cmd_user(args) -> int:  # noqa: C901 (one branch per user action, each a line or two)
    from etl import audit

    users = users_module()
    try:
        if args.action == "list":
            rows = users.listing()
            if not rows:
                print(f"Belum ada akun. Buat dengan: python -m etl user add NAMA --role analis (berkas {users.path()})")
            for r in rows:
                lock = "  TERKUNCI" if r["terkunci"] else ""
                print(f"{r['pengguna']:<20} {r['peran']:<7} {r['wilayah'] or 'Indonesia':<10} {r['nama']}{lock}")
            return EXIT_OK
        if args.action == "sessions":
            from etl import sessions

            live = [x for x in sessions.listing() if not args.username or x.user == args.username]
            if not live:
                print("Tidak ada sesi masuk yang aktif.")
            for x in live:
                print(
                    f"{x.user:<20} masuk {_when(x.created)}  terakhir {_when(x.seen)}  dari {x.client}  {x.agent[:40]}"
                )
            return EXIT_OK
        if not args.username:
            raise users.UserError("Sebutkan nama pengguna, misalnya: python -m etl user add ani.dp3a --role analis")
        if args.action == "add":
            wilayah = _region_arg(args.wilayah)
            users.add(args.username, _password(args), args.role or "analis", args.nama, wilayah=wilayah)
            msg = f"Akun {args.username} ({args.role or 'analis'}, wilayah {wilayah or 'seluruh Indonesia'}) dibuat."
        elif args.action == "remove":
            users.remove(args.username)
            msg = f"Akun {args.username} dihapus; sesinya berakhir."
        elif args.action == "passwd":
            users.passwd(args.username, _password(args))
            msg = f"Kata sandi {args.username} diganti; kunci akun dibuka; sesi lamanya berakhir."
        elif args.action == "role":
            if not args.role:
                raise users.UserError("Sebutkan peran barunya: --role analis atau --role admin.")
            users.set_role(args.username, args.role)
            msg = f"Peran {args.username} sekarang {args.role}; sesinya berakhir (masuk lagi)."
        elif args.action == "wilayah":
            if args.wilayah is None:
                raise users.UserError(
                    "Sebutkan wilayahnya: --wilayah 74.71 (kota), --wilayah 74 (provinsi) atau "
                    '--wilayah "" (seluruh Indonesia).'
                )
            wilayah = _region_arg(args.wilayah)
            users.set_region(args.username, wilayah)
            msg = f"Wilayah kerja {args.username} sekarang {wilayah or 'seluruh Indonesia'}; sesinya berakhir."
        elif args.action == "revoke":
            from etl import sessions

            n = sessions.revoke_user(args.username)
            msg = f"{n} sesi {args.username} diakhiri."
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
    """What was read (one line per table), then the problems, the notes and the summary."""
    from etl import pii

    understood = result.report.understood()
    if understood:
        print("Yang terbaca:")
        for line in understood:
            print(pii.mask_text(f"- {line}"))
        print()
    text = result.report.to_text()
    print(text)
    if report_path:
        result.report.to_xlsx(report_path)
        print(f"Laporan masalah ditulis ke {report_path}")


def cmd_load(args, check_only: bool) -> int:
    scope, accept = _scope(args.wilayah), args.accept_totals
    if check_only:
        result = loader.check(args.dataset, args.files, scope=scope, accept_totals=accept)
    else:
        result = loader.load(args.dataset, args.files, user=args.user, scope=scope, accept_totals=accept)
    _print_result(result, args.report)
    if not result.ok:
        return EXIT_INVALID
    r = result.report
    if result.version:
        print(
            f"Berhasil: {r.rows_loaded} baris {args.dataset} dimuat ({r.rows_read} baris dibaca). "
            f"Versi gudang data sekarang {result.version}."
        )
    else:
        print(f"Berkas valid: {r.rows_read} baris dibaca. Tidak ada yang disimpan (perintah check).")
    return EXIT_OK


def cmd_sample(args) -> int:
    from etl import sample

    if args.if_missing and warehouse.current_version() is not None:
        print(f"Gudang data sudah ada (versi {warehouse.current_version()}); data contoh tidak dibuat ulang.")
        return EXIT_OK
    # first Kendari's public record (real published files shipped in data/publik), then the synthetic sample
    try:
        public = sample.public_entries()
    except sample.ManifestError as exc:
        print(f"GALAT: {exc}\nTidak ada yang dimuat.", file=sys.stderr)
        return EXIT_INVALID
    if public:
        print(f"Data publik (asli, bukan contoh) dari {sample.MANIFEST_SHOWN}:")
    for entry in public:
        result = loader.load(
            entry.dataset, list(entry.files), user=sample.PUBLIC_USER, is_sample=False, scope=entry.scope
        )
        if not result.ok:
            print(result.report.to_text())
            print(
                f"Data publik {entry.dataset} gagal dimuat: perbaiki berkasnya atau entri di {sample.MANIFEST_SHOWN}."
            )
            return EXIT_INVALID
        print(
            f"- {entry.dataset}: {result.report.rows_loaded} baris dari {', '.join(p.name for p in entry.files)} "
            f"({len(result.report.warnings)} peringatan) -> versi {result.version}. {entry.keterangan}"
        )
    given = {entry.dataset for entry in public}
    out = warehouse.data_dir() / "sample"
    files = sample.generate(out)
    print(f"Data contoh (sintetis) ditulis ke {out}")
    for dataset, paths in files.items():
        if dataset in given:  # a public source gives it: no synthetic figures beside the real ones
            print(f"- {dataset}: tidak dimuat dari data contoh (sumber publik di {sample.MANIFEST_SHOWN})")
            continue
        result = loader.load(dataset, list(paths), user="contoh", is_sample=True)
        if not result.ok:
            print(result.report.to_text())
            print(f"Data contoh {dataset} gagal dimuat: ini kesalahan program, mohon laporkan.")
            return EXIT_INVALID
        print(
            f"- {dataset}: {result.report.rows_loaded} baris dari {', '.join(p.name for p in paths)} "
            f"({len(result.report.warnings)} peringatan) -> versi {result.version}"
        )
    return EXIT_OK


def cmd_remove_sample(args) -> int:
    from etl import samples

    con = warehouse.connect_current()
    if con is None:
        print("Belum ada gudang data.")
        return EXIT_OK
    try:
        rows = samples.sample_rows(con)
    finally:
        con.close()
    if not args.dataset:
        if not rows:
            print("Gudang data tidak lagi memuat data contoh.")
        for dataset, n in rows.items():
            print(f"- {dataset}: {n} baris data contoh (hapus dengan `python -m etl hapus-contoh {dataset}`)")
        return EXIT_OK
    if args.dataset not in DATASETS:
        raise UsageError(f"dataset tidak dikenal: {args.dataset}. Yang ada: {', '.join(DATASETS)}.")
    result = samples.remove(args.dataset, args.user or warehouse.user_name())
    if result is None:
        print(f"Dataset {args.dataset} tidak memuat data contoh; tidak ada yang diubah.")
        return EXIT_OK
    version, n = result
    print(f"{n} baris data contoh {args.dataset} dihapus. Versi gudang data sekarang {version}.")
    return EXIT_OK


def _version_labels(current: str | None) -> dict[str, str]:
    """ "v0003 (tidak pernah dipakai)", "v0004*" for the current one."""
    never = warehouse.never_current()
    return {
        v: v + ("*" if v == current else "") + (f" ({warehouse.NEVER_CURRENT_LABEL})" if v in never else "")
        for v in warehouse.list_versions()
    }


NEVER_NOTE = (
    f"({warehouse.NEVER_CURRENT_LABEL}) = berkas versi lengkap yang tidak pernah ditunjuk CURRENT: "
    "pemuatannya terhenti tepat sebelum versi itu dipasang. Tidak ditawarkan untuk dikembalikan."
)


def cmd_history(args) -> int:
    current = warehouse.current_version()
    if current is None:
        print("Belum ada gudang data. Jalankan `python -m etl sample` atau `python -m etl load DATASET FILE`.")
        return EXIT_OK
    labels = _version_labels(current)
    print(f"Gudang data: {warehouse.warehouse_dir()}  (versi sekarang: {current})")
    print(f"Versi tersimpan: {', '.join(labels.values())}")
    if warehouse.never_current():
        print(NEVER_NOTE)
    print()
    con = warehouse.connect_current()
    try:
        # a warehouse of an older release (before `etl upgrade`) has no totals_accepted_by: its history still shows
        old = ("meta_load", "totals_accepted_by") in warehouse.missing_columns(con)
        accepted = "NULL" if old else "totals_accepted_by"
        loads = con.execute(
            "SELECT version, strftime(loaded_at, '%Y-%m-%d %H:%M') AS waktu, dataset, file_name, rows_read, "
            f"rows_loaded, rows_rejected, warnings, user_name, is_sample, left(file_sha256, 12) AS sha, {accepted} "
            "FROM meta_load ORDER BY loaded_at, version"
        ).fetchall()
    finally:
        con.close()
    print(
        f"{'versi':7} {'waktu':16} {'dataset':10} {'dibaca':>7} {'dimuat':>7} {'ditolak':>7} {'peringatan':>10} "
        f"{'pengguna':10} berkas"
    )
    for v, waktu, ds, fname, rr, rl, rj, w, user, is_sample, sha, accepted_by in loads:
        tag = " (contoh)" if is_sample else ""
        if accepted_by:
            tag += f" (selisih JUMLAH diterima oleh {accepted_by})"
        print(
            f"{v:7} {waktu:16} {ds:10} {rr or 0:>7} {rl or 0:>7} {rj or 0:>7} {w or 0:>10} {user or '':10} "
            f"{fname} [sha256 {sha}]{tag}"
        )
    return EXIT_OK


def cmd_rollback(args) -> int:
    try:
        before = warehouse.current_version()
    except warehouse.WarehouseError:  # a damaged pointer: rollback is one way out of it
        before = None
    if args.version is None:
        targets = warehouse.rollback_targets(before)
        print(f"Versi sekarang: {before or '(tidak terbaca)'}")
        print("Versi yang bisa dikembalikan (terbaru dulu): " + (", ".join(targets) or "(belum ada)"))
        never = sorted(warehouse.never_current(), key=lambda v: int(v[1:]), reverse=True)
        if never:
            print(f"Tidak ditawarkan ({warehouse.NEVER_CURRENT_LABEL}): {', '.join(never)}")
            print(NEVER_NOTE)
        print("Kembalikan dengan: python -m etl rollback VERSI")
        return EXIT_OK
    try:
        version = warehouse.rollback(args.version, allow_never_current=args.paksa)
    except warehouse.RollbackRefused as exc:
        print(f"DITOLAK: {exc}", file=sys.stderr)
        return EXIT_INVALID
    from etl import audit

    audit.record("kembalikan", warehouse.user_name(), "cli", f"{before} -> {version}")
    undo = f"; `python -m etl rollback {before}` membatalkan langkah ini." if before else "."
    print(
        f"Gudang data dikembalikan dari {before or '(penunjuk rusak)'} ke {version}. Versi yang lebih baru tetap "
        f"tersimpan{undo}"
    )
    return EXIT_OK


def cmd_repair(args) -> int:
    result = warehouse.repair_report()
    tightened = warehouse.tighten_modes()
    for path in result.removed:
        print(f"Sisa berkas sementara dihapus: {path.name}")
    for version, why in result.skipped:
        print(f"Dilewati {version}: {why}")
    if tightened:
        print(f"Izin {len(tightened)} berkas data ditutup untuk pengguna lain (kini hanya pemiliknya).")
    if result.version is None:
        print("Tidak ada versi utuh. Bangun ulang dengan `python -m etl sample` atau muat data asli.")
        return EXIT_WAREHOUSE
    if not result.moved:
        print(f"CURRENT sudah menunjuk versi utuh {result.version}; tidak ada yang diubah.")
        return EXIT_OK
    from etl import audit

    audit.record(
        "perbaiki",
        warehouse.user_name(),
        "cli",
        f"-> {result.version}" + "".join(f"; lewati {v}" for v, _ in result.skipped),
    )
    print(f"CURRENT sekarang menunjuk versi utuh {result.version}.")
    return EXIT_OK


def cmd_paket(args) -> int:
    """issue 22: the evidence package of one year (etl/paket.py)."""
    from etl import paket, settings

    if not str(args.tahun).isdigit() or len(str(args.tahun)) != 4:
        raise UsageError(f"TAHUN {args.tahun}: yang diharapkan tahun evaluasi empat angka, misalnya 2025.")
    tahun = int(args.tahun)
    if not args.dest.parent.is_dir():
        raise UsageError(f"Folder {args.dest.parent} tidak ada; sebutkan berkas zip di folder yang ada.")
    kode = settings.region() if args.wilayah is None else _scope(args.wilayah)
    if not kode or kode == "default":
        raise UsageError("Sebutkan kabupaten/kotanya: --wilayah KODE (misalnya 74.71).")
    try:
        summary = paket.build(tahun, kode, args.dest)
    except paket.PaketError as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"Paket data dukung {tahun} ({kode}, versi data {summary.version}) ditulis ke {args.dest}: "
        f"{summary.items} butir, {summary.files} berkas, {len(summary.without_file)} butir belum ada berkas "
        f"(lihat {summary.index_name})."
    )
    if summary.sample:
        print("Catatan: sebagian isinya DATA CONTOH (SINTETIS).")
    if summary.unreadable:
        print(
            f"PERINGATAN: {len(summary.unreadable)} berkas tidak ada atau rusak di penyimpanan bukti "
            "(ditandai di indeks). Pulihkan folder bukti dari cadangan atau unggah ulang berkasnya.",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return EXIT_OK


def cmd_template(args) -> int:
    from etl import templates

    if args.dataset not in templates.TEMPLATES:
        raise UsageError(f"Tidak ada templat untuk {args.dataset}. Yang ada: {', '.join(templates.TEMPLATES)}.")
    dest = args.dest or Path(f"templat_{args.dataset}.xlsx")
    dest.write_bytes(templates.template(args.dataset))
    print(f"Templat {args.dataset} ditulis ke {dest}.")
    return EXIT_OK


ISSUE_22 = {"paket-bukti": cmd_paket, "template": cmd_template}


def main(argv: list[str] | None = None) -> int:
    warehouse.private_files()  # every file this command creates: owner only
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in ("load", "check"):
            return cmd_load(args, check_only=args.command == "check")
        if args.command == "sample":
            return cmd_sample(args)
        if args.command == "history":
            return cmd_history(args)
        if args.command == "hapus-contoh":
            return cmd_remove_sample(args)
        if args.command == "rollback":
            return cmd_rollback(args)
        if args.command == "user":
            return cmd_user(args)
        if args.command == "repair":
            return cmd_repair(args)
        if args.command in ops_cli.COMMANDS:
            return ops_cli.run(args)
        if args.command in ISSUE_22:
            return ISSUE_22[args.command](args)
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
