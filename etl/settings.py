"""Deployment settings from data/reference/pengaturan.toml (read once per process). In etl/ because the ETL
reads them too and etl never imports kla (the app builds on the ETL, not the other way round)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "reference" / "pengaturan.toml"


@cache
def settings() -> dict:
    with open(PATH, "rb") as fh:
        return tomllib.load(fh)


def get(section: str, name: str):
    return settings()[section][name]


def region() -> str:
    """The default region of the app and of loads: a kab/kota ("74.71"), a province ("74") or "" for national.

    KLA_WILAYAH overrides pengaturan.toml (benchmarks and tests run other regions without editing it).
    """
    import os

    env = os.environ.get("KLA_WILAYAH")
    if env is not None:
        return env.strip()
    return str(settings().get("wilayah", {}).get("kode", "")).strip()
