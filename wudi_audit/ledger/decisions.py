"""The officer's decisions read back from the reviewed workbook (SPEC §3.4, 复核结论).

The workbook is the one `check` wrote, opened, filled in and saved again by Excel, WPS or
LibreOffice: styles, widths, filters, sorting, hidden rows and extra sheets change nothing
here. It must be this batch's (its 运行信息 names the claims file's SHA-256) and hold every
claim of the batch, each matched by source row and identity number (masked or damaged as
the workbook shows it). Anything else stops the run, listing the rows, and nothing is
recorded.
"""

from __future__ import annotations

import hashlib
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
    sha256: str
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


def _sheets(content: bytes, where: str) -> dict[str, list[list[str | None]]]:
    import fastexcel

    try:
        with quiet_native(where, []) as noise:
            reader = fastexcel.read_excel(content)
            return {
                name: pl.DataFrame(
                    reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
                ).rows()
                for name in reader.sheet_names
            }
    except BaseException as exc:
        reraise_interrupts(exc)
        raise unreadable(where, exc, "xlsx", noise) from exc


def _claims_rows(sheets: dict[str, list[list[str | None]]]) -> list[dict[str, str | None]]:
    """Every row of the claims sheet(s) (申领审核, 申领审核(2) …), found by their headers
    whatever the sheets are called now."""
    wanted = {key: set(HEADERS[key]) for key in READ_BACK}
    rows: list[dict[str, str | None]] = []
    for grid in sheets.values():
        if not grid:
            continue
        header = [str(c).strip() if c is not None else "" for c in grid[0]]
        at = {
            key: next((i for i, h in enumerate(header) if h in names), None)
            for key, names in wanted.items()
        }
        if at["source_row"] is None or at["decision"] is None:
            continue
        for cells in grid[1:]:
            row = {
                k: (cells[i] if i is not None and i < len(cells) else None) for k, i in at.items()
            }
            if any(v not in (None, "") for v in row.values()):
                rows.append(row)
    return rows


def _names_the_batch(sheets: dict[str, list[list[str | None]]], content_hash: str) -> bool:
    return any(
        content_hash == str(cell).strip().lower()
        for grid in sheets.values()
        for cells in grid
        for cell in cells
        if cell is not None and len(str(cell).strip()) == 64
    )


def _number(text: str | None) -> int | None:
    try:
        return int(float(str(text).strip()))
    except (TypeError, ValueError):
        return None


def read_decisions(path: Path, claims: pl.DataFrame, content_hash: str) -> Decisions:
    """The final decision of every claim of the batch (`claims`: the check's result)."""
    where = str(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UserInputError(
            f"无法读取复核工作簿：{path}", f"cannot read the reviewed workbook {path}: {exc}"
        ) from None
    sheets = _sheets(content, where)
    if not _names_the_batch(sheets, content_hash):
        raise UserInputError(
            f"复核工作簿 {path} 不是本批次的：其“{SHEETS['run'][0]}”中没有申领文件的 "
            f"SHA-256（{content_hash[:16]}…）；请用本批次审核生成的工作簿；未记入任何申领",
            f"the reviewed workbook {path} is not this batch's: its run sheet does not name "
            f"the claims file's SHA-256 ({content_hash[:16]}…); nothing recorded",
        )
    rows = _claims_rows(sheets)
    if not rows:
        raise UserInputError(
            f"复核工作簿 {path} 中没有“{SHEETS['claims'][0]}”表（含“来源行”和“复核结论”列）",
            f"the reviewed workbook {path} has no claims sheet with Source row and Decision",
        )
    book = pl.DataFrame(
        {
            "_row": [_number(r["source_row"]) for r in rows],
            "_id": [(r["id_number"] or "").strip() for r in rows],
            "_decision": [(r["decision"] or "").strip() or None for r in rows],
            "_note": [(r["decision_note"] or "").strip() or None for r in rows],
            "_reviewer": [(r["reviewer"] or "").strip() or None for r in rows],
        },
        schema={
            "_row": pl.Int64,
            "_id": pl.String,
            "_decision": pl.String,
            "_note": pl.String,
            "_reviewer": pl.String,
        },
    )
    return _decide(book, claims, hashlib.sha256(content).hexdigest())


def _decide(book: pl.DataFrame, claims: pl.DataFrame, sha256: str) -> Decisions:
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
    rules = pl.when(pl.col("verdict") == "reject").then(pl.lit("reject")).otherwise(pl.lit("pass"))
    frame = matched.select(
        "row_id",
        pl.coalesce("_officer", rules).alias("decision"),
        pl.when(pl.col("_officer").is_not_null())
        .then(pl.lit("officer"))
        .otherwise(pl.lit("rules"))
        .alias("decided_by"),
        pl.col("_reviewer").alias("reviewer"),
        pl.col("_note").alias("decision_note"),
        ((pl.col("_officer") != rules) & (pl.col("verdict") != "review"))
        .fill_null(False)
        .alias("_changed"),
    )
    return Decisions(
        frame.drop("_changed"),
        sha256,
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
