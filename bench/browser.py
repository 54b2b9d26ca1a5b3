"""Browser-side benchmarks of the scale issue: what a visitor waits for, in Debian chromium.

1. Charts drawn: for each public page, the time from navigation start to "every chart drawn": the
   Streamlit app connected, its script finished (`data-test-script-state="notRunning"`, no status
   widget, no skeleton, the URL is the page's) AND every visible `stPlotlyChart` drawn: plotly's
   `.main-svg` with one `g.trace` per visible cartesian trace, and for maps (`go.Choroplethmap`,
   MapLibre into a canvas) every trace registered on the map subplot and the MapLibre map
   `loaded()`, tiles loaded, not moving, canvas sized. The condition must hold for HOLD_MS in a row;
   the time reported is when it started holding (so a rerun that redraws restarts the clock). The
   clock is the page's own (`performance.now()`, zero at navigation start). Median of several
   navigations (a fresh tab each, same server and browser context), and the first navigation of the
   page on a freshly started server ("cold") separately.
2. Concurrency: N sessions (browser contexts) at once, each cycling through the public pages by URL
   for KLA_BENCH_CONCURRENCY_S seconds, each view timed as in 1 (and it must show at least as many charts as
   the page showed in 1: under load a chart's code can arrive after the app settled). p50/p95, views and errors (a
   Streamlit exception element, a timeout, a console error, a request to a host other than
   127.0.0.1, fewer charts than the page has when idle).
3. Server memory: the Streamlit server's VmHWM (/proc) after the concurrency run.

2b. Server alone: the same number of sessions cycling the same pages for KLA_BENCH_SERVER_ONLY_S, but as
   bare websocket clients speaking Streamlit's protocol (what a new tab asks for, timed until the script
   finished; nothing drawn). The difference to 2 is what the headless browsers cost on this machine.

To say where the time goes, the server runs with a hook (bench only, no app change) that logs the wall and
script-thread CPU time of every script run, and /proc is sampled for the CPU of the server, of the
browsers (everything else this bench started) and of the rest of the machine (other people's work).

Environment: KLA_BENCH_CONCURRENCY_S (180), KLA_BENCH_SESSIONS (20), KLA_BENCH_BROWSER_RUNS (5 warm
navigations per page; 0: only the first, which then stands for the median too), KLA_BENCH_BROWSERS (1
chromium process for all sessions), KLA_BENCH_COLD_SERVERS (1: a fresh server for each page's cold
navigation; 0: one server for everything, the first visit of a page is then only "first on this server"),
KLA_BENCH_NAV_TIMEOUT_S (60), KLA_BENCH_SERVER_ONLY_S (60; 0 skips).

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

from tests.e2e_support import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

GEO = REPO.parent / "shared" / "geo"
PAGES = ("ringkasan", "progres", "peta", "kekerasan", "presentasi")
PATHS = {"ringkasan": "/", "progres": "/progres", "peta": "/peta", "kekerasan": "/kekerasan",
         "presentasi": "/presentasi"}  # st.Page url paths in app.py (the default page is the root)
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
  const s = window.__klaBench || (window.__klaBench = {app: null, all: null, sig: null, conn: null, run: null});
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
  return {charts_ms: s.all, app_ms: s.app, charts: visible.length, hidden: all.length - visible.length, maps,
          exceptions: document.querySelectorAll('[data-testid="stException"]').length,
          phases: {dom_ms: nav.domContentLoadedEventEnd || null, connected_ms: s.conn, running_ms: s.run,
                   longtasks_ms: window.__klaLong === undefined ? null : window.__klaLong}};
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

# The server with a bench-only hook: every script run's wall and script-thread CPU time, and its page.
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
                [sys.executable, "-c", SERVER_CODE, str(runs), "app.py", "--server.headless", "true",
                 "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                 "--global.developmentMode", "false", "--server.fileWatcherType", "none"],
                cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
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

    def __enter__(self) -> "CpuSampler":
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
    charts_s: float          # navigation start -> app settled and every chart drawn (page clock)
    app_s: float | None      # navigation start -> app settled (script finished) in the browser
    wall_s: float            # the same seen from Python (goto called -> result back)
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
        if (msg.text.startswith("Failed to load resource")
                and where.endswith(("/_stcore/health", "/_stcore/host-config"))):
            self.benign.append(where)
            return
        self.errors.append(f"console error: {msg.text[:300]} ({where})")


async def visit(page, base: str, name: str, timeout_s: float, expected: int | None = None) -> View:
    """Navigate `page` to the app page `name` by URL and time it until the app settled and every chart drawn."""
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
    wall = time.time() - t0
    view = View(name, r["charts_ms"] / 1000, (r["app_ms"] or r["charts_ms"]) / 1000, wall, r["charts"], r["hidden"],
                r["maps"], r["phases"])
    if r["exceptions"]:
        view.errors.append(f"{r['exceptions']} Streamlit exception element(s) on {name}")
    if name in HAS_CHARTS and r["charts"] == 0:
        view.errors.append(f"no chart on {name}")
    if expected is not None and r["charts"] < expected:
        view.errors.append(f"{r['charts']} of {expected} charts on {name}")
    return view


# --- 1. charts drawn, one visitor -------------------------------------------------------------------
async def _single_series(browser, base: str, name: str, runs: int, timeout_s: float, cold: bool,
                         watch: Watch) -> list[View]:
    """`runs` navigations to one page, each in a fresh tab of one context (first one on a cold server if cold)."""
    context = await browser.new_context(viewport=VIEWPORT)
    await watch.attach(context)
    views = []
    try:
        for _ in range(runs + (1 if cold else 0)):
            page = await context.new_page()
            before = len(watch.errors)
            view = await visit(page, base, name, timeout_s)
            await asyncio.sleep(0.2)  # late console errors of this view
            view.errors += watch.errors[before:]
            views.append(view)
            await page.close()
    finally:
        await context.close()
    return views


async def _launch(p, n: int = 1):
    return [await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS) for _ in range(n)]


def charts_drawn(data_dir: Path, runs: int, cold_servers: bool, timeout_s: float,
                 server: Server | None = None) -> tuple[dict[str, list[View]], dict[str, View]]:
    """Warm views per page and the cold (first) view per page."""
    from playwright.async_api import async_playwright

    async def series(base: str, name: str, cold: bool, watch: Watch) -> list[View]:
        async with async_playwright() as p:
            (browser,) = await _launch(p)
            try:
                return await _single_series(browser, base, name, runs, timeout_s, cold, watch)
            finally:
                await browser.close()

    warm, cold = {}, {}
    for name in PAGES:
        watch = Watch()
        if cold_servers:
            with streamlit_server(data_dir) as fresh:
                views = asyncio.run(series(fresh.url, name, True, watch))
        else:
            views = asyncio.run(series(server.url, name, True, watch))
        cold[name], warm[name] = views[0], views[1:]
        _say(f"  {name}: cold {views[0].charts_s:.2f} s, warm "
             + (", ".join(f"{v.charts_s:.2f}" for v in views[1:]) or "-") + f" s; {views[0].charts} chart(s)"
             + (f", {views[0].hidden} hidden (other tabs)" if views[0].hidden else "")
             + (f", {views[0].maps} map(s)" if views[0].maps else "")
             + (f"; benign base-path 404s: {len(watch.benign)}" if watch.benign else ""))
        _say("    " + _phases(views[1:] or views))
        for v in views:
            for e in v.errors:
                _say(f"    error: {e}")
    return warm, cold


# --- 2. concurrency ---------------------------------------------------------------------------------
async def _concurrency(base: str, sessions: int, seconds: float, timeout_s: float, browsers: int,
                       expected: dict[str, int]) -> tuple[list[View], Watch]:
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
            deadline = time.time() + seconds

            async def session(i: int, context) -> None:
                page = await context.new_page()
                k = i
                await asyncio.sleep(0.05 * i)  # all start within a second
                while time.time() < deadline:
                    name = PAGES[k % len(PAGES)]
                    k += 1
                    views.append(await visit(page, base, name, timeout_s, expected.get(name)))

            await asyncio.gather(*(session(i, c) for i, c in enumerate(contexts)))
            for context in contexts:
                await context.close()
        finally:
            for b in launched:
                await b.close()
    return views, watch


# --- 2b. the same load without browsers: the server alone ------------------------------------------
async def protocol_view(base: str, name: str, timeout_s: float) -> tuple[float, list[str]]:
    """One page view as Streamlit's frontend asks for it on a new tab (websocket, rerun_script with the page's
    name, no cached messages), timed until the script finished; no browser. Returns (seconds, errors)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def one() -> list[str]:
        errors = []
        async with websockets.connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                      origin=base, max_size=None, open_timeout=timeout_s) as ws:
            back = BackMsg()
            back.rerun_script.page_name = PATHS[name].strip("/")
            await ws.send(back.SerializeToString())
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await ws.recv())
                kind = msg.WhichOneof("type")
                if (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"
                        and msg.delta.new_element.WhichOneof("type") == "exception"):
                    errors.append(f"exception on {name}: {msg.delta.new_element.exception.message[:200]}")
                if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        errors.append(f"compile error on {name}")
                    return errors

    t0 = time.perf_counter()
    try:
        errors = await asyncio.wait_for(one(), timeout_s)
    except (asyncio.TimeoutError, OSError) as exc:
        errors = [f"{type(exc).__name__} on {name}"]
    except Exception as exc:  # a websocket closed by the server, a bad message
        errors = [f"{type(exc).__name__} on {name}: {str(exc)[:200]}"]
    return time.perf_counter() - t0, errors


