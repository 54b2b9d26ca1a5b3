"""Every SQL query of the app, parameterised, cached per data version (`key`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import names
from kla import db
from kla.db import query

STANDARDISED_EXCLUDED = ("Belum Terstandar", "Proses Standardisasi")


def _unit_len(area: str | None) -> int:
    """The code length of an area's units (etl.names): kecamatan in a kab/kota, kab/kota in a province,
    provinces in Indonesia; a kecamatan or kelurahan is its own unit."""
    return names.unit_len(area) if names.region_level(area) in (None, "provinsi", "kabkota") else 8


def in_area(column: str) -> str:
    """SQL: `column` (a Kemendagri code) lies in the area whose three parameters `at(area)` gives (None =
    everywhere). The area is any level: a province (74), a kab/kota (74.71), a kecamatan (74.71.01) or a kelurahan.
    No string is built per row: a scan of a million cases stays a plain prefix comparison.
    """
    return f"(CAST(? AS VARCHAR) IS NULL OR {column} = ? OR starts_with({column}, ?))"


def at(area: str | None) -> list:
    """The parameters of in_area()."""
    return [area, area, area + "." if area else None]


# --- Regions ---------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def data_regions(key: str) -> pd.DataFrame:
    """Every kab/kota with data (population, cases, RBRA or KLA scores), with its province."""
    return query(
        key,
        """
        WITH kk AS (
            SELECT DISTINCT left(kode_kecamatan, 5) AS kode FROM fact_penduduk
            UNION SELECT DISTINCT left(kode_kecamatan, 5) FROM fact_kasus
            UNION SELECT DISTINCT left(kode_kecamatan, 5) FROM fact_rbra
            UNION SELECT DISTINCT kode_wilayah FROM fact_nilai_indikator)
        SELECT kk.kode, coalesce(w.nama, kk.kode) AS nama, left(kk.kode, 2) AS provinsi,
               coalesce(p.nama, 'Provinsi ' || left(kk.kode, 2)) AS provinsi_nama
        FROM kk LEFT JOIN dim_wilayah w ON w.kode = kk.kode LEFT JOIN dim_wilayah p ON p.kode = left(kk.kode, 2)
        WHERE kk.kode IS NOT NULL ORDER BY kk.kode""",
    )


@st.cache_data(show_spinner=False)
def region_names(key: str) -> dict[str, str]:
    """Kemendagri code -> name of every region down to kecamatan."""
    df = query(key, "SELECT kode, nama FROM dim_wilayah WHERE level NOT IN ('kelurahan', 'desa')")
    return dict(zip(df["kode"], df["nama"]))


@st.cache_data(show_spinner=False)
def units(key: str, area: str | None) -> pd.DataFrame:
    """The area's units (kecamatan of a kab/kota, kab/kota of a province, provinces), kode and nama."""
    unit_len = names.unit_len(area)
    if unit_len == 8:
        sql = f"SELECT kode, nama FROM dim_wilayah WHERE level = 'kecamatan' AND {in_area('kode')} ORDER BY kode"
        return query(key, sql, [*at(area)])
    regions = data_regions(key)
    col, name = ("kode", "nama") if unit_len == 5 else ("provinsi", "provinsi_nama")
    if area:
        regions = regions[regions["kode"].str.startswith(area + ".")]
    return regions[[col, name]].drop_duplicates().set_axis(["kode", "nama"], axis=1).reset_index(drop=True)


@st.cache_data(show_spinner=False)
def load_status(key: str) -> pd.DataFrame:
    """The latest load of each dataset: when, whether it is sample data."""
    return query(
        key,
        """
        SELECT dataset, max(loaded_at) AS loaded_at, arg_max(is_sample, loaded_at) AS is_sample
        FROM meta_load GROUP BY dataset ORDER BY dataset""",
    )


