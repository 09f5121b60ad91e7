"""Parse raw text columns into typed values (SPEC §3), keeping the raw text for D001/D002.

For every field `f` the normalised frame holds `f` (typed) and `f__raw` (folded text, null
when the cell was empty). A raw value that is present but parses to null is D002.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from wudi_audit import idnumber
from wudi_audit.read.reader import NUMERIC_CELL, RawTable
from wudi_audit.read.text import fold_text
from wudi_audit.schema import Kind, TableSchema

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
    # Stage 1: fold every cell once into `<field>__raw`; stage 2 parses from those columns,
    # so that no folding is evaluated twice.
    folded: list[pl.Expr] = []
    parsed: list[pl.Expr] = []
    for field in schema.fields:
        raw_name = f"{field.name}__raw"
        raw = pl.col(raw_name)
        if field.kind is Kind.ID_NUMBER:
            frame = frame.with_columns(idnumber.normalize_id_series(frame[field.name]))
            folded.append(pl.col(field.name).alias(raw_name))
            parsed += [
                idnumber.upgrade_legacy15(raw).alias(field.name),
                idnumber.is_legacy15(raw).alias("id_legacy15"),
                idnumber.is_spreadsheet_damaged(raw, pl.col(NUMERIC_CELL)).alias("id_damaged"),
            ]
            continue
        folded.append(fold_text(pl.col(field.name)).alias(raw_name))
        if field.kind is Kind.TEXT:
            parsed.append(raw.alias(field.name))
        elif field.kind is Kind.CODE:
            parsed.append(raw.str.replace_all(r"\s", "").str.to_uppercase().alias(field.name))
        elif field.kind is Kind.DATE:
            parsed.append(parse_date(raw).alias(field.name))
        elif field.kind is Kind.DATETIME:
            parsed.append(parse_datetime(raw).alias(field.name))
        elif field.kind in (Kind.NUMBER, Kind.MONEY):
            factor = (scales or {}).get(field.name, 1)  # `补贴金额（万元）`: × 10,000
            parsed.append((parse_number(raw) * factor).alias(field.name))
        elif field.kind is Kind.ASSESSMENT:
            parsed.append(_enum(raw, ASSESSMENT_VALUES).alias(field.name))
        elif field.kind is Kind.MODE:
            # a trailing 培训 or 模式 is ignored: 线下培训 = 线下 (SPEC §3.1)
            mode = raw.str.replace(r"(培训|模式)$", "")
            parsed.append(_enum(mode, MODE_VALUES).alias(field.name))
    keep = [c for c in ("source_row", "source_file", "source_sheet") if c in frame.columns]
    numeric = [pl.col(NUMERIC_CELL)] if NUMERIC_CELL in frame.columns else []
    out = (
        frame.lazy()
        .select(*folded, *numeric, *[pl.col(c) for c in keep])
        .with_columns(parsed)
        .drop(NUMERIC_CELL, strict=False)
    )
    money = [f.name for f in schema.fields if f.kind is Kind.MONEY]
    if money:
        out = out.with_columns([to_fen(pl.col(m)).alias(f"{m}_fen") for m in money])
    return out.with_row_index("row_id").collect()
