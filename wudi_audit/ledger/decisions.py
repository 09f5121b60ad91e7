"""The officer's decisions read back from the reviewed workbook (SPEC §3.4, 复核结论).

The workbook is the one `check` wrote, opened, filled in and saved again by Excel, WPS or
LibreOffice: styles, widths, filters, sorting, hidden rows and extra sheets change nothing
here. It must be this batch's (its 运行信息 names the claims file's SHA-256) and hold every
claim of the batch, each matched by source row and identity number (masked or damaged as
the workbook shows it). Anything else stops the run, listing the rows, and nothing is
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.read.failures import reraise_interrupts, unreadable
from wudi_audit.read.native import quiet_native
from wudi_audit.report.tables import DECISION_VALUES, HEADERS, SHEETS, identity_display

MAX_LISTED = 20
# the claims sheet's columns that are read back, by their headers in either language
READ_BACK = ("source_row", "id_number", "decision", "decision_note", "reviewer")


@dataclass
class Decisions:
    """Per claim (row_id): the final decision, who made it, the reviewer and the note."""

    frame: pl.DataFrame  # row_id, decision, decided_by, reviewer, decision_note
    by_officer: int  # claims whose 复核结论 the officer filled in
    changed: int  # of which the rules had said otherwise (a pass returned, a return paid)


def _refuse(zh: str, en: str, rows: list[int]) -> UserInputError:
    listed = "、".join(str(r) for r in rows[:MAX_LISTED])
    more_zh = f" 等，共 {len(rows)} 行" if len(rows) > MAX_LISTED else f"（共 {len(rows)} 行）"
    more_en = f", … ({len(rows)} rows)" if len(rows) > MAX_LISTED else f" ({len(rows)} rows)"
    return UserInputError(
        f"复核工作簿无法记入台账：{zh}：来源行 {listed}{more_zh}；未记入任何申领",
        f"the reviewed workbook cannot be recorded: {en}: source rows "
        f"{', '.join(str(r) for r in rows[:MAX_LISTED])}{more_en}; nothing recorded",
    )


def _sheets(content: bytes, where: str) -> list[pl.DataFrame]:
    """Every sheet as text, no header row (column names are the reader's)."""
    import fastexcel

    try:
        with quiet_native(where, []) as noise:
            reader = fastexcel.read_excel(content)
            return [
                pl.DataFrame(reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string"))
                for name in reader.sheet_names
            ]
    except BaseException as exc:
        reraise_interrupts(exc)
        raise unreadable(where, exc, "xlsx", noise) from exc


def rules_decision(verdict: pl.Expr) -> pl.Expr:
    """What the rules decided: a 退回 is returned; 通过 (and 复核, until an officer decides)
    is paid."""
    return pl.when(verdict == "reject").then(pl.lit("reject")).otherwise(pl.lit("pass"))


def overturned(decision: pl.Expr, verdict: pl.Expr) -> pl.Expr:
    """An officer's decision against the rules' verdict: a 通过 returned, a 退回 paid (a
    复核 claim had no verdict to overturn)."""
    return (decision != rules_decision(verdict)) & (verdict != "review")


def _claims_rows(sheets: list[pl.DataFrame]) -> pl.DataFrame:
    """Every row of the claims sheet(s) (申领审核, 申领审核(2) …), found by their headers
    whatever the sheets are called now: _row, _id, _decision, _note, _reviewer."""
    names = {"source_row": "_row", "id_number": "_id", "decision": "_decision"}
    names |= {"decision_note": "_note", "reviewer": "_reviewer"}
    parts = []
    for grid in sheets:
        if grid.height == 0:
            continue
        header = [(c or "").strip() for c in grid.row(0)]
        at = {
            key: next((grid.columns[i] for i, h in enumerate(header) if h in HEADERS[key]), None)
            for key in READ_BACK
        }
        if at["source_row"] is None or at["decision"] is None:
            continue
        parts.append(
            grid.slice(1).select(
                (pl.col(column) if column else pl.lit(None, pl.String))
                .str.strip_chars()
                .replace("", None)
                .alias(names[key])
                for key, column in at.items()
            )
        )
    if not parts:
        return pl.DataFrame()
    rows = pl.concat(parts).filter(~pl.all_horizontal(pl.all().is_null()))
    return rows.with_columns(
        pl.col("_row").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
        pl.col("_id").fill_null(""),
    )


def _names_the_batch(sheets: list[pl.DataFrame], content_hash: str) -> bool:
    """A cell of any sheet holds the claims file's SHA-256 (运行信息 names it)."""
    return any(
        grid.select(
            pl.any_horizontal(
                pl.col(c).str.strip_chars().str.to_lowercase() == content_hash for c in grid.columns
            ).any()
        ).item()
        for grid in sheets
        if grid.width
    )


def read_decisions(
    path: Path, content: bytes, claims: pl.DataFrame, content_hash: str
) -> Decisions:
    """The final decision of every claim of the batch (`claims`: the check's result), from
    the reviewed workbook's bytes (`content`, read once by the caller)."""
    where = str(path)
    if not content:
        raise UserInputError(
            f"无法读取复核工作簿：{path}", f"cannot read the reviewed workbook {path}"
        )
    sheets = _sheets(content, where)
    if not _names_the_batch(sheets, content_hash):
        raise UserInputError(
            f"复核工作簿 {path} 不是本批次的：其“{SHEETS['run'][0]}”中没有申领文件的 "
            f"SHA-256（{content_hash[:16]}…）；请用本批次审核生成的工作簿；未记入任何申领",
            f"the reviewed workbook {path} is not this batch's: its run sheet does not name "
            f"the claims file's SHA-256 ({content_hash[:16]}…); nothing recorded",
        )
    book = _claims_rows(sheets)
    if book.height == 0:
        raise UserInputError(
            f"复核工作簿 {path} 中没有“{SHEETS['claims'][0]}”表（含“来源行”和“复核结论”列）",
            f"the reviewed workbook {path} has no claims sheet with Source row and Decision",
        )
    return _decide(book, claims)


def _decide(book: pl.DataFrame, claims: pl.DataFrame) -> Decisions:
    # the identity number as any workbook of this batch may show it
    shown = claims.select("row_id", "source_row", "verdict").with_columns(
        *[
            identity_display(claims, lang, masked).alias(f"_id_{lang}_{masked}")
            for lang in ("zh", "en")
            for masked in (False, True)
        ]
    )
    forms = [c for c in shown.columns if c.startswith("_id_")]
    matched = book.join(shown, left_on="_row", right_on="source_row", how="left")
    same_id = pl.any_horizontal([pl.col(c) == pl.col("_id") for c in forms]).fill_null(False)
    changed = matched.filter(pl.col("row_id").is_null() | ~same_id)
    if changed.height:
        rows = sorted({r for r in changed["_row"].to_list() if r is not None}) or [0]
        raise _refuse(
            "以下行与本批次的申领不符（来源行或身份证号被改动）",
            "these rows do not match the batch's claims (source row or identity changed)",
            rows,
        )
    duplicated = book.filter(pl.col("_row").is_duplicated())["_row"].unique().sort().to_list()
    if duplicated:
        raise _refuse(
            "以下来源行出现不止一次", "these source rows appear more than once", duplicated
        )
    missing = shown.join(book, left_on="source_row", right_on="_row", how="anti")
    if missing.height:
        raise _refuse(
            "以下申领在复核工作簿中缺失",
            "these claims are missing from the workbook",
            missing["source_row"].sort().to_list(),
        )
    unknown = matched.filter(
        pl.col("_decision").is_not_null() & ~pl.col("_decision").is_in(list(DECISION_VALUES))
    )
    if unknown.height:
        raise _refuse(
            "以下行的复核结论不是“通过”或“退回”",
            "these rows' decision is neither 通过 nor 退回",
            unknown["_row"].sort().to_list(),
        )
    officer = pl.col("_decision").replace_strict(DECISION_VALUES, default=None)
    matched = matched.with_columns(officer.alias("_officer"))
    undecided = matched.filter((pl.col("verdict") == "review") & pl.col("_officer").is_null())
    if undecided.height:
        raise _refuse(
            "以下“复核”申领尚未填写复核结论",
            "these claims under review have no decision yet",
            undecided["_row"].sort().to_list(),
        )
    unexplained = matched.filter(
        (pl.col("verdict") == "reject") & (pl.col("_officer") == "pass") & pl.col("_note").is_null()
    )
    if unexplained.height:
        raise _refuse(
            "以下“退回”改为“通过”的申领没有填写复核说明",
            "these returns turned to pass have no review note",
            unexplained["_row"].sort().to_list(),
        )
    rules = rules_decision(pl.col("verdict"))
    frame = matched.select(
        "row_id",
        pl.coalesce("_officer", rules).alias("decision"),
        pl.when(pl.col("_officer").is_not_null())
        .then(pl.lit("officer"))
        .otherwise(pl.lit("rules"))
        .alias("decided_by"),
        pl.col("_reviewer").alias("reviewer"),
        pl.col("_note").alias("decision_note"),
        overturned(pl.col("_officer"), pl.col("verdict")).fill_null(False).alias("_changed"),
    )
    return Decisions(
        frame.drop("_changed"),
        int(frame["decided_by"].eq("officer").sum()),
        int(frame["_changed"].sum()),
    )


def decisions_of_the_rules(claims: pl.DataFrame, paid: tuple[str, ...]) -> pl.DataFrame:
    """Without a reviewed workbook: the `paid` verdicts (通过; 复核 too with
    `--include-review`) are paid, every other claim returned, all decided by the rules."""
    return claims.select(
        "row_id",
        pl.when(pl.col("verdict").is_in(list(paid)))
        .then(pl.lit("pass"))
        .otherwise(pl.lit("reject"))
        .alias("decision"),
        pl.lit("rules").alias("decided_by"),
        pl.lit(None, dtype=pl.String).alias("reviewer"),
        pl.lit(None, dtype=pl.String).alias("decision_note"),
    )
