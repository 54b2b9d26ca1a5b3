"""Every SQL query of the app, parameterised, cached per data version (`key`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kla.db import query

STANDARDISED_EXCLUDED = ("Belum Terstandar", "Proses Standardisasi")


@st.cache_data(show_spinner=False)
def load_status(key: str) -> pd.DataFrame:
    """The latest load of each dataset: when, whether it is sample data."""
    return query(key, """
        SELECT dataset, max(loaded_at) AS loaded_at, arg_max(is_sample, loaded_at) AS is_sample
        FROM meta_load GROUP BY dataset ORDER BY dataset""")


@st.cache_data(show_spinner=False)
def schema_missing(key: str) -> list[tuple[str, str]]:
    """Tables and columns of this release's schema the version lacks (empty for an up-to-date version)."""
    from etl.warehouse import expected_columns

    have = query(key, "SELECT table_name, column_name FROM information_schema.columns")
    return sorted(set(expected_columns()) - set(zip(have["table_name"], have["column_name"])))


@st.cache_data(show_spinner=False)
def version_created(key: str):
    df = query(key, "SELECT max(created_at) AS created_at FROM meta_version")
    return df["created_at"].iloc[0]


@st.cache_data(show_spinner=False)
def years(key: str) -> list[int]:
    """Years with any data, newest first."""
    df = query(key, """
        SELECT tahun FROM fact_penduduk UNION SELECT tahun FROM fact_nilai_indikator
        UNION SELECT year(bulan_pelaporan) FROM fact_kasus UNION SELECT tahun FROM fact_kasus_rekap ORDER BY 1 DESC""")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def population_years(key: str) -> list[int]:
    df = query(key, "SELECT DISTINCT tahun FROM fact_penduduk ORDER BY 1 DESC")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def kecamatan(key: str) -> pd.DataFrame:
    return query(key, "SELECT kode, nama FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")


@st.cache_data(show_spinner=False)
def children(key: str, year: int, kec: str | None) -> int | None:
    df = query(key, """
        SELECT sum(jumlah_anak) AS n FROM fact_penduduk
        WHERE tahun = ? AND (CAST(? AS VARCHAR) IS NULL OR kode_kecamatan = ?)""", [year, kec, kec])
    n = df["n"].iloc[0]
    return None if pd.isna(n) else int(n)


@st.cache_data(show_spinner=False)
def rbra_counts(key: str, year: int, kec: str | None) -> tuple[int, int]:
    """(RBRA recorded up to the year, of which standardised)."""
    df = query(key, """
        SELECT count(*) AS total, count(*) FILTER (WHERE status NOT IN (?, ?)) AS standar FROM fact_rbra
        WHERE (tahun IS NULL OR tahun <= ?) AND (CAST(? AS VARCHAR) IS NULL OR kode_kecamatan = ?)""",
                [*STANDARDISED_EXCLUDED, year, kec, kec])
    return int(df["total"].iloc[0]), int(df["standar"].iloc[0])


@st.cache_data(show_spinner=False)
def kla_scores(key: str) -> pd.DataFrame:
    """Total KLA score per evaluation year (sum of the indicators' nilai)."""
    return query(key, """
        SELECT tahun, sum(nilai) AS nilai, count(*) AS indikator FROM fact_nilai_indikator
        GROUP BY tahun ORDER BY tahun""")


@st.cache_data(show_spinner=False)
def category_bands(key: str) -> pd.DataFrame:
    return query(key, "SELECT kategori, skor_min, skor_max, urut FROM ref_kategori ORDER BY urut")


