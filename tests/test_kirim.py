"""Scheduled mail (issue 24, item 4) against a real SMTP server: aiosmtpd on 127.0.0.1 with STARTTLS (a certificate
made here) and a login, driven through `python -m etl kirim-bahan` / `kirim-pengingat` as cron would run them.

The deck arrives with its PPTX/PDF attached; the public one carries the public marking on every slide and no task
text, the exact one the restricted marking and the tasks; each OPD's reminder lists exactly its open tasks past the
due date (SQL on the warehouse is the truth); an OPD without an address is reported; a wrong password, an untrusted
certificate and missing settings give a clear Indonesian error, a non-zero exit and no mail.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pptx import Presentation
from pypdf import PdfReader

from etl import reference
from tests.conftest import run_etl, sql

TODAY = "2026-01-15"
USER, PASSWORD = "dasbor-kla", "sandi-smtp-uji-1"
OPEN = ("Belum", "Proses")


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    """A real SMTP server: STARTTLS required before AUTH, one account."""
    d = tmp_path_factory.mktemp("smtp")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    inbox = Inbox()

    def auth(server, session, envelope, mechanism, data):
        ok = data.login == USER.encode() and data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=ctx,
        require_starttls=True,
        auth_require_tls=True,
        authenticator=auth,
        auth_exclude_mechanism=["CRAM-MD5"],
    )
    controller.start()
    env = {
        "KLA_SMTP_HOST": "127.0.0.1",
        "KLA_SMTP_PORT": str(port),
        "KLA_SMTP_SECURITY": "starttls",
        "KLA_SMTP_USER": USER,
        "KLA_SMTP_PASSWORD": PASSWORD,
        "KLA_SMTP_FROM": "dasbor-kla@kota.test",
        "KLA_SMTP_CA_FILE": str(cert),
        "KLA_SECRETS_FILE": str(d / "tidak-ada.toml"),
    }
    yield inbox, env
    controller.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, sample_data_dir) -> Path:
    d = tmp_path_factory.mktemp("kirim") / "data"
    shutil.copytree(sample_data_dir, d)
    return d


def received(inbox: Inbox, before: int):
    return inbox.messages[before:]


def attachments(msg) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def shape_text(shape) -> str:
    if shape.has_text_frame:
        return shape.text_frame.text
    return "\n".join(c.text for r in shape.table.rows for c in r.cells) if shape.has_table else ""


def pptx_texts(data: bytes) -> list[str]:
    return ["\n".join(shape_text(s) for s in slide.shapes) for slide in Presentation(io.BytesIO(data)).slides]


def tasks(data_dir: Path) -> list[str]:
    return [" ".join(t.split()) for t in sql(data_dir, "SELECT tugas FROM fact_tindak_lanjut")["tugas"]]


@pytest.mark.slow  # draws the deck's charts in chromium (kaleido)
def test_public_deck_arrives_marked_public_without_task_text(smtp, data_dir):
    inbox, env = smtp
    n = len(inbox.messages)
    proc = run_etl(
        data_dir, "kirim-bahan", "--audiens", "publik", "--ke", "a@kota.test,b@kota.test", "--hari-ini", TODAY, env=env
    )
    assert "dikirim ke a@kota.test, b@kota.test" in proc.stdout
    [(rcpt, msg)] = received(inbox, n)
    assert rcpt == ["a@kota.test", "b@kota.test"]
    assert "Publik" in msg["Subject"] and "TERBATAS" not in msg["Subject"]
    files = attachments(msg)
    assert sorted(Path(f).suffix for f in files) == [".pdf", ".pptx"]
    assert all("-publik-" in f for f in files)
    slides = pptx_texts(files[next(f for f in files if f.endswith(".pptx"))])
    pdf = [p.extract_text() for p in PdfReader(io.BytesIO(files[next(f for f in files if f.endswith(".pdf"))])).pages]
    assert len(slides) == len(pdf) >= 5
    for text in slides + pdf:
        assert "Publik" in text and "TERBATAS" not in text
    everything = "\n".join(slides + pdf)
    late = tasks(data_dir)
    assert late and not [t for t in late if t in " ".join(everything.split())]  # no task text anywhere
    assert "<5" in msg.get_body(("plain",)).get_content()  # the note says small counts are masked


@pytest.mark.slow  # draws the deck's charts in chromium (kaleido)
def test_exact_deck_is_restricted_and_lists_the_tasks(smtp, data_dir):
    inbox, env = smtp
    n = len(inbox.messages)
    run_etl(
        data_dir,
        "kirim-bahan",
        "--audiens",
        "tepat",
        "--ke",
        "gugus-tugas@kota.test",
        "--format",
        "pptx",
        "--hari-ini",
        TODAY,
        env=env,
    )
    [(rcpt, msg)] = received(inbox, n)
    assert rcpt == ["gugus-tugas@kota.test"] and "TERBATAS" in msg["Subject"]
    [(name, data)] = attachments(msg).items()
    assert "-terbatas-" in name and name.endswith(".pptx")
    slides = pptx_texts(data)
    assert all("TERBATAS" in s for s in slides)
    flat = " ".join(" ".join(slides).split())
    late = sql(data_dir, f"SELECT tugas FROM fact_tindak_lanjut WHERE status IN {OPEN} AND tenggat < DATE '{TODAY}'")[
        "tugas"
    ]
    assert len(late) >= 3 and all(" ".join(t.split()) in flat for t in late)


def opd_of(value: str) -> list[str]:
    """The OPD(s) of a task under their one name, from opd.csv read here with the csv module (not kla's code)."""
    aliases = {}
    for row in reference.read_csv_rows("opd.csv"):
        aliases[reference.norm_text(row["opd"])] = row["opd"]
        for a in (row.get("alias") or "").split("|"):
            if a.strip():
                aliases[reference.norm_text(a)] = row["opd"]
    return [aliases.get(reference.norm_text(p), p.strip()) for p in value.split(";") if p.strip()]


def test_weekly_reminder_lists_exactly_each_opds_late_tasks(smtp, data_dir):
    inbox, env = smtp
    late = sql(
        data_dir,
        f"SELECT tugas, opd FROM fact_tindak_lanjut WHERE status IN {OPEN} AND tenggat < DATE '{TODAY}'",
    )
    want: dict[str, set[str]] = {}
    for r in late.itertuples():
        for opd in opd_of(r.opd):
            want.setdefault(opd, set()).add(" ".join(r.tugas.split()))
    assert len(want) >= 3
    opds = sorted(want)
    missing, listed = opds[0], opds[1:]
    book = "opd,email\n" + "".join(f"{o},{re.sub(r'[^a-z]+', '', o.lower())}@kota.test\n" for o in listed)
    (data_dir / "opd_email.csv").write_text(book, encoding="utf-8")
    n = len(inbox.messages)
    proc = run_etl(data_dir, "kirim-pengingat", "--hari-ini", TODAY, env=env)
    got = received(inbox, n)
    assert len(got) == len(listed)
    for rcpt, msg in got:
        [opd] = [o for o in listed if f"{re.sub(r'[^a-z]+', '', o.lower())}@kota.test" in rcpt]
        body = msg.get_body(("plain",)).get_content()
        shown = {line[2:].strip() for line in body.splitlines() if line.startswith("- ")}
        assert shown == want[opd], opd
        assert f"{len(want[opd])} tindak lanjut KLA {opd} lewat tenggat" in msg["Subject"]
    # the OPD without an address: reported, not fatal
    assert f"{missing} punya {len(want[missing])} tugas terlambat" in proc.stderr and "opd_email.csv" in proc.stderr


def test_wrong_smtp_password_is_a_clear_error(smtp, data_dir):
    inbox, env = smtp
    n = len(inbox.messages)
    proc = run_etl(
        data_dir, "kirim-pengingat", "--hari-ini", TODAY, check=False, env={**env, "KLA_SMTP_PASSWORD": "salah"}
    )
    assert proc.returncode == 1
    assert "menolak nama pengguna 'dasbor-kla' atau kata sandinya (535)" in proc.stderr
    assert "salah" not in proc.stderr.replace("kata sandinya", "")  # the password is never printed
    assert len(inbox.messages) == n


def test_untrusted_certificate_and_missing_settings(smtp, data_dir):
    inbox, env = smtp
    n = len(inbox.messages)
    no_ca = {k: v for k, v in env.items() if k != "KLA_SMTP_CA_FILE"} | {"KLA_SMTP_CA_FILE": ""}
    proc = run_etl(data_dir, "kirim-pengingat", "--hari-ini", TODAY, check=False, env=no_ca)
    assert proc.returncode == 1 and "Sambungan TLS" in proc.stderr and "KLA_SMTP_CA_FILE" in proc.stderr
    proc = run_etl(
        data_dir,
        "kirim-bahan",
        "--audiens",
        "publik",
        "--ke",
        "a@kota.test",
        check=False,
        env={**env, "KLA_SMTP_HOST": ""},
    )
    assert proc.returncode == 1 and "Server SMTP belum diatur" in proc.stderr
    assert len(inbox.messages) == n
