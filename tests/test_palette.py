"""One palette (kla/palette.py): the Streamlit theme holds the same colours, no other module writes its own,
and each KLA category has one colour everywhere (map, tables, score chart, slides)."""

from __future__ import annotations

import ast
import csv
import re
import tokenize
import tomllib
from pathlib import Path

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
