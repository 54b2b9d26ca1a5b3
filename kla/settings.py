"""Deployment settings from data/reference/pengaturan.toml (read once per process)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "data" / "reference" / "pengaturan.toml"


@lru_cache(maxsize=None)
def settings() -> dict:
    with open(PATH, "rb") as fh:
        return tomllib.load(fh)


def get(section: str, name: str):
    return settings()[section][name]
