"""The operations commands of `python -m etl` (issue 24): backup, restore, export-bundle, import-bundle, and the
kirim-bahan / kirim-pengingat entries of the scheduled mail.

Exit codes as etl.cli: 0 done; 1 refused (wrong passphrase, damaged or tampered file, folder not empty, mail
refused): the message says why and that nothing was written; 2 usage; 3 the warehouse is busy or damaged.

The mail and the bundle are built by kla (the deck is kla.slides, the public figures kla.publication, and etl
never imports kla): `kirim-bahan`, `kirim-pengingat` and `export-bundle` run `python -m kla.kirim` /
`python -m kla.rollup` in a child process with the same arguments, so an operator has one command line while the
code keeps its layers. `import-bundle` is etl's own (etl/rollup.py: check, then one publish).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from etl import warehouse

COMMANDS = ("backup", "restore", "export-bundle", "import-bundle", "kirim-bahan", "kirim-pengingat")
EXIT_OK, EXIT_REFUSED = 0, 1
PASSPHRASE_HELP = (
    "berkas yang memuat kata sandi cadangan (izin 0600); tanpa ini: KLA_BACKUP_PASSPHRASE_FILE, "
    "KLA_BACKUP_PASSPHRASE, atau ditanyakan di terminal. Kata sandi tidak pernah ditulis di baris perintah."
)


def add_parsers(sub) -> None:
    s = sub.add_parser(
        "backup",
        help="cadangan terenkripsi (age, kata sandi) versi sekarang + garam, pengguna, kunci cookie, audit, bukti",
    )
    s.add_argument("dest", metavar="TUJUAN", type=Path, help="folder cadangan (atau nama berkas .age)")
    s.add_argument("--kata-sandi-dari", dest="passfile", metavar="BERKAS", type=Path, help=PASSPHRASE_HELP)
    s.add_argument(
        "--simpan", type=int, default=None, metavar="N", help="simpan hanya N cadangan terbaru di folder TUJUAN"
    )
    s = sub.add_parser("restore", help="pulihkan cadangan ke KLA_DATA_DIR yang kosong (periksa keutuhan dulu)")
    s.add_argument("src", metavar="CADANGAN", type=Path, help="berkas kla-cadangan-....tar.age")
    s.add_argument("--kata-sandi-dari", dest="passfile", metavar="BERKAS", type=Path, help=PASSPHRASE_HELP)
    s.add_argument(
        "--timpa",
        action="store_true",
        help="izinkan folder data yang tidak kosong: isinya dipindahkan dulu ke sebelum-pulih-<waktu>/",
    )
    s.add_argument("--periksa", action="store_true", help="hanya buka dan periksa cadangan; tidak menulis apa pun")

    s = sub.add_parser(
        "export-bundle",
        help="paket bertanda tangan (Parquet) berisi terbitan publik kab/kota ini untuk gudang data provinsi",
    )
    s.add_argument("dest", metavar="TUJUAN", type=Path, help="folder tujuan (paket ditulis sebagai satu folder)")
    s.add_argument("--kunci", metavar="KUNCI.pem", type=Path, help="kunci privat ed25519 (bawaan: KLA_DATA_DIR)")
    s = sub.add_parser("import-bundle", help="muat paket kab/kota (diperiksa tanda tangannya) ke gudang data ini")
    s.add_argument("src", metavar="PAKET", type=Path, help="folder paket dari export-bundle")
    s.add_argument(
        "--kunci-publik",
        dest="trusted",
        metavar="FOLDER",
        type=Path,
        help="folder kunci publik kab/kota yang dipercaya (bawaan: KLA_DATA_DIR/kunci-kabkota/)",
    )
    s.add_argument("--user", help="nama pengguna untuk riwayat (bawaan: KLA_USER atau pengguna sistem)")

    for name, helptext in (
        ("kirim-bahan", "buat bahan rapat (PPTX/PDF) lalu kirim lewat server SMTP kota (python -m kla.kirim bahan)"),
        ("kirim-pengingat", "kirim pengingat tindak lanjut terlambat ke tiap OPD (python -m kla.kirim pengingat)"),
    ):
        # "+" as the option prefix: every "--..." after the command is passed on to kla.kirim untouched
        s = sub.add_parser(name, help=helptext, add_help=False, prefix_chars="+")
        s.add_argument("rest", nargs="...", help="argumen python -m kla.kirim")


def run(args) -> int:
    if args.command == "backup":
        return cmd_backup(args)
    if args.command == "restore":
        return cmd_restore(args)
    if args.command == "import-bundle":
        from etl import rollup

        return rollup.cmd(args)
    if args.command == "export-bundle":  # the publication is kla's: built there, in a child process
        argv = ["kla.rollup", "export", str(args.dest), *(["--kunci", str(args.kunci)] if args.kunci else [])]
    else:
        argv = ["kla.kirim", "bahan" if args.command == "kirim-bahan" else "pengingat", *args.rest]
    env = {**os.environ, "KLA_DATA_DIR": str(warehouse.data_dir())}
    return subprocess.run([sys.executable, "-m", *argv], env=env, check=False).returncode


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def cmd_backup(args) -> int:
    from etl import audit, backup

    try:
        secret = backup.passphrase(args.passfile, confirm=True)
        made = backup.backup(args.dest, secret, keep=args.simpan)
    except backup.BackupError as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    for note in made.notes:
        print(f"Catatan: {note}")
    for old in made.removed:
        print(f"Cadangan lama dihapus: {old.name}")
    audit.record("cadangan", warehouse.user_name(), "cli", f"{made.version} -> {made.path.name}")
    print(
        f"Cadangan versi {made.version} ({made.files} berkas, {_size(made.size)}, terenkripsi) ditulis ke {made.path}"
    )
    return EXIT_OK


def cmd_restore(args) -> int:
    from etl import backup

    try:
        secret = backup.passphrase(args.passfile)
        if args.periksa:
            manifest, files = backup.open_backup(args.src, secret)
            print(
                f"Cadangan utuh: versi {manifest['versi']}, dibuat {manifest.get('dibuat')}, {len(files)} berkas "
                "(sha256 setiap berkas sama dengan MANIFEST.json). Tidak ada yang ditulis."
            )
            return EXIT_OK
        done = backup.restore(args.src, secret, overwrite=args.timpa)
    except backup.BackupError as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if done.moved_aside:
        print(f"Isi lama folder data dipindahkan ke {done.moved_aside}")
    print(
        f"Dipulihkan ke {warehouse.data_dir()}: versi {done.version} (cadangan {done.created}), {done.files} berkas, "
        "izin 0600. Semua pengguna perlu masuk lagi (sesi tidak ikut dicadangkan)."
    )
    return EXIT_OK
