"""Scale, measured (issue 24): 1, 2 and 4 Streamlit replicas behind Caddy, 30 and 100 websocket sessions.

Set-up as deployed: N `streamlit run app.py` processes on 127.0.0.1 (different ports) serving the same
KLA_DATA_DIR, Debian's caddy in front (bench/replicas.Caddyfile: TLS from Caddy's local CA, sticky sessions by
`lb_policy cookie`, active health checks). The sessions are bare websocket clients speaking Streamlit's protocol
(bench/browser.ProtocolSession: no chromium, nothing drawn; 100 headless tabs would measure the browsers on
this machine, not the server). Each session does what a visitor's browser does through the proxy: a GET of the
app's page (Caddy picks a replica and names it in its cookie), then the websocket with that cookie; it opens
the app (Ringkasan) and goes round the public pages by the page switches a sidebar click sends, pausing a think
time after each view (uniform 0.5x..1.5x KLA_BENCH_REPLICA_THINK_S, so sessions drift apart). A view is timed
from the switch until the server's "script finished" message. Before the timed window every replica is warmed
(one session pinned to it by its cookie goes round the pages twice), and all sessions are opened (untimed, two
at a time).

Figures per cell (replicas_r{N}_s{S}_*): views_per_s (finished views over the window), p50_s, p95_s, max_s,
views, errors (a Streamlit exception, a timeout, a dropped websocket), server_cores (all replicas, CPU from
/proc), server_cpu_s_per_view, proxy_cores (caddy), client_cores (this process: the sessions), other_cores
(the rest of the machine: other people's work), rss_mb (the largest replica's peak RSS, VmHWM),
rss_idle_mb (a replica's RSS after warm-up, before the sessions), sessions_min/max (sessions per replica:
Debian's Caddy 2.6 places a new visitor at random, so replicas are not evenly filled).

Knobs: KLA_BENCH_REPLICAS ("1,2,4"), KLA_BENCH_REPLICA_SESSIONS ("30,100"), KLA_BENCH_REPLICA_S (timed
seconds per cell, 60), KLA_BENCH_REPLICA_THINK_S (1), KLA_BENCH_NAV_TIMEOUT_S (60).

    python -m bench --scale city replicas      (make bench-replicas; figures into bench/RESULTS.md and .json)
    python -m bench.replicas                   (alone, prints the table)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import random
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.browser import (  # noqa: E402
    OPEN_AT_ONCE,
    PAGES,
    ProtocolSession,
    Server,
    _machine_cpu_s,
    _pct,
    _say,
    build_warehouse,
    next_pages,
    streamlit_server,
)
from bench.chromium import free_port  # noqa: E402

CADDYFILE = REPO / "bench" / "replicas.Caddyfile"
LB_COOKIE = "kla_replika"  # the sticky cookie's name in bench/replicas.Caddyfile (and tests/proxy/Caddyfile)
TARGETS: dict[str, float] = {}  # speed is reported, never a target here: the README reads the figures
_TICK = os.sysconf("SC_CLK_TCK")


def _env_list(name: str, default: str) -> list[int]:
    return [int(x) for x in (os.environ.get(name) or default).split(",") if x.strip()]


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def lb_cookie(secret: str, dial: str) -> str:
    """The value Caddy's `lb_policy cookie NAME SECRET` gives the upstream `dial` ("127.0.0.1:PORT"): the hex
    HMAC-SHA256 of the address under the secret (caddy's reverseproxy.hashCookie)."""
    return hmac.new(secret.encode(), dial.encode(), hashlib.sha256).hexdigest()


# --- the proxy --------------------------------------------------------------------------------------------
@dataclass
class Proxy:
    url: str  # https://127.0.0.1:PORT
    root_cert: Path  # Caddy's local CA root: what a client trusts to verify the proxy
    proc: subprocess.Popen
    secret: str
    backends: list[str]

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.root_cert))

    def backend_of(self, cookie: str | None) -> str | None:
        return next((b for b in self.backends if cookie and lb_cookie(self.secret, b) == cookie), None)


