"""batas: kecamatan and kelurahan boundaries (GeoJSON, GeoPackage or zipped Shapefile).

Reprojected to WGS84, matched to Kemendagri codes (by a code property, else by names in the load's
kab/kota), invalid polygons repaired with a warning; areas in each area's UTM zone (Kendari: 51S,
EPSG:32751); a simplified GeoJSON copy for maps. The kab/kota and province outlines are dissolved
from the kecamatan, so a province or national view can draw its kab/kota.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

from etl.names import kabkota_of, normalise_code
from etl.problems import Report
from etl.sources import FileInput, LoadContext

NAME = "batas"
TITLE = "Batas wilayah (kecamatan/kelurahan)"
TABLES = ("geo_batas",)

CODE_PROPS = ("kode_kemendagri", "kode", "kd_kel", "kode_kel", "kode_kec", "kd_kec", "kdepum", "kdcpum", "id")
KEC_PROPS = ("kecamatan", "nama_kec", "wadmkc", "nm_kec", "kec")
KEL_PROPS = ("kelurahan", "nama_kel", "desa", "wadmkd", "nm_kel", "namobj", "nama", "name", "kel")
INDONESIA = (94.0, -11.5, 141.5, 6.5)  # lon_min, lat_min, lon_max, lat_max: any area of the country
AREA_MARGIN_DEG = 0.3  # a polygon's centre may lie this far outside the box of its kab/kota's reference points
SIMPLIFY_DEG = 0.0001  # ~11 m: invisible at city scale, a much smaller payload for the browser
# kab/kota and province outlines are drawn at province and national scale: ~200 m and ~1 km are invisible there
DISSOLVE_SIMPLIFY_DEG = {"kabkota": 0.002, "provinsi": 0.01}


def utm_epsg(lon: float, lat: float) -> int:
    """The UTM zone of a point (areas in metres); Kendari is in zone 51S, EPSG:32751."""
    zone = int((lon + 180) // 6) + 1
    return (32700 if lat < 0 else 32600) + min(max(zone, 1), 60)


def _frames(ctx: LoadContext) -> dict[str, tuple[str, tuple]]:
    """kab/kota -> (name, box) where its polygons may lie: the box of its reference points + margin (one pass)."""
    boxes: dict[str, list[float]] = {}
    for k, r in ctx.regions.by_code.items():
        if "." not in k or r.lat != r.lat or r.lon != r.lon:
            continue
        b = boxes.setdefault(kabkota_of(k), [r.lon, r.lat, r.lon, r.lat])
        b[0], b[1], b[2], b[3] = min(b[0], r.lon), min(b[1], r.lat), max(b[2], r.lon), max(b[3], r.lat)
    m = AREA_MARGIN_DEG
    return {kk: (ctx.regions.name(kk), (b[0] - m, b[1] - m, b[2] + m, b[3] + m)) for kk, b in boxes.items()}


def _kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(64)
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"SQLite format 3"):
        return "gpkg"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "geojson"
    return None


def _read(f: FileInput, report: Report, workdir: Path):
    import geopandas as gpd

    from etl import precheck, sandbox
    from etl.problems import InputError

    sandbox.reading(f.display_name)
    kind = _kind(f.path)
    if kind is None:
        report.error(
            "Berkas batas wilayah tidak dikenali. Yang diharapkan GeoJSON (.geojson), GeoPackage (.gpkg) "
            "atau Shapefile dalam zip (.shp, .shx, .dbf, .prj).",
            file=f.display_name,
        )
        return None
    source = f.path
    if kind == "zip":
        try:
            with zipfile.ZipFile(f.path) as zf:
                precheck.archive(zf, f.display_name)  # a zip bomb is never unzipped to disk
                zf.extractall(workdir)
        except (zipfile.BadZipFile, OSError, EOFError):
            report.error("Arsip zip rusak atau tidak dapat dibuka.", file=f.display_name)
            return None
        except InputError as exc:
            report.problems.append(exc.as_problem())
            return None
        shps = sorted(workdir.rglob("*.shp"))
        if not shps:
            report.error("Zip ini tidak berisi Shapefile (.shp).", file=f.display_name)
            return None
        source = shps[0]
    try:
        return gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio/GDAL raise many types for damaged files
        report.error(
            f"Berkas batas wilayah tidak dapat dibaca ({type(exc).__name__}: {str(exc)[:150]}).", file=f.display_name
        )
        return None


def _looks_like_degrees(gdf) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    lon_min, lat_min, lon_max, lat_max = INDONESIA
    return lon_min <= minx and maxx <= lon_max and lat_min <= miny and maxy <= lat_max


def _to_wgs84(gdf, f: FileInput, report: Report):
    if gdf.crs is None:
        if _looks_like_degrees(gdf):
            report.warning(
                "Berkas tidak menyebut sistem koordinat (CRS); dianggap WGS84 karena koordinatnya berupa "
                "derajat di wilayah Indonesia.",
                file=f.display_name,
            )
            return gdf.set_crs("EPSG:4326")
        report.error(
            "Berkas tidak menyebut sistem koordinat (CRS) dan koordinatnya tidak berbentuk derajat di "
            "wilayah Indonesia. Sertakan berkas .prj atau simpan ulang sebagai GeoJSON WGS84.",
            file=f.display_name,
        )
        return None
    if gdf.crs.to_epsg() != 4326 and not gdf.crs.equals("OGC:CRS84"):
        report.notes.append(f"Batas wilayah {f.display_name} diproyeksikan ulang dari {gdf.crs.to_string()} ke WGS84.")
        return gdf.to_crs("EPSG:4326")
    return gdf


def _prop(columns, names) -> str | None:
    lower = {c.lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _match(gdf, f: FileInput, ctx: LoadContext, report: Report) -> list[tuple[int, str]]:
    """(feature index, code) of every feature that resolves to a known region; errors for the rest."""
    code_col = _prop(gdf.columns, CODE_PROPS)
    kec_col, kel_col = _prop(gdf.columns, KEC_PROPS), _prop(gdf.columns, KEL_PROPS)
    if code_col and gdf[code_col].map(normalise_code).notna().mean() < 0.5:
        code_col = None
    out = []
    for i, row in enumerate(gdf.itertuples(index=False)):
        rec = row._asdict()
        where = {"file": f.display_name, "row": i + 1}
        if code_col:
            code = normalise_code(rec[code_col])
            level = ctx.regions.by_code[code].level if code in ctx.regions.by_code else None
            if level not in ("kecamatan", "kelurahan", "desa"):
                report.error(
                    f"Kode wilayah tidak dikenal di referensi wilayah (fitur ke-{i + 1}). Yang diharapkan kode "
                    "Kemendagri kecamatan atau kelurahan/desa seperti 74.71.01 atau 74.71.01.1005; wilayah "
                    f"di luar {ctx.regions.scope_name} dimuat dulu dengan python -m etl load wilayah BERKAS.",
                    column=code_col,
                    value=rec[code_col],
                    **where,
                )
                continue
            out.append((i, code))
            continue
        if kel_col and rec.get(kel_col) not in (None, ""):
            kec_code = None
            if kec_col and rec.get(kec_col):
                kec = ctx.regions.kecamatan(rec[kec_col])
                if kec.kode is None:
                    report.error(kec.message, column=kec_col, value=rec[kec_col], **where)
                    continue
                kec_code = kec.kode
            kel = ctx.regions.kelurahan(rec[kel_col], kec_code)
            if kel.kode is None:
                report.error(kel.message, column=kel_col, value=rec[kel_col], **where)
                continue
            out.append((i, kel.kode))
        elif kec_col:
            kec = ctx.regions.kecamatan(rec[kec_col])
            if kec.kode is None:
                report.error(kec.message, column=kec_col, value=rec[kec_col], **where)
                continue
            out.append((i, kec.kode))
        else:
            report.error(
                "Fitur tanpa kode maupun nama wilayah. Yang diharapkan properti kode_kemendagri, atau nama "
                "kecamatan/kelurahan.",
                **where,
            )
    return out


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    import shapely

    rows, seen = [], {}
    for f in files:
        with tempfile.TemporaryDirectory() as tmp:
            gdf = _read(f, report, Path(tmp))
        if gdf is None:
            continue
        report.rows_read += len(gdf)
        gdf = _to_wgs84(gdf, f, report)
        if gdf is None:
            continue
        matched = _match(gdf, f, ctx, report)
        frames = _frames(ctx)
        reps = gdf.geometry.representative_point()
        zones = [utm_epsg(p.x, p.y) if p is not None and not p.is_empty else 32751 for p in reps]
        metric = {z: gdf.to_crs(epsg=z) for z in set(zones)}
        for i, code in matched:
            geom = gdf.geometry.iloc[i]
            where = {"file": f.display_name, "row": i + 1, "value": ctx.regions.name(code)}
            if geom is None or geom.is_empty:
                report.error(f"Geometri kosong (fitur ke-{i + 1}).", **where)
                continue
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                report.error(f"Geometri {geom.geom_type}, padahal yang diharapkan poligon (fitur ke-{i + 1}).", **where)
                continue
            c = geom.centroid
            frame_name, (lon_min, lat_min, lon_max, lat_max) = frames.get(kabkota_of(code), ("Indonesia", INDONESIA))
            if not (lon_min <= c.x <= lon_max and lat_min <= c.y <= lat_max):
                report.error(
                    f"Poligon berada jauh di luar {frame_name} (titik tengah {c.y:.4f}, {c.x:.4f}). Berkas "
                    "ini mungkin untuk wilayah lain, atau lintang dan bujurnya tertukar.",
                    **where,
                )
                continue
            area_geom = metric[zones[i]].geometry.iloc[i]
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
                if geom.geom_type == "GeometryCollection":
                    geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
                area_geom = shapely.make_valid(area_geom)
                report.warning(
                    f"Poligon {ctx.regions.name(code)} tidak valid (misalnya garis batas saling "
                    "berpotongan) dan sudah diperbaiki otomatis; periksa hasilnya di peta.",
                    **where,
                )
            if code in seen:
                report.error(f"Wilayah {ctx.regions.name(code)} muncul dua kali (juga fitur ke-{seen[code]}).", **where)
                continue
            seen[code] = i + 1
            level = "kelurahan" if ctx.regions.by_code[code].level == "desa" else ctx.regions.by_code[code].level
            display = shapely.set_precision(geom.simplify(SIMPLIFY_DEG, preserve_topology=True), 1e-6)
            rows.append(
                {
                    "kode": code,
                    "level": level,
                    "nama": ctx.regions.name(code),
                    "luas_km2": round(area_geom.area / 1e6, 4),
                    "geom_wkb": shapely.to_wkb(geom),
                    "geojson": shapely.to_geojson(display),
                }
            )
    frame = pd.DataFrame(rows, columns=["kode", "level", "nama", "luas_km2", "geom_wkb", "geojson"])
    for level in sorted(set(frame["level"])):
        here = set(frame.loc[frame["level"] == level, "kode"])
        covered = {kabkota_of(k) for k in here}  # only the kab/kota this level's file is about
        levels = ("kelurahan", "desa") if level == "kelurahan" else (level,)
        expected = {k for k, r in ctx.regions.by_code.items() if r.level in levels and kabkota_of(k) in covered}
        missing = sorted(expected - here)
        if missing:
            names = ", ".join(f"{ctx.regions.name(k)} ({k})" for k in missing[:20])
            if len(missing) > 20:
                names += f" dan {len(missing) - 20} lainnya"
            report.warning(
                f"Tidak ada poligon untuk {level} berikut: {names}. Peta tetap berjalan; wilayah ini "
                "tampil tanpa batas.",
                file=files[0].display_name,
            )
    if not rows and not report.has_errors:
        report.error(
            f"Tidak ada poligon kecamatan atau kelurahan {ctx.regions.scope_name} di berkas ini.",
            file=files[0].display_name,
        )
    report.rows_rejected = report.rows_read - len(rows)
    return {"geo_batas": frame}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace the boundaries of the levels and kab/kota the files carry; dissolve their kab/kota and provinces."""
    new = frames["geo_batas"].assign(kabkota=lambda f: f["kode"].map(kabkota_of))
    with_kk = new[["level", "kabkota"]].drop_duplicates()
    for level, kk in with_kk.itertuples(index=False):
        con.execute("DELETE FROM geo_batas WHERE level = ? AND starts_with(kode, ?)", [level, kk + "."])
    con.executemany(
        "INSERT INTO geo_batas VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[r.kode, r.level, r.nama, r.luas_km2, bytes(r.geom_wkb), r.geojson, load_id] for r in new.itertuples()],
    )
    if "kecamatan" in set(new["level"]):
        touched = sorted(set(new.loc[new["level"] == "kecamatan", "kabkota"]))
        _dissolve(con, "kabkota", touched, 5, load_id)
        _dissolve(con, "provinsi", sorted({k[:2] for k in touched}), 2, load_id)
    return len(new)


def _dissolve(con, level: str, codes: list[str], width: int, load_id: str) -> None:
    """Outline of each kab/kota (from its kecamatan) or province (from its kab/kota), stored as level `level`."""
    import shapely

    child = "kecamatan" if level == "kabkota" else "kabkota"
    rows = []
    for code in codes:
        parts = con.execute(
            "SELECT geom_wkb, luas_km2 FROM geo_batas WHERE level = ? AND starts_with(kode, ?)", [child, code + "."]
        ).fetchall()
        con.execute("DELETE FROM geo_batas WHERE level = ? AND kode = ?", [level, code])
        if not parts:
            continue
        geom = shapely.union_all([shapely.from_wkb(bytes(p[0])) for p in parts])
        tolerance = DISSOLVE_SIMPLIFY_DEG[level]
        display = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), tolerance / 10)
        name = con.execute("SELECT any_value(nama) FROM dim_wilayah WHERE kode = ?", [code]).fetchone()[0] or code
        rows.append(
            [
                code,
                level,
                name,
                round(sum(p[1] or 0 for p in parts), 4),
                shapely.to_wkb(geom),
                shapely.to_geojson(display),
                load_id,
            ]
        )
    if rows:
        con.executemany("INSERT INTO geo_batas VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
