"""kla/views/peta.py against the sample warehouse (with and without Kendari's real boundaries): the map's areas,
values and hovers equal SQL, the names sit at the reference points in an ink that reads, the reach lies over the
areas, the public case figures carry the privacy marks, the city share (headline card) equals an independent
geopandas calculation and counts the children of the unit without a polygon (named under the map), a tap's detail
equals SQL, the panel, ranking and proposals tables, the province units table and the meeting deck's map
(slide_map) with the same city share as the page."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from kla import db, geodata, glyphs, maps, palette, slides
from kla.fmt import fmt_int, md_text, plot_text
from kla.i18n import t
from kla.privacy import protect
from kla.views import Context
from kla.views import peta as view
from tests.conftest import REPO, sql
from tests.test_peta import independent_coverage

KENDARI = "74.71"
RADIUS = 500.0


def year_of(data_dir) -> int:
    return int(sql(data_dir, "SELECT max(tahun) AS y FROM fact_penduduk")["y"].iloc[0])


def context(data_dir, public=True, lang="id", region=KENDARI, region_name="Kota Kendari") -> Context:
    key = db.current_key()
    return Context(key, db.version_of(key), year_of(data_dir), None, None, lang, public, region, region_name)


@pytest.fixture()
def geo(geo_data_dir, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(geo_data_dir))
    return geo_data_dir


@pytest.fixture()
def plain(no_geo_data_dir, monkeypatch):
    """The synthetic sample without boundaries."""
    monkeypatch.setenv("KLA_DATA_DIR", str(no_geo_data_dir))
    return no_geo_data_dir


def areas(fig, grey=True) -> dict:
    """location -> z of the choropleth traces (the grey "no value" trace too unless grey=False)."""
    return {
        loc: z
        for tr in fig.data
        if tr.type == "choroplethmap" and (grey or tr.name != "—")
        for loc, z in zip(tr.locations, tr.z)
    }


def rbra_traces(fig) -> list:
    """The map's RBRA traces (their points carry "rbra:<id>")."""
    return [tr for tr in fig.data if tr.type == "scattermap" and str((tr.customdata or [""])[0]).startswith("rbra:")]


def labels(fig) -> dict:
    """name -> (lat, lon, ink) of the names drawn on the map."""
    return {
        n: (a, b, tr.textfont.color)
        for tr in fig.data
        if tr.type == "scattermap" and tr.mode == "text"
        for n, a, b in zip(tr.text, tr.lat, tr.lon)
    }


def hovers(fig, kind="choroplethmap") -> list[str]:
    return [str(h) for tr in fig.data if tr.type == kind for h in (tr.text if tr.text is not None else [])]


def children(data_dir, year) -> pd.Series:
    return sql(
        data_dir,
        "SELECT kode_kecamatan AS k, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? GROUP BY 1",
        [year],
    ).set_index("k")["n"]


def rbra(data_dir, year) -> pd.DataFrame:
    return sql(
        data_dir,
        "SELECT nama, kode_kecamatan, latitude, longitude FROM fact_rbra WHERE tahun IS NULL OR tahun <= ?",
        [year],
    )


def public_cases(data_dir, year) -> pd.DataFrame:
    """The kecamatan x year case table protected for the public, straight from SQL and kla.privacy."""
    counts = sql(
        data_dir,
        "SELECT kode_kecamatan AS k, year(bulan_pelaporan) AS y, count(*) AS n FROM fact_kasus GROUP BY ALL",
    )
    kec = sql(data_dir, "SELECT kode FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")["kode"].tolist()
    years = list(range(int(counts["y"].min()), max(int(counts["y"].max()), year) + 1))
    table = counts.pivot_table(index="k", columns="y", values="n", aggfunc="sum", fill_value=0)
    return protect(table.reindex(index=kec, columns=years, fill_value=0), public=True)


