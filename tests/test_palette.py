"""One palette (kla/palette.py): the Streamlit theme holds the same colours, no other module writes its own,
each KLA category has one colour everywhere (map, tables, score chart, slides), and the map's colours can be told
apart, also by colour-blind readers (CIE L*a*b* differences, with simulated red-green and blue-yellow blindness)."""

from __future__ import annotations

import ast
import csv
import re
import tokenize
import tomllib
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kla import charts, maps, palette

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    p for p in [REPO / "app.py", *(REPO / "kla").glob("*.py"), *(REPO / "pages").glob("*.py")] if p.name != "palette.py"
)
HEX = re.compile(r"#(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3,4})\b")
RGB_FUNCTION = re.compile(r"\b(?:rgba?|hsla?)\s*\(")
NAMED = {"white", "black", "red", "green", "blue", "grey", "gray", "orange", "yellow", "purple", "teal"}
CSS_NAMED = re.compile(r"\b(?:color|background(?:-color)?)\s*:\s*(" + "|".join(sorted(NAMED)) + r")\b", re.I)
RGB_CALLS = {"RGBColor", "set_text_color", "set_draw_color", "set_fill_color"}


def theme() -> dict:
    return tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]


def test_the_streamlit_theme_holds_the_palettes_colours():
    th = theme()
    assert th["primaryColor"] == palette.PRIMARY
    assert th["textColor"] == palette.TEXT
    assert th["backgroundColor"] == palette.BACKGROUND
    assert th["secondaryBackgroundColor"] == palette.SECONDARY_BACKGROUND
    assert th["chartCategoricalColors"] == list(palette.CATEGORICAL)


def _colour_literals(path: Path) -> list[str]:
    """Colour literals in a module's strings (f-strings included) and RGB numbers passed to pptx/fpdf."""
    found = []
    rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
    with open(path, "rb") as fh:
        for tok in tokenize.tokenize(fh.readline):
            if tok.type != tokenize.STRING:
                continue
            where = f"{rel}:{tok.start[0]}"
            found += [f"{where} {m}" for m in HEX.findall(tok.string)]
            found += [f"{where} {m.group(0)}" for m in RGB_FUNCTION.finditer(tok.string)]
            found += [f"{where} {m.group(0)}" for m in CSS_NAMED.finditer(tok.string)]
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                value = None
            if isinstance(value, str) and value.lower() in NAMED:
                found.append(f"{where} {value!r}")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in RGB_CALLS and any(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in node.args):
                found.append(f"{rel}:{node.lineno} {name}(...numbers)")
    return found


def test_no_module_but_the_palette_defines_a_colour():
    assert len(SOURCES) > 20
    assert [f for p in SOURCES for f in _colour_literals(p)] == []


def test_the_check_finds_colour_literals(tmp_path):
    """The grep above would catch a colour written the ways this code base used to write them."""
    sample = tmp_path / "probe.py"
    text = (
        'A = "#0B6E6E"\nB = f"<div style=\'color:#1B2B2B\'>{A}</div>"\nC = "rgba(255,255,255,0.85)"\n'
        'D = "white"\nE = "background-color: #C62828; color: white"\npdf.set_text_color(11, 110, 110)\n'
        "F = RGBColor(0x0B, 0x6E, 0x6E)\n"
    )
    sample.write_text(text)
    found = " ".join(_colour_literals(sample))
    for expected in ("#0B6E6E", "#1B2B2B", "rgba(", "'white'", "color: white", "set_text_color", "RGBColor"):
        assert expected in found, expected


def test_each_kla_category_has_one_colour():
    with open(REPO / "data" / "reference" / "kategori_kla.csv", encoding="utf-8") as fh:
        bands = [r["kategori"] for r in sorted(csv.DictReader(fh), key=lambda r: int(r["urut"]))]
    assert list(palette.KATEGORI) == ["Belum", *bands]
    colours = list(palette.KATEGORI.values())
    assert len(set(c.upper() for c in colours)) == len(colours)  # no two categories share a colour
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    # the map draws each category in exactly that colour
    assert maps.CATEGORY_ORDER == bands
    assert maps.CATEGORY_COLORS == [palette.KATEGORI[c] for c in bands]
    frame = pd.DataFrame({"kategori": [*bands, None]})
    codes, extra = maps._values(frame, maps.METRICS["kategori"])
    n = len(bands)
    for code, category in zip(codes[:n], bands):
        at = (code - extra["zmin"]) / (extra["zmax"] - extra["zmin"])
        below = [c for pos, c in extra["colorscale"] if pos <= at][-1]
        above = [c for pos, c in extra["colorscale"] if pos >= at][0]
        assert below == above == palette.KATEGORI[category], category
    assert codes[n] != codes[n]  # no category: NaN, drawn as an area without data
    assert palette.KATEGORI["Belum"] == palette.NO_DATA


