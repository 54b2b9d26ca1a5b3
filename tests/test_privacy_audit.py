"""The privacy audit: everything a public viewer can get, attacked by linear programming.

For the sample warehouse and for generated ones (many small counts, sparse kecamatan, one-case years, two
kab/kota and their province), tests/privacy_attack.py collects every public figure under every filter state,
writes each as an equation over the true counts, and bounds every hidden figure with HiGHS. Pass: no hidden
figure is determined, and no "<5" is narrowed to fewer than 3 possible values. `make audit` runs the larger sweep
(KLA_AUDIT_EXAMPLES, default 200 there).
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kla import publication
from tests import privacy_attack as attack

EXAMPLES = int(os.environ.get("KLA_AUDIT_EXAMPLES", "12"))


def sample_key(data_dir) -> str:
    from etl import warehouse

    return str(warehouse.version_path((data_dir / "warehouse" / "CURRENT").read_text().strip()))


@pytest.mark.slow
def test_the_sample_survives_the_attack(sample_data_dir, monkeypatch, fresh_streamlit_caches):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    from kla import queries

    key = sample_key(sample_data_dir)
    atoms = queries.publication_atoms(key)
    kecamatan = queries.all_kecamatan(key)
    pub = publication.of_version(key)
    a = attack.attacker_of(pub, kecamatan)
    attack.collect(a, pub, "74.71", kecamatan, (min(pub.years), max(pub.years)))
    attack.truth_check(a, atoms)
    hidden = [d for d, v in a.figures.items() if isinstance(v, str)]
    assert len(hidden) > 300  # the attack has something to work on


def test_the_attack_finds_what_one_table_alone_gives_away():
    """The harness can fail: the old per-table protection of one kecamatan x year table, attacked the same way."""
    from kla.privacy import PRIMARY, protect

    years = list(range(2019, 2026))  # Wua-Wua's row of issue 16: 11, <5, <5, 7, 12, 13, 8, Jumlah 59
    table = pd.DataFrame([[11, 4, 4, 7, 12, 13, 8]], columns=years, index=["74.71.01"])
    p = protect(table, col_totals=False)
    a = attack.Attacker(list(table.index), years, {})
    for row in p.counts.index:
        area = row
        for col in p.counts.columns:
            s = p.status.loc[row, col]
            shown = "<5" if s == PRIMARY else "*" if s else int(p.counts.loc[row, col])
            a.see("n", None, area, years if col == "Jumlah" else [col], shown)
    assert a.exposed()  # "<5" cells squeezed by their bounds: the recipe of issue 16


# --- generated warehouses ------------------------------------------------------------------------
KECAMATAN = ["74.71.01", "74.71.02", "74.71.03", "74.72.01", "74.72.02"]
PLACES = ["Rumah Tangga", "Sekolah", "Lainnya"]
FORMS = ["Fisik", "Psikis", "Seksual"]


@st.composite
def warehouses(draw):
    """Case rows: few kecamatan and years, many small counts, sparse kecamatan, one-case years."""
    kec = draw(st.lists(st.sampled_from(KECAMATAN), min_size=1, max_size=5, unique=True))
    years = draw(st.lists(st.integers(2021, 2024), min_size=1, max_size=3, unique=True))
    case = st.fixed_dictionaries(
        {
            "kecamatan": st.sampled_from(kec),
            "tahun": st.sampled_from(years),
            "bulan": st.integers(1, 12),
            "jenis_kelamin": st.sampled_from(["P", "L"]),
            "kelompok_umur": st.sampled_from(["0-5", "6-12", "13-17"]),
            "tempat_kejadian": st.sampled_from(PLACES),
            "bentuk": st.lists(st.sampled_from(FORMS), min_size=1, max_size=2, unique=True),
        }
    )
    heavy = draw(st.sampled_from(kec))  # one kecamatan with enough cases to show
    rows = draw(st.lists(case, min_size=1, max_size=40))
    rows += draw(st.lists(case.map(lambda c: {**c, "kecamatan": heavy}), min_size=0, max_size=30))
    return pd.DataFrame(rows)


def atoms_of(cases: pd.DataFrame) -> pd.DataFrame:
    parts = [cases.groupby(["kecamatan", "tahun"]).size().reset_index(name="n").assign(family="n", kategori=None)]
    for dim in ("bulan", "jenis_kelamin", "kelompok_umur", "tempat_kejadian"):
        g = cases.groupby(["kecamatan", "tahun", dim]).size().reset_index(name="n")
        parts.append(g.rename(columns={dim: "kategori"}).assign(family=dim))
    forms = cases.explode("bentuk").groupby(["kecamatan", "tahun", "bentuk"]).size().reset_index(name="n")
    parts.append(forms.rename(columns={"bentuk": "kategori"}).assign(family="bentuk"))
    out = pd.concat(parts, ignore_index=True)
    out["kategori"] = out["kategori"].astype(object)
    return out[["family", "kategori", "kecamatan", "tahun", "n"]]


DIMS = ("kelompok_umur", "jenis_kelamin", "tempat_kejadian", "bentuk")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(warehouses())
def test_generated_warehouses_survive_the_attack(cases):
    atoms = atoms_of(cases)
    years = sorted(cases["tahun"].unique().tolist())
    kec = sorted(cases["kecamatan"].unique().tolist())
    if os.environ.get("KLA_AUDIT_DUMP"):
        cases.to_pickle(os.environ["KLA_AUDIT_DUMP"])
    pub = publication.build(atoms, kec, years)
    a = attack.attacker_of(pub, kec, dims=DIMS)
    slider = (min(years), max(years) + 1)  # the slider reaches the sidebar's year past the register
    kabkota = sorted({k[:5] for k in kec})
    for kk in kabkota:
        units = [k for k in kec if k.startswith(kk)]
        attack.collect(a, pub, kk, units, slider, dims=DIMS)
    if len(kabkota) > 1:  # the province view: its kab/kota as units
        attack.collect(a, pub, "74", kabkota, slider, dims=DIMS)
    attack.truth_check(a, atoms)
    assert a.exposed() == []
