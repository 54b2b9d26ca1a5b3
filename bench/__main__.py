"""`make bench`: build a warehouse at each scale, measure the ETL and every page, write bench/RESULTS.md.

    python -m bench [--scale city|province|national|all] [SECTION ...]

Scales (bench/generate.py): city = the Kendari sample; province = Sulawesi Tenggara, 17 kab/kota, ~220
kecamatan, ~100,000 cases; national = 514 kab/kota, ~7,300 kecamatan, 1,000,000 cases. The pages run with
KLA_WILAYAH set to the scale's region (city "74.71", province "74", national "").

Sections (all by default; a section that does not apply to a scale is skipped there):
  build     generate the inputs and load them through `python -m etl` (city: `etl sample` + boundaries)
            ("sample" is the old name)
  kasus     load the scale's case register CSV into a fresh warehouse: seconds, rows/s, ratio to DuckDB
            reading the same file into a table (the floor), peak RSS
  xlsx      (city) `python -m etl check kasus` of a 100,000-row xlsx register
  pages     every page's script time in AppTest: cold (first view after a new data version: every cache empty),
            warm (rerun), process (first view in a fresh process, imports included), and the peak RSS
            of a process that serves all pages ("server peak RSS")
  deck      the Presentasi meeting material (PPTX, PDF); needs chromium
  browser   (city) bench/browser.py, when present
  baseline  (national) bench/baseline.py, when present
  replicas  (city) bench/replicas.py: 1, 2 and 4 replicas behind Caddy, 30 and 100 websocket sessions (needs caddy;
            `make bench-replicas`); its figures as one table (replicas x sessions) below the city's

Figures are medians of KLA_BENCH_RUNS runs (3); peak RSS is the maximum. A figure over its target is
marked MISSED, never asserted (speed is not a test). A section that fails is reported with its error and
the others go on. Results of scales not run this time are kept from the previous run (RESULTS.json).

Knobs: KLA_BENCH_RUNS, KLA_BENCH_KASUS_ROWS (city register, 100000), KLA_BENCH_XLSX_ROWS (100000),
KLA_BENCH_PAGES (comma list), KLA_BENCH_WARM_RUNS (reruns per page, 5), KLA_BENCH_PAGES_MODE=shared (all
pages in one process per run: quick, but the first views are not cold), KLA_BENCH_SCALE_FACTOR (shrinks
province/national), KLA_BENCH_OUT (RESULTS.md path), KLA_BENCH_WORKDIR (where warehouses are built; a
temporary folder by default), KLA_BENCH_KEEP=1 (keep it), KLA_BENCH_PAGE_TIMEOUT (1800 s per page process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.generate import (
    DEFAULT_REGION,
    SCALES,
    BuildResult,
    EtlFailed,
    build,
    kasus_csv,
    kasus_xlsx,
    run_etl,
    scale_factor,
    write_scale,
)

REPO = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("KLA_BENCH_RUNS", "3"))
KASUS_ROWS = int(os.environ.get("KLA_BENCH_KASUS_ROWS", "100000"))
XLSX_ROWS = int(os.environ.get("KLA_BENCH_XLSX_ROWS", "100000"))
PAGE_TIMEOUT = float(os.environ.get("KLA_BENCH_PAGE_TIMEOUT", "1800"))
WARM_RUNS = int(os.environ.get("KLA_BENCH_WARM_RUNS", "5"))
PAGES = ("ringkasan", "progres", "peta", "kekerasan", "presentasi")
SECTIONS = ("build", "kasus", "xlsx", "pages", "deck", "browser", "baseline", "replicas")
SCALE_SECTIONS = {
    "city": ("build", "kasus", "xlsx", "pages", "deck", "browser", "replicas"),
    "province": ("build", "kasus", "pages", "deck"),
    "national": ("build", "kasus", "pages", "deck", "baseline"),
}


def targets(scale: str) -> dict[str, float]:
    """Targets on this 2-core machine. Keys ending in per_s or speedup are 'at least', every other one 'at most'."""
    t: dict[str, float] = {"deck_pptx_warm_s": 10.0, "deck_pdf_warm_s": 10.0}  # "Unduh PPTX" with kaleido running
    warm = 0.3 if scale == "city" else 1.5
    for page in PAGES:
        t[f"{page}_warm_s"] = warm  # every rerun of a page
        if scale == "city":
            t[f"{page}_cold_s"] = 2.0  # first view after a new data version (every cache empty)
    if scale == "city":
        t.update(
            {
                "sample_build_s": 30.0,  # make run on a fresh machine must not keep a new user waiting
                "kasus_load_rows_per_s": 5000,  # a year of a province's register loads in seconds
                "load_peak_rss_mb": 1500,  # fits a small office server
                "peta_new_radius_s": 2.0,  # moving the radius slider: coverage and siting recomputed
            }
        )
    if scale == "national":
        t.update(
            {
                "kasus_load_s": 30.0,  # 1,000,000 cases
                "load_vs_read_csv": 4.0,  # at most 4x DuckDB reading the same file
                "load_peak_rss_mb": 1024,
                "server_peak_rss_mb": 1024,
            }
        )
    return t


def log(msg: str) -> None:
    print(msg, flush=True)


def median(xs):
    return statistics.median(xs)


# ---------------------------------------------------------------------------------------------------------------


class Scale:
    """The warehouse and inputs of one scale, built on first need."""

    def __init__(self, name: str, workdir: Path):
        self.name = name
        self.dir = workdir / name
        self.data_dir = self.dir / "data"
        self.inputs = self.dir / "inputs"
        self.built: BuildResult | None = None
        self.build_error: str | None = None
        self.steps = None

    @property
    def region(self) -> str:
        return DEFAULT_REGION[self.name]

    def ensure_inputs(self):
        if self.steps is None:
            self.steps = write_scale(self.name, self.inputs)
        return self.steps

    def ensure_built(self) -> BuildResult:
        if self.built is None and self.build_error is None:
            try:
                if self.data_dir.exists():
                    shutil.rmtree(self.data_dir)
                self.built = build(self.name, self.data_dir, self.inputs, log=log)
                self.steps = [s for s, _, _ in self.built.steps]
            except EtlFailed as exc:
                self.build_error = str(exc)
        if self.build_error:
            raise EtlFailed(f"the {self.name} warehouse could not be built: {self.build_error}")
        return self.built


def bench_build(sc: Scale) -> dict:
    """Generation and load time of the scale's warehouse (city: `etl sample` RUNS times + boundaries)."""
    if sc.name == "city":
        b = sc.ensure_built()
        times, rss = [b.steps[0][1]], [b.steps[0][2]]
        for _ in range(RUNS - 1):
            with tempfile.TemporaryDirectory() as d:
                t, r = run_etl(Path(d), "sample")
                times.append(t)
                rss.append(r)
        out = {"sample_build_s": median(times), "sample_peak_rss_mb": max(rss)}
        if len(b.steps) > 1:
            out["batas_load_s"] = b.steps[1][1]
        return out
    b = sc.ensure_built()
    out = {"generate_s": b.generate_s, "build_s": b.build_s, "build_peak_rss_mb": max(r for _, _, r in b.steps)}
    for step, t, _ in b.steps:
        out[f"load_{step.dataset}_s"] = t
    return out