def test_the_score_chart_draws_each_band_in_its_categorys_colour():
    bands = pd.DataFrame(
        {"kategori": ["Pratama", "Madya", "Nindya", "Utama", "KLA"], "skor_min": [500, 601, 701, 801, 901]}
    )
    scores = pd.DataFrame({"tahun": [2023, 2024], "nilai": [640.0, 702.5]})
    fig = charts.kla_score_trend(scores, bands, "id", "Nilai", "Tahun")
    lines = {s.y0: s.line.color for s in fig.layout.shapes}
    assert lines == {b: palette.KATEGORI[k] for b, k in zip(bands["skor_min"], bands["kategori"])}


@pytest.mark.parametrize("name", ["PRIMARY", "TEXT", "MUTED", "DANGER"])
def test_rgb_reads_the_hex(name):
    value = getattr(palette, name)
    assert "#{:02X}{:02X}{:02X}".format(*palette.rgb(value)) == value


def test_text_on_a_coloured_cell_reads():
    assert palette.on(palette.BACKGROUND) == palette.TEXT
    assert palette.on(palette.KATEGORI["KLA"]) == palette.BACKGROUND
    assert palette.on(palette.KATEGORI["Madya"]) == palette.TEXT
    assert palette.cell_css(palette.DANGER, bold=True) == (
        f"background-color: {palette.DANGER}; color: {palette.BACKGROUND}; font-weight: 600"
    )


# --- colours a colour-blind reader can tell apart -------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), full severity: linear RGB as seen with protanopia, deuteranopia, tritanopia.
VISION = {
    "normal": np.eye(3),
    "protan": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deutan": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritan": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}


def lab(color: str, vision: str = "normal") -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour as seen with the vision."""
    c = np.array(palette.rgb(color)) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(VISION[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: str) -> float:
    """CIE76 colour difference: about 2 is just noticeable, 10 and more reads as another colour at a glance."""
    return float(np.linalg.norm(lab(a, vision) - lab(b, vision)))


def test_delta_e_tells_the_old_legends_two_blues_apart_from_distinct_colours():
    """The check can fail: the map's old "RBRA" and "RBRA Madya" blues (issue 21) are too close when red-green blind,
    and the old red Pratama and green Nindya too; black and white are not."""
    assert delta_e("#1E88E5", "#1565C0", "deutan") < 15
    assert delta_e("#E57373", "#81C784", "deutan") < 10
    assert delta_e("#000000", "#FFFFFF", "deutan") > 90


@pytest.mark.parametrize("vision", list(VISION))
@pytest.mark.parametrize("scale", ["SEQUENTIAL_GOOD", "SEQUENTIAL_BAD"])
def test_map_classes_are_sequential_and_each_step_is_distinct(scale, vision):
    colors = getattr(palette, scale)
    assert len(colors) == 5
    lightness = [lab(c, vision)[0] for c in colors]
    assert lightness == sorted(lightness, reverse=True)  # light to dark, also without colour vision
    steps = [delta_e(a, b, vision) for a, b in zip(colors, colors[1:])]
    assert min(steps) >= 12, steps
    assert delta_e(colors[0], palette.BACKGROUND, vision) >= 10  # the lightest class is not the page's white


@pytest.mark.parametrize("vision", list(VISION))
def test_points_and_categories_are_apart_also_when_colour_blind(vision):
    points = [*palette.RBRA_STATUS.values(), palette.PROPOSAL]
    assert min(delta_e(a, b, vision) for a, b in combinations(points, 2)) >= 15
    kategori = list(palette.KATEGORI.values())
    assert min(delta_e(a, b, vision) for a, b in combinations(kategori, 2)) >= 10
    ranked = [lab(palette.KATEGORI[k], vision)[0] for k in ("Pratama", "Madya", "Nindya", "Utama", "KLA")]
    assert ranked == sorted(ranked, reverse=True)  # a higher tier is a darker green


def test_the_map_legend_shows_five_distinct_steps():
    """The colorbar is stepped: each class one colour from the palette, edges the reader can say."""
    frame = pd.DataFrame({"anak": [6_412.0, 9_000.0, 12_500.0, 16_950.0, float("nan")]})
    values, extra = maps._values(frame, maps.METRICS["anak"])
    edges = extra["colorbar"]["tickvals"]
    assert edges == [5000.0, 7500.0, 10000.0, 12500.0, 15000.0, 17500.0]  # round widths from a round start
    assert [c for _, c in extra["colorscale"]][::2] == list(palette.SEQUENTIAL_GOOD)
    good = palette.SEQUENTIAL_GOOD
    assert extra["fill"] == [good[0], good[1], good[3], good[4], None]  # 12.500 opens its class; no value: no data
    for values, expected in (
        ([0.0, 94.3], [0, 20, 40, 60, 80, 100]),
        ([2_000, 15_000], [0, 3000, 6000, 9000, 12000, 15000]),
    ):
        assert list(maps.class_edges(values)) == expected
