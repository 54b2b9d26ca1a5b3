"""Small-count suppression for public views of children's case data.

Public viewers never see a case count from 1 to 4: it shows as "<5", and rates built on it are
hidden. Analysts (after login, a later step) see exact aggregates. Nobody sees case rows.
"""

from __future__ import annotations

THRESHOLD = 5
SUPPRESSED = "<5"


def is_public() -> bool:
    """Every viewer is public until login exists."""
    return True


def is_small(n) -> bool:
    return n is not None and 0 < n < THRESHOLD


def suppress_count(n, public: bool = True):
    """The count as a public viewer may see it: "<5" for 1-4, else the number."""
    if public and is_small(n):
        return SUPPRESSED
    return n