async def _protocol_concurrency(base: str, sessions: int, seconds: float, timeout_s: float
                                ) -> list[tuple[str, float, list[str]]]:
    views: list[tuple[str, float, list[str]]] = []
    deadline = time.time() + seconds

    async def session(i: int) -> None:
        k = i
        await asyncio.sleep(0.05 * i)
        while time.time() < deadline:
            name = PAGES[k % len(PAGES)]
            k += 1
            views.append((name, *await protocol_view(base, name, timeout_s)))

    await asyncio.gather(*(session(i) for i in range(sessions)))
    return views


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
    out: dict[str, float] = {}

    with streamlit_server(data_dir) as server:
        _say(f"browser: charts drawn, {runs} warm navigation(s) per page"
             + (" (a fresh server for each page's cold one)" if cold_servers else " (one server)"))
        with CpuSampler(server.proc.pid) as cpu:
            warm, cold = charts_drawn(data_dir, runs, cold_servers, timeout_s, server)
        # other people's work on the machine meanwhile, in cores (0.0 = the bench had the machine to itself)
        out["browser_other_cores"] = cpu.other / cpu.seconds
        expected = {}
        errors = 0
        for name in PAGES:
            out[f"browser_{name}_charts_s"] = statistics.median(v.charts_s for v in warm[name] or [cold[name]])
            out[f"browser_{name}_cold_s"] = cold[name].charts_s
            out[f"browser_{name}_charts"] = cold[name].charts
            expected[name] = max(v.charts for v in [cold[name], *warm[name]])
            errors += sum(len(v.errors) for v in [cold[name], *warm[name]])
        out["browser_errors"] = errors

        if cold_servers:  # the concurrency server has served nothing yet: one visit of each page first
            asyncio.run(_warm_up(server.url, timeout_s))
        _say(f"browser: {sessions} sessions cycling the public pages for {seconds:.0f} s "
             f"({browsers} chromium process(es))")
        rss_before = server.status("VmRSS")
        with CpuSampler(server.proc.pid) as cpu:
            t0 = time.time()
            views, watch = asyncio.run(_concurrency(server.url, sessions, seconds, timeout_s, browsers, expected))
            t1 = time.time()
        rss_after, peak = server.status("VmRSS"), server.status("VmHWM")
        script = server.script_runs(t0, t1)
        _report_concurrency(views, watch, script)
        only_figures: dict[str, float] = {}
        if server_only_s > 0:
            _say(f"browser: the same {sessions} sessions without browsers (websocket only) for {server_only_s:.0f} s")
            with CpuSampler(server.proc.pid) as cpu_only:
                s0 = time.time()
                only = asyncio.run(_protocol_concurrency(server.url, sessions, server_only_s, timeout_s))
                s1 = time.time()
            only_script = server.script_runs(s0, s1)
            only_times = [t for _, t, _ in only]
            only_figures = {
                "server_only_views": len(only),
                "server_only_p50_s": _pct(only_times, 0.5),
                "server_only_p95_s": _pct(only_times, 0.95),
                "server_only_errors": sum(len(e) for _, _, e in only),
                "server_only_script_p95_s": _pct([w for _, w, _, _ in only_script], 0.95),
                "server_only_server_cores": cpu_only.server / cpu_only.seconds,
                "server_only_other_cores": cpu_only.other / cpu_only.seconds,
            }
            for name in PAGES:
                mine = [t for n, t, _ in only if n == name]
                if mine:
                    _say(f"  {name}: {len(mine)} views, p50 {_pct(mine, .5):.2f} s, p95 {_pct(mine, .95):.2f} s")
            shown = [e for _, _, errs in only for e in errs]
            for e in sorted(set(shown))[:10]:
                _say(f"  error ({shown.count(e)}x): {e}")

    times = [v.charts_s for v in views]
    app_times = [v.app_s for v in views if v.app_s is not None]
    kinds = {"exception": 0, "timeout": 0, "console": 0, "external": 0, "charts": 0}
    for v in views:
        for e in v.errors:
            kinds["exception" if "exception element" in e else "timeout" if e.startswith(("timeout", "navigation"))
                  else "charts" if "chart" in e else "console"] += 1
    for e in watch.errors:
        kinds["external" if e.startswith("external") else "console"] += 1
    out.update({
        "concurrency_sessions": sessions,
        "concurrency_duration_s": t1 - t0,
        "concurrency_views": len(views),
        "concurrency_p50_s": _pct(times, 0.5),
        "concurrency_p95_s": _pct(times, 0.95),
        "concurrency_max_s": max(times, default=float("nan")),
        "concurrency_app_p50_s": _pct(app_times, 0.5),   # up to "script finished" in the browser
        "concurrency_app_p95_s": _pct(app_times, 0.95),
        "concurrency_errors": sum(kinds.values()),
        **{f"concurrency_errors_{k}": n for k, n in kinds.items()},
        "server_script_runs": len(script),
        "server_script_p50_s": _pct([w for _, w, _, _ in script], 0.5),
        "server_script_p95_s": _pct([w for _, w, _, _ in script], 0.95),
        "server_script_s_per_view": sum(w for _, w, _, _ in script) / max(len(views), 1),
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
    })
    out.update(only_figures)
    return out