# --- Kekerasan terhadap anak ------------------------------------------------------------------
# A filtered set of cases: date basis (bulan_pelaporan or bulan_kejadian), year range, kecamatan,
# forms of violence. Dimensions are picked from this allowlist, never formatted from user input.
CASE_DIMENSIONS = {
    "tahun": "CAST(year(k.bulan) AS INTEGER)",
    "bulan": "CAST(month(k.bulan) AS INTEGER)",
    "kecamatan": "k.kode_kecamatan",
    "kelompok_umur": "k.kelompok_umur",
    "jenis_kelamin": "k.jenis_kelamin",
    "tempat_kejadian": "coalesce(k.tempat_kejadian, 'Tidak diketahui')",
    "hubungan_pelaku": "coalesce(k.hubungan_pelaku, 'Tidak diketahui')",
    "disabilitas": "coalesce(k.disabilitas, 'Tidak diketahui')",
}
MULTI_DIMENSIONS = {  # several values per case: counts add up to more than the cases
    "bentuk": ("JOIN fact_kasus_bentuk b USING (kasus_id)", "b.bentuk"),
    "layanan": ("CROSS JOIN unnest(string_split(coalesce(k.layanan, 'Tidak diketahui'), '; ')) AS l(layanan)",
                "l.layanan"),
}
BASIS = {"pelaporan": "bulan_pelaporan", "kejadian": "bulan_kejadian"}


def _case_filter(basis: str, kec: str | None, bentuk: tuple[str, ...] | None) -> tuple[str, list]:
    column = BASIS[basis]
    sql = f"""
        WITH k AS (
            SELECT *, {column} AS bulan FROM fact_kasus
            WHERE (CAST(? AS VARCHAR) IS NULL OR kode_kecamatan = ?)
              AND (CAST(? AS VARCHAR[]) IS NULL OR kasus_id IN (
                   SELECT kasus_id FROM fact_kasus_bentuk WHERE list_contains(CAST(? AS VARCHAR[]), bentuk)))
              AND year({column}) BETWEEN ? AND ?
        )"""
    blist = list(bentuk) if bentuk else None
    return sql, [kec, kec, blist, blist]


