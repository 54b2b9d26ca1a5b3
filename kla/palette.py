"""The dashboard's colours, named, in one place: charts, maps, page CSS, the login form, the PPTX and the PDF.

Every other module imports its colours from here (tests/test_palette.py checks that no module in kla/, pages/
or app.py writes a colour literal of its own, and that .streamlit/config.toml's [theme], which cannot import
Python, holds the same values).
"""

from __future__ import annotations

# --- brand and text (the Streamlit theme: .streamlit/config.toml [theme]) ----------------------------------------
PRIMARY = "#0B6E6E"  # teal: titles, the main series, buttons (primaryColor)
ACCENT = "#E07A1F"  # orange: points at stake, the second series
TEXT = "#1B2B2B"  # body text (textColor)
MUTED = "#4A5C5C"  # subtitles, card labels, footers
BACKGROUND = "#FFFFFF"  # page and chart background (backgroundColor)
SECONDARY_BACKGROUND = "#F1F5F4"  # sidebar, inputs (secondaryBackgroundColor)
GRID = "#E3E9E8"  # chart grid lines
PALE = "#DCE8E7"  # a group's maximum behind its score, card borders
PRIMARY_LIGHT = "#9DB8B8"  # last year's bars beside this year's (PRIMARY)
BORDER = "#B8C4C2"  # form inputs
LEGEND_BACKGROUND = "rgba(255,255,255,0.85)"  # a map legend over the areas

# The categorical sequence: one series after another (chartCategoricalColors).
CATEGORICAL = (PRIMARY, ACCENT, "#3B5BA9", "#B5446E", "#6A8D2F", "#7A5C99", "#C9A227")

# --- the KLA categories: one colour each, on the map, in tables, on the score chart, in the slides ---------------
# Belum: below Pratama or not rated (drawn like an area without data). The tiers are ranked, so their colours are
# too: light to dark green (ColorBrewer YlGn), told apart also with colour blindness (tests/test_palette.py).
NO_DATA = "#E0E0E0"
KATEGORI = {
    "Belum": NO_DATA,
    "Pratama": "#C7E9B4",
    "Madya": "#78C679",
    "Nindya": "#31A354",
    "Utama": "#006837",
    "KLA": "#00341E",
}

# --- maps ----------------------------------------------------------------------------------------------------------
# The areas: five classes of a ColorBrewer sequential scheme (Brewer, colorbrewer2.org: safe for colour-blind
# viewers), light to dark in clearly distinct steps (tests/test_palette.py measures them, also as seen with red-green
# and blue-yellow colour blindness), without the near-white first class of the schemes.
SEQUENTIAL_GOOD = tuple(KATEGORI[c] for c in ("Pratama", "Madya", "Nindya", "Utama", "KLA"))  # YlGn: more is better
SEQUENTIAL_BAD = ("#FED976", "#FD8D3C", "#E31A1C", "#BD0026", "#800026")  # YlOrRd: more is worse (cases, per RBRA)
AREA_LINE = MUTED  # the outline of each area (white outlines vanish between two light areas)
# RBRA by standardisation status, from not yet to the top tier: Okabe & Ito's colour-blind-safe colours.
RBRA_STATUS = {
    "Belum Terstandar": "#8C8C8C",
    "Proses Standardisasi": "#E69F00",
    "RBRA": "#56B4E9",
    "RBRA Madya": "#0072B2",
    "RBRA Utama": "#1A1A1A",
}
RBRA_OTHER = "#455A64"  # an RBRA status not listed above
PROPOSAL = "#882255"  # proposed RBRA sites (Paul Tol's wine: apart from every status, also when colour-blind)
REACH = TEXT  # the outline of the area within the service radius, drawn over the areas
REACH_FILL = "rgba(255,255,255,0.6)"  # and its fill: lightens whatever area colour lies under it

# --- alerts (indicator status, overdue follow-ups) -----------------------------------------------------------------
GOOD = "#1E8E3E"
WARNING = "#E0A800"
DANGER = "#C62828"
NEUTRAL = "#8A9A9A"


def rgb(color: str) -> tuple[int, int, int]:
    """ "#0B6E6E" -> (11, 110, 110), for python-pptx and fpdf."""
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _luminance(color: str) -> float:
    """WCAG relative luminance."""
    channels = [c / 255 for c in rgb(color)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def on(background: str) -> str:
    """The text colour to write on `background`: TEXT or BACKGROUND, whichever contrasts more (WCAG)."""
    lum = _luminance(background)
    dark = (lum + 0.05) / (_luminance(TEXT) + 0.05)
    light = (_luminance(BACKGROUND) + 0.05) / (lum + 0.05)
    return TEXT if dark >= light else BACKGROUND


def cell_css(background: str, bold: bool = False) -> str:
    """A table cell's CSS (pandas Styler) on `background`, its text in the colour that reads on it."""
    return f"background-color: {background}; color: {on(background)}" + ("; font-weight: 600" if bold else "")
