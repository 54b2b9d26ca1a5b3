"""Scheduled mail: the meeting deck for an audience, and the weekly overdue follow-up reminder to each OPD.

    python -m kla.kirim bahan --audiens publik|tepat --ke a@x.go.id,b@x.go.id [--format pptx,pdf] [--tahun 2025]
    python -m kla.kirim pengingat [--alamat opd_email.csv] [--coba]

(`python -m etl kirim-bahan ...` and `python -m etl kirim-pengingat ...` run these: etl never imports kla, and the
deck is kla's.)

The deck is the Presentasi page's: kla.slides.build (the same protected publication for the public audience, exact
figures and task text for "tepat") drawn by kla.export (PPTX and PDF, charts through kaleido and Debian's
chromium), named by kla.slides.file_name. It is mailed through kla.mail (the city's SMTP server, settings in
secrets or the environment).

The reminder lists, for each OPD, exactly its open tasks past their due date (klaster.mark_overdue on
fact_tindak_lanjut, as the Progres page's "Terlambat" card counts them; a task with several OPDs "A; B" goes to
each). The task text is free text for analysts: it goes only to the OPD's own addresses, from the deployment's
KLA_DATA_DIR/opd_email.csv (columns opd, email; several addresses separated by ";"; OPD names as in opd.csv or any
alias). An OPD with late tasks but no address is reported (exit 0: the others are still reminded); --coba prints the
messages instead of sending them.

Exit codes: 0 sent (or nothing to send); 1 not sent (SMTP settings, refusal, no warehouse, no Chromium); 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl import names, warehouse
from kla import mail

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
AUDIENCES = {"publik": True, "tepat": False}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


class Refused(Exception):
    """Nothing was sent: why (Indonesian)."""


@dataclass
class Current:
    key: str
    version: str
    region: str | None
    region_name: str


def current() -> Current:
    from kla import db

    try:
        key = db.current_key()
    except warehouse.WarehouseError as exc:
        raise Refused(str(exc)) from None
    if key is None:
        raise Refused(f"Belum ada gudang data di {warehouse.warehouse_dir()} (KLA_DATA_DIR): tidak ada yang dikirim.")
    return Current(key, db.version_of(key), names.default_scope(), names.regions().scope_name)


def addresses(text: str) -> list[str]:
    out = [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]
    bad = [a for a in out if "@" not in a or " " in a]
    if bad or not out:
        raise Refused(f"Alamat tujuan tidak sah: {', '.join(bad) or '(kosong)'}. Contoh: --ke a@x.go.id,b@x.go.id")
    return out


# --- the deck --------------------------------------------------------------------------------------------------
def deck_files(
    cur: Current, public: bool, year: int | None, lang: str, today: dt.date, formats: list[str], render=None
) -> tuple[list, list[tuple[str, bytes, str]], dict]:
    """(slides, [(file name, bytes, mime)], texts) of the deck, exactly as the Presentasi page builds it."""
    from kla import export, queries, slides
    from kla.i18n import t

    years = queries.population_years(cur.key) or queries.years(cur.key) or [today.year]
    year = year or years[0]
    deck = slides.build(cur.key, cur.version, year, lang, public, today, cur.region, cur.region_name)
    title = t("slides.deck_title", lang=lang, wilayah=cur.region_name)
    footer = t(
        "slides.footer", lang=lang, version=cur.version, date=today.strftime("%d/%m/%Y"), wilayah=cur.region_name
    )
    sample = bool(queries.sample_datasets(cur.key))
    if sample:
        footer += " · " + t("slides.sample_mark", lang=lang)
    if render is None:
        missing = export.unavailable()
        if missing:
            raise Refused(f"Bahan rapat tidak dapat dibuat: {missing}")
        render = export.png
    files = []
    for ext in formats:
        build = export.pptx_bytes if ext == "pptx" else export.pdf_bytes
        try:
            data = build(deck, title, footer, render=render)
        except export.ExportUnavailable as exc:
            raise Refused(str(exc)) from None
        name = slides.file_name(cur.region_name, year, public, cur.version, today, ext, lang)
        files.append((name, data, MIME[ext]))
    return deck, files, {"title": title, "sample": sample, "year": year}


def cmd_bahan(args) -> int:
    from kla.i18n import t

    lang, today = args.bahasa, args.hari_ini
    public = AUDIENCES[args.audiens]
    to = addresses(args.ke)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or any(f not in MIME for f in formats):
        raise Refused(f"--format {args.format}: yang diharapkan pptx, pdf atau pptx,pdf.")
    cfg = mail.settings()  # before the deck is drawn: a missing setting is said at once
    cur = current()
    deck, files, texts = deck_files(cur, public, args.tahun, lang, today, formats)
    which = t("slides.mark_public" if public else "slides.mark_exact", lang=lang)
    date = today.strftime("%d/%m/%Y")
    subject = t("kirim.deck_subject", lang=lang, title=texts["title"], which=which, version=cur.version, date=date)
    if texts["sample"]:
        subject = t("kirim.deck_subject_sample", lang=lang, subject=subject)
    body = t(
        "kirim.deck_body",
        lang=lang,
        wilayah=cur.region_name,
        which=which,
        version=cur.version,
        date=date,
        slides=len(deck),
        note=t("kirim.deck_note_public" if public else "kirim.deck_note_exact", lang=lang),
    )
    msg = mail.message(cfg.sender, to, subject, body, files)
    if args.simpan_ke:
        args.simpan_ke.mkdir(parents=True, exist_ok=True)
        for name, data, _ in files:
            (args.simpan_ke / name).write_bytes(data)
    mail.send([msg], cfg)
    shown = ", ".join(f"{n} ({len(d) / 1e6:.1f} MB)" for n, d, _ in files)
    print(f"Bahan rapat ({args.audiens}, versi {cur.version}, {len(deck)} slide) dikirim ke {', '.join(to)}: {shown}")
    return EXIT_OK


# --- the reminder ----------------------------------------------------------------------------------------------
def opd_addresses(path: Path) -> dict[str, list[str]]:
    """OPD (its one name) -> addresses, from the deployment's list. Missing file: no addresses (all reported)."""
    from kla import klaster

    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"opd", "email"} <= set(reader.fieldnames or []):
            raise Refused(f"{path}: yang diharapkan kolom opd dan email (baris pertama), ada {reader.fieldnames}.")
        for row_no, row in enumerate(reader, start=2):
            opd, emails = (row.get("opd") or "").strip(), (row.get("email") or "").strip()
            if not opd or not emails:
                continue
            try:
                found = addresses(emails)
            except Refused:
                raise Refused(f"{path} baris {row_no}: alamat {emails!r} untuk {opd} tidak sah.") from None
            out.setdefault(klaster.opd_name(opd), []).extend(found)
    return out


