"""The "Data contoh (sintetis)" marks follow the rows a version holds, and the sample is removed per dataset.

Issue 19 item 4: after a first real case upload the banner dropped "kasus" while the synthetic cases of the other
years stayed in every chart. The marks now follow the rows' loads (etl.samples), and `etl hapus-contoh DATASET`
removes one dataset's synthetic rows as a new version.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import run_etl, sql
from corpus import KASUS_HEAD, kasus, xlsx

from etl import samples, warehouse


def _sample_rows(data_dir) -> dict[str, int]:
    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data_dir / "warehouse" / f"kla-{version}.duckdb")
    try:
        return samples.sample_rows(con)
    finally:
        con.close()


def test_a_real_upload_keeps_the_sample_mark_while_synthetic_rows_stay(own_sample, tmp_path):
    before = _sample_rows(own_sample)
    assert before["kasus"] == int(sql(own_sample, "SELECT count(*) AS n FROM fact_kasus")["n"][0])
    real = xlsx(
        tmp_path / "kasus_asli.xlsx", [KASUS_HEAD, kasus(1, lap=dt.date(2025, 11, 3), kej=dt.date(2025, 11, 1))]
    )
    run_etl(own_sample, "load", "kasus", str(real))
    after = _sample_rows(own_sample)
    assert "kasus" in after, "synthetic cases of other months are still there: the mark must stay"
    latest = sql(own_sample, "SELECT is_sample FROM meta_load WHERE dataset = 'kasus' ORDER BY loaded_at DESC LIMIT 1")
    assert not latest["is_sample"][0]  # the old rule (latest load) would have dropped the mark here


def test_hapus_contoh_removes_one_datasets_sample_as_a_new_version(own_sample, tmp_path):
    real = xlsx(
        tmp_path / "kasus_asli.xlsx", [KASUS_HEAD, kasus(1, lap=dt.date(2025, 11, 3), kej=dt.date(2025, 11, 1))]
    )
    run_etl(own_sample, "load", "kasus", str(real))
    version = (own_sample / "warehouse" / "CURRENT").read_text().strip()
    others = {k: v for k, v in _sample_rows(own_sample).items() if k != "kasus"}
    listing = run_etl(own_sample, "hapus-contoh").stdout
    assert "kasus" in listing and "penduduk" in listing
    out = run_etl(own_sample, "hapus-contoh", "kasus").stdout
    assert "dihapus" in out
    assert (own_sample / "warehouse" / "CURRENT").read_text().strip() != version
    cases = sql(own_sample, "SELECT count(*) AS n FROM fact_kasus")["n"][0]
    forms = sql(
        own_sample,
        "SELECT count(*) AS n FROM fact_kasus_bentuk WHERE kasus_id NOT IN (SELECT kasus_id FROM fact_kasus)",
    )
    assert cases == 1 and forms["n"][0] == 0  # the real case stays, no orphan forms
    assert _sample_rows(own_sample) == others  # the other datasets keep their sample (and their mark)
    again = run_etl(own_sample, "hapus-contoh", "kasus").stdout
    assert "tidak memuat data contoh" in again
    history = sql(own_sample, "SELECT file_name, is_sample FROM meta_load WHERE file_name = '(hapus data contoh)'")
    assert len(history) == 1 and not history["is_sample"][0]


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_banner_names_the_datasets_that_still_hold_sample_rows(own_sample):
    from streamlit.testing.v1 import AppTest

    run_etl(own_sample, "hapus-contoh", "rbra")
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "kasus" in banner and "rbra" not in banner
