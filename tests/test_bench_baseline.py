"""The peer baseline (bench/baseline.py) at a tiny scale, so it cannot rot: `python -m bench.baseline` builds a
tiny national-like warehouse, computes every page aggregate both ways (our queries; pandas on whole tables),
finds them equal and reports its figures."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

TINY = {
    "KLA_BENCH_RUNS": "1",
    "KLA_BENCH_SCALE_FACTOR": "0.004",
    "KLA_BENCH_DESA_FACTOR": "0.3",
    "KLA_BENCH_EDGE_POINTS": "2",
}
FIGURES = (
    "baseline_pandas_load_s",
    "baseline_pandas_mem_mb",
    "baseline_pandas_rerun_s",
    "baseline_ours_rerun_s",
    "baseline_speedup",
    "baseline_ours_vs_pandas",
    "ours_warm_rerun_s",
)


def test_baseline_runs_at_tiny_scale(tmp_path):
    out = tmp_path / "baseline.json"
    env = {**os.environ, **TINY, "KLA_BENCH_WORKDIR": str(tmp_path / "work")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.baseline", "--no-profile", "--json", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(out.read_text(encoding="utf-8"))

    # every aggregate of both scopes compared and equal (a difference fails the run before any figure)
    assert r["checked"] >= 40
    assert "aggregates equal" in proc.stdout
    assert set(r["per_scope"]) == {"nasional", "provinsi 74"}
    assert r["rows"]["fact_kasus"] >= 1000 and r["rows"]["fact_kasus_bentuk"] >= r["rows"]["fact_kasus"]

    figures = r["figures"]
    assert list(figures) == list(FIGURES)
    assert all(isinstance(figures[k], float) and math.isfinite(figures[k]) and figures[k] > 0 for k in FIGURES)
    assert math.isclose(figures["baseline_speedup"] * figures["baseline_ours_vs_pandas"], 1.0)
    for k in FIGURES:
        assert f"{k} = " in proc.stdout
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())  # built warehouse removed


def test_baseline_finds_a_difference():
    """The equality check is real: a pandas aggregate off by one case fails the comparison."""
    import pandas as pd

    from bench import baseline

    ours = {
        "nasional": {
            "children": 10,
            "units": pd.DataFrame({"kode": ["74"], "nama": ["Sultra"]}),
            "by_jenis_kelamin": pd.DataFrame({"jenis_kelamin": ["L", "P"], "n": [3, 4]}),
        }
    }
    same = {
        "nasional": {
            "children": 10,
            "units": pd.DataFrame({"kode": ["74"], "nama": ["Sultra"]}),
            "by_jenis_kelamin": pd.DataFrame({"jenis_kelamin": ["P", "L"], "n": [4.0, 3.0]}),
        }
    }
    assert baseline.compare(ours, same) == (3, [])
    off = {
        "nasional": {**same["nasional"], "by_jenis_kelamin": pd.DataFrame({"jenis_kelamin": ["P", "L"], "n": [5, 3]})}
    }
    checked, diffs = baseline.compare(ours, off)
    assert checked == 3 and len(diffs) == 1 and "by_jenis_kelamin" in diffs[0]
