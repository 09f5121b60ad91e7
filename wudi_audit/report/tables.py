"""Turn an audit result into the report's tables (manifest, summary, claims, exceptions,
rules) in the chosen language, masked when asked; the writers only lay them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from wudi_audit import __version__
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.base import VOCABULARY
from wudi_audit.checks.engine import VERDICTS, AuditResult
from wudi_audit.facts.masking import mask_id_number, mask_name, mask_value
from wudi_audit.read.raw import SourceFile
from wudi_audit.report.evidence import evidence_column
from wudi_audit.report.figures import pick, summarise
from wudi_audit.report.final_evidence import FinalEvidence, mask_evidence
from wudi_audit.report.sampling import ReviewSample
from wudi_audit.rules.pack import RulePack

SEVERITY_LABELS = {k: VOCABULARY[k] for k in ("reject", "review", "info")}
SHEETS = {
    "summary": ("汇总", "Summary"),
    "claims": ("申领审核", "Claims"),
    "exceptions": ("异常明细", "Exceptions"),
    "rules": ("规则", "Rules"),
    "sample": ("抽查样本", "Sample"),
    "run": ("运行信息", "Run"),
}
# column key → (zh header, en header)
HEADERS = {
    "claim_id": ("申领编号", "Claim id"),
    "code": ("规则代码", "Code"),
    "rule_name": ("规则名称", "Rule"),
    "severity": ("严重程度", "Severity"),
    "message": ("说明", "Message"),
    "evidence": ("证据", "Evidence"),
    "amount_at_stake": ("涉及金额（元）", "At stake (yuan)"),
    "source_file": ("来源文件", "Source file"),
    "source_sheet": ("工作表", "Sheet"),
    "source_row": ("来源行", "Source row"),
    "id_number": ("公民身份号码", "Identity number"),
    "name": ("姓名", "Name"),
    "project_code": ("项目编号", "Project"),
    "class_id": ("班级编号", "Class"),
    "provider_name": ("培训机构", "Provider"),
    "start_date": ("开班日期", "Start"),
    "end_date": ("结业日期", "End"),
    "online_hours": ("线上课时", "Online hours"),
    "offline_hours": ("线下课时", "Offline hours"),
    "amount": ("申领金额（元）", "Amount (yuan)"),
    "verdict": ("审核结论", "Verdict"),
    "codes": ("违反规则", "Rules broken"),
    "reason": ("主要原因", "Main reason"),
    "id_note": ("身份证号说明", "Identity note"),
    "stratum": ("分层（培训机构）", "Stratum (provider)"),
    "probability": ("入样概率", "Inclusion probability"),
    "why_drawn": ("抽取说明", "Why drawn"),
    # the officer's decision (SPEC §3.4, §4): left empty for the review, read back by
    # `ledger add --decisions`
    "decision": ("复核结论", "Decision"),
    "decision_note": ("复核说明", "Review note"),
    "reviewer": ("复核人", "Reviewer"),
}
DECISION_COLUMNS = ("decision", "decision_note", "reviewer")
# what an officer may write in 复核结论 (a drop-down of the first two)
DECISION_VALUES = {"通过": "pass", "退回": "reject", "pass": "pass", "reject": "reject"}
# SPEC §4: the order of the columns on each sheet (申领编号 only when the batch has one)
CLAIM_COLUMNS = (
    "source_row",
    "claim_id",
    "name",
    "id_number",
    "project_code",
    "class_id",
    "provider_name",
    "start_date",
    "end_date",
    "online_hours",
    "offline_hours",
    "amount",
    "verdict",
    "codes",
    "amount_at_stake",
    "reason",
    "id_note",
    *DECISION_COLUMNS,
)
EXCEPTION_COLUMNS = (
    "claim_id",
    "id_number",
    "name",
    "code",
    "rule_name",
    "severity",
    "message",
    "evidence",
    "amount_at_stake",
    "source_sheet",
    "source_row",
    "project_code",
    "class_id",
    "provider_name",
    "start_date",
    "end_date",
    "amount",
)
SAMPLE_COLUMNS = (
    "source_row",
    "claim_id",
    "id_number",
    "name",
    "stratum",
    "project_code",
    "class_id",
    "amount",
    "probability",
    "why_drawn",
)
DAMAGED_PREFIX = ("已损坏：", "damaged: ")


@dataclass
class Report:
    lang: str
    manifest: dict[str, Any]
    summary: dict[str, Any]
    # one row per (claim, rule), values in the report's language; besides the sheet's
    # columns: `severity_code`, `source_file`, `evidence_json`, `id_number_read` (the number
    # as read, masked when asked) and `id_damaged`, for `--json`
    exceptions: pl.DataFrame
    claims: pl.DataFrame  # the sheet's columns (CLAIM_COLUMNS)
    rules: list[dict[str, Any]]
    has_claim_id: bool = False
    sample: pl.DataFrame | None = None  # columns SAMPLE_COLUMNS, with `--sample`
    # `evidence_json` holds the places some rules give: `final_evidence.of(a slice)` is
    # that slice's evidence as SPEC gives it (what `--json` writes)
    final_evidence: FinalEvidence = field(default_factory=FinalEvidence)

    def sheet(self, key: str) -> str:
        return SHEETS[key][0 if self.lang == "zh" else 1]

    def header(self, key: str) -> str:
        return HEADERS[key][0 if self.lang == "zh" else 1]

    def label(self, code: str) -> str:
        """通过 / 复核 / 退回 / 提示 in the report's language."""
        return pick(self.lang, VOCABULARY[code])

    def columns(self, key: str) -> tuple[str, ...]:
        """The columns of the claims or exceptions sheet, in SPEC §4's order."""
        columns = CLAIM_COLUMNS if key == "claims" else EXCEPTION_COLUMNS
        return tuple(c for c in columns if c != "claim_id" or self.has_claim_id)