async def _warm_up(base: str, timeout_s: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        (browser,) = await _launch(p)
        try:
            context = await browser.new_context(viewport=VIEWPORT)
            page = await context.new_page()
            for name in PAGES:
                await visit(page, base, name, timeout_s)
            await context.close()
        finally:
            await browser.close()


def _report_concurrency(views: list[View], watch: Watch, script) -> None:
    """Per page: view times under load, and the server's script time for the same page."""
    for name in PAGES:
        mine = [v for v in views if v.page == name]
        runs = [w for _, w, _, p in script if p.strip("/") == ("" if name == "ringkasan" else name)]
        if mine:
            _say(f"  {name}: {len(mine)} views, p50 {_pct([v.charts_s for v in mine], .5):.2f} s, "
                 f"p95 {_pct([v.charts_s for v in mine], .95):.2f} s (app settled p50 "
                 f"{_pct([v.app_s for v in mine if v.app_s is not None], .5):.2f} s); server script runs "
                 f"{len(runs)}, p50 {_pct(runs, .5):.2f} s, p95 {_pct(runs, .95):.2f} s")
            _say("    " + _phases(mine))
    shown = [e for v in views for e in v.errors] + watch.errors
    for e in sorted(set(shown))[:20]:
        _say(f"  error ({shown.count(e)}x): {e}")
    if watch.benign:
        _say(f"  benign: {len(watch.benign)} base-path 404s of Streamlit's frontend "
             "(/page/_stcore/health, host-config)")


def _phases(views: list[View]) -> str:
    """Medians of where a view's time went, on the page clock (ms since navigation start)."""
    def med(key):
        vals = [v.phases.get(key) for v in views if v.phases.get(key) is not None]
        return f"{statistics.median(vals) / 1000:.2f}" if vals else "-"
    app = [v.app_s for v in views if v.app_s is not None]
    return (f"median s: HTML+JS loaded {med('dom_ms')}, websocket connected {med('connected_ms')}, script running "
            f"{med('running_ms')}, app settled {statistics.median(app) if app else float('nan'):.2f}, charts drawn "
            f"{statistics.median(v.charts_s for v in views) if views else float('nan'):.2f}; browser long tasks "
            f"{med('longtasks_ms')}")


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
