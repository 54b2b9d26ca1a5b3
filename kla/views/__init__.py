"""Views: what each page shows, as data. One module per page (kla/views/<page>.py).

A view takes the page's context (kla.shell.Context: data version, year, area, language, public or exact) and
returns the protected, labelled and formatted figures the page lays out: metric cards, bar series, tables with
translated headers and formatted cells, captions. Pages only lay them out (filters, then views, then figures,
then words); the meeting slides and the exports call the same views, so a number reads the same everywhere and
is protected the same way. Views never call Streamlit; they call the cached queries (kla.queries) and the
protected case tables (kla.cases), which is safe from the download thread.

The types here are the shapes every view shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import names
from kla.fmt import fmt_int
from kla.privacy import TOTAL, Protected


@dataclass(frozen=True)
class Context:
    key: str  # current warehouse version file (cache key of every query)
    version: str
    year: int
    kecamatan: str | None  # Kemendagri code, None for the whole region
    kecamatan_name: str | None
    lang: str
    public: bool
    region: str | None  # the kab/kota (or province "74", or None = Indonesia) being viewed
    region_name: str

    @property
    def area(self) -> str | None:
        """What the figures cover: the kecamatan when one is chosen, else the region (None = Indonesia)."""
        return self.kecamatan or self.region

    @property
    def region_level(self) -> str | None:
        """kabkota | provinsi | None (Indonesia)."""
        return names.region_level(self.region)

    @property
    def unit_len(self) -> int:
        """Length of the codes of the region's units: kecamatan (8) in a kab/kota, kab/kota (5), provinces (2)."""
        return names.unit_len(self.region)

    @property
    def unit_level(self) -> str:
        return names.unit_level(self.region)


@dataclass(frozen=True)
class Card:
    """A metric card: its label, value and the optional line under it, all as text."""

    label: str
    value: str
    delta: str | None = None
    help: str | None = None
    delta_color: str = "off"  # "inverse" where a rise is bad (cases), "off" for a neutral note

    @property
    def neutral(self) -> bool:
        return self.delta_color == "off"


@dataclass(frozen=True)
class Bars:
    """A (protected) series as charts.protected_bars takes it: a name per bar, its value (NaN where hidden: no
    bar is drawn) and its label (the formatted count, "<5" or "*")."""

    names: list[str]
    values: list[float]
    labels: list[str]
    partial: list[bool] | None = None  # bars of an incomplete period (kla.periods), hatched
    note: str | None = None  # what the hatching means, for the caption

    def __len__(self) -> int:
        return len(self.names)


def label(value, lang: str) -> str:
    """One shown cell as text: a privacy mark ("<5", "*") as it is, a number formatted for the language."""
    return value if isinstance(value, str) else fmt_int(value, lang)


def cells(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A frame of shown cells (counts and privacy marks) as text; empty cells as a dash."""
    return frame.map(lambda v: "—" if v is None or (isinstance(v, float) and v != v) else label(v, lang))


def bars(p: Protected, lang: str, names: dict | None = None, column="n", rows=None) -> Bars:
    """One column of a Protected as bars, its total row left out; `names` turns row keys into bar names."""
    rows = [r for r in (p.counts.index if rows is None else rows) if r != TOTAL]
    names = names or {}
    visible = p.visible()[column]
    labels = p.labels(lambda v: fmt_int(v, lang))[column]
    return Bars(
        [str(names.get(r, r)) for r in rows],
        [float(visible.loc[r]) for r in rows],
        [labels.loc[r] for r in rows],
    )


def row_bars(p: Protected, row, lang: str) -> Bars:
    """One row of a Protected (an area's counts per year) as bars, its total column left out."""
    cols = [c for c in p.counts.columns if c != TOTAL]
    visible = p.visible().loc[row, cols]
    labels = p.labels(lambda v: fmt_int(v, lang)).loc[row, cols]
    return Bars([str(c) for c in cols], [float(v) for v in visible], labels.tolist())
