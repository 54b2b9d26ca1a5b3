"""Progres Klaster: indicator table, what-if, per-OPD view, follow-ups (pure functions of frames)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import pandas as pd

from etl import reference
from kla import palette
from kla.scoring import Standing, standing

# Colour status of an indicator by its share of the maximum (a presentation rule of this dashboard,
# not a KemenPPPA rule): >= 90 % baik, >= 75 % perlu ditingkatkan, below prioritas. KemenPPPA publishes no
# maximum per indicator: without one (the task force has not entered it), an assessed indicator is "dinilai".
STATUS_LIMITS = ((90.0, "baik"), (75.0, "sedang"), (0.0, "prioritas"))
STATUS_COLORS = {
    "baik": palette.GOOD,
    "sedang": palette.WARNING,
    "prioritas": palette.DANGER,
    "dinilai": palette.PRIMARY,
    "belum": palette.NEUTRAL,
}
OPEN = ("Belum", "Proses")  # follow-up statuses still to do


def status_of(persen: float | None) -> str:
    if persen is None or persen != persen:
        return "belum"
    return next(name for limit, name in STATUS_LIMITS if persen >= limit)


def indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    """Add persen and poin (points at stake = maximum minus nilai: only where a maximum is known), the gap to the
    city's own target, and status.

    Ordered by points at stake, else by the gap to target, largest first: the biggest gains on top. Not
    assessed counts as 0.
    """
    out = ind.copy()
    maks = pd.to_numeric(out["nilai_maks"], errors="coerce")
    nilai = out["nilai"].fillna(0.0)
    out["nilai_maks"] = maks
    out["persen"] = (out["nilai"] / maks * 100).round(1)
    out["poin"] = (maks - nilai).round(1)
    out["gap_target"] = (out["target"] - out["nilai"]).clip(lower=0).round(1)
    out["status"] = [
        status_of(p) if m == m else ("dinilai" if v == v else "belum")
        for p, m, v in zip(out["persen"], maks, out["nilai"], strict=True)
    ]
    return out.sort_values(
        ["poin", "gap_target", "nomor"], ascending=[False, False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)


def has_maxima(ind: pd.DataFrame) -> bool:
    """Whether any indicator has a known maximum (entered by the task force from the Juknis)."""
    return bool(pd.to_numeric(ind["nilai_maks"], errors="coerce").notna().any())


def total(ind: pd.DataFrame, changes: dict[int, float] | None = None) -> float:
    """Sum of the indicators' nilai, with `changes` (nomor -> simulated nilai) applied."""
    values = dict(zip(ind["nomor"], ind["nilai"].fillna(0.0)))
    values.update(changes or {})
    return round(float(sum(values.values())), 1)


def simulate(ind: pd.DataFrame, bands: pd.DataFrame, changes: dict[int, float]) -> Standing:
    return standing(total(ind, changes), bands)


def suggest(ind: pd.DataFrame, points_needed: float | None, changes: dict[int, float] | None = None) -> pd.DataFrame:
    """The fewest indicators whose gains close the gap: largest gains first. A gain is the headroom to the
    indicator's maximum where one is known, else what reaching the city's own target adds (`dasar`: maks or
    target); an indicator with neither has no known gain and is left out.

    Returns nomor, nama, opd, dasar, poin and the cumulative gain; empty when no gap or it cannot be closed.
    """
    cols = ["nomor", "nama", "opd", "dasar", "poin", "kumulatif"]
    if not points_needed or points_needed <= 0:
        return pd.DataFrame(columns=cols)
    values = dict(zip(ind["nomor"], ind["nilai"].fillna(0.0), strict=True))
    values.update(changes or {})
    maks = pd.to_numeric(ind["nilai_maks"], errors="coerce")
    ceiling = maks.where(maks.notna(), ind["target"])
    rows = ind.assign(
        dasar=["maks" if m == m else "target" for m in maks],
        poin=[round(c - values[n], 1) for n, c in zip(ind["nomor"], ceiling, strict=True)],
    )
    rows = rows[rows["poin"] > 0].sort_values(["poin", "nomor"], ascending=[False, True], kind="stable")
    rows = rows.assign(kumulatif=rows["poin"].cumsum().round(1))
    reached = rows[rows["kumulatif"] >= points_needed - 1e-9]
    if not len(reached):
        return pd.DataFrame(columns=cols)
    return rows.loc[: reached.index[0], cols].reset_index(drop=True)


def group_table(ind: pd.DataFrame) -> pd.DataFrame:
    """Per group (Kelembagaan, Klaster I-V): nilai, maximum, persen, points at stake."""
    g = (
        ind.assign(nilai=ind["nilai"].fillna(0.0))
        .groupby(["kelompok_urut", "kelompok"], as_index=False)
        .agg(nilai=("nilai", "sum"), nilai_maks=("nilai_maks", _known_sum))
    )
    g["persen"] = (g["nilai"] / g["nilai_maks"] * 100).round(1)
    g["poin"] = (g["nilai_maks"] - g["nilai"]).round(1)
    return g.sort_values("kelompok_urut").reset_index(drop=True)


def _known_sum(values: pd.Series) -> float:
    """A sum of maxima, only when every one is known (a partial sum would pass for the whole)."""
    values = pd.to_numeric(values, errors="coerce")
    return float(values.sum()) if len(values) and values.notna().all() else float("nan")


