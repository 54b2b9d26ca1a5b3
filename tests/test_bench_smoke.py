"""The benchmark at a tiny scale, so `make bench` cannot rot (the real figures live in bench/RESULTS.md).

One run of `python -m bench --scale all` with every knob turned down: the city sample, and the province and
national generators shrunk by KLA_BENCH_SCALE_FACTOR to a few kab/kota, each built through `python -m etl`
and every page run in AppTest with the scale's KLA_WILAYAH.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys

import pytest

from bench import generate
from tests.conftest import REPO

pytestmark = pytest.mark.slow

TINY = {
    "KLA_BENCH_RUNS": "1",
    "KLA_BENCH_KASUS_ROWS": "2000",
    "KLA_BENCH_XLSX_ROWS": "500",
    "KLA_BENCH_SCALE_FACTOR": "0.004",
    "KLA_BENCH_DESA_FACTOR": "0.3",
    "KLA_BENCH_EDGE_POINTS": "2",
    "KLA_BENCH_PAGES_MODE": "shared",
    "KLA_BENCH_WARM_RUNS": "2",
}


def test_generators_are_deterministic_and_consistent(tmp_path, monkeypatch):
    """Same knobs, same bytes; every kecamatan has one valid polygon holding its points and RBRA."""
    import shapely

    for k, v in TINY.items():
        monkeypatch.setenv(k, v)
    steps = generate.write_scale("national", tmp_path / "a")
    generate.write_scale("national", tmp_path / "b")
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    assert [s.dataset for s in steps] == ["wilayah", "batas", "penduduk", "kasus", "rbra", "indikator", "kla_kecamatan"]

    with open(tmp_path / "a" / "wilayah.csv", encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh, delimiter=";"))
    codes = [r["Kode"] for r in regions]
    assert len(codes) == len(set(codes))
    levels = {r["Level"] for r in regions}
    assert {"provinsi", "kabupaten", "kota", "kecamatan"} <= levels
    assert sum(r["Level"] == "provinsi" for r in regions) >= 2
    assert "74.71.01" in codes and "74.71" in codes  # Kendari's real kecamatan are kept

    with open(tmp_path / "a" / "batas_kecamatan.geojson", encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    shapes = {f["properties"]["kode_kemendagri"]: shapely.from_geojson(json.dumps(f["geometry"])) for f in feats}
    kecamatan = {r["Kode"] for r in regions if r["Level"] == "kecamatan"}
    assert set(shapes) == kecamatan
    synthetic = [g for k, g in shapes.items() if not k.startswith("74.71.")]
    assert all(g.is_valid for g in synthetic)
    union = shapely.union_all(synthetic)
    assert math.isclose(union.area, sum(g.area for g in synthetic), rel_tol=1e-6)  # no overlaps
    lon0, lat0, lon1, lat1 = union.bounds
    assert 94.9 <= lon0 and lon1 <= 141.1 and -11.1 <= lat0 and lat1 <= 6.1
    for r in regions:
        if r["Level"] == "kecamatan":
            assert shapes[r["Kode"]].contains(shapely.Point(float(r["Bujur"]), float(r["Lintang"]))), r["Kode"]

    with open(tmp_path / "a" / "rbra.csv", encoding="utf-8") as fh:
        next(fh)
        for r in csv.DictReader(fh, delimiter=";"):
            point = shapely.Point(float(r["Longitude"]), float(r["Latitude"]))
            assert shapes[r["Kode Kecamatan"]].contains(point), r["Nama RBRA"]
            assert r["Kode Kelurahan"].startswith(r["Kode Kecamatan"] + ".")


def test_bench_runs_at_tiny_scale(tmp_path):
    out = tmp_path / "RESULTS.md"
    env = {**os.environ, **TINY, "KLA_BENCH_OUT": str(out), "KLA_BENCH_WORKDIR": str(tmp_path / "work")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "all", "build", "kasus", "xlsx", "pages"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    for scale in ("city", "province", "national"):
        assert f"## {scale} " in text
    pages = [
        f"{p}_{w}_s" for p in ("ringkasan", "progres", "peta", "kekerasan", "presentasi") for w in ("cold", "warm")
    ]
    expected = {
        # moving the radius needs boundaries: the sample has Kendari's shipped ones (data/publik/batas)
        "city": [
            "sample_build_s",
            "kasus_load_rows_per_s",
            "xlsx_check_s",
            "server_peak_rss_mb",
            *pages,
            *(["peta_new_radius_s"] if generate.has_real_geo() else []),
        ],
        "province": [
            "generate_s",
            "build_s",
            "load_kasus_s",
            "kasus_load_s",
            "load_vs_read_csv",
            "server_peak_rss_mb",
            *pages,
        ],
        "national": [
            "generate_s",
            "build_s",
            "load_wilayah_s",
            "load_batas_s",
            "kasus_load_s",
            "load_vs_read_csv",
            "load_peak_rss_mb",
            "server_peak_rss_mb",
            *pages,
        ],
    }
    for scale, figures in expected.items():
        got = results[scale]
        assert not got["errors"], (scale, got["errors"])
        missing = [f for f in figures if f not in got["figures"]]
        assert not missing, (scale, missing)
        for f in figures:
            assert f"| {f} |" in text
    assert results["national"]["targets"]["kasus_load_s"] == 30.0
    assert "| target | OK/MISSED |" in text