def read_csv_floor(src: Path, skip: int) -> float:
    """DuckDB reading every column of the file into a table: what a load cannot beat."""
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{src}', delim=';', skip={skip}, header=true, all_varchar=true)"
    )
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def bench_kasus(sc: Scale) -> dict:
    """The scale's case register loaded into a fresh warehouse (province/national: with the regions loaded)."""
    if sc.name == "city":
        src, rows, pre = kasus_csv(sc.dir / f"kasus_{KASUS_ROWS}.csv", KASUS_ROWS), KASUS_ROWS, []
    else:
        steps = sc.ensure_inputs()
        src = next(s for s in steps if s.dataset == "kasus").files[0]
        pre = [s for s in steps if s.dataset == "wilayah"]
        with open(src, encoding="utf-8") as fh:
            rows = sum(1 for _ in fh) - 2
    times, rss, floor = [], [], []
    for i in range(RUNS):
        d = sc.dir / f"kasus_run{i}"
        shutil.rmtree(d, ignore_errors=True)
        for step in pre:
            run_etl(d, *step.argv())
        t, r = run_etl(d, "load", "kasus", str(src))
        times.append(t)
        rss.append(r)
        floor.append(read_csv_floor(src, 1))
        shutil.rmtree(d, ignore_errors=True)
    t, f = median(times), median(floor)
    return {
        "kasus_rows": rows,
        "kasus_load_s": t,
        "kasus_load_rows_per_s": rows / t,
        "duckdb_read_csv_s": f,
        "load_vs_read_csv": t / f,
        "load_peak_rss_mb": max(rss),
    }


