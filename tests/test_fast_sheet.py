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
from hypothesis import given
from hypothesis import strategies as st

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


NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(float),
    st.sampled_from([0.0, -0.0, 840.0, 0.01, 12.5, 1e15 - 1, 1e15, 1e16, -1e15 + 1, 123456789.125]),
)


@given(st.lists(st.one_of(st.none(), NUMBERS), max_size=40))
def test_number_texts_are_xlsxwriters_own_float_format(values):
    """The fast path (whole numbers as integers) prints what XlsxWriter's `%.16G` prints,
    -0.0, fractions, huge numbers and nulls included."""
    column = pl.Series("n", values, dtype=pl.Float64)
    expected = [None if v is None else f"{v:.16G}" for v in values]
    assert fast_sheet.number_texts(column).to_list() == expected


@given(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), max_size=40))
def test_number_texts_of_integer_columns(values):
    column = pl.Series("n", values, dtype=pl.Int64)
    expected = [None if v is None else f"{v:.16G}" for v in values]
    assert fast_sheet.number_texts(column).to_list() == expected


def test_rows_are_built_a_slice_ahead_in_order(tmp_path, monkeypatch):
    """Slices built ahead of the one being compressed land in order: a sheet of many
    slices reads back row for row, as one slice does."""
    report = hostile_report()
    report = dataclasses.replace(report, claims=pl.concat([report.claims] * 8))
    found = {}
    for slice_rows in (7, 10**6):
        monkeypatch.setattr(fast_sheet, "SLICE", slice_rows)
        monkeypatch.setattr(fast_sheet, "MIN_ROWS", 1)
        path = tmp_path / f"{slice_rows}.xlsx"
        workbook.write_workbook(report, path)
        found[slice_rows] = calamine_sheets(path)["申领审核"]
    assert len(found[7]) == report.claims.height + 1
    assert found[7] == found[10**6]


def test_number_texts_of_other_number_types_keep_pythons_format():
    """Decimals are not cut to whole numbers; they print as Python prints them."""
    column = pl.Series("n", ["12.5", "840", None]).cast(pl.Decimal(10, 2))
    assert fast_sheet.number_texts(column).to_list() == ["12.50", "840.00", None]
    flags = pl.Series("n", [True, False, None])
    assert fast_sheet.number_texts(flags).to_list() == ["1", "0", None]