# --- controls -------------------------------------------------------------------------------------
def test_layers_and_metric_options_follow_the_boundaries(geo):
    ctx = context(geo)
    lay = view.layers(ctx)
    assert (lay.above, lay.has_kec, lay.has_kel, lay.cov_level) == (False, True, True, "kelurahan")
    assert lay.levels == ["kecamatan", "kelurahan"]
    assert view.metric_options(ctx, "kecamatan", lay.cov_level) == [
        "anak",
        "anak_per_rbra",
        "rbra_per_1000",
        "kasus_per_1000",
        "persen_terjangkau",
        "kategori",
    ]
    # kelurahan have no case figures and no rating; without coverage there is no reach metric
    assert view.metric_options(ctx, "kelurahan", lay.cov_level) == [
        "anak",
        "anak_per_rbra",
        "rbra_per_1000",
        "persen_terjangkau",
    ]
    assert "persen_terjangkau" not in view.metric_options(ctx, "kecamatan", None)


# --- the map --------------------------------------------------------------------------------------
def test_map_areas_hovers_and_points_equal_sql(geo):
    ctx = context(geo)
    fig = view.map_figure(ctx, "kecamatan", "anak", RADIUS, False, view.sites(ctx, RADIUS, 0, "centroid"))
    kids = children(geo, ctx.year)
    assert areas(fig) == dict(zip(kids.index, kids.astype(float)))
    assert fig.layout.map.style == maps.NAMES_STYLE  # offline (this app's style and glyphs) unless the basemap is on
    names = sql(geo, "SELECT kode, nama FROM dim_wilayah WHERE level = 'kecamatan'").set_index("kode")["nama"]
    texts = dict(zip((loc for tr in fig.data if tr.type == "choroplethmap" for loc in tr.locations), hovers(fig)))
    for code, text in texts.items():
        assert text.startswith(f"<b>Kec. {plot_text(names[code])}</b><br>Jumlah anak: {fmt_int(kids[code])}<br>")
        assert "<br>% anak dalam 500 m: " in text
    pts = rbra(geo, ctx.year).dropna(subset=["latitude"])
    got = sorted((round(a, 6), round(b, 6)) for tr in rbra_traces(fig) for a, b in zip(tr.lat, tr.lon))
    assert got == sorted((round(a, 6), round(b, 6)) for a, b in zip(pts["latitude"], pts["longitude"]))
    assert all(any(h.startswith(f"<b>{plot_text(n)}</b><br>") for h in hovers(fig, "scattermap")) for n in pts["nama"])
    assert view.map_figure(ctx, "kecamatan", "anak", RADIUS, True, pd.DataFrame()).layout.map.style == "carto-positron"


def test_kelurahan_map_and_a_click_on_a_kelurahan_opens_its_kecamatan(geo):
    ctx = context(geo)
    fig = view.map_figure(ctx, "kelurahan", "persen_terjangkau", RADIUS, False, pd.DataFrame())
    locs = list(areas(fig))
    assert len(locs) == 64 and all(loc.count(".") == 3 for loc in locs)
    assert all(h.startswith("<b>Kel. ") for h in hovers(fig))
    assert view.parent_kecamatan(ctx, "kelurahan", RADIUS, "74.71.01.1006") == "74.71.01"
    assert view.parent_kecamatan(ctx, "kecamatan", RADIUS, "74.71.05") == "74.71.05"
    assert view.parent_kecamatan(ctx, "kelurahan", RADIUS, "74.71.99.9999") is None


def test_public_case_rates_and_hovers_carry_the_privacy_marks(geo):
    ctx = context(geo, public=True)
    table = public_cases(geo, ctx.year)
    visible, shown = table.visible()[ctx.year], table.shown()[ctx.year]
    kids = children(geo, ctx.year)
    fig = view.map_figure(ctx, "kecamatan", "kasus_per_1000", RADIUS, False, pd.DataFrame())
    expected = {k: visible[k] / kids[k] * 1000 for k in kids.index if visible[k] == visible[k]}
    got = areas(fig, grey=False)
    assert set(got) == set(expected) and all(abs(got[k] - expected[k]) < 1e-9 for k in expected)
    marks = {k: v for k, v in shown.items() if isinstance(v, str) and k in kids.index}
    assert marks, "the sample has hidden cells for the public"
    for text in hovers(fig):  # no hover shows a count from 1 to 4; a hidden cell shows its mark
        assert not re.search(rf"Kasus {ctx.year}: [1-4](<|$)", text), text
    for code, mark in marks.items():  # the panel's case card shows the same mark
        assert view.panel(ctx, code, RADIUS).cards[-1].value == mark
        assert any(f"Kasus {ctx.year}: {plot_text(mark)}<br>" in h for h in hovers(fig))


