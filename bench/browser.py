"""Browser-side benchmarks of the scale issue: what a visitor waits for, in Debian chromium.

People open the dashboard once and then move between pages with the sidebar menu (st.navigation: the page
is switched in the browser, same Streamlit session, same websocket, nothing reloaded). So a view is timed
from the click on the page's sidebar link; a full load by URL (new session, one script run since issue 18,
Chromium parsing the plotly bundle again) is measured too, as what a fresh visitor by URL sees.

1. Charts drawn: for each public page, the time until "every chart drawn": the Streamlit app connected,
   its script finished (`data-test-script-state="notRunning"`, no status widget, no skeleton, the URL is
   the page's: after a click st.navigation changes it with history.pushState when the server starts the
   page's run) AND every visible `stPlotlyChart` drawn: plotly's `.main-svg` with one `g.trace` per
   visible cartesian trace, and for maps (`go.Choroplethmap`, MapLibre into a canvas) every trace
   registered on the map subplot and the MapLibre map `loaded()`, tiles loaded, not moving, canvas sized.
   The condition must hold for HOLD_MS in a row; the time reported is when it started holding (so a rerun
   that redraws restarts the clock). The clock is the page's own (`performance.now()`).
   - browser_<page>_charts_s (the target): one tab opens the app (base URL) and goes round the menu by
     sidebar clicks (Presentasi hides the sidebar: from there by its "Keluar" link to Ringkasan), each
     page reached from the page before it; clock from the click's input timestamp; median of
     max(KLA_BENCH_BROWSER_RUNS, 1) rounds.
   - browser_<page>_reload_s: a load by URL in a fresh tab (clock from navigation start), median of
     KLA_BENCH_BROWSER_RUNS on the warm server; browser_<page>_cold_s: the first load of the page on a
     freshly started server.
   - browser_{reload,inapp}_*_per_view: the server's CPU per view for both ways (one visitor, nothing
     else on the server): its process tree from /proc, and its script runs (count, script-thread CPU,
     wall) from the hook below. The difference is what session setup costs.
2. Concurrency: N sessions (browser contexts) each open the app (base URL; OPEN_AT_ONCE at a time, not
   timed: the opening loads are reported apart, concurrency_open_*) and then, all at once for
   KLA_BENCH_CONCURRENCY_S seconds, go round the public pages by sidebar clicks, pausing a think time
   after each drawn view (KLA_BENCH_THINK_S, uniform between 0.5x and 1.5x it so sessions drift apart;
   0: the next click at once). Each view timed as in 1 (and it must show at least as many charts as the
   page showed in 1: under load a chart's code can arrive after the app settled). p50/p95, views and
   errors (a Streamlit exception element, a timeout, a console error, a request to a host other than
   127.0.0.1, fewer charts than the page has when idle), server CPU per view over the timed window.
3. Server memory: the Streamlit server's VmHWM (/proc) after the concurrency run.

2b. Server alone: the same number of sessions, same think time, for KLA_BENCH_SERVER_ONLY_S, as bare
   websocket clients speaking Streamlit's protocol (ProtocolSession): each opens one session as a new tab
   does, then switches pages in it with the rerun_script message a sidebar click sends (page_script_hash
   of the target page, the frontend's cached message hashes), each timed until the script finished; nothing
   drawn. The difference to 2 is what the headless browsers cost on this machine.

To say where the time goes, the server runs with a hook (bench only, no app change) that logs the wall and
script-thread CPU time of every script run, and /proc is sampled for the CPU of the server, of the
browsers (everything else this bench started) and of the rest of the machine (other people's work).

Environment: KLA_BENCH_CONCURRENCY_S (180), KLA_BENCH_SESSIONS (20), KLA_BENCH_THINK_S (0),
KLA_BENCH_BROWSER_RUNS (5: loads by URL per page and rounds of the menu by clicks; 0: no warm load by URL,
the cold one then stands for it, and one round of clicks), KLA_BENCH_BROWSERS (1 chromium process for
all sessions), KLA_BENCH_COLD_SERVERS (1: a fresh server for each page's cold load; 0: one server for
everything, the first load of a page is then only "first on this server"), KLA_BENCH_NAV_TIMEOUT_S (60),
KLA_BENCH_SERVER_ONLY_S (60; 0 skips).

Run alone: `.venv/bin/python -m bench.browser`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.chromium import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

GEO = REPO.parent / "shared" / "geo"
PAGES = ("ringkasan", "progres", "peta", "kekerasan", "presentasi")
PATHS = {
    "ringkasan": "/",
    "progres": "/progres",
    "peta": "/peta",
    "kekerasan": "/kekerasan",
    "presentasi": "/presentasi",
}  # st.Page url paths in app.py (the default page is the root)
LABELS = {
    "ringkasan": "Ringkasan",
    "progres": "Progres Klaster",
    "peta": "Peta Cakupan",
    "kekerasan": "Kekerasan terhadap Anak",
    "presentasi": "Presentasi",
}  # the menu in Indonesian (default)
LEAVE_LABELS = {"ringkasan": ("Keluar", "Leave")}  # Presentasi's st.page_link back to Ringkasan (presentasi.exit)
HAS_CHARTS = ("ringkasan", "progres", "peta", "kekerasan")  # presentasi opens on a slide of KPI cards
VIEWPORT = {"width": 1440, "height": 1300}
HOLD_MS = 400
POLL_MS = 50

TARGETS: dict[str, float] = {f"browser_{p}_charts_s": 3.0 for p in PAGES}
TARGETS.update({"browser_errors": 0, "concurrency_p95_s": 3.0, "concurrency_errors": 0})


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


# --- the page-side clock --------------------------------------------------------------------------
# Called by wait_for_function every POLL_MS. Keeps its streaks in window.__klaBench; returns the result
# once app settled + charts drawn has held for `hold` ms.
SETTLED_JS = """
({hold, path, min}) => {
  const now = performance.now();
  const s = window.__klaBench || (window.__klaBench = {app: null, all: null, sig: null, conn: null, run: null,
                                                       t0: 0, long0: 0});
  if (s.t0 === null) return false;  // an in-app view whose click has not reached the page yet (ARM_JS)
  const app = document.querySelector('[data-testid="stApp"]');
  if (s.conn === null && app && app.getAttribute('data-test-connection-state') === 'CONNECTED') s.conn = now;
  if (s.run === null && app && app.getAttribute('data-test-script-state') === 'running') s.run = now;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  const appOk = !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !(status && status.checkVisibility())
    && location.pathname.replace(/\\/+$/, '') === path.replace(/\\/+$/, '')
    && !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]');
  const MAPS = ['map', 'mapbox'];
  const base = t => (t._module && t._module.basePlotModule && t._module.basePlotModule.name) || '';
  const drawn = (c) => {
    const gd = c.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullLayout || !gd._fullData || !gd.querySelector('.main-svg')) return false;
    const data = gd._fullData.filter(t => t.visible === true);
    const flat = data.filter(t => !MAPS.includes(base(t))).length;
    if (gd.querySelectorAll('.main-svg g.trace').length < flat) return false;
    for (const kind of MAPS) {
      for (const id of (gd._fullLayout._subplots[kind] || [])) {
        const sp = gd._fullLayout[id] && gd._fullLayout[id]._subplot;
        if (!sp || !sp.map) return false;
        const m = sp.map;
        const n = data.filter(t => t.subplot === id).length;
        if (Object.keys(sp.traceHash || {}).length < n) return false;
        if (!m.loaded() || !m.areTilesLoaded() || m.isMoving()) return false;
        const cv = m.getCanvas();
        if (!cv || !cv.width || !cv.height) return false;
      }
    }
    return true;
  };
  const all = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const visible = all.filter(c => c.checkVisibility() && c.getBoundingClientRect().width > 0);
  const maps = visible.filter(c => c.querySelector('.maplibregl-canvas, .mapboxgl-canvas')).length;
  const ok = appOk && visible.length >= min && visible.every(drawn);  // min: charts the page has when idle
  const sig = visible.length + '/' + all.length;
  if (!appOk) s.app = null; else if (s.app === null) s.app = now;
  if (!ok) { s.all = null; return false; }
  if (s.all === null || s.sig !== sig) { s.all = now; s.sig = sig; return false; }
  if (now - s.all < hold) return false;
  const nav = performance.getEntriesByType('navigation')[0] || {};
  const rel = v => (v === null || v === undefined) ? null : v - s.t0;  // the view's clock: navigation start or click
  return {charts_ms: rel(s.all), app_ms: rel(s.app), charts: visible.length, hidden: all.length - visible.length, maps,
          exceptions: document.querySelectorAll('[data-testid="stException"]').length,
          phases: {dom_ms: s.t0 ? null : (nav.domContentLoadedEventEnd || null), connected_ms: s.t0 ? null : s.conn,
                   running_ms: rel(s.run),
                   longtasks_ms: window.__klaLong === undefined ? null : window.__klaLong - s.long0}};
}
"""

# Before an in-app view: a fresh clock that starts with the click on the sidebar link. The click's timeStamp is
# when the browser took the input (so a busy main thread that handles it late counts, as a visitor would feel it).
ARM_JS = """
() => {
  window.__klaBench = {app: null, all: null, sig: null, conn: null, run: null, t0: null, long0: 0};
  document.addEventListener('click', (e) => {
    const s = window.__klaBench;
    s.t0 = e.timeStamp || performance.now();
    s.long0 = window.__klaLong || 0;
  }, {capture: true, once: true});
}
"""

# Main-thread work of the browser: the sum of long tasks (>= 50 ms of JS, style, layout, paint in one go).
LONGTASKS_JS = """
window.__klaLong = 0;
try {
  new PerformanceObserver(l => { for (const e of l.getEntries()) window.__klaLong += e.duration; })
    .observe({type: 'longtask', buffered: true});
} catch (e) { window.__klaLong = undefined; }
"""

# The server with a bench-only hook: every script run's wall and script-thread CPU time, and its page; every full
# garbage collection's wall and CPU time (Streamlit runs gc.collect(2) after each script run: runner.postScriptGC).
SERVER_CODE = r"""
import sys, threading, time
from streamlit.runtime.scriptrunner import script_runner as _sr
_log = open(sys.argv[1], "a", buffering=1)
_lock = threading.Lock()
_orig = _sr.exec_func_with_error_handling
def _timed(func, ctx):
    w0, c0 = time.perf_counter(), time.thread_time()
    try:
        return _orig(func, ctx)
    finally:
        w, c = time.perf_counter() - w0, time.thread_time() - c0
        try:
            page = ctx.pages_manager.get_pages().get(ctx.page_script_hash, {}).get("url_pathname", "?") or "/"
        except Exception:
            page = "?"
        with _lock:
            _log.write(f"{time.time():.3f} {w:.4f} {c:.4f} {page}\n")
