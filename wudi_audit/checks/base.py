"""The rule interface: every rule reads the shared, normalised inputs and returns its flags
in one shape, so that adding a rule never touches the reader or the report.

A check returns a LazyFrame with exactly these columns (see `FLAG_COLUMNS`):
    row_id               the claim's row (UInt32, index into `AuditInputs.claims`)
    message_zh/_en       what is wrong, with the numbers
    evidence             a JSON object as text (e.g. the earlier claim it repeats)
    amount_at_stake_fen  money at stake, whole fen (Int64)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl

from wudi_audit.ledger.history import empty_history, empty_named, empty_totals
from wudi_audit.rulepack import RulePack


class Severity(StrEnum):
    REJECT = "reject"
    REVIEW = "review"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "review": 1, "reject": 2}[self.value]


# One vocabulary for severities and verdicts in every output (SPEC §4): the terminal, the
# workbook and the JSON labels. JSON `severity` keeps the codes (reject/review/info).
VOCABULARY = {
    "reject": ("退回", "reject"),
    "review": ("复核", "review"),
    "pass": ("通过", "pass"),
    "info": ("提示", "info"),
}


FLAG_SCHEMA = {
    "row_id": pl.UInt32,
    "message_zh": pl.String,
    "message_en": pl.String,
    "evidence": pl.String,
    "amount_at_stake_fen": pl.Int64,
}
FLAG_COLUMNS = tuple(FLAG_SCHEMA)


@dataclass
class AuditInputs:
    """Everything a rule may read, normalised once before any rule runs."""

    claims: pl.DataFrame
    attendance: pl.DataFrame | None = None
    references: dict[str, pl.DataFrame] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    claim_fields: frozenset[str] = frozenset()  # optional claim columns present in the file
    attendance_fields: frozenset[str] = frozenset()
    reference_fields: dict[str, frozenset[str]] = field(default_factory=dict)
    # the ledger's claims for the batch's persons and years (empty without a ledger)
    history: pl.DataFrame = field(default_factory=empty_history)
    # amounts already paid per (district | project_code, year), for budgets (S307)
    history_totals: pl.DataFrame = field(default_factory=empty_totals)
    # every ledger record of the years the batch reaches, not collected (S308)
    history_scan: pl.LazyFrame = field(default_factory=lambda: empty_history().lazy())
    # the ledger's records of the batch's names: name, id_number, source_row, batch_id (P107)
    history_named: pl.DataFrame = field(default_factory=lambda: empty_named())

    def has(self, name: str) -> bool:
        """An input a rule needs: `claims`, `attendance`, a reference list,
        `column:<field>` for an optional claims column (`column:a|b`: either of them),
        `attendance:<field>` for an optional attendance column, or `<list>:<field>` for an
        optional column of a reference list."""
        if name.startswith("column:"):
            return any(f in self.claim_fields for f in name.removeprefix("column:").split("|"))
        if name.startswith("attendance:"):
            return self.attendance is not None and (
                name.removeprefix("attendance:") in self.attendance_fields
            )
        if name == "claims":
            return True
        if name == "attendance":
            return self.attendance is not None
        if ":" in name:
            table, column = name.split(":", 1)
            return table in self.references and column in self.reference_fields.get(table, ())
        return name in self.references


CheckFunction = Callable[[AuditInputs, RulePack], pl.LazyFrame]


@dataclass(frozen=True)
class Rule:
    code: str
    name_zh: str
    name_en: str
    severity: Severity
    clause: str  # the notice's words, verbatim
    check: CheckFunction
    params: tuple[str, ...] = ()
    needs: tuple[str, ...] = ("claims",)
    example_zh: str = ""
    example_en: str = ""
    doc_en: str = ""
    scope: str = "claims"  # "catalog": judges the catalogue (`wudi-audit catalog check`)

    @property
    def family(self) -> str:
        return self.code[0]


INPUT_LABELS = {
    "claims": ("申领明细", "claims"),
    "attendance": ("考勤记录", "attendance records"),
    "catalog": ("项目目录清单", "catalogue"),
    "providers": ("备案机构名单", "providers list"),
    "excluded": ("财政供养人员名单", "excluded-persons roster"),
    "standards": ("就业技能培训补贴标准目录", "employment-skill standards list"),
    "budget": ("总额控制预算", "budget list"),
    "urban_rural": ("城乡劳动者职业技能培训项目", "urban-rural training projects list"),
}
# The option that supplies an input, and the file stem that does under --ref-dir.
INPUT_OPTIONS = {
    "attendance": ("--attendance", None),
    "catalog": ("--catalog", "catalog"),
    "providers": ("--providers", "providers"),
    "excluded": ("--excluded", "excluded"),
    "standards": ("--standards", "standards"),
    "budget": ("--budget", "budget"),
    "urban_rural": ("--urban-rural", "urban_rural"),
}


def input_label(name: str) -> tuple[str, str]:
    """What an input is called, in Chinese and English."""
    from wudi_audit.schema import ATTENDANCE, CLAIMS, TABLES

    for prefix, schema, where_zh, where_en in (
        ("column:", CLAIMS, "申领明细", "claims"),
        ("attendance:", ATTENDANCE, "考勤记录", "attendance records"),
    ):
        if name.startswith(prefix):
            names = name.removeprefix(prefix).split("|")
            labels = "或".join(f"“{schema.field(n).label_zh}”" for n in names)
            return (f"{where_zh}中的{labels}列", f"{' or '.join(names)} column in the {where_en}")
    if ":" in name:
        table, column = name.split(":", 1)
        label_zh, label_en = INPUT_LABELS[table]
        return (
            f"{label_zh}中的“{TABLES[table].field(column).label_zh}”列",
            f"{column} column in the {label_en}",
        )
    return INPUT_LABELS[name]


def input_source(name: str) -> tuple[str, str]:
    """Where an input comes from, for 'not run' lines: `（--providers 或 --ref-dir 中的
    providers.xlsx）`; empty for the claims and for a column (its table is given)."""
    option, stem = INPUT_OPTIONS.get(name, (None, None))
    if option is None:
        return "", ""
    if stem is None:
        return f"（{option}）", f" ({option})"
    return (
        f"（{option} 或 --ref-dir 中的 {stem}.xlsx）",
        f" ({option}, or {stem}.xlsx in --ref-dir)",
    )


REGISTRY: dict[str, Rule] = {}


def register(
    code: str,
    name_zh: str,
    name_en: str,
    severity: Severity,
    clause: str,
    *,
    params: tuple[str, ...] = (),
    needs: tuple[str, ...] = ("claims",),
    example_zh: str = "",
    example_en: str = "",
    scope: str = "claims",
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its code; the docstring becomes its English description."""

    def decorate(check: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(
            code,
            name_zh,
            name_en,
            severity,
            clause,
            check,
            params,
            needs,
            example_zh,
            example_en,
            (check.__doc__ or "").strip(),
            scope,
        )
        return check

    return decorate


# ---- helpers for messages, shared by every rule module -------------------------------


def fmt_number(expr: pl.Expr) -> pl.Expr:
    """Hours and shares for messages: at most 2 decimals, no trailing `.0`."""
    return (
        expr.round(2).cast(pl.String).str.replace(r"(\.[0-9]*?)0+$", "$1").str.replace(r"\.$", "")
    )


def fmt_yuan(fen: pl.Expr) -> pl.Expr:
    """Whole fen → `1,234.50`-free plain `1234.50` yuan text."""
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    magnitude = fen.abs()
    return (
        sign
        + (magnitude // 100).cast(pl.String)
        + pl.lit(".")
        + (magnitude % 100).cast(pl.String).str.zfill(2)
    )


def message(zh: str, en: str, **values: pl.Expr | str) -> tuple[pl.Expr, pl.Expr]:
    """A rule's message in Chinese and English from two templates with named placeholders
    and the values once: `message("线上 {on} 课时", "online {on} hours", on=expr)`. A value
    is an expression or a column name, as for `pl.format`; use it as `flags(frame,
    *message(...), ...)`."""
    return _format(zh, values), _format(en, values)


def _format(template: str, values: dict[str, pl.Expr | str]) -> pl.Expr:
    names = re.findall(r"\{(\w+)\}", template)
    return pl.format(re.sub(r"\{\w+\}", "{}", template), *(values[n] for n in names))


def flags(
    frame: pl.LazyFrame,
    message_zh: pl.Expr,
    message_en: pl.Expr,
    amount_at_stake_fen: pl.Expr,
    evidence: dict[str, pl.Expr] | None = None,
) -> pl.LazyFrame:
    """Shape flagged rows into the common flag columns."""
    if evidence:
        evidence_expr = pl.struct(**evidence).struct.json_encode()
    else:
        evidence_expr = pl.lit(None, dtype=pl.String)
    return frame.select(
        pl.col("row_id").cast(pl.UInt32),
        message_zh.cast(pl.String).alias("message_zh"),
        message_en.cast(pl.String).alias("message_en"),
        evidence_expr.alias("evidence"),
        amount_at_stake_fen.cast(pl.Int64).alias("amount_at_stake_fen"),
    )


def whole_claim_at_stake() -> pl.Expr:
    """A rejected claim puts its whole (non-negative) amount at stake."""
    return pl.col("amount_fen").clip(lower_bound=0).fill_null(0)
