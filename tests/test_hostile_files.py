"""Hostile files cannot crash the server (issue 17): real files built here, checked and loaded through the real CLI
and the real Streamlit server. Each is refused with exit code 1 and a message in Bahasa Indonesia that names the
file and the limit, and the warehouse stays exactly as it was (etl/precheck.py, etl/sandbox.py)."""

from __future__ import annotations

import hashlib
import random
import string
import time
import urllib.request
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ANALIS, add_accounts, run_etl
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

RBRA_HEAD = ["Nama", "Kecamatan", "Kelurahan", "Status"]


# ---------------------------------------------------------------------------------------------
# files


def xfd_workbook(path: Path) -> Path:
    """A real (openpyxl) workbook: a header and one cell at XFD1048576, the last cell of a sheet (1,655 bytes)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(RBRA_HEAD)
    ws["XFD1048576"] = "x"
    wb.save(path)
    return path


_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
    '+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sharedStrings+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SST = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def inline(text: str) -> str:
    return f' t="inlineStr"><is><t>{text}</t></is></c>'


def shared(i: int) -> str:
    return f' t="s"><v>{i}</v></c>'


def workbook_xml(path: Path, cells: list[tuple[str, str]], strings=(), write_strings=None, level: int = 6) -> Path:
    """An xlsx written part by part, as a hostile generator would: the header row, then `cells` (ref, the rest of
    the <c> element); shared strings given, or streamed by write_strings(fh)."""
    rows: dict[int, list[str]] = {}
    head = [(f"{'ABCD'[i]}1", inline(h)) for i, h in enumerate(RBRA_HEAD)]
    for ref, rest in head + cells:
        rows.setdefault(int(ref.lstrip(string.ascii_uppercase)), []).append(f'<c r="{ref}"{rest}')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for part, text in (
            ("[Content_Types].xml", _CT),
            ("_rels/.rels", _RELS),
            ("xl/workbook.xml", _WB),
            ("xl/_rels/workbook.xml.rels", _WB_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            z.writestr(part, text)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(_SST.encode())
            for s in strings:
                fh.write(f"<si><t>{s}</t></si>".encode())
            if write_strings:
                write_strings(fh)
            fh.write(b"</sst>")
    return path


def zip_bomb(path: Path) -> Path:
    """A zipped "Shapefile" whose .shp is 1 GiB of zeros: about 1 MB, written streaming."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("kecamatan.shp", "w", force_zip64=True) as fh:
            block = bytes(1 << 20)
            for _ in range(1024):
                fh.write(block)
        z.writestr("kecamatan.dbf", b"")
        z.writestr("kecamatan.prj", 'GEOGCS["WGS 84"]')
    return path