def test_caption_has_the_metric_and_the_common_words(geo):
    for lang in ("id", "en"):
        caption = view.map_caption(context(geo, lang=lang), "persen_terjangkau", 750)
        assert caption.startswith(t("peta.caption_persen_terjangkau", lang=lang, radius=fmt_int(750, lang)))
        assert t("peta.caption_common", lang=lang) in caption


# --- coverage, ranking, proposals -------------------------------------------------------------------
@pytest.mark.parametrize("radius", [500, 1000])
def test_city_share_equals_independent_geopandas_and_heads_the_ranking(geo, radius):
    ctx = context(geo)
    share = view.city_reached(ctx, radius)
    assert abs(share - independent_coverage(geo, ctx.year, radius)) < 0.5
    worst = view.unreached(ctx, radius, "kelurahan")
    assert worst.caption == t("peta.city_reached", lang="id", radius=fmt_int(radius), pct=f"{fmt_int(share)}%")
    shown = worst.table.data
    assert list(shown.columns) == ["Nama", "Kecamatan", "Anak", "% terjangkau", "Anak belum terjangkau"]
    assert len(shown) == 10
    left = shown["Anak belum terjangkau"].tolist()
    assert left == sorted(left, reverse=True)
    kel = sql(geo, "SELECT nama FROM geo_batas WHERE level = 'kelurahan'")["nama"]
    assert set(shown["Nama"]) <= set(kel)
    assert worst.title == t("peta.unreached_title", lang="id", radius=fmt_int(radius))


def test_proposals_on_the_map_and_in_their_table(geo):
    ctx = context(geo, lang="en")
    sites = view.sites(ctx, RADIUS, 3, "centroid")
    assert len(sites) == 3
    fig = view.map_figure(ctx, "kecamatan", "anak", RADIUS, False, sites)
    proposed = [tr for tr in fig.data if tr.name == t("peta.proposals", lang="en")]
    assert len(proposed) == 1 and len(proposed[0].lat) == 3
    assert proposed[0].text[0].startswith(f"<b>{t('peta.proposal', lang='en', n=1)}</b><br>")
    listed = view.proposals_table(ctx, sites, RADIUS)
    shown = listed.table.data
    assert list(shown.columns) == [
        t(f"peta.col_{c}", lang="en") for c in ("urutan", "nama", "kecamatan", "anak_tambahan", "lat", "lon")
    ]
    gains = shown[t("peta.col_anak_tambahan", lang="en")].tolist()
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    assert all(re.fullmatch(r"-?\d+\.\d{5}", v) for v in shown[t("peta.col_lat", lang="en")])  # English decimals
    assert listed.caption == t("peta.proposals_caption", lang="en", radius="500")


# --- drill-down panel -----------------------------------------------------------------------------
def test_panel_of_a_kecamatan_equals_sql(geo):
    ctx = context(geo, public=False)
    panel = view.panel(ctx, "74.71.01", RADIUS)
    assert panel.title == f"Kec. {md_text('Mandonga')}"
    kids = children(geo, ctx.year)
    cards = {c.label: c for c in panel.cards}
    assert cards["Jumlah anak"].value == fmt_int(kids["74.71.01"])
    points = rbra(geo, ctx.year)
    mine = points[points["kode_kecamatan"] == "74.71.01"]
    assert cards["RBRA"].value == fmt_int(len(mine)) and cards["RBRA"].neutral
    names = sql(geo, "SELECT nama FROM geo_batas WHERE level = 'kelurahan' AND kode LIKE '74.71.01.%'")["nama"]
    kel = panel.kelurahan.data
    assert sorted(kel["Nama"]) == sorted(names)
    assert list(kel.columns) == ["Nama", "Anak", "RBRA", "% terjangkau", "Anak belum terjangkau"]
    assert kel["RBRA"].sum() == len(mine)
    assert sorted(panel.rbra["Nama"]) == sorted(mine["nama"])
    assert list(panel.rbra.columns) == ["Nama", "Kelurahan", "Status", "Tahun"]


