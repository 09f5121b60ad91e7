"""The big tables' rows written as XML built by Polars (report/fast_sheet.py) read back
exactly as XlsxWriter's own cells: through calamine, openpyxl and LibreOffice; text that
looks like a formula stays text; XML is escaped, control characters never reach it, and
no cell passes 32,767 characters."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import xml.etree.ElementTree as ET
import zipfile

import fastexcel
import polars as pl
import pytest

from tests.conftest import id_for
from tests.test_writer import report_for
from wudi_audit.report import fast_sheet, workbook

HOSTILE = [
    '=HYPERLINK("http://example.com","点我")',
    "+1+2",
    "@SUM(A1)",
    "a & b <c> \"d\" 'e'",
    "  leading and trailing  ",
    "control \x01\x08\x0b\x1f chars",
    "tab\tand\nnew line",
    "literal _x0041_ escape",
    "non-characters \ufffe\uffff end",
    "emoji 😀 and 𠀀 astral",
    "<r>not rich text</r>",
    "长" * 40_000,
    "😀" * 20_000,
    "",
]


def hostile_report():
    rows = [
        {"assessment": "不合格", "class_id": f"C{i}", "id_number": id_for("1990-01-01", serial=i)}
        for i in range(len(HOSTILE) + 6)
    ]
    report = report_for(rows)
    names = (HOSTILE * 3)[: report.claims.height]
    claims = report.claims.with_columns(pl.Series("name", names, dtype=pl.String))
    return dataclasses.replace(report, claims=claims)


def write_both(tmp_path, monkeypatch, report):
    paths = {}
    for label, minimum in (("fast", 1), ("xlsxwriter", 10**9)):
        monkeypatch.setattr(fast_sheet, "MIN_ROWS", minimum)
        paths[label] = tmp_path / f"{label}.xlsx"
        workbook.write_workbook(report, paths[label])
    return paths


def calamine_sheets(path) -> dict[str, list]:
    reader = fastexcel.read_excel(path)
    return {
        name: reader.load_sheet(name, header_row=None, dtypes="string").to_polars().rows()
        for name in reader.sheet_names
    }


def openpyxl_sheets(path) -> dict[str, list]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=False)
    out = {}
    for sheet in book.worksheets:
        out[sheet.title] = (
            [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()],
            sheet.freeze_panes,
            sheet.auto_filter.ref,
            sheet.dimensions,
        )
    return out


def without_rich_text_rows(rows: list) -> list:
    """XlsxWriter writes a text `<r>…</r>` as raw rich-text XML (it reads back empty or
    odd); the fast rows write it as text. Every other row must be the same."""
    bad = HOSTILE.index("<r>not rich text</r>")
    return [r for i, r in enumerate(rows) if i == 0 or (i - 1) % len(HOSTILE) != bad]


def test_fast_rows_read_back_as_xlsxwriter_cells(tmp_path, monkeypatch):
    report = hostile_report()
    paths = write_both(tmp_path, monkeypatch, report)
    fast, slow = calamine_sheets(paths["fast"]), calamine_sheets(paths["xlsxwriter"])
    assert fast.keys() == slow.keys()
    for name in slow:
        if name == "申领审核":
            assert without_rich_text_rows(fast[name]) == without_rich_text_rows(slow[name])
        else:
            assert fast[name] == slow[name], name
    fast, slow = openpyxl_sheets(paths["fast"]), openpyxl_sheets(paths["xlsxwriter"])
    assert fast.keys() == slow.keys()
    for name in slow:
        if name == "申领审核":
            assert without_rich_text_rows(fast[name][0]) == without_rich_text_rows(slow[name][0])
            assert fast[name][1:] == slow[name][1:]  # panes, filter, dimensions
        else:
            assert fast[name] == slow[name], name


def test_fast_rows_are_text_never_formulas_and_valid_xml(tmp_path, monkeypatch):
    paths = write_both(tmp_path, monkeypatch, hostile_report())
    with zipfile.ZipFile(paths["fast"]) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            data = book.read(name)
            ET.fromstring(data)  # well-formed XML 1.0
            assert b"<f>" not in data
            assert not any(bytes([c]) in data for c in (*range(0, 9), 0x0B, 0x0C, *range(14, 32)))
    claims = calamine_sheets(paths["fast"])["申领审核"]
    names = [r[list(claims[0]).index("姓名")] for r in claims[1:]]
    assert names[0] == HOSTILE[0]  # the formula is text
    assert names[HOSTILE.index("<r>not rich text</r>")] == "<r>not rich text</r>"
    assert max(len(n or "") for n in names) <= 32_767
    assert names[HOSTILE.index("长" * 40_000)] == "长" * 32_767
    assert names[HOSTILE.index("😀" * 20_000)] == "😀" * 16_383  # UTF-16 units


def test_small_tables_and_non_finite_numbers_keep_the_cell_writer():
    small = pl.DataFrame({"a": ["x"] * 5})
    assert not fast_sheet.usable(small)
    big = pl.DataFrame({"a": [1.0] * fast_sheet.MIN_ROWS})
    assert fast_sheet.usable(big)
    assert not fast_sheet.usable(big.with_columns(pl.lit(float("nan")).alias("b")))


OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_fast_rows_as_xlsxwriter_cells(tmp_path, monkeypatch):
    from tests.test_libreoffice import CSV_ALL_SHEETS, convert

    report = hostile_report()
    report = dataclasses.replace(report, claims=report.claims.filter(pl.col("name") != HOSTILE[10]))
    paths = write_both(tmp_path, monkeypatch, report)
    found = {}
    for label, path in paths.items():
        out = tmp_path / label
        convert(path, CSV_ALL_SHEETS, out, tmp_path / f"profile-{label}")
        found[label] = {
            p.stem.split("-", 1)[1]: list(csv.reader(p.open(encoding="utf-8")))
            for p in out.glob("*.csv")
        }
    assert found["fast"].keys() == found["xlsxwriter"].keys()
    for name in found["fast"]:
        if name != "汇总":  # the summary holds the run's duration
            assert found["fast"][name] == found["xlsxwriter"][name], name
