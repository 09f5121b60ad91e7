"""Parse raw text columns into typed values (SPEC §3), keeping the raw text for D001/D002.

For every field `f` the normalised frame holds `f` (typed) and `f__raw` (folded text, null
when the cell was empty). A raw value that is present but parses to null is D002.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from wudi_audit.facts import idnumber
from wudi_audit.facts.text import fold_text_series
from wudi_audit.read.grid import NUMERIC_CELL
from wudi_audit.read.raw import RawTable
from wudi_audit.schema.tables import Kind, TableSchema

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL = r"^[0-9]{1,5}(\.[0-9]+)?$"

ASSESSMENT_VALUES = {
    "合格": "passed",
    "通过": "passed",
    "是": "passed",
    "PASS": "passed",
    "PASSED": "passed",
    "不合格": "failed",
    "未通过": "failed",
    "否": "failed",
    "缺考": "failed",
    "FAIL": "failed",
    "FAILED": "failed",
}
MODE_VALUES = {
    "线上": "online",
    "纯线上": "online",
    "线下": "offline",
    "线上线下融合": "blended",
    "线上线下相融合": "blended",
    "线上线下结合": "blended",
    "线上线下相结合": "blended",
    "融合": "blended",
    "混合": "blended",
}


def _date_text(text: pl.Expr) -> pl.Expr:
    """`2026年3月1日`, `2026/3/1`, `2026.3.1` → `2026-3-1`; keeps any time part after a space."""
    return (
        text.str.replace_all("[年月/.]", "-")
        .str.replace_all("日", "")
        .str.replace("T", " ")
        .str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})(\s|$)", "$1-$2-$3$4")
    )


def parse_date(text: pl.Expr) -> pl.Expr:
    serial = text.str.contains(SERIAL).fill_null(False)
    days = text.cast(pl.Float64, strict=False).floor().cast(pl.Int64, strict=False)
    from_serial = pl.lit(EXCEL_EPOCH) + pl.duration(days=days)
    date_part = _date_text(text).str.split(" ").list.first()
    from_text = date_part.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(serial).then(from_serial).otherwise(from_text)


def parse_datetime(text: pl.Expr) -> pl.Expr:
    serial = text.str.contains(SERIAL).fill_null(False)
    seconds = (text.cast(pl.Float64, strict=False) * 86400).round(0).cast(pl.Int64, strict=False)
    from_serial = pl.lit(dt.datetime(1899, 12, 30)) + pl.duration(seconds=seconds)
    norm = _date_text(text).str.replace(r"\.[0-9]+$", "")
    from_text = pl.coalesce(
        norm.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="ms"),
        norm.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="ms"),
    )
    return pl.when(serial).then(from_serial.cast(pl.Datetime("ms"))).otherwise(from_text)


# What the native reader writes for a date or datetime cell: parsed by one fixed format.
# For such text every step of `parse_date`/`parse_datetime` before the format is a no-op,
# so the result is the same; a column with any other text takes the general path.
CELL_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CELL_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"


def parse_column(raw: pl.Series, kind: Kind) -> pl.Series | pl.Expr:
    """A DATE or DATETIME column parsed: the cells' own form by its one format when every
    value has it (Excel date and datetime cells), else the general parse as an expression."""
    name = raw.name
    if kind is Kind.DATETIME:
        if raw.str.contains(CELL_DATETIME).fill_null(True).all():
            return raw.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="ms")
        return parse_datetime(pl.col(name))
    if raw.str.contains(CELL_DATE).fill_null(True).all():
        return raw.str.to_date("%Y-%m-%d", strict=False)
    return parse_date(pl.col(name))


# A code with no white space and no lower-case letter: `parse_code` leaves it as it is.
CLEAN_CODE = "^[!-`{-~\u4e00-\u9fff]+$"


def parse_code(raw: pl.Series) -> pl.Series | pl.Expr:
    """Identifiers without white space, upper case; a column already so is kept as is."""
    if raw.str.contains(CLEAN_CODE).fill_null(True).all():
        return raw
    return pl.col(raw.name).str.replace_all(r"\s", "").str.to_uppercase()


def by_value(raw: pl.Series, parse: pl.Expr) -> pl.Series:
    """`parse` (an expression of `pl.col(raw.name)`) evaluated once per distinct value:
    for columns of a few values repeated over a million rows (mode, assessment)."""
    values = raw.unique().drop_nulls()
    parsed = values.to_frame(raw.name).select(parse).to_series()
    return raw.replace_strict(values, parsed, default=None, return_dtype=parsed.dtype)


def parse_number(text: pl.Expr) -> pl.Expr:
    cleaned = text.str.replace_all(r"[,，¥￥]|元$|课时$|学时$", "").str.strip_chars()
    return cleaned.cast(pl.Float64, strict=False)


def to_fen(yuan: pl.Expr) -> pl.Expr:
    """Yuan (float) → whole fen (Int64); null where not finite."""
    return pl.when(yuan.is_finite()).then((yuan * 100).round(0).cast(pl.Int64)).otherwise(None)


def _enum(text: pl.Expr, values: dict[str, str]) -> pl.Expr:
    return text.str.to_uppercase().replace_strict(
        list(values), list(values.values()), default=None, return_dtype=pl.String
    )


def normalize(raw: RawTable) -> pl.DataFrame:
    """Typed columns for every field of the table's schema, plus `<field>__raw`."""
    return _normalize_frame(raw.frame, raw.schema, raw.scales)