def overdue_per_opd(key: str, region: str | None, today: dt.date) -> dict[str, pd.DataFrame]:
    """OPD -> its late tasks (open, past the due date), longest overdue first."""
    from kla import klaster, queries

    kk = region if names.region_level(region) == "kabkota" else None
    tasks = klaster.mark_overdue(queries.followups(key, kk), today)
    late = tasks[tasks["terlambat"]].assign(opd_list=lambda d: d["opd"].map(klaster.split_opd))
    late = late.explode("opd_list")
    return {
        opd: g.sort_values(["sisa_hari", "tugas"], kind="stable").reset_index(drop=True)
        for opd, g in late.groupby("opd_list", sort=True)
    }


def reminder(opd: str, tasks: pd.DataFrame, cur: Current, today: dt.date, lang: str) -> tuple[str, str]:
    """(subject, body) of one OPD's reminder: every late task of the OPD, one entry each."""
    from kla.fmt import fmt_date, fmt_int
    from kla.i18n import t, value

    def day(v):
        return v.date() if hasattr(v, "date") else v

    n = len(tasks)
    lines = [
        t(
            "kirim.reminder_line",
            lang=lang,
            tugas=" ".join(str(r.tugas).split()),
            tenggat=fmt_date(day(r.tenggat), lang),
            days=fmt_int(-r.sisa_hari, lang),
            status=value("status_tugas", r.status, lang),
            rapat=fmt_date(day(r.tanggal_rapat), lang) if pd.notna(r.tanggal_rapat) else "-",
        )
        for r in tasks.itertuples(index=False)
    ]
    date = fmt_date(today, lang)
    head = t(
        "kirim.reminder_body_head", lang=lang, opd=opd, wilayah=cur.region_name, version=cur.version, date=date, n=n
    )
    body = head + "\n" + "\n".join(lines) + "\n\n" + t("kirim.reminder_body_foot", lang=lang).lstrip("\n")
    return t("kirim.reminder_subject", lang=lang, n=n, opd=opd), body


