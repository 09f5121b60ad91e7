"""Turn an audit result into the report's tables (manifest, summary, claims, exceptions,
rules) in the chosen language, masked when asked; the writers only lay them out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from wudi_audit import __version__
from wudi_audit.checks import REGISTRY
from wudi_audit.engine import VERDICTS, AuditResult
from wudi_audit.masking import mask_id_number, mask_name, mask_value
from wudi_audit.read.reader import SourceFile
from wudi_audit.rulepack import RulePack
from wudi_audit.sampling import ReviewSample

SEVERITY_LABELS = {
    "reject": ("不予补贴", "reject"),
    "review": ("需复核", "review"),
    "info": ("提示", "info"),
}
SHEETS = {
    "summary": ("汇总", "Summary"),
    "claims": ("申领审核", "Claims"),
    "exceptions": ("异常明细", "Exceptions"),
    "rules": ("规则", "Rules"),
    "sample": ("抽查样本", "Sample"),
}
# column key → (zh header, en header)
HEADERS = {
    "code": ("规则代码", "Code"),
    "rule_name": ("规则名称", "Rule"),
    "severity": ("严重程度", "Severity"),
    "message": ("说明", "Message"),
    "evidence": ("证据", "Evidence"),
    "amount_at_stake": ("涉及金额（元）", "Amount at stake (yuan)"),
    "source_file": ("来源文件", "Source file"),
    "source_sheet": ("工作表", "Sheet"),
    "source_row": ("来源行", "Source row"),
    "id_number": ("公民身份号码", "Identity number"),
    "name": ("姓名", "Name"),
    "project_code": ("项目编号", "Project"),
    "class_id": ("班级编号", "Class"),
    "provider_name": ("培训机构", "Provider"),
    "amount": ("申领金额（元）", "Amount (yuan)"),
    "verdict": ("审核结论", "Verdict"),
    "codes": ("违反规则", "Rules broken"),
    "id_note": ("身份证号说明", "Identity note"),
    "claim_id": ("申领编号", "Claim id"),
    "stratum": ("分层（培训机构）", "Stratum (provider)"),
    "probability": ("入样概率", "Inclusion probability"),
    "why_drawn": ("抽取说明", "Why drawn"),
}
EXCEPTION_COLUMNS = (
    "code",
    "rule_name",
    "severity",
    "message",
    "evidence",
    "amount_at_stake",
    "source_file",
    "source_sheet",
    "source_row",
    "id_number",
    "name",
    "project_code",
    "class_id",
    "provider_name",
)
CLAIM_COLUMNS = (
    "source_row",
    "id_number",
    "name",
    "project_code",
    "class_id",
    "provider_name",
    "amount",
    "verdict",
    "codes",
    "amount_at_stake",
    "id_note",
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
MASKED_EVIDENCE_KEYS = ("name", "names", "other_names")


@dataclass
class Report:
    lang: str
    manifest: dict[str, Any]
    summary: dict[str, Any]
    exceptions: pl.DataFrame  # columns EXCEPTION_COLUMNS, values in the report's language
    claims: pl.DataFrame  # columns CLAIM_COLUMNS
    rules: list[dict[str, Any]]
    sample: pl.DataFrame | None = None  # columns SAMPLE_COLUMNS, with `--sample`

    def sheet(self, key: str) -> str:
        return SHEETS[key][0 if self.lang == "zh" else 1]

    def header(self, key: str) -> str:
        return HEADERS[key][0 if self.lang == "zh" else 1]


def _pick(lang: str, pair: tuple[str, str]) -> str:
    return pair[0] if lang == "zh" else pair[1]


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
    zh = lang == "zh"
    ex = result.exceptions
    id_expr = mask_id_number(pl.col("id_number")) if mask_ids else pl.col("id_number")
    name_expr = mask_name(pl.col("name")) if mask_ids else pl.col("name")
    names = {code: _pick(lang, (r.name_zh, r.name_en)) for code, r in REGISTRY.items()}
    severities = {k: _pick(lang, v) for k, v in SEVERITY_LABELS.items()}
    exceptions = ex.select(
        pl.col("code"),
        pl.col("code").replace_strict(names, default="").alias("rule_name"),
        pl.col("severity").replace_strict(severities, default=pl.col("severity")),
        pl.col("severity").alias("severity_code"),
        pl.col("message_zh" if zh else "message_en").alias("message"),
        pl.col("evidence"),
        (pl.col("amount_at_stake_fen") / 100).alias("amount_at_stake"),
        pl.col("source_file"),
        pl.col("source_sheet"),
        pl.col("source_row"),
        id_expr.alias("id_number"),
        name_expr.alias("name"),
        pl.col("project_code"),
        pl.col("class_id"),
        pl.col("provider_name"),
    )
    if mask_ids:
        exceptions = exceptions.with_columns(
            pl.col("evidence").map_elements(_mask_evidence, return_dtype=pl.String)
        )
    verdict_labels = {k: _pick(lang, v) for k, v in VERDICTS.items()}
    legacy_note = "15位旧号码已升级为18位" if zh else "15-digit legacy number upgraded to 18"
    claims = result.claims.select(
        pl.col("source_row"),
        id_expr.alias("id_number"),
        name_expr.alias("name"),
        pl.col("project_code"),
        pl.col("class_id"),
        pl.col("provider_name"),
        (pl.col("amount_fen") / 100).alias("amount"),
        pl.col("verdict").replace_strict(verdict_labels),
        pl.col("codes"),
        (pl.col("amount_at_stake_fen") / 100).alias("amount_at_stake"),
        pl.when(pl.col("id_legacy15")).then(pl.lit(legacy_note)).alias("id_note"),
    )
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
    summary = _summary(result, lang)
    rules = [
        {
            "code": r.code,
            "name": _pick(lang, (r.name_zh, r.name_en)),
            "severity": r.severity.value,
            "clause": r.clause,
            "parameters": {p: pack.params[p] for p in r.params},
            "ran": r.code not in result.rules_skipped,
            "why_not_run": _pick(lang, result.rules_skipped[r.code])
            if r.code in result.rules_skipped
            else "",
        }
        for r in (REGISTRY[c] for c in sorted(REGISTRY))
    ]
    sample_table = None
    if sample is not None:
        manifest["sample"] = sample.manifest()
        sample_table = _sample_table(result.claims, sample, lang, id_expr, name_expr)
    return Report(lang, manifest, summary, exceptions, claims, rules, sample_table)


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


def _mask_evidence(text: str | None) -> str | None:
    if not text or not any(f'"{key}"' in text for key in (*MASKED_EVIDENCE_KEYS, "id_number")):
        return text
    return json.dumps(_masked(json.loads(text)), ensure_ascii=False)


def _masked(value: Any, kind: str | None = None) -> Any:
    """Names and identity numbers anywhere inside evidence (nested lists and objects)."""
    if isinstance(value, dict):
        return {
            k: _masked(
                v, "name" if k in MASKED_EVIDENCE_KEYS else "id" if k == "id_number" else kind
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v, kind) for v in value]
    if isinstance(value, str) and kind is not None:
        return mask_value(value, kind)
    return value


def _yuan(fen: int | None) -> float:
    return round((fen or 0) / 100, 2)


def _summary(result: AuditResult, lang: str) -> dict[str, Any]:
    ex, claims = result.exceptions, result.claims
    per_rule = (
        ex.group_by("code")
        .agg(pl.col("row_id").n_unique().alias("claims"), pl.col("amount_at_stake_fen").sum())
        .sort("code")
    )
    by_code = {r["code"]: r for r in per_rule.iter_rows(named=True)}
    rules = []
    for rule in sorted(result.rules_run, key=lambda r: r.code):
        row = by_code.get(rule.code, {})
        rules.append(
            {
                "code": rule.code,
                "name": _pick(lang, (rule.name_zh, rule.name_en)),
                "severity": rule.severity.value,
                "claims_flagged": int(row.get("claims", 0)),
                "amount_at_stake": _yuan(row.get("amount_at_stake_fen")),
            }
        )
    verdict_counts = dict(claims.group_by("verdict").len().iter_rows())
    amount = pl.col("amount_fen").clip(lower_bound=0).fill_null(0)
    totals = claims.select(
        pl.len().alias("claims"),
        amount.sum().alias("claimed"),
        amount.filter(pl.col("verdict") == "pass").sum().alias("passing"),
        pl.col("amount_at_stake_fen").sum().alias("at_stake"),
    ).row(0, named=True)
    providers = (
        claims.group_by(pl.coalesce("provider_name", "provider_code").alias("provider"))
        .agg(
            pl.len().alias("claims"),
            (pl.col("verdict") == "reject").sum().alias("rejected"),
            (pl.col("verdict") == "review").sum().alias("review"),
            amount.sum().alias("claimed"),
            pl.col("amount_at_stake_fen").sum().alias("at_stake"),
        )
        .sort("at_stake", "claims", descending=True)
    )
    return {
        "claims": int(totals["claims"]),
        "claims_pass": int(verdict_counts.get("pass", 0)),
        "claims_review": int(verdict_counts.get("review", 0)),
        "claims_reject": int(verdict_counts.get("reject", 0)),
        "exceptions": ex.height,
        "claimed_amount": _yuan(totals["claimed"]),
        "passing_amount": _yuan(totals["passing"]),
        "amount_at_stake": _yuan(totals["at_stake"]),
        "attendance": result.attendance,
        "warnings": _batch_warnings(claims, lang),
        "rules": rules,
        "rules_not_run": [
            {"code": code, "reason": _pick(lang, reason)}
            for code, reason in sorted(result.rules_skipped.items())
        ],
        "providers": [
            {
                "provider": r["provider"] or "",
                "claims": int(r["claims"]),
                "rejected": int(r["rejected"]),
                "review": int(r["review"]),
                "claimed_amount": _yuan(r["claimed"]),
                "amount_at_stake": _yuan(r["at_stake"]),
            }
            for r in providers.iter_rows(named=True)
        ],
    }


def _batch_warnings(claims: pl.DataFrame, lang: str) -> list[str]:
    """What must be said once about the whole batch, not only row by row."""
    if "id_number" not in claims.columns:
        return []
    masked = int(claims["id_number"].str.contains(r"\*").fill_null(False).sum())
    if not masked:
        return []
    return [
        _pick(
            lang,
            (
                f"本批次有 {masked} 个公民身份号码已脱敏（含*号），无法据此核验身份（P101 等）",
                f"{masked} identity numbers in this batch are masked (contain *): "
                "the batch cannot be audited for identity (P101 and others)",
            ),
        )
    ]
