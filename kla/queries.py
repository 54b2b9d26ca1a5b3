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
def version_created(key: str):
    df = query(key, "SELECT max(created_at) AS created_at FROM meta_version")
    return df["created_at"].iloc[0]


@st.cache_data(show_spinner=False)
def years(key: str) -> list[int]:
    """Years with any data, newest first."""
    df = query(key, """
        SELECT tahun FROM fact_penduduk UNION SELECT tahun FROM fact_nilai_indikator
        UNION SELECT year(bulan_pelaporan) FROM fact_kasus ORDER BY 1 DESC""")
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
def cases_per_year(key: str, kec: str | None) -> pd.DataFrame:
    """Cases by year of reporting (unit: kasus)."""
    return query(key, """
        SELECT CAST(year(bulan_pelaporan) AS INTEGER) AS tahun, count(*) AS kasus FROM fact_kasus
        WHERE CAST(? AS VARCHAR) IS NULL OR kode_kecamatan = ?
        GROUP BY 1 ORDER BY 1""", [kec, kec])


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
