"""KLA score to category, from the bands in ref_kategori (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Standing:
    score: float
    category: str | None  # None below the lowest band
    next_category: str | None  # None at the top band
    points_to_next: float | None


def standing(score: float, bands: pd.DataFrame) -> Standing:
    """Category of a score: the highest band whose lower bound the score has reached."""
    bands = bands.sort_values("skor_min")
    reached = bands[bands["skor_min"] <= score]
    current = reached.iloc[-1] if len(reached) else None
    above = bands[bands["skor_min"] > score]
    nxt = above.iloc[0] if len(above) else None
    return Standing(
        score=score,
        category=None if current is None else current["kategori"],
        next_category=None if nxt is None else nxt["kategori"],
        points_to_next=None if nxt is None else round(float(nxt["skor_min"]) - score, 1),
    )


def categories(scores, bands: pd.DataFrame) -> list[str | None]:
    """The category of each score (same rule as standing), for many scores at once: a ranking of 514 kab/kota."""
    import numpy as np

    bands = bands.sort_values("skor_min")
    lows = bands["skor_min"].to_numpy(dtype=float)
    names = bands["kategori"].tolist()
    idx = np.searchsorted(lows, np.asarray(scores, dtype=float), side="right") - 1
    return [names[i] if i >= 0 else None for i in idx]
