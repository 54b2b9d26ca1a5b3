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