def damaged_display(number: str, lang: str = "zh") -> str:
    """A number damaged by a spreadsheet (P102) as the cell showed it, marked damaged: a
    numeric cell in Excel's 15 significant digits (`3.20581199103092e+17`), text as it was;
    never a plausible-looking 18-digit number."""
    shown = number
    if number.isdigit() and len(number) > 15 and not number.endswith("000"):
        shown = f"{float(number):.15g}"
    return pick(lang, DAMAGED_PREFIX) + shown


def identity_display(frame: pl.DataFrame, lang: str, mask_ids: bool) -> pl.Series:
    """The identity number to show: masked when asked, damaged ones marked as such."""
    number = frame.select(
        mask_id_number(pl.col("id_number")) if mask_ids else pl.col("id_number")
    ).to_series()
    damaged = frame["id_damaged"].fill_null(False)
    if not damaged.any():
        return number.alias("id_number")
    raw = frame.filter(damaged)["id_number"].unique().drop_nulls()
    shown = {}
    for value in raw:
        text = damaged_display(value, lang)
        if mask_ids:
            prefix = pick(lang, DAMAGED_PREFIX)
            text = prefix + (mask_value(text.removeprefix(prefix), "id") or "")
        shown[value] = text
    display = frame["id_number"].replace_strict(shown, default=None, return_dtype=pl.String)
    return (
        pl.select(pl.when(damaged).then(display).otherwise(number)).to_series().alias("id_number")
    )


def _claims_of(row_ids: pl.Series, claims: pl.DataFrame) -> pl.DataFrame:
    """The claims' columns (not `row_id`) for each of `row_ids`: gathered by position
    when the claims stand in row_id order from 0 (as the engine returns them), so the
    exceptions' own columns are not copied by a join; else joined."""
    if claims["row_id"].equals(pl.int_range(claims.height, dtype=pl.UInt32, eager=True)):
        return claims[row_ids].drop("row_id")
    joined = row_ids.to_frame().join(claims, on="row_id", how="left", maintain_order="left")
    return joined.drop("row_id")


