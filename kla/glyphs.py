"""The map's own label font, served by the app: names on the map without the internet.

MapLibre (plotly's `map` subplot) draws text from signed-distance-field glyphs that it fetches as protobuf files
("glyph PBFs", one per block of 256 code points) from the style's `glyphs` URL. Plotly's styles point that URL at
fonts.openmaptiles.org, so a text trace on an offline map would draw nothing and ask the internet for fonts. A map
with names (kla.maps.add_labels) uses this app's style instead, whose glyphs URL points here: `routes()` serves the
style and the files in kla/assets/glyphs, built once from DejaVu Sans Bold by `python -m kla.glyphs [FONT.ttf]`
(DejaVu's licence allows it: kla/assets/glyphs/README.md).

The files follow the format MapLibre reads (fontnik's): glyphs at 24 px with a 3 px border, distance to the
outline over 8 px, the edge at 3/4 of the byte range.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import shapely

FONT = "DejaVu Sans Bold"  # the fontstack the map's text traces ask for (kla.maps.LABEL_FONT)
ASSETS = Path(__file__).resolve().parent / "assets" / "glyphs"
RANGES = ((0, 255), (256, 511))  # Latin-1 and Latin Extended-A: every region name in data/reference
# Both relative to the page (MapLibre resolves them against it), so they follow a proxy's base path. The style is
# served as a URL, not given to plotly as a dict: plotly.js 3.8 (Streamlit's) stops hovering a choropleth whose
# map style is a dict.
STYLE_URL = "kla/map/style.json"
URL = "kla/map/glyphs/{fontstack}/{range}.pbf"
SYSTEM_TTF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")  # Debian's fonts-dejavu-core

SIZE, BORDER, RADIUS, CUTOFF = 24, 3, 8.0, 0.25  # MapLibre's glyph size, border, SDF radius and edge


def file_of(fontstack: str, block: str) -> Path | None:
    """The file for a fontstack and a block ("0-255"), or None when this app does not serve it."""
    names = {f"{a}-{b}" for a, b in RANGES}
    if fontstack != FONT or block not in names:
        return None
    path = ASSETS / f"{block}.pbf"
    return path if path.is_file() else None


def style(background: str) -> dict:
    """The map's offline MapLibre style: a plain background, no tiles, the glyphs from this app."""
    return {
        "version": 8,
        "name": "kla-offline",
        "sources": {},
        "glyphs": URL,
        "layers": [{"id": "background", "type": "background", "paint": {"background-color": background}}],
    }


def routes() -> list:
    """The starlette routes that serve the style and the glyph files (app.py adds them to Streamlit's own)."""
    import json

    from starlette.responses import Response
    from starlette.routing import Route

    from kla import palette

    headers = {"Cache-Control": "public, max-age=86400"}

    async def style_json(request):
        return Response(json.dumps(style(palette.BACKGROUND)), media_type="application/json", headers=headers)

    async def glyphs(request):
        path = file_of(request.path_params["fontstack"], request.path_params["block"])
        if path is None:
            return Response(status_code=404)
        return Response(path.read_bytes(), media_type="application/x-protobuf", headers=headers)

    return [
        Route("/" + STYLE_URL, style_json, methods=["GET"]),
        Route("/kla/map/glyphs/{fontstack}/{block}.pbf", glyphs, methods=["GET"]),
    ]


# --- building the files (a developer's step; the result is committed) ----------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: int | bytes, signed: bool = False) -> bytes:
    """One protobuf field: a varint (zigzag when signed) or length-delimited bytes."""
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    if signed:
        value = (value << 1) ^ (value >> 63)
    return _varint(number << 3) + _varint(value)