def rbra_csv(path: Path, rows: int) -> Path:
    lines = [";".join(RBRA_HEAD)] + [f"Taman {i};Mandonga;Korumba;Proses" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# the warehouse before and after


def state(data: Path) -> tuple:
    """CURRENT, the versions, and every byte of the warehouse."""
    w = data / "warehouse"
    digest = hashlib.sha256()
    for p in sorted(w.iterdir()):
        if p.name != ".lock":
            digest.update(p.name.encode() + p.read_bytes())
    return (w / "CURRENT").read_text(), sorted(p.name for p in w.glob("kla-v*.duckdb")), digest.hexdigest()


def refused(data: Path, dataset: str, path: Path, *, env: dict | None = None) -> str:
    """`python -m etl load` of a hostile file: exit code 1, the warehouse untouched, the file named. The output."""
    before = state(data)
    proc = run_etl(data, "load", dataset, str(path), check=False, env=env)
    out = proc.stdout
    assert proc.returncode == 1, (proc.returncode, out, proc.stderr[-3000:])
    assert f"GALAT berkas {path.name}: " in out, out
    assert "Tidak ada data yang disimpan" in out and "Traceback" not in proc.stderr, (out, proc.stderr[-3000:])
    assert state(data) == before
    return out


@pytest.fixture()
def data(tmp_path, sample_data_dir) -> Path:
    import shutil

    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    return d


# ---------------------------------------------------------------------------------------------
# through the CLI


def test_cell_at_xfd1048576_is_refused_before_the_reader_starts(data, tmp_path):
    path = xfd_workbook(tmp_path / "rbra_xfd.xlsx")
    assert path.stat().st_size < 6000
    out = refused(data, "rbra", path)
    assert (
        'Sheet "Sheet" di berkas rbra_xfd.xlsx terisi sampai sel XFD1048576: 1.048.576 baris x 16.384 kolom' in out
    ), out
    assert "batasnya 10.000.000 sel" in out and "hapus baris dan kolom di luar tabel" in out
    proc = run_etl(data, "check", "kasus", str(path), check=False)
    assert proc.returncode == 1 and "XFD1048576" in proc.stdout


@pytest.mark.parametrize("kind", ["csv", "csv-kasus", "xlsx-inline", "xlsx-shared"])
def test_cell_over_131072_characters(data, tmp_path, kind):
    """131,073 characters: csv.reader's field limit (a traceback before), four times Excel's limit per cell."""
    long = "x" * 131_073
    dataset = "kasus" if kind == "csv-kasus" else "rbra"
    if kind.startswith("csv"):
        path = tmp_path / "panjang.csv"
        path.write_text(";".join(RBRA_HEAD) + f"\n{long};Mandonga;Korumba;Proses\n", encoding="utf-8")
    elif kind == "xlsx-inline":
        path = workbook_xml(tmp_path / "panjang.xlsx", [("A2", inline(long)), ("B2", inline("Mandonga"))])
    else:
        path = workbook_xml(tmp_path / "panjang.xlsx", [("A2", shared(0))], strings=[long])
    out = refused(data, dataset, path)
    assert "berisi sel dengan lebih dari 32.767 karakter (batas Excel per sel)" in out, out


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_cell_just_over_excels_limit_is_found_where_it_is(data, tmp_path, kind):
    """40,000 characters pass the byte scan before reading; the exact check after reading names the cell."""
    long = "y" * 40_000
    if kind == "csv":
        path = tmp_path / "agak_panjang.csv"
        path.write_text(";".join(RBRA_HEAD) + f"\nTaman;Mandonga;{long};Proses\n", encoding="utf-8")
        where = "(baris 2, kolom ke-3)"
    else:
        path = workbook_xml(tmp_path / "agak_panjang.xlsx", [("A2", inline("Taman")), ("C2", inline(long))])
        where = '(sheet "Data", sel C2)'
    out = refused(data, "rbra", path)
    assert f"agak_panjang.{kind} {where} berisi sel dengan lebih dari 32.767 karakter" in out, out


def test_shared_strings_bomb(data, tmp_path):
    """A shared string of 600 MB in a file of 600 KB: refused from the zip directory, nothing is unzipped."""

    def write(fh):
        block = b"A" * (1 << 20)
        fh.write(b"<si><t>")
        for _ in range(600):
            fh.write(block)
        fh.write(b"</t></si>")

    path = workbook_xml(tmp_path / "sst_bom.xlsx", [("A2", shared(0))], write_strings=write, level=1)
    assert path.stat().st_size < 5_000_000
    out = refused(data, "rbra", path)
    assert 'bagian "xl/sharedStrings.xml" di dalam arsip mengembang dari' in out and "menjadi 600 MB" in out, out
    assert "batasnya 100 kali" in out and "bom zip" in out


def test_shared_string_that_does_not_compress(data, tmp_path):
    """2 MB of random letters in one shared string: no zip bomb, found by the scan of the XML before reading."""
    rng = random.Random(17)
    path = workbook_xml(
        tmp_path / "sst_acak.xlsx",
        [("A2", shared(0))],
        strings=["".join(rng.choices(string.ascii_letters, k=2_000_000))],
    )
    out = refused(data, "rbra", path)
    assert "sst_acak.xlsx berisi sel dengan lebih dari 32.767 karakter" in out, out


def test_shared_strings_beyond_the_memory_limit(data, tmp_path):
    """Legal cells (30,000 characters each, 90 MB in all, 2 MB zipped) that the reader cannot hold in the lowered
    memory limit: the reading process is stopped, the CLI reports it."""
    rng = random.Random(5)
    blocks = ["".join(rng.choices(string.ascii_letters, k=400)) for _ in range(3000)]
    path = workbook_xml(tmp_path / "sst_besar.xlsx", [("A2", shared(0))], strings=[b * 75 for b in blocks])
    out = refused(data, "rbra", path, env={"KLA_READ_MEMORY_MB": "250"})
    assert "Berkas sst_besar.xlsx tidak dapat dibaca dalam batas memori 250 MB" in out, out
    assert "pembacaannya dihentikan" in out


def test_zip_bomb_shapefile(data, tmp_path):
    """1 GiB of zeros in a 1 MB zip: refused before anything is unzipped to disk."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    path = zip_bomb(tmp_path / "batas_kecamatan.zip")
    assert path.stat().st_size < 2_000_000
    t0 = time.monotonic()
    out = refused(data, "batas", path, env={"TMPDIR": str(tmp)})
    assert 'bagian "kecamatan.shp" di dalam arsip mengembang dari' in out and "menjadi 1 GB" in out, out
    assert time.monotonic() - t0 < 30
    assert not any(tmp.iterdir())  # the reading process's own folder is gone too


def test_time_limit(data, tmp_path):
    """A file that takes longer to read than the (lowered) time limit."""
    path = rbra_csv(tmp_path / "rbra_lambat.csv", 150_000)
    t0 = time.monotonic()
    out = refused(data, "rbra", path, env={"KLA_READ_SECONDS": "1"})
    assert "Berkas rbra_lambat.csv tidak dapat dibaca dalam batas waktu 1 detik" in out, out
    assert time.monotonic() - t0 < 20


def test_reader_killed_by_the_memory_limit(data, tmp_path):
    """A cell at J1000000 passes the size check (10,000,000 cells) but the reader's grid does not fit in 250 MB:
    python-calamine aborts its process. That is the reading process, not the CLI, which names the file."""
    path = workbook_xml(tmp_path / "rbra_jauh.xlsx", [("J1000000", inline("x"))])
    out = refused(data, "rbra", path, env={"KLA_READ_MEMORY_MB": "250"})
    assert (
        "Berkas rbra_jauh.xlsx tidak dapat dibaca dalam batas memori 250 MB / waktu 120 detik (pembaca "
        "berhenti: SIGABRT)"
    ) in out, out


def test_display_name_not_the_temporary_path(own_sample, tmp_path, monkeypatch):
    """Uploads are checked under a temporary name: the message names the file as the analyst called it."""
    from etl import loader

    monkeypatch.setenv("KLA_READ_MEMORY_MB", "250")
    path = workbook_xml(tmp_path / "0_tmp_upload.xlsx", [("J1000000", inline("x"))])
    before = state(own_sample)
    result = loader.check("rbra", [path], display_names=["Data RBRA 2025.xlsx"])
    assert not result.ok and not result.frames
    [problem] = result.report.errors
    assert problem.file == "Data RBRA 2025.xlsx"
    assert problem.message.startswith("Berkas Data RBRA 2025.xlsx tidak dapat dibaca dalam batas memori 250 MB")
    assert "0_tmp_upload" not in result.report.to_text() and str(tmp_path) not in result.report.to_text()
    assert loader.guess_dataset([path], ["Data RBRA 2025.xlsx"]) is None
    assert state(own_sample) == before


@pytest.mark.slow  # a 100,000-row register under the default limits: a sweep of the reader's memory and time
def test_a_100000_row_register_checks_within_the_default_limits(data, tmp_path):
    from bench.generate import kasus_xlsx

    path = kasus_xlsx(tmp_path / "register_100rb.xlsx", 100_000)
    proc = run_etl(data, "check", "kasus", str(path))
    assert "Berkas valid: 100000 baris dibaca" in proc.stdout, proc.stdout[-2000:]


# ---------------------------------------------------------------------------------------------
# through the running server


def _server_rss_mb(url: str) -> float:
    """Resident memory of the Streamlit server listening at url (its command line names the port)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and port.encode() in args:
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    raise AssertionError(f"no server on port {port}")


def _healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
        return r.read().decode().strip() == "ok"


def _problems(page, tmp_path: Path, name: str) -> list[str]:
    """The messages of the problem list, downloaded as the analyst would."""
    with page.expect_download() as dl:
        page.get_by_role("button", name="Unduh daftar masalah (xlsx)").click()
    path = tmp_path / name
    dl.value.save_as(path)
    ws = openpyxl.load_workbook(path)["Masalah"]
    head = [c.value for c in ws[1]]
    return [row[head.index("Pesan")] for row in ws.iter_rows(min_row=2, values_only=True)]


@pytest.mark.e2e
@pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)")
def test_upload_of_hostile_files_leaves_the_server_serving(tmp_path, sample_data_dir, monkeypatch):
    """An analyst uploads the XFD1048576 file, then one whose reader the memory limit stops (lowered to 250 MB for
    this server): the Data page shows why, the server still answers its health check and renders another page."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    add_accounts(data)
    xfd = xfd_workbook(tmp_path / "rbra_xfd.xlsx")
    far = workbook_xml(tmp_path / "rbra_jauh.xlsx", [("J1000000", inline("x"))])
    before = state(data)
    monkeypatch.setenv("KLA_READ_MEMORY_MB", "250")
    with streamlit_server(data) as url, browser_page(1440, 1400) as page:
        sign_in(page, url, ANALIS)
        page.goto(url + "/data")
        wait_for_app(page)
        rss_before = _server_rss_mb(url)

        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(xfd))
        wait_for_app(page)
        page.get_by_text("Tidak ada data yang disimpan").wait_for(timeout=60_000)
        screenshot(page, "hostile_xfd")
        [message] = _problems(page, tmp_path, "masalah_xfd.xlsx")
        assert message.startswith('Sheet "Sheet" di berkas rbra_xfd.xlsx terisi sampai sel XFD1048576'), message
        assert "kla-unggah" not in message
        assert _healthy(url)

        page.get_by_role("button", name="Remove rbra_xfd.xlsx").click()
        wait_for_app(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(far))
        wait_for_app(page)
        page.get_by_text("Tidak ada data yang disimpan").wait_for(timeout=60_000)
        [message] = _problems(page, tmp_path, "masalah_jauh.xlsx")
        assert message.startswith("Berkas rbra_jauh.xlsx tidak dapat dibaca dalam batas memori 250 MB"), message
        assert _healthy(url)
        assert _server_rss_mb(url) - rss_before < 150  # the reader's memory was never the server's

        page.goto(url + "/")
        wait_for_app(page)
        assert page.locator("[data-testid='stMetric']").count() > 0
        assert page.locator("[data-testid='stException']").count() == 0
    assert state(data) == before
