"""Sending mail through the city's SMTP server: settings from secrets or the environment, one message at a time.

Settings (environment first, then `.streamlit/secrets.toml` table [smtp], or the file named by KLA_SECRETS_FILE):

    host      KLA_SMTP_HOST       the city's mail server, e.g. "mail.kendarikota.go.id"
    port      KLA_SMTP_PORT       587 with starttls (default), 465 with ssl, 25 with none
    security  KLA_SMTP_SECURITY   starttls | ssl | none ("none" only for a relay on 127.0.0.1)
    user      KLA_SMTP_USER       login name (no login when empty)
    password  KLA_SMTP_PASSWORD   its password (KLA_SMTP_PASSWORD_FILE: a file holding it)
    sender    KLA_SMTP_FROM       the From address (default: user)
    ca_file   KLA_SMTP_CA_FILE    a CA certificate file for a server signed by the city's own CA (default: the
                                  system's CAs); the server's certificate and name are always checked

None of these are in the repository: secrets.toml is ignored by git, and the environment comes from the service unit.
Every failure becomes a MailError in Indonesian saying what to check (never the password).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
SECURITY = ("starttls", "ssl", "none")
TIMEOUT_S = 30


class MailError(Exception):
    """Mail not sent: the SMTP settings are missing or wrong, the server refused, or it could not be reached."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    security: str
    user: str
    password: str
    sender: str
    ca_file: str | None = None


def secrets_path() -> Path:
    return Path(os.environ.get("KLA_SECRETS_FILE") or REPO_DIR / ".streamlit" / "secrets.toml")


def _from_secrets() -> dict:
    p = secrets_path()
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MailError(f"Berkas rahasia {p} tidak terbaca sebagai TOML ({exc}).") from None
    table = data.get("smtp", {})
    return table if isinstance(table, dict) else {}


def settings() -> Settings:
    """The SMTP settings (see the module docstring). Raises MailError when the host is missing or a value is wrong."""
    s = _from_secrets()

    def get(name: str, env: str, default: str = "") -> str:
        value = os.environ.get(env)
        return str(value if value is not None else s.get(name, default)).strip()

    host = get("host", "KLA_SMTP_HOST")
    if not host:
        raise MailError(
            f"Server SMTP belum diatur: isi KLA_SMTP_HOST (dan port, user, password) atau tabel [smtp] di "
            f"{secrets_path()}. Tidak ada surel yang dikirim."
        )
    security = get("security", "KLA_SMTP_SECURITY", "starttls").lower()
    if security not in SECURITY:
        raise MailError(f'KLA_SMTP_SECURITY / [smtp] security "{security}": yang diharapkan starttls, ssl atau none.')
    port_text = get("port", "KLA_SMTP_PORT", {"starttls": "587", "ssl": "465", "none": "25"}[security])
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise MailError(f'KLA_SMTP_PORT / [smtp] port "{port_text}": yang diharapkan nomor port, misalnya 587.')
    password = os.environ.get("KLA_SMTP_PASSWORD")
    if password is None and os.environ.get("KLA_SMTP_PASSWORD_FILE"):
        try:
            password = Path(os.environ["KLA_SMTP_PASSWORD_FILE"]).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise MailError(f"KLA_SMTP_PASSWORD_FILE tidak dapat dibaca ({exc.strerror}).") from None
    if password is None:
        password = str(s.get("password", ""))
    user = get("user", "KLA_SMTP_USER")
    sender = get("sender", "KLA_SMTP_FROM") or user
    if "@" not in sender:
        raise MailError("Alamat pengirim belum diatur: isi KLA_SMTP_FROM atau [smtp] sender (misalnya dasbor-kla@...).")
    return Settings(host, int(port_text), security, user, password, sender, get("ca_file", "KLA_SMTP_CA_FILE") or None)


def message(
    sender: str, to: list[str], subject: str, body: str, attachments: list[tuple[str, bytes, str]] = ()
) -> EmailMessage:
    """A plain-text message with attachments (file name, bytes, MIME type "application/pdf")."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain=sender.split("@")[-1])
    msg.set_content(body)
    for name, data, mime in attachments:
        main, sub = mime.split("/", 1)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg


def _context(cfg: Settings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cfg.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"Berkas CA {cfg.ca_file} (KLA_SMTP_CA_FILE) tidak dapat dipakai ({exc}).") from None


def _login(smtp: smtplib.SMTP, cfg: Settings) -> None:
    """One password try per run: AUTH PLAIN when offered (always inside TLS here), else smtplib's choice. smtplib's
    login() would try every mechanism in turn after a refusal, and a server that locks an account after a few
    failed logins would count each of them."""
    smtp.ehlo()
    if "PLAIN" in smtp.esmtp_features.get("auth", "").upper().split():
        smtp.user, smtp.password = cfg.user, cfg.password
        smtp.auth("PLAIN", smtp.auth_plain)
    else:
        smtp.login(cfg.user, cfg.password)


def send(msgs: list[EmailMessage], cfg: Settings | None = None) -> None:
    """Send every message over one connection. Raises MailError (nothing more is sent after a refusal)."""
    cfg = cfg or settings()
    where = f"{cfg.host}:{cfg.port} ({cfg.security})"
    try:
        if cfg.security == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=TIMEOUT_S, context=_context(cfg))
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT_S)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=_context(cfg))
            if cfg.user:
                _login(smtp, cfg)
            for msg in msgs:
                smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"Server SMTP {where} menolak nama pengguna {cfg.user!r} atau kata sandinya ({exc.smtp_code}). Periksa "
            "KLA_SMTP_USER dan KLA_SMTP_PASSWORD (atau [smtp] di secrets.toml). Tidak ada surel yang dikirim."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"Server SMTP {where} tidak menawarkan STARTTLS atau login. Periksa KLA_SMTP_SECURITY dan port "
            "(587 starttls, 465 ssl). Tidak ada surel yang dikirim."
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"Server SMTP {where} menolak alamat tujuan: {', '.join(exc.recipients)}.") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailError(f"Server SMTP {where} menolak surel ({exc.smtp_code} {text}).") from None
    except ssl.SSLError as exc:
        raise MailError(
            f"Sambungan TLS ke {where} gagal ({exc.reason or exc}): sertifikat server tidak dipercaya atau namanya "
            "tidak cocok. Untuk CA milik Pemkot, sebutkan berkasnya di KLA_SMTP_CA_FILE."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        why = "nama server tidak dikenal" if isinstance(exc, socket.gaierror) else str(exc) or type(exc).__name__
        raise MailError(f"Server SMTP {where} tidak dapat dihubungi ({why}). Tidak ada surel yang dikirim.") from None
