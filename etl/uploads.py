"""Uploaded files on disk only for the length of one check or load.

An uploaded OPD file can hold children's case data. Its bytes stay in memory (the upload widget keeps them);
staged() writes them to a private temporary folder for the readers, which need a path, and removes that
folder in a `finally` block: after the check, also when the check raises. Nothing else is written.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "kla-unggah-"
LEFTOVER_AGE_S = 3600  # a folder this old outlived its check (the process was killed mid-check): removed


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-80:] or "berkas"


@contextmanager
def staged(files: list[tuple[str, bytes]]) -> Iterator[tuple[list[Path], list[str]]]:
    """(paths, display names) of uploaded (name, bytes) pairs, on disk only inside the `with` block."""
    _remove_leftovers()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))  # mode 0700: this process only
    try:
        paths = []
        for i, (name, data) in enumerate(files):
            path = folder / f"{i}_{_safe(name)}"
            path.write_bytes(data)
            paths.append(path)
        yield paths, [name for name, _ in files]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_leftovers() -> None:
    """Folders a killed process could not remove (its `finally` never ran)."""
    for old in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if time.time() - old.stat().st_mtime > LEFTOVER_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
