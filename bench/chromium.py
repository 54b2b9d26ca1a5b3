"""Debian's chromium for Playwright and a free local port: what bench/browser.py needs to start a browser and a
server. The end-to-end tests use the same (tests/e2e_support imports them from here; bench never imports tests)."""

from __future__ import annotations

import os
import shutil
import socket

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """KLA_CHROMIUM, else chromium on PATH (Playwright never downloads a browser here)."""
    return os.environ.get("KLA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
