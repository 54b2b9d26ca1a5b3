"""Formulas neutralised (issue 17): every spreadsheet the product writes holds a `=HYPERLINK(...)` from the data
as that text, never as a formula. Read back with openpyxl: no cell of any sheet has data_type "f", and the
text is there exactly (xlsx: a text cell; CSV: a leading apostrophe, numbers stay numbers)."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import sheets, templates
from kla import export
from tests.conftest import REPO, run_etl

EVIL = '=HYPERLINK("http://evil.example","klik")'
OTHERS = ["+62 811 0000", "-1+2", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def cells(data: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def no_formula(data: bytes) -> list:
    found = cells(data)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    return found


def string_cell(ws, r, c):
    """A header or value written as a text cell: openpyxl would make any str starting with "=" a formula."""
    cell = ws.cell(row=r, column=c)
    cell.data_type = "s"
    return cell


@pytest.fixture()
def evil_upload(tmp_path) -> Path:
    """An RBRA file a data owner might send: a header, a cell, the sheet and the file name look like formulas."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "=2+2"
    ws.append(["Nama", "Kecamatan", "Kelurahan", "Status", EVIL])  # the last header is unknown: dropped
    ws.append(["Taman A", EVIL, "Korumba", "RBRA", "x"])  # an unknown kecamatan: an error with its value
    ws.append(["Taman B", "Mandonga", "Korumba", "RBRA", "y"])
    string_cell(ws, 1, 5)
    string_cell(ws, 2, 2)
    path = tmp_path / "=1+1.xlsx"
    wb.save(path)
    return path


def test_problem_report_of_the_cli_keeps_a_dropped_header_as_text(tmp_path, evil_upload):
    report = tmp_path / "masalah.xlsx"
    proc = run_etl(tmp_path / "data", "load", "rbra", str(evil_upload), "--report", str(report), check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = report.read_bytes()
    no_formula(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    summary = {r[0].value: r[1].value for r in wb["Ringkasan"].iter_rows()}
    assert summary["Kolom dibuang"] == EVIL  # the summary sheet: was a live formula
    rows = [[c.value for c in r] for r in wb["Masalah"].iter_rows(min_row=2)]
    assert {r[1] for r in rows} == {"=1+1.xlsx"} and {r[2] for r in rows} == {"=2+2"}
    assert EVIL in {r[4] for r in rows}  # the dropped header in the Kolom column
    assert f'"{EVIL}"' in {r[5] for r in rows}  # the kecamatan cell in the Nilai column


def test_problem_report_of_the_data_page_is_the_same_file(evil_upload):
    from etl import loader

    result = loader.check("rbra", [evil_upload], display_names=[EVIL + ".xlsx"])
    assert result.report.has_errors
    data = result.report.xlsx_bytes()  # what the Data page's "Unduh daftar masalah" sends
    found = no_formula(data)
    assert EVIL + ".xlsx" in {c.value for c in found}


@pytest.mark.parametrize("evil", [EVIL, *OTHERS])
def test_table_downloads_csv_and_xlsx(evil):
    df = pd.DataFrame(
        {"nama": [evil, "Taman Korumba", "-5"], evil: [1, 2, 3], "nilai": [1.5, -2.0, 3.25]},
        index=pd.Index([evil, "b", "c"], name="wilayah"),
    )
    rows = list(
        csv.reader(io.StringIO(export.csv_bytes(df, index=True).decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert rows[0] == ["wilayah", "nama", "'" + evil, "nilai"]
    assert rows[1][:2] == ["'" + evil, "'" + evil] and rows[2][1] == "Taman Korumba"
    assert rows[3][1] == "-5"  # text that is a plain number stays a number
    assert [r[3] for r in rows[1:]] == ["1,5", "-2,0", "3,25"]  # numbers stay numbers (decimal comma)
    data = export.xlsx_bytes(df, index=True)
    no_formula(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["wilayah", "nama", evil, "nilai"]  # exactly the text
    assert ws["A2"].value == evil and ws["B2"].value == evil and ws["B2"].data_type == "s"
    assert ws["C2"].value == 1 and ws["D3"].value == -2.0  # numbers as numbers
    assert ws["B2"].quotePrefix  # Excel keeps it text when edited


def test_a_line_break_in_a_cell_does_not_start_a_row():
    """A bare CR inside a cell would end the row in Excel and start the next with "=1+1": such cells are quoted."""
    df = pd.DataFrame({"nama": ["Taman\r=1+1", "Taman\n@SUM(A1)"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(df).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["nama", "n"], ["Taman\r=1+1", "1"], ["Taman\n@SUM(A1)", "2"]]


@pytest.mark.parametrize("name", list(templates.TEMPLATES))
def test_templates_hold_list_values_as_text(monkeypatch, name):
    """The dropdown lists carry kecamatan/kelurahan names and categories from the reference data."""
    monkeypatch.setattr(templates, "_list_values", lambda _: [EVIL, "Mandonga"])
    data = templates.template(name)
    no_formula(data)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    if any(lst for _, _, lst in templates.TEMPLATES[name]):
        assert wb["Daftar"]["A2"].value == EVIL
        assert all(dv.formula1.startswith("=Daftar!") for dv in wb["Data"].data_validations.dataValidation)


def test_sample_inputs_have_no_formula(sample_data_dir):
    files = sorted((sample_data_dir / "sample").glob("*.xlsx"))
    assert files
    for f in files:
        no_formula(f.read_bytes())


def test_one_helper_for_csv_cells():
    assert sheets.csv_cell(EVIL) == "'" + EVIL
    assert [sheets.csv_cell(v) for v in OTHERS] == ["'" + v for v in OTHERS]
    assert [sheets.csv_cell(v) for v in ("-5", "+12", "-1.234,5", "12%", 7, -3.5, None, "Taman")] == [
        "-5",
        "+12",
        "-1.234,5",
        "12%",
        7,
        -3.5,
        None,
        "Taman",
    ]


def test_tables_have_no_raw_csv_export_of_their_own():
    """st.dataframe's toolbar writes a CSV of the raw cells (no neutralising): switched off, the app's own
    CSV/XLSX buttons are the downloads."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