_sr.exec_func_with_error_handling = _timed
import gc
_gc_log = open(sys.argv[1] + ".gc", "a", buffering=1)
_gc_start = threading.local()
def _gc_timed(phase, info):  # full (generation 2) collections: Streamlit's gc.collect(2) after every run, and others
    if info.get("generation") != 2:
        return
    if phase == "start":
        _gc_start.t = (time.perf_counter(), time.thread_time())
    elif getattr(_gc_start, "t", None):
        w, c = time.perf_counter() - _gc_start.t[0], time.thread_time() - _gc_start.t[1]
        _gc_start.t = None
        with _lock:
            _gc_log.write(f"{time.time():.3f} {w:.4f} {c:.4f} {info.get('collected', 0)}\n")
gc.callbacks.append(_gc_timed)
from streamlit.web.cli import main
sys.argv = ["streamlit", "run", *sys.argv[2:]]
main()
"""


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    runs: Path

    def status(self, key: str) -> float:
        """A /proc/<pid>/status memory line (VmRSS, VmHWM) in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def full_gcs(self, since: float = 0.0, until: float = float("inf")) -> list[tuple[float, float, float]]:
        """(time, wall s, CPU s) of every full garbage collection in the server."""
        path = Path(str(self.runs) + ".gc")
        out = []
        for line in path.read_text().splitlines() if path.exists() else []:
            parts = line.split()
            if len(parts) >= 3 and since <= float(parts[0]) <= until:
                out.append((float(parts[0]), float(parts[1]), float(parts[2])))
        return out

    def script_runs(self, since: float = 0.0, until: float = float("inf")) -> list[tuple[float, float, float, str]]:
        out = []
        for line in self.runs.read_text().splitlines():
            parts = line.split(maxsplit=3)
            if len(parts) == 4 and since <= float(parts[0]) <= until:
                out.append((float(parts[0]), float(parts[1]), float(parts[2]), parts[3]))
        return out


