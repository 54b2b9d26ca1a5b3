"""Issue 20 item 1: a cell that cannot be read as the value it shows is an error naming the cell, never 0 or blank.

- Excel error cells (#REF!, #N/A, #VALUE!, #DIV/0!, #NAME?, #NUM!, #NULL!) in xlsx (as Excel saves them: the formula
  and its cached error), xls, ods and CSV (the error as text, as Google Sheets exports it). python-calamine gives
  such a cell as an empty string: without a check of its own the reader would load it as a blank, a count as 0.
- Text that is not a number in a number column, per dataset.

Every file is written here and loaded through loader.load; the warehouse must stay as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl import loader, templates, warehouse

ERRORS = ["#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]
XLS_CODES = {
    "#NULL!": 0x00,
    "#DIV/0!": 0x07,
    "#VALUE!": 0x0F,
    "#REF!": 0x17,
    "#NAME?": 0x1D,
    "#NUM!": 0x24,
    "#N/A": 0x2A,
}


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "galat")
    return d


def snapshot(data_dir: Path) -> dict:
    folder = data_dir / "warehouse"
    if not folder.exists():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def refused(dataset: str, path: Path, data_dir: Path):
    """Load `path`: it must be refused with the warehouse unchanged; the report's problems."""
    before = snapshot(data_dir)
    result = loader.load(dataset, [path])
    assert not result.ok, f"{path.name} should be refused\n{result.report.to_text()}"
    assert snapshot(data_dir) == before
    return result.report


def at_cell(report, row: int, column: str) -> list:
    return [p for p in report.problems if p.row == row and p.column == column]


# --- a BPS-like count table (penduduk, wide) with one count cell in error -------------------------------------------
# row 1 title, row 2 header, rows 3-4 kecamatan, row 5 JUMLAH; the error is in C4 ("5-9" of Baruga)
TABLE = [["PENDUDUK ANAK 2024"], ["Kecamatan", "0-4", "5-9"], ["Kadia", 10, 5], ["Baruga", 20, 7], ["JUMLAH", 30, 12]]


def xlsx_with_cached_error(path: Path, error: str) -> Path:
    """C4 as Excel saves a formula whose result is an error: <c t="e"><f>...</f><v>#REF!</v></c>."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in TABLE:
        ws.append(r)
    ws["C4"] = "=B4/0"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="C4"><f>B4/0</f><v></v></c>' in sheet
    sheet = sheet.replace('<c r="C4"><f>B4/0</f><v></v></c>', f'<c r="C4" t="e"><f>B4/0</f><v>{error}</v></c>')
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def xlsx_error_value(path: Path, error: str) -> Path:
    """openpyxl writes a cell set to "#N/A" as an error cell (t="e"), as a pasted value keeps it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in TABLE:
        ws.append(r)
    ws["C4"] = error
    wb.save(path)
    return path


def xls_with_error(path: Path, error: str) -> Path:
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Data")
    for r, row in enumerate(TABLE):
        for c, v in enumerate(row):
            if (r, c) == (3, 2):
                ws.row(3).set_cell_error(2, XLS_CODES[error])
            else:
                ws.write(r, c, v)
    wb.save(str(path))
    return path


def ods_with_error(path: Path, error: str) -> Path:
    """An OpenDocument sheet as LibreOffice saves a formula whose result is an error."""

    def cell(v):
        if isinstance(v, str):
            kind = 'office:value-type="string" calcext:value-type="string"'
        else:
            kind = f'office:value-type="float" office:value="{v}" calcext:value-type="float"'
        return f"<table:table-cell {kind}><text:p>{v}</text:p></table:table-cell>"

    bad = (
        '<table:table-cell table:formula="of:=[.B4]/0" office:value-type="string" office:string-value="" '
        f'calcext:value-type="error"><text:p>{error}</text:p></table:table-cell>'
    )
    rows = []
    for r, row in enumerate(TABLE):
        cells = [bad if (r, c) == (3, 2) else cell(v) for c, v in enumerate(row)]
        rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="Data">'
        '<table:table-column table:number-columns-repeated="3"/>' + "".join(rows) + "</table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