def build_report(
    result: AuditResult,
    pack: RulePack,
    sources: dict[str, list[SourceFile]],
    *,
    lang: str = "zh",
    mask_ids: bool = False,
    started: str = "",
    duration_s: float = 0.0,
    ledger: dict[str, Any] | None = None,
    sample: ReviewSample | None = None,
) -> Report:
    """The report of a run. It takes the rules' exceptions over: `result.exceptions` is
    emptied once they are shaped for the report (a million flagged claims are not held
    twice while their evidence is put into words)."""
    zh = lang == "zh"
    summary = summarise(result, lang)
    ex, result.exceptions = result.exceptions, result.exceptions.clear()
    name_expr = mask_name(pl.col("name")) if mask_ids else pl.col("name")
    names = {code: pick(lang, (r.name_zh, r.name_en)) for code, r in REGISTRY.items()}
    severities = {k: pick(lang, v) for k, v in SEVERITY_LABELS.items()}
    claim_keys = result.claims.select(
        "row_id",
        "id_damaged",
        "claim_id",
        "start_date",
        "end_date",
        "online_hours",
        "offline_hours",
    )
    ex = ex.drop("message_en" if zh else "message_zh").with_columns(
        _claims_of(ex["row_id"], claim_keys)
    )
    exceptions = ex.select(
        pl.col("claim_id"),
        identity_display(ex, lang, mask_ids),
        name_expr.alias("name"),
        pl.col("code"),
        pl.col("code").replace_strict(names, default="").alias("rule_name"),
        pl.col("severity").replace_strict(severities, default=pl.col("severity")),
        pl.col("message_zh" if zh else "message_en").alias("message"),
        pl.col("evidence").alias("evidence_json"),
        (pl.col("amount_at_stake_fen") / 100).alias("amount_at_stake"),
        pl.col("source_sheet"),
        pl.col("source_row"),
        pl.col("project_code"),
        pl.col("class_id"),
        pl.col("provider_name"),
        pl.col("start_date"),
        pl.col("end_date"),
        (pl.col("amount_fen") / 100).alias("amount"),
        pl.col("severity").alias("severity_code"),
        pl.col("source_file"),
        pl.col("row_id"),
        (mask_id_number(pl.col("id_number")) if mask_ids else pl.col("id_number")).alias(
            "id_number_read"
        ),
        pl.col("id_damaged").fill_null(False),
    )
    del ex
    if mask_ids:  # the places a rule gives are masked once put into records
        exceptions = exceptions.with_columns(mask_evidence(exceptions["evidence_json"]))
    final = FinalEvidence(result.evidence_expanders, mask_ids)
    exceptions = exceptions.with_columns(_evidence_in_words(exceptions, final, lang))
    verdict_labels = {k: pick(lang, VOCABULARY[k]) for k in VERDICTS}
    # the most severe reason of each claim: exceptions are sorted by severity within a row
    reasons = exceptions.group_by("row_id", maintain_order=True).agg(
        pl.col("message").first().alias("reason")
    )
    legacy_note = "15位旧号码已升级为18位" if zh else "15-digit legacy number upgraded to 18"
    damaged_note = (
        "号码已被表格软件损坏，请以文本格式重新导出"
        if zh
        else "number damaged by a spreadsheet; re-export the column as text"
    )
    # the reason lined up with the claims (in row_id order), their columns not gathered
    claims = result.claims.with_columns(
        result.claims.select("row_id")
        .join(reasons, on="row_id", how="left", maintain_order="left")
        .get_column("reason")
    )
    claims = claims.select(
        pl.col("source_row"),
        pl.col("claim_id"),
        name_expr.alias("name"),
        identity_display(claims, lang, mask_ids),
        pl.col("project_code"),
        pl.col("class_id"),
        pl.col("provider_name"),
        pl.col("start_date"),
        pl.col("end_date"),
        pl.col("online_hours"),
        pl.col("offline_hours"),
        (pl.col("amount_fen") / 100).alias("amount"),
        pl.col("verdict").replace_strict(verdict_labels),
        pl.col("codes"),
        # a claim that passes has nothing at stake: left empty rather than 0.00
        pl.when(pl.col("verdict") != "pass")
        .then(pl.col("amount_at_stake_fen") / 100)
        .alias("amount_at_stake"),
        pl.col("reason"),
        pl.when(pl.col("id_damaged").fill_null(False))
        .then(pl.lit(damaged_note))
        .when(pl.col("id_legacy15"))
        .then(pl.lit(legacy_note))
        .alias("id_note"),
        *[pl.lit(None, dtype=pl.String).alias(c) for c in DECISION_COLUMNS],
    )
    exceptions = exceptions.drop("row_id")
    manifest = {
        "tool": "wudi-audit",
        "version": __version__,
        "rule_pack": {"name": pack.name, "path": pack.path, "sha256": pack.sha256},
        # every pack used (SPEC §5): each claim is judged by the pack in force on its start
        "rule_packs": result.packs or [pack.describe()],
        "inputs": [
            {"role": role, **{k: v for k, v in vars(s).items()}}
            for role, items in sources.items()
            for s in items
        ],
        "ledger": ledger,
        "parameters": dict(pack.params),
        "district_overrides": pack.districts,
        "started_at": started,
        "duration_seconds": round(duration_s, 3),
        "language": lang,
        "ids_masked": mask_ids,
    }
    rules = [
        {
            "code": r.code,
            "name": pick(lang, (r.name_zh, r.name_en)),
            "severity": r.severity.value,
            "severity_label": severities[r.severity.value],
            "clause": r.clause,
            "parameters": {p: pack.params[p] for p in r.params},
            "ran": r.code not in result.rules_skipped,
            "why_not_run": pick(lang, result.rules_skipped[r.code])
            if r.code in result.rules_skipped
            else "",
        }
        for r in (REGISTRY[c] for c in sorted(REGISTRY))
    ]
    has_claim_id = bool(result.claims["claim_id"].is_not_null().any())
    sample_table = None
    if sample is not None:
        manifest["sample"] = sample.manifest()
        id_expr = mask_id_number(pl.col("id_number")) if mask_ids else pl.col("id_number")
        sample_table = _sample_table(result.claims, sample, lang, id_expr, name_expr)
    return Report(
        lang, manifest, summary, exceptions, claims, rules, has_claim_id, sample_table, final
    )