def bench_xlsx(sc: Scale) -> dict:
    """`python -m etl check kasus` of a large xlsx register (reading and validating, nothing written)."""
    sc.ensure_built()
    path = sc.dir / f"kasus_{XLSX_ROWS}.xlsx"
    t0 = time.perf_counter()
    kasus_xlsx(path, XLSX_ROWS)
    gen = time.perf_counter() - t0
    times, rss = [], []
    for _ in range(RUNS):
        t, r = run_etl(sc.data_dir, "check", "kasus", str(path))
        times.append(t)
        rss.append(r)
    t = median(times)
    return {
        "xlsx_rows": XLSX_ROWS,
        "xlsx_write_s": gen,
        "xlsx_check_s": t,
        "xlsx_check_rows_per_s": XLSX_ROWS / t,
        "xlsx_check_peak_rss_mb": max(rss),
    }


PAGE_CODE = r"""
import resource, sys, time, statistics
from streamlit.testing.v1 import AppTest
page, n_warm = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
at = AppTest.from_file('app.py', default_timeout=1800).run()
if page != 'ringkasan':
    at.switch_page(f'pages/{page}.py').run()
cold = time.perf_counter() - t0
assert not at.exception, at.exception
warm = []
for _ in range(n_warm):
    t0 = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t0)
assert not at.exception, at.exception
extra = float('nan')
if page == 'peta' and not at.slider(key='peta_radius').disabled:   # no coverage above kab/kota level
    t0 = time.perf_counter(); at.slider(key='peta_radius').set_value(1000).run(); extra = time.perf_counter() - t0
    assert not at.exception, at.exception
# cold: the first view after a new data version in a running server. A new version is a new cache key, so
# every query, figure and connection cache misses: the same as clearing Streamlit's caches here.
import streamlit as st
st.cache_data.clear(); st.cache_resource.clear()
t0 = time.perf_counter(); at.run(); new_version = time.perf_counter() - t0
assert not at.exception, at.exception
print('RESULT', cold, statistics.median(warm), extra, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      new_version)
"""