@contextlib.contextmanager
def streamlit_server(data_dir: Path):
    """`streamlit run app.py` (as tests/e2e_support.streamlit_server) with the script-run hook; yields a Server."""
    last_log = ""
    for _ in range(3):
        port = free_port()
        work = Path(tempfile.mkdtemp(prefix="kla-bench-server-"))
        log, runs = work / "server.log", work / "runs.log"
        runs.touch()
        env = {**os.environ, "KLA_DATA_DIR": str(data_dir)}
        with open(log, "w") as fh:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    SERVER_CODE,
                    str(runs),
                    "app.py",
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
                stdout=fh,
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
                yield Server(url, proc, log, runs)
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                if "Traceback" in log.read_text(errors="replace"):  # kept for whoever reads the errors
                    _say(f"  the server logged tracebacks: {log}")
                else:
                    shutil.rmtree(work, ignore_errors=True)
            return
        proc.kill()
        last_log = log.read_text(errors="replace")
        shutil.rmtree(work, ignore_errors=True)
    raise RuntimeError(f"Streamlit did not start:\n{last_log}")


# --- /proc ------------------------------------------------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """CPU seconds over a window: the server's process tree, the rest of this bench's tree (chromium, Playwright's
    driver, this process) and the rest of the machine (other people's work). Walks /proc every `interval` s, so
    a process that ends loses at most its last interval (chromium's renderers are not reaped into our
    rusage when the browser closes, so os.times() cannot see them)."""

    def __init__(self, server_pid: int, interval: float = 0.5) -> None:
        import threading

        self.server_pid, self.interval = server_pid, interval
        self.first: dict[tuple[int, int], float] = {}
        self.last: dict[tuple[int, int], tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _procs() -> dict[int, tuple[int, int, float]]:
        out = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    f = (d / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                out[int(d.name)] = (int(f[1]), int(f[19]), (int(f[11]) + int(f[12])) / _TICK)
        return out

    def _tick(self, baseline: bool) -> None:
        procs = self._procs()
        kids: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in procs.items():
            kids.setdefault(ppid, []).append(pid)

        def tree(root: int) -> set[int]:
            seen, todo = set(), [root]
            while todo:
                pid = todo.pop()
                if pid in procs and pid not in seen:
                    seen.add(pid)
                    todo += kids.get(pid, [])
            return seen

        server = tree(self.server_pid)
        for pid in tree(os.getpid()):
            _, start, cpu = procs[pid]
            key = (pid, start)
            if key not in self.first:
                self.first[key] = cpu if baseline else 0.0
            self.last[key] = ("server" if pid in server else "bench", cpu)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._tick(False)

    def __enter__(self) -> CpuSampler:
        self.t0, self.machine0 = time.time(), _machine_cpu_s()
        self._tick(True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._tick(False)
        self.seconds = time.time() - self.t0
        (b0, t0), (b1, t1) = self.machine0, _machine_cpu_s()
        self.busy, self.cores_total = b1 - b0, (t1 - t0) / max(self.seconds, 1e-9)
        self.server = sum(c - self.first[k] for k, (kind, c) in self.last.items() if kind == "server")
        self.bench = sum(c - self.first[k] for k, (kind, c) in self.last.items() if kind == "bench")
        self.other = max(self.busy - self.server - self.bench, 0.0)


def _machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = vals[3] + vals[4]
    return (sum(vals) - idle) / _TICK, sum(vals) / _TICK


# --- one timed view -----------------------------------------------------------------------------------
@dataclass
class View:
    page: str
    charts_s: float  # navigation start (or the sidebar click) -> app settled and every chart drawn (page clock)
    app_s: float | None  # navigation start (or the click) -> app settled (script finished) in the browser
    wall_s: float  # the same seen from Python (goto or click called -> result back)
    charts: int = 0
    hidden: int = 0
    maps: int = 0
    phases: dict = field(default_factory=dict)  # page-clock ms: dom (HTML+JS run), connected, running, longtasks
    errors: list[str] = field(default_factory=list)


class Watch:
    """A browser context's console errors, page errors and requests that leave 127.0.0.1."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.benign: list[str] = []

    async def attach(self, context) -> None:
        await context.add_init_script(LONGTASKS_JS)
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("page", lambda p: p.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}")))

    def _request(self, request) -> None:
        url = request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1":
            return
        self.errors.append(f"external request: {url[:200]}")

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        # Streamlit's frontend, opened at /page, first looks for its server under /page/_stcore/...:
        # those two 404s are its base-path discovery, not a fault of the app.
        if msg.text.startswith("Failed to load resource") and where.endswith(
            ("/_stcore/health", "/_stcore/host-config")
        ):
            self.benign.append(where)
            return
        self.errors.append(f"console error: {msg.text[:300]} ({where})")


NAV_LINKS = '[data-testid="stSidebarNav"] a'
PAGE_LINKS = '[data-testid="stMain"] a[data-testid="stPageLink-NavLink"]'  # st.page_link (Presentasi's way out)


async def visit(page, base: str, name: str, timeout_s: float, expected: int | None = None) -> View:
    """Navigate `page` to the app page `name` by URL (a full page load: a new Streamlit session) and time it until
    the app settled and every chart drawn, on the page's clock from navigation start."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    t0 = time.time()
    try:
        await page.goto(base + PATHS[name], wait_until="commit", timeout=timeout_s * 1000)
        left = max(timeout_s - (time.time() - t0), 1.0)
        arg = {"hold": HOLD_MS, "path": PATHS[name], "min": expected or 0}
        handle = await page.wait_for_function(SETTLED_JS, arg=arg, polling=POLL_MS, timeout=left * 1000)
        r = await handle.json_value()
    except PlaywrightTimeout:
        wall = time.time() - t0
        return View(name, wall, None, wall, errors=[f"timeout after {wall:.0f} s on {name}"])
    except PlaywrightError as exc:
        wall = time.time() - t0
        return View(name, wall, None, wall, errors=[f"navigation error on {name}: {str(exc)[:200]}"])
    return _view(name, r, time.time() - t0, expected)


async def nav_link(page, name: str):
    """The visible link to page `name`: the sidebar menu's (st.navigation) matched by its href's path, else by its
    label. Presentasi hides the sidebar: there the way out is its own st.page_link "Keluar" to Ringkasan (whose
    href is Presentasi's own URL, so it is matched by its label)."""
    find = (
        "([els, path, text]) => els.findIndex(e => e.checkVisibility() && (text"
        " ? e.innerText.includes(text)"
        " : new URL(e.href, location.href).pathname.replace(/\\/+$/, '') === path.replace(/\\/+$/, '')))"
    )
    tries = [(NAV_LINKS, None), (NAV_LINKS, LABELS[name]), (PAGE_LINKS, None)]
    tries += [(PAGE_LINKS, text) for text in LEAVE_LABELS.get(name, ())]
    for selector, text in tries:
        links = page.locator(selector)
        index = await links.evaluate_all(f"(els, arg) => ({find})([els, ...arg])", [PATHS[name], text])
        if index >= 0:
            return links.nth(index)
    return page.locator(NAV_LINKS).filter(has_text=LABELS[name]).first  # not visible: the click times out


async def click_visit(page, name: str, timeout_s: float, expected: int | None = None) -> View:
    """Move `page` (the app already open) to the app page `name` with its sidebar link, as a visitor does:
    st.navigation switches the page in the browser (history.pushState), same session and websocket, nothing
    reloaded. Timed from the click (its input timestamp, page clock) until the app settled and every chart drawn."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    t0 = time.time()
    try:
        link = await nav_link(page, name)
        await page.evaluate(ARM_JS)
        await link.click(timeout=timeout_s * 1000)
        left = max(timeout_s - (time.time() - t0), 1.0)
        arg = {"hold": HOLD_MS, "path": PATHS[name], "min": expected or 0}
        handle = await page.wait_for_function(SETTLED_JS, arg=arg, polling=POLL_MS, timeout=left * 1000)
        r = await handle.json_value()
    except PlaywrightTimeout:
        wall = time.time() - t0
        return View(name, wall, None, wall, errors=[f"timeout after {wall:.0f} s on {name} (sidebar click)"])
    except PlaywrightError as exc:
        wall = time.time() - t0
        return View(name, wall, None, wall, errors=[f"navigation error on {name} (sidebar click): {str(exc)[:200]}"])
    return _view(name, r, time.time() - t0, expected)


def _view(name: str, r: dict, wall: float, expected: int | None) -> View:
    view = View(
        name,
        r["charts_ms"] / 1000,
        (r["app_ms"] or r["charts_ms"]) / 1000,
        wall,
        r["charts"],
        r["hidden"],
        r["maps"],
        r["phases"],
    )
    if r["exceptions"]:
        view.errors.append(f"{r['exceptions']} Streamlit exception element(s) on {name}")
    if name in HAS_CHARTS and r["charts"] == 0:
        view.errors.append(f"no chart on {name}")
    if expected is not None and r["charts"] < expected:
        view.errors.append(f"{r['charts']} of {expected} charts on {name}")
    return view


def next_pages(start: str):
    """The public pages in menu order, forever, beginning with the one after `start`."""
    k = PAGES.index(start)
    while True:
        k = (k + 1) % len(PAGES)
        yield PAGES[k]


# --- 1. charts drawn, one visitor -------------------------------------------------------------------
async def _single_series(
    browser, base: str, name: str, runs: int, timeout_s: float, cold: bool, watch: Watch, expected: int | None = None
) -> list[View]:
    """`runs` navigations to one page by URL, each in a fresh tab of one context (first one on a cold server if
    cold)."""
    context = await browser.new_context(viewport=VIEWPORT)
    await watch.attach(context)
    views = []
    try:
        for _ in range(runs + (1 if cold else 0)):
            page = await context.new_page()
            before = len(watch.errors)
            view = await visit(page, base, name, timeout_s, expected)
            await asyncio.sleep(0.2)  # late console errors of this view
            view.errors += watch.errors[before:]
            views.append(view)
            await page.close()
    finally:
        await context.close()
    return views


@dataclass
class Measured:
    """Views of one series with the server's CPU (process tree, /proc) and its script runs (hook) meanwhile."""

    views: list
    cpu: CpuSampler
    script: list[tuple[float, float, float, str]]
    gcs: list[tuple[float, float, float]]

    def per_view(self) -> dict[str, float]:
        n = max(len(self.views), 1)
        return {
            "server_cpu_s_per_view": self.cpu.server / n,
            "script_runs_per_view": len(self.script) / n,
            "script_cpu_s_per_view": sum(c for _, _, c, _ in self.script) / n,  # the script threads' CPU
            "script_s_per_view": sum(w for _, w, _, _ in self.script) / n,
            "full_gcs_per_view": len(self.gcs) / n,  # Streamlit's gc.collect(2) after each run, and automatic ones
            "full_gc_cpu_s_per_view": sum(c for _, _, c in self.gcs) / n,
        }  # after the runs, not in script CPU


async def _inapp_series(
    browser, server: Server, cycles: int, timeout_s: float, watch: Watch, expected: dict[str, int]
) -> tuple[View, Measured]:
    """One tab opens the app once (base URL) and then goes round the menu `cycles` times by sidebar clicks
    (Progres Klaster, Peta Cakupan, ..., Ringkasan): each page reached `cycles` times, from the page before it."""
    context = await browser.new_context(viewport=VIEWPORT)
    await watch.attach(context)
    try:
        page = await context.new_page()
        before = len(watch.errors)
        opened = await visit(page, server.url, PAGES[0], timeout_s, expected.get(PAGES[0]))
        await asyncio.sleep(0.2)
        opened.errors += watch.errors[before:]
        views = []
        order = next_pages(PAGES[0])
        with CpuSampler(server.proc.pid) as cpu:
            t0 = time.time()
            for _ in range(cycles * len(PAGES)):
                name = next(order)
                before = len(watch.errors)
                view = await click_visit(page, name, timeout_s, expected.get(name))
                await asyncio.sleep(0.2)
                view.errors += watch.errors[before:]
                views.append(view)
            t1 = time.time()
    finally:
        await context.close()
    return opened, Measured(views, cpu, server.script_runs(t0, t1), server.full_gcs(t0, t1))


async def _reload_series(
    browser, server: Server, runs: int, timeout_s: float, watch: Watch, expected: dict[str, int]
) -> Measured:
    """`runs` full page loads by URL of every page on a warm server (a fresh tab each: a new session each)."""
    with CpuSampler(server.proc.pid) as cpu:
        t0 = time.time()
        views = []
        for name in PAGES:
            views += await _single_series(browser, server.url, name, runs, timeout_s, False, watch, expected.get(name))
        t1 = time.time()
    return Measured(views, cpu, server.script_runs(t0, t1), server.full_gcs(t0, t1))


async def _launch(p, n: int = 1):
    return [await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS) for _ in range(n)]


@dataclass
class Single:
    cold: dict[str, View]  # the first URL load of each page (on a fresh server when cold_servers)
    reload: Measured  # URL loads (fresh tab = new session) on the warm server
    opened: View  # the in-app tab's own first load (base URL)
    inapp: Measured  # sidebar clicks in that tab
    watch: Watch

    def by_page(self, views: list[View]) -> dict[str, list[View]]:
        return {name: [v for v in views if v.page == name] for name in PAGES}

    def views(self) -> list[View]:
        return [*self.cold.values(), *self.reload.views, self.opened, *self.inapp.views]


def charts_drawn(data_dir: Path, runs: int, cold_servers: bool, timeout_s: float, server: Server) -> Single:
    """1. in three parts: the cold (first) URL load of each page; `runs` URL loads of each page on the warm `server`;
    one tab that opens the app and goes round the menu by sidebar clicks (max(runs, 1) times)."""
    from playwright.async_api import async_playwright

    async def series() -> tuple[dict[str, View], Measured, View, Measured, Watch]:
        cold = {}
        async with async_playwright() as p:
            (browser,) = await _launch(p)  # one chromium for all (a fresh context per series)
            try:
                for name in PAGES:
                    watch = Watch()
                    with streamlit_server(data_dir) if cold_servers else contextlib.nullcontext(server) as fresh:
                        (cold[name],) = await _single_series(browser, fresh.url, name, 0, timeout_s, True, watch)
                    v = cold[name]
                    _say(
                        f"  {name}: cold {v.charts_s:.2f} s; {v.charts} chart(s)"
                        + (f", {v.hidden} hidden (other tabs)" if v.hidden else "")
                        + (f", {v.maps} map(s)" if v.maps else "")
                        + (f"; benign base-path 404s: {len(watch.benign)}" if watch.benign else "")
                    )
                    for e in v.errors:
                        _say(f"    error: {e}")
                if cold_servers:  # the main server has served nothing yet: one load of each page first
                    await _warm_up(browser, server.url, timeout_s)
                expected = {name: cold[name].charts for name in PAGES}
                watch = Watch()
                reload = await _reload_series(browser, server, runs, timeout_s, watch, expected)
                opened, inapp = await _inapp_series(browser, server, max(runs, 1), timeout_s, watch, expected)
            finally:
                await browser.close()
        return cold, reload, opened, inapp, watch

    cold, reload, opened, inapp, watch = asyncio.run(series())
    single = Single(cold, reload, opened, inapp, watch)
    re, ia = single.by_page(reload.views), single.by_page(inapp.views)
    for name in PAGES:
        _say(
            f"  {name}: by URL (reload) "
            + (", ".join(f"{v.charts_s:.2f}" for v in re[name]) or "-")
            + " s; by sidebar click "
            + (", ".join(f"{v.charts_s:.2f}" for v in ia[name]) or "-")
            + " s"
        )
        if re[name]:
            _say("    reload: " + _phases(re[name]))
        _say("    click:  " + _phases(ia[name]))
        runs_ia = [r for r in inapp.script if _page_of(r[3]) == name]
        _say(
            f"    server per click: {len(runs_ia) / max(len(ia[name]), 1):.1f} script run(s), script CPU "
            f"{sum(c for _, _, c, _ in runs_ia) / max(len(ia[name]), 1):.3f} s, script wall "
            f"{sum(w for _, w, _, _ in runs_ia) / max(len(ia[name]), 1):.3f} s"
        )
    for label, m in (("reload", reload), ("click", inapp)):
        if m.views:
            f = m.per_view()
            _say(
                f"  server per view, {label}: CPU {f['server_cpu_s_per_view']:.3f} s (process), script runs "
                f"{f['script_runs_per_view']:.1f}, script CPU {f['script_cpu_s_per_view']:.3f} s, full GCs "
                f"{f['full_gc_cpu_s_per_view']:.3f} s"
            )
    for v in [*reload.views, opened, *inapp.views]:
        for e in v.errors:
            _say(f"    error ({v.page}): {e}")
    return single


def _page_of(url_pathname: str) -> str:
    """The public page of a script-run log line ("/" is Ringkasan, the default page)."""
    p = url_pathname.strip("/")
    return next((name for name in PAGES if PATHS[name].strip("/") == p), p)


# --- 2. concurrency ---------------------------------------------------------------------------------
OPEN_AT_ONCE = 2  # sessions opening the app at the same time before the timed run (not timed: one per core)


async def _concurrency(
    server: Server,
    sessions: int,
    seconds: float,
    timeout_s: float,
    browsers: int,
    expected: dict[str, int],
    think_s: float,
) -> tuple[list[View], list[View], Watch, Measured]:
    """N sessions open the app (base URL, OPEN_AT_ONCE at a time, untimed), then for `seconds` each goes round the
    menu by sidebar clicks, waiting think_s (uniform 0.5x..1.5x) after each drawn view. Returns (views, the opening
    loads, watch, the timed window's views with the server's CPU and script runs)."""
    import random

    from playwright.async_api import async_playwright

    watch = Watch()
    views: list[View] = []
    async with async_playwright() as p:
        launched = await _launch(p, browsers)
        try:
            contexts = []
            for i in range(sessions):
                context = await launched[i % len(launched)].new_context(viewport=VIEWPORT)
                await watch.attach(context)
                contexts.append(context)
            gate = asyncio.Semaphore(OPEN_AT_ONCE)

            async def open_app(context):
                page = await context.new_page()
                async with gate:
                    return page, await visit(page, server.url, PAGES[0], timeout_s, expected.get(PAGES[0]))

            opened = await asyncio.gather(*(open_app(c) for c in contexts))

            async def session(i: int, page, deadline: float) -> None:
                rng = random.Random(i)
                order = next_pages(PAGES[0])
                for _ in range(i % (len(PAGES) - 1)):  # sessions spread over the pages (never the open one)
                    next(order)
                await asyncio.sleep(0.05 * i)  # all start within a second
                while time.time() < deadline:
                    name = next(order)
                    views.append(await click_visit(page, name, timeout_s, expected.get(name)))
                    if think_s > 0:
                        await asyncio.sleep(min(think_s * rng.uniform(0.5, 1.5), max(deadline - time.time(), 0)))

            with CpuSampler(server.proc.pid) as cpu:
                t0 = time.time()
                await asyncio.gather(*(session(i, page, t0 + seconds) for i, (page, _) in enumerate(opened)))
                t1 = time.time()
            for context in contexts:
                await context.close()
        finally:
            for b in launched:
                await b.close()
    return (
        views,
        [v for _, v in opened],
        watch,
        Measured(views, cpu, server.script_runs(t0, t1), server.full_gcs(t0, t1)),
    )


# --- 2b. the same load without browsers: the server alone ------------------------------------------
class ProtocolSession:
    """A bare websocket client speaking Streamlit's protocol as the frontend does, no browser, nothing drawn.

    open(): what a new tab asks for (rerun_script with the URL's page name, no widget states, no cached
    messages), through the app's own first st.rerun(). switch(name): what a sidebar click asks for in
    Streamlit 1.67 (App.onPageChange -> sendRerunBackMsg): rerun_script with the target's page_script_hash (from
    the `navigation` message), page_name "", and the hashes of the cacheable messages the frontend keeps
    (metadata.cacheable, expired after new_session.config.max_cached_message_age finished runs), so the server
    answers with ref_hash messages where the browser would. Widget states are not sent: the frame's widgets are
    keyed, so their values come from session state all the same. Each is timed until the script finished."""

    def __init__(self, base: str, timeout_s: float) -> None:
        self.base, self.timeout_s = base, timeout_s
        self.ws = None
        self.pages: dict[str, str] = {}  # url_pathname -> page_script_hash
        self.cache: dict[str, int] = {}  # cached message hash -> run count when last used
        self.runs, self.max_age = 0, 2

    async def _connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            self.base.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.base,
            max_size=None,
            open_timeout=self.timeout_s,
        )
        self.cache.clear()
        self.runs = 0

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    async def _until_finished(self, back, name: str) -> list[str]:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        errors: list[str] = []
        await self.ws.send(back.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                if msg.ref_hash not in self.cache:
                    errors.append(f"cached message missing on {name} (the client's cache emulation is off)")
                self.cache[msg.ref_hash] = self.runs
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = self.runs
            if kind == "new_session":
                self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
            elif kind == "navigation":
                self.pages = {pg.url_pathname: pg.page_script_hash for pg in msg.navigation.app_pages}
            elif (
                kind == "delta"
                and msg.delta.WhichOneof("type") == "new_element"
                and msg.delta.new_element.WhichOneof("type") == "exception"
            ):
                errors.append(f"exception on {name}: {msg.delta.new_element.exception.message[:200]}")
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.runs += 1  # the frontend ages its cache after every finished run
                self.cache = {h: r for h, r in self.cache.items() if self.runs - r <= self.max_age}
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append(f"compile error on {name}")
                return errors

    async def _timed(self, name: str, make_back) -> tuple[float, list[str]]:
        t0 = time.perf_counter()
        try:
            if self.ws is None:
                await self._connect()
            errors = await asyncio.wait_for(self._until_finished(make_back(), name), self.timeout_s)
        except (TimeoutError, OSError) as exc:
            errors = [f"{type(exc).__name__} on {name}"]
        except Exception as exc:  # a websocket closed by the server, a bad message
            errors = [f"{type(exc).__name__} on {name}: {str(exc)[:200]}"]
        if errors and not all(e.startswith("exception on") for e in errors):
            await self.close()  # mid-run or broken: the next view starts a new session (a reload, as a user would)
        return time.perf_counter() - t0, errors

    async def open(self, name: str = PAGES[0]) -> tuple[float, list[str]]:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        def back():
            b = BackMsg()
            b.rerun_script.page_name = PATHS[name].strip("/")
            return b

        await self.close()
        return await self._timed(name, back)

    async def switch(self, name: str) -> tuple[float, list[str]]:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if self.ws is None or PATHS[name].strip("/") not in self.pages:
            return await self.open(name)  # no session (an earlier error): a new tab at this page's URL

        def back():
            b = BackMsg()
            b.rerun_script.page_script_hash = self.pages[PATHS[name].strip("/")]
            b.rerun_script.page_name = ""
            b.rerun_script.query_string = ""
            b.rerun_script.cached_message_hashes.extend(self.cache)
            return b

        return await self._timed(name, back)


async def _protocol_concurrency(
    server: Server, sessions: int, seconds: float, timeout_s: float, think_s: float
) -> tuple[list[list[str]], Measured]:
    """As _concurrency without browsers: open every session (untimed), then switch pages in each for `seconds`.
    Returns the opening errors and the timed views ((page, seconds, errors) each) with the server's CPU."""
    import random

    views: list[tuple[str, float, list[str]]] = []
    clients = [ProtocolSession(server.url, timeout_s) for _ in range(sessions)]
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_one(c: ProtocolSession) -> list[str]:
        async with gate:
            return (await c.open())[1]

    open_errors = await asyncio.gather(*(open_one(c) for c in clients))

    async def session(i: int, c: ProtocolSession, deadline: float) -> None:
        rng = random.Random(i)
        order = next_pages(PAGES[0])
        for _ in range(i % (len(PAGES) - 1)):
            next(order)
        await asyncio.sleep(0.05 * i)
        while time.time() < deadline:
            name = next(order)
            views.append((name, *await c.switch(name)))
            if think_s > 0:
                await asyncio.sleep(min(think_s * rng.uniform(0.5, 1.5), max(deadline - time.time(), 0)))

    try:
        with CpuSampler(server.proc.pid) as cpu:
            t0 = time.time()
            await asyncio.gather(*(session(i, c, t0 + seconds) for i, c in enumerate(clients)))
            t1 = time.time()
    finally:
        for c in clients:
            await c.close()
    return list(open_errors), Measured(views, cpu, server.script_runs(t0, t1), server.full_gcs(t0, t1))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_warehouse(data_dir: Path) -> None:
    """The sample warehouse, plus Kendari's real boundaries when ../shared/geo is beside the repo."""
    env = {**os.environ, "KLA_DATA_DIR": str(data_dir)}
    cmds = [["sample"]]
    if (GEO / "kendari_kecamatan.geojson").exists():
        cmds.append(["load", "batas", str(GEO / "kendari_kecamatan.geojson"), str(GEO / "kendari_kelurahan.geojson")])
    for args in cmds:
        proc = subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"etl {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def run(data_dir: Path | None = None) -> dict[str, float]:
    """All browser figures (see the module docstring). Builds a temporary sample warehouse when data_dir is None."""
    if chromium_path() is None:
        raise RuntimeError("Debian chromium is not installed (make chromium)")
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="kla-bench-browser-") as d:
            build_warehouse(Path(d))
            return run(Path(d))

    runs = int(_env_float("KLA_BENCH_BROWSER_RUNS", 5))
    seconds = _env_float("KLA_BENCH_CONCURRENCY_S", 180)
    sessions = int(_env_float("KLA_BENCH_SESSIONS", 20))
    browsers = max(1, int(_env_float("KLA_BENCH_BROWSERS", 1)))
    timeout_s = _env_float("KLA_BENCH_NAV_TIMEOUT_S", 60)
    cold_servers = os.environ.get("KLA_BENCH_COLD_SERVERS", "1") != "0"
    server_only_s = _env_float("KLA_BENCH_SERVER_ONLY_S", 60)
    think_s = _env_float("KLA_BENCH_THINK_S", 0)
    out: dict[str, float] = {}

    with streamlit_server(data_dir) as server:
        _say(
            f"browser: charts drawn, {runs} URL load(s) per page and {max(runs, 1)} round(s) of the menu by sidebar "
            "clicks" + (" (a fresh server for each page's cold load)" if cold_servers else " (one server)")
        )
        with CpuSampler(server.proc.pid) as cpu:
            single = charts_drawn(data_dir, runs, cold_servers, timeout_s, server)
        # other people's work on the machine meanwhile, in cores (0.0 = the bench had the machine to itself)
        out["browser_other_cores"] = cpu.other / cpu.seconds
        reload, inapp = single.by_page(single.reload.views), single.by_page(single.inapp.views)
        for name in PAGES:
            cold = single.cold[name]
            out[f"browser_{name}_charts_s"] = statistics.median(v.charts_s for v in inapp[name])  # sidebar click
            out[f"browser_{name}_reload_s"] = statistics.median(v.charts_s for v in reload[name] or [cold])  # by URL
            out[f"browser_{name}_cold_s"] = cold.charts_s
            out[f"browser_{name}_charts"] = cold.charts
        expected = {name: max(v.charts for v in [single.cold[name], *reload[name], *inapp[name]]) for name in PAGES}
        out["browser_errors"] = sum(len(v.errors) for v in single.views())
        for label, m in (("reload", single.reload), ("inapp", single.inapp)):
            if m.views:
                out.update({f"browser_{label}_{k}": v for k, v in m.per_view().items()})

        _say(
            f"browser: {sessions} sessions open the app, then go round the public pages by sidebar clicks for "
            f"{seconds:.0f} s, think time {think_s:g} s ({browsers} chromium process(es))"
        )
        rss_before = server.status("VmRSS")
        views, opened, watch, conc = asyncio.run(
            _concurrency(server, sessions, seconds, timeout_s, browsers, expected, think_s)
        )
        rss_after, peak = server.status("VmRSS"), server.status("VmHWM")
        cpu, script = conc.cpu, conc.script
        _say(
            f"  opening the app (base URL, {OPEN_AT_ONCE} at a time, not in the figures below): "
            f"p50 {_pct([v.charts_s for v in opened], 0.5):.2f} s, max {max(v.charts_s for v in opened):.2f} s"
        )
        _report_concurrency(views, watch, script, opened)
        f = conc.per_view()
        _say(
            f"  server per view: CPU {f['server_cpu_s_per_view']:.3f} s (process), script runs "
            f"{f['script_runs_per_view']:.2f}, script CPU {f['script_cpu_s_per_view']:.3f} s, full GCs "
            f"{f['full_gc_cpu_s_per_view']:.3f} s; server {cpu.server / cpu.seconds:.2f} cores, browsers "
            f"{cpu.bench / cpu.seconds:.2f}, others {cpu.other / cpu.seconds:.2f}"
        )
        only_figures: dict[str, float] = {}
        if server_only_s > 0:
            _say(
                f"browser: the same {sessions} sessions without browsers (websocket only, page switches as a "
                f"sidebar click sends them) for {server_only_s:.0f} s, think time {think_s:g} s"
            )
            only_open, only_m = asyncio.run(_protocol_concurrency(server, sessions, server_only_s, timeout_s, think_s))
            only, cpu_only, only_script = only_m.views, only_m.cpu, only_m.script
            only_times = [t for _, t, _ in only]
            only_figures = {
                "server_only_views": len(only),
                "server_only_p50_s": _pct(only_times, 0.5),
                "server_only_p95_s": _pct(only_times, 0.95),
                "server_only_errors": sum(len(e) for _, _, e in only) + sum(len(e) for e in only_open),
                "server_only_script_p95_s": _pct([w for _, w, _, _ in only_script], 0.95),
                **{f"server_only_{k}": v for k, v in only_m.per_view().items() if k != "server_cpu_s_per_view"},
                "server_only_cpu_s_per_view": cpu_only.server / max(len(only), 1),
                "server_only_server_cores": cpu_only.server / cpu_only.seconds,
                "server_only_other_cores": cpu_only.other / cpu_only.seconds,
            }
            for name in PAGES:
                mine = [t for n, t, _ in only if n == name]
                cpu_runs = [c for _, _, c, p in only_script if _page_of(p) == name]
                if mine:
                    _say(
                        f"  {name}: {len(mine)} views, p50 {_pct(mine, 0.5):.2f} s, p95 {_pct(mine, 0.95):.2f} s; "
                        f"script runs {len(cpu_runs)}, script CPU per view {sum(cpu_runs) / len(mine):.3f} s"
                    )
            _say(
                f"  server CPU per view {only_figures['server_only_cpu_s_per_view']:.3f} s (process), script CPU "
                f"{only_figures['server_only_script_cpu_s_per_view']:.3f} s, full GCs "
                f"{only_figures['server_only_full_gc_cpu_s_per_view']:.3f} s, "
                f"{only_figures['server_only_script_runs_per_view']:.2f} script runs per view"
            )
            shown = [e for _, _, errs in only for e in errs] + [e for errs in only_open for e in errs]
            for e in sorted(set(shown))[:10]:
                _say(f"  error ({shown.count(e)}x): {e}")

    times = [v.charts_s for v in views]
    app_times = [v.app_s for v in views if v.app_s is not None]
    kinds = {"exception": 0, "timeout": 0, "console": 0, "external": 0, "charts": 0}
    for v in [*opened, *views]:
        for e in v.errors:
            kinds[
                "exception"
                if "exception element" in e
                else "timeout"
                if e.startswith(("timeout", "navigation"))
                else "charts"
                if "chart" in e
                else "console"
            ] += 1
    for e in watch.errors:
        kinds["external" if e.startswith("external") else "console"] += 1
    out.update(
        {
            "concurrency_sessions": sessions,
            "concurrency_think_s": think_s,  # mean pause after a drawn view (uniform 0.5x..1.5x); 0: click at once
            "concurrency_duration_s": cpu.seconds,
            "concurrency_views": len(views),  # sidebar clicks; the opening loads are not in the view figures
            "concurrency_p50_s": _pct(times, 0.5),
            "concurrency_p95_s": _pct(times, 0.95),
            "concurrency_max_s": max(times, default=float("nan")),
            "concurrency_app_p50_s": _pct(app_times, 0.5),  # up to "script finished" in the browser
            "concurrency_app_p95_s": _pct(app_times, 0.95),
            "concurrency_open_p50_s": _pct([v.charts_s for v in opened], 0.5),  # the sessions' first load (base URL)
            "concurrency_open_max_s": max((v.charts_s for v in opened), default=float("nan")),
            "concurrency_errors": sum(kinds.values()),  # the opening loads' errors included
            **{f"concurrency_errors_{k}": n for k, n in kinds.items()},
            "server_script_runs": len(script),
            "server_script_p50_s": _pct([w for _, w, _, _ in script], 0.5),
            "server_script_p95_s": _pct([w for _, w, _, _ in script], 0.95),
            "server_script_s_per_view": sum(w for _, w, _, _ in script) / max(len(views), 1),
            "server_script_cpu_s_per_view": sum(c for _, _, c, _ in script) / max(len(views), 1),
            "server_full_gc_cpu_s_per_view": conc.per_view()["full_gc_cpu_s_per_view"],
            "server_cpu_s_per_view": cpu.server / max(len(views), 1),
            # CPU during the run, in cores (this machine has os.cpu_count()): the server, the browsers (chromium,
            # Playwright's driver, this process) and the rest of the machine (other people's work)
            "server_cores": cpu.server / cpu.seconds,
            "browser_cores": cpu.bench / cpu.seconds,
            "other_cores": cpu.other / cpu.seconds,
            "machine_cpu_busy": cpu.busy / cpu.seconds / cpu.cores_total,  # 1.0 = every core busy
            "server_rss_before_mb": rss_before,
            "server_rss_after_mb": rss_after,
            "server_peak_rss_mb": peak,
        }
    )
    out.update(only_figures)
    return out


