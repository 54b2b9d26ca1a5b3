"""The replica benchmark (bench/replicas.py) at a tiny scale, so it cannot rot: one replica behind Debian's caddy,
two websocket sessions, a few seconds. Speed is not asserted (the figures are measured by `make bench-replicas`);
what is: the sessions went through the proxy over verified TLS, Caddy's sticky cookie named the replica (the
bench reads it back to count sessions per replica), every page switch finished without an error, every figure
of the cell is there, and bench/RESULTS.md gets the table."""

from __future__ import annotations

import shutil

import pytest

from bench import replicas

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("caddy") is None, reason="Debian's caddy is not installed (make proxy-tools)"),
]

CELL = (
    "views",
    "views_per_s",
    "p50_s",
    "p95_s",
    "max_s",
    "errors",
    "server_cores",
    "server_cpu_s_per_view",
    "script_cpu_s_per_view",
    "proxy_cores",
    "client_cores",
    "other_cores",
    "rss_mb",
    "sessions_min",
    "sessions_max",
)


def test_replica_bench_at_tiny_scale(sample_data_dir, monkeypatch):
    for name, value in {
        "KLA_BENCH_REPLICAS": "1",
        "KLA_BENCH_REPLICA_SESSIONS": "2",
        "KLA_BENCH_REPLICA_S": "4",
        "KLA_BENCH_REPLICA_THINK_S": "0.3",
    }.items():
        monkeypatch.setenv(name, value)
    got = replicas.run(sample_data_dir)
    for key in CELL:
        assert f"replicas_r1_s2_{key}" in got, key
    assert got["replicas_r1_warm_errors"] == 0
    assert got["replicas_r1_s2_errors"] == 0
    assert got["replicas_r1_s2_views"] > 0
    assert got["replicas_r1_s2_p95_s"] >= got["replicas_r1_s2_p50_s"] > 0
    # both sessions carried a cookie naming the one replica: Caddy's HMAC of its address, as lb_cookie computes it
    assert got["replicas_r1_s2_sessions_min"] == got["replicas_r1_s2_sessions_max"] == 2
    assert got["replicas_r1_s2_server_cores"] > 0
    assert got["replicas_r1_rss_idle_mb"] > 50
    assert got["replicas_think_s"] == 0.3

    from bench.__main__ import render

    text = render({"city": {"date": "-", "runs": 1, "scale_factor": 1, "region": "74.71", "seconds": 1,
                            "figures": got, "targets": {}, "errors": {}}})  # fmt: skip
    assert "### Replicas behind Caddy" in text
    row = next(line for line in text.splitlines() if line.startswith("| 1 | 2 |"))
    assert row.count("|") == len(replicas.COLUMNS) + 3 and "| 2-2 |" in row
    assert "| replicas_r1_s2_p95_s |" not in text  # in the table, not again in the list of figures