def csv_with_error(path: Path, error: str) -> Path:
    rows = [list(r) for r in TABLE]
    rows[3][2] = error
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


WRITERS = {
    "xlsx-rumus": (xlsx_with_cached_error, "xlsx", True),
    "xlsx-nilai": (xlsx_error_value, "xlsx", True),
    "xls": (xls_with_error, "xls", True),
    "ods": (ods_with_error, "ods", True),
    "csv": (csv_with_error, "csv", False),
}


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_an_error_cell_in_a_count_column_is_an_error_naming_the_cell(kind, error, data_dir, tmp_path):
    write, ext, has_sheet = WRITERS[kind]
    if kind == "ods" and error != "#DIV/0!":
        pytest.skip("one error kind is enough for ods")
    path = write(tmp_path / f"galat.{ext}", error)
    report = refused("penduduk", path, data_dir)
    [p] = at_cell(report, 4, "5-9")  # one message for the cell, not also "bukan angka"
    assert not [q for q in report.problems if "JUMLAH" in q.message]  # nor a JUMLAH that misses the unread cell
    assert p.level == "error" and p.file == f"galat.{ext}"
    assert f"galat Excel {error}" in p.message and "perbaiki rumusnya lalu simpan ulang" in p.message
    if has_sheet:
        assert p.sheet == "Data" and "Sel C4" in p.message
    assert p.value == error


def test_a_formula_without_a_saved_result_is_still_refused(data_dir, tmp_path):
    """The precheck's case (etl/precheck.py _unsaved_formulas): a formula whose result the file does not hold."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in TABLE:
        ws.append(r)
    ws["C4"] = "=B4/4"
    wb.save(tmp_path / "rumus.xlsx")
    report = refused("penduduk", tmp_path / "rumus.xlsx", data_dir)
    assert "rumus tanpa hasil" in report.to_text() and "C4" in report.to_text()


# --- every dataset: an error cell and a text that is not a number, in the template's example row --------------------
def template_file(path: Path, dataset: str, changes: dict[str, object]) -> Path:
    """The dataset's Excel template (its example row loads as it stands) with cells of row 2 changed, by header."""
    wb = openpyxl.load_workbook(io.BytesIO(templates.template(dataset)))
    ws = wb["Data"]
    head = [c.value for c in ws[1]]
    for header, value in changes.items():
        ws.cell(row=2, column=head.index(header) + 1, value=value)
    wb.save(path)
    return path


def test_every_template_loads_as_it_stands(data_dir, tmp_path):
    for dataset in templates.TEMPLATES:
        assert loader.check(dataset, [template_file(tmp_path / f"{dataset}.xlsx", dataset, {})]).ok, dataset


ERROR_CELLS = [  # (dataset, header, kind of column)
    ("penduduk", "Jumlah", "angka"),
    ("penduduk", "Umur", "kelompok umur"),
    ("kasus", "Usia", "angka"),
    ("kasus", "Tanggal Kejadian", "tanggal"),
    ("kasus", "Bentuk Kekerasan", "kategori"),
    ("kasus", "Kecamatan", "wilayah"),
    ("rbra", "Status", "kategori"),
    ("rbra", "Latitude", "angka"),
    ("indikator", "Nilai", "angka"),
    ("kla_hasil", "Nilai", "angka"),
    ("angka_publik", "Nilai", "angka"),
    ("tindak_lanjut", "Tenggat", "tanggal"),
    ("kla_kecamatan", "Kategori", "kategori"),
]


@pytest.mark.parametrize("dataset, header, _kind", ERROR_CELLS, ids=[f"{d}-{h}" for d, h, _ in ERROR_CELLS])
def test_an_error_cell_in_any_read_column_names_the_cell(dataset, header, _kind, data_dir, tmp_path):
    path = template_file(tmp_path / f"{dataset}.xlsx", dataset, {header: "#N/A"})
    report = refused(dataset, path, data_dir)
    [p] = at_cell(report, 2, header)
    assert "galat Excel #N/A" in p.message and p.sheet == "Data", report.to_text()


