"""Reading: formats, header detection, aliases, encodings, hostile files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from wudi_audit.errors import UserInputError
from wudi_audit.normalise.table import normalize
from wudi_audit.read.raw import ReadLimits
from wudi_audit.read.reader import read_table
from wudi_audit.schema.tables import ATTENDANCE, CLAIMS, EXCLUDED, TableSchema

HEADERS = [
    "公民身份号码",
    "姓名",
    "项目编号",
    "班级编号",
    "开班日期",
    "结业日期",
    "线上课时",
    "线下课时",
    "考核结果",
    "申领金额",
]
ROW = [
    "320505199001011233",
    "张三",
    "P1",
    "C1",
    "2026-03-02",
    "2026-03-15",
    "14",
    "21",
    "合格",
    "840",
]


def write_xlsx(path: Path, rows: list[list], numeric_id_rows: tuple[int, ...] = ()) -> Path:
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False}) as book:
        sheet = book.add_worksheet("明细")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if r in numeric_id_rows and c == 0 and str(value).isdigit():
                    # as an office program stores it: a float, last digits lost
                    sheet.write_number(r, c, float(value))
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy-mm-dd"}))
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", sep: str = ",") -> Path:
    text = "\n".join(sep.join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


ALIAS_CASES = [
    pytest.param(schema, field.name, alias, id=f"{schema.name}-{field.name}-{alias}")
    for schema in (CLAIMS, ATTENDANCE, EXCLUDED)
    for field in schema.fields
    for alias in field.aliases
]


@pytest.mark.parametrize(("schema", "field_name", "alias"), ALIAS_CASES)
def test_every_accepted_header_alias(tmp_path, schema: TableSchema, field_name, alias):
    headers = [alias if f.name == field_name else f.aliases[0] for f in schema.required]
    if field_name not in [f.name for f in schema.required]:
        headers.append(alias)
    values = [f"v{i}" for i in range(len(headers))]
    path = write_csv(tmp_path / "t.csv", [headers, values])
    table = read_table(path, schema)
    position = headers.index(alias)
    assert table.frame[field_name].to_list() == [f"v{position}"]


def test_header_below_title_rows_and_total_row_dropped(tmp_path):
    rows = [
        ["2026年第3批补贴申领明细"],
        [None],
        HEADERS,
        ROW,
        ROW,
        [None],
        ["合计"] + [None] * 8 + [1680],
    ]
    table = read_table(write_xlsx(tmp_path / "c.xlsx", rows), CLAIMS)
    assert table.frame.height == 2
    assert table.frame["source_row"].to_list() == [4, 5]
    assert any("合计" in note for note in table.sources[0].notes)


def test_headers_folded_full_width_spaces_and_units(tmp_path):
    headers = [f"　{h} " for h in HEADERS]
    headers[-1] = "申领金额（元）"
    headers[0] = "公民身份号码(18位)"
    table = read_table(write_csv(tmp_path / "c.csv", [headers, ROW]), CLAIMS)
    assert table.frame["amount"].to_list() == ["840"]
    assert table.frame["id_number"].to_list() == [ROW[0]]


def test_unknown_columns_are_listed_not_lost(tmp_path):
    table = read_table(write_csv(tmp_path / "c.csv", [[*HEADERS, "备注"], [*ROW, "x"]]), CLAIMS)
    assert table.sources[0].ignored_columns == ["备注"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_chinese_csv_encodings(tmp_path, encoding):
    name = "䶮三" if encoding == "gb18030" else "张三"
    row = [ROW[0], name, *ROW[2:]]
    table = read_table(write_csv(tmp_path / "c.csv", [HEADERS, row], encoding), CLAIMS)
    assert table.frame["name"].to_list() == [name]
    assert table.frame["source_row"].to_list() == [2]


def test_utf16_tab_separated_unicode_text(tmp_path):
    path = write_csv(tmp_path / "c.txt", [HEADERS, ROW], "utf-16", "\t")
    table = read_table(path, CLAIMS)
    assert table.frame["name"].to_list() == ["张三"]


def test_csv_record_with_line_break_keeps_its_physical_line(tmp_path):
    path = tmp_path / "c.csv"
    row2 = [ROW[0], '"张\n三"', *ROW[2:]]
    write_csv(path, [HEADERS, row2, ROW])
    table = read_table(path, CLAIMS)
    assert table.frame["source_row"].to_list() == [2, 4]


def test_dates_in_every_listed_form(tmp_path):
    forms = [
        "2026-03-01",
        "2026/3/1",
        "2026.3.1",
        "2026年3月1日",
        "20260301",
        "46082",
        dt.datetime(2026, 3, 1),
    ]
    rows = [HEADERS] + [[*ROW[:4], form, *ROW[5:]] for form in forms]
    table = read_table(write_xlsx(tmp_path / "c.xlsx", rows), CLAIMS)
    assert normalize(table)["start_date"].to_list() == [dt.date(2026, 3, 1)] * len(forms)


def test_datetimes_in_every_listed_form(tmp_path):
    headers = ["班级编号", "身份证号", "签到时间", "签退时间"]
    forms = ["2026-03-01 08:27:00", "2026-03-01 08:27", "2026/3/1 8:27"]
    rows = [headers] + [["C1", ROW[0], f, f] for f in forms]
    table = read_table(write_csv(tmp_path / "a.csv", rows), ATTENDANCE)
    assert normalize(table)["sign_in"].to_list() == [dt.datetime(2026, 3, 1, 8, 27)] * 3


def test_identity_number_cell_type_is_kept(tmp_path):
    rows = [HEADERS, ROW, [*ROW], ["3.20505E+17", *ROW[1:]]]
    table = read_table(write_xlsx(tmp_path / "c.xlsx", rows, numeric_id_rows=(2,)), CLAIMS)
    claims = normalize(table)
    assert claims["id_damaged"].to_list() == [False, True, True]


def test_missing_column_message(tmp_path):
    headers = [h for h in HEADERS if h != "结业日期"]
    headers[headers.index("开班日期")] = "开班日"
    path = write_csv(tmp_path / "c.csv", [headers, ROW[:-1]])
    with pytest.raises(UserInputError) as caught:
        read_table(path, CLAIMS)
    zh = caught.value.zh
    assert "缺少必需列" in zh and "结业日期" in zh and "开班日期" in zh
    assert "最接近的是“开班日”" in zh and "找到的表头" in zh and str(path) in zh
    assert "missing required columns" in caught.value.en


def test_two_columns_for_one_field_is_refused(tmp_path):
    path = write_csv(tmp_path / "c.csv", [[*HEADERS, "身份证号"], [*ROW, "x"]])
    with pytest.raises(UserInputError, match="公民身份号码"):
        read_table(path, CLAIMS)


def test_format_from_content_not_extension(tmp_path):
    xlsx = write_xlsx(tmp_path / "c.xlsx", [HEADERS, ROW])
    renamed = tmp_path / "c.xls"
    renamed.write_bytes(xlsx.read_bytes())
    table = read_table(renamed, CLAIMS)
    assert table.frame.height == 1
    assert table.sources[0].format == "xlsx"
    assert any("扩展名" in n for n in table.sources[0].notes)


def test_parquet(tmp_path):
    frame = pl.DataFrame({h: [v] for h, v in zip(HEADERS, ROW, strict=True)})
    frame = frame.with_columns(pl.lit(dt.date(2026, 3, 2)).alias("开班日期"))
    frame.write_parquet(tmp_path / "c.parquet")
    claims = normalize(read_table(tmp_path / "c.parquet", CLAIMS))
    assert claims["start_date"].to_list() == [dt.date(2026, 3, 2)]
    assert claims["source_row"].to_list() == [2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"\x00\x01\x02\x03binary\x00", "无法识别"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "密码保护"),
        (b"PK\x03\x04truncated", "损坏"),
    ],
)
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "c.xlsx"
    path.write_bytes(content)
    with pytest.raises(UserInputError, match=message):
        read_table(path, CLAIMS)


def test_zip_bomb_refused_before_expanding(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>" + b" " * 5_000_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UserInputError, match="压缩炸弹"):
        read_table(path, CLAIMS, limits=ReadLimits(1 << 30, 100))


def test_xml_entities_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
        )
    path = tmp_path / "dtd.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UserInputError, match="DTD"):
        read_table(path, CLAIMS)


def test_missing_file(tmp_path):
    with pytest.raises(UserInputError, match="找不到文件"):
        read_table(tmp_path / "none.xlsx", CLAIMS)


def test_sheet_option_and_attendance_reads_every_matching_sheet(tmp_path):
    path = tmp_path / "a.xlsx"
    headers = ["班级编号", "身份证号", "签到时间", "签退时间"]
    with xlsxwriter.Workbook(str(path)) as book:
        for name in ("考勤1", "说明", "考勤2"):
            sheet = book.add_worksheet(name)
            if name == "说明":
                sheet.write_string(0, 0, "本文件为导出考勤")
                continue
            sheet.write_row(0, 0, headers)
            sheet.write_row(1, 0, ["C1", ROW[0], "2026-03-02 08:30", "2026-03-02 11:30"])
    table = read_table(path, ATTENDANCE, all_sheets=True)
    assert table.frame["source_sheet"].to_list() == ["考勤1", "考勤2"]
    only = read_table(path, ATTENDANCE, sheet="考勤2")
    assert only.frame["source_sheet"].to_list() == ["考勤2"]
    with pytest.raises(UserInputError, match="没有名为"):
        read_table(path, ATTENDANCE, sheet="不存在")


def test_two_level_merged_header_is_read_as_one_row(tmp_path):
    # SPEC §3 "Two-level headers" (refused before issue 19): 课时 merged over 线上课时 |
    # 线下课时, every other cell merged down; data start below the second row
    upper = [*HEADERS[:6], "课时", None, *HEADERS[8:]]
    lower = [None, None, None, None, None, None, "线上课时", "线下课时", None, None]
    path = write_xlsx(tmp_path / "c.xlsx", [["标题"], upper, lower, ROW])
    table = read_table(path, CLAIMS)
    assert table.frame["online_hours"].to_list() == [str(ROW[6])]
    assert table.frame["offline_hours"].to_list() == [str(ROW[7])]
    assert table.frame["source_row"].to_list() == [4]
    assert table.sources[0].header_rows == [2, 3]


def test_csv_extra_fields_are_ignored_with_a_note(tmp_path):
    path = write_csv(tmp_path / "c.csv", [HEADERS, ROW, [*ROW, "多余"]])
    table = read_table(path, CLAIMS)
    assert table.frame["id_number"].to_list() == [ROW[0], ROW[0]]
    assert any("多出的字段已忽略" in n for n in table.sources[0].notes)
    clean = read_table(write_csv(tmp_path / "ok.csv", [HEADERS, ROW]), CLAIMS)
    assert not any("多出" in n for n in clean.sources[0].notes)


def test_csv_short_row_is_kept_for_d001(tmp_path):
    path = write_csv(tmp_path / "c.csv", [HEADERS, ROW[:5]])
    table = read_table(path, CLAIMS)
    assert table.frame.height == 1 and table.frame["amount"].to_list() == [None]
