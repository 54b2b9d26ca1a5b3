"""The corpus of bad and awkward inputs (tests/corpus.py) through the real load path: each file ends as
promised, and every rejected file leaves the warehouse byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from etl import loader, warehouse
from tests.corpus import CASES, KASUS_HEAD, RBRA_HEAD, SLOW_CASES, kasus, rbra, xlsx


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small warehouse with two versions, copied for every case."""
    d = tmp_path_factory.mktemp("corpus-base") / "data"
    mp = pytest.MonkeyPatch()
    mp.setenv("KLA_DATA_DIR", str(d))
    mp.setenv("KLA_SALT", "korpus")
    src = tmp_path_factory.mktemp("corpus-src")
    assert loader.load("kasus", [xlsx(src / "k.xlsx", [KASUS_HEAD, kasus(1), kasus(2)])]).ok
    assert loader.load("rbra", [xlsx(src / "r.xlsx", [RBRA_HEAD, rbra()])]).ok
    mp.undo()
    return d


def snapshot(data_dir):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((data_dir / "warehouse").iterdir())}


def run_case(case, base, tmp_path, monkeypatch):
    name, dataset, build, (outcome, text) = case
    data = tmp_path / "data"
    shutil.copytree(base, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    monkeypatch.setenv("KLA_SALT", "korpus")
    src = tmp_path / "src"
    src.mkdir()
    paths = build(src)
    before = snapshot(data)
    result = loader.load(dataset, paths)
    report = result.report.to_text()
    if outcome == "rejected":
        assert not result.ok, f"{name}: should be rejected\n{report}"
        assert text in report, f"{name}: expected {text!r} in\n{report}"
        assert snapshot(data) == before, f"{name}: the warehouse changed"
        for p in result.report.errors:  # every error names the file and says what is wrong
            assert p.file and p.message
    else:
        assert result.ok, f"{name}: should load\n{report}"
        assert result.version and warehouse.current_version() == result.version
        if outcome == "warning":
            assert any(text in w.to_text() for w in result.report.warnings), (
                f"{name}: expected warning {text!r}\n{report}"
            )
        else:
            assert not result.report.warnings, f"{name}: unexpected warnings\n{report}"
    return result


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_corpus(case, base, tmp_path, monkeypatch):
    run_case(case, base, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("case", SLOW_CASES, ids=[c[0] for c in SLOW_CASES])
def test_corpus_slow(case, base, tmp_path, monkeypatch):
    run_case(case, base, tmp_path, monkeypatch)


def test_same_file_twice_and_duplicates_across_loads(base, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(base, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    monkeypatch.setenv("KLA_SALT", "korpus")
    f = xlsx(tmp_path / "k2.xlsx", [KASUS_HEAD, kasus(1), kasus(2), kasus(3)])
    assert loader.load("kasus", [f]).ok
    assert loader.load("kasus", [f]).ok  # idempotent
    con = warehouse.connect_current()
    assert con.execute("SELECT count(*) FROM fact_kasus").fetchone()[0] == 3
    con.close()
    g = xlsx(tmp_path / "k3.xlsx", [KASUS_HEAD, kasus(3, usia=13), kasus(4)])  # REG 3 again, corrected age
    assert loader.load("kasus", [g]).ok
    con = warehouse.connect_current()
    assert con.execute("SELECT count(*) FROM fact_kasus").fetchone()[0] == 4  # updated, not doubled
    assert con.execute("SELECT count(*) FROM fact_kasus WHERE usia = 13").fetchone()[0] == 1
    con.close()


def test_the_corpus_is_big_enough():
    assert len(CASES) + len(SLOW_CASES) + 1 >= 40
