"""Progress bars for long loads (on a terminal only; silent in pipes, CI and the app)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
MIN_ROWS = 5000


def progress(items: list[T], desc: str) -> Iterable[T]:
    if len(items) < MIN_ROWS:
        return items
    return tqdm(items, desc=desc, unit=" baris", file=sys.stderr, disable=None, leave=False)