def _normalize_frame(
    frame: pl.DataFrame, schema: TableSchema, scales: dict[str, int] | None = None
) -> pl.DataFrame:
    # Stage 1: fold every cell once into `<field>__raw` (only the cells that need it: see
    # `fold_text_series`); stage 2 parses from those columns.
    folded: list[pl.Series] = []
    parsed: list[pl.Expr | pl.Series] = []
    for field in schema.fields:
        raw_name = f"{field.name}__raw"
        raw = pl.col(raw_name)
        if field.kind is Kind.ID_NUMBER:
            folded.append(idnumber.normalize_id_series(frame[field.name]).alias(raw_name))
            parsed += [
                idnumber.upgrade_legacy15(raw).alias(field.name),
                idnumber.is_legacy15(raw).alias("id_legacy15"),
                idnumber.is_spreadsheet_damaged(raw, pl.col(NUMERIC_CELL)).alias("id_damaged"),
            ]
            continue
        folded.append(fold_text_series(frame[field.name]).alias(raw_name))
        if field.kind is Kind.TEXT:
            parsed.append(raw.alias(field.name))
        elif field.kind is Kind.CODE:
            parsed.append(parse_code(folded[-1]).alias(field.name))
        elif field.kind in (Kind.DATE, Kind.DATETIME):
            parsed.append(parse_column(folded[-1], field.kind).alias(field.name))
        elif field.kind in (Kind.NUMBER, Kind.MONEY):
            factor = (scales or {}).get(field.name, 1)  # `补贴金额（万元）`: × 10,000
            parsed.append((parse_number(raw) * factor).alias(field.name))
        elif field.kind is Kind.ASSESSMENT:
            value = _enum(raw, ASSESSMENT_VALUES)
            parsed.append(by_value(folded[-1], value).alias(field.name))
        elif field.kind is Kind.MODE:
            # a trailing 培训 or 模式 is ignored: 线下培训 = 线下 (SPEC §3.1)
            mode = raw.str.replace(r"(培训|模式)$", "")
            parsed.append(by_value(folded[-1], _enum(mode, MODE_VALUES)).alias(field.name))
    keep = [c for c in ("source_row", "source_file", "source_sheet") if c in frame.columns]
    numeric = [pl.col(NUMERIC_CELL)] if NUMERIC_CELL in frame.columns else []
    base = pl.DataFrame(folded)
    if numeric or keep:
        base = base.hstack(frame.select(*numeric, *keep))
    out = base.lazy().with_columns(parsed).drop(NUMERIC_CELL, strict=False)
    money = [f.name for f in schema.fields if f.kind is Kind.MONEY]
    if money:
        out = out.with_columns([to_fen(pl.col(m)).alias(f"{m}_fen") for m in money])
    return out.with_row_index("row_id").collect()
