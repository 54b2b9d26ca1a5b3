"""The sample warehouse: built by the real CLI from the generated messy files, hitting its targets."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from etl import sample, warehouse


def con_of(data_dir):
    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    return warehouse.open_file(str(data_dir / "warehouse" / f"kla-{version}.duckdb"))


def test_generator_is_deterministic(tmp_path):
    a = sample.generate(tmp_path / "a")
    b = sample.generate(tmp_path / "b")
    for dataset in a:
        for pa, pb in zip(a[dataset], b[dataset]):
            if pa.suffix == ".csv":
                assert pa.read_bytes() == pb.read_bytes()
            else:
                wa, wb = CalamineWorkbook.from_path(str(pa)), CalamineWorkbook.from_path(str(pb))
                assert wa.sheet_names == wb.sheet_names
                for s in wa.sheet_names:
                    assert wa.get_sheet_by_name(s).to_python() == wb.get_sheet_by_name(s).to_python()


def test_every_sample_file_says_it_is_synthetic(tmp_path):
    for paths in sample.generate(tmp_path).values():
        for p in paths:
            if p.suffix == ".csv":
                assert "DATA CONTOH (SINTETIS)" in p.read_text(encoding="utf-8-sig")
            else:
                wb = CalamineWorkbook.from_path(str(p))
                text = repr([wb.get_sheet_by_name(s).to_python() for s in wb.sheet_names])
                assert "DATA CONTOH (SINTETIS)" in text


def test_sample_warehouse_targets(sample_data_dir):
    con = con_of(sample_data_dir)
    children = dict(con.execute("SELECT tahun, sum(jumlah_anak) FROM fact_penduduk GROUP BY 1").fetchall())
    assert set(children) == set(range(2019, 2026))
    assert 115_000 <= children[2025] <= 130_000  # a third of ~366,000
    assert all(children[y] < children[y + 1] for y in range(2019, 2025))
    cases = dict(con.execute("SELECT year(bulan_pelaporan), count(*) FROM fact_kasus GROUP BY 1").fetchall())
    assert all(30 <= n <= 60 for n in cases.values()) and set(cases) == set(range(2019, 2026))
    assert 20 <= con.execute("SELECT count(*) FROM fact_rbra").fetchone()[0] <= 40
    scores = dict(con.execute("SELECT tahun, sum(nilai) FROM fact_nilai_indikator GROUP BY 1").fetchall())
    assert all(701 <= scores[y] <= 800 for y in range(2021, 2026))
    # the synthetic loads (the public record of data/publik/daftar.toml is loaded first, as user "publik")
    synthetic = "SELECT bool_and(is_sample), count(DISTINCT dataset) FROM meta_load WHERE user_name <> 'publik'"
    # penduduk, kasus, rbra, indikator, tindak_lanjut; forum_anak, usulan_anak (issue 23); bukti, jadwal_kla (22)
    assert con.execute(synthetic).fetchone() == (True, 9)  # kla_kecamatan 2023 is real: data/publik
    assert con.execute("SELECT count(*) FROM fact_tindak_lanjut").fetchone()[0] == 12
    assert con.execute("SELECT count(*) FROM fact_kla_kecamatan WHERE tahun = 2023").fetchone()[0] == 11
    # every kelurahan of the reference has children, every case has a kecamatan
    assert con.execute("SELECT count(DISTINCT kode_wilayah) FROM fact_penduduk WHERE tahun = 2025").fetchone()[0] == 65
    assert con.execute("SELECT count(*) FROM fact_kasus WHERE kode_kecamatan IS NULL").fetchone()[0] == 0


def test_sample_loads_drop_personal_columns(sample_data_dir):
    con = con_of(sample_data_dir)
    dropped = con.execute("SELECT dropped_columns FROM meta_load WHERE dataset = 'kasus'").fetchone()[0]
    assert "Nama Korban" in dropped and "NIK" in dropped
    for table, col in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall():
        assert (
            con.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{col}" LIKE \'%Korban Contoh%\' OR "{col}" LIKE \'%REG/20%\''
            ).fetchone()[0]
            == 0
        ), (table, col)