def cmd_pengingat(args) -> int:
    lang, today = args.bahasa, args.hari_ini
    path = args.alamat or warehouse.data_dir() / "opd_email.csv"
    book = opd_addresses(path)
    cur = current()
    late = overdue_per_opd(cur.key, cur.region, today)
    if not late:
        print(f"Tidak ada tindak lanjut yang lewat tenggat per {today:%d/%m/%Y}: tidak ada pengingat dikirim.")
        return EXIT_OK
    cfg = None if args.coba else mail.settings()
    msgs, sent, missing = [], [], []
    for opd, tasks in late.items():
        if opd not in book:
            missing.append((opd, len(tasks)))
            continue
        subject, body = reminder(opd, tasks, cur, today, lang)
        msgs.append(mail.message(cfg.sender if cfg else "dasbor-kla@contoh", book[opd], subject, body))
        sent.append((opd, len(tasks), book[opd]))
    if args.coba:
        for m in msgs:
            print(f"--- Kepada: {m['To']}\nPerihal: {m['Subject']}\n\n{m.get_content()}")
    elif msgs:
        mail.send(msgs, cfg)
    verb = "akan dikirim (--coba, tidak dikirim)" if args.coba else "dikirim"
    for opd, n, to in sent:
        print(f"Pengingat {opd} ({n} tugas terlambat) {verb} ke {', '.join(to)}")
    for opd, n in missing:
        print(
            f"PERHATIAN: {opd} punya {n} tugas terlambat, tetapi alamat surelnya belum ada di {path}: "
            "tambahkan baris opd,email lalu kirim ulang.",
            file=sys.stderr,
        )
    return EXIT_OK


# --- command line ----------------------------------------------------------------------------------------------
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: yang diharapkan tanggal seperti 2026-12-01") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kla.kirim", description="Surel terjadwal Dasbor KLA.")
    sub = p.add_subparsers(dest="command", required=True, metavar="PERINTAH")
    s = sub.add_parser("bahan", help="buat bahan rapat (PPTX/PDF) lalu kirim lewat server SMTP kota")
    s.add_argument("--audiens", choices=list(AUDIENCES), required=True, help="publik (terbitan terlindung) / tepat")
    s.add_argument("--ke", required=True, metavar="ALAMAT[,ALAMAT]", help="alamat tujuan, dipisah koma")
    s.add_argument("--format", default="pptx,pdf", help="pptx, pdf atau pptx,pdf (bawaan)")
    s.add_argument("--tahun", type=int, default=None, help="tahun data (bawaan: tahun terbaru, seperti dasbor)")
    s.add_argument("--simpan-ke", dest="simpan_ke", type=Path, default=None, help="simpan juga berkasnya di folder")
    s = sub.add_parser("pengingat", help="kirim pengingat tindak lanjut terlambat ke tiap OPD")
    s.add_argument("--alamat", type=Path, default=None, help="daftar alamat OPD (bawaan: KLA_DATA_DIR/opd_email.csv)")
    s.add_argument("--coba", action="store_true", help="tampilkan surelnya saja, tanpa mengirim")
    for s in sub.choices.values():
        s.add_argument("--bahasa", choices=["id", "en"], default="id", help="bahasa surel dan bahan (bawaan id)")
        s.add_argument("--hari-ini", dest="hari_ini", type=_date, default=dt.date.today(), help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    warehouse.private_files()
    from streamlit import logger

    logger.set_log_level(logging.ERROR)  # no "no runtime" warnings from the cached queries outside a server
    args = parser().parse_args(argv)
    try:
        return cmd_bahan(args) if args.command == "bahan" else cmd_pengingat(args)
    except (Refused, mail.MailError) as exc:
        print(f"GALAT: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
