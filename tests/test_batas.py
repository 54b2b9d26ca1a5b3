"""Boundaries: Kendari's real files as shipped in data/publik/batas, reprojected, zipped, renamed, broken."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon

from etl import loader, warehouse
from etl.problems import Report
from etl.sources import FileInput, LoadContext, batas
from tests.conftest import GEO

KEC, KEL = GEO / "kendari_kecamatan.geojson", GEO / "kendari_kelurahan.geojson"


def parse(*paths: Path):
    report = Report()
    frames = batas.parse([FileInput.from_path(p) for p in paths], LoadContext(user="t", salt=b"x"), report)
    return frames.get("geo_batas"), report


def test_real_kendari_boundaries():
    frame, report = parse(KEC, KEL)
    assert not report.errors, report.to_text()
    assert (frame["level"] == "kecamatan").sum() == 11 and (frame["level"] == "kelurahan").sum() == 64
    total = frame.loc[frame["level"] == "kecamatan", "luas_km2"].sum()
    assert total == pytest.approx(264.68, rel=0.01)
    assert any("Wundumbatu" in w.message for w in report.warnings)
    poasia = frame.set_index("kode").loc["74.71.06.1008"]  # Kel. Poasia lies in Kec. Abeli
    assert poasia["nama"] == "Poasia" and poasia["level"] == "kelurahan"


def test_other_crs_geopackage_is_reprojected(tmp_path):
    gdf = gpd.read_file(KEL).to_crs("EPSG:32751")
    gdf.to_file(tmp_path / "kel.gpkg", driver="GPKG")
    frame, report = parse(tmp_path / "kel.gpkg")
    ref, _ = parse(KEL)
    assert not report.errors
    assert any("diproyeksikan ulang" in n for n in report.notes)
    merged = frame.set_index("kode")["luas_km2"].sort_index()
    assert list(merged.index) == sorted(ref["kode"])
    assert (abs(merged - ref.set_index("kode")["luas_km2"].sort_index()) / merged).max() < 0.001


def test_zipped_shapefile_matched_by_names(tmp_path):
    gdf = gpd.read_file(KEC).drop(columns=["kode_kemendagri"])
    gdf.loc[gdf["kecamatan"] == "Wua-Wua", "kecamatan"] = "Wuawua"
    gdf.loc[gdf["kecamatan"] == "Kadia", "kecamatan"] = "Kec. Kadia"
    (tmp_path / "shp").mkdir()
    gdf.to_file(tmp_path / "shp" / "kecamatan.shp")
    with zipfile.ZipFile(tmp_path / "batas.zip", "w") as zf:
        for p in (tmp_path / "shp").iterdir():
            zf.write(p, f"data/{p.name}")
    frame, report = parse(tmp_path / "batas.zip")
    assert not report.errors, report.to_text()
    assert sorted(frame["kode"]) == [f"74.71.{i:02d}" for i in range(1, 12)]


def square(lon, lat, d=0.01):
    return Polygon([(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d)])


def write(tmp_path, records, crs="EPSG:4326", name="b.geojson"):
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=crs)
    gdf.to_file(tmp_path / name, driver="GeoJSON")
    return tmp_path / name


def test_unknown_name_suggests_and_bowtie_is_repaired(tmp_path):
    bowtie = Polygon([(122.50, -3.99), (122.52, -3.97), (122.52, -3.99), (122.50, -3.97)])
    path = write(
        tmp_path,
        [{"kecamatan": "Mandoga", "geometry": square(122.51, -3.96)}, {"kecamatan": "Kadia", "geometry": bowtie}],
    )
    frame, report = parse(path)
    err = report.errors[0]
    assert "Mandonga" in err.message and err.row == 1 and err.value == "Mandoga"
    assert any("tidak valid" in w.message for w in report.warnings)
    fixed = shapely.from_wkb(frame.set_index("kode").loc["74.71.08", "geom_wkb"])
    assert fixed.is_valid and fixed.area > 0


def test_swapped_coordinates_are_reported(tmp_path):
    swapped = Polygon([(-3.96, 122.51), (-3.95, 122.51), (-3.95, 122.52), (-3.96, 122.52)])
    path = write(tmp_path, [{"kode_kemendagri": "74.71.01", "geometry": swapped}])
    _, report = parse(path)
    assert any("tertukar" in e.message for e in report.errors)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"PK\x03\x04broken-zip" * 5, "rusak"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "tidak dikenali"),
    ],
)
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "batas.geojson"
    path.write_bytes(content)
    _, report = parse(path)
    assert any(expected in e.message for e in report.errors)


def test_loaded_boundaries_round_trip_and_tighten_rbra_check(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KLA_SALT", "s")
    result = loader.load("batas", [KEC, KEL])
    assert result.ok, result.report.to_text()
    con = warehouse.connect_current()
    rows = con.execute(
        "SELECT kode, geom_wkb, geojson FROM geo_batas WHERE level IN ('kecamatan', 'kelurahan')"
    ).fetchall()
    dissolved = con.execute(
        "SELECT kode, level, nama, luas_km2 FROM geo_batas WHERE level IN ('kabkota', 'provinsi') ORDER BY kode"
    ).fetchall()
    kec_area = con.execute("SELECT sum(luas_km2) FROM geo_batas WHERE level = 'kecamatan'").fetchone()[0]
    con.close()
    assert len(rows) == 75
    # the city and province outlines are dissolved from the kecamatan (for province and national views)
    assert [(k, lv) for k, lv, _, _ in dissolved] == [("74", "provinsi"), ("74.71", "kabkota")]
    assert dissolved[1][2] == "Kota Kendari" and dissolved[1][3] == pytest.approx(kec_area)
    import json

    for _kode, wkb, gj in rows:
        assert shapely.from_wkb(bytes(wkb)).is_valid
        assert json.loads(gj)["type"] in ("Polygon", "MultiPolygon")
    # with the city outline loaded, a point in Teluk Kendari (the bay, inside the bounding box) is outside the city
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama RBRA", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status"])
    ws.append(["Taman Teluk", "Kendari", "Kandai", -3.9780, 122.5600, "RBRA"])
    ws.append(["Taman Kandai", "Kendari", "Kandai", -3.9709, 122.5822, "RBRA"])
    wb.save(tmp_path / "rbra.xlsx")
    errors = loader.check("rbra", [tmp_path / "rbra.xlsx"]).report.errors
    assert [e.row for e in errors] == [2]