# --- without boundaries ---------------------------------------------------------------------------
def test_without_boundaries_bubbles_no_coverage_and_a_reference_kelurahan_table(plain):
    ctx = context(plain)
    lay = view.layers(ctx)
    assert (lay.has_kec, lay.has_kel, lay.cov_level, lay.levels) == (False, False, None, ["kecamatan"])
    sites = view.sites(ctx, RADIUS, 3, "centroid")
    assert sites.empty and view.proposals_table(ctx, sites, RADIUS).table is None
    assert view.city_reached(ctx, RADIUS) is None
    assert view.unplaced_note(ctx, RADIUS) is None  # no coverage: nothing to count them in
    assert [c.label for c in view.headline(ctx, RADIUS)] == ["Jumlah anak", "RBRA"]
    fig = view.map_figure(ctx, "kecamatan", "anak", RADIUS, False, sites)
    assert not any(tr.type == "choroplethmap" for tr in fig.data)
    assert fig.data[0].type == "scattermap" and len(fig.data[0].lat) == 11
    kids = children(plain, ctx.year)
    assert dict(zip(fig.data[0].customdata, fig.data[0].marker.color)) == dict(zip(kids.index, kids.astype(float)))
    panel = view.panel(ctx, "74.71.02", RADIUS)
    kel = panel.kelurahan.data
    assert list(kel.columns) == ["Nama", "Anak", "RBRA"]
    ref = sql(plain, "SELECT nama FROM dim_wilayah WHERE level = 'kelurahan' AND kode LIKE '74.71.02.%'")["nama"]
    assert sorted(kel["Nama"]) == sorted(ref)
    assert kel["Anak"].sum() == kids["74.71.02"]


# --- province -------------------------------------------------------------------------------------
def test_province_units_table_is_per_kabkota_and_protected(geo):
    ctx = context(geo, public=True, region="74", region_name="Sulawesi Tenggara")
    lay = view.layers(ctx)
    assert lay.above and lay.levels == ["kabkota"] and lay.cov_level is None
    options = view.metric_options(ctx, "kabkota", lay.cov_level)
    assert "kategori" not in options and "persen_terjangkau" not in options
    table = view.units_table(ctx, RADIUS).data
    assert list(table.columns) == [
        "Kabupaten/kota",
        "Anak",
        "RBRA",
        "RBRA terstandar",
        "Anak per RBRA",
        f"Kasus {ctx.year}",
        "Kasus per 1.000 anak",
    ]
    row = table.set_index("Kabupaten/kota").loc["Kota Kendari"]
    assert row["Anak"] == children(geo, ctx.year).sum()
    assert row["RBRA"] == len(rbra(geo, ctx.year))
    cases = sql(geo, "SELECT count(*) AS n FROM fact_kasus WHERE year(bulan_pelaporan) = ?", [ctx.year])["n"].iloc[0]
    assert cases >= 5 and row[f"Kasus {ctx.year}"] == cases  # one kab/kota: its count is the province's
    assert view.unit_names(ctx, RADIUS) == {KENDARI: "Kota Kendari"}
    fig = view.map_figure(ctx, "kabkota", "anak", RADIUS, False, pd.DataFrame())
    assert hovers(fig)[0].startswith("<b>Kota Kendari</b>")  # no "Kec." above a kab/kota


