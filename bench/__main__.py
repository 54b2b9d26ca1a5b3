"""`make bench`: measure the ETL and every page's script time, write bench/RESULTS.md.

Figures are medians of several runs on this machine. Targets are stated next to each figure; a
figure over its target is marked, never asserted (speed is not a test).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("KLA_BENCH_RUNS", "3"))
KASUS_ROWS = int(os.environ.get("KLA_BENCH_KASUS_ROWS", "100000"))

TARGETS = {
    "sample_build_s": 30.0,        # make run on a fresh machine must not keep a new user waiting
    "kasus_load_rows_per_s": 5000,  # a year of a province's register loads in seconds
    "load_peak_rss_mb": 1500,      # fits a small office server
}


def timed_etl(data_dir: Path, *args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `python -m etl` process."""
    env = {**os.environ, "KLA_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-c",
           "import resource, runpy, sys; sys.argv=['etl', *sys.argv[1:]];\n"
           "try:\n    runpy.run_module('etl', run_name='__main__')\n"
           "except SystemExit as e:\n"
           "    print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr);"
           " sys.exit(e.code)", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"etl {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    rss = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("RSS_KB")]
    return elapsed, (rss[0] / 1024 if rss else float("nan"))


def bench_sample() -> dict:
    times, rss = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as d:
            t, r = timed_etl(Path(d), "sample")
            times.append(t)
            rss.append(r)
    return {"sample_build_s": statistics.median(times), "sample_peak_rss_mb": max(rss)}


def bench_kasus_load() -> dict:
    import duckdb

    from bench.generate import kasus_csv

    with tempfile.TemporaryDirectory() as d:
        src = kasus_csv(Path(d) / "kasus.csv", KASUS_ROWS)
        times, rss, floor = [], [], []
        for i in range(RUNS):
            t, r = timed_etl(Path(d) / f"data{i}", "load", "kasus", str(src))
            times.append(t)
            rss.append(r)
            t0 = time.perf_counter()
            duckdb.sql(f"SELECT count(*) FROM read_csv('{src}', delim=';', skip=1, header=true)").fetchall()
            floor.append(time.perf_counter() - t0)
    t = statistics.median(times)
    return {"kasus_rows": KASUS_ROWS, "kasus_load_s": t, "kasus_load_rows_per_s": KASUS_ROWS / t,
            "duckdb_read_csv_s": statistics.median(floor), "load_vs_read_csv": t / statistics.median(floor),
            "load_peak_rss_mb": max(rss)}


PAGES = ("ringkasan", "progres", "peta", "kekerasan", "presentasi")
for _page in PAGES:  # targets of the scale issue at city scale (this 2-core machine)
    TARGETS[f"{_page}_cold_s"] = 2.0   # first view of the page in a fresh server process (frame included)
    TARGETS[f"{_page}_warm_s"] = 0.3   # every later rerun
TARGETS["peta_new_radius_s"] = 2.0     # moving the radius slider: coverage and siting recomputed
TARGETS["deck_pptx_warm_s"] = 10.0     # "Unduh PPTX" with kaleido's browser already running
TARGETS["deck_pdf_warm_s"] = 10.0
GEO = REPO.parent / "shared" / "geo"

PAGE_CODE = r"""
import sys, time, statistics
from streamlit.testing.v1 import AppTest
page = sys.argv[1]
t0 = time.perf_counter()
at = AppTest.from_file('app.py', default_timeout=300).run()
if page != 'ringkasan':
    at.switch_page(f'pages/{page}.py').run()
cold = time.perf_counter() - t0
assert not at.exception, at.exception
warm = []
for _ in range(5):
    t0 = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t0)
extra = float('nan')
if page == 'peta':
    t0 = time.perf_counter(); at.slider(key='peta_radius').set_value(1000).run(); extra = time.perf_counter() - t0
    assert not at.exception, at.exception
print('RESULT', cold, statistics.median(warm), extra)
"""


def bench_pages() -> dict:
    """Each page's script time in AppTest: cold (fresh process, empty caches) and warm (rerun).

    The warehouse is the sample plus Kendari's real boundaries when ../shared/geo is beside the repo.
    """
    out = {}
    with tempfile.TemporaryDirectory() as d:
        timed_etl(Path(d), "sample")
        if (GEO / "kendari_kecamatan.geojson").exists():
            timed_etl(Path(d), "load", "batas", str(GEO / "kendari_kecamatan.geojson"),
                      str(GEO / "kendari_kelurahan.geojson"))
        for page in PAGES:
            colds, warms, extras = [], [], []
            for _ in range(RUNS):
                proc = subprocess.run([sys.executable, "-c", PAGE_CODE, page], cwd=REPO, capture_output=True,
                                      text=True, env={**os.environ, "KLA_DATA_DIR": d})
                line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")]
                if not line:
                    raise SystemExit(f"{page} bench failed:\n{proc.stdout}\n{proc.stderr}")
                cold, warm, extra = map(float, line[0].split()[1:])
                colds.append(cold)
                warms.append(warm)
                extras.append(extra)
            out[f"{page}_cold_s"] = statistics.median(colds)
            out[f"{page}_warm_s"] = statistics.median(warms)
            if page == "peta":
                out["peta_new_radius_s"] = statistics.median(extras)
    return out


DECK_CODE = r"""
import time, datetime as dt
from kla import db, export, slides
key = db.current_key()
deck = slides.build(key, db.version_of(key), 2025, "id", True, dt.date(2026, 1, 1))
t0 = time.perf_counter(); export.pptx_bytes(deck, "bench", "bench"); cold = time.perf_counter() - t0
t0 = time.perf_counter(); export.pptx_bytes(deck, "bench", "bench"); pptx = time.perf_counter() - t0
t0 = time.perf_counter(); export.pdf_bytes(deck, "bench", "bench"); pdf = time.perf_counter() - t0
print('RESULT', cold, pptx, pdf)
"""


def bench_deck() -> dict:
    """The meeting material from the sample (+ boundaries): first PPTX (starts chromium), then warm PPTX and PDF."""
    import shutil

    if not shutil.which("chromium"):
        return {}
    with tempfile.TemporaryDirectory() as d:
        timed_etl(Path(d), "sample")
        if (GEO / "kendari_kecamatan.geojson").exists():
            timed_etl(Path(d), "load", "batas", str(GEO / "kendari_kecamatan.geojson"),
                      str(GEO / "kendari_kelurahan.geojson"))
        runs = []
        for _ in range(RUNS):
            proc = subprocess.run([sys.executable, "-c", DECK_CODE], cwd=REPO, capture_output=True, text=True,
                                  env={**os.environ, "KLA_DATA_DIR": d})
            line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")]
            if not line:
                raise SystemExit(f"deck bench failed:\n{proc.stdout}\n{proc.stderr}")
            runs.append(list(map(float, line[0].split()[1:])))
    cold, pptx, pdf = (statistics.median(r[i] for r in runs) for i in range(3))
    return {"deck_pptx_cold_s": cold, "deck_pptx_warm_s": pptx, "deck_pdf_warm_s": pdf}


def fmt(key: str, value: float) -> str:
    target = TARGETS.get(key)
    shown = f"{value:,.0f}" if value >= 100 else f"{value:.3f}"
    if target is None:
        return f"| {key} | {shown} | |"
    better_high = key.endswith("per_s")
    ok = value >= target if better_high else value <= target
    return f"| {key} | {shown} | {'≥' if better_high else '≤'} {target:g} {'' if ok else '**MISSED**'} |"


def main() -> None:
    results = {}
    wanted = sys.argv[1:] or ["sample", "kasus", "pages", "deck"]
    benches = {"sample": bench_sample, "kasus": bench_kasus_load, "pages": bench_pages, "deck": bench_deck}
    for name, fn in ((n, benches[n]) for n in wanted):
        print(f"bench {name} ...", flush=True)
        results.update(fn())
    lines = [
        "# Benchmark results",
        "",
        f"- date: {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}",
        f"- runs per figure: {RUNS} (median; peak RSS is the maximum)",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        *[fmt(k, v) for k, v in results.items()],
        "",
    ]
    out = Path(os.environ.get("KLA_BENCH_OUT") or REPO / "bench" / "RESULTS.md")
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
