"""No command line for public viewers (issue 21 item 5): every public page, on the sample warehouse and on a
warehouse where most datasets are still empty, shows no `python -m etl ...`; analysts still get the command."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from etl import loader
from tests.conftest import add_accounts, sign_in
from tests.corpus import PEND_HEAD, pend, xlsx

PUBLIC_PAGES = [
    "pages/ringkasan.py",
    "pages/progres.py",
    "pages/kesiapan.py",
    "pages/peta.py",
    "pages/partisipasi.py",
    "pages/kekerasan.py",
    "pages/presentasi.py",
    "pages/masuk.py",
]
CLI = ("python -m etl", "make run", "etl load")


def texts(at: AppTest) -> list[str]:
    """Every text element the page shows (markdown, notes, banners, captions, headings, metrics)."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        out += [e.value for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    return out


def pages_texts(at: AppTest) -> dict[str, list[str]]:
    shown = {}
    for page in PUBLIC_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        shown[page] = texts(at)
    return shown


@pytest.fixture()
def almost_empty(tmp_path, monkeypatch):
    """Only the children: no cases, no indicators, no follow-ups, no categories."""
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "kata")
    src = xlsx(tmp_path / "p.xlsx", [PEND_HEAD, pend(120), pend(80, jk="P")])
    assert loader.load("penduduk", [src]).ok
    return d


def test_public_pages_of_the_sample_hold_no_command_line(own_sample):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()  # (the banner is app.py's: AppTest's switch_page runs the page file alone)
    banner = [w.value for w in at.warning if "Data contoh (sintetis)" in w.value]
    assert banner and not any(c in banner[0] for c in CLI), banner  # still marked, without the command
    for page, shown in pages_texts(at).items():
        bad = [x for x in shown if any(c in x for c in CLI)]
        assert not bad, (page, bad)


def test_public_empty_states_hold_no_command_line_analysts_get_it(almost_empty):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    shown = pages_texts(at)
    for page, words in shown.items():
        bad = [x for x in words if any(c in x for c in CLI)]
        assert not bad, (page, bad)
    assert any("Belum ada data kasus yang diterbitkan" in x for x in shown["pages/kekerasan.py"])
    assert any("Belum ada nilai indikator KLA yang diterbitkan" in x for x in shown["pages/progres.py"])
    add_accounts(almost_empty)
    analyst = AppTest.from_file("../app.py", default_timeout=120)
    analyst.run()
    analyst = sign_in(analyst)
    analyst.switch_page("pages/kekerasan.py").run()
    assert any("python -m etl load kasus" in x for x in texts(analyst))