def _outline(font, name: str, scale: float) -> list[np.ndarray]:
    """The glyph's contours as closed polylines in pixels (quadratic curves flattened)."""
    from fontTools.pens.basePen import BasePen

    class Flatten(BasePen):
        def __init__(self, glyphset):
            super().__init__(glyphset)
            self.rings, self.ring = [], []

        def _moveTo(self, pt):
            self.ring = [pt]

        def _lineTo(self, pt):
            self.ring.append(pt)

        def _qCurveToOne(self, pt1, pt2):
            p0 = np.asarray(self.ring[-1], float)
            t = np.linspace(0, 1, 7)[1:, None]
            pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * np.asarray(pt1, float) + t**2 * np.asarray(pt2, float)
            self.ring.extend(map(tuple, pts))

        def _curveToOne(self, pt1, pt2, pt3):
            p0 = np.asarray(self.ring[-1], float)
            t = np.linspace(0, 1, 9)[1:, None]
            pts = (
                (1 - t) ** 3 * p0
                + 3 * (1 - t) ** 2 * t * np.asarray(pt1, float)
                + 3 * (1 - t) * t**2 * np.asarray(pt2, float)
                + t**3 * np.asarray(pt3, float)
            )
            self.ring.extend(map(tuple, pts))

        def _closePath(self):
            if len(self.ring) >= 3:
                self.rings.append(np.asarray(self.ring, float) * scale)
            self.ring = []

        _endPath = _closePath

    glyphset = font.getGlyphSet()
    pen = Flatten(glyphset)
    glyphset[name].draw(pen)
    return pen.rings


def _glyph(font, code: int, name: str, scale: float, ascender: float) -> bytes:
    """One glyph message: id, SDF bitmap, width, height, left, top, advance (MapLibre's pixel units)."""
    advance = round(font["hmtx"][name][0] * scale)
    rings = _outline(font, name, scale)
    if not rings:  # a space: no bitmap, only its advance
        return (
            _field(1, code) + _field(3, 0) + _field(4, 0) + _field(5, 0, True) + _field(6, 0, True) + _field(7, advance)
        )
    pts = np.vstack(rings)
    left, bottom = int(np.floor(pts[:, 0].min())), int(np.floor(pts[:, 1].min()))
    right, top = int(np.ceil(pts[:, 0].max())), int(np.ceil(pts[:, 1].max()))
    width, height = right - left, top - bottom
    shape = shapely.Polygon()
    for ring in rings:  # even-odd: a counter (the hole in "o") cancels the outline around it
        shape = shape.symmetric_difference(shapely.make_valid(shapely.Polygon(ring)))
    xs = left - BORDER + 0.5 + np.arange(width + 2 * BORDER)
    ys = top + BORDER - 0.5 - np.arange(height + 2 * BORDER)
    gx, gy = np.meshgrid(xs, ys)
    dist = shapely.distance(shapely.points(gx.ravel(), gy.ravel()), shape.boundary)
    inside = shapely.contains_xy(shape, gx.ravel(), gy.ravel())
    signed = np.where(inside, -dist, dist)
    sdf = np.clip(np.round(255 - 255 * (signed / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)
    return (
        _field(1, code)
        + _field(2, sdf.tobytes())
        + _field(3, width)
        + _field(4, height)
        + _field(5, left, True)
        + _field(6, top - round(ascender), True)
        + _field(7, advance)
    )


def build(ttf: Path, out: Path = ASSETS) -> list[Path]:
    """Write one glyph file per block of RANGES from the font file; returns the files written."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(ttf))
    scale = SIZE / font["head"].unitsPerEm
    ascender = font["hhea"].ascent * scale
    cmap = font.getBestCmap()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for start, end in RANGES:
        block = f"{start}-{end}"
        glyphs = b"".join(
            _field(3, _glyph(font, code, cmap[code], scale, ascender)) for code in range(start, end + 1) if code in cmap
        )
        stack = _field(1, FONT.encode()) + _field(2, block.encode()) + glyphs
        path = out / f"{block}.pbf"
        path.write_bytes(_field(1, stack))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else SYSTEM_TTF):
        print(f"{p}: {p.stat().st_size} bytes")
