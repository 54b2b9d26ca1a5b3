"""Read plotly figures the way AppTest hands them over (figure JSON, arrays as typed base64)."""

from __future__ import annotations

import base64
import json

import numpy as np


def decode(value):
    """A plotly array: a plain list, or {"dtype": "i4", "bdata": "..."} (plotly's typed-array encoding)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return value


def figure(element) -> dict:
    """The figure dict of an AppTest plotly_chart element, arrays decoded."""
    spec = json.loads(element.proto.spec)
    for trace in spec.get("data", []):
        for k, v in list(trace.items()):
            trace[k] = decode(v)
    return spec


def slide_text(slide) -> str:
    """Every text a kla.slides.Slide shows (titles, cards, table, figure labels as read, not as escaped for
    plotly): what the public-export checks read."""
    import html

    parts = [slide.title, slide.subtitle, *[f"{a} {b}" for a, b in slide.kpis]]
    if slide.table is not None:
        parts += [str(v) for v in slide.table.to_numpy().ravel()]
    if slide.figure is not None:
        for trace in slide.figure.data:
            text = getattr(trace, "text", None)
            if text is not None and not isinstance(text, str):
                parts += [html.unescape(str(v)) for v in text]
    return "\n".join(parts)