WORDS_AT_A_TIME = 100_000  # exceptions whose evidence is made final and put into words at once


def _evidence_in_words(exceptions: pl.DataFrame, final: FinalEvidence, lang: str) -> pl.Series:
    """The evidence of every exception in words, made final a slice at a time."""
    parts = [
        evidence_column(final.of(exceptions.slice(start, WORDS_AT_A_TIME)), lang)
        for start in range(0, max(exceptions.height, 1), WORDS_AT_A_TIME)
    ]
    return pl.concat(parts).alias("evidence")


def _sample_table(
    claims: pl.DataFrame, sample: ReviewSample, lang: str, id_expr: pl.Expr, name_expr: pl.Expr
) -> pl.DataFrame:
    """The drawn claims with their key fields, stratum and inclusion probability."""
    percent = (pl.col("probability") * 100).round(2).cast(pl.String)
    why = (
        pl.format("“{}”分层，按金额概率比例抽取，入样概率 {}%", "stratum", percent)
        if lang == "zh"
        else pl.format("stratum {}, drawn by amount, inclusion probability {}%", "stratum", percent)
    )
    return (
        sample.rows.join(claims, on="row_id", how="left")
        .sort("source_row")
        .select(
            pl.col("source_row"),
            pl.col("claim_id"),
            id_expr.alias("id_number"),
            name_expr.alias("name"),
            pl.col("stratum"),
            pl.col("project_code"),
            pl.col("class_id"),
            (pl.col("amount_fen") / 100).alias("amount"),
            pl.col("probability").round(6),
            why.alias("why_drawn"),
        )
    )
