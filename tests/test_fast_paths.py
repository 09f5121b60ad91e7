"""The faster paths (issue 13) give exactly what the general ones give: folding only the
cells that need it, dates and datetimes parsed by the cells' own format, codes and
enumerations by distinct value, every sheet and file read at once."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from wudi_audit.facts.text import fold_text, fold_text_series
from wudi_audit.normalise.inputs import load_inputs, read_all
from wudi_audit.normalise.table import (
    by_value,
    parse_code,
    parse_column,
    parse_date,
    parse_datetime,
)
from wudi_audit.read.reader import read_table
from wudi_audit.rules.pack import load_rule_pack
from wudi_audit.schema.tables import ATTENDANCE, Kind

ID = "320505199001011233"
# ASCII, CJK, full-width forms, compatibility ideographs, spaces of every kind, controls
ALPHABET = st.sampled_from(
    list("aZ09 -_./:年月日张三线上下（）：，\u3000\u00a0\t\n\u200b\x01\uff21\uf900\u2460")
)
TEXT = st.text(ALPHABET, max_size=12)


def general(values: list, expr) -> list:
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr).to_series().to_list()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), max_size=12))
def test_folding_only_what_needs_it_is_folding(values):
    series = pl.Series("v", values, dtype=pl.String)
    assert fold_text_series(series).to_list() == general(values, fold_text(pl.col("v")))
    assert series.to_list() == values  # the input is left as it was


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2040, 1, 1)).map(
                lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
            ),
            st.sampled_from(["2026/3/1 8:27", "46082.5", "2026-03-01 08:27", "x", "2026-13-01"]),
        ),
        max_size=10,
    )
)
def test_datetimes_by_the_cells_format_or_in_general(values):
    folded = fold_text_series(pl.Series("v", values, dtype=pl.String))
    fast = folded.to_frame().select(parse_column(folded, Kind.DATETIME).alias("v"))
    assert fast.to_series().to_list() == general(folded.to_list(), parse_datetime(pl.col("v")))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dates(dt.date(1950, 1, 1), dt.date(2040, 1, 1)).map(str),
            st.sampled_from(["2026年3月1日", "46082", "20260301", "2026-02-30", "2026-3-1"]),
        ),
        max_size=10,
    )
)
def test_dates_by_the_cells_format_or_in_general(values):
    folded = pl.Series("v", values, dtype=pl.String)
    fast = folded.to_frame().select(parse_column(folded, Kind.DATE).alias("v"))
    assert fast.to_series().to_list() == general(values, parse_date(pl.col("v")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), max_size=12))
def test_codes_and_enumerations_by_value(values):
    series = fold_text_series(pl.Series("v", values, dtype=pl.String))
    code = series.to_frame().select(parse_code(series).alias("v")).to_series().to_list()
    assert code == general(
        series.to_list(), pl.col("v").str.replace_all(r"\s", "").str.to_uppercase()
    )
    upper = (
        pl.col("v")
        .str.to_uppercase()
        .replace_strict(["线上", "A"], ["online", "a"], default=None, return_dtype=pl.String)
    )
    assert by_value(series, upper).to_list() == general(series.to_list(), upper)


def _attendance(path: Path, as_cells: bool) -> Path:
    stamps = [dt.datetime(2026, 3, 2, 8, 30), dt.datetime(2026, 3, 2, 19, 5, 30)]
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False}) as book:
        stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for part in (1, 2):
            sheet = book.add_worksheet(f"考勤{part}")
            sheet.write_row(0, 0, ["班级编号", "身份证号", "签到时间", "签退时间", "方式"])
            for r, at in enumerate(stamps, start=1):
                sheet.write_row(r, 0, [f"C{part}", ID])
                for col, value in ((2, at), (3, at + dt.timedelta(hours=3))):
                    if as_cells:
                        sheet.write_datetime(r, col, value, stamp)
                    else:
                        sheet.write_string(r, col, value.strftime("%Y/%m/%d %H:%M:%S"))
                sheet.write_string(r, 4, "线上" if r == 1 else "线下培训")
    return path


def test_datetime_cells_and_datetime_text_read_alike(tmp_path):
    from wudi_audit.normalise.table import normalize

    cells = normalize(
        read_table(_attendance(tmp_path / "c.xlsx", True), ATTENDANCE, all_sheets=True)
    )
    text = normalize(
        read_table(_attendance(tmp_path / "t.xlsx", False), ATTENDANCE, all_sheets=True)
    )
    keep = ["class_id", "id_number", "sign_in", "sign_out", "mode", "source_sheet", "source_row"]
    assert cells.select(keep).equals(text.select(keep))
    assert cells["sign_in"].to_list()[:2] == [
        dt.datetime(2026, 3, 2, 8, 30),
        dt.datetime(2026, 3, 2, 19, 5, 30),
    ]
    assert cells["mode"].to_list() == ["online", "offline"] * 2
    assert cells["source_sheet"].to_list() == ["考勤1", "考勤1", "考勤2", "考勤2"]


def test_reading_at_once_raises_what_reading_in_turn_meets_first():
    order: list[str] = []

    def ok(name: str):
        order.append(name)
        return name

    def fails(name: str):
        order.append(name)
        raise ValueError(name)

    assert read_all({"a": lambda: ok("a"), "b": lambda: ok("b")}) == {"a": "a", "b": "b"}
    order.clear()
    with pytest.raises(ValueError, match=r"^b$"):
        read_all({"a": lambda: ok("a"), "b": lambda: fails("b"), "c": lambda: fails("c")})
    assert order[-2:] == ["a", "b"]  # the retry in turn stops at the first error


def test_missing_attendance_is_reported_after_the_claims(tmp_path):
    from wudi_audit.errors import UserInputError

    with pytest.raises(UserInputError, match="申领明细"):
        load_inputs(tmp_path / "none.xlsx", load_rule_pack(), attendance=[tmp_path / "gone.xlsx"])


def test_check_timings_name_every_phase_on_stderr(sample_dir, tmp_path):
    from tests.test_cli import run

    proc = run(
        "check",
        str(sample_dir / "claims.xlsx"),
        "--attendance",
        str(sample_dir / "attendance.xlsx"),
        "-o",
        str(tmp_path / "r.xlsx"),
        "--ledger",
        str(tmp_path / "no-ledger"),
        "--fail-on",
        "never",
        "--timings",
    )
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("timings:"))
    for name in ("read", "normalise", "ledger", "rules", "report", "write", "total"):
        assert f"{name} " in line
    assert "timings:" not in proc.stdout
    if sys.platform != "win32":  # the peak memory after each phase, never falling
        peaks = next(ln for ln in proc.stderr.splitlines() if ln.startswith("peak memory"))
        figures = [float(m.replace(",", "")) for m in re.findall(r"([\d,.]+) MB", peaks)]
        assert len(figures) == 6 and figures == sorted(figures) and figures[0] > 10


def test_sample_writes_the_benchmark_layout(tmp_path):
    import fastexcel

    from wudi_audit.sample.generate import write_sample

    planted = write_sample(
        tmp_path, 60, title_rows=3, serial_column=True, attendance_sheets=2, all_references=True
    )
    claims = fastexcel.read_excel(tmp_path / "claims.xlsx").load_sheet(0, header_row=3)
    assert claims.width == 25 and claims.to_polars().columns[0] == "序号"
    assert fastexcel.read_excel(tmp_path / "attendance.xlsx").sheet_names == ["考勤1", "考勤2"]
    lists = {p.stem for p in (tmp_path / "ref").iterdir()}
    assert lists == {"excluded", "catalog", "providers", "standards", "budget", "urban_rural"}
    assert min(min(rows) for rows in planted.values()) >= 5  # below three title rows


# phone cells as officers and exports write them (SPEC §2 P108): separators, +86 / 0086 /
# 86, full-width brackets, placeholders, signs, letters, long digit runs
PHONE_CHARS = st.sampled_from(list("0123456789 -+.()（）－—_/86x"))
PHONE = st.text(PHONE_CHARS, max_size=16) | st.sampled_from(
    ["13812345678", "+86 138-1234-5678", "8613812345678", "008613812345678", "-13812345678",
     "13333333333", "0512-65432100", "99999999999999999999999", "１３８"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), PHONE), max_size=12))
def test_a_phone_written_as_its_key_is_looked_up_as_written(values):
    # issue 21, ledger phase: the ledger looks up `phone` as written unless
    # `may_differ_from_key`; for every other cell the key is the cell itself or nothing
    from wudi_audit.facts.phone import may_differ_from_key, phone_key

    frame = pl.DataFrame({"p": values}, schema={"p": pl.String}).with_columns(
        phone_key(pl.col("p")).alias("key"), may_differ_from_key(pl.col("p")).alias("odd")
    )
    for cell, key, odd in frame.iter_rows():
        if not odd:
            assert key is None or key == cell, (cell, key)


def test_the_ledgers_odd_cells_are_kept_only_when_their_key_is_the_batchs():
    from wudi_audit.facts import certificate, phone
    from wudi_audit.ledger.history import KeyLookup, _keyed

    records = pl.DataFrame(
        {
            "id_number": ["A", "B", "C", "D", "E", "F", "G"],
            "phone": ["+86 138-1234-5678", "139-0000-1111", "13812345678", None,
                      "(138)12345678", None, None],
            "certificate_no": [None, None, None, None, None, "zs 001", "zs 002"],
        }
    )  # fmt: skip
    by_person = pl.col("id_number").is_in(pl.Series(["D"]).implode())
    lookups = [
        KeyLookup("phone", phone.phone_key, phone.may_differ_from_key, pl.Series(["13812345678"])),
        KeyLookup(
            "certificate_no",
            certificate.certificate_key,
            certificate.may_differ_from_key,
            pl.Series(["ZS001"]),
        ),
    ]
    kept = _keyed(records, by_person, lookups)
    # B's phone and G's certificate are other numbers once keyed
    assert kept["id_number"].to_list() == ["A", "C", "D", "E", "F"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(st.sampled_from(list("zZ09- /\u3000ａÄß\tx")), max_size=8)),
        max_size=10,
    )
)
def test_a_certificate_written_as_its_key_is_looked_up_as_written(values):
    from wudi_audit.facts.certificate import certificate_key, may_differ_from_key

    frame = pl.DataFrame({"c": values}, schema={"c": pl.String}).select(
        certificate_key(pl.col("c")).alias("key"), may_differ_from_key(pl.col("c")).alias("odd")
    )
    for cell, (key, odd) in zip(values, frame.iter_rows(), strict=True):
        if not odd:
            assert key == cell, (cell, key)