# --- the meeting deck's map -----------------------------------------------------------------------
def test_slide_map_is_the_decks_map_with_the_pages_city_share(geo):
    ctx = context(geo)
    fig, metric, sub = view.slide_map(ctx, RADIUS)
    assert metric == "persen_terjangkau"
    page = view.map_figure(ctx, "kecamatan", "persen_terjangkau", RADIUS, False, pd.DataFrame())
    assert areas(fig) == areas(page)  # the same coverage per kecamatan as the page
    assert sorted(hovers(fig)) == sorted(plot_text(n) for n in view.units(ctx, RADIUS)["nama"])  # names only
    share = view.city_reached(ctx, RADIUS)
    n = len(rbra(geo, ctx.year))
    assert sub == t("slides.map_sub", lang="id", radius="500", pct=fmt_int(share), n=n)
    deck = slides.build(ctx.key, ctx.version, ctx.year, "id", True, dt.date(2026, 1, 15), KENDARI, "Kota Kendari")
    (slide,) = [s for s in deck if s.title == t("slides.map_title", lang="id", year=ctx.year)]
    assert slide.figure.to_json() == fig.to_json()
    assert fig.layout.map.style == maps.OFFLINE_STYLE  # no names: plotly's plain style, which kaleido draws offline


def test_slide_map_without_boundaries_counts_points_only(plain):
    ctx = context(plain, lang="en")
    fig, metric, sub = view.slide_map(ctx, RADIUS)
    assert metric == "anak_per_rbra"
    assert fig.data[0].type == "scattermap" and len(fig.data[0].lat) == 11
    assert sub == t("slides.map_sub_points", lang="en", n=len(rbra(plain, ctx.year)))


# --- names, reach, colours ---------------------------------------------------------------------------------------
def test_names_at_the_reference_points_in_an_ink_that_reads(geo):
    ctx = context(geo)
    fig = view.map_figure(ctx, "kecamatan", "anak", RADIUS, False, pd.DataFrame())
    ref = pd.read_csv(REPO / "data" / "reference" / "wilayah.csv", dtype=str)
    ref = ref[(ref["level"] == "kecamatan") & ref["kode"].str.startswith(KENDARI + ".")]
    shown = labels(fig)
    assert sorted(shown) == sorted(plot_text(n) for n in ref["nama"])  # all 11 kecamatan
    fills = dict(zip(view.units(ctx, RADIUS)["kode"], maps.fill_colors(view.units(ctx, RADIUS), maps.METRICS["anak"])))
    for _, r in ref.iterrows():
        lat, lon, ink = shown[plot_text(r["nama"])]
        assert (round(lat, 5), round(lon, 5)) == (round(float(r["lat"]), 5), round(float(r["lon"]), 5))
        assert ink == palette.on(fills[r["kode"]])  # dark on light areas, white on dark ones
    assert {palette.TEXT, palette.BACKGROUND} == {ink for *_, ink in shown.values()}  # the sample has both
    fonts = {tr.textfont.family for tr in fig.data if tr.type == "scattermap" and tr.mode == "text"}
    assert fonts == {glyphs.FONT} and glyphs.file_of(glyphs.FONT, "0-255") is not None  # served by this app
    # the kelurahan map names the kelurahan that have a polygon (Wundumbatu has none)
    kel = labels(view.map_figure(ctx, "kelurahan", "anak", RADIUS, False, pd.DataFrame()))
    assert len(kel) == 64 and "Wundumbatu" not in kel


def test_the_reach_is_drawn_over_the_areas_and_under_the_points(geo):
    ctx = context(geo)
    fig = view.map_figure(ctx, "kecamatan", "persen_terjangkau", RADIUS, False, pd.DataFrame())
    kinds = [
        "area"
        if tr.type == "choroplethmap"
        else "reach"
        if tr.fill == "toself"
        else "rbra"
        if tr in rbra_traces(fig)
        else "other"
        for tr in fig.data
    ]
    reach = kinds.index("reach")
    assert kinds.count("reach") == 1 and all(k == "area" for k in kinds[:reach]) and "area" not in kinds[reach:]
    assert reach < kinds.index("rbra")
    (layer,) = [tr for tr in fig.data if tr.type == "scattermap" and tr.fill == "toself"]
    assert layer.name == "Dalam 500 m dari RBRA" and layer.hoverinfo == "skip"  # a tap goes to the area under it
    assert not fig.layout.map.layers  # nothing drawn under the areas any more
    # its outline is the union of the 500 m discs: every RBRA lies inside it
    rings = [[]]
    for a, b in zip(layer.lat, layer.lon):
        rings[-1].append((b, a)) if a is not None else rings.append([])
    import shapely

    union = shapely.union_all([shapely.Polygon(r) for r in rings if len(r) >= 3])
    pts = rbra(geo, ctx.year).dropna(subset=["latitude"])
    assert all(union.contains(shapely.Point(x, y)) for x, y in zip(pts["longitude"], pts["latitude"]))