async def _warm_up(browser, base: str, timeout_s: float) -> None:
    """One load of each page by URL (a fresh server's first views run pages alone, see kla/shell.context)."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        for name in PAGES:
            await visit(page, base, name, timeout_s)
    finally:
        await context.close()


def _report_concurrency(views: list[View], watch: Watch, script, opened: list[View]) -> None:
    """Per page: view times under load, and the server's script time for the same page."""
    for name in PAGES:
        mine = [v for v in views if v.page == name]
        runs = [(w, c) for _, w, c, p in script if _page_of(p) == name]
        if mine:
            _say(
                f"  {name}: {len(mine)} views, p50 {_pct([v.charts_s for v in mine], 0.5):.2f} s, "
                f"p95 {_pct([v.charts_s for v in mine], 0.95):.2f} s (app settled p50 "
                f"{_pct([v.app_s for v in mine if v.app_s is not None], 0.5):.2f} s); server script runs "
                f"{len(runs)}, p50 {_pct([w for w, _ in runs], 0.5):.2f} s, "
                f"p95 {_pct([w for w, _ in runs], 0.95):.2f} s, "
                f"script CPU per view {sum(c for _, c in runs) / len(mine):.3f} s"
            )
            _say("    " + _phases(mine))
    shown = [e for v in [*opened, *views] for e in v.errors] + watch.errors
    for e in sorted(set(shown))[:20]:
        _say(f"  error ({shown.count(e)}x): {e}")
    if watch.benign:
        _say(
            f"  benign: {len(watch.benign)} base-path 404s of Streamlit's frontend (/page/_stcore/health, host-config)"
        )


def _phases(views: list[View]) -> str:
    """Medians of where a view's time went, on the page clock (ms since navigation start, or since the click)."""

    def med(key):
        vals = [v.phases.get(key) for v in views if v.phases.get(key) is not None]
        return f"{statistics.median(vals) / 1000:.2f}" if vals else "-"

    app = [v.app_s for v in views if v.app_s is not None]
    return (
        f"median s: HTML+JS loaded {med('dom_ms')}, websocket connected {med('connected_ms')}, script running "
        f"{med('running_ms')}, app settled {statistics.median(app) if app else float('nan'):.2f}, charts drawn "
        f"{statistics.median(v.charts_s for v in views) if views else float('nan'):.2f}; browser long tasks "
        f"{med('longtasks_ms')}"
    )


def fmt(key: str, value: float) -> str:
    target = TARGETS.get(key)
    shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"
    if target is None:
        return f"{key:32} {shown:>10}"
    ok = value <= target
    return f"{key:32} {shown:>10}   <= {target:g}{'' if ok else '  MISSED'}"


def main() -> None:
    results = run()
    print("\n".join(fmt(k, v) for k, v in results.items()))


if __name__ == "__main__":
    main()
