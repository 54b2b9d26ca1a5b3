"""The benchmark at a tiny scale, so `make bench` cannot rot (the real figures live in bench/RESULTS.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_bench_runs_at_tiny_scale(tmp_path):
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, "KLA_BENCH_RUNS": "1", "KLA_BENCH_KASUS_ROWS": "2000", "KLA_BENCH_OUT": str(out)}
    proc = subprocess.run([sys.executable, "-m", "bench", "sample", "kasus", "pages"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = out.read_text(encoding="utf-8")
    for figure in ("sample_build_s", "kasus_load_rows_per_s", "ringkasan_warm_s", "peta_new_radius_s",
                   "presentasi_cold_s"):
        assert f"| {figure} |" in text
