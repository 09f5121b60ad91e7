"""Evidence in words for the workbook: the earlier claim, the ledger batch, the other names
or numbers, the certificate, the budget. The structured evidence stays in `--json`.

Only what the message does not already say is put into words; a key this module does not
know is left to the JSON (never shown half in English)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl

Phrase = Callable[[Any, dict[str, Any], bool], str]


# the words both the phrases below and `near_numbers_in_words` (Polars) use, each with
# `{}` where a value goes: (Chinese, English)
IN_BATCH = ("本批次第 {} 行", "batch row {}")  # source_row
IN_LEDGER = ("台账批次“{}”第 {} 行", "ledger batch {} row {}")  # batch_id, source_row
MORE = (" 等 {} 项", " and {} more")  # every item's count; the count beyond those shown
LISTED_AT_MOST = 5  # items shown in a cell
NEAR_NUMBERS_LABEL = ("相近号码：", "near numbers: ")


def _words(pair: tuple[str, str], zh: bool) -> str:
    return pair[0 if zh else 1]


def _row(row: Any, zh: bool) -> str:
    return _words(IN_BATCH, zh).format(row)


def _where(claim: dict[str, Any], zh: bool) -> str:
    """A claim in the batch (`source_row`) or in the ledger (`batch_id` + `source_row`)."""
    batch, row = claim.get("batch_id"), claim.get("source_row")
    if batch:
        return _words(IN_LEDGER, zh).format(batch, row)
    return _row(row, zh)


def _with_class(text: str, claim: dict[str, Any], zh: bool) -> str:
    klass = claim.get("class_id")
    if not klass:
        return text
    return f"{text}（班级 {klass}）" if zh else f"{text} (class {klass})"


def _listed(
    items: list[Any], zh: bool, limit: int = LISTED_AT_MOST, render: Callable[[Any], str] = str
) -> str:
    """The first `limit` items, rendered (only those: evidence lists ten), and the count."""
    shown = [render(item) for item in items[:limit]]
    more = ""
    if len(items) > limit:
        more = _words(MORE, zh).format(len(items) if zh else len(items) - limit)
    return _separator(zh).join(shown) + more


def _separator(zh: bool) -> str:
    return "、" if zh else ", "


def _in_english_brackets(text: str) -> str:
    return text.replace("（", " (").replace("）", ")")


def _earlier_in_batch(value: Any, _: dict, zh: bool) -> str:
    text = _with_class(_row(value["source_row"], zh), value, zh)
    return f"先前申领：{text}" if zh else f"earlier claim: {text}"


def _earlier_in_ledger(value: Any, _: dict, zh: bool) -> str:
    text = _with_class(_where(value, zh), value, zh)
    start, end = value.get("start_date"), value.get("end_date")
    if start or end:
        text += f"，{start or '?'} 至 {end or '?'}" if zh else f", {start or '?'} to {end or '?'}"
    return f"台账中的先前申领：{text}" if zh else f"earlier claim in the ledger: {text}"


def _earlier_source_row(value: Any, _: dict, zh: bool) -> str:
    return f"先前申领：{_row(value, zh)}" if zh else f"earlier claim: {_row(value, zh)}"


def _earlier_batch_rows(value: Any, _: dict, zh: bool) -> str:
    rows = _listed(value, zh)
    return f"本批次先前的申领：第 {rows} 行" if zh else f"earlier in the batch: rows {rows}"


def _ledger_claims(value: Any, _: dict, zh: bool) -> str:
    places = _listed(value, zh, render=lambda c: _where(c, zh))
    return f"台账中的申领：{places}" if zh else f"in the ledger: {places}"


def _other_names(value: Any, _: dict, zh: bool) -> str:
    return f"其他姓名：{_listed(value, zh)}" if zh else f"other names: {_listed(value, zh)}"


def _ledger_batches(value: Any, _: dict, zh: bool) -> str:
    return f"台账批次：{_listed(value, zh)}" if zh else f"ledger batches: {_listed(value, zh)}"


def _other_numbers(value: Any, _: dict, zh: bool) -> str:
    numbers = _listed(value, zh, render=lambda n: f"{n['id_number']}（{_where(n, zh)}）")
    return _words(NEAR_NUMBERS_LABEL, zh) + (numbers if zh else _in_english_brackets(numbers))


def _certificate(value: Any, evidence: dict, zh: bool) -> str:
    others = evidence.get("other_claims") or []
    places = _listed(others, zh, render=lambda c: _where(c, zh))
    if zh:
        return f"证书编号 {value}" + (f"，另见于：{places}" if others else "")
    return f"certificate {value}" + (f", also on: {places}" if others else "")


def _budget(value: Any, evidence: dict, zh: bool) -> str:
    of = {"district": ("板块", "district"), "project_code": ("项目", "project")}
    label = of.get(evidence.get("budget_of", ""), ("", ""))[0 if zh else 1]
    year = evidence.get("year") or ("各年度" if zh else "any year")
    spent, running = evidence.get("ledger_spent") or 0, evidence.get("running_total") or 0
    key = evidence.get("key", "")
    if zh:
        return (
            f"{label} {key} {year} 年预算 {value:,.2f} 元；台账已拨 {spent:,.2f} 元；"
            f"累计至本笔 {running:,.2f} 元"
        )
    return (
        f"{label} {key} budget {year}: {value:,.2f} yuan; ledger {spent:,.2f}; "
        f"running total {running:,.2f}"
    )


def _other_class(value: Any, _: dict, zh: bool) -> str:
    return f"另一班级：{value}" if zh else f"other class: {value}"


def _device(value: Any, evidence: dict, zh: bool) -> str:
    trainees = evidence.get("trainees")
    if zh:
        return f"设备 {value}" + (f"（{trainees} 名学员）" if trainees else "")
    return f"device {value}" + (f" ({trainees} trainees)" if trainees else "")


def _rows_of_list(value: Any, _: dict, zh: bool) -> str:
    rows = [str(r) for r in (value if isinstance(value, list) else [value])]
    if not rows:
        return ""
    return f"名单第 {_listed(rows, zh)} 行" if zh else f"list rows {_listed(rows, zh)}"


# evidence key → phrase; in this order in the cell
PHRASES: dict[str, Phrase] = {
    "earlier_in_batch": _earlier_in_batch,
    "earlier_in_ledger": _earlier_in_ledger,
    "earlier_source_row": _earlier_source_row,
    "earlier_batch_rows": _earlier_batch_rows,
    "ledger_claims": _ledger_claims,
    "other_names": _other_names,
    "ledger_batches": _ledger_batches,
    "other_numbers": _other_numbers,
    "certificate_no": _certificate,
    "budget": _budget,
    "other_class": _other_class,
    "device": _device,
    "roster_row": _rows_of_list,
    "list_rows": _rows_of_list,
}


def evidence_in_words(evidence: dict[str, Any], lang: str) -> str:
    """The common evidence keys as a short phrase (`；`-separated in Chinese)."""
    zh = lang == "zh"
    parts = []
    for key, phrase in PHRASES.items():
        value = evidence.get(key)
        if value is None or value == [] or value == "":
            continue
        text = phrase(value, evidence, zh)
        if text:
            parts.append(text)
    return ("；" if zh else "; ").join(parts)


WORDS_SLICE = 50_000  # exceptions put into words at a time


def evidence_column(evidence: pl.Series, lang: str) -> pl.Series:
    """Evidence JSON text → words, a slice at a time (each distinct text of a slice put
    into words once), so that a million exceptions never hold a million-entry dictionary
    of Python strings. P107's near numbers (every claim of a batch, at worst) are put
    into words by Polars (`near_numbers_in_words`), the rest by `evidence_in_words`."""
    parts = []
    for start in range(0, max(evidence.len(), 1), WORDS_SLICE):
        part = evidence.slice(start, WORDS_SLICE)
        near = near_numbers_in_words(part, lang)
        distinct = part.filter(near.is_null()).drop_nulls().unique()
        words = {text: evidence_in_words(json.loads(text), lang) for text in distinct}
        rest = part.replace_strict(words, default=None, return_dtype=pl.String)
        parts.append(near.fill_null(rest))
    return pl.concat(parts).alias(evidence.name)


# the evidence of P107 as its expander writes it (checks/near_duplicates.py)
NEAR_NUMBERS = pl.Struct(
    {
        "other_numbers": pl.List(
            pl.Struct({"id_number": pl.String, "batch_id": pl.String, "source_row": pl.Int64})
        ),
        "other_claims": pl.Int64,
    }
)


def near_numbers_in_words(evidence: pl.Series, lang: str) -> pl.Series:
    """`evidence_in_words` of P107's evidence, for a whole column at once: the words where a
    text is exactly that evidence as Polars writes it (decoded and written again it is the
    same text, so it has no other key), null elsewhere (left to `evidence_in_words`)."""
    zh = lang == "zh"
    text = pl.col("text")
    candidate = text.str.starts_with('{"other_numbers":[{')
    decoded = pl.when(candidate).then(text).str.json_decode(NEAR_NUMBERS).alias("evidence")
    try:
        frame = evidence.alias("text").to_frame().with_columns(decoded)
    except pl.exceptions.PolarsError:  # a text of another shape: all left to Python
        return pl.Series(evidence.name, [None] * evidence.len(), dtype=pl.String)
    items = pl.col("evidence").struct.field("other_numbers")
    shown = items.list.head(LISTED_AT_MOST)
    number = pl.element().struct.field("id_number")
    batch = pl.element().struct.field("batch_id")
    row = pl.element().struct.field("source_row").cast(pl.String)
    where = (
        pl.when(batch.is_not_null() & (batch != ""))
        .then(pl.format(_words(IN_LEDGER, zh), batch, row))
        .otherwise(pl.format(_words(IN_BATCH, zh), row))
    )
    rendered = pl.concat_str(number, pl.lit("（"), where, pl.lit("）"))
    count = items.list.len()
    more = pl.format(_words(MORE, zh), count if zh else count - LISTED_AT_MOST)
    listed = pl.concat_str(
        shown.list.eval(rendered).list.join(_separator(zh)),
        pl.when(count > LISTED_AT_MOST).then(more).otherwise(pl.lit("")),
    )
    if not zh:  # as `_other_numbers` does, on the whole list
        listed = listed.str.replace_all("（", " (", literal=True).str.replace_all(
            "）", ")", literal=True
        )
    unknown = shown.list.eval((number.is_null() | row.is_null()).any()).list.first()
    exact = (
        candidate
        & pl.col("evidence").is_not_null()
        & (pl.col("evidence").struct.json_encode() == text)
        & ~unknown.fill_null(True)
    )
    words = pl.concat_str(pl.lit(_words(NEAR_NUMBERS_LABEL, zh)), listed)
    return frame.select(pl.when(exact).then(words).alias(evidence.name)).to_series()
