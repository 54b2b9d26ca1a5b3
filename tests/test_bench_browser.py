"""The browser benchmark (bench/browser.py) at a tiny scale, so it cannot rot: two sessions for a few seconds.

Speed is not asserted (the real figures are measured by `.venv/bin/python -m bench.browser`); what is: every
figure is there, pages with charts drew some both by sidebar click and by URL, a click ran exactly one script
run on the server (no reload, no new session), the sessions viewed pages by clicks, the websocket-only sessions
switched pages in their one session, and nothing went wrong in chromium (no Streamlit exception, timeout,
console error or request leaving 127.0.0.1).
"""

from __future__ import annotations

import pytest

from bench import browser
from tests.e2e_support import chromium_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]


def test_browser_bench_at_tiny_scale(sample_data_dir, monkeypatch):
    for name, value in {
        "KLA_BENCH_CONCURRENCY_S": "6",
        "KLA_BENCH_SESSIONS": "2",
        "KLA_BENCH_BROWSER_RUNS": "0",
        "KLA_BENCH_COLD_SERVERS": "0",
        "KLA_BENCH_BROWSERS": "1",
        "KLA_BENCH_SERVER_ONLY_S": "3",
        "KLA_BENCH_THINK_S": "0.2",
    }.items():
        monkeypatch.setenv(name, value)
    results = browser.run(sample_data_dir)  # how long it takes is a bench figure, never asserted here
    for figure in browser.TARGETS:
        assert figure in results, figure
    for page in browser.PAGES:
        assert results[f"browser_{page}_charts_s"] > 0  # by sidebar click
        assert results[f"browser_{page}_reload_s"] > 0  # by URL (here the cold load stands for it)
        assert results[f"browser_{page}_cold_s"] > 0
    for page in browser.HAS_CHARTS:
        assert results[f"browser_{page}_charts"] > 0, page
    assert results["browser_peta_charts"] == 1  # the map (bubbles without boundaries, MapLibre all the same)
    assert results["browser_inapp_script_runs_per_view"] == 1  # a click: one run of the page, no session setup
    assert results["browser_inapp_server_cpu_s_per_view"] > 0
    assert results["concurrency_think_s"] == 0.2
    assert results["concurrency_views"] > 0
    assert results["concurrency_p95_s"] >= results["concurrency_p50_s"] > 0
    assert results["browser_errors"] == 0
    assert results["concurrency_errors"] == 0
    assert results["server_peak_rss_mb"] > 50
    assert results["server_only_views"] > 0
    assert results["server_only_errors"] == 0
    assert results["server_only_script_runs_per_view"] == 1  # page switches in one session, not new tabs