@st.cache_data(show_spinner=False)
def sample_datasets(key: str) -> dict[str, int]:
    """Per dataset, how many of its rows in this version are synthetic sample data (etl.samples): what the
    "Data contoh" marks follow, whatever was loaded last."""
    from etl import samples

    with db.cursor(key) as cur:
        return samples.sample_rows(cur)


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
    df = query(
        key,
        """
        SELECT tahun FROM fact_penduduk UNION SELECT tahun FROM fact_nilai_indikator
        UNION SELECT year(bulan_pelaporan) FROM fact_kasus UNION SELECT tahun FROM fact_kasus_rekap ORDER BY 1 DESC""",
    )
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def population_years(key: str) -> list[int]:
    df = query(key, "SELECT DISTINCT tahun FROM fact_penduduk ORDER BY 1 DESC")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def kecamatan(key: str, area: str | None = None) -> pd.DataFrame:
    return query(
        key,
        f"SELECT kode, nama FROM dim_wilayah WHERE level = 'kecamatan' AND {in_area('kode')} ORDER BY kode",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def children(key: str, year: int, area: str | None) -> int | None:
    """Children of the year in an area (kecamatan, kab/kota, province; None = everywhere)."""
    df = query(
        key,
        f"""
        SELECT sum(jumlah_anak) AS n FROM fact_penduduk
        WHERE tahun = ? AND {in_area("kode_kecamatan")}""",
        [year, *at(area)],
    )
    n = df["n"].iloc[0]
    return None if pd.isna(n) else int(n)


@st.cache_data(show_spinner=False)
def rbra_counts(key: str, year: int, area: str | None) -> tuple[int, int]:
    """(RBRA recorded up to the year, of which standardised)."""
    df = query(
        key,
        f"""
        SELECT count(*) AS total, count(*) FILTER (WHERE status NOT IN (?, ?)) AS standar FROM fact_rbra
        WHERE (tahun IS NULL OR tahun <= ?) AND {in_area("kode_kecamatan")}""",
        [*STANDARDISED_EXCLUDED, year, *at(area)],
    )
    return int(df["total"].iloc[0]), int(df["standar"].iloc[0])


def _stage_rank(column: str = "tahap") -> str:
    """SQL: the place of a stage in the evaluation's sequence (data/reference/kategori_data.csv tahap_kla, in
    order; a figure whose stage no source names comes before all)."""
    from etl.reference import category_values

    stages = [s for s in category_values("tahap_kla") if s != "tidak_disebut"]
    whens = " ".join(f"WHEN '{s}' THEN {i + 1}" for i, s in enumerate(stages))
    return f"CASE {column} {whens} ELSE 0 END"


def latest_stage_values() -> str:
    """SQL: the indicator values of each kab/kota and year at the latest stage it has (a verified value replaces
    the self-assessment; stages are never added together)."""
    rank = _stage_rank()
    return f"(SELECT * FROM fact_nilai_indikator QUALIFY {rank} = max({rank}) OVER (PARTITION BY kode_wilayah, tahun))"


@st.cache_data(show_spinner=False)
def kla_scores(key: str, area: str | None = None) -> pd.DataFrame:
    """Total KLA score per evaluation year (sum of the indicators' nilai at the year's latest stage, `tahap`) of
    a kab/kota; for a province or Indonesia the mean of its kab/kota totals (`kabkota` says how many)."""
    return query(
        key,
        f"""
        WITH per AS (SELECT kode_wilayah, tahun, any_value(tahap) AS tahap, sum(nilai) AS nilai,
                            count(*) AS indikator
                     FROM {latest_stage_values()} WHERE {in_area("kode_wilayah")} GROUP BY kode_wilayah, tahun)
        SELECT tahun, avg(nilai) AS nilai, min(indikator) AS indikator, count(*) AS kabkota,
               CASE WHEN count(DISTINCT tahap) = 1 THEN any_value(tahap) END AS tahap FROM per
        GROUP BY tahun ORDER BY tahun""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def kabkota_scores(key: str, year: int, area: str | None) -> pd.DataFrame:
    """Each kab/kota's total KLA score of the year, highest first (province and national views)."""
    return query(
        key,
        f"""
        SELECT f.kode_wilayah AS kode, coalesce(w.nama, f.kode_wilayah) AS nama, sum(f.nilai) AS nilai,
               count(*) AS indikator
        FROM {latest_stage_values()} f LEFT JOIN dim_wilayah w ON w.kode = f.kode_wilayah
        WHERE f.tahun = ? AND {in_area("f.kode_wilayah")} GROUP BY ALL ORDER BY nilai DESC, kode""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def category_bands(key: str) -> pd.DataFrame:
    return query(key, "SELECT kategori, skor_min, skor_max, urut FROM ref_kategori ORDER BY urut")


# --- Kekerasan terhadap anak ------------------------------------------------------------------
# A filtered set of cases: date basis (bulan_pelaporan or bulan_kejadian), year range, kecamatan,
# forms of violence. Dimensions are picked from this allowlist, never formatted from user input.
# "kecamatan" is the region's unit: kecamatan in a kab/kota, kab/kota in a province, provinces nationally.
CASE_DIMENSIONS = {
    "tahun": "CAST(year(k.bulan) AS INTEGER)",
    "bulan": "CAST(month(k.bulan) AS INTEGER)",
    "kecamatan": "left(k.kode_kecamatan, {unit_len})",
    "kelompok_umur": "k.kelompok_umur",
    "jenis_kelamin": "k.jenis_kelamin",
    "tempat_kejadian": "coalesce(k.tempat_kejadian, 'Tidak diketahui')",
    "hubungan_pelaku": "coalesce(k.hubungan_pelaku, 'Tidak diketahui')",
    "disabilitas": "coalesce(k.disabilitas, 'Tidak diketahui')",
}
MULTI_DIMENSIONS = {  # several values per case: counts add up to more than the cases
    "bentuk": ("JOIN fact_kasus_bentuk b USING (kasus_id)", "b.bentuk"),
    "layanan": (
        "CROSS JOIN unnest(string_split(coalesce(k.layanan, 'Tidak diketahui'), '; ')) AS l(layanan)",
        "l.layanan",
    ),
}
BASIS = {"pelaporan": "bulan_pelaporan", "kejadian": "bulan_kejadian"}


def _case_filter(basis: str, area: str | None, bentuk: tuple[str, ...] | None) -> tuple[str, list]:
    column = BASIS[basis]
    # the forms clause only when forms are chosen: DuckDB would join the 1.1M form rows even for a NULL list
    forms = (
        ("AND kasus_id IN (SELECT kasus_id FROM fact_kasus_bentuk WHERE list_contains(CAST(? AS VARCHAR[]), bentuk))")
        if bentuk
        else ""
    )
    sql = f"""
        WITH k AS (
            SELECT *, {column} AS bulan FROM fact_kasus
            WHERE {in_area("kode_kecamatan")} {forms}
              AND year({column}) BETWEEN ? AND ?
        )"""
    return sql, [*at(area), *([list(bentuk)] if bentuk else [])]


@st.cache_data(show_spinner=False)
def case_years(key: str, basis: str = "pelaporan") -> list[int]:
    df = query(key, f"SELECT DISTINCT CAST(year({BASIS[basis]}) AS INTEGER) AS tahun FROM fact_kasus ORDER BY 1")
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def case_counts(
    key: str,
    dims: tuple[str, ...],
    basis: str,
    y0: int,
    y1: int,
    area: str | None = None,
    bentuk: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Number of cases (or of forms/services for the multi-valued dimensions) grouped by `dims`, in the
    area `kec` (any level; None = everywhere)."""
    head, params = _case_filter(basis, area, bentuk)
    joins, cols = [], []
    for d in dims:
        if d in MULTI_DIMENSIONS:
            join, expr = MULTI_DIMENSIONS[d]
            joins.append(join)
        else:
            # "kecamatan" is the area's unit (kecamatan of a kab/kota ...); within a kecamatan, the kecamatan itself
            expr = CASE_DIMENSIONS[d].format(unit_len=_unit_len(area))
        cols.append(f"{expr} AS {d}")
    select = ", ".join(cols) + ", " if cols else ""
    group = "GROUP BY ALL ORDER BY ALL" if cols else ""
    sql = f"{head} SELECT {select}count(*) AS n FROM k {' '.join(joins)} {group}"
    return query(key, sql, [*params, y0, y1])


@st.cache_data(show_spinner=False)
def children_by_kecamatan(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """Children per unit of the region (kecamatan, kab/kota or province, see CASE_DIMENSIONS)."""
    return query(
        key,
        f"""
        SELECT left(kode_kecamatan, {_unit_len(area)}) AS kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk
        WHERE tahun = ? AND {in_area("kode_kecamatan")} GROUP BY 1 ORDER BY 1""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def form_list(key: str) -> list[str]:
    df = query(key, "SELECT DISTINCT bentuk FROM fact_kasus_bentuk ORDER BY 1")
    return df["bentuk"].tolist()


# --- Progres klaster ----------------------------------------------------------------------------
# One kab/kota's evaluation: `kabkota` is its code (None only in a warehouse holding one kab/kota).
@st.cache_data(show_spinner=False)
def indicator_years(key: str, area: str | None = None) -> list[int]:
    df = query(
        key,
        f"SELECT DISTINCT tahun FROM fact_nilai_indikator WHERE {in_area('kode_wilayah')} ORDER BY 1",
        [*at(area)],
    )
    return [int(y) for y in df["tahun"]]


@st.cache_data(show_spinner=False)
def indicators(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """The 24 indicators of the catalog with the year's nilai (NULL when not assessed)."""
    return query(
        key,
        f"""
        SELECT r.nomor, r.nama, r.kelompok, r.kelompok_urut, r.nilai_maks, f.nilai, f.target,
               coalesce(f.opd_pengampu, r.opd_pengampu) AS opd, f.status_bukti, f.catatan, f.tahap
        FROM ref_indikator r LEFT JOIN (SELECT * FROM {latest_stage_values()}
                                        WHERE tahun = ? AND {in_area("kode_wilayah")}) f ON f.nomor = r.nomor
        ORDER BY r.nomor""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def group_scores(key: str, area: str | None = None) -> pd.DataFrame:
    """Score per year and group (Kelembagaan, Klaster I-V) with the group's maximum."""
    return query(
        key,
        f"""
        SELECT f.tahun, r.kelompok, r.kelompok_urut, sum(f.nilai) AS nilai,
               -- a group's maximum only when every indicator of it has one (KemenPPPA publishes none)
               (SELECT CASE WHEN count(nilai_maks) = count(*) THEN sum(nilai_maks) END
                FROM ref_indikator m WHERE m.kelompok = r.kelompok) AS maks
        FROM {latest_stage_values()} f JOIN ref_indikator r USING (nomor)
        WHERE {in_area("f.kode_wilayah")}
        GROUP BY ALL ORDER BY f.tahun, r.kelompok_urut""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def stage_scores(key: str, area: str | None) -> pd.DataFrame:
    """Total scores per year and evaluation stage: the sum of the indicator values loaded for that stage (`sumber`
    NULL), and every published total (fact_kla_hasil), each with its source. Stages are never added together."""
    return query(
        key,
        f"""
        SELECT tahun, tahap, sum(nilai) AS nilai, NULL AS sumber, NULL AS tanggal_sumber, NULL AS catatan,
               count(*) AS indikator, {_stage_rank()} AS urut
        FROM fact_nilai_indikator WHERE {in_area("kode_wilayah")} GROUP BY tahun, tahap
        UNION ALL
        SELECT tahun, tahap, nilai, sumber, tanggal_sumber, catatan, NULL, {_stage_rank()}
        FROM fact_kla_hasil WHERE kelompok = 'Total' AND nilai IS NOT NULL AND {in_area("kode_wilayah")}
        ORDER BY tahun, urut, sumber NULLS FIRST""",
        [*at(area), *at(area)],
    )


@st.cache_data(show_spinner=False)
def category_history(key: str, area: str | None) -> pd.DataFrame:
    """The published final categories per year, every source kept (conflicting ones side by side)."""
    return query(
        key,
        f"""
        SELECT h.tahun, h.kategori, h.sumber, h.tanggal_sumber, h.tautan, h.catatan,
               count(DISTINCT h.kategori) OVER (PARTITION BY h.kode_wilayah, h.tahun) > 1 AS bertentangan
        FROM fact_kla_hasil h
        WHERE h.tahap = 'final' AND h.kelompok = 'Total' AND h.kategori IS NOT NULL AND {in_area("h.kode_wilayah")}
        ORDER BY h.tahun, h.tanggal_sumber NULLS LAST, h.sumber""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def followups(key: str, area: str | None = None) -> pd.DataFrame:
    return query(
        key,
        f"""
        SELECT t.tindak_lanjut_id AS id, t.tanggal_rapat, t.tugas, t.nomor, t.opd, t.tenggat, t.status,
               t.catatan, m.user_name AS diubah_oleh, m.loaded_at AS diubah_pada
        FROM fact_tindak_lanjut t LEFT JOIN meta_load m ON m.load_id = t.load_id
        WHERE {in_area("t.kode_wilayah")}
        ORDER BY t.tenggat, t.tanggal_rapat, t.tugas""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def followup_versions(key: str, area: str | None = None) -> dict[str, str | None]:
    """Task id -> the load or edit that last wrote it (load_id): the version an edit starts from (etl.edits)."""
    rows = query(
        key, f"SELECT tindak_lanjut_id, load_id FROM fact_tindak_lanjut WHERE {in_area('kode_wilayah')}", [*at(area)]
    )
    return dict(zip(rows["tindak_lanjut_id"], rows["load_id"].astype(object).where(rows["load_id"].notna(), None)))


@st.cache_data(show_spinner=False)
def kecamatan_ratings(key: str, area: str | None = None) -> pd.DataFrame:
    return query(
        key,
        f"""
        SELECT k.tahun, k.kode_kecamatan, w.nama, k.nilai, k.kategori, k.catatan
        FROM fact_kla_kecamatan k JOIN dim_wilayah w ON w.kode = k.kode_kecamatan
        WHERE {in_area("k.kode_kecamatan")}
        ORDER BY k.tahun, k.kode_kecamatan""",
        [*at(area)],
    )


# --- Peta ----------------------------------------------------------------------------------------
# Every map query takes the region shown (None = everywhere); levels kabkota/provinsi are dissolved outlines.
@st.cache_data(show_spinner=False)
def boundaries(key: str, level: str, area: str | None = None) -> pd.DataFrame:
    """Boundaries of one level: kode, nama, kode_kecamatan, luas_km2, display GeoJSON, full WKB."""
    return query(
        key,
        f"""
        SELECT g.kode, g.nama, CASE WHEN g.level = 'kelurahan' THEN w.kode_induk ELSE g.kode END AS kode_kecamatan,
               g.luas_km2, g.geojson, g.geom_wkb
        FROM geo_batas g LEFT JOIN dim_wilayah w ON w.kode = g.kode
        WHERE g.level = ? AND {in_area("g.kode")} ORDER BY g.kode""",
        [level, *at(area)],
    )


@st.cache_data(show_spinner=False)
def regions(key: str, level: str, area: str | None = None) -> pd.DataFrame:
    """Reference regions of a level with their approximate points (the map without boundaries)."""
    levels = {"kelurahan": ("kelurahan", "desa"), "kabkota": ("kota", "kabupaten")}.get(level, (level,))
    return query(
        key,
        f"""
        SELECT kode, nama, CASE WHEN level IN ('kelurahan', 'desa') THEN kode_induk ELSE kode END AS kode_kecamatan,
               lat, lon
        FROM dim_wilayah WHERE list_contains(?, level) AND {in_area("kode")} ORDER BY kode""",
        [list(levels), *at(area)],
    )


@st.cache_data(show_spinner=False)
def rbra_points(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """RBRA recorded up to the year (no year counts as existing), with kelurahan and kecamatan names."""
    return query(
        key,
        f"""
        SELECT r.rbra_id, r.nama, r.kode_kecamatan, r.kode_kelurahan, kc.nama AS kecamatan, kl.nama AS kelurahan,
               r.latitude AS lat, r.longitude AS lon, r.status, r.tahun, r.luas_m2
        FROM fact_rbra r LEFT JOIN dim_wilayah kc ON kc.kode = r.kode_kecamatan
        LEFT JOIN dim_wilayah kl ON kl.kode = r.kode_kelurahan
        WHERE (r.tahun IS NULL OR r.tahun <= ?) AND {in_area("r.kode_kecamatan")}
        ORDER BY r.kode_kelurahan, r.nama""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def rbra_by_unit(key: str, year: int, area: str | None) -> pd.DataFrame:
    """RBRA (and standardised RBRA) per unit of the region, for the province and national maps."""
    return query(
        key,
        f"""
        SELECT left(kode_kecamatan, {_unit_len(area)}) AS kode, count(*) AS rbra,
               count(*) FILTER (WHERE status NOT IN (?, ?)) AS standar
        FROM fact_rbra WHERE (tahun IS NULL OR tahun <= ?) AND {in_area("kode_kecamatan")} GROUP BY 1""",
        [*STANDARDISED_EXCLUDED, year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def children_by_area(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """Children per kelurahan where the source has kelurahan, and per kecamatan otherwise (level says which)."""
    return query(
        key,
        f"""
        SELECT kode_wilayah AS kode, level, kode_kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk
        WHERE tahun = ? AND {in_area("kode_kecamatan")} GROUP BY ALL ORDER BY 1""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def latest_kecamatan_rating(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """Each kecamatan's most recent self-rating up to the year."""
    return query(
        key,
        f"""
        SELECT kode_kecamatan, arg_max(kategori, tahun) AS kategori, max(tahun) AS tahun_penilaian
        FROM fact_kla_kecamatan WHERE tahun <= ? AND {in_area("kode_kecamatan")} GROUP BY 1""",
        [year, *at(area)],
    )


# --- Data page ------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def load_history(key: str) -> pd.DataFrame:
    """Every load recorded in this version (each version carries the history before it)."""
    return query(
        key,
        """
        SELECT loaded_at, user_name, dataset, file_name, file_sha256, rows_read, rows_loaded, rows_rejected,
               dropped_columns, warnings, version, is_sample, totals_accepted_by
        FROM meta_load ORDER BY loaded_at DESC""",
    )


@st.cache_data(show_spinner=False)
def latest_warnings(key: str) -> pd.DataFrame:
    """The warnings of each dataset's latest load (JUMLAH reconciliation and others)."""
    return query(
        key,
        """
        SELECT m.dataset, m.file_name, m.loaded_at, m.warning_text FROM meta_load m
        JOIN (SELECT dataset, max(loaded_at) AS t FROM meta_load GROUP BY 1) l
          ON l.dataset = m.dataset AND l.t = m.loaded_at
        WHERE m.warnings > 0 ORDER BY m.dataset""",
    )


@st.cache_data(show_spinner=False)
def population_presence(key: str) -> pd.DataFrame:
    return query(
        key,
        """
        SELECT tahun, kode_kecamatan, sum(jumlah_anak) AS anak FROM fact_penduduk GROUP BY ALL ORDER BY ALL""",
    )


@st.cache_data(show_spinner=False)
def indicator_presence(key: str) -> pd.DataFrame:
    return query(key, "SELECT tahun, count(*) AS indikator FROM fact_nilai_indikator GROUP BY 1 ORDER BY 1")


# --- Rekap kasus (published / office recaps) ------------------------------------------------------
@st.cache_data(show_spinner=False)
def recap_totals(key: str) -> pd.DataFrame:
    """Totals per source, unit, area and period (never merged across sources)."""
    return query(
        key,
        """
        SELECT sumber, satuan, kode_wilayah, tahun, periode, periode_awal, periode_akhir, dimensi, kategori, jumlah,
               catatan
        FROM fact_kasus_rekap WHERE dimensi = 'total' ORDER BY periode_awal, periode_akhir, sumber""",
    )


@st.cache_data(show_spinner=False)
def recap_rows(key: str) -> pd.DataFrame:
    """Every recap figure (totals and breakdowns), for their protection as a whole."""
    return query(
        key,
        """
        SELECT sumber, satuan, kode_wilayah, periode_awal, periode_akhir, dimensi, kategori, jumlah
        FROM fact_kasus_rekap ORDER BY ALL""",
    )


@st.cache_data(show_spinner=False)
def recap_breakdown(key: str, sumber: str, dimensi: str, area: str | None) -> pd.DataFrame:
    return query(
        key,
        """
        SELECT sumber, satuan, kode_wilayah, periode, periode_awal, periode_akhir, dimensi, kategori, jumlah
        FROM fact_kasus_rekap
        WHERE sumber = ? AND dimensi = ? AND kode_wilayah = ? ORDER BY periode_awal, kategori""",
        [sumber, dimensi, area],
    )


@st.cache_data(show_spinner=False)
def recap_dimensions(key: str, sumber: str) -> list[str]:
    df = query(
        key,
        "SELECT DISTINCT dimensi FROM fact_kasus_rekap WHERE sumber = ? AND dimensi <> 'total' ORDER BY 1",
        [sumber],
    )
    return df["dimensi"].tolist()


@st.cache_data(show_spinner=False)
def register_span(key: str) -> tuple:
    """(first, last) month of report in the whole case register (first days of months); (None, None) without one."""
    row = query(key, "SELECT min(bulan_pelaporan) AS a, max(bulan_pelaporan) AS b FROM fact_kasus").iloc[0]
    if pd.isna(row["b"]):
        return None, None
    return pd.Timestamp(row["a"]).date(), pd.Timestamp(row["b"]).date()


@st.cache_data(show_spinner=False)
def register_months(key: str, area: str | None = None) -> pd.DataFrame:
    """Register cases per month of report in an area, to compare with a recap's period."""
    return query(
        key,
        f"""
        SELECT bulan_pelaporan AS bulan, count(*) AS n FROM fact_kasus WHERE {in_area("kode_kecamatan")}
        GROUP BY 1 ORDER BY 1""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def population_estimated(key: str, year: int) -> bool:
    """True when some of the year's children are an estimate (15-17 as 3/5 of a BPS 15-19 band)."""
    df = query(key, "SELECT bool_or(coalesce(estimasi, false)) AS e FROM fact_penduduk WHERE tahun = ?", [year])
    value = df["e"].iloc[0] if len(df) else None
    return False if value is None or pd.isna(value) else bool(value)


# --- The public publication (kla.publication) ------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=4)
def publication_atoms(key: str) -> pd.DataFrame:
    """Cases per kecamatan and year of report: in total (family "n") and per category of each breakdown
    and month. Everything the public publication is made of."""
    parts = [
        "SELECT 'n' AS family, NULL::VARCHAR AS kategori, kecamatan, tahun, count(*) AS n FROM k GROUP BY ALL",
        "SELECT 'bulan', CAST(month(bulan) AS VARCHAR), kecamatan, tahun, count(*) FROM k GROUP BY ALL",
    ]
    for dim in ("kelompok_umur", "jenis_kelamin", "tempat_kejadian", "hubungan_pelaku", "disabilitas"):
        parts.append(f"SELECT '{dim}', {CASE_DIMENSIONS[dim]}, kecamatan, tahun, count(*) FROM k GROUP BY ALL")
    for dim, (join, expr) in MULTI_DIMENSIONS.items():
        parts.append(f"SELECT '{dim}', {expr}, kecamatan, tahun, count(*) FROM k {join} GROUP BY ALL")
    df = query(
        key,
        f"""
        WITH k AS (SELECT *, bulan_pelaporan AS bulan, kode_kecamatan AS kecamatan,
                          CAST(year(bulan_pelaporan) AS INTEGER) AS tahun FROM fact_kasus)
        {" UNION ALL ".join(parts)}""",
    )
    month = df["family"] == "bulan"
    df["kategori"] = df["kategori"].astype(object)
    df.loc[month, "kategori"] = df.loc[month, "kategori"].astype(int)
    return df


@st.cache_data(show_spinner=False)
def published_figures(key: str, topik: str, area: str | None) -> pd.DataFrame:
    """The published single figures of one topic in an area (fact_angka_publik), newest first, each with its source
    and date. Never the catatan: it is free text."""
    return query(
        key,
        f"""
        SELECT topik, tahun, tanggal_data, kode_wilayah, nilai, satuan, sumber, tautan FROM fact_angka_publik
        WHERE topik = ? AND {in_area("kode_wilayah")}
        ORDER BY tahun DESC, tanggal_data DESC NULLS LAST, kode_wilayah, sumber""",
        [topik, *at(area)],
    )


@st.cache_data(show_spinner=False)
def all_kecamatan(key: str) -> list[str]:
    df = query(key, "SELECT kode FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")
    return df["kode"].tolist()


# --- Kesiapan evaluasi (issue 22) -------------------------------------------------------------------
# The evidence (data dukung) of one kab/kota's evaluation year: `area` is its code (None only in a warehouse holding
# one kab/kota). Free text (catatan, tautan, file names, who uploaded) is in these frames; kla/views/kesiapan.py
# keeps it from public viewers.
@st.cache_data(show_spinner=False)
def evidence_years(key: str, area: str | None = None) -> list[int]:
    """The years with evidence states or evaluation dates."""
    df = query(
        key,
        f"""SELECT tahun FROM fact_bukti WHERE {in_area("kode_wilayah")}
            UNION SELECT tahun FROM fact_jadwal_kla WHERE {in_area("kode_wilayah")} ORDER BY 1""",
        [*at(area), *at(area)],
    )
    return [int(y) for y in df["tahun"].dropna()]


@st.cache_data(show_spinner=False)
def evidence_regions(key: str) -> list[str]:
    """The kab/kota with evidence states (a province or national view picks one of them)."""
    df = query(key, "SELECT DISTINCT kode_wilayah FROM fact_bukti WHERE kode_wilayah IS NOT NULL ORDER BY 1")
    return df["kode_wilayah"].tolist()


@st.cache_data(show_spinner=False)
def evidence_items(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """Every item of the checklist (ref_bukti_item) with its indicator and group, and the year's state: an item
    without a row that year is 'belum'. `berkas`: how many files are attached."""
    return query(
        key,
        f"""
        SELECT r.item_id, r.nomor, r.urut, r.item, r.jenis_dokumen, r.opd, i.nama AS indikator, i.kelompok,
               i.kelompok_urut, coalesce(f.status, 'belum') AS status, f.catatan, f.tautan, f.tenggat,
               f.diperbarui_oleh, f.diperbarui_pada, f.load_id, coalesce(b.berkas, 0) AS berkas
        FROM ref_bukti_item r
        LEFT JOIN ref_indikator i ON i.nomor = r.nomor
        LEFT JOIN (SELECT * FROM fact_bukti WHERE tahun = ? AND {in_area("kode_wilayah")}) f ON f.item_id = r.item_id
        LEFT JOIN (SELECT item_id, count(DISTINCT sha256) AS berkas FROM fact_bukti_berkas
                   WHERE tahun = ? AND {in_area("kode_wilayah")} GROUP BY item_id) b ON b.item_id = r.item_id
        ORDER BY r.nomor, r.urut, r.item_id""",
        [year, *at(area), year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def evidence_files(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """The files attached to the year's items (analysts only: names and uploaders), newest first; one row per file
    and item (the same content attached twice to an item is one file)."""
    return query(
        key,
        f"""
        SELECT item_id, sha256, arg_max(nama_berkas, diunggah_pada) AS nama_berkas,
               arg_max(jenis, diunggah_pada) AS jenis, max(ukuran) AS ukuran,
               arg_max(diunggah_oleh, diunggah_pada) AS diunggah_oleh, max(diunggah_pada) AS diunggah_pada
        FROM fact_bukti_berkas WHERE tahun = ? AND {in_area("kode_wilayah")}
        GROUP BY item_id, sha256 ORDER BY item_id, diunggah_pada DESC""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def evidence_versions(key: str, year: int, area: str | None = None) -> dict[str, str | None]:
    """Item id -> the load or edit that last wrote its state (load_id): the version an edit starts from."""
    rows = query(
        key,
        f"SELECT item_id, load_id FROM fact_bukti WHERE tahun = ? AND {in_area('kode_wilayah')}",
        [year, *at(area)],
    )
    return dict(zip(rows["item_id"], rows["load_id"].astype(object).where(rows["load_id"].notna(), None)))


@st.cache_data(show_spinner=False)
def evaluation_dates(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """The dates of the evaluation stages of the year: the newest row per stage (by when it was written)."""
    return query(
        key,
        f"""
        SELECT j.tahap, j.tanggal, m.user_name AS diubah_oleh, m.loaded_at AS diubah_pada
        FROM fact_jadwal_kla j LEFT JOIN meta_load m ON m.load_id = j.load_id
        WHERE j.tahun = ? AND {in_area("j.kode_wilayah")} AND j.tanggal IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY j.tahap ORDER BY m.loaded_at DESC NULLS LAST, j.load_id DESC) = 1
        ORDER BY j.tanggal""",
        [year, *at(area)],
    )


# --- Partisipasi anak (issue 23) ------------------------------------------------------------------
# Forum Anak and children's proposals in the Musrenbang. The public queries select only what a public viewer may
# see: counts, levels, statuses and the reviewed text (teks_publik). The free text (usulan, alasan, tautan_bukti,
# pembina, catatan) is read only by the *_exact queries, which the page calls for analysts alone.
@st.cache_data(show_spinner=False)
def forum_years(key: str, area: str | None = None) -> list[int]:
    df = query(
        key, f"SELECT DISTINCT tahun FROM fact_forum_anak WHERE {in_area('kode_wilayah')} ORDER BY 1", [*at(area)]
    )
    return [int(y) for y in df["tahun"].dropna()]


@st.cache_data(show_spinner=False)
def forums(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """Each forum's latest record up to the year: level, area, SK, members by sex and age group, KHA training,
    active, last activity (never pembina or catatan)."""
    return query(
        key,
        f"""
        SELECT f.forum_id, f.tahun, f.tingkat, f.kode_wilayah, w.nama AS wilayah, f.nama_forum, f.sk_nomor,
               f.sk_tanggal, f.anggota_l, f.anggota_p, f.anggota_6_12, f.anggota_13_17, f.anggota_18,
               f.pelatihan_kha, f.aktif, f.kegiatan_terakhir
        FROM fact_forum_anak f LEFT JOIN dim_wilayah w ON w.kode = f.kode_wilayah
        WHERE f.tahun <= ? AND {in_area("f.kode_wilayah")}
        QUALIFY row_number() OVER (PARTITION BY f.forum_id ORDER BY f.tahun DESC) = 1
        ORDER BY f.kode_wilayah""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def forums_exact(key: str, year: int, area: str | None = None) -> pd.DataFrame:
    """The analysts' columns of the same records as forums(): pembina and catatan (free text)."""
    return query(
        key,
        f"""
        SELECT forum_id, pembina, catatan FROM fact_forum_anak
        WHERE tahun <= ? AND {in_area("kode_wilayah")}
        QUALIFY row_number() OVER (PARTITION BY forum_id ORDER BY tahun DESC) = 1""",
        [year, *at(area)],
    )


@st.cache_data(show_spinner=False)
def proposals(key: str, area: str | None = None) -> pd.DataFrame:
    """Every children's proposal with what a public viewer may see: cycle, level, area, forum, theme, cluster,
    target OPD, status, and the text only once an analyst reviewed it for publication (teks_publik)."""
    return query(
        key,
        f"""
        SELECT u.usulan_id, u.siklus, u.tingkat, u.kode_wilayah, w.nama AS wilayah, u.forum_id, u.tema, u.klaster,
               u.opd_tujuan, u.status,
               CASE WHEN u.ditinjau_oleh IS NOT NULL THEN u.teks_publik END AS teks_publik
        FROM fact_usulan_anak u LEFT JOIN dim_wilayah w ON w.kode = u.kode_wilayah
        WHERE {in_area("u.kode_wilayah")}
        ORDER BY u.siklus, u.kode_wilayah, u.usulan_id""",
        [*at(area)],
    )


@st.cache_data(show_spinner=False)
def proposals_exact(key: str, area: str | None = None) -> pd.DataFrame:
    """The analysts' proposal list: everything of proposals() plus the text as written, the reason, the evidence
    link, who reviewed it and when, and the load or edit that last wrote the row (the review's base)."""
    return query(
        key,
        f"""
        SELECT u.usulan_id, u.siklus, u.tingkat, u.kode_wilayah, w.nama AS wilayah, u.forum_id, u.tema, u.klaster,
               u.opd_tujuan, u.status, u.usulan, u.alasan, u.tautan_bukti, u.teks_publik, u.ditinjau_oleh,
               u.ditinjau_pada, u.load_id
        FROM fact_usulan_anak u LEFT JOIN dim_wilayah w ON w.kode = u.kode_wilayah
        WHERE {in_area("u.kode_wilayah")}
        ORDER BY u.siklus, u.kode_wilayah, u.usulan_id""",
        [*at(area)],
    )


# --- province bundle (issue 24) ---
@st.cache_data(show_spinner=False)
def bundle_indicators(key: str, kabkota: str) -> pd.DataFrame:
    """The kab/kota's indicator values, every year and stage, without notes (what its public pages show)."""
    return query(
        key,
        "SELECT tahun, nomor, nilai, target, tahap FROM fact_nilai_indikator WHERE kode_wilayah = ? "
        "ORDER BY tahun, tahap, nomor",
        [kabkota],
    )


@st.cache_data(show_spinner=False)
def bundle_population(key: str, kabkota: str) -> pd.DataFrame:
    """Children per kecamatan and year of the kab/kota (the public population figures)."""
    return query(
        key,
        "SELECT tahun, kode_kecamatan, sum(jumlah_anak) AS jumlah_anak, bool_or(coalesce(estimasi, false)) AS estimasi "
        "FROM fact_penduduk WHERE kode_kecamatan LIKE ? || '.%' GROUP BY ALL ORDER BY 1, 2",
        [kabkota],
    )


@st.cache_data(show_spinner=False)
def rollup_cases(key: str, kabkota: str | None = None) -> pd.DataFrame:
    """The case cells the kab/kota bundles brought into this (province) warehouse."""
    return query(
        key,
        "SELECT kabkota, family, kategori, wilayah, tahun, nilai, tanda FROM rollup_kasus "
        "WHERE ? IS NULL OR kabkota = ? ORDER BY ALL",
        [kabkota, kabkota],
    )