def test_a_tap_on_a_point_selects_without_fading_the_map(geo):
    ctx = context(geo)
    fig = view.map_figure(ctx, "kecamatan", "anak", RADIUS, False, view.sites(ctx, RADIUS, 2, "centroid"))
    for tr in fig.data:
        if tr.type == "choroplethmap" or tr.mode == "markers":  # (choropleths first: they have no mode)
            assert tr.unselected.marker.opacity == tr.selected.marker.opacity == tr.marker.opacity, tr.name


# --- the headline, the unit without a polygon, slide 4 -------------------------------------------------------------
def test_headline_card_is_the_city_share_of_every_child(geo):
    ctx = context(geo)
    year = ctx.year
    (card,) = view.headline(ctx, RADIUS)
    total = sql(geo, "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ?", [year])["n"].iloc[0]
    reached, all_children = view.city_children(ctx, RADIUS)
    assert all_children == total  # Wundumbatu's 1.198 children too (the polygons alone hold fewer)
    polygons = geodata.coverage_table(ctx.key, year, RADIUS, "kelurahan", KENDARI)["anak"].sum()
    assert polygons < total
    share = independent_coverage(geo, year, RADIUS)
    assert abs(reached / total * 100 - share) < 0.05
    assert card.label == "Anak dalam 500 m dari RBRA"
    assert card.value == f"{fmt_int(share)}%"
    assert card.delta == f"{fmt_int(reached)} dari {fmt_int(total)} anak" and card.neutral
    # the kecamatan figures add up to the same children and the same reach
    kec = view.units(ctx, RADIUS)
    kids = children(geo, year)
    assert dict(zip(kec["kode"], kec["anak"])) == dict(zip(kids.index, kids.astype(float)))
    cov = geodata.kecamatan_coverage(ctx.key, year, RADIUS, "kelurahan", KENDARI)
    assert cov["anak"].sum() == total and abs(cov["anak_terjangkau"].sum() - reached) < 1e-6


def test_the_unit_without_a_polygon_is_named_and_counted(geo):
    ctx = context(geo)
    n = sql(
        geo,
        "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? AND kode_wilayah = '74.71.04.1021'",
        [ctx.year],
    )["n"].iloc[0]
    assert n > 0
    missing = geodata.unplaced(ctx.key, ctx.year, "kelurahan", KENDARI)
    assert missing[["kode", "nama", "kode_kecamatan", "anak"]].values.tolist() == [
        ["74.71.04.1021", "Wundumbatu", "74.71.04", n]
    ]
    assert view.unplaced_note(ctx, RADIUS) == t(
        "peta.unplaced_spread", lang="id", unit="Kel. Wundumbatu", n=fmt_int(n), kecamatan="Kec. Poasia"
    )
    en = view.unplaced_note(context(geo, lang="en"), RADIUS)
    assert en.startswith("Kel. Wundumbatu has no boundary on the map;") and fmt_int(n, "en") in en
    # Poasia's own share counts them, spread over the kecamatan: its children are all of Poasia's
    poasia = view.units(ctx, RADIUS).set_index("kode").loc["74.71.04"]
    assert poasia["anak"] == children(geo, ctx.year)["74.71.04"]
    without = geodata.coverage_table(ctx.key, ctx.year, RADIUS, "kelurahan", KENDARI)
    without = without[without["kode_kecamatan"] == "74.71.04"]
    assert without["anak"].sum() + n == poasia["anak"]


