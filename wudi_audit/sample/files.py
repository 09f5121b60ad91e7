"""A sample batch written as the field writes it: claims under title rows, attendance over
several sheets, CSV and Parquet, and the reference lists."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from wudi_audit.sample.people import (
    DISQUALIFIED,
    DISTRICTS,
    LEVELS,
    LOW_STANDARD,
    NO_CODE,
    NOT_IN_CATALOG,
    OCCUPATIONS,
    OFFLINE_RATE,
    ONLINE_RATE,
    PROVIDERS,
    SMALL_BUDGET,
    WON_BY_NONE,
    make_id,
)

TITLES = (
    "2026年第3批“吴地工匠”项目制培训补贴申领明细",
    "填报单位：苏州市人力资源和社会保障局　　金额单位：元",
    "制表日期：2026年11月28日",
)


def write_claims_xlsx(path: Path, claims: list[dict], headers: tuple, title_rows: int) -> None:
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        sheet = book.add_worksheet("申领明细")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for r in range(title_rows):
            sheet.write_string(r, 0, TITLES[r % len(TITLES)])
        sheet.write_row(title_rows, 0, headers)
        total = 0.0
        for r, c in enumerate(claims, start=title_rows + 1):
            for col, header in enumerate(headers):
                value = c[header]
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, col, value)
                else:
                    sheet.write_number(r, col, value)
            amount = c["补贴金额（元）"]
            total += amount if isinstance(amount, int | float) else 0
        last = len(claims) + title_rows + 1
        sheet.write_string(last, 0, "合计")
        sheet.write_number(last, headers.index("补贴金额（元）"), total)


def write_parquet(path: Path, headers: tuple, rows: list) -> None:
    import polars as pl

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
    series = []
    for name, values in zip(headers, columns, strict=True):
        kinds = {type(v) for v in values if v is not None}
        if kinds <= {int} or kinds <= {dt.date} or kinds <= {dt.datetime}:
            series.append(pl.Series(name, values))
        else:  # mixed cells (a planted number among text): text, as a CSV would hold
            text = [None if v is None else cell_text(v) for v in values]
            series.append(pl.Series(name, text, dtype=pl.String))
    pl.DataFrame(series).write_parquet(path)


def cell_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def write_references(folder: Path, claims: list[dict]) -> None:
    """Reference lists for the sample: the excluded-persons roster (财政供养人员名单)."""
    folder.mkdir(exist_ok=True)
    excluded = [c for c in claims if c.get("_excluded")]
    rng = random.Random(7)
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(folder / "excluded.xlsx"), options) as book:
        sheet = book.add_worksheet("财政供养人员")
        sheet.write_row(0, 0, ("公民身份号码", "姓名", "生效日期", "失效日期"))
        rows = [(c["公民身份号码"], c["姓名"], "2020-01-01", "") for c in excluded]
        for _ in range(5):
            born = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(0, 7000))
            rows.append(
                (make_id(rng, "320508", born, rng.random() < 0.5), "某某", "2019-07-01", "")
            )
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                sheet.write_string(r, col, value)


URBAN_RURAL_OVERLAP = "智慧养老护理"  # a catalogue project also on the urban-rural list


def write_other_references(folder: Path) -> None:
    """The catalogue, registered providers, subsidy standards, budget and urban-rural
    projects, consistent with the generated claims (rates 15/30 yuan a class hour, every
    provider registered) but for what the plants need: a disqualified provider, one
    registered without a code, a project outside the catalogue, one won by no provider,
    one with a small budget, a low standard, and one catalogue project that is also an
    urban-rural project (O407, `catalog check`)."""
    codes = [f"WDGJ2026-{i + 1:03d}" for i in range(len(OCCUPATIONS))]
    won = [*codes, NOT_IN_CATALOG, SMALL_BUDGET]
    extra = [
        (WON_BY_NONE, "家政服务技能提升", "家政服务员"),
        (SMALL_BUDGET, "茶艺技能提升", "茶艺师"),
    ]
    registered = [*PROVIDERS, NO_CODE]
    lists = {
        "catalog": (
            (
                "项目编号",
                "培训项目",
                "职业（工种）",
                "线上补贴标准（元/课时）",
                "线下补贴标准（元/课时）",
                "纯线上评估通过",
                "生效日期",
            ),
            [
                (code, project, occupation, ONLINE_RATE, OFFLINE_RATE, "否", "2026-01-01")
                for code, (_, occupation, project) in zip(codes, OCCUPATIONS, strict=True)
            ]
            + [(c, p, o, ONLINE_RATE, OFFLINE_RATE, "否", "2026-01-01") for c, p, o in extra],
        ),
        "providers": (
            (
                "统一社会信用代码",
                "培训机构",
                "中标项目",
                "备案地点",
                "生效日期",
                "状态",
                "取消资格日期",
            ),
            [
                (credit, name, "、".join(won), site, "2025-01-01", "正常", "")
                for name, credit, site in registered
            ]
            + [
                (
                    DISQUALIFIED[1],
                    DISQUALIFIED[0],
                    "、".join(won),
                    DISQUALIFIED[2],
                    "2025-01-01",
                    "取消资格",
                    "2026-01-01",
                )
            ],
        ),
        "standards": (
            ("职业（工种）", "等级", "补贴标准"),
            [(o, level, 3000) for _, o, _ in OCCUPATIONS for level in LEVELS] + [LOW_STANDARD],
        ),
        "budget": (
            ("所属板块", "项目编号", "年度", "预算金额"),
            [(district, "", "2026", 500_000_000) for district in DISTRICTS]
            + [("", SMALL_BUDGET, "2026", 500)],
        ),
        "urban_rural": (
            ("培训项目", "职业（工种）"),
            [(URBAN_RURAL_OVERLAP, "养老护理员"), ("农村电商实操", "电子商务师")],
        ),
    }
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    for name, (headers, rows) in lists.items():
        with xlsxwriter.Workbook(str(folder / f"{name}.xlsx"), options) as book:
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, headers)
            for r, row in enumerate(rows, start=1):
                sheet.write_row(r, 0, row)


def write_attendance_xlsx(path: Path, records: list[tuple], sheets: int | None = None) -> None:
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    per_sheet = 1_048_575 if not sheets else max(1, -(-len(records) // sheets))
    with xlsxwriter.Workbook(str(path), options) as book:
        stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for part in range(max(1, -(-len(records) // per_sheet))):
            sheet = book.add_worksheet(f"考勤{part + 1}")
            sheet.write_row(0, 0, ATTENDANCE_HEADERS)
            chunk = records[part * per_sheet : (part + 1) * per_sheet]
            for r, (klass, who, sign_in, sign_out, mode, hours, device) in enumerate(
                chunk, start=1
            ):
                sheet.write_string(r, 6, device)
                sheet.write_string(r, 0, klass)
                sheet.write_string(r, 1, who)
                sheet.write_datetime(r, 2, sign_in, stamp)
                sheet.write_datetime(r, 3, sign_out, stamp)
                sheet.write_string(r, 4, mode)
                sheet.write_number(r, 5, hours)


def write_csv(path: Path, headers, rows) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else v.strftime("%Y-%m-%d %H:%M")
                    if isinstance(v, dt.datetime)
                    else v.isoformat()
                    if isinstance(v, dt.date)
                    else v
                    for v in row
                ]
            )


CLAIM_HEADERS = (
    "申领编号",
    "姓名",
    "公民身份号码",
    "人员类别",
    "毕业时间",
    "所属板块",
    "培训机构",
    "统一社会信用代码",
    "项目编号",
    "培训项目",
    "职业（工种）",
    "等级",
    "班级编号",
    "培训方式",
    "开班日期",
    "结业日期",
    "线上课时",
    "线下课时",
    "总课时",
    "考核结果",
    "补贴金额（元）",
    "培训地点",
    "证书编号",
    "联系电话",
)


ATTENDANCE_HEADERS = (
    "班级编号",
    "公民身份号码",
    "签到时间",
    "签退时间",
    "方式",
    "课时",
    "签到设备",
)