@st.cache_data(show_spinner=False)
def case_years(key: str, basis: str = "pelaporan") -> list[int]:
    df = query(key, f"SELECT DISTINCT CAST(year({BASIS[basis]}) AS INTEGER) AS tahun FROM fact_kasus ORDER BY 1")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def case_counts(key: str, dims: tuple[str, ...], basis: str, y0: int, y1: int, kec: str | None = None,
                bentuk: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Number of cases (or of forms/services for the multi-valued dimensions) grouped by `dims`."""
    head, params = _case_filter(basis, kec, bentuk)
    joins, cols = [], []
    for d in dims:
        if d in MULTI_DIMENSIONS:
            join, expr = MULTI_DIMENSIONS[d]
            joins.append(join)
        else:
            expr = CASE_DIMENSIONS[d]
        cols.append(f"{expr} AS {d}")
    select = ", ".join(cols) + ", " if cols else ""
    group = "GROUP BY ALL ORDER BY ALL" if cols else ""
    sql = f"{head} SELECT {select}count(*) AS n FROM k {' '.join(joins)} {group}"
    return query(key, sql, [*params, y0, y1])


@st.cache_data(show_spinner=False)
def children_by_kecamatan(key: str, year: int) -> pd.DataFrame:
    return query(key, """
        SELECT kode_kecamatan AS kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk
        WHERE tahun = ? GROUP BY 1 ORDER BY 1""", [year])


@st.cache_data(show_spinner=False)
def form_list(key: str) -> list[str]:
    df = query(key, "SELECT DISTINCT bentuk FROM fact_kasus_bentuk ORDER BY 1")
    return df["bentuk"].tolist()


# --- Progres klaster ----------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def indicator_years(key: str) -> list[int]:
    df = query(key, "SELECT DISTINCT tahun FROM fact_nilai_indikator ORDER BY 1")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def indicators(key: str, year: int) -> pd.DataFrame:
    """The 24 indicators of the catalog with the year's nilai (NULL when not assessed)."""
    return query(key, """
        SELECT r.nomor, r.nama, r.kelompok, r.kelompok_urut, r.nilai_maks, f.nilai, f.target,
               coalesce(f.opd_pengampu, r.opd_pengampu) AS opd, f.status_bukti, f.catatan
        FROM ref_indikator r LEFT JOIN fact_nilai_indikator f ON f.nomor = r.nomor AND f.tahun = ?
        ORDER BY r.nomor""", [year])


@st.cache_data(show_spinner=False)
def group_scores(key: str) -> pd.DataFrame:
    """Score per year and group (Kelembagaan, Klaster I-V) with the group's maximum."""
    return query(key, """
        SELECT f.tahun, r.kelompok, r.kelompok_urut, sum(f.nilai) AS nilai,
               (SELECT sum(nilai_maks) FROM ref_indikator m WHERE m.kelompok = r.kelompok) AS maks
        FROM fact_nilai_indikator f JOIN ref_indikator r USING (nomor)
        GROUP BY ALL ORDER BY f.tahun, r.kelompok_urut""")


@st.cache_data(show_spinner=False)
def followups(key: str) -> pd.DataFrame:
    return query(key, """
        SELECT t.tindak_lanjut_id AS id, t.tanggal_rapat, t.tugas, t.nomor, t.opd, t.tenggat, t.status,
               t.catatan, m.user_name AS diubah_oleh, m.loaded_at AS diubah_pada
        FROM fact_tindak_lanjut t LEFT JOIN meta_load m ON m.load_id = t.load_id
        ORDER BY t.tenggat, t.tanggal_rapat, t.tugas""")


@st.cache_data(show_spinner=False)
def kecamatan_ratings(key: str) -> pd.DataFrame:
    return query(key, """
        SELECT k.tahun, k.kode_kecamatan, w.nama, k.nilai, k.kategori, k.catatan
        FROM fact_kla_kecamatan k JOIN dim_wilayah w ON w.kode = k.kode_kecamatan
        ORDER BY k.tahun, k.kode_kecamatan""")


# --- Peta ----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def boundaries(key: str, level: str) -> pd.DataFrame:
    """Boundaries of one level: kode, nama, kode_kecamatan, luas_km2, display GeoJSON, full WKB."""
    return query(key, """
        SELECT g.kode, g.nama, CASE WHEN g.level = 'kecamatan' THEN g.kode ELSE w.kode_induk END AS kode_kecamatan,
               g.luas_km2, g.geojson, g.geom_wkb
        FROM geo_batas g LEFT JOIN dim_wilayah w ON w.kode = g.kode
        WHERE g.level = ? ORDER BY g.kode""", [level])


@st.cache_data(show_spinner=False)
def regions(key: str, level: str) -> pd.DataFrame:
    """Reference regions of a level with their approximate points (the map without boundaries)."""
    return query(key, """
        SELECT kode, nama, CASE WHEN level = 'kecamatan' THEN kode ELSE kode_induk END AS kode_kecamatan, lat, lon
        FROM dim_wilayah WHERE level = ? ORDER BY kode""", [level])


@st.cache_data(show_spinner=False)
def rbra_points(key: str, year: int) -> pd.DataFrame:
    """RBRA recorded up to the year (no year counts as existing), with kelurahan and kecamatan names."""
    return query(key, """
        SELECT r.rbra_id, r.nama, r.kode_kecamatan, r.kode_kelurahan, kc.nama AS kecamatan, kl.nama AS kelurahan,
               r.latitude AS lat, r.longitude AS lon, r.status, r.tahun, r.luas_m2
        FROM fact_rbra r LEFT JOIN dim_wilayah kc ON kc.kode = r.kode_kecamatan
        LEFT JOIN dim_wilayah kl ON kl.kode = r.kode_kelurahan
        WHERE r.tahun IS NULL OR r.tahun <= ? ORDER BY r.kode_kelurahan, r.nama""", [year])


@st.cache_data(show_spinner=False)
def children_by_area(key: str, year: int) -> pd.DataFrame:
    """Children per kelurahan where the source has kelurahan, and per kecamatan otherwise (level says which)."""
    return query(key, """
        SELECT kode_wilayah AS kode, level, kode_kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk
        WHERE tahun = ? GROUP BY ALL ORDER BY 1""", [year])


@st.cache_data(show_spinner=False)
def latest_kecamatan_rating(key: str, year: int) -> pd.DataFrame:
    """Each kecamatan's most recent self-rating up to the year."""
    return query(key, """
        SELECT kode_kecamatan, arg_max(kategori, tahun) AS kategori, max(tahun) AS tahun_penilaian
        FROM fact_kla_kecamatan WHERE tahun <= ? GROUP BY 1""", [year])


# --- Data page ------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def load_history(key: str) -> pd.DataFrame:
    """Every load recorded in this version (each version carries the history before it)."""
    return query(key, """
        SELECT loaded_at, user_name, dataset, file_name, file_sha256, rows_read, rows_loaded, rows_rejected,
               dropped_columns, warnings, version, is_sample
        FROM meta_load ORDER BY loaded_at DESC""")


@st.cache_data(show_spinner=False)
def latest_warnings(key: str) -> pd.DataFrame:
    """The warnings of each dataset's latest load (JUMLAH reconciliation and others)."""
    return query(key, """
        SELECT m.dataset, m.file_name, m.loaded_at, m.warning_text FROM meta_load m
        JOIN (SELECT dataset, max(loaded_at) AS t FROM meta_load GROUP BY 1) l ON l.dataset = m.dataset AND l.t = m.loaded_at
        WHERE m.warnings > 0 ORDER BY m.dataset""")


@st.cache_data(show_spinner=False)
def population_presence(key: str) -> pd.DataFrame:
    return query(key, """
        SELECT tahun, kode_kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk GROUP BY ALL ORDER BY ALL""")


@st.cache_data(show_spinner=False)
def indicator_presence(key: str) -> pd.DataFrame:
    return query(key, "SELECT tahun, count(*) AS indikator FROM fact_nilai_indikator GROUP BY 1 ORDER BY 1")


# --- Rekap kasus (published / office recaps) ------------------------------------------------------
@st.cache_data(show_spinner=False)
def recap_totals(key: str) -> pd.DataFrame:
    """Totals per source, unit, area and period (never merged across sources)."""
    return query(key, """
        SELECT sumber, satuan, kode_wilayah, tahun, periode, periode_awal, periode_akhir, jumlah, catatan
        FROM fact_kasus_rekap WHERE dimensi = 'total' ORDER BY periode_awal, periode_akhir, sumber""")


@st.cache_data(show_spinner=False)
def recap_breakdown(key: str, sumber: str, dimensi: str) -> pd.DataFrame:
    return query(key, """
        SELECT periode, periode_awal, kategori, jumlah, satuan FROM fact_kasus_rekap
        WHERE sumber = ? AND dimensi = ? AND kode_wilayah = '74.71' ORDER BY periode_awal, kategori""",
                 [sumber, dimensi])


@st.cache_data(show_spinner=False)
def recap_dimensions(key: str, sumber: str) -> list[str]:
    df = query(key, "SELECT DISTINCT dimensi FROM fact_kasus_rekap WHERE sumber = ? AND dimensi <> 'total' ORDER BY 1",
               [sumber])
    return df["dimensi"].tolist()


@st.cache_data(show_spinner=False)
def register_months(key: str) -> pd.DataFrame:
    """Register cases per month of report (city), to compare with a recap's period."""
    return query(key, """
        SELECT bulan_pelaporan AS bulan, count(*) AS n FROM fact_kasus GROUP BY 1 ORDER BY 1""")


@st.cache_data(show_spinner=False)
def population_estimated(key: str, year: int) -> bool:
    """True when some of the year's children are an estimate (15-17 as 3/5 of a BPS 15-19 band)."""
    df = query(key, "SELECT bool_or(coalesce(estimasi, false)) AS e FROM fact_penduduk WHERE tahun = ?", [year])
    value = df["e"].iloc[0] if len(df) else None
    return False if value is None or pd.isna(value) else bool(value)