@contextlib.contextmanager
def caddy(config: Path, backends: list[str], secret: str | None = None):
    """`caddy run` with a Caddyfile reading KLA_PROXY_PORT, KLA_BACKENDS and KLA_LB_SECRET from its environment;
    its storage (local CA, certificates) in a temporary folder. Yields a Proxy once /_stcore/health answers
    through it over verified TLS."""
    if shutil.which("caddy") is None:
        raise RuntimeError("Debian's caddy is not installed (make proxy-tools, or apt-get install caddy)")
    secret = secret or secrets.token_hex(16)
    last = ""
    for _attempt in range(3):
        work = Path(tempfile.mkdtemp(prefix="kla-caddy-"))
        port = free_port()
        env = {
            **os.environ,
            "KLA_PROXY_PORT": str(port),
            "KLA_BACKENDS": " ".join(backends),
            "KLA_LB_SECRET": secret,
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "HOME": str(work),
        }
        with open(work / "caddy.log", "w") as log:
            proc = subprocess.Popen(
                ["caddy", "run", "--adapter", "caddyfile", "--config", str(config)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        proxy = Proxy(
            f"https://127.0.0.1:{port}",
            work / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt",
            proc,
            secret,
            list(backends),
        )
        deadline, ok = time.time() + 30, False
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(proxy.url + "/_stcore/health", timeout=2, context=proxy.ssl_context()) as r:
                    ok = r.read().decode().strip() == "ok"
                    break
            except (OSError, ssl.SSLError):
                time.sleep(0.2)
        if ok:
            try:
                yield proxy
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                shutil.rmtree(work, ignore_errors=True)
            return
        proc.kill()
        proc.wait()
        last = (work / "caddy.log").read_text(errors="replace")[-3000:]
        shutil.rmtree(work, ignore_errors=True)
    raise RuntimeError(f"caddy did not start:\n{last}")


# --- a session through the proxy --------------------------------------------------------------------------
class ProxiedSession(ProtocolSession):
    """ProtocolSession through the proxy, as a browser: a GET of the app's page first (Caddy's sticky cookie),
    then the websocket with that cookie; the cookie is kept across reconnects as a browser keeps it.
    `cookie` presets it (a session pinned to one replica)."""

    def __init__(self, proxy: Proxy, timeout_s: float, cookie: str | None = None) -> None:
        super().__init__(proxy.url, timeout_s)
        self.proxy, self.cookie = proxy, cookie
        self.ssl = proxy.ssl_context()

    def _get_page(self) -> str | None:
        req = urllib.request.Request(
            self.base + "/", headers={"Cookie": f"{LB_COOKIE}={self.cookie}"} if self.cookie else {}
        )
        with urllib.request.urlopen(req, timeout=self.timeout_s, context=self.ssl) as r:
            r.read()
            for header in r.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                if name.strip() == LB_COOKIE:
                    return rest.split(";", 1)[0]
        return self.cookie

    async def _connect(self) -> None:
        import websockets

        self.cookie = await asyncio.to_thread(self._get_page)
        self.ws = await websockets.connect(
            self.base.replace("https://", "wss://", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.base,
            max_size=None,
            open_timeout=self.timeout_s,
            ssl=self.ssl,
            additional_headers={"Cookie": f"{LB_COOKIE}={self.cookie}"} if self.cookie else None,
        )
        self.cache.clear()
        self.runs = 0

    @property
    def backend(self) -> str | None:
        return self.proxy.backend_of(self.cookie)


# --- /proc ------------------------------------------------------------------------------------------------
def _tree_cpu(roots: list[int]) -> dict[int, float]:
    """CPU seconds so far of each root's process tree."""
    procs: dict[int, tuple[int, float]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                f = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            procs[int(d.name)] = (int(f[1]), (int(f[11]) + int(f[12])) / _TICK)
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    out = {}
    for root in roots:
        seen, todo, total = set(), [root], 0.0
        while todo:
            pid = todo.pop()
            if pid in procs and pid not in seen:
                seen.add(pid)
                total += procs[pid][1]
                todo += kids.get(pid, [])
        out[root] = total
    return out


# --- one cell: N replicas, S sessions ---------------------------------------------------------------------
async def _warm(proxy: Proxy, timeout_s: float) -> list[str]:
    """Each replica's caches filled: a session pinned to it goes round the public pages twice (untimed)."""
    errors: list[str] = []
    for backend in proxy.backends:
        c = ProxiedSession(proxy, timeout_s, cookie=lb_cookie(proxy.secret, backend))
        try:
            errors += (await c.open())[1]
            order = next_pages(PAGES[0])
            for _ in range(2 * len(PAGES)):
                errors += (await c.switch(next(order)))[1]
        finally:
            await c.close()
    return errors


async def _sessions(proxy: Proxy, sessions: int, seconds: float, timeout_s: float, think_s: float):
    """Open every session (untimed, OPEN_AT_ONCE at a time), then switch pages in each for `seconds`.
    Returns (opening errors, [(page, seconds, errors, finished at)], clients, t0, t1)."""
    views: list[tuple[str, float, list[str], float]] = []
    clients = [ProxiedSession(proxy, timeout_s) for _ in range(sessions)]
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_one(c: ProxiedSession) -> list[str]:
        async with gate:
            return (await c.open())[1]

    open_errors = [e for errs in await asyncio.gather(*(open_one(c) for c in clients)) for e in errs]

    async def session(i: int, c: ProxiedSession, deadline: float) -> None:
        rng = random.Random(i)
        order = next_pages(PAGES[0])
        for _ in range(i % (len(PAGES) - 1)):
            next(order)
        await asyncio.sleep(rng.uniform(0, max(think_s, 0.05)))  # not all at once
        while time.time() < deadline:
            name = next(order)
            took, errors = await c.switch(name)
            views.append((name, took, errors, time.time()))
            if think_s > 0:
                await asyncio.sleep(min(think_s * rng.uniform(0.5, 1.5), max(deadline - time.time(), 0)))

    t0 = time.time()
    try:
        await asyncio.gather(*(session(i, c, t0 + seconds) for i, c in enumerate(clients)))
    finally:
        t1 = time.time()
        backends = [c.backend for c in clients]
        for c in clients:
            await c.close()
    return open_errors, views, backends, t0, t1


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_cell(
    proxy: Proxy, servers: list[Server], sessions: int, seconds: float, think_s: float, timeout_s: float
) -> dict[str, float]:
    """One cell of the table: `sessions` sessions through `proxy` for `seconds`."""
    pids = [s.proc.pid for s in servers]
    cpu0, proxy0 = _tree_cpu(pids), _tree_cpu([proxy.proc.pid])
    client0, (busy0, _) = time.process_time(), _machine_cpu_s()
    open_errors, views, backends, t0, t1 = asyncio.run(_sessions(proxy, sessions, seconds, timeout_s, think_s))
    cpu1, proxy1 = _tree_cpu(pids), _tree_cpu([proxy.proc.pid])
    client1, (busy1, _) = time.process_time(), _machine_cpu_s()
    window = max(t1 - t0, 1e-9)
    done = views  # every view started before the deadline, finished (or failed) by t1
    times = [took for _, took, errors, _ in done if not errors]
    errors = [e for *_, errs, _ in done for e in errs] + open_errors
    server_cpu = sum(cpu1[p] - cpu0[p] for p in pids)
    proxy_cpu = proxy1[proxy.proc.pid] - proxy0[proxy.proc.pid]
    client_cpu = client1 - client0
    busy = busy1 - busy0
    per = [backends.count(b) for b in proxy.backends]
    runs = [r for s in servers for r in s.script_runs(t0, t1)]
    for e in sorted(set(errors))[:8]:
        _say(f"    error ({errors.count(e)}x): {e}")
    return {
        "views": len(done),
        "views_per_s": len(done) / window,
        "p50_s": _pct(times, 0.5),
        "p95_s": _pct(times, 0.95),
        "max_s": max(times, default=float("nan")),
        "errors": len(errors),
        "server_cores": server_cpu / window,
        "server_cpu_s_per_view": server_cpu / max(len(done), 1),
        "script_cpu_s_per_view": sum(c for _, _, c, _ in runs) / max(len(done), 1),
        "proxy_cores": proxy_cpu / window,
        "client_cores": client_cpu / window,
        "other_cores": max(busy - server_cpu - proxy_cpu - client_cpu, 0.0) / window,
        "rss_mb": max(_status_mb(p, "VmHWM") for p in pids),
        "sessions_min": min(per),
        "sessions_max": max(per),
    }


def run(data_dir: Path | None = None) -> dict[str, float]:
    """Every cell (replicas x sessions); flat figures replicas_r{N}_s{S}_{name}. Builds a temporary sample
    warehouse when data_dir is None."""
    if data_dir is None:
        with tempfile.TemporaryDirectory(prefix="kla-bench-replicas-") as d:
            build_warehouse(Path(d))
            return run(Path(d))
    counts = _env_list("KLA_BENCH_REPLICAS", "1,2,4")
    session_counts = _env_list("KLA_BENCH_REPLICA_SESSIONS", "30,100")
    seconds = _env_float("KLA_BENCH_REPLICA_S", 60)
    think_s = _env_float("KLA_BENCH_REPLICA_THINK_S", 1)
    timeout_s = _env_float("KLA_BENCH_NAV_TIMEOUT_S", 60)
    out: dict[str, float] = {
        "replicas_think_s": think_s,
        "replicas_window_s": seconds,
        "replicas_machine_cores": float(os.cpu_count() or 0),
    }
    for n in counts:
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(streamlit_server(data_dir)) for _ in range(n)]
            backends = [s.url.removeprefix("http://") for s in servers]
            proxy = stack.enter_context(caddy(CADDYFILE, backends))
            t0 = time.perf_counter()
            warm_errors = asyncio.run(_warm(proxy, timeout_s))
            for e in sorted(set(warm_errors))[:5]:
                _say(f"  warming up: {e}")
            out[f"replicas_r{n}_warm_errors"] = len(warm_errors)
            out[f"replicas_r{n}_rss_idle_mb"] = max(s.status("VmRSS") for s in servers)
            _say(f"replicas: {n} replica(s) behind caddy, warmed in {time.perf_counter() - t0:.0f} s")
            for sessions in session_counts:
                _say(f"  {sessions} sessions, think time {think_s:g} s, {seconds:.0f} s ...")
                cell = measure_cell(proxy, servers, sessions, seconds, think_s, timeout_s)
                _say(
                    f"    {cell['views']:.0f} views, {cell['views_per_s']:.1f} views/s, p50 {cell['p50_s']:.2f} s, "
                    f"p95 {cell['p95_s']:.2f} s, errors {cell['errors']:.0f}; servers {cell['server_cores']:.2f} "
                    f"cores, caddy {cell['proxy_cores']:.2f}, sessions {cell['client_cores']:.2f}, others "
                    f"{cell['other_cores']:.2f}; peak RSS {cell['rss_mb']:.0f} MB; sessions per replica "
                    f"{cell['sessions_min']:.0f}-{cell['sessions_max']:.0f}"
                )
                out.update({f"replicas_r{n}_s{sessions}_{k}": v for k, v in cell.items()})
    return out


# --- the table in bench/RESULTS.md ------------------------------------------------------------------------
COLUMNS = [
    ("views/s", "views_per_s", "{:.1f}"),
    ("p50 s", "p50_s", "{:.2f}"),
    ("p95 s", "p95_s", "{:.2f}"),
    ("errors", "errors", "{:.0f}"),
    ("server cores", "server_cores", "{:.2f}"),
    ("server CPU s/view", "server_cpu_s_per_view", "{:.3f}"),
    ("caddy cores", "proxy_cores", "{:.2f}"),
    ("session clients cores", "client_cores", "{:.2f}"),
    ("others' cores", "other_cores", "{:.2f}"),
    ("peak RSS per replica MB", "rss_mb", "{:.0f}"),
    ("sessions per replica", None, None),
]


def table(figures: dict[str, float]) -> list[str]:
    """The replica figures as one table (replicas x sessions), for bench/RESULTS.md; [] when there are none."""
    cells = sorted(
        {
            (int(k.split("_")[1][1:]), int(k.split("_")[2][1:]))
            for k in figures
            if k.startswith("replicas_r") and k.split("_")[2].startswith("s") and k.split("_")[2][1:].isdigit()
        }
    )
    if not cells:
        return []
    think = figures.get("replicas_think_s")
    window = figures.get("replicas_window_s")
    lines = [
        "",
        f"### Replicas behind Caddy (websocket sessions, think time {think:g} s, {window:.0f} s per row)",
        "",
        "| replicas | sessions | " + " | ".join(c[0] for c in COLUMNS) + " |",
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    for n, s in cells:
        row = [str(n), str(s)]
        for _, key, form in COLUMNS:
            if key is None:
                lo, hi = (
                    figures.get(f"replicas_r{n}_s{s}_sessions_min"),
                    figures.get(f"replicas_r{n}_s{s}_sessions_max"),
                )
                row.append(f"{lo:.0f}-{hi:.0f}" if lo is not None and hi is not None else "")
            else:
                v = figures.get(f"replicas_r{n}_s{s}_{key}")
                row.append(form.format(v) if v is not None else "")
        lines.append("| " + " | ".join(row) + " |")
    idle = [
        f"{n}: {figures[f'replicas_r{n}_rss_idle_mb']:.0f} MB"
        for n, _ in cells
        if f"replicas_r{n}_rss_idle_mb" in figures
    ]
    if idle:
        lines += [
            "",
            "RSS of a warmed replica before the sessions (largest replica): " + ", ".join(dict.fromkeys(idle)) + ".",
        ]
    return lines


def main() -> None:
    results = run()
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