NOT_NUMBERS = [  # (dataset, header, text)
    ("penduduk", "Jumlah", "lima ratus"),
    ("kasus", "Usia", "dua belas"),
    ("rbra", "Tahun", "tahun lalu"),
    ("rbra", "Luas", "luas"),
    ("rbra", "Latitude", "utara"),
    ("indikator", "Nilai", "tinggi"),
    ("indikator", "Target", "tinggi"),
    ("kla_hasil", "Nilai", "sembilan ratus"),
    ("angka_publik", "Nilai", "sekitar"),
    ("kla_kecamatan", "Nilai", "baik"),
    ("tindak_lanjut", "No Indikator", "empat"),
]


@pytest.mark.parametrize("dataset, header, value", NOT_NUMBERS, ids=[f"{d}-{h}" for d, h, _ in NOT_NUMBERS])
def test_text_in_a_number_column_is_an_error_naming_the_cell(dataset, header, value, data_dir, tmp_path):
    path = template_file(tmp_path / f"{dataset}.xlsx", dataset, {header: value})
    report = refused(dataset, path, data_dir)
    problems = [p for p in at_cell(report, 2, header) if p.level == "error"]
    assert problems, report.to_text()
    assert all(p.value == value and p.sheet == "Data" and p.file == f"{dataset}.xlsx" for p in problems)


def rekap_csv(path: Path, jumlah: str) -> Path:
    rows = [
        ["REKAP KASUS KEKERASAN TERHADAP ANAK KOTA KENDARI"],
        ["Periode", "Bentuk Kekerasan", "Jumlah", "Satuan", "Sumber"],
        ["2024", "Fisik", "6", "kasus", "UPTD PPA Kota Kendari"],
        ["2024", "Psikis", jumlah, "kasus", "UPTD PPA Kota Kendari"],
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def test_kasus_rekap_text_and_error_in_a_count(data_dir, tmp_path):
    assert loader.check("kasus_rekap", [rekap_csv(tmp_path / "ok.csv", "3")]).ok
    for value, expected in (("tiga", "bilangan bulat"), ("#VALUE!", "galat Excel #VALUE!")):
        report = refused("kasus_rekap", rekap_csv(tmp_path / "rekap.csv", value), data_dir)
        [p] = at_cell(report, 4, "Jumlah")
        assert p.value == value and expected in p.message, report.to_text()


def test_an_error_cell_in_a_dropped_column_is_not_read(data_dir, tmp_path):
    """A column the dataset does not read (unknown, dropped) may hold anything: it is never loaded."""
    path = template_file(tmp_path / "rbra.xlsx", "rbra", {})
    wb = openpyxl.load_workbook(path)
    ws = wb["Data"]
    ws.cell(row=1, column=20, value="Kolom Bantu")
    ws.cell(row=2, column=20, value="#REF!")
    wb.save(path)
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    con = warehouse.connect_current()
    assert con.execute("SELECT count(*) FROM fact_rbra").fetchone()[0] == 1
    con.close()


def test_a_register_csv_read_by_duckdb_names_each_error_cell_once(data_dir, tmp_path):
    """kasus reads CSV files column by column in DuckDB (etl/read/csvfast.py): the same rule there."""
    head = ["No Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "Kelurahan", "Jenis Kelamin"]
    head += ["Usia", "Bentuk Kekerasan"]
    rows = [head]
    for i in range(1, 6):
        rows.append([f"REG/{i}", "02/03/2024", "20/03/2024", "Mandonga", "Korumba", "P", "12", "Psikis"])
    rows[2][6] = "#VALUE!"  # Usia of REG/2, row 3
    rows[4][1] = "#REF!"  # Tanggal Kejadian of REG/4, row 5
    with open(tmp_path / "register.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    report = refused("kasus", tmp_path / "register.csv", data_dir)
    [usia] = at_cell(report, 3, "Usia")
    [date] = at_cell(report, 5, "Tanggal Kejadian")
    assert "galat Excel #VALUE!" in usia.message and "galat Excel #REF!" in date.message
    assert len(report.errors) == 2, report.to_text()