def test_slide_four_says_the_pages_figure(geo):
    ctx = context(geo)
    (card,) = view.headline(ctx, RADIUS)
    deck = slides.build(ctx.key, ctx.version, ctx.year, "id", True, dt.date(2026, 1, 15), KENDARI, "Kota Kendari")
    (slide,) = [s for s in deck if s.title == t("slides.map_title", lang="id", year=ctx.year)]
    n = len(rbra(geo, ctx.year))
    assert card.value == "17%"  # 17.5%: Wundumbatu counted (without it 17.6%, shown as 18% before issue 21)
    assert slide.subtitle == t("slides.map_sub", lang="id", radius="500", pct=card.value.rstrip("%"), n=n)
    assert view.unplaced_note(ctx, RADIUS, markdown=False) in slide.notes  # the slide names Wundumbatu too
    assert slide.notes.count("Kel. Wundumbatu tidak punya batas wilayah") == 1


# --- what a tap selected ------------------------------------------------------------------------------------------
def test_the_detail_of_a_tapped_rbra_kecamatan_kelurahan_and_proposal(geo):
    ctx = context(geo, public=True)
    points = view.rbra_points(ctx)
    r = points.dropna(subset=["lat"]).iloc[0]
    picked = view.selection(ctx, "kecamatan", RADIUS, f"rbra:{r['rbra_id']}", pd.DataFrame())
    assert picked.title == md_text(r["nama"]) and picked.kecamatan == r["kode_kecamatan"]
    assert picked.lines[0] == f"Kel. {md_text(r['kelurahan'])}, Kec. {md_text(r['kecamatan'])}"
    assert picked.lines[1] == f"Status: {md_text(r['status'])}"
    within = geodata.rbra_reach(ctx.key, ctx.year, RADIUS, KENDARI)[r["rbra_id"]]
    assert picked.lines[-1] == f"Anak dalam 500 m dari RBRA ini: **{fmt_int(within)}**"
    assert 0 < within < view.city_children(ctx, RADIUS)[0]  # one RBRA reaches part of the reached children
    # a kecamatan: its children and RBRA (SQL), and the public case label (protected table)
    kec = view.selection(ctx, "kecamatan", RADIUS, "74.71.01", pd.DataFrame())
    kids = children(geo, ctx.year)
    assert kec.title == "Kec. Mandonga" and kec.kecamatan == "74.71.01"
    assert kec.lines[0] == f"Jumlah anak: **{fmt_int(kids['74.71.01'])}**"
    mine = rbra(geo, ctx.year).query("kode_kecamatan == '74.71.01'")
    assert kec.lines[1].startswith(f"RBRA: {fmt_int(len(mine))} (")
    shown = public_cases(geo, ctx.year).shown()[ctx.year]["74.71.01"]
    assert kec.lines[-1] == f"Kasus {ctx.year}: {md_text(str(shown))}"
    # a kelurahan opens its kecamatan; a proposal names its kelurahan and gain
    kel = view.selection(ctx, "kelurahan", RADIUS, "74.71.01.1006", pd.DataFrame())
    assert kel.title.startswith("Kel. ") and kel.kecamatan == "74.71.01"
    sites = view.sites(ctx, RADIUS, 2, "centroid")
    prop = view.selection(ctx, "kecamatan", RADIUS, "usulan:1", sites)
    assert prop.title == "Usulan 1" and prop.kecamatan == sites["kode"].iloc[0][:8]
    assert fmt_int(sites["anak_tambahan"].iloc[0]) in prop.lines[-1]
    for unknown in (None, "", "rbra:nope", "usulan:9", "74.71.99"):
        assert view.selection(ctx, "kecamatan", RADIUS, unknown, sites) is None


def test_a_tap_is_read_from_the_selection_event():
    assert maps.selected_location({"selection": {"points": [{"location": "74.71.01"}]}}) == "74.71.01"
    assert maps.selected_location({"selection": {"points": [{"customdata": "rbra:ab12"}]}}) == "rbra:ab12"
    assert maps.selected_location({"selection": {"points": [{"customdata": ["usulan:2"]}]}}) == "usulan:2"
    assert maps.selected_location({"selection": {"points": [{"customdata": 3}]}}) is None
    assert maps.selected_location({"selection": {"points": []}}) is None and maps.selected_location(None) is None
