"""The real Streamlit server and Debian chromium (Playwright), as Streamlit's own e2e harness does it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.chromium import CHROMIUM_ARGS, chromium_path, free_port

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"

# The page position of a longitude/latitude on the first plotly map, from MapLibre's own projection: where a
# person would click to pick that area.
PROJECT = """([lon, lat]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}"""


@contextlib.contextmanager
def streamlit_server(data_dir: Path, script: str = "app.py"):
    """Start `streamlit run` on a free port against KLA_DATA_DIR=data_dir; yield its base URL."""
    for _attempt in range(3):
        port = free_port()
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        env = {**os.environ, "KLA_DATA_DIR": str(data_dir)}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--global.developmentMode",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        ok = False
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        ok = True
                        break
            except OSError:
                time.sleep(0.3)
        if ok:
            try:
                yield url
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            return
        proc.kill()
        log.seek(0)
        last_log = log.read()
    raise RuntimeError(f"Streamlit did not start:\n{last_log}")


@contextlib.contextmanager
def browser_page(width: int = 1440, height: int = 1300):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Streamlit's readiness recipe: connected, script finished, no skeletons left."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    deadline = time.time() + timeout / 1000
    while page.locator("[data-testid='stSkeleton']").count() and time.time() < deadline:
        time.sleep(0.1)
    page.wait_for_timeout(300)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, url: str, account: tuple[str, str]) -> None:
    """Log in through the Masuk page's form in the browser."""
    page.goto(url + "/masuk")
    wait_for_app(page)
    page.get_by_label("Nama pengguna").fill(account[0])
    page.get_by_label("Kata sandi").fill(account[1])
    page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Anda masuk sebagai").wait_for(timeout=60_000)
    wait_for_app(page)