@lru_cache(maxsize=1)
def _opd_aliases() -> dict[str, str]:
    """Spelling (normalised) -> the OPD's one name, from data/reference/opd.csv (the task force adds a spelling
    there, no code)."""
    out = {}
    for row in reference.read_csv_rows("opd.csv"):
        for alias in [row["opd"], *row["alias"].split("|")]:
            if alias.strip():
                out[reference.norm_text(alias)] = row["opd"]
    return out


def opd_name(value: str) -> str:
    """One OPD, one name: "DP3A/UPTD PPA", "DP3A (sekretariat)" and "DP3A" are all DP3A. A spelling that is not
    in opd.csv stays as written (without a trailing qualifier in brackets, when the rest is known)."""
    key = reference.norm_text(value)
    aliases = _opd_aliases()
    if key in aliases:
        return aliases[key]
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", value).strip()
    return aliases.get(reference.norm_text(bare), value.strip())


def split_opd(value: str | None) -> list[str]:
    """The lead OPDs of an indicator ("Dinkes; Satpol PP"), each under its one name, without repeats."""
    names = [opd_name(p) for p in str(value or "").split(";") if p.strip()]
    return list(dict.fromkeys(names)) or ["(tanpa OPD)"]


def opd_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per lead OPD: its indicators, nilai, maximum, points at stake and evidence completeness.

    An indicator led by several OPDs ("Dinkes; Satpol PP") is shared: it is listed for each of them (marked
    in `bersama`), and its nilai, maximum, points and gap are split equally between them, so the OPDs' points
    add up to the city's and no point is counted twice. Counts of indicators and of evidence stay whole.
    """
    leads = table["opd"].map(split_opd)
    share = 1.0 / leads.map(len)
    rows = table.assign(opd=leads, _share=share).explode("opd")
    rows = rows.assign(
        nilai0=rows["nilai"].fillna(0.0) * rows["_share"],
        maks_bagian=pd.to_numeric(rows["nilai_maks"], errors="coerce") * rows["_share"],
        poin_bagian=rows["poin"] * rows["_share"],
        gap_bagian=rows["gap_target"] * rows["_share"],
        _shared=rows["_share"] < 1,
    )
    g = (
        rows.groupby("opd")
        .agg(
            indikator=("nomor", lambda s: ", ".join(str(n) for n in sorted(s))),
            jumlah=("nomor", "size"),
            bersama=("_shared", "sum"),
            nilai=("nilai0", "sum"),
            maks=("maks_bagian", _known_sum),
            poin=("poin_bagian", lambda s: s.sum(min_count=1)),
            gap_target=("gap_bagian", lambda s: s.sum(min_count=1)),
            lengkap=("status_bukti", lambda s: int((s == "Lengkap").sum())),
            sebagian=("status_bukti", lambda s: int((s == "Sebagian").sum())),
            belum=("status_bukti", lambda s: int(((s == "Belum") | s.isna()).sum())),
        )
        .reset_index()
    )
    g["bukti_persen"] = (g["lengkap"] / g["jumlah"] * 100).round(0)
    return g.sort_values(["poin", "gap_target", "opd"], ascending=[False, False, True], na_position="last").reset_index(
        drop=True
    )


def opd_indicators(table: pd.DataFrame, opd: str) -> pd.DataFrame:
    """The indicators `opd` leads, alone or shared (by its one name)."""
    return table[table["opd"].map(lambda v: opd in split_opd(v))].reset_index(drop=True)


def mark_overdue(tasks: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Add `terlambat` (open and past its due date) and `sisa_hari` (days left; negative when late)."""
    out = tasks.copy()
    due = pd.to_datetime(out["tenggat"]).dt.date
    out["sisa_hari"] = [(d - today).days for d in due]
    out["terlambat"] = out["status"].isin(OPEN) & (out["sisa_hari"] < 0)
    return out


def followups_per_opd(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per OPD: tasks, open, done, late, the most days late and the earliest due date of a late task.

    This is what a public viewer sees of the follow-ups: counts and dates, never the task text or notes
    (free text can name a child). `tasks` comes from mark_overdue. Most late first.
    """
    cols = ["opd", "jumlah", "terbuka", "selesai", "terlambat", "hari_terlambat", "tenggat_terlambat"]
    if not len(tasks):
        return pd.DataFrame(columns=cols)
    late = tasks["terlambat"]
    rows = tasks.assign(
        opd=tasks["opd"].map(lambda v: opd_name(str(v)) if isinstance(v, str) else "(tanpa OPD)"),  # one name
        _open=tasks["status"].isin(OPEN),
        _done=tasks["status"] == "Selesai",
        _days=(-tasks["sisa_hari"]).where(late),
        _due=pd.to_datetime(tasks["tenggat"]).where(late),
    )
    g = (
        rows.groupby("opd")
        .agg(
            jumlah=("status", "size"),
            terbuka=("_open", "sum"),
            selesai=("_done", "sum"),
            terlambat=("terlambat", "sum"),
            hari_terlambat=("_days", "max"),
            tenggat_terlambat=("_due", "min"),
        )
        .reset_index()
    )
    g["hari_terlambat"] = g["hari_terlambat"].astype("Int64")
    g["tenggat_terlambat"] = g["tenggat_terlambat"].dt.date
    g = g.sort_values(["terlambat", "hari_terlambat", "opd"], ascending=[False, False, True], na_position="last")
    return g[cols].reset_index(drop=True)