# One process that serves every page in turn, as one server does: the memory it holds with all pages' caches
# ("server peak RSS"). Its page times are the figures in KLA_BENCH_PAGES_MODE=shared (a quick run): the
# first view of a page there is not cold (the app's shared caches are already filled by earlier pages).
SHARED_CODE = r"""
import resource, sys, time, statistics
from streamlit.testing.v1 import AppTest
n_warm, pages = int(sys.argv[1]), sys.argv[2:]
def why(exc):
    return ' / '.join(' '.join(e.stack_trace[-4:]) or e.message for e in exc)[:1500].replace(chr(10), ' ')
t0 = time.perf_counter()
at = AppTest.from_file('app.py', default_timeout=1800).run()   # the default page is ringkasan
first = time.perf_counter() - t0
for i, page in enumerate(pages):
    t0 = time.perf_counter()
    if not (i == 0 and page == 'ringkasan'):
        at.switch_page(f'pages/{page}.py').run()
    cold = first if i == 0 and page == 'ringkasan' else time.perf_counter() - t0
    if at.exception:
        print('FAILED', page, why(at.exception))
        continue
    warm = []
    for _ in range(n_warm):
        t0 = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t0)
    extra = float('nan')
    if page == 'peta' and not at.exception and not at.slider(key='peta_radius').disabled:
        t0 = time.perf_counter(); at.slider(key='peta_radius').set_value(1000).run(); extra = time.perf_counter() - t0
    if at.exception:
        print('FAILED', page, why(at.exception))
        continue
    print('PAGE', page, cold, statistics.median(warm), extra)
print('RESULT', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _run_code(code: str, args: list[str], sc: Scale, lines: list | None = None) -> list[float]:
    env = {**os.environ, "KLA_DATA_DIR": str(sc.data_dir), "KLA_WILAYAH": sc.region}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=PAGE_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{' '.join(args)}: no result within {PAGE_TIMEOUT:.0f} s") from None
    if lines is not None:
        lines += proc.stdout.splitlines()
        err = [
            x.strip()
            for x in proc.stderr.splitlines()
            if x.strip() and "ScriptRunContext" not in x and "Session state does not function" not in x
        ]
        lines.append("STDERR " + " / ".join(err[-8:]))
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")]
    if not line:
        tail = "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(args)} failed:\n{tail}")
    return list(map(float, line[0].split()[1:]))


def pages_wanted() -> list[str]:
    wanted = [p.strip() for p in os.environ.get("KLA_BENCH_PAGES", "").split(",") if p.strip()]
    return [p for p in PAGES if not wanted or p in wanted]


def bench_pages(sc: Scale, errors: dict) -> dict:
    """Each page's script time in AppTest: cold (fresh process, empty caches) and warm (rerun), with
    KLA_WILAYAH set to the scale's region; then one process serving every page for the server's peak RSS."""
    sc.ensure_built()
    shared = os.environ.get("KLA_BENCH_PAGES_MODE", "fresh") == "shared"
    out, rss = {}, []
    if not shared:
        for page in pages_wanted():
            try:
                runs = [_run_code(PAGE_CODE, [page, str(WARM_RUNS)], sc) for _ in range(RUNS)]
            except RuntimeError as exc:
                errors[f"pages/{page}"] = str(exc)
                continue
            out[f"{page}_process_s"] = median(r[0] for r in runs)  # fresh process: imports and frame too
            out[f"{page}_cold_s"] = median(r[4] for r in runs)  # first view after a new data version
            out[f"{page}_warm_s"] = median(r[1] for r in runs)
            if page == "peta" and not any(r[2] != r[2] for r in runs):
                out["peta_new_radius_s"] = median(r[2] for r in runs)
            rss += [r[3] for r in runs]
    per_page: dict[str, list] = {}
    for _ in range(RUNS if shared else 1):
        lines = []
        try:
            rss += _run_code(SHARED_CODE, [str(WARM_RUNS), *pages_wanted()], sc, lines)
        except RuntimeError as exc:
            errors["pages/server"] = str(exc)
        stderr = next((x[7:] for x in lines if x.startswith("STDERR ")), "")
        for line in lines:
            if line.startswith("PAGE "):
                _, page, *vals = line.split()
                per_page.setdefault(page, []).append(list(map(float, vals)))
            elif line.startswith("FAILED "):
                _, page, msg = line.split(" ", 2)
                errors[f"pages/{page}" if shared else f"pages/server/{page}"] = f"{msg} [stderr: {stderr[-1200:]}]"
    if shared:
        for page, runs in per_page.items():
            out[f"{page}_cold_s"] = median(r[0] for r in runs)
            out[f"{page}_warm_s"] = median(r[1] for r in runs)
            if page == "peta" and not any(r[2] != r[2] for r in runs):
                out["peta_new_radius_s"] = median(r[2] for r in runs)
    if rss:
        out["server_peak_rss_mb"] = max(rss)
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


def bench_deck(sc: Scale) -> dict:
    """The meeting material: first PPTX (starts chromium), then warm PPTX and PDF."""
    if not shutil.which("chromium"):
        return {}
    sc.ensure_built()
    runs = [_run_code(DECK_CODE, [], sc) for _ in range(RUNS)]
    cold, pptx, pdf = (median(r[i] for r in runs) for i in range(3))
    return {"deck_pptx_cold_s": cold, "deck_pptx_warm_s": pptx, "deck_pdf_warm_s": pdf}


def optional_module(name: str):
    """bench/browser.py and bench/baseline.py are written separately: used when present."""
    if not (REPO / "bench" / f"{name}.py").exists():
        return None
    return importlib.import_module(f"bench.{name}")


def bench_optional(name: str, sc: Scale, scale_targets: dict) -> dict:
    mod = optional_module(name)
    if mod is None:
        return {}
    sc.ensure_built()
    scale_targets.update(getattr(mod, "TARGETS", {}) or {})
    before = os.environ.get("KLA_WILAYAH")
    os.environ["KLA_WILAYAH"] = sc.region  # the app it starts serves the scale's region
    try:
        got = mod.run(data_dir=sc.data_dir) or {}
    finally:
        if before is None:
            os.environ.pop("KLA_WILAYAH", None)
        else:
            os.environ["KLA_WILAYAH"] = before
    return {k: float(v) for k, v in got.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


# ---------------------------------------------------------------------------------------------------------------


def run_scale(name: str, sections: list[str], workdir: Path) -> dict:
    sc = Scale(name, workdir)
    figures, errors, tgt = {}, {}, targets(name)
    started, load_start = time.perf_counter(), os.getloadavg()[0]
    for section in sections:
        if section not in SCALE_SECTIONS[name]:
            continue
        log(f"bench {name} {section} ...")
        t0 = time.perf_counter()
        try:
            if section == "build":
                got = bench_build(sc)
            elif section == "kasus":
                got = bench_kasus(sc)
            elif section == "xlsx":
                got = bench_xlsx(sc)
            elif section == "pages":
                got = bench_pages(sc, errors)
            elif section == "deck":
                got = bench_deck(sc)
            else:
                got = bench_optional(section, sc, tgt)
        except Exception as exc:  # one failing section must not lose the others' figures
            errors[section] = (
                str(exc)
                if isinstance(exc, (EtlFailed, RuntimeError))
                else "".join(traceback.format_exception(exc))[-2000:]
            )
            log(f"  FAILED: {errors[section].splitlines()[0] if errors[section] else exc!r}")
            continue
        figures.update(got)
        for k, v in got.items():
            log(f"  {k} = {fmt_value(v)}")
        log(f"  ({time.perf_counter() - t0:.0f} s)")
    return {
        "date": f"{dt.datetime.now():%Y-%m-%d %H:%M}",
        "runs": RUNS,
        "scale_factor": scale_factor(),
        "region": DEFAULT_REGION[name],
        "seconds": round(time.perf_counter() - started),
        "load_average": [round(load_start, 1), round(os.getloadavg()[0], 1)],
        "figures": figures,
        "targets": {k: v for k, v in tgt.items()},
        "errors": errors,
    }


def verdict(key: str, value: float, target: float | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    better_high = key.endswith(("per_s", "speedup"))
    ok = value >= target if better_high else value <= target
    return f"{'≥' if better_high else '≤'} {target:g}", "OK" if ok else "**MISSED**"


def fmt_value(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3f}"


def render(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}",
        "- figures are medians of the runs; peak RSS is the maximum; a figure over its target is marked "
        "MISSED, never asserted",
        "- `python -m bench --scale city|province|national|all [sections]`; inputs by bench/generate.py",
        "",
    ]
    for name in SCALES:
        r = results.get(name)
        if not r:
            continue
        region = r["region"] or "nasional"
        lines += [
            f"## {name} (KLA_WILAYAH={r['region']!r}, {region})",
            "",
            f"- date: {r['date']}; runs per figure: {r['runs']}; took {r['seconds']} s"
            + (
                f"; machine load average (1 min) {r['load_average'][0]:g} at start, {r['load_average'][1]:g} at "
                f"end ({os.cpu_count()} cores: above that, other work competed)"
                if r.get("load_average")
                else ""
            )
            + (f"; KLA_BENCH_SCALE_FACTOR={r['scale_factor']:g}" if r["scale_factor"] != 1 else ""),
            *([f"- {r['kept']}"] if r.get("kept") else []),
            "",
            "| figure | median | target | OK/MISSED |",
            "|---|---|---|---|",
        ]
        replicas = optional_module("replicas")  # its figures as their own table (replicas x sessions) below
        for k, v in r["figures"].items():
            if replicas is not None and k.startswith("replicas_"):
                continue
            target, ok = verdict(k, v, r["targets"].get(k))
            lines.append(f"| {k} | {fmt_value(v)} | {target} | {ok} |")
        if replicas is not None:
            lines += replicas.table(r["figures"])
        if r["errors"]:
            lines += ["", "Failed:", ""]
            for section, msg in r["errors"].items():
                first = msg.strip().splitlines()
                lines.append(f"- {section}: " + (" / ".join(x.strip() for x in first[-6:]) if first else "?"))
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--scale", default="all", choices=[*SCALES, "all"])
    p.add_argument("sections", nargs="*", metavar="SECTION", help=", ".join(SECTIONS) + " (default: all)")
    args = p.parse_args(argv)
    sections = ["build" if s == "sample" else s for s in (args.sections or SECTIONS)]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s): {', '.join(unknown)}; one of {', '.join(SECTIONS)}")
    scales = list(SCALES) if args.scale == "all" else [args.scale]

    out = Path(os.environ.get("KLA_BENCH_OUT") or REPO / "bench" / "RESULTS.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    store = out.with_suffix(".json")
    try:
        results = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}
    except ValueError:
        results = {}
    base = os.environ.get("KLA_BENCH_WORKDIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kla-bench-", dir=base))
    try:
        for name in scales:
            new = run_scale(name, sections, workdir)
            old = results.get(name) or {}
            kept = {k: v for k, v in old.get("figures", {}).items() if k not in new["figures"]}
            if kept and args.sections:  # a partial rerun keeps the other sections' figures, and says so
                new["figures"].update(kept)
                new["targets"] = {**old.get("targets", {}), **new["targets"]}
                new["kept"] = f"{len(kept)} figures of sections not rerun are from {old.get('date')}"
            results[name] = new
            store.write_text(json.dumps(results, indent=1), encoding="utf-8")
            out.write_text(render(results), encoding="utf-8")
    finally:
        if os.environ.get("KLA_BENCH_KEEP") == "1":
            log(f"warehouses kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = render(results)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(results[n]["errors"] for n in scales) else 0


if __name__ == "__main__":
    sys.exit(main())
